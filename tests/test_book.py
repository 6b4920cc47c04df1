"""The course book (book/build.py): its parts on small notebooks, and the built quick book.

Tests marked ``book`` read the book that ``make book QUICK=1`` built (``COURSE_BOOK_DIR``,
build/book-quick by default); ``make test-browser`` builds it first. The others are fast and
need no book: the noise detector, dropping widget views, and whole builds of tiny notebooks.
Those marked ``browser`` as well open the book's pages in Debian's Chromium (Playwright, as in
tests/test_browser.py) and read what MathJax made of every formula.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from conftest import LocalServer
from test_browser import browser  # noqa: F401 - the fixture: Debian's Chromium, headless, driven by Playwright

ROOT = Path(__file__).resolve().parent.parent
BUILD_PY = ROOT / "book" / "build.py"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
CHAPTERS = [path.stem + ".html" for path in NOTEBOOKS]


def _load_build():
    """book/build.py as a module (book/ is not a package; no .pyc beside it to make the book stale)."""
    spec = importlib.util.spec_from_file_location("course_book_build", BUILD_PY)
    module = importlib.util.module_from_spec(spec)
    writes = sys.dont_write_bytecode
    sys.dont_write_bytecode = True
    try:
        spec.loader.exec_module(module)
    finally:
        sys.dont_write_bytecode = writes
    return module


build = _load_build()


# ------------------------------------------------------------------ reading pages with html.parser


class Page(HTMLParser):
    """What the tests need from one HTML page: links, images, scripts, stylesheets, prev/next."""

    def __init__(self, path: Path):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.images: list[str] = []
        self.output_images: list[str] = []
        self.scripts: list[str] = []
        self.stylesheets: list[str] = []
        self.prev: str | None = None
        self.next: str | None = None
        self.announcement = ""
        self._divs: list[str] = []  # the class of each open <div>, innermost last
        self._in_announcement = 0
        self.feed(path.read_text(encoding="utf-8"))

    def _inside(self, css_class: str) -> bool:
        return any(css_class in classes.split() for classes in self._divs)

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        classes = attrs.get("class", "").split()
        if tag == "div":
            self._divs.append(attrs.get("class", ""))
            if "bd-header-announcement__content" in classes:
                self._in_announcement += 1
        elif tag == "a" and "href" in attrs:
            self.links.append(attrs["href"])
            if "left-prev" in classes:
                self.prev = attrs["href"]
            if "right-next" in classes:
                self.next = attrs["href"]
        elif tag == "img":
            self.images.append(attrs.get("src", ""))
            if self._inside("cell_output"):
                self.output_images.append(attrs.get("src", ""))
        elif tag == "script" and attrs.get("src"):
            self.scripts.append(attrs["src"])
        elif tag == "link" and ({"stylesheet", "preload"} & set(attrs.get("rel", "").split())):
            self.stylesheets.append(attrs.get("href", ""))

    def handle_endtag(self, tag):
        if tag == "div" and self._divs:
            classes = self._divs.pop().split()
            if "bd-header-announcement__content" in classes:
                self._in_announcement -= 1

    def handle_data(self, data):
        if self._in_announcement:
            self.announcement += data


def _is_external(url: str) -> bool:
    return url.startswith(("http://", "https://", "//"))


def _local_file(html: Path, src: str) -> Path:
    return html / src.split("?")[0].split("#")[0]


# ------------------------------------------------------------------ fast tests of the parts


NOISE = [
    "I0000 00:00:1732190000.123456    4242 cpu_feature_guard.cc:210] This TensorFlow binary is optimized "
    "to use available CPU instructions in performance-critical operations.",
    "W0000 00:00:1732190000.654321    4242 gpu_device.cc:2344] Cannot dlopen some GPU libraries.",
    "E0000 00:00:1732190001.000000    4242 cuda_executor.cc:1228] INTERNAL: CUDA Runtime error",
    "2024-11-21 12:00:00.000000: I tensorflow/core/util/port.cc:153] oneDNN custom operations are on. "
    "You may see slightly different numerical results.",
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
    "failed call to cuInit: INTERNAL: CUDA error: Failed call to cuInit: UNKNOWN ERROR (303)",
    "To enable the following instructions: AVX2 AVX512F FMA, in other operations, rebuild TensorFlow "
    "with the appropriate compiler flags.",
    "2024-11-21 12:00:00.1: E external/local_xla/xla/stream_executor/cuda/cuda_dnn.cc:9261] "
    "Unable to register cuDNN factory",
]

NOT_NOISE = [
    "Downloading data from https://storage.googleapis.com/tensorflow/keras-applications/vgg19/"
    "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5",
    "/work/course_utils/transfer.py:88: UserWarning: the style image is smaller than the photo; "
    "it was enlarged to 384 px",
    "step 10/10: loss 1.23e+05 (content 4.1e+04, style 8.2e+04)",
    "VGG19 ImageNet weights: 8-bit copy, cached at /root/.cache/ai-painting-course/vgg19",
    "Warning: quick mode (COURSE_QUICK=1): sizes and steps are small.",
    "Epoch 1/3 - d_loss: 0.6931 - g_loss: 0.6931",
    "100%|██████████| 10/10 [00:01<00:00,  9.87it/s]",
]


@pytest.mark.parametrize("line", NOISE)
def test_tf_noise_finds_tensorflow_log_lines(line):
    assert build.tf_noise(line) == [line]


@pytest.mark.parametrize("line", NOT_NOISE)
def test_tf_noise_leaves_learner_facing_lines(line):
    assert build.tf_noise(line) == []


def test_tf_noise_picks_noise_out_of_mixed_text():
    text = "\n".join([NOT_NOISE[0], NOISE[0], "", NOT_NOISE[2], NOISE[3]]) + "\n"
    assert build.tf_noise(text) == [NOISE[0], NOISE[3]]


def _widget_notebook():
    """A notebook as nbclient leaves it: a slider box, a tqdm.auto bar, a figure, printed text."""
    view = {"model_id": "abc123", "version_major": 2, "version_minor": 0}
    cells = [
        new_markdown_cell("# 00 · Widgets\n\nText."),
        new_code_cell("explorer()", outputs=[
            new_output("display_data", data={"application/vnd.jupyter.widget-view+json": view,
                                             "text/plain": "VBox(children=(IntSlider(value=0),))"}),
            new_output("display_data", data={"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"},
                       metadata={}),
        ]),
        new_code_cell("for i in tqdm(range(3)): pass", outputs=[
            new_output("display_data", data={"application/vnd.jupyter.widget-view+json": view,
                                             "text/plain": "  0%|          | 0/3 [00:00<?, ?it/s]"}),
            new_output("stream", name="stdout", text="done\n"),
        ]),
        new_code_cell("widget_with_html()", outputs=[
            new_output("display_data", data={"application/vnd.jupyter.widget-view+json": view,
                                             "text/html": "<b>kept</b>", "text/plain": "HTML()"}),
        ]),
    ]
    nb = new_notebook(cells=cells)
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    return nb


def test_drop_widget_outputs_keeps_figures_and_text():
    nb = _widget_notebook()
    assert build.drop_widget_outputs(nb) == 3
    outputs = [output for cell in nb.cells for output in cell.get("outputs", [])]
    assert [sorted(output.get("data", {"stream": 1})) for output in outputs] == [
        ["image/png", "text/plain"], ["stream"], ["text/html"]]
    assert "widgets" not in nb.metadata
    assert build.count_images(nb) == 1
    assert "IntSlider" not in json.dumps(nb) and "it/s" not in json.dumps(nb)


def test_chapter_title_and_last_line():
    nb = new_notebook(cells=[new_markdown_cell("[![badge](x.svg)](y)\n\n# 03 · The loss terms\n\n## Part")])
    assert build.chapter_title(nb, "fallback") == "03 · The loss terms"
    assert build.chapter_title(new_notebook(), "fallback") == "fallback"
    assert build.last_line("Traceback\n  File x\nValueError: bad\n\n") == "ValueError: bad"


def _write(folder: Path, name: str, *cells) -> Path:
    nb = new_notebook(cells=list(cells))
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = folder / name
    nbformat.write(nb, path)
    return path


def _run_build(notebooks: Path, out: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, COURSE_QUICK="1", PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run([sys.executable, str(BUILD_PY), "--notebooks", str(notebooks), "--out", str(out)],
                          capture_output=True, text=True, env=env, timeout=300, cwd=ROOT)


def _old_book(out: Path) -> Path:
    """A previous build's site in ``out``, to check it survives or is replaced."""
    (out / "html").mkdir(parents=True)
    index = out / "html" / "index.html"
    index.write_text("<p>the previous book</p>")
    return index


def test_a_failing_notebook_stops_the_build_with_one_sentence(tmp_path):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    _write(notebooks, "00_fine.ipynb", new_markdown_cell("# 00 · Fine"), new_code_cell("print('fine')"))
    _write(notebooks, "01_broken.ipynb", new_markdown_cell("# 01 · Broken"), new_code_cell("x = 1"),
           new_markdown_cell("Now divide."), new_code_cell("def f():\n    return x / 0\n\nf()"),
           new_code_cell("print('never runs')"))
    out = tmp_path / "out"
    index = _old_book(out)

    result = _run_build(notebooks, out)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "00_fine.ipynb" in result.stdout and "ok" in result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0] == (f"The book was not built: notebook 01_broken.ipynb failed in cell 4 (code cell 2): "
                        f"ZeroDivisionError: division by zero; the previous book in {out} is unchanged.")
    assert "Traceback" not in result.stdout + result.stderr
    assert index.read_text() == "<p>the previous book</p>"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notebooks", "out"], "no temporary folder left"


def test_a_tiny_book_is_built_and_swapped_in(tmp_path):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    badge = f"[![Open In Colab]({build.COLAB_BADGE_URL})](https://colab.research.google.com/x)"
    _write(notebooks, "00_first.ipynb",
           new_markdown_cell(f"{badge}\n\n# 00 · First\n\nA formula: $G = F^\\top F$."),
           new_code_cell("import matplotlib.pyplot as plt\nplt.plot([0, 1]); plt.show()"),
           new_code_cell("import ipywidgets\nipywidgets.IntSlider(value=3)"),
           new_code_cell("import sys\nprint('a learner-facing warning', file=sys.stderr)"))
    # A notebook that writes a file where it runs, as notebook 06 writes its checkpoints: every build
    # must start without it, and the learner's notebooks folder must not get it.
    _write(notebooks, "01_second.ipynb", new_markdown_cell("# 01 · Second"),
           new_code_cell("import os\nassert os.listdir('.') == [], os.listdir('.')\n"
                         "os.makedirs('outputs'); open('outputs/checkpoint.npz', 'w').write('x')\nprint(2)"))
    out = tmp_path / "out"
    _old_book(out)
    assert _run_build(notebooks, out).returncode == 0, "a first build"

    result = _run_build(notebooks, out)

    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads((out / "report.json").read_text())
    first, second = report["notebooks"]
    assert report["quick"] is True
    assert (first["notebook"], first["code_cells"], first["images"], first["widget_views_dropped"]) == (
        "00_first.ipynb", 3, 1, 1)
    assert first["stderr"] == [{"cell": 4, "text": "a learner-facing warning\n"}] and first["noise"] == []
    assert second["title"] == "01 · Second"
    assert sorted(p.name for p in notebooks.iterdir()) == ["00_first.ipynb", "01_second.ipynb"]
    page = Page(out / "html" / "00_first.html")
    assert "IntSlider(value=3" not in (out / "html" / "00_first.html").read_text()  # its text stand-in
    assert len(page.output_images) == 1 and _local_file(out / "html", page.output_images[0]).is_file()
    assert not [url for url in page.scripts + page.stylesheets + page.images if _is_external(url)]
    assert "Quick build" in page.announcement
    assert (out / "src" / "00_first.ipynb").is_file() and (out / "src" / "conf.py").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notebooks", "out"], "no temporary folder left"


# ------------------------------------------------------------------ the built quick book


@pytest.fixture(scope="module")
def book() -> Path:
    """The built book's folder (``COURSE_BOOK_DIR``, relative to the repository unless absolute)."""
    folder = Path(os.environ.get("COURSE_BOOK_DIR") or "build/book-quick")
    folder = folder if folder.is_absolute() else ROOT / folder
    if not (folder / "html" / "index.html").is_file() or not (folder / "report.json").is_file():
        pytest.fail(f"There is no built book in {folder}: run `make book QUICK=1` first.", pytrace=False)
    return folder


@pytest.fixture(scope="module")
def report(book) -> dict:
    return json.loads((book / "report.json").read_text())


@pytest.fixture(scope="module")
def pages(book) -> dict[str, Page]:
    """Every HTML page at the top of the site, parsed, by file name."""
    return {path.name: Page(path) for path in sorted((book / "html").glob("*.html"))}


@pytest.mark.book
def test_every_notebook_has_a_chapter_page_linked_from_the_index_in_order(book, pages):
    assert NOTEBOOKS
    for chapter in CHAPTERS:
        assert chapter in pages, f"no page {chapter} in {book / 'html'}"
    linked = list(dict.fromkeys(link.split("#")[0] for link in pages["index.html"].links))
    assert [link for link in linked if link in CHAPTERS] == CHAPTERS


@pytest.mark.book
def test_previous_and_next_links_follow_the_course(pages):
    # sphinx-book-theme: the index leads to the first chapter, whose "previous" is the index;
    # the last chapter has no "next".
    order = ["index.html"] + CHAPTERS
    for i, name in enumerate(order):
        page = pages[name]
        assert page.prev == (order[i - 1] if i > 0 else None), name
        assert page.next == (order[i + 1] if i + 1 < len(order) else None), name


@pytest.mark.book
def test_every_chapter_shows_its_figures_from_files_in_the_site(book, pages, report):
    images = {entry["page"]: entry["images"] for entry in report["notebooks"]}
    for chapter in CHAPTERS:
        page = pages[chapter]
        assert page.output_images, f"{chapter} shows no figure"
        assert len(page.output_images) == images[chapter], f"{chapter}: not every image output is on the page"
        for src in page.images:
            assert not _is_external(src), f"{chapter} loads an image from outside: {src}"
            assert _local_file(book / "html", src).is_file(), f"{chapter}: {src} is missing"


@pytest.mark.book
def test_the_mode_is_said_on_the_index_and_every_chapter(book, pages, report):
    """A quick book says so on every page; a full one (COURSE_BOOK_DIR=build/book) says nothing of it."""
    index = (book / "html" / "index.html").read_text(encoding="utf-8")
    if report["quick"]:
        assert "Quick build: small pictures" in index and "COURSE_QUICK=1" in index
    else:
        assert "Quick build" not in index and "full sizes" in index
    for name in ["index.html"] + CHAPTERS:
        assert ("sizes and steps were shrunk" in pages[name].announcement) == report["quick"], name


@pytest.mark.book
def test_report_lists_every_notebook(report):
    assert [entry["notebook"] for entry in report["notebooks"]] == [path.name for path in NOTEBOOKS]
    for entry, path in zip(report["notebooks"], NOTEBOOKS):
        code = sum(1 for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code")
        assert entry["code_cells"] == code, path.name
        assert entry["seconds"] > 0 and entry["images"] >= 1
        assert isinstance(entry["stderr"], list)
    assert report["sphinx_seconds"] > 0 and report["total_seconds"] >= report["sphinx_seconds"]


@pytest.mark.book
def test_no_log_noise_no_errors_no_widgets_in_the_executed_notebooks(book, report):
    for entry in report["notebooks"]:
        assert entry["noise"] == [], f"{entry['notebook']} shows TensorFlow log noise: {entry['noise']}"
        # Nothing red at all: a Python warning from a library is as little use to a learner as a C++ log.
        assert entry["stderr"] == [], f"{entry['notebook']} writes to stderr: {entry['stderr'][:1]}"
    for path in sorted((book / "src").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for number, cell in enumerate(nb.cells, start=1):
            for output in cell.get("outputs", []):
                where = f"{path.name} cell {number}"
                assert output["output_type"] != "error", f"{where}: {output.get('ename')}: {output.get('evalue')}"
                assert build.WIDGET_MIME not in output.get("data", {}), f"{where} keeps a widget view"
                if output["output_type"] == "stream":
                    assert build.tf_noise(build.output_text(output)) == [], f"{where} shows log noise"


@pytest.mark.book
def test_pages_load_no_script_or_stylesheet_from_outside(pages):
    for name, page in pages.items():
        external = [url for url in page.scripts + page.stylesheets if _is_external(url)]
        assert external == [], f"{name} loads {external}"
    assert any("mathjax/" in src for page in pages.values() for src in page.scripts), "MathJax is the local copy"


def test_slow_cells_are_found_from_nbclients_timestamps():
    quick, slow = new_code_cell("x = 1"), new_code_cell("train(model)  # long\nmore()")
    quick.metadata["execution"] = {"iopub.execute_input": "2026-11-21T10:00:00.000000Z",
                                   "shell.execute_reply": "2026-11-21T10:00:02.500000Z"}
    slow.metadata["execution"] = {"iopub.execute_input": "2026-11-21T10:00:03.000000Z",
                                  "shell.execute_reply": "2026-11-21T10:01:33.250000Z"}
    slow.outputs = [new_output("display_data", data={build.WIDGET_MIME: {"model_id": "a"}, "text/plain": "bar"}),
                    new_output("stream", name="stdout", text="epoch 1\nepoch 2\n")]
    nb = new_notebook(cells=[new_markdown_cell("# t"), quick, slow, new_code_cell("never run")])
    assert build.cell_seconds(quick) == 2.5 and build.cell_seconds(nb.cells[3]) is None
    assert build.slow_cells(nb) == [{"cell": 3, "seconds": 90.2, "first_line": "train(model)  # long",
                                     "widget_views": 1, "images": 0, "printed_lines": 2}]
    assert build.slow_cells(nb, seconds=1)[0]["cell"] == 2


# ------------------------------------------------------------------ formulas, as MathJax shows them

# MathJax 3 turns a formula it cannot read into an <merror> node (CommonHTML: an <mjx-merror> element,
# with the message in its data-mjx-error attribute) and shows it in red. Run after its first typesetting.
MATHJAX_REPORT = """async () => {
    await MathJax.startup.promise;
    const formulas = Array.from(MathJax.startup.document.math);
    const errors = [];
    for (const item of formulas) {
        const root = item.typesetRoot;
        const merror = root && root.querySelector('mjx-merror, [data-mml-node="merror"]');
        if (merror) errors.push({tex: String(item.math).trim(),
                                 message: merror.getAttribute('data-mjx-error') || merror.textContent});
    }
    const shown = document.querySelectorAll('mjx-merror, [data-mml-node="merror"]').length;
    return {formulas: formulas.length, errors: errors, shown: shown};
}"""


def mathjax_report(tab, url: str) -> dict | None:
    """Open ``url`` and say what MathJax made of its formulas: ``{"formulas": n, "errors": [{"tex", "message"}],
    "shown": the error boxes on the page}``; None for a page that does not load MathJax (one without maths)."""
    tab.goto(url)
    tab.wait_for_load_state("load")
    if not tab.evaluate("() => !!document.querySelector('script[src*=\"mathjax\"]')"):
        return None
    tab.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=60_000)
    return tab.evaluate(MATHJAX_REPORT)


def _mathjax_problems(name: str, report: dict) -> list[str]:
    problems = [f"{name}: MathJax cannot read '{error['tex']}' ({error['message']})" for error in report["errors"]]
    if report["shown"] > len(report["errors"]):
        problems.append(f"{name}: {report['shown']} formulas are shown as errors")
    return problems


@pytest.fixture
def tab(browser):  # noqa: F811 - the fixture imported above
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.set_default_timeout(60_000)
    yield page
    page.close()


@pytest.mark.book
@pytest.mark.browser
def test_a_broken_formula_is_reported(book, tab, tmp_path):
    """The check below can fail: a page with the book's own MathJax and one broken formula among good ones."""
    (tmp_path / "_static").mkdir()
    (tmp_path / "_static" / "mathjax").symlink_to(book / "html" / "_static" / "mathjax", target_is_directory=True)
    config = json.dumps(build_conf_mathjax())
    (tmp_path / "page.html").write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<script>window.MathJax = {config};</script>"
        "<script defer src='_static/mathjax/tex-chtml-full.js'></script></head><body>"
        r"<p>Fine: \(\text{AdaIN}(c, s) = \sigma(s) \frac{c - \mu(c)}{\sigma(c)} + \mu(s)\)</p>"
        r"<p>Broken: \(\frac{c - \mu(c)}\)</p>"
        r"<p>Fine: \(\alpha\,t + (1-\alpha)\,f(c)\)</p></body></html>", encoding="utf-8")
    server = LocalServer(tmp_path)
    try:
        report = mathjax_report(tab, f"{server.url}/page.html")
    finally:
        server.stop()
    assert report is not None and report["formulas"] == 3
    problems = _mathjax_problems("page.html", report)
    assert len(problems) == 1, problems
    assert r"\frac{c - \mu(c)}" in problems[0] and "Missing argument for \\frac" in problems[0], problems


def build_conf_mathjax() -> dict:
    """The MathJax settings the book's pages get (book/conf.py's mathjax3_config)."""
    conf = {}
    exec(compile((ROOT / "book" / "conf.py").read_text(), "conf.py", "exec"), {}, conf)  # noqa: S102 - our file
    return conf.get("mathjax3_config") or {}


@pytest.mark.book
@pytest.mark.browser
def test_every_formula_of_the_book_renders(book, tab):
    html = book / "html"
    server = LocalServer(html)
    problems, with_maths = [], []
    try:
        for path in sorted(html.glob("*.html")):
            report = mathjax_report(tab, f"{server.url}/{path.name}")
            if report is None:
                continue
            with_maths.append(path.name)
            problems += _mathjax_problems(path.name, report)
    finally:
        server.stop()
    assert "07_fast_style_transfer.html" in with_maths and "02_gram_matrices.html" in with_maths, with_maths
    assert not problems, "\n".join(problems)
