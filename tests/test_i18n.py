"""The course speaks Chinese under ``COURSE_LANG=zh_CN``: every message has a translation that fits it.

- every message Babel extracts from ``course_utils`` (``book/messages.py``'s ``extracted()``) has a
  translated, up-to-date (not fuzzy) entry in the zh_CN catalogue of its part, and the catalogues hold
  nothing else (no obsolete or unknown entries, no catalogue of a part that has no messages);
- every translation has exactly the {placeholders} of its English (names, conversions, format specs);
- each committed catalogue is byte for byte what ``python book/messages.py update`` writes (no drift);
- ``config.language()`` / ``config.set_language`` and ``i18n._`` behave as documented, fuzzy entries unused;
- every exercise check says its lines in Chinese (not attempted, hint, solution, its repr), in English
  by default;
- a lint: in the checks, an English sentence is never left outside ``_()``, ``_()`` gets a plain literal
  (the extractor cannot read an f-string), and no message is translated at import time (it would stay in
  the language the module was imported in).

The checks' failures are checked in Chinese by ``conftest.fails_with`` and ``passes`` themselves.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import pkgutil
import re
import shutil
import string
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from conftest import CJK, in_language

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "course_utils"
LINTED = sorted((PACKAGE / "checks").glob("*.py"))  # the modules whose English the lint guards
LANGUAGE = "zh_CN"


def _load_messages():
    spec = importlib.util.spec_from_file_location("book_messages", ROOT / "book" / "messages.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


messages = _load_messages()


@pytest.fixture(scope="module")
def templates():
    """Part -> Babel's template catalogue of every message course_utils writes in that part."""
    return messages.extracted()


def _read(path: Path):
    with open(path, "rb") as handle:
        return read_po(handle)


def _entries(catalog):
    return [message for message in catalog if message.id]


def _fields(text: str) -> list[tuple]:
    """The str.format fields of ``text``: (name, conversion, format spec), sorted; ValueError if malformed."""
    return sorted((name, conversion or "", spec or "")
                  for _, name, spec, conversion in string.Formatter().parse(text) if name is not None)


def test_the_course_has_messages_and_a_catalogue_for_each_part(templates):
    assert "checks" in templates and len(templates["checks"]) > 200
    for part in templates:
        assert messages.catalogue_path(part, LANGUAGE).is_file(), f"run: python book/messages.py update ({part})"


def test_every_message_has_an_up_to_date_chinese_translation(templates):
    missing, fuzzy = [], []
    for part, template in sorted(templates.items()):
        catalog = _read(messages.catalogue_path(part, LANGUAGE))
        for message in _entries(template):
            entry = catalog.get(message.id, context=message.context)
            if entry is None or not entry.string:
                missing.append(f"{part}: {message.id!r}")
            elif entry.fuzzy:
                fuzzy.append(f"{part}: {message.id!r} (its English changed; update the translation, drop 'fuzzy')")
            else:
                assert CJK.search(entry.string) or not re.search(r"[A-Za-z]{2,} [A-Za-z]{2,}", message.id), (
                    f"{part}: the translation of {message.id!r} has no Chinese in it: {entry.string!r}")
    assert not missing, "untranslated messages:\n" + "\n".join(missing)
    assert not fuzzy, "fuzzy (out of date) translations:\n" + "\n".join(fuzzy)


def test_the_catalogues_hold_only_messages_the_course_writes(templates):
    folder = messages.catalogue_path("checks", LANGUAGE).parent
    parts = {path.stem for path in folder.glob("*.po")}
    assert parts <= set(templates), f"catalogues of parts without messages: {sorted(parts - set(templates))}"
    for part in sorted(parts):
        catalog = _read(messages.catalogue_path(part, LANGUAGE))
        assert not catalog.obsolete, f"{part}.po keeps obsolete entries: {list(catalog.obsolete)[:3]}"
        wanted = {(m.id, m.context) for m in _entries(templates[part])}
        unknown = [m.id for m in _entries(catalog) if (m.id, m.context) not in wanted]
        assert not unknown, f"{part}.po has entries no code writes: {unknown[:5]}"


def test_every_translation_keeps_the_placeholders_of_its_english():
    folder = messages.catalogue_path("checks", LANGUAGE).parent
    wrong = []
    for path in sorted(folder.glob("*.po")):
        for message in _entries(_read(path)):
            if not message.string:
                continue
            try:
                same = _fields(message.string) == _fields(message.id)
            except ValueError as err:  # a lone { or } in the translation
                same, err_text = False, str(err)
            else:
                err_text = ""
            if not same:
                wrong.append(f"{path.name}: {message.id!r} -> {message.string!r} {err_text}")
    assert not wrong, "translations whose {fields} differ from the English:\n" + "\n".join(wrong)


def test_the_placeholder_comparison_sees_a_lost_renamed_or_reformatted_field():
    english = "expected {what} to be {want:.6g}, got {got!r}"
    assert _fields("期望{what}为 {want:.6g}，实际为 {got!r}") == _fields(english)
    for broken in ("期望{what}为 {want}，实际为 {got!r}", "期望{what}为 {wanted:.6g}，实际为 {got!r}",
                   "期望为 {want:.6g}，实际为 {got!r}", "期望{what}为 {want:.6g}，实际为 {got}"):
        assert _fields(broken) != _fields(english)
    with pytest.raises(ValueError):
        _fields("期望 {what")


def test_each_catalogue_is_what_the_update_command_writes(tmp_path, monkeypatch):
    """No drift: a line number, a changed message or a hand edit that update would rewrite fails here."""
    copy = tmp_path / "locale"
    shutil.copytree(messages.LOCALE, copy)
    monkeypatch.setattr(messages, "LOCALE", copy)
    written = messages.update(LANGUAGE)
    assert written
    for path in written:
        committed = PACKAGE / "locale" / path.relative_to(copy)
        assert committed.is_file(), f"{committed} is missing: run python book/messages.py update"
        assert path.read_bytes() == committed.read_bytes(), (
            f"{committed.relative_to(ROOT)} differs from what `python book/messages.py update` writes: run it")


# ------------------------------------------------------------------ the switch and the look-up


@pytest.mark.parametrize("value, language", [
    (None, "en"), ("", "en"), ("en", "en"), ("en_US.UTF-8", "en"), ("EN", "en"),
    ("zh_CN", "zh_CN"), ("zh-CN", "zh_CN"), ("zh", "zh_CN"), ("zh_CN.UTF-8", "zh_CN"), ("zh-Hans", "zh_CN"),
    (" zh_cn ", "zh_CN"), ("fr", "en"), ("klingon", "en"), ("zh_TW", "en"),
])
def test_language_reads_course_lang_with_aliases_and_english_for_anything_else(monkeypatch, value, language):
    from course_utils import config

    if value is None:
        monkeypatch.delenv("COURSE_LANG", raising=False)
    else:
        monkeypatch.setenv("COURSE_LANG", value)
    assert config.language() == language


def test_set_language_switches_at_once_and_refuses_nonsense(monkeypatch):
    from course_utils import config, errors
    from course_utils.i18n import _

    monkeypatch.delenv("COURSE_LANG", raising=False)
    assert _("the result") == "the result"
    config.set_language("zh-CN")
    assert config.language() == "zh_CN" and _("the result") == "结果"
    for nonsense in ("klingon", "", "zh_TW", "chinese"):
        with pytest.raises(errors.SettingError, match="en, zh_CN") as err:  # said in Chinese now
            config.set_language(nonsense)
        assert isinstance(err.value, ValueError)
        assert config.language() == "zh_CN"  # a refused value changes nothing
    config.set_language("en")
    assert config.language() == "en" and _("the result") == "the result"


def test_the_lookup_gives_each_catalogue_entry_in_chinese_and_english_by_default(monkeypatch):
    from course_utils import i18n

    table = {m.id: m.string for path in i18n.catalogue_files(LANGUAGE) for m in _entries(_read(path))
             if m.string and not m.fuzzy}
    assert len(table) > 200
    monkeypatch.setenv("COURSE_LANG", "en")
    assert all(i18n._(english) == english for english in table)
    monkeypatch.setenv("COURSE_LANG", "zh_CN")
    assert all(i18n._(english) == chinese for english, chinese in table.items())
    assert i18n._("a sentence no catalogue has, {x}") == "a sentence no catalogue has, {x}"


def test_fuzzy_and_empty_entries_are_not_used(tmp_path, monkeypatch):
    from course_utils import i18n

    folder = tmp_path / LANGUAGE / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "test.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
        'msgid "a translated sentence"\nmsgstr "一个已翻译的句子"\n\n'
        '#, fuzzy\nmsgid "a sentence whose English changed"\nmsgstr "一个过时的句子"\n\n'
        'msgid "a sentence not translated yet"\nmsgstr ""\n', encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n.catalogue.cache_clear()
    try:
        monkeypatch.setenv("COURSE_LANG", "zh_CN")
        assert i18n._("a translated sentence") == "一个已翻译的句子"
        assert i18n._("a sentence whose English changed") == "a sentence whose English changed"
        assert i18n._("a sentence not translated yet") == "a sentence not translated yet"
        monkeypatch.setenv("COURSE_LANG", "en")
        assert i18n._("a translated sentence") == "a translated sentence"
    finally:
        monkeypatch.undo()
        i18n.catalogue.cache_clear()


# ------------------------------------------------------------------ every exercise, in both languages


def _exercises():
    import course_utils.checks as checks
    from course_utils.checks import Exercise

    found = []
    for info in pkgutil.iter_modules(checks.__path__):
        if re.fullmatch(r"nb\d\d", info.name):
            module = importlib.import_module(f"course_utils.checks.{info.name}")
            found += [(f"{info.name}.{name}", value) for name, value in vars(module).items()
                      if isinstance(value, Exercise)]
    return found


EXERCISES = _exercises()


def test_every_notebook_has_exercises():
    assert len(EXERCISES) >= 27


@pytest.mark.parametrize("where, exercise", EXERCISES, ids=[where for where, _ in EXERCISES])
def test_an_exercise_says_its_lines_in_the_learners_language(where, exercise, capsys):
    def unwritten(*args):
        raise NotImplementedError

    lines = {}
    for language in ("en", "zh_CN"):
        with in_language(language):
            exercise(unwritten)
            exercise.hint()
            exercise.solution()
            said = capsys.readouterr().out
            lines[language] = (said.split("\n", 2)[:2], repr(exercise), exercise.hint_text)
    (attempt, hint), shown, text = lines["en"]
    assert "not attempted yet" in attempt and hint.startswith(f"Hint for {exercise.label}: ")
    assert not CJK.search(attempt + hint + shown + text) and len(text) > 40
    (attempt_zh, hint_zh), shown_zh, text_zh = lines["zh_CN"]
    assert "尚未作答" in attempt_zh and f"check.{exercise.name}.hint()" in attempt_zh
    assert hint_zh.startswith(f"{exercise.label} 的提示：") and CJK.search(text_zh) and text_zh in hint_zh
    assert CJK.search(shown_zh) and text_zh != text
    with in_language("zh_CN"):
        exercise.solution()
        heading, _, source = capsys.readouterr().out.partition("\n\n")
    assert heading == f"{exercise.label} 的参考答案：" and "def " in source


# ------------------------------------------------------------------ the lint


ENGLISH = re.compile(r"(?<![\w.])[A-Za-z]{2,} [A-Za-z]{2,}(?!\w)")  # two words of letters: a sentence


def _docstrings(tree) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, (ast.Constant, ast.JoinedStr)):
                found.add(id(first.value))
    return found


def _is_gettext(node) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "gettext")


def untranslated(source: str, filename: str = "<source>") -> list[str]:
    """What the lint finds in ``source``: one line per problem, empty when the module is clean."""
    tree = ast.parse(source, filename)
    docstrings, inside_gettext, problems = _docstrings(tree), set(), []
    for node in ast.walk(tree):
        if _is_gettext(node):
            if len(node.args) != 1 or node.keywords or not (
                    isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                problems.append(f"{filename}:{node.lineno}: _() needs one plain string literal "
                                "(no f-string, no +, no variable): write _(\"... {name} ...\").format(name=...)")
            inside_gettext.update(id(inner) for inner in ast.walk(node))
    for node in ast.walk(tree):
        if id(node) in docstrings or id(node) in inside_gettext:
            continue
        if isinstance(node, ast.JoinedStr):
            text = "".join(part.value for part in node.values if isinstance(part, ast.Constant))
            inside_gettext.update(id(inner) for inner in ast.walk(node))  # its parts are not checked again
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
        else:
            continue
        if ENGLISH.search(text):
            problems.append(f"{filename}:{node.lineno}: English outside _(): {text[:70]!r}")

    for node in ast.walk(tree):  # an exercise's hint is for the learner, whatever it looks like
        for keyword in getattr(node, "keywords", []) if isinstance(node, ast.Call) else []:
            if keyword.arg == "hint" and isinstance(keyword.value, (ast.Constant, ast.JoinedStr)) and (
                    not isinstance(keyword.value, ast.Constant) or keyword.value.value):
                problems.append(f"{filename}:{keyword.value.lineno}: a hint outside _(): write hint=lambda: _(\"...\")")

    # _() at import time (module level, a class body, a default argument) is frozen in that language
    def visit(node, in_function):
        if _is_gettext(node) and not in_function:
            problems.append(f"{filename}:{node.lineno}: _() runs at import time; call it when the message is "
                            "said (in a function, or hint=lambda: _(\"...\"))")
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            for default in node.args.defaults + [d for d in node.args.kw_defaults if d is not None]:
                visit(default, in_function)
            for decorator in getattr(node, "decorator_list", []):
                visit(decorator, in_function)
            body = node.body if isinstance(node.body, list) else [node.body]
            for child in body:
                visit(child, True)
            return
        for child in ast.iter_child_nodes(node):
            visit(child, in_function)

    visit(tree, False)
    return problems


@pytest.mark.parametrize("path", LINTED, ids=[path.name for path in LINTED])
def test_no_english_sentence_is_left_outside_gettext(path):
    assert not untranslated(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))


def test_the_lint_finds_each_kind_of_untranslated_message():
    clean = '''
def reference(x):
    """Docstrings stay English."""
    return np.einsum("bpc,bpd->bcd", x, x)  # code strings have no sentence

def _explain(args, got, expected):
    return _("the values are {n} times too large").format(n=2)

q1 = Exercise("q1 gram_matrix", reference, inputs, hint=lambda: _("divide by the number of positions"))
'''
    assert untranslated(clean) == []
    for bad in ('def _explain(args, got, expected):\n    return "the values are too large"\n',
                'def check(fn):\n    print(f"✓ {fn}: matches the reference")\n',
                'def check(fn):\n    raise CheckFailed("pass your function itself")\n',
                'MISTAKES = [(1, "you summed the squares")]\n',
                'def f(n):\n    return _(f"the values are {n} times too large")\n',
                'def f(n):\n    return _("the values are " + "too large")\n',
                'q1 = Exercise("q1 x", f, g, hint=_("divide by the number of positions"))\n',
                'def f(name=_("your function")):\n    return name\n',
                'q2 = Exercise("q2 x", f, g, hint="diff = mu1 - mu2; return diff @ diff")\n'):
        assert untranslated(bad), bad
