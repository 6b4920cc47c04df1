"""`make solutions`: the instructor's notebooks, every exercise answered, and the answers pass their checks.

The notebooks' exercise cells take the shape below (the learner replaces the ``...``)::

    def gram_matrix(features):
        \"\"\"(H, W, C) -> (C, C) float32, summed over positions and divided by H * W.\"\"\"
        ...  # your code here: replace the ... with your own lines and return the result

    check.q1(gram_matrix)

Where a committed notebook still has the older shape (the body calls ``check.solution``), the tests
rewrite it into this shape in a temporary folder first, so the generator is tested on what
learners get. Notebook 00 is then run in quick mode twice: as the learner gets it (each check says
"not attempted yet") and solved (each check says ✓, and nothing is "not attempted").
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, kernel_environment

if str(ROOT) not in sys.path:  # the instructor's tools live beside course_utils, not inside it
    sys.path.insert(0, str(ROOT))

from classroom import solutions  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
PLACEHOLDER = "    ...  # your code here: replace the ... with your own lines and return the result"


def learners_shape(source: str) -> str:
    """An exercise cell in the learners' shape: the body that calls ``check.solution`` becomes ``...``."""
    source = re.sub(r"^    # Your code here, instead of the line below\.\n", "", source, flags=re.M)
    return re.sub(r"^    return check\.solution\.\w+\(.*\).*$", PLACEHOLDER, source, flags=re.M)


def rewrite(folder: Path) -> list[Path]:
    """Copies of the course's notebooks in the learners' shape, in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for path in NOTEBOOKS:
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            if cell["cell_type"] == "code" and "check.q" in "".join(cell["source"]):
                cell["source"] = solutions._lines(learners_shape("".join(cell["source"])))
        (folder / path.name).write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(folder / path.name)
    return written


def _code(nb: dict) -> list[str]:
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]


def test_every_exercise_of_every_notebook_is_answered(tmp_path):
    learners = rewrite(tmp_path / "learners")
    for path in learners:
        cells = [c for c in _code(json.loads(path.read_text())) if re.search(r"^check\.q\d+\(", c, re.M)]
        assert cells and not any("check.solution." in c for c in cells), f"{path.name}: the rewrite left check.solution"
    out = tmp_path / "solutions"
    report = solutions.generate(tmp_path / "learners", out, log=lambda line: None)
    assert sorted(report) == [p.name for p in NOTEBOOKS]
    answers = solutions.read_answers()
    for path in NOTEBOOKS:
        solved = json.loads((out / path.name).read_text(encoding="utf-8"))
        learner = json.loads((tmp_path / "learners" / path.name).read_text(encoding="utf-8"))
        asked = sorted(set(re.findall(r"^check\.(q\d+)\(", "\n".join(_code(learner)), re.M)))
        assert asked, f"{path.name} has checked exercises"
        assert sorted(report[path.name]["checked"]) == asked, f"{path.name}: every check.qN cell is filled"
        code = "\n".join(c for c in _code(solved) if re.search(r"^check\.q\d+\(", c, re.M))
        assert "your code here" not in code and "check.solution." not in code
        opened = [label for c in learner["cells"] if c["cell_type"] == "markdown"
                  for label in solutions.open_exercises("".join(c["source"]))]
        assert report[path.name]["open"] == opened
        texts = "\n".join("".join(c["source"]) for c in solved["cells"] if c["cell_type"] == "markdown")
        for label in opened:
            assert f"**Answer to {label}.**" in texts and answers[(path.name[:2], label)][:60] in texts
        assert "Instructor's copy" in "".join(solved["cells"][1]["source"])
    # The learners' notebooks are left alone.
    assert all("Instructor's copy" not in p.read_text() for p in NOTEBOOKS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name[:2])
def test_each_solution_passes_its_own_check(path, tmp_path, capsys):
    """Every filled function, run by itself with the notebooks' usual imports, passes the cell's check."""
    import numpy as np
    from scipy import linalg

    from course_utils._tf import keras, tf

    learner = rewrite(tmp_path)[NOTEBOOKS.index(path)]
    nb, done = solutions.solve(learner, solutions.read_answers())
    module = re.search(r"from course_utils\.checks import (nb\d\d) as check", "\n".join(_code(nb))).group(1)
    check = __import__(f"course_utils.checks.{module}", fromlist=["x"])
    for source in _code(nb):
        calls = re.findall(r"^check\.(q\d+)\((\w+)\)", source, re.M)
        if not calls:
            continue
        defs = source.split("\ncheck.q")[0]  # the function(s) the cell defines, before its checks
        namespace = {"np": np, "tf": tf, "keras": keras, "linalg": linalg, "check": check}
        exec(compile(defs, f"<{path.name}>", "exec"), namespace)
        for label, name in calls:
            getattr(check, label)(namespace[name])
            assert getattr(check, label).passed, f"{path.name}: check.{label} did not pass the solution"
    said = capsys.readouterr().out
    assert said.count("✓") == len(done["checked"]) and "not attempted" not in said


_RUN = """
import json, sys
import nbformat
from nbclient import NotebookClient
nb = nbformat.read(sys.argv[1], as_version=4)
NotebookClient(nb, timeout=900, kernel_name="python3", resources={"metadata": {"path": sys.argv[2]}}).execute()
print(json.dumps([o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs]))
"""


def _execute(path: Path, cwd: Path) -> str:
    done = subprocess.run([sys.executable, "-c", _RUN, str(path), str(cwd)], capture_output=True, text=True,
                          env=kernel_environment(COURSE_QUICK="1", PYTHONPATH=str(ROOT)), cwd=cwd, timeout=1800)
    assert done.returncode == 0, f"{path.name} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    return "".join(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.mark.slow
def test_make_solutions_writes_notebooks_whose_checks_pass_when_run(tmp_path):
    learners = tmp_path / "learners"
    rewrite(learners)
    out = tmp_path / "solutions"
    done = subprocess.run(["make", "--no-print-directory", "-o", str(Path(sys.prefix) / ".course-installed"),
                           "solutions", f"VENV={sys.prefix}", f"SOLUTIONS_FROM={learners}", f"SOLUTIONS={out}"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "00_setup_and_tour.ipynb" in done.stdout and "3 checked" in done.stdout
    run = tmp_path / "run"
    run.mkdir()
    as_given = _execute(learners / "00_setup_and_tour.ipynb", run)
    assert as_given.count("not attempted yet") == 3 and "✓" not in as_given, "the learners' cells wait for them"
    solved = _execute(out / "00_setup_and_tour.ipynb", run)
    assert solved.count("✓") == 3 and "not attempted" not in solved, solved[-2000:]
