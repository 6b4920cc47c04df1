"""The Chinese edition cannot drift from the English one (book/translate.py, issue 20).

The committed catalogues (book/locale/zh_CN/notebooks/*.po) are what ``make translations`` writes, the
committed notebooks/zh_CN/*.ipynb what ``make zh`` writes; every markdown cell has an up-to-date
translation that keeps the English cell's code, formulas, URLs, headings and <details> blocks; the code
cells are the English ones but the language line. The machinery itself is tested on temporary copies
with a few fake translations, through the real ``update``, ``generate`` and ``check``.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LANGUAGE = "zh_CN"


def _load_translate():
    spec = importlib.util.spec_from_file_location("course_book_translate", ROOT / "book" / "translate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    writes = sys.dont_write_bytecode
    sys.dont_write_bytecode = True  # no .pyc in book/ (it would make the book look stale)
    try:
        spec.loader.exec_module(module)
    finally:
        sys.dont_write_bytecode = writes
    return module


translate = _load_translate()
ENGLISH = translate.english_notebooks()


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


# ------------------------------------------------------------------ a structural comparison of two cells

_FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.S | re.M)
_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.S)
_DISPLAY_MATH = re.compile(r"\$\$(.+?)\$\$", re.S)
_INLINE_MATH = re.compile(r"(?<![\\$])\$(?!\s)([^$\n]+?)(?<![\s\\])\$(?!\d)")
_URL = re.compile(r"https?://[^\s)>\"'\]]+")
_DETAILS = re.compile(r"</?(?:details|summary)\b[^>]*>", re.I)


def structure(text: str) -> dict:
    """What a translation must keep of a markdown cell: code, formulas, URLs, headings, <details> tags."""
    fences = [m.group(0) for m in _FENCE.finditer(text)]
    rest = _FENCE.sub(" ", text)
    # a line break inside a code span renders as one space (CommonMark), so a translation may join the lines
    spans = [re.sub(r"[ \t]*\n[ \t]*", " ", m.group(0)) for m in _CODE_SPAN.finditer(rest)]
    rest = _CODE_SPAN.sub(" ", rest)
    display = _DISPLAY_MATH.findall(rest)
    rest = _DISPLAY_MATH.sub(" ", rest)
    inline = _INLINE_MATH.findall(rest)
    return {
        "code blocks": Counter(fences),
        "inline code": Counter(spans),
        "display maths ($$…$$)": Counter(display),
        "inline maths ($…$)": Counter(inline),
        # a sentence's full stop after a bare address is not part of it (GFM's autolinks leave it out too)
        "URLs": Counter(url.rstrip(".,;:") for url in _URL.findall(text) if "colab.research.google.com" not in url),
        "heading levels": [len(m.group(1)) for m in re.finditer(r"^(#{1,6})\s", _FENCE.sub("", text), re.M)],
        "<details>/<summary> tags": [tag.split()[0].rstrip(">").lower() + ">" for tag in _DETAILS.findall(text)],
    }


def structural_differences(english: str, translation: str) -> list[str]:
    """One line per thing the translation lost, added or changed, compared with the English cell."""
    want, got = structure(english), structure(translation)
    problems = []
    for key in want:
        if want[key] == got[key]:
            continue
        if isinstance(want[key], Counter):
            lost, added = want[key] - got[key], got[key] - want[key]
            what = []
            if lost:
                what.append("missing " + ", ".join(repr(x) for x in sorted(lost.elements())))
            if added:
                what.append("not in the English " + ", ".join(repr(x) for x in sorted(added.elements())))
            problems.append(f"{key}: {'; '.join(what)}")
        else:
            problems.append(f"{key}: English {want[key]}, translation {got[key]}")
    return problems


ENGLISH_CELL = """## 2. The Gram matrix

The Gram matrix $G = F^\\top F / (hw)$ of `features(image)` compares channels:

$$G_{ij} = \\sum_k F_{ki} F_{kj}$$

See [the paper](https://arxiv.org/abs/1508.06576).

<details><summary>Hint</summary>

Use `tf.einsum`:

```python
gram = tf.einsum("ijc,ijd->cd", f, f)
```
</details>
"""
GOOD = """## 2. 格拉姆矩阵

`features(image)` 的格拉姆矩阵 $G = F^\\top F / (hw)$ 比较的是通道之间的关系：

$$G_{ij} = \\sum_k F_{ki} F_{kj}$$

参见[论文](https://arxiv.org/abs/1508.06576)。

<details><summary>提示</summary>

使用 `tf.einsum`：

```python
gram = tf.einsum("ijc,ijd->cd", f, f)
```
</details>
"""


def test_the_structural_comparison_accepts_a_faithful_translation():
    assert structural_differences(ENGLISH_CELL, GOOD) == []


@pytest.mark.parametrize("broken, complaint", [
    (GOOD.replace("`tf.einsum`", "tf.einsum"), r"inline code: missing '`tf.einsum`'"),
    (GOOD.replace("`features(image)`", "`特征(image)`"), r"inline code: missing '`features\(image\)`'"),
    (GOOD.replace("F^\\top F / (hw)", "F^T F / (hw)"), r"inline maths"),
    (GOOD.replace("F_{kj}$$", "F_{jk}$$"), r"display maths"),
    (GOOD.replace("1508.06576", "1508.06577"), r"URLs"),
    (GOOD.replace("## 2. 格拉姆矩阵", "### 2. 格拉姆矩阵"), r"heading levels: English \[2\], translation \[3\]"),
    (GOOD.replace("</details>\n", ""), r"<details>/<summary> tags"),
    (GOOD.replace('"ijc,ijd->cd"', '"ijc,ijd->dc"'), r"code blocks"),
])
def test_the_structural_comparison_finds_what_a_translation_lost(broken, complaint):
    problems = structural_differences(ENGLISH_CELL, broken)
    assert len(problems) == 1 and re.search(complaint, problems[0]), problems


# ------------------------------------------------------------------ the committed catalogues and notebooks


def _catalogue(notebook: Path):
    with open(translate.catalogue_path(notebook, LANGUAGE), "rb") as handle:
        return read_po(handle)


def test_every_english_notebook_has_a_catalogue_and_a_chinese_notebook():
    assert ENGLISH, "no English notebooks found"
    for notebook in ENGLISH:
        assert translate.catalogue_path(notebook, LANGUAGE).is_file(), f"run `make translations` ({notebook.name})"
    chinese = sorted(path.name for path in (ROOT / "notebooks" / LANGUAGE).glob("*.ipynb"))
    assert chinese == [path.name for path in ENGLISH], "notebooks/zh_CN must hold exactly the English notebooks' names"


@pytest.mark.parametrize("notebook", ENGLISH, ids=lambda p: p.name)
def test_the_catalogue_is_in_line_with_its_english_notebook(notebook):
    """What ``make translations`` would write is what is committed (a changed English cell shows up here)."""
    path = translate.catalogue_path(notebook, LANGUAGE)
    expected = translate.catalogue_text(translate.updated_catalogue(notebook, LANGUAGE), notebook, LANGUAGE)
    assert path.read_text(encoding="utf-8") == expected, (
        f"{path.relative_to(ROOT)} is not in line with notebooks/{notebook.name}: run `make translations`, "
        "translate the new or fuzzy entries, then `make zh`")


@pytest.mark.parametrize("notebook", ENGLISH, ids=lambda p: p.name)
def test_no_obsolete_entries(notebook):
    obsolete = list(_catalogue(notebook).obsolete)
    assert not obsolete, (f"{notebook.stem}.po keeps {len(obsolete)} entries of cells that are gone: "
                          "run `make translations`")


@pytest.mark.parametrize("notebook", ENGLISH, ids=lambda p: p.name)
def test_the_committed_chinese_notebook_is_what_make_zh_writes(notebook):
    target = translate.translated_path(notebook, LANGUAGE)
    assert target.is_file(), f"no {target.relative_to(ROOT)}: run `make zh`"
    assert target.read_text(encoding="utf-8") == translate.generated_text(notebook, LANGUAGE), (
        f"{target.relative_to(ROOT)} differs from what its English notebook and catalogue give: run `make zh` "
        "(never edit notebooks/zh_CN by hand: translate in book/locale/zh_CN/notebooks/)")


@pytest.mark.parametrize("notebook", ENGLISH, ids=lambda p: p.name)
def test_code_cells_equal_the_english_ones_but_the_language_line(notebook):
    english, chinese = _cells(notebook), _cells(translate.translated_path(notebook, LANGUAGE))
    assert [c["cell_type"] for c in chinese] == [c["cell_type"] for c in english], "the same cells, in order"
    setup = next(i for i, c in enumerate(english) if translate.is_setup_cell(c))
    for i, (en, zh) in enumerate(zip(english, chinese)):
        if en["cell_type"] != "code":
            continue
        code = "".join(zh["source"])
        if i == setup:
            line = translate.language_line(LANGUAGE)
            assert code.startswith(line), f"cell {i}: the set-up cell must start with {line.strip()!r}"
            code = code[len(line):]
        assert code == "".join(en["source"]), f"{notebook.name} cell {i}: code differs from the English notebook"
        assert zh["outputs"] == [] and zh["execution_count"] is None, f"cell {i} has outputs"


def test_every_markdown_cell_has_an_up_to_date_translation():
    """Fails, listing them, while any English markdown cell is untranslated or its translation is fuzzy."""
    found = translate.staleness(LANGUAGE)
    missing = found.untranslated + [f"{where} (fuzzy: the English changed)" for where in found.fuzzy]
    assert not missing, (f"{len(missing)} markdown cells have no up-to-date translation in "
                         "book/locale/zh_CN/notebooks/ (translate them, drop the fuzzy flag, run `make zh`):\n"
                         + "\n".join(missing))


def _translated_entries():
    for notebook in ENGLISH:
        for message in _catalogue(notebook):
            if message.id and message.string:
                yield notebook, message


def test_translations_keep_the_english_cells_structure():
    problems = []
    for notebook, message in _translated_entries():
        for problem in structural_differences(message.id, message.string):
            problems.append(f"{notebook.stem}.po, {message.auto_comments[0] if message.auto_comments else ''} "
                            f"({translate._first_line(message.id)}): {problem}")
    assert not problems, "translations that lost or changed part of the English cell:\n" + "\n".join(problems)


# ------------------------------------------------------------------ the machinery, on a temporary copy


@pytest.fixture
def course(tmp_path):
    """A copy of two English notebooks and their catalogues, each with a fake translation or two."""
    notebooks, locale = tmp_path / "notebooks", tmp_path / "locale"
    notebooks.mkdir()
    for notebook in ENGLISH[:2]:
        shutil.copy(notebook, notebooks / notebook.name)
        target = translate.catalogue_path(notebooks / notebook.name, LANGUAGE, locale)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(translate.catalogue_path(notebook, LANGUAGE), target)
    return notebooks, locale


def _fill(path: Path, translations: dict) -> None:
    with open(path, "rb") as handle:
        catalog = read_po(handle)
    for msgid, msgstr in translations.items():
        catalog[msgid].string = msgstr
        catalog[msgid].flags.discard("fuzzy")
    with open(path, "wb") as handle:
        write_po(handle, catalog, width=100, include_previous=True)


def _edit_cell(notebook: Path, index: int, new_source: str) -> None:
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    nb["cells"][index]["source"] = new_source.splitlines(keepends=True)
    notebook.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def test_generate_writes_the_translation_the_badge_and_the_language_line(course):
    notebooks, locale = course
    notebook = sorted(notebooks.glob("*.ipynb"))[0]
    first = translate.markdown_cells(notebook)
    (i0, _, title_cell), (i1, _, other) = first[0], first[1]
    badge = title_cell.split("\n", 1)[0]
    assert "colab-badge" in badge
    zh_title = f"{badge}\n\n# 00 · 准备工作与导览\n\n欢迎！参见[说明](../README.md)与 <img src=\"../data/x.png\">。\n"
    # A link that leaves notebooks/ in the English cell: the Chinese notebook is one folder deeper.
    _edit_cell(notebook, i1, other + "\nSee [the README](../README.md).\n")
    translate.update(LANGUAGE, notebooks, locale)
    catalogue = translate.catalogue_path(notebook, LANGUAGE, locale)
    _fill(catalogue, {title_cell: zh_title})
    translate.update(LANGUAGE, notebooks, locale)  # the canonical layout again

    written = translate.generate(LANGUAGE, notebooks, locale)

    target = notebooks / LANGUAGE / notebook.name
    assert target in written
    text = target.read_text(encoding="utf-8")
    assert text.endswith("}\n") and text == json.dumps(json.loads(text), indent=1, ensure_ascii=False) + "\n"
    cells = json.loads(text)["cells"]
    title = "".join(cells[i0]["source"])
    assert "准备工作与导览" in title and "\\u" not in text.split('"source"')[1][:200]
    assert f"/notebooks/{LANGUAGE}/{notebook.name})" in title and f"/notebooks/{notebook.name})" not in title
    assert "[说明](../../README.md)" in title and 'src="../../data/x.png"' in title
    untranslated = "".join(cells[i1]["source"])
    assert untranslated.startswith(other[:40]) and "[the README](../../README.md)" in untranslated
    setup = next(c for c in cells if c["cell_type"] == "code")
    assert setup["source"][0] == "%env COURSE_LANG=zh_CN\n"
    assert isinstance(cells[i0]["source"], list) and all(line.endswith("\n") for line in cells[i0]["source"][:-1])
    assert translate.generate(LANGUAGE, notebooks, locale) == [], "a second run writes nothing"
    assert translate.update(LANGUAGE, notebooks, locale) == [], "nor does update after it"


def test_changing_an_english_cell_makes_its_entry_fuzzy_and_the_cell_english_again(course):
    notebooks, locale = course
    notebook = sorted(notebooks.glob("*.ipynb"))[0]
    index, _, source = translate.markdown_cells(notebook)[3]
    catalogue = translate.catalogue_path(notebook, LANGUAGE, locale)
    _fill(catalogue, {source: "这是一段假的译文，只用于测试。\n"})
    translate.update(LANGUAGE, notebooks, locale)
    translate.generate(LANGUAGE, notebooks, locale)
    assert "假的译文" in "".join(_cells(notebooks / LANGUAGE / notebook.name)[index]["source"])
    assert not any(f"cell {index}:" in where and notebook.name in where
                   for where in translate.staleness(LANGUAGE, notebooks, locale).untranslated)

    changed = source.replace(".", ", as the next section shows.", 1) if "." in source else source + " More."
    _edit_cell(notebook, index, changed)
    stale = translate.staleness(LANGUAGE, notebooks, locale)
    assert any(notebook.stem + ".po" in item for item in stale.outdated_catalogues), "update would change the catalogue"
    translate.update(LANGUAGE, notebooks, locale)  # the real update, as `make translations` runs it

    catalog = translate.read_catalogue(catalogue)
    entry = catalog.get(changed)
    assert entry is not None and entry.fuzzy and entry.string == "这是一段假的译文，只用于测试。\n"
    assert entry.previous_id == [source], "the old English is kept beside it for the translator"
    assert catalog.get(source) is None and not list(catalog.obsolete)
    stale = translate.staleness(LANGUAGE, notebooks, locale)
    assert any(f"{notebook.name} cell {index}:" in where for where in stale.fuzzy), stale.fuzzy
    assert any(notebook.name in item for item in stale.outdated_notebooks), "the Chinese notebook is stale"
    translate.generate(LANGUAGE, notebooks, locale)
    assert "".join(_cells(notebooks / LANGUAGE / notebook.name)[index]["source"]) == changed, \
        "a fuzzy translation is not used: the cell stays English"
    translate.update(LANGUAGE, notebooks, locale)
    again = translate.read_catalogue(catalogue).get(changed)
    assert again.fuzzy and again.previous_id == [source], "a second update keeps it fuzzy, with the old English"
    assert not again.user_comments and translate.update(LANGUAGE, notebooks, locale) == [], "and changes nothing"
    text = catalogue.read_text(encoding="utf-8")
    assert text.count("#| msgid") == 1 and "# |" not in text


def _check(notebooks: Path, locale: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "book" / "translate.py"), "check", "--notebooks", str(notebooks),
                           "--locale", str(locale)], capture_output=True, text=True, cwd=ROOT, timeout=300)


def test_check_exits_non_zero_and_lists_what_is_stale_until_everything_is_translated(course):
    notebooks, locale = course
    translate.update(LANGUAGE, notebooks, locale)
    for notebook in sorted(notebooks.glob("*.ipynb")):  # untranslated but one cell
        catalogue = translate.catalogue_path(notebook, LANGUAGE, locale)
        _fill(catalogue, {source: "" for _, _, source in translate.markdown_cells(notebook)})
    translate.update(LANGUAGE, notebooks, locale)
    first = sorted(notebooks.glob("*.ipynb"))[0]
    index, _, source = translate.markdown_cells(first)[1]

    result = _check(notebooks, locale)
    assert result.returncode == 1
    assert f"untranslated cells:\n  {first.name} cell 0:" in result.stdout
    assert f"{first.name} cell {index}: {translate._first_line(source)}" in result.stdout
    assert "translated notebooks that differ from what `make zh` would write" in result.stdout, "none generated yet"

    for notebook in sorted(notebooks.glob("*.ipynb")):  # every cell "translated" (the English, as a stand-in)
        _fill(translate.catalogue_path(notebook, LANGUAGE, locale),
              {source: source for _, _, source in translate.markdown_cells(notebook)})
    translate.update(LANGUAGE, notebooks, locale)
    translate.generate(LANGUAGE, notebooks, locale)
    result = _check(notebooks, locale)
    assert result.returncode == 0 and "complete and up to date" in result.stdout, result.stdout
    _edit_cell(first, index, source + "\nOne more sentence.\n")
    result = _check(notebooks, locale)
    assert result.returncode == 1 and "not in line with their English notebooks" in result.stdout, result.stdout


@pytest.mark.parametrize("notebook", ENGLISH, ids=lambda p: p.name)
def test_the_chinese_notebooks_badge_opens_it_and_its_text_has_no_control_characters(notebook):
    from course_utils import config
    from test_notebooks import control_characters

    cells = _cells(translate.translated_path(notebook, LANGUAGE))
    badge = (f"https://colab.research.google.com/github/{config.REPO}/blob/{config.BRANCH}/notebooks/"
             f"{LANGUAGE}/{notebook.name})")
    assert badge in "".join(cells[0]["source"]), "the Colab badge must open the Chinese notebook"
    problems = [f"cell {i}: {found}" for i, cell in enumerate(cells) if cell["cell_type"] == "markdown"
                for found in control_characters("".join(cell["source"]))]
    assert not problems, "control characters in the translations:\n" + "\n".join(problems)


def test_a_fork_keeps_its_translations_and_its_badges_point_at_the_fork(course):
    """After ``make set-repo`` the English badges name the fork; nothing a translator wrote goes out of date."""
    notebooks, locale = course
    notebook = sorted(notebooks.glob("*.ipynb"))[0]
    index, _, title = translate.markdown_cells(notebook)[0]
    catalogue = translate.catalogue_path(notebook, LANGUAGE, locale)
    badge = title.split("\n", 1)[0]
    _fill(catalogue, {title: f"{badge}\n\n# 00 · 准备工作与导览\n"})
    translate.update(LANGUAGE, notebooks, locale)
    match = translate.COLAB_NOTEBOOK.search(title)
    fork = "https://colab.research.google.com/github/my-school/ai-painting/blob/autumn/notebooks/"
    _edit_cell(notebook, index, title.replace(match.group(1), fork))

    translate.generate(LANGUAGE, notebooks, locale)  # before the catalogue follows: still found
    cell = "".join(_cells(notebooks / LANGUAGE / notebook.name)[index]["source"])
    assert "准备工作与导览" in cell and f"{fork}{LANGUAGE}/{notebook.name})" in cell, cell[:300]
    assert not any(f"{notebook.name} cell {index}:" in w for w in translate.staleness(LANGUAGE, notebooks, locale).untranslated)

    translate.update(LANGUAGE, notebooks, locale)
    entry = translate.read_catalogue(catalogue).get(title.replace(match.group(1), fork))
    assert entry is not None and not entry.fuzzy, "a new badge address is no reason to re-translate"
    assert f"{fork}{notebook.name})" in entry.string and "准备工作与导览" in entry.string
    assert translate.generate(LANGUAGE, notebooks, locale) == [], "the Chinese notebook was right already"


def test_a_translation_follows_the_english_cells_repository_addresses():
    old = ("[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
           "(https://colab.research.google.com/github/course/paint/blob/main/notebooks/00_a.ipynb)\n"
           "The [glossary](https://github.com/course/paint/blob/main/book/glossary.md); "
           "[issues](https://github.com/course/paint/issues).\n")
    new = old.replace("course/paint", "school/fork").replace("/blob/main/", "/blob/autumn/")
    zh = old.replace("The [glossary]", "[术语表]").replace("[issues]", "[问题]")
    assert translate.badge_free(old) == translate.badge_free(new) != translate.badge_free(old + "x")
    followed = translate.follow_urls(zh, old, new)
    assert followed == new.replace("The [glossary]", "[术语表]").replace("[issues]", "[问题]")
    assert translate.localise_markdown(followed, LANGUAGE, new).count("/blob/autumn/notebooks/zh_CN/00_a.ipynb)") == 1
