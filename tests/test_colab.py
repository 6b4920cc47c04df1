"""Colab: each notebook's set-up cell, run with a stand-in ``google.colab``, and Colab's ipywidgets 7.7.

Colab itself cannot be reached from a test. What can be checked here:

- the set-up cell of every notebook is the same, and its install command is
  ``colab.install_command()``: this package with ``--no-deps``, so Colab's TensorFlow,
  Keras, NumPy and ipywidgets are never replaced;
- run with a stand-in ``google.colab`` module it runs exactly that command, and nothing
  else when nothing is missing; run without one it runs no command at all;
- that command, pointed at a local clone of this repository, really installs
  ``course_utils`` and nothing else;
- the widget tests pass with ipywidgets 7.7, the series Colab ships (``make test``
  installs it into ``.venv/colab-ipywidgets7``), and then no custom widget manager is turned on.
"""

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from course_utils import colab, config

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
IPYWIDGETS7 = Path(os.environ.get("COURSE_COLAB_WIDGETS", ROOT / ".venv" / "colab-ipywidgets7"))


def _setup_block(path: Path) -> str:
    """The Colab part of a notebook's first code cell: everything up to its first blank line."""
    cells = json.loads(path.read_text())["cells"]
    source = "".join(next(c for c in cells if c["cell_type"] == "code")["source"])
    return source.split("\n\n")[0] + "\n"


def _first_cell(path: Path) -> str:
    cells = json.loads(path.read_text())["cells"]
    return "".join(next(c for c in cells if c["cell_type"] == "code")["source"])


# Runs a piece of notebook code in a fresh Python. Every pip command it would start (through
# subprocess or os.system) is recorded instead of run; other programs (TensorFlow asks `uname`
# for the processor, say) run as usual. Prints what happened as JSON.
_RUNNER = textwrap.dedent('''
    import json, os, subprocess, sys, types
    calls, enabled = [], []
    real_run, real_popen, real_system = subprocess.run, subprocess.Popen, os.system

    def is_pip(command):
        words = command.split() if isinstance(command, str) else [str(w) for w in command]
        return any(os.path.basename(w).startswith("pip") for w in words)

    def run(command, *args, **kwargs):
        if is_pip(command):
            calls.append(list(command) if not isinstance(command, str) else [command])
            return subprocess.CompletedProcess(command, 0)
        return real_run(command, *args, **kwargs)

    class Popen(real_popen):
        def __init__(self, command, *args, **kwargs):
            if is_pip(command):
                calls.append(list(command) if not isinstance(command, str) else [command])
                raise RuntimeError("pip started through Popen")
            super().__init__(command, *args, **kwargs)

    def system(command):
        if is_pip(command):
            calls.append([command])
            return 0
        return real_system(command)

    subprocess.run, subprocess.Popen, os.system = run, Popen, system
    if os.environ.get("STAND_IN_COLAB"):
        import google  # the real namespace package (protobuf lives in it)
        colab = types.ModuleType("google.colab")
        output = types.ModuleType("google.colab.output")
        output.enable_custom_widget_manager = lambda: enabled.append(True)
        colab.output = output
        sys.modules["google.colab"], sys.modules["google.colab.output"] = colab, output
    code = open(sys.argv[1]).read()
    exec(compile(code, "setup-cell", "exec"), {"__name__": "__main__"})
    import ipywidgets
    print("RESULT " + json.dumps({"calls": calls, "enabled": enabled, "ipywidgets": ipywidgets.__version__}))
''')


def _run_cell(code: str, tmp_path: Path, *, in_colab: bool, pythonpath: Path | None = None) -> dict:
    cell = tmp_path / "cell.py"
    cell.write_text(code)
    runner = tmp_path / "runner.py"
    runner.write_text(_RUNNER)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    env.pop("STAND_IN_COLAB", None)
    if in_colab:
        env["STAND_IN_COLAB"] = "1"
    if pythonpath is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(pythonpath), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    done = subprocess.run([sys.executable, str(runner), str(cell)], capture_output=True, text=True, env=env,
                          cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(line for line in done.stdout.splitlines() if line.startswith("RESULT "))
    return json.loads(line[len("RESULT "):])


def test_every_notebook_has_the_same_colab_setup():
    blocks = {path.name: _setup_block(path) for path in NOTEBOOKS}
    first = blocks[NOTEBOOKS[0].name]
    assert 'if "google.colab" in sys.modules:' in first
    different = [name for name, block in blocks.items() if block != first]
    assert not different, f"the set-up cell differs from {NOTEBOOKS[0].name}'s in {different}"


def test_the_cell_installs_exactly_the_package_without_dependencies():
    command = colab.install_command()
    assert command[:4] == [sys.executable, "-m", "pip", "install"]
    assert "--no-deps" in command
    assert command[-1] == f"course_utils @ git+https://github.com/{config.REPO}@{config.BRANCH}"
    block = _setup_block(NOTEBOOKS[0])
    for part in command[1:]:
        assert json.dumps(part) in block, f"the set-up cell does not pass {part!r} to pip"


def test_in_colab_the_cell_runs_one_install_and_keeps_colabs_stack(tmp_path):
    result = _run_cell(_setup_block(NOTEBOOKS[0]), tmp_path, in_colab=True)
    # sys.executable of the subprocess is the same interpreter as ours
    assert result["calls"] == [colab.install_command()], result["calls"]
    words = " ".join(result["calls"][0])
    for kept in ("tensorflow", "keras", "numpy", "ipywidgets", "--upgrade", "-U"):
        assert f" {kept}" not in words and f"{kept}==" not in words, f"the install command names {kept}"


def test_in_colab_with_ipywidgets_8_the_custom_widget_manager_is_turned_on(tmp_path):
    import ipywidgets

    assert colab.needs_custom_widget_manager(ipywidgets.__version__) == ipywidgets.__version__.startswith("8")
    result = _run_cell(_setup_block(NOTEBOOKS[0]), tmp_path, in_colab=True)
    assert result["enabled"] == ([True] if result["ipywidgets"].startswith("8") else [])


def test_outside_colab_the_whole_first_cell_starts_no_process(tmp_path):
    for path in (NOTEBOOKS[0], NOTEBOOKS[-1]):
        result = _run_cell(_first_cell(path), tmp_path, in_colab=False)
        assert result["calls"] == [], f"{path.name}'s first cell ran {result['calls']} outside Colab"
        assert result["enabled"] == []


def _colab_widgets_dir() -> Path:
    if not (IPYWIDGETS7 / "ipywidgets").is_dir():
        pytest.fail(f"ipywidgets 7.7 (Colab's) is not in {IPYWIDGETS7}: run `make test-unit`, which installs it there.")
    return IPYWIDGETS7


def test_with_colabs_ipywidgets_7_nothing_is_turned_on(tmp_path):
    result = _run_cell(_setup_block(NOTEBOOKS[0]), tmp_path, in_colab=True, pythonpath=_colab_widgets_dir())
    assert result["ipywidgets"].startswith("7.7"), result
    assert result["enabled"] == [], "core widgets need no custom widget manager in Colab"
    assert result["calls"] == [colab.install_command()]


@pytest.mark.slow
def test_the_widget_tests_pass_with_colabs_ipywidgets_7():
    env = dict(os.environ, PYTHONPATH=str(_colab_widgets_dir()))
    probe = subprocess.run([sys.executable, "-c", "import ipywidgets; print(ipywidgets.__version__)"],
                           capture_output=True, text=True, env=env)
    assert probe.stdout.startswith("7.7"), probe.stdout + probe.stderr
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           str(ROOT / "tests" / "test_widgets.py")], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert " passed" in done.stdout and "skipped" not in done.stdout


def test_missing_requirements_ignores_versions_and_extras():
    assert colab.missing_requirements() == [], "every requirement of course_utils is installed in this environment"
    assert colab.missing_requirements(["numpy>=999", "no-such-package-for-the-course>=1",
                                       'pytest>=8; extra == "test"', "scipy"]) == ["no-such-package-for-the-course>=1"]
    with pytest.raises(ValueError, match="package name"):
        colab.missing_requirements([">=1.0"])
    with pytest.raises(ValueError, match="ipywidgets version"):
        colab.needs_custom_widget_manager("latest")


def test_setup_installs_only_what_is_missing(monkeypatch):
    ran = []
    monkeypatch.setattr(colab, "missing_requirements", lambda: ["imageio>=2.31"])
    assert colab.setup(run=lambda command, check: ran.append(command), quiet=True) == ran
    assert ran == [[sys.executable, "-m", "pip", "install", "--quiet", "imageio>=2.31"]]


def test_setup_says_what_it_runs_on(capsys):
    assert colab.setup(run=None, quiet=False) == []
    said = capsys.readouterr().out
    assert said.count("\n") == 1 and "course_utils" in said and "tensorflow" in said and "ipywidgets" in said


@pytest.mark.slow
@pytest.mark.network
def test_the_install_command_really_installs_only_course_utils(tmp_path):
    """The cell's pip command, with GitHub swapped for a local clone: one package lands, nothing else."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.fail("this test clones the repository: it needs git and a git checkout")
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True,
                          check=True).stdout.strip()
    clone = tmp_path / "repo"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    command = colab.install_command()
    url = f"course_utils @ git+https://github.com/{config.REPO}@{config.BRANCH}"
    assert command[-1] == url
    command[-1] = f"course_utils @ git+file://{clone}@{head}"
    target = tmp_path / "site"
    done = subprocess.run(command + ["--target", str(target)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    installed = sorted(p.name for p in target.iterdir() if p.name != "bin")
    assert installed[0] == "course_utils" and installed[1].startswith("course_utils-0") and len(installed) == 2, \
        installed
    assert (target / "course_utils" / "colab.py").is_file()
