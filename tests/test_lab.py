"""`make lab`, the README's command that opens the course, run as a learner runs it.

The target itself is run (not only the server it starts): it must start JupyterLab on the
course's notebooks, as root too (a container, a cloud server, CI), where Jupyter refuses to
start without ``--allow-root`` and the target says in one line that it passes it.
"""

import os

import pytest

from conftest import ROOT, JupyterLab

pytestmark = pytest.mark.slow


def test_make_lab_opens_the_notebooks_and_stops_cleanly(tmp_path):
    log = tmp_path / "make-lab.log"
    server = JupyterLab(ROOT / "notebooks", tmp_path / "jupyter", log, through_make=True)
    try:
        listed = {item["name"] for item in server.api("/api/contents")["content"]}
        committed = {path.name for path in (ROOT / "notebooks").glob("*.ipynb")}
        assert committed and committed <= listed, f"make lab should serve notebooks/, it lists {sorted(listed)}"
        assert server.api("/api/kernelspecs")["default"] == "python3"
    finally:
        status = server.stop()
    output = log.read_text()
    assert status == 0, f"make lab ended with status {status}; its output:\n{output[-3000:]}"
    assert "Running as root is not recommended" not in output
    said = "starting JupyterLab with --allow-root" in output
    assert said == (os.geteuid() == 0), "the root line is printed exactly when make lab runs as root"
