"""The course as a learner sees it: JupyterLab and the rendered book, in a real browser.

A JupyterLab server from this environment is started on a free 127.0.0.1 port with a
token, Debian's Chromium is driven by Playwright (no browser download), and notebook 01
is run with "Run All Cells" from the menu. Then its feature explorer is used the way a
learner uses it: a menu is changed and the slider is dragged with the mouse, and each time
the picture under the controls must change. The book (``make book QUICK=1``) is served on
127.0.0.1 and its index and one chapter are opened; every picture must load.

Screenshots go to ``build/test-output/browser/``. ``make test-browser`` (part of ``make test``)
installs Chromium and Playwright first.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import time
from pathlib import Path

import pytest

from conftest import JupyterLab, LocalServer

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "build" / "test-output" / "browser"
CHROMIUM = os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium")
# What Chromium needs on a machine with no display, no GPU, no user namespace (root) and no internet.
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run"]
NOTEBOOK = "01_cnn_features.ipynb"  # its feature explorer has menus and a slider
RUN_ALL_SECONDS = 420

@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless, driven by Playwright."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright is not installed: run `make test-browser`, which installs it.")
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"no Chromium at {CHROMIUM}: run `make test-browser`, which installs Debian's chromium, "
                    "or set COURSE_CHROMIUM to the browser's path.")
    OUTPUT.mkdir(parents=True, exist_ok=True)
    for old in OUTPUT.glob("FAILED_*.png"):  # from an earlier run
        old.unlink()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def lab(tmp_path):
    """JupyterLab on a copy of notebook 01 (so the committed notebook is never saved over)."""
    work = tmp_path / "notebooks"
    work.mkdir()
    shutil.copy(ROOT / "notebooks" / NOTEBOOK, work / NOTEBOOK)
    server = JupyterLab(work, tmp_path / "jupyter", OUTPUT / "jupyterlab.log")
    try:
        yield server
    finally:
        server.stop()
        assert server.process.returncode is not None, "the JupyterLab server is still running"
        with socket.socket() as s:
            assert s.connect_ex(("127.0.0.1", server.port)) != 0, f"port {server.port} still answers"


def _wait_for_new_picture(image, old_src: str, what: str, seconds: float = 60) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        src = image.get_attribute("src")
        if src and src != old_src:
            return src
        time.sleep(0.25)
    pytest.fail(f"the explorer's picture did not change within {seconds:.0f} s after {what}")


@pytest.fixture
def page(browser, request):
    """A new browser tab; if the test fails, a screenshot of it goes to the output folder."""
    tab = browser.new_page(viewport={"width": 1400, "height": 1000})
    tab.set_default_timeout(60_000)
    yield tab
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        tab.screenshot(path=str(OUTPUT / f"FAILED_{request.node.name}.png"))
    tab.close()


def test_jupyterlab_runs_a_notebook_and_its_slider_redraws_the_figure(lab, page):
    outside = []  # JupyterLab and the course must work with nothing but the local server
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith((lab.url, "data:")) else None)
    page.goto(f"{lab.url}/lab/tree/{NOTEBOOK}?token={lab.token}")
    page.wait_for_selector(".jp-Notebook .jp-Cell")
    # The kernel has started and is connected: the status bar says "Python 3 (ipykernel) | Idle".
    page.wait_for_function("""() => [...document.querySelectorAll('.jp-StatusBar-TextItem')]
                                    .some(e => e.textContent.includes('| Idle'))""", timeout=120_000)

    # Run ▸ Run All Cells, as a learner does.
    page.locator(".lm-MenuBar-item", has_text="Run").first.click()
    page.locator('.lm-Menu-item[data-command="runmenu:run-all"]').click()
    page.wait_for_function(
        """() => {
            const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];
            return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
        }""", timeout=RUN_ALL_SECONDS * 1000)

    explorer = page.locator(".jp-CodeCell").filter(has=page.locator(".widget-slider"))
    assert explorer.count() == 1, "notebook 01 should show exactly one cell with a slider (the feature explorer)"
    picture = explorer.locator(".jp-OutputArea-output img").last
    picture.scroll_into_view_if_needed()
    page.screenshot(path=str(OUTPUT / "jupyterlab_01_before.png"))
    first = picture.get_attribute("src")
    assert first and first.startswith("data:image/png"), "the explorer shows its figure as a PNG"

    # A menu: another layer ... (the notebook's last explorer cell left it on one channel of a layer)
    menu = explorer.locator(".widget-dropdown", has_text="layer").locator("select")
    current = menu.input_value()
    other = next(o for o in menu.locator("option").all_inner_texts() if o != current)
    menu.select_option(other)
    second = _wait_for_new_picture(picture, first, f"choosing the layer {other}")

    # ... and the slider, dragged with the mouse.
    readout = explorer.locator(".widget-slider .widget-readout")
    before = readout.inner_text()
    handle = explorer.locator(".widget-slider .noUi-handle, .widget-slider .ui-slider-handle").first
    box = handle.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 60, box["y"] + box["height"] / 2, steps=8)
    page.mouse.up()
    _wait_for_new_picture(picture, second, "dragging the channel slider")
    after = readout.inner_text()
    assert after != before, f"the slider's value stayed at {before}"
    picture.scroll_into_view_if_needed()
    page.screenshot(path=str(OUTPUT / "jupyterlab_01_after_slider.png"))

    # A learner's mistake reads as one sentence, not a traceback: a new cell that loads a missing photo.
    page.locator(".jp-Notebook .jp-Cell").last.click()
    page.keyboard.press("Escape")
    page.keyboard.press("b")
    page.keyboard.press("Enter")
    page.keyboard.insert_text("from course_utils import images\nimages.load('no_such_photo.jpg')")
    page.keyboard.press("Control+Enter")  # run it and stay
    mistake = page.locator(".jp-Notebook .jp-CodeCell").last.locator(".jp-OutputArea-output")
    mistake.first.wait_for()
    said = mistake.first.inner_text().strip()
    assert said.startswith("ImageError: No file at 'no_such_photo.jpg'") and "\n" not in said, said
    assert "Traceback" not in said
    page.screenshot(path=str(OUTPUT / "jupyterlab_01_one_sentence_error.png"))

    # Saved from the browser, the notebook has run every cell without an error (but the learner's).
    page.keyboard.press("Control+s")
    page.wait_for_function("() => !document.querySelector('.jp-mod-dirty')", timeout=30_000)
    saved = json.loads((lab.root / NOTEBOOK).read_text())
    code = [c for c in saved["cells"] if c["cell_type"] == "code"][:-1]
    assert "no_such_photo" in "".join(saved["cells"][-1]["source"])
    assert all(c["execution_count"] for c in code), "some cells did not run"
    errors = [o for c in code for o in c["outputs"] if o["output_type"] == "error"]
    assert not errors, f"a cell failed in JupyterLab: {errors[0]['ename']}: {errors[0]['evalue']}"
    # The one picture from outside is the Colab badge in the notebook's first cell (blank offline).
    assert set(outside) <= {"https://colab.research.google.com/assets/colab-badge.svg"}, sorted(set(outside))


def _book_html() -> Path:
    book = Path(os.environ.get("COURSE_BOOK_DIR", "build/book-quick"))
    html = (book if book.is_absolute() else ROOT / book) / "html"
    if not (html / "index.html").is_file():
        pytest.fail(f"no book in {html}: run `make book QUICK=1` first.")
    return html


def _loaded_images(page) -> tuple[int, list[str]]:
    """How many <img> the page has, and the sources of those that did not load."""
    page.wait_for_load_state("load")
    return page.evaluate("""() => {
        const imgs = [...document.querySelectorAll('img')];
        return [imgs.length, imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)];
    }""")


def test_the_book_shows_its_chapters_and_their_figures(page):
    html = _book_html()
    server = LocalServer(html)
    try:
        page.goto(f"{server.url}/index.html")
        notebooks = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
        links = page.evaluate("() => [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))")
        for stem in notebooks:
            assert any(stem in href for href in links), f"the index page does not link to {stem}"
        page.screenshot(path=str(OUTPUT / "book_index.png"))
        broken = _loaded_images(page)[1]
        assert not broken, f"pictures on the index page did not load: {broken}"

        chapter = next(s for s in notebooks if s.startswith("02_"))
        page.locator(f'a[href*="{chapter}"]').first.click()
        page.wait_for_url(f"**/{chapter}*")
        count, broken = _loaded_images(page)
        assert count >= 3, f"the chapter {chapter} shows {count} pictures; its figures are missing"
        assert not broken, f"pictures in {chapter} did not load: {broken[:3]}"
        page.locator(".cell_output img").first.scroll_into_view_if_needed()
        page.screenshot(path=str(OUTPUT / f"book_{chapter}.png"))
    finally:
        server.stop()
