"""Every notebook's exercises wait for the learner.

For each notebook, the checked exercises are the code cells that call ``check.qN(name)``; ``check`` is the
module the notebook imports with ``from course_utils.checks import nbNN as check``. Each such cell's imports
and ``def``s are executed in a fresh namespace, without a kernel, and then:

- the function as committed reports "not attempted yet" and never ✓, raising nothing;
- the check's own reference passes it;
- there are at least three, numbered q1, q2, q3 ... in order, each with the learner's ``def``, its docstring and
  a body still to write (``...``), and nothing after the check; the markdown above each names
  ``check.qN.hint()`` and ``check.qN.solution()``;
- no code cell calls ``check.solution``, a check's ``hint()`` or ``solution()`` (those are for the learner to
  ask), and no cell uses the learner's function after its check (that belongs in the next cell);
- every open (unchecked) exercise of the "## Exercises" section has a collapsed hint,
  ``<details><summary>Hint</summary> ... </details>``, below its text.
"""

from __future__ import annotations

import ast
import contextlib
import importlib
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("*.ipynb"))
BODY = "...  # your code here: replace the ... with your own lines and return the result"
CHECK_IMPORT = re.compile(r"^from course_utils\.checks import (nb\d\d) as check$", re.M)
HINT_BLOCK = re.compile(r"<details>\s*<summary>\s*Hint[^<]*</summary>.*?</details>", re.S)


@dataclass
class Checked:
    """One checked exercise: its cell, the question it calls (``q1``) and the learner's function name."""

    index: int
    question: str
    name: str
    tree: ast.Module
    source: str


def _cells(path):
    return json.loads(path.read_text())["cells"]


def _source(cell) -> str:
    return "".join(cell["source"])


def _check_call(node) -> tuple[str, str] | None:
    """(``q1``, ``name``) if ``node`` is the statement ``check.q1(name)``, else None."""
    if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)):
        return None
    func = node.value.func
    if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "check"
            and re.fullmatch(r"q\d+", func.attr)):
        return None
    args = node.value.args
    if len(args) == 1 and isinstance(args[0], ast.Name) and not node.value.keywords:
        return func.attr, args[0].id
    return func.attr, ""


def _parse(cell) -> ast.Module | None:
    try:
        return ast.parse(_source(cell))
    except SyntaxError:  # IPython magics: not an exercise cell
        return None


def _checked_exercises(cells) -> list[Checked]:
    found = []
    for index, cell in enumerate(cells):
        if cell["cell_type"] != "code":
            continue
        tree = _parse(cell)
        if tree is None:
            continue
        for node in tree.body:
            call = _check_call(node)
            if call:
                found.append(Checked(index, call[0], call[1], tree, _source(cell)))
    return found


def _check_module(path):
    code = "\n".join(_source(c) for c in _cells(path) if c["cell_type"] == "code")
    names = CHECK_IMPORT.findall(code)
    assert len(names) == 1, f"{path.name}: one line `from course_utils.checks import nbNN as check`, found {names}"
    return importlib.import_module(f"course_utils.checks.{names[0]}")


def _namespace_of(exercise: Checked, check) -> dict:
    """The cell's imports and defs, executed in a fresh namespace with the notebook's check module."""
    kept = [node for node in exercise.tree.body
            if isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef))]
    module = ast.Module(body=kept, type_ignores=[])
    namespace = {"check": check, "__name__": "exercise_cell"}
    exec(compile(module, f"<exercise cell of {exercise.question}>", "exec"), namespace)
    return namespace


def _run(exercise_check, function) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exercise_check(function)
    return out.getvalue()


@pytest.fixture(params=NOTEBOOKS, ids=lambda p: p.name)
def notebook(request):
    return request.param


# ------------------------------------------------------------------ (a) the committed function waits


def test_each_committed_exercise_reports_not_attempted(notebook):
    check = _check_module(notebook)
    exercises = _checked_exercises(_cells(notebook))
    assert exercises, f"{notebook.name} has no checked exercise cell (a code cell calling check.qN(name))"
    for exercise in exercises:
        where = f"{notebook.name} cell {exercise.index} ({exercise.question})"
        namespace = _namespace_of(exercise, check)
        assert exercise.name in namespace, f"{where}: the cell defines no function {exercise.name!r}"
        question = getattr(check, exercise.question)
        try:
            out = _run(question, namespace[exercise.name])
        except Exception as err:  # noqa: BLE001 - the failure names the cell
            pytest.fail(f"{where}: the committed function should report 'not attempted yet', "
                        f"but the check raised {type(err).__name__}: {err}")
        assert "✓" not in out, f"{where}: the committed function passes the check: {out.strip()}"
        assert "not attempted yet" in out and out.count("\n") == 1, f"{where}: printed {out!r}"
        assert not question.passed, where


# ------------------------------------------------------------------ (b) the references pass


def test_each_checks_reference_passes(notebook):
    check = _check_module(notebook)
    for exercise in _checked_exercises(_cells(notebook)):
        question = getattr(check, exercise.question)
        out = _run(question, question.reference)
        assert out.startswith("✓") and question.passed, f"{notebook.name} {exercise.question}: {out!r}"


# ------------------------------------------------------------------ (c) three or more, in order, in shape


def _markdown_between(cells, start, stop) -> str:
    return "\n".join(_source(c) for c in cells[start:stop] if c["cell_type"] == "markdown")


def test_at_least_three_exercises_numbered_in_order_with_help_on_request(notebook):
    cells = _cells(notebook)
    exercises = _checked_exercises(cells)
    questions = [e.question for e in exercises]
    assert len(exercises) >= 3, f"{notebook.name} has {len(exercises)} checked exercises ({questions}); at least 3"
    assert questions == [f"q{i}" for i in range(1, len(questions) + 1)], \
        f"{notebook.name}: checked exercises should be q1, q2, q3 ... in order, found {questions}"
    previous = 0
    for exercise in exercises:
        above = _markdown_between(cells, previous, exercise.index)
        q = exercise.question
        assert any(f"check.{q}.hint()" in line and f"check.{q}.solution()" in line for line in above.splitlines()), \
            f"{notebook.name} {q}: the markdown above the cell should have a line naming check.{q}.hint() and " \
            f"check.{q}.solution()"
        previous = exercise.index + 1


def test_each_exercise_cell_is_imports_a_def_to_write_and_the_check(notebook):
    for exercise in _checked_exercises(_cells(notebook)):
        where = f"{notebook.name} cell {exercise.index} ({exercise.question})"
        body = exercise.tree.body
        assert _check_call(body[-1]) == (exercise.question, exercise.name), \
            f"{where}: the check call `check.{exercise.question}(name)` should be the cell's last line"
        for node in body[:-1]:
            assert isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef)), \
                f"{where}: line {node.lineno} is neither an import nor a def; code that uses the function " \
                "belongs in the next cell"
        function = next((n for n in body if isinstance(n, ast.FunctionDef) and n.name == exercise.name), None)
        assert function is not None, f"{where}: no `def {exercise.name}(...)` in the cell"
        assert ast.get_docstring(function), f"{where}: {exercise.name} needs a docstring"
        rest = function.body[1:]
        assert len(rest) == 1 and isinstance(rest[0], ast.Expr) and isinstance(rest[0].value, ast.Constant) \
            and rest[0].value.value is Ellipsis, f"{where}: the body should be only the docstring and `...`"
        assert BODY in exercise.source, f"{where}: the `...` line should read `{BODY}`"


# ------------------------------------------------------------------ (d) no answers in the notebook


def _calls_solution_or_hint(tree) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "solution" and isinstance(node.value, ast.Name) \
                and node.value.id == "check":
            found.append("check.solution")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in ("hint", "solution") and isinstance(node.func.value, ast.Attribute) \
                and isinstance(node.func.value.value, ast.Name) and node.func.value.value.id == "check":
            found.append(f"check.{node.func.value.attr}.{node.func.attr}()")
    return found


def test_no_code_cell_calls_an_answer(notebook):
    for index, cell in enumerate(_cells(notebook)):
        if cell["cell_type"] != "code":
            continue
        assert not re.search(r"\bcheck\.solution\b", _source(cell)), \
            f"{notebook.name} cell {index} uses check.solution: exercise cells hold the learner's code"
        tree = _parse(cell)
        if tree is not None:
            assert not _calls_solution_or_hint(tree), \
                f"{notebook.name} cell {index} calls {_calls_solution_or_hint(tree)}: hints and answers are " \
                "for the learner to ask for"


# ------------------------------------------------------------------ (e) open exercises have a hint

EXERCISE_START = re.compile(r"^\*\*(?:Exercise|Open exercise)\b[^*]*\*\*", re.M)
OPEN_LIST = re.compile(r"^\*\*Open exercises\*\*", re.M)
LIST_ITEM = re.compile(r"^\d+\.\s", re.M)


def _exercise_section(cells):
    """(index, text) of every cell of the "## Exercises" section, up to the next "## " heading."""
    section, inside = [], False
    for index, cell in enumerate(cells):
        text = _source(cell)
        if cell["cell_type"] == "markdown":
            if not inside:
                if not re.search(r"^## Exercises\s*$", text, re.M):
                    continue
                inside = True
                text = re.split(r"^## Exercises\s*$", text, maxsplit=1, flags=re.M)[1]
            end = re.search(r"^## ", text, re.M)
            if end:
                section.append((index, text[:end.start()]))
                break
        if inside:
            section.append((index, text))
    return section


def _open_exercises(cells, checked_cells):
    """(title, text) of each exercise in the section that no checked exercise cell follows."""
    items = []                                   # [title, text, checked], in the order of the section

    def add(piece):
        if items:
            items[-1][1] += piece

    for index, text in _exercise_section(cells):
        if cells[index]["cell_type"] == "code":
            if index in checked_cells and items:
                items[-1][2] = True              # its help is check.qN.hint(), not a <details> block
            continue
        starts = [(m.start(), m.group(0)) for m in EXERCISE_START.finditer(text)]
        open_list = OPEN_LIST.search(text)
        if open_list:                            # "**Open exercises**" and a numbered list: one per item
            starts = [s for s in starts if s[0] != open_list.start()]
            starts += [(open_list.end() + m.start(), f"open exercise {m.group(0).strip()}")
                       for m in LIST_ITEM.finditer(text[open_list.end():])]
        starts.sort()
        add(text[:starts[0][0]] if starts else text)
        for k, (start, title) in enumerate(starts):
            stop = starts[k + 1][0] if k + 1 < len(starts) else len(text)
            items.append([title, text[start:stop], False])
    return [(title, text) for title, text, checked in items if not checked]


def test_every_open_exercise_has_a_hint(notebook):
    cells = _cells(notebook)
    assert _exercise_section(cells), f"{notebook.name} has no '## Exercises' section"
    checked = {e.index for e in _checked_exercises(cells)}
    for title, text in _open_exercises(cells, checked):
        assert HINT_BLOCK.search(text), \
            f"{notebook.name}: the open exercise {title!r} needs a hint below its text, as " \
            "<details><summary>Hint</summary> ... </details>"


# ------------------------------------------------------------------ the parsing itself


def test_the_reader_of_exercise_sections_finds_what_it_should():
    def md(text):
        return {"cell_type": "markdown", "source": [text]}

    def code(text):
        return {"cell_type": "code", "source": [text]}

    cells = [
        md("# Title\n\n**Exercise 0.** not in the section"),
        md("## Exercises\n\nIntro.\n\n**Exercise 1.** Write f.\n\nStuck? `check.q1.hint()` and `check.q1.solution()`"),
        code('def f(x):\n    """Doc."""\n    ' + BODY + "\n\ncheck.q1(f)"),
        md("**Exercise 2 (no check).** Think.\n\n**Exercise 3 (no check).** Think more.\n\n"
           "<details><summary>Hint</summary>\n\nThis.\n</details>\n\n**Open exercises**\n1. One.\n"
           "<details><summary>Hint</summary>x</details>\n2. Two.\n\n## Summary\n\n**Exercise 9.** not either"),
    ]
    checked = {e.index for e in _checked_exercises(cells)}
    assert checked == {2}
    found = {title: bool(HINT_BLOCK.search(text)) for title, text in _open_exercises(cells, checked)}
    assert found == {"**Exercise 2 (no check).**": False, "**Exercise 3 (no check).**": True,
                     "open exercise 1.": True, "open exercise 2.": False}
