"""The committed notebooks: no outputs, the course's shape, a badge that points at itself.

(nbval runs them; this file checks how they are committed.)
"""

import json
import re
from pathlib import Path

import pytest

from course_utils import config

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))


def _cells(path):
    return json.loads(path.read_text())["cells"]


def test_there_are_notebooks():
    assert NOTEBOOKS, "notebooks/ should hold the course's notebooks"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs(path):
    for i, cell in enumerate(_cells(path)):
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [], f"{path.name} cell {i} has outputs: run 'make strip'"
            assert cell.get("execution_count") is None, f"{path.name} cell {i} has an execution count"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_name_badge_and_setup_cell(path):
    assert re.fullmatch(r"\d\d_[a-z0-9_]+\.ipynb", path.name), "names are NN_snake_case_title.ipynb"
    cells = _cells(path)
    first = "".join(cells[0]["source"])
    badge = f"https://colab.research.google.com/github/{config.REPO}/blob/{config.BRANCH}/notebooks/{path.name}"
    assert cells[0]["cell_type"] == "markdown" and badge in first, "the Colab badge must point at this notebook"
    assert re.search(r"^# ", first, re.M), "title after the badge"
    setup = next(c for c in cells if c["cell_type"] == "code")
    source = "".join(setup["source"])
    assert 'if "google.colab" in sys.modules:' in source, "the first code cell installs only in Colab"
    assert f"git+https://github.com/{config.REPO}" in source
    assert "config.seed(" in source
    params = [c for c in cells if c["cell_type"] == "code"][1]
    assert "config.pick(" in "".join(params["source"]), "the second code cell holds the parameters"
    text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    assert "## Exercises" in text and "## Summary" in text
    code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    assert "tf.keras" not in code, "use `import keras` (Keras 3)"


# Python turns these escapes into control characters when LaTeX is written in a string that is not raw:
# "\text" holds a tab, "\frac" a form feed, "\big" a backspace, "\rVert" a carriage return, "\alpha" a bell.
_ESCAPES = {"\t": "t", "\f": "f", "\b": "b", "\r": "r", "\a": "a", "\v": "v"}


def control_characters(text: str) -> list[str]:
    """One description per control character in ``text`` other than a newline, with the LaTeX command it
    probably was (the escape's letter and the letters that follow it: a form feed then "rac" is \\frac)."""
    found = []
    for match in re.finditer(r"[\x00-\x09\x0b-\x1f\x7f]", text):
        char = match.group()
        around = text[max(0, match.start() - 15): match.end() + 15]
        described = f"{char!r} in {around!r}"
        if char in _ESCAPES:
            letters = re.match(r"[A-Za-z]*", text[match.end():]).group()
            described += f", probably the LaTeX command \\{_ESCAPES[char]}{letters}"
        found.append(described)
    return found


def test_control_characters_are_found_and_named():
    broken = "$$\text{AdaIN} = \frac{a}{b}$$ and $\alpha$, \big\\lVert x \big\rVert"  # not raw, on purpose
    found = control_characters(broken)
    assert [f.rsplit(" ", 1)[-1] for f in found] == ["\\text", "\\frac", "\\alpha", "\\big", "\\big", "\\rVert"]
    assert control_characters(r"$$\text{AdaIN} = \frac{a}{b}$$ and $\alpha$" + "\nfine\n") == []
    assert "probably" not in control_characters("odd\x01char")[0]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_control_characters_where_latex_was(path):
    problems = [f"{path.name} cell {i} ({cell['cell_type']}): {found}"
                for i, cell in enumerate(_cells(path)) for found in control_characters("".join(cell["source"]))]
    assert not problems, ("control characters (write LaTeX in raw strings, r\"...\", when a script edits "
                          "a notebook):\n" + "\n".join(problems))


def test_readme_has_a_colab_badge_for_every_notebook_in_order():
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    section = readme.split("## In Google Colab", 1)[1].split("\n## ", 1)[0]
    prefix = f"https://colab.research.google.com/github/{config.REPO}/blob/{config.BRANCH}/notebooks/"
    linked = re.findall(r"\]\(" + re.escape(prefix) + r"([^)]+)\)", section)
    assert linked == [p.name for p in NOTEBOOKS], "README's Colab table: one badge per notebook, in course order"
    for row in section.splitlines():
        if prefix in row:
            number = re.search(r"notebooks/(\d\d)_", row).group(1)
            assert row.startswith(f"| {number} "), f"this row's label does not match its badge: {row[:60]}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_tensorflow_is_first_imported_through_course_utils(path):
    """course_utils imports TensorFlow with its C++ start-up notices (oneDNN, cuInit) kept out of the notebook;
    a notebook that imports keras or tensorflow before it shows them as red text a learner cannot act on."""
    code = [c for c in _cells(path) if c["cell_type"] == "code"]
    for line in "".join(code[0]["source"]).splitlines():
        if re.match(r"\s*(from|import) course_utils", line) and "colab" not in line:
            return
        assert not re.match(r"\s*(import|from) (keras|tensorflow)\b", line), \
            f"{path.name}: import course_utils before keras/tensorflow in the set-up cell ({line.strip()!r})"
