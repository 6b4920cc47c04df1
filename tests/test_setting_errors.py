"""Bad settings are SettingErrors, in one sentence, across the package (read from the source).

A learner's bad setting must show in a notebook as one line (errors.SettingError), not as a
traceback (a plain ValueError or TypeError). These tests read course_utils' source, so a new
``raise ValueError(...)`` for a setting is caught wherever it is added; tests/test_errors_in_kernel.py
shows the one line in a real kernel.
"""

import ast
import re
from pathlib import Path

import pytest

from course_utils import errors

PACKAGE = Path(__file__).resolve().parent.parent / "course_utils"
# Written by other parts of the course with their own error rules: the exercise checks and the listing.
OTHERS = ("checks/", "listing.py")
# Genuine internal errors (a bug of the course's own data, never a learner's setting): path -> first words.
INTERNAL = {
    "colab.py": ("cannot read a package name from the requirement", "not an ipywidgets version"),
}
SETTING_ERRORS = ("SettingError", "MagentaError", "CompareError")


def _sources():
    for path in sorted(PACKAGE.rglob("*.py")):
        name = path.relative_to(PACKAGE).as_posix()
        if not name.startswith(OTHERS):
            yield name, ast.parse(path.read_text(encoding="utf-8"))


def _untranslated(message):
    """The English template of ``_("…").format(…)`` or ``_("…")`` (its fields as {}), else ``message`` itself."""
    if isinstance(message, ast.Call) and isinstance(message.func, ast.Attribute) and message.func.attr == "format":
        message = message.func.value
    if isinstance(message, ast.Call) and getattr(message.func, "id", None) == "_" and message.args \
            and isinstance(message.args[0], ast.Constant):
        return ast.Constant(re.sub(r"\{[^{}]*\}", "{}", message.args[0].value))
    return message


def _raised(tree, names):
    """(line, message text with {} for the values) of every ``raise Name(...)`` with Name in ``names``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) \
                and getattr(node.exc.func, "id", None) in names and node.exc.args:
            message = _untranslated(node.exc.args[0])
            if isinstance(message, ast.Constant):
                yield node.lineno, str(message.value)
            elif isinstance(message, ast.JoinedStr):
                yield node.lineno, "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in message.values)
            else:
                yield node.lineno, None


def test_no_plain_value_or_type_error_for_a_setting():
    plain = []
    for name, tree in _sources():
        for line, message in _raised(tree, ("ValueError", "TypeError")):
            if not (message and message.startswith(INTERNAL.get(name, ()))):
                plain.append(f"course_utils/{name}:{line}: {message}")
    assert not plain, ("raise errors.SettingError for a learner's setting (a plain ValueError or TypeError shows "
                       "as a traceback in a notebook), or list a genuine internal error in INTERNAL:\n"
                       + "\n".join(plain))


def test_every_setting_error_is_one_sentence():
    found, bad = 0, []
    for name, tree in _sources():
        for line, message in _raised(tree, SETTING_ERRORS):
            found += 1
            if message is None or "\n" in message or not message.rstrip().endswith(".") or message[:1].isspace():
                bad.append(f"course_utils/{name}:{line}: {message!r}")
    assert found > 150, "the package's settings are checked with SettingError"
    assert not bad, "a SettingError message is one sentence that ends with a full stop:\n" + "\n".join(bad)


@pytest.mark.parametrize("name", SETTING_ERRORS)
def test_setting_errors_are_course_errors_and_value_errors(name):
    from course_utils.fast import compare, magenta
    cls = {"SettingError": errors.SettingError, "MagentaError": magenta.MagentaError,
           "CompareError": compare.CompareError}[name]
    assert issubclass(cls, errors.SettingError) and issubclass(cls, errors.CourseError) and issubclass(cls, ValueError)
