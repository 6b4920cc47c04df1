"""The mistakes a learner makes, as a notebook shows them: one sentence each, no traceback.

A real Jupyter kernel (nbclient) runs cells with a wrong path, a broken image file, an array
that is not an image, and a painting with no network; every error output must be the course's
one line (``ImageError: …``) that says what to do. A second kernel runs bad settings from several
modules (``steps=0``, an unknown optimiser, a layer VGG19 lacks, a negative weight, a crop too
large, a GAN loss that does not exist, a size too big for memory): each must be one line
``SettingError: …`` that names the setting.
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


BAD_SETTINGS = {
    "steps=0": ("transfer.stylize(photo, photo, steps=0)", "SettingError", "steps must be a whole number >= 1"),
    "an unknown optimiser": ("transfer.stylize(photo, photo, optimizer='sgd')", "SettingError",
                             "optimizer must be one of 'lbfgs', 'adam', 'gd'"),
    "a layer VGG19 lacks": ("models.feature_extractor(['block6_conv1'])", "SettingError",
                            "VGG19 has no layer 'block6_conv1'; use one of its layers"),
    "a negative loss weight": ("transfer.Objective(photo, photo, style_weight=-1)", "SettingError",
                               "style_weight must be a number >= 0"),
    "a negative layer weight": ("losses.style_loss({'a': photo}, {'a': np.eye(3)}, layer_weights={'a': -0.5})",
                                "SettingError", "layer_weights['a'] must be a number >= 0"),
    "a crop larger than the picture": ("fit.CropSampler([photo], 64)", "SettingError",
                                       "too small for crops of 64; load it larger or choose size <= 32"),
    "a GAN loss that does not exist": ("gan.discriminator_loss(np.zeros(4), np.zeros(4), kind='hinge')",
                                       "SettingError", "kind must be one of 'non_saturating'"),
    "a size too big for memory": ("images.load(photo, size=100_000)", "SettingError",
                                  "COURSE_MEMORY_GB allows 4.0 GB: use size="),
}


def _run_in_kernel(tmp_path, cells, **settings):
    """Run ``cells`` in a fresh Jupyter kernel with the environment ``settings``; return the notebook."""
    nb = new_notebook(cells=[new_code_cell(code) for code in cells])
    client = NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(tmp_path)}})
    with client.setup_kernel(env=kernel_environment(**settings), cwd=str(tmp_path)):
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
    assert not [o for o in nb.cells[0].outputs if o.output_type == "error"], "the imports failed"
    return nb


@pytest.mark.slow
@pytest.mark.network
def test_each_mistake_reads_as_one_sentence_in_a_notebook(tmp_path, closed_port):
    nb = _run_in_kernel(tmp_path, ["import numpy as np\nfrom course_utils import data, images",
                                   *(code for code, _, _ in MISTAKES.values())],
                        COURSE_CACHE_DIR=str(tmp_path / "cache"),
                        COURSE_PAINTINGS_URL=f"http://127.0.0.1:{closed_port}/")
    _assert_one_sentence_each(MISTAKES, nb)


@pytest.mark.slow
def test_each_bad_setting_reads_as_one_sentence_in_a_notebook(tmp_path):
    imports = ("import numpy as np\nfrom course_utils import gan, images, losses, models, transfer\nfrom course_utils.fast import fit\n"
               "photo = np.full((32, 32, 3), 0.5, np.float32)")
    # VGG19 from the course's cache, as in a learner's notebook; a memory bound that is the same everywhere
    nb = _run_in_kernel(tmp_path, [imports, *(code for code, _, _ in BAD_SETTINGS.values())],
                        COURSE_MEMORY_GB="4")
    _assert_one_sentence_each(BAD_SETTINGS, nb)


def _assert_one_sentence_each(mistakes, nb):
    for (what, (_, ename, hint)), cell in zip(mistakes.items(), nb.cells[1:]):
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
