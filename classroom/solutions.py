#!/usr/bin/env python3
"""``make solutions``: the instructor's copy of the notebooks, every exercise answered.

For each notebook of ``notebooks/`` it writes one into ``build/solutions/`` (or ``--out``) where

- every *checked* exercise (a code cell that defines ``NAME`` and calls ``check.qN(NAME)``) has the
  course's solution instead of the learner's empty body: the source of the exercise's
  ``shown_solution`` (:func:`course_utils.checks.core.solution_source`, the ``def`` renamed to the
  learner's name), preceded by whatever it takes from its module (a helper, a constant, an
  import: :func:`helpers`), so the cell's own check passes when it runs;
- every *open* exercise (``**Exercise N (no check).**`` items and the numbered items under
  ``**Open exercises**``) is followed by an answer cell, from ``classroom/answers.md``, where the
  answers are kept by notebook and exercise (``## 01 · Exercise 4``, ``## 04 · Open 2``), so they
  survive when the notebooks are regenerated;
- a note at the top says it is the instructor's copy.

The learners' notebooks are not touched. A checked exercise the generator cannot fill, or an open
exercise with no answer, stops it with one sentence naming the notebook and the exercise.
"""

from __future__ import annotations

import argparse
import ast
import copy
import importlib
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ANSWERS = Path(__file__).resolve().parent / "answers.md"
NOTE = ("> **Instructor's copy** (`make solutions`): every exercise is answered. The learners' notebook, "
        "`notebooks/{name}`, keeps its exercise cells empty.\n")

_CHECK_CALL = re.compile(r"^check\.(q\d+)\((\w+)\)", re.M)
_CHECK_MODULE = re.compile(r"from course_utils\.checks import (nb\d\d) as check")
_NO_CHECK = re.compile(r"\*\*Exercise (\d+) \(no check\)\.\*\*")
_OPEN_ITEM = re.compile(r"^(\d+)\. ", re.M)


class SolutionsError(Exception):
    """The generator cannot answer a notebook; one sentence."""


def read_answers(path: Path = ANSWERS) -> dict[tuple[str, str], str]:
    """The answers file: ``## NN · Exercise K`` or ``## NN · Open K`` headings, each followed by its answer."""
    answers = {}
    text = path.read_text(encoding="utf-8")
    parts = re.split(r"^## (\d\d) · (Exercise \d+|Open \d+)\s*$", text, flags=re.M)
    for number, label, body in zip(parts[1::3], parts[2::3], parts[3::3]):
        key = (number, label.lower())
        if key in answers:
            raise SolutionsError(f"{path.name} answers notebook {number}'s {label} twice")
        answers[key] = body.strip()
    return answers


def open_exercises(markdown: str) -> list[str]:
    """The open exercises a markdown cell asks, as answer labels: 'exercise 3', 'open 1', ..."""
    labels = [f"exercise {n}" for n in _NO_CHECK.findall(markdown)]
    if "**Open exercises**" in markdown:
        listing = markdown.split("**Open exercises**", 1)[1]
        labels += [f"open {n}" for n in _OPEN_ITEM.findall(listing)]
    return labels


def _lines(text: str) -> list[str]:
    """A cell's ``source`` as the notebooks store it: a list of lines, each but the last ending in a newline."""
    lines = text.splitlines(keepends=True)
    if lines and lines[-1].endswith("\n"):
        lines[-1] = lines[-1][:-1]
    return lines


def _free_names(source: str) -> list[str]:
    """Names ``source`` reads but neither defines nor receives, in order of appearance (builtins left out)."""
    import builtins

    tree = ast.parse(source)
    bound = set(dir(builtins))
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        if isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            bound.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
    loaded = [node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)]
    return list(dict.fromkeys(name for name in loaded if name not in bound))


def helpers(function, source: str) -> list[str]:
    """What ``source`` (the solution of ``function``) needs from its module, as source lines to put before it.

    A reference solution may call the checks module's own helpers (``_softplus``), constants
    (``EPS``) or modules (``warnings``); the solved cell must run by itself in the notebook, so
    each is copied in: imports, constants by value, helper functions by their source (and what
    they need in turn).
    """
    import inspect
    import textwrap
    import types

    namespace = getattr(function, "__globals__", {})
    imports, constants, functions = [], [], []
    queue, seen = _free_names(source), set()
    while queue:
        name = queue.pop(0)
        if name in seen or name not in namespace:
            continue
        seen.add(name)
        value = namespace[name]
        if isinstance(value, types.ModuleType):
            module = value.__name__
            imports.append(f"import {module}" if module == name else
                           (f"from {module.rsplit('.', 1)[0]} import {module.rsplit('.', 1)[1]}"
                            if module.rsplit(".", 1)[-1] == name else f"import {module} as {name}"))
        elif isinstance(value, (int, float, str, bool, tuple)) and not callable(value):
            constants.append(f"{name} = {value!r}")
        elif inspect.isfunction(value) and value.__module__ == function.__module__:
            helper = textwrap.dedent(inspect.getsource(value)).rstrip()
            functions.append(helper)
            queue += _free_names(helper)
        elif getattr(value, "__module__", None) and hasattr(value, "__name__"):
            imports.append(f"from {value.__module__} import {value.__name__}"
                           + (f" as {name}" if value.__name__ != name else ""))
    lines = sorted(set(imports)) + constants
    for helper in reversed(functions):  # a helper before the ones that call it reads best; order does not matter to Python
        lines += ([""] if lines else []) + helper.splitlines()
    return lines + ([""] if lines else [])


def _keep_docstring(solution: str, node: ast.FunctionDef, lines: list[str]) -> list[str]:
    """The solution's lines, with the learner's docstring (which says what to return) kept if it has none."""
    new = solution.splitlines()
    if ast.get_docstring(node) is None:
        return new
    tree = ast.parse(solution)
    function = tree.body[0]
    if not isinstance(function, ast.FunctionDef) or ast.get_docstring(function) is not None:
        return new
    docstring = lines[node.body[0].lineno - 1:node.body[0].end_lineno]
    at = function.body[0].lineno - 1
    return new[:at] + docstring + new[at:]


def solved_cell(source: str, module, notebook: str) -> str:
    """The exercise cell's source with each checked function replaced by the solution's source."""
    from course_utils.checks.core import solution_source

    calls = _CHECK_CALL.findall(source)
    try:
        tree = ast.parse(source)
    except SyntaxError as err:
        raise SolutionsError(f"{notebook}: an exercise cell is not plain Python ({err.msg}, line {err.lineno})") from None
    functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
    lines = source.splitlines()
    replaced = []
    for label, name in calls:
        node = functions.get(name)
        if node is None:
            continue  # the check is called on a function from elsewhere: nothing to fill here
        exercise = getattr(module, label, None)
        if exercise is None:
            raise SolutionsError(f"{notebook}: check.{label} does not exist in {module.__name__}")
        solution = solution_source(exercise.shown_solution, name)
        if not solution.lstrip().startswith(("def ", "@")):
            raise SolutionsError(f"{notebook}: the source of check.{label}'s solution cannot be read")
        start = (node.decorator_list[0].lineno if node.decorator_list else node.lineno) - 1
        needed = helpers(exercise.shown_solution, solution)
        replaced.append((start, node.end_lineno, needed + _keep_docstring(solution, node, lines)))
    for start, end, new in sorted(replaced, reverse=True):
        lines[start:end] = new
    solved = "\n".join(lines) + ("\n" if source.endswith("\n") else "")
    leftover = re.search(r"check\.solution\.|^\s*\.\.\.\s*(#.*)?$", solved, re.M)
    if replaced and leftover:
        raise SolutionsError(f"{notebook}: an exercise cell still holds a placeholder after solving "
                             f"({leftover.group(0).strip()!r})")
    return solved


def solve(path: Path, answers: dict) -> tuple[dict, dict]:
    """The solved notebook (as JSON) and what was done: checked and open exercises answered."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    number = path.name[:2]
    sources = ["".join(cell["source"]) for cell in nb["cells"]]
    match = next((m for m in map(_CHECK_MODULE.search, sources) if m), None)
    module = importlib.import_module(f"course_utils.checks.{match.group(1)}") if match else None
    cells, done = [], {"checked": [], "open": []}
    for cell, source in zip(nb["cells"], sources):
        cell = copy.deepcopy(cell)
        if cell["cell_type"] == "code" and module is not None and _CHECK_CALL.search(source):
            new = solved_cell(source, module, path.name)
            if new != source:
                cell["source"] = _lines(new)
                done["checked"] += [label for label, _ in _CHECK_CALL.findall(source)]
        cells.append(cell)
        if cell["cell_type"] == "markdown":
            labels = open_exercises(source)
            if labels:
                lacking = [label for label in labels if (number, label) not in answers]
                if lacking:
                    raise SolutionsError(f"{ANSWERS.name} has no answer for notebook {number}'s {lacking[0]} "
                                         f"(add a section '## {number} · {lacking[0].capitalize()}')")
                text = "\n\n".join(f"**Answer to {label}.**\n\n{answers[(number, label)]}" for label in labels)
                cells.append({"cell_type": "markdown", "metadata": {"tags": ["answer"]}, "source": _lines(text + "\n")})
                done["open"] += labels
    cells.insert(1, {"cell_type": "markdown", "metadata": {"tags": ["instructor"]},
                     "source": _lines(NOTE.format(name=path.name))})
    nb["cells"] = cells
    return nb, done


def generate(notebooks: Path, out: Path, answers_path: Path = ANSWERS, log=print) -> dict:
    """Write the solved copy of every notebook of ``notebooks`` into ``out``; return what each got."""
    answers = read_answers(answers_path)
    out.mkdir(parents=True, exist_ok=True)
    report, used = {}, set()
    for path in sorted(notebooks.glob("*.ipynb")):
        nb, done = solve(path, answers)
        (out / path.name).write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        report[path.name] = done
        used |= {(path.name[:2], label) for label in done["open"]}
        log(f"  {path.name:<34} {len(done['checked'])} checked, {len(done['open'])} open exercise(s) answered")
    unused = sorted(set(answers) - used)
    if unused:
        log(f"  note: {answers_path.name} answers exercises no notebook asks any more: "
            + ", ".join(f"{n} · {label}" for n, label in unused))
    return report


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m classroom.solutions", description=__doc__.split("\n\n")[0])
    parser.add_argument("--notebooks", type=Path, default=ROOT / "notebooks")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "solutions")
    parser.add_argument("--answers", type=Path, default=ANSWERS)
    args = parser.parse_args(argv)
    try:
        print(f"Writing the instructor's notebooks into {args.out}")
        generate(args.notebooks, args.out, args.answers)
    except SolutionsError as err:
        print(f"make solutions: {err}.", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
