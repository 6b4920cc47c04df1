"""The mistakes a learner makes, as a notebook shows them: one sentence each, no traceback.

A real Jupyter kernel (nbclient) runs cells with a wrong path, a broken image file, an array
that is not an image, and a painting with no network; every error output must be the course's
one line (``ImageError: …``) that says what to do.
"""

import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook

from conftest import kernel_environment

MISTAKES = {
    "a wrong path": ("images.load('no_such_photo.jpg')", "ImageError", "check the path"),
    "a broken image": ("open('broken.jpg', 'wb').write(b'not a picture' * 10)\nimages.load('broken.jpg')",
                       "ImageError", "broken.jpg"),
    "not an image": ("images.load(np.zeros(5))", "ImageError", "shape"),
    "no network": ("data.painting('starry_night')", "DownloadError", "data.style("),
}


@pytest.mark.slow
@pytest.mark.network
def test_each_mistake_reads_as_one_sentence_in_a_notebook(tmp_path, closed_port):
    cells = [new_code_cell("import numpy as np\nfrom course_utils import data, images")]
    cells += [new_code_cell(code) for code, _, _ in MISTAKES.values()]
    nb = new_notebook(cells=cells)
    env = kernel_environment(COURSE_CACHE_DIR=str(tmp_path / "cache"),
                             COURSE_PAINTINGS_URL=f"http://127.0.0.1:{closed_port}/")
    client = NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(tmp_path)}})
    with client.setup_kernel(env=env, cwd=str(tmp_path)):
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
    assert not [o for o in nb.cells[0].outputs if o.output_type == "error"], "the imports failed"
    for (what, (_, ename, hint)), cell in zip(MISTAKES.items(), nb.cells[1:]):
        errors = [o for o in cell.outputs if o.output_type == "error"]
        assert len(errors) == 1, f"{what}: expected one error, got {cell.outputs}"
        error = errors[0]
        assert error.ename == ename, f"{what}: {error.ename}: {error.evalue}"
        assert len(error.traceback) == 1, f"{what}: a traceback of {len(error.traceback)} lines"
        shown = error.traceback[0]
        assert shown.startswith(f"{ename}: ") and "\n" not in shown, f"{what}: {shown!r}"
        assert hint in shown, f"{what}: the sentence should say what to do ({hint!r}): {shown}"
        stderr = [o for o in cell.outputs if o.output_type == "stream" and o.name == "stderr"]
        assert not stderr, f"{what}: also wrote to stderr: {stderr[0].text[:200]}"
