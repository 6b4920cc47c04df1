"""The Chinese book (``make book LANG=zh_CN``; book/build.py --language zh_CN).

Fast tests build a tiny Chinese book and check the parts (reused outputs, the Makefile's LANG). Tests
marked ``book`` read the quick Chinese book that ``make test-browser`` builds (``COURSE_BOOK_ZH_DIR``,
build/book-zh_CN-test: notebooks 00 and 02 run in Chinese, the others with the English quick book's
outputs); those marked ``browser`` as well open its index and chapter 02 in Chromium: every picture
loads, the text is Chinese, and no Chinese character is drawn as a box (tofu).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from conftest import LocalServer
from test_book import Page, _is_external, _local_file, build
from test_browser import OUTPUT, _loaded_images, browser, page  # noqa: F401 - fixtures

ROOT = Path(__file__).resolve().parent.parent
ZH_NOTEBOOKS = sorted((ROOT / "notebooks" / "zh_CN").glob("*.ipynb"))
CHAPTERS = [path.stem + ".html" for path in ZH_NOTEBOOKS]
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def _notebook(path: Path, *cells) -> Path:
    nb = new_notebook(cells=list(cells))
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


# ------------------------------------------------------------------ fast: the parts


def test_outputs_are_taken_from_the_same_notebook_run_in_english(tmp_path):
    english = tmp_path / "en.ipynb"
    _notebook(english, new_markdown_cell("# 00 · First"),
              new_code_cell("import sys\nprint(1)", outputs=[new_output("stream", name="stdout", text="1\n")]))
    chinese = _notebook(tmp_path / "zh.ipynb", new_markdown_cell("# 00 · 第一章"),
                        new_code_cell("%env COURSE_LANG=zh_CN\nimport sys\nprint(1)"))
    nb = build.with_outputs_from(chinese, english)
    assert nb.cells[0].source == "# 00 · 第一章"
    assert nb.cells[1].source.startswith("%env COURSE_LANG=zh_CN\n")
    assert nb.cells[1].outputs[0]["text"] == "1\n"
    different = _notebook(tmp_path / "other.ipynb", new_code_cell("%env COURSE_LANG=zh_CN\nprint(2)"))
    assert build.with_outputs_from(different, english) is None, "other code: the notebook must run"
    assert build.with_outputs_from(chinese, tmp_path / "missing.ipynb") is None


def test_a_tiny_chinese_book(tmp_path):
    notebooks = tmp_path / "zh_CN"
    notebooks.mkdir()
    badge = f"[![Open In Colab]({build.COLAB_BADGE_URL})](https://colab.research.google.com/x)"
    _notebook(notebooks / "00_first.ipynb", new_markdown_cell(f"{badge}\n\n# 00 · 第一章\n\n风格迁移：$G = F^\\top F$。"),
              new_code_cell("%env COURSE_LANG=zh_CN\nfrom course_utils import config\nprint(config.language())"))
    _notebook(notebooks / "01_second.ipynb", new_markdown_cell("# 01 · 第二章\n\n内容损失与风格损失。"),
              new_code_cell("print('这一章不运行')"))
    reuse = tmp_path / "english"
    reuse.mkdir()
    _notebook(reuse / "01_second.ipynb", new_markdown_cell("# 01 · Second"),
              new_code_cell("print('这一章不运行')", outputs=[new_output("stream", name="stdout", text="from English\n")]))
    out = tmp_path / "out"
    env = dict(os.environ, COURSE_QUICK="1", PYTHONDONTWRITEBYTECODE="1", COURSE_LANG="en")
    result = subprocess.run([sys.executable, str(ROOT / "book" / "build.py"), "--language", "zh_CN",
                             "--notebooks", str(notebooks), "--out", str(out), "--reuse-outputs", str(reuse),
                             "--execute", "00_first.ipynb"],
                            capture_output=True, text=True, env=env, timeout=300, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads((out / "report.json").read_text())
    assert report["language"] == "zh_CN" and report["title"] == build.TITLES["zh_CN"]
    first, second = report["notebooks"]
    assert "outputs_from" not in first and second["outputs_from"].endswith("01_second.ipynb")
    executed = nbformat.read(out / "src" / "00_first.ipynb", as_version=4)
    assert "zh_CN" in executed.cells[1].outputs[-1]["text"], "the kernel ran in Chinese"
    assert "from English" in (out / "html" / "01_second.html").read_text(encoding="utf-8")
    index = (out / "html" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN"' in index and "三种学习方式" in index and "快速构建" in index
    assert "01 · 第二章" in index and "沿用英文版" in index, "the index says which chapters were not run"
    assert "/notebooks/zh_CN/00_first.ipynb" in index, "the Colab badges open the Chinese notebooks"
    first_page = Page(out / "html" / "00_first.html")
    assert "快速构建" in first_page.announcement
    assert any("course-zh.css" in css for css in first_page.stylesheets), first_page.stylesheets
    assert not [url for url in first_page.scripts + first_page.stylesheets + first_page.images if _is_external(url)]
    assert (out / "html" / build.ZH_FONT).is_file(), "the CJK web font is in the site"
    css = (out / "html" / "_static" / build.ZH_CSS).read_text()
    assert "fonts/NotoSansCJKsc-Regular.otf" in css
    search = (out / "html" / "searchindex.js").read_text(encoding="utf-8")
    terms = json.loads(search[search.index("(") + 1: search.rindex(")")])["terms"]
    assert "风格" in terms or "风格迁移" in terms, "Chinese words are in the search index (jieba)"


def _make(*args: str, env_lang: str | None = "C.UTF-8") -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}
    env.pop("LANG", None)
    if env_lang is not None:
        env["LANG"] = env_lang
    return subprocess.run(["make", "-n", "--no-print-directory", *args, "PY=python", "STAMP=", "BOOK_STAMP="],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=60).stdout


def test_the_makefile_reads_lang_only_from_its_command_line():
    assert "build.py --out build/book-zh_CN-quick --language zh_CN" in _make("book", "QUICK=1", "LANG=zh_CN")
    assert "build.py --out build/book --language en" in _make("book", env_lang="zh_CN"), "the locale is no choice"
    assert "build.py --out build/book --language en" in _make("book")
    shown = subprocess.run(["make", "--no-print-directory", "-f", "Makefile", "-f", "-", "show-lang", "LANG=zh_CN"],
                           input="show-lang:\n\t@echo \"$$LANG\"\n", capture_output=True, text=True, cwd=ROOT,
                           env=dict(os.environ, LANG="C.UTF-8"), timeout=60)
    assert shown.stdout.strip() == "C.UTF-8", "the commands keep the environment's locale"


# ------------------------------------------------------------------ the built quick Chinese book


@pytest.fixture(scope="module")
def zh_book() -> Path:
    folder = Path(os.environ.get("COURSE_BOOK_ZH_DIR") or "build/book-zh_CN-test")
    folder = folder if folder.is_absolute() else ROOT / folder
    if not (folder / "html" / "index.html").is_file():
        pytest.fail(f"no Chinese book in {folder}: run `make book-zh-test` (make test-browser does it).")
    return folder


@pytest.fixture(scope="module")
def zh_report(zh_book) -> dict:
    return json.loads((zh_book / "report.json").read_text())


@pytest.mark.book
def test_the_chinese_book_has_every_chapter_in_chinese_order_and_the_glossary(zh_book, zh_report):
    html = zh_book / "html"
    assert zh_report["language"] == "zh_CN"
    assert [entry["notebook"] for entry in zh_report["notebooks"]] == [path.name for path in ZH_NOTEBOOKS]
    index = Page(html / "index.html")
    linked = list(dict.fromkeys(link.split("#")[0] for link in index.links))
    assert [link for link in linked if link in CHAPTERS] == CHAPTERS
    colab = [link for link in index.links if "colab.research.google.com/github/" in link]
    assert [link.rsplit("/", 2)[-2:] for link in colab] == [["zh_CN", path.name] for path in ZH_NOTEBOOKS]
    if (ROOT / "book" / "glossary.md").is_file():
        assert (html / "glossary.html").is_file() and "glossary.html" in linked
    for name in ["index.html"] + CHAPTERS:
        text = (html / name).read_text(encoding="utf-8")
        assert '<html lang="zh-CN"' in text, name
        assert "course-zh.css" in text, name
    ran = [entry for entry in zh_report["notebooks"] if "outputs_from" not in entry]
    assert {entry["notebook"] for entry in ran} >= {"02_gram_matrices.ipynb"}, "chapter 02 ran in Chinese"
    for entry in ran:  # what ran in Chinese wrote nothing red (the English book checks the others)
        assert entry["stderr"] == [] and entry["noise"] == [], entry["notebook"]
    for entry in zh_report["notebooks"]:
        assert entry["images"] >= 1, f"{entry['notebook']} shows no figure"
    for chapter in CHAPTERS:
        for src in Page(html / chapter).images:
            assert not _is_external(src) and _local_file(html, src).is_file(), f"{chapter}: {src}"


@pytest.mark.book
@pytest.mark.browser
def test_the_chinese_book_in_the_browser_loads_every_picture_and_shows_chinese_not_boxes(zh_book, page):  # noqa: F811
    server = LocalServer(zh_book / "html")
    try:
        page.goto(f"{server.url}/index.html")
        _check_chinese_page(page, "index")
        page.screenshot(path=str(OUTPUT / "book_zh_index.png"))
        chapter = next(path.stem for path in ZH_NOTEBOOKS if path.name.startswith("02_"))
        page.locator(f'a[href*="{chapter}"]').first.click()
        page.wait_for_url(f"**/{chapter}*")
        count, _ = _loaded_images(page)
        assert count >= 3, f"the chapter {chapter} shows {count} pictures"
        _check_chinese_page(page, chapter)
        page.screenshot(path=str(OUTPUT / f"book_zh_{chapter}.png"))
    finally:
        server.stop()


# Draws each Chinese character of the page's article in the page's own font on a canvas, and a character
# no font has (a private-use code point, drawn as the "missing glyph" box): a character whose pixels are
# those of the box is tofu. Also returns how many Chinese characters the article holds.
TOFU_REPORT = """async () => {
    const article = document.querySelector('article') || document.body;
    const text = article.innerText;
    const chars = [...new Set(text.match(/[\\u3400-\\u4dbf\\u4e00-\\u9fff]/g) || [])].slice(0, 200);
    const family = getComputedStyle(article.querySelector('p') || article).fontFamily;
    try { await document.fonts.load(`40px ${family}`, chars.join('')); } catch (error) { /* a font file missing */ }
    await document.fonts.ready;
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 48;
    const ctx = canvas.getContext('2d', {willReadFrequently: true});
    const draw = (c) => {
        ctx.clearRect(0, 0, 48, 48);
        ctx.font = `40px ${family}`;
        ctx.textBaseline = 'top';
        ctx.fillStyle = '#000';
        ctx.fillText(c, 2, 2);
        return Array.from(ctx.getImageData(0, 0, 48, 48).data).join(',');
    };
    const box = draw('\\u{10FFFD}');
    const tofu = chars.filter((c) => draw(c) === box);
    const cjkFace = [...document.fonts].some((f) => f.family.includes('CJK') && f.status === 'loaded');
    return {count: (text.match(/[\\u3400-\\u4dbf\\u4e00-\\u9fff]/g) || []).length, checked: chars.length,
            tofu: tofu, cjkFace: cjkFace, family: family};
}"""


def _check_chinese_page(tab, name: str) -> None:
    broken = _loaded_images(tab)[1]
    assert not broken, f"{name}: pictures that did not load: {broken[:3]}"
    report = tab.evaluate(TOFU_REPORT)
    assert report["count"] >= 50, f"{name}: only {report['count']} Chinese characters in the page's text"
    assert report["cjkFace"], f"{name}: the book's CJK font did not load ({report['family']})"
    assert report["tofu"] == [], f"{name}: drawn as boxes: {''.join(report['tofu'][:20])}"
