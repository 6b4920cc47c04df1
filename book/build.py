#!/usr/bin/env python3
"""Build the course book: every notebook executed, then rendered as a static HTML site.

``make book`` runs ``python book/build.py --out build/book`` (learners' full sizes, an hour or
more on a laptop CPU); ``make book QUICK=1`` sets ``COURSE_QUICK=1`` and writes build/book-quick
in minutes. ``make book LANG=zh_CN`` (``--language zh_CN``) builds the Chinese book in build/book-zh_CN
from notebooks/zh_CN, with the index page book/zh_CN/index.md, the glossary, Sphinx's Chinese search
and a CJK web font of its own (so no page shows boxes on a machine without Chinese fonts).
``--reuse-outputs DIR --execute NAME…`` (what ``make test`` does for the quick Chinese book) runs only
the notebooks named and gives every other one the outputs of the same notebook already executed in
DIR (the English quick book's src/): their code is the same but the language line, so only the text the
notebook prints or draws stays English. What ends up in the output folder::

    <out>/html/index.html   the site: open it from the file system or serve the folder
    <out>/src/              the executed notebooks and the Sphinx sources they were rendered from
    <out>/report.json       per notebook: seconds, code cells, images, stderr text, TensorFlow log noise

The notebooks run in order of their names with nbclient (kernel ``python3``), with this
process's environment, in an empty working folder of the build (so relative paths behave as in
JupyterLab, and files a notebook writes, such as notebook 06's checkpoints, start from nothing).
Sphinx and myst-nb render them without executing them again; sphinx-book-theme gives the
chapter list and the previous/next links; MathJax is copied from an installed package so that
the pages need no network. Widget views cannot move in a static page, so they are dropped; the
figures they control are ordinary PNG outputs and stay.

Everything is built in a temporary folder beside ``<out>`` and swapped in at the end: a failed
or interrupted build leaves the last good book as it was. A failing notebook stops the build
with one sentence (notebook, cell, the error's last line) and exit status 1.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

BOOK = Path(__file__).resolve().parent
ROOT = BOOK.parent
TITLE = "AI painting with TensorFlow"
TITLES = {"en": TITLE, "zh_CN": "用 TensorFlow 学 AI 作画"}
LANGUAGES = tuple(TITLES)
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
IMAGE_MIMES = ("image/png", "image/jpeg", "image/gif", "image/svg+xml")
COLAB_BADGE_URL = "https://colab.research.google.com/assets/colab-badge.svg"
LOCAL_BADGE = "_static/colab-badge.svg"
# What the site copies of MathJax 3 (package django-static-mathjax): one script with every TeX
# extension in it, and the fonts it loads from its own folder.
MATHJAX_FILES = ("tex-chtml-full.js", "output/chtml/fonts/woff-v2")
# Markdown pages of the book besides the index and the chapters (each marked `orphan: true`).
PAGES = ("instructors.md", "glossary.md")
# The Chinese book: its index page and stylesheet (book/zh_CN/), the glossary in its chapter list, and
# the CJK font it shows Chinese in (the one course_utils.fonts gives the figures, from mplfonts).
ZH_PAGES = ("glossary.md",)
ZH_CSS = "course-zh.css"
ZH_FONT = "_static/fonts/NotoSansCJKsc-Regular.otf"

# Lines a learner cannot act on: TensorFlow's C++ logging (absl/glog prefixes such as
# "I0000 00:00:1700000000.123456  4242 file.cc:42]"), CUDA probing on machines without a GPU,
# oneDNN's and the CPU-instructions notices, and absl's warning about its own start-up.
NOISE_PATTERNS = tuple(re.compile(p) for p in (
    r"^\s*[IWEF]\d{4} \d\d:\d\d:\d\d",
    r"\b(tensorflow|tsl|xla)/[\w/]+\.(cc|h)\b",
    r"\w+\.cc:\d+\]",
    r"\bcuda_\w+",
    r"\bcuInit\b",
    r"TF-TRT Warning",
    r"Could not find cuda drivers",
    r"oneDNN custom operations are on",
    r"WARNING: All log messages before absl::InitializeLog\(\)",
    r"This TensorFlow binary is optimized to use available CPU instructions",
    r"rebuild TensorFlow with the appropriate compiler flags",
))


class BuildError(Exception):
    """A build that cannot go on; its message is one plain sentence for the terminal."""


# ----------------------------------------------------------------------------- notebook contents


def tf_noise(text: str) -> list[str]:
    """The lines of ``text`` that are TensorFlow/CUDA/oneDNN/absl log noise, in order.

    >>> tf_noise("I0000 00:00:1700000000.1  42 cpu_feature_guard.cc:210] hi\\nDownloading data from x")
    ['I0000 00:00:1700000000.1  42 cpu_feature_guard.cc:210] hi']
    """
    return [line for line in text.splitlines()
            if line.strip() and any(p.search(line) for p in NOISE_PATTERNS)]


def output_text(output) -> str:
    """The text of a stream output (nbformat keeps it as a string or a list of strings)."""
    text = output.get("text", "")
    return "".join(text) if isinstance(text, list) else text


def drop_widget_outputs(nb) -> int:
    """Remove ipywidgets views (sliders, VBoxes, tqdm.auto bars) from ``nb``'s outputs, in place.

    A view's plain-text stand-in ("IntSlider(value=3)", a text progress bar) goes with it; any
    other representation in the same output (an image, HTML) is kept. The saved widget state
    goes too, so that the page loads no widget JavaScript. Returns how many views were dropped.
    """
    dropped = 0
    for cell in nb.cells:
        kept = []
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if WIDGET_MIME in data:
                dropped += 1
                data.pop(WIDGET_MIME)
                data.pop("text/plain", None)
                if not data:
                    continue
            kept.append(output)
        if "outputs" in cell:
            cell["outputs"] = kept
    nb.metadata.pop("widgets", None)
    return dropped


def count_images(nb) -> int:
    """How many outputs of ``nb`` show a picture (PNG, JPEG, GIF or SVG)."""
    return sum(1 for cell in nb.cells for output in cell.get("outputs", [])
               if any(mime in output.get("data", {}) for mime in IMAGE_MIMES))


def stderr_texts(nb) -> list[dict]:
    """Each stderr stream output of ``nb`` as ``{"cell": n, "text": ...}`` (cells counted from 1)."""
    return [{"cell": index, "text": output_text(output)}
            for index, cell in enumerate(nb.cells, start=1)
            for output in cell.get("outputs", [])
            if output.get("output_type") == "stream" and output.get("name") == "stderr"]


def noise_in(nb) -> list[dict]:
    """The log-noise lines in ``nb``'s stream outputs (stdout and stderr), with their cells."""
    return [{"cell": index, "line": line}
            for index, cell in enumerate(nb.cells, start=1)
            for output in cell.get("outputs", [])
            if output.get("output_type") == "stream"
            for line in tf_noise(output_text(output))]


def cell_seconds(cell) -> float | None:
    """How long a code cell ran, from the timestamps nbclient records in its metadata."""
    timing = cell.get("metadata", {}).get("execution", {})
    start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
    if not start or not end:
        return None
    parse = lambda stamp: datetime.fromisoformat(stamp.replace("Z", "+00:00"))  # noqa: E731
    return (parse(end) - parse(start)).total_seconds()


def slow_cells(nb, seconds: float = 15.0) -> list[dict]:
    """The code cells that ran ``seconds`` or longer, with what they showed while running.

    A long cell should show progress (a tqdm.auto bar, a live preview, Keras' log); the report
    lists, for each slow cell, its widget views (progress bars), pictures and printed lines, so
    that a silent one stands out. Call it before :func:`drop_widget_outputs`.
    """
    slow = []
    for index, cell in enumerate(nb.cells, start=1):
        took = cell_seconds(cell) if cell.cell_type == "code" else None
        if took is None or took < seconds:
            continue
        outputs = cell.get("outputs", [])
        slow.append({
            "cell": index,
            "seconds": round(took, 1),
            "first_line": next((line for line in cell.source.splitlines() if line.strip()), ""),
            "widget_views": sum(1 for o in outputs if WIDGET_MIME in o.get("data", {})),
            "images": sum(1 for o in outputs if any(m in o.get("data", {}) for m in IMAGE_MIMES)),
            "printed_lines": sum(output_text(o).count("\n") for o in outputs if o.get("output_type") == "stream"),
        })
    return slow


def chapter_title(nb, fallback: str) -> str:
    """The notebook's first top-level Markdown heading ("# 03 · The loss terms"), or ``fallback``."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            match = re.search(r"^# +(.+?)\s*$", cell.source, re.M)
            if match:
                return match.group(1)
    return fallback


def localise_badges(nb) -> None:
    """Point the Colab badge images at the book's own copy, so that pages load nothing from outside,
    and the notebooks' figures from the repository (``../book/_static/``, ``../../book/_static/`` from notebooks/zh_CN) at the book's ``_static/``."""
    for cell in nb.cells:
        if cell.cell_type == "markdown" and COLAB_BADGE_URL in cell.source:
            cell.source = cell.source.replace(COLAB_BADGE_URL, LOCAL_BADGE)
        if cell.cell_type == "markdown" and "book/_static/" in cell.source:  # ../ (English), ../../ (zh_CN)
            cell.source = re.sub(r"\]\((?:\.\./)+book/_static/", "](_static/", cell.source)


# ----------------------------------------------------------------------------- executing


def kernel_env() -> dict:
    """The environment for the kernel: this process's, less a MPLBACKEND that would hide the figures."""
    env = dict(os.environ)
    env.pop("MPLBACKEND", None)  # e.g. Agg from a test run: the kernel must use its inline backend
    return env


def last_line(text: str) -> str:
    """The last non-empty line of ``text`` (what a traceback ends with)."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no message"


def failure(name: str, nb, index: int, error: Exception) -> BuildError:
    """The one-sentence failure for cell ``index`` (0-based) of notebook ``name``."""
    from nbclient.exceptions import CellExecutionError, DeadKernelError

    code = sum(1 for cell in nb.cells[: index + 1] if cell.cell_type == "code")
    if isinstance(error, CellExecutionError):
        what = last_line(f"{error.ename}: {error.evalue}")
    elif isinstance(error, DeadKernelError):
        what = "the Python kernel died (out of memory?)"
    else:
        what = last_line(f"{type(error).__name__}: {error}")
    return BuildError(f"notebook {name} failed in cell {index + 1} (code cell {code}): {what}")


def execute(path: Path, cwd: Path):
    """Run notebook ``path`` top to bottom in a fresh ``python3`` kernel; return it with outputs.

    Raises BuildError naming the first cell that fails.
    """
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=None, startup_timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(cwd)}})
    client.reset_execution_trackers()
    # The kernel's own log (its start-up warnings) would break the one-line-per-notebook progress;
    # what the notebook prints, C-level TensorFlow logs included, reaches its outputs anyway.
    try:
        with client.setup_kernel(env=kernel_env(), cwd=str(cwd), stderr=subprocess.DEVNULL):
            info = client.wait_for_reply(client.kc.kernel_info())
            if info and "language_info" in info["content"]:
                nb.metadata["language_info"] = info["content"]["language_info"]
            for index, cell in enumerate(nb.cells):
                try:
                    client.execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
                except Exception as error:  # noqa: BLE001 - every failure becomes one sentence
                    raise failure(path.name, nb, index, error) from None
    except BuildError:
        raise
    except Exception as error:  # noqa: BLE001 - e.g. no python3 kernel installed
        what = last_line(f"{type(error).__name__}: {error}")
        raise BuildError(f"notebook {path.name} could not be run because its kernel did not start ({what})") from None
    return nb


def strip_language_line(source: str) -> str:
    """A code cell's source without the translated notebooks' ``%env COURSE_LANG=…`` first line."""
    return re.sub(r"\A%env COURSE_LANG=\S+\n", "", source)


def with_outputs_from(path: Path, executed: Path):
    """Notebook ``path`` with the outputs of ``executed`` (the same notebook, run already), or None.

    None when ``executed`` is missing or its code cells are not those of ``path`` (apart from the
    language line), so that the caller runs the notebook instead.
    """
    import nbformat

    if not executed.is_file():
        return None
    nb, done = nbformat.read(path, as_version=4), nbformat.read(executed, as_version=4)
    mine = [cell for cell in nb.cells if cell.cell_type == "code"]
    theirs = [cell for cell in done.cells if cell.cell_type == "code"]
    if [strip_language_line(c.source) for c in mine] != [strip_language_line(c.source) for c in theirs]:
        return None
    for cell, ran in zip(mine, theirs):
        cell.outputs, cell.execution_count = ran.outputs, ran.execution_count
        if "execution" in ran.metadata:
            cell.metadata["execution"] = ran.metadata["execution"]
    nb.metadata["language_info"] = done.metadata.get("language_info", nb.metadata.get("language_info"))
    if "widgets" in done.metadata:
        nb.metadata["widgets"] = done.metadata["widgets"]
    return nb


def run_notebook(path: Path, src: Path, cwd: Path, reuse_from: Path | None = None) -> dict:
    """Execute ``path`` in folder ``cwd``, prepare it for the book, write it into ``src``; return its report entry.

    With ``reuse_from`` (a folder of executed notebooks), take the outputs of the notebook of the same name
    there instead of executing it, if its code is the same.
    """
    import nbformat

    start = time.perf_counter()
    nb = with_outputs_from(path, reuse_from / path.name) if reuse_from is not None else None
    reused = nb is not None
    if nb is None:
        nb = execute(path, cwd)
    seconds = time.perf_counter() - start
    slow = slow_cells(nb)
    dropped = drop_widget_outputs(nb)
    localise_badges(nb)
    nbformat.write(nb, src / path.name)
    print(f"  {path.name:<34} {seconds:7.1f} s  {'outputs reused' if reused else 'ok'}", flush=True)
    entry = {
        "notebook": path.name,
        "page": path.stem + ".html",
        "title": chapter_title(nb, path.stem),
        "seconds": round(seconds, 1),
        "code_cells": sum(1 for cell in nb.cells if cell.cell_type == "code"),
        "images": count_images(nb),
        "widget_views_dropped": dropped,
        "slow_cells": slow,
        "stderr": stderr_texts(nb),
        "noise": noise_in(nb),
    }
    if reused:
        entry["outputs_from"] = str(reuse_from / path.name)
    return entry


def warn_noise(entry: dict) -> None:
    """Print one warning line when a notebook's outputs hold log noise (the build goes on)."""
    if entry["noise"]:
        cells = sorted({item["cell"] for item in entry["noise"]})
        lines = "; ".join(repr(item["line"][:120]) for item in entry["noise"])
        print(f"warning: {entry['notebook']} shows log noise learners cannot act on "
              f"(cell {', '.join(map(str, cells))}): {lines}", flush=True)


# ----------------------------------------------------------------------------- the Sphinx sources


def mathjax_root() -> Path:
    """MathJax 3's browser files (``es5/``) from the installed django-static-mathjax package."""
    spec = importlib.util.find_spec("mathjax")
    root = Path(spec.origin).parent / "static" / "mathjax" / "es5" if spec and spec.origin else None
    if root is None or not (root / MATHJAX_FILES[0]).is_file():
        raise BuildError("the book needs MathJax to show formulas offline: install it with "
                         f"`{sys.executable} -m pip install django-static-mathjax`")
    return root


def copy_mathjax(root: Path, static: Path) -> None:
    """Copy the MathJax script and its fonts into the site's ``_static/mathjax``."""
    for name in MATHJAX_FILES:
        source, target = root / name, static / "mathjax" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copy2(source, target)


def colab_url(notebook: str, language: str = "en") -> str:
    """The Colab address that opens ``notebook`` (of ``language``'s folder) from the course's repository."""
    from course_utils import config

    folder = "notebooks" if language == "en" else f"notebooks/{language}"
    return f"https://colab.research.google.com/github/{config.REPO}/blob/{config.BRANCH}/{folder}/{notebook}"


def mode_notice(quick: bool, language: str = "en", reused: list[str] = ()) -> str:
    """The index page's note on how the notebooks were run (quick mode says so loudly)."""
    day = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    if language == "zh_CN":
        if not quick:
            return f"构建于 {day}，笔记本按学习者使用的完整尺寸运行（`make book LANG=zh_CN`）。"
        notice = ("```{admonition} 快速构建：图片很小\n:class: warning\n"
                  "本书以**快速模式**构建（`COURSE_QUICK=1`，`make book QUICK=1 LANG=zh_CN`）：图像尺寸、"
                  "训练步数和轮数都缩小了，每个笔记本不到 1 分钟就能跑完，所以图片又小又粗糙，数字也和你"
                  "自己运行时得到的不同。`make book LANG=zh_CN` 按完整尺寸构建。\n```\n\n")
        if reused:
            notice += ("```{note}\n为了节省测试时间，以下各章没有重新运行，而是沿用英文版快速构建的输出，"
                       "因此其中程序打印的文字和图中的标注是英文：" + "、".join(reused) + "。\n```\n\n")
        return notice + f"构建于 {day}。"
    if quick:
        return ("```{admonition} Quick build: small pictures\n:class: warning\n"
                "This book was built in **quick mode** (`COURSE_QUICK=1`, `make book QUICK=1`): "
                "image sizes, training steps and epochs were shrunk so that every notebook runs in "
                "under a minute, so the pictures are small and rough and the numbers are not the ones "
                "you will get. `make book` builds it with the learners' full sizes.\n```\n\n"
                f"Built on {day}.")
    return f"Built on {day} with the learners' full sizes (`make book`)."


def chapter_table(entries: list[dict], language: str = "en") -> str:
    """A Markdown table: each chapter, linked, with its Colab badge."""
    head = "| 章节 | 在 Colab 中运行 |" if language == "zh_CN" else "| Chapter | Run it in Colab |"
    rows = [head, "|---|---|"]
    for entry in entries:
        badge = f"[![Open in Colab]({LOCAL_BADGE})]({colab_url(entry['notebook'], language)})"
        rows.append(f"| [{entry['title']}]({entry['notebook']}) | {badge} |")
    return "\n".join(rows)


def cjk_font() -> Path:
    """The Noto Sans CJK SC file the Chinese book's pages show Chinese in (from mplfonts)."""
    from course_utils import fonts

    path = fonts.cjk_font_path()
    if path is None:
        raise BuildError("the Chinese book needs the CJK font of the mplfonts package: install it with "
                         f"`{sys.executable} -m pip install mplfonts`")
    return path


def write_sources(src: Path, entries: list[dict], quick: bool, language: str = "en") -> None:
    """Put conf.py, the index page and the static files beside the executed notebooks in ``src``."""
    shutil.copy2(BOOK / "conf.py", src / "conf.py")
    zh = language == "zh_CN"
    # English: pages beside the chapters, linked from the index (no previous/next); Chinese: the glossary,
    # after the chapters in the table of contents (if it is there: book/glossary.md).
    pages = [page for page in ZH_PAGES if (BOOK / page).is_file()] if zh else list(PAGES)
    for page in pages:
        shutil.copy2(BOOK / page, src / page)
    shutil.copytree(BOOK / "_static", src / "_static", dirs_exist_ok=True)
    copy_mathjax(mathjax_root(), src / "_static")
    if zh:
        shutil.copy2(BOOK / "zh_CN" / ZH_CSS, src / "_static" / ZH_CSS)
        (src / ZH_FONT).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(cjk_font(), src / ZH_FONT)
    template = (BOOK / ("zh_CN/index.md" if zh else "index.md")).read_text(encoding="utf-8")
    reused = [entry["title"] for entry in entries if entry.get("outputs_from")]
    fields = {
        "title": TITLES[language],
        "mode": mode_notice(quick, language, reused),
        "chapters": chapter_table(entries, language),
        "glossary": ("遇到不熟悉的术语，可以查阅[术语表](glossary.md)：课程用到的每个术语都列出了英文原词、"
                     "中文译名和一句话释义。") if "glossary.md" in pages else "",
        "toctree": "\n".join([Path(entry["notebook"]).stem for entry in entries]
                             + ([Path(page).stem for page in pages] if zh else [])),
    }
    for key, value in fields.items():
        template = template.replace("{{ " + key + " }}", value)
    (src / "index.md").write_text(template, encoding="utf-8")


def run_sphinx(src: Path, html: Path, work: Path) -> float:
    """Render ``src`` into ``html`` with Sphinx (warnings on stderr); return the seconds it took."""
    from sphinx.cmd.build import build_main

    start = time.perf_counter()
    status = build_main(["-b", "html", "-q", "-d", str(work / "doctrees"), str(src), str(html)])
    if status != 0:
        raise BuildError(f"Sphinx could not render the book (exit status {status}; its messages are above)")
    shutil.rmtree(html.parent / "jupyter_execute", ignore_errors=True)  # myst-nb's copies of the outputs
    return time.perf_counter() - start


# ----------------------------------------------------------------------------- the output folder


def swap_in(new: Path, out: Path) -> None:
    """Replace folder ``out`` by ``new`` (two renames; the old book is deleted only afterwards)."""
    old = None
    if out.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
        os.replace(out, old / out.name)
    os.replace(new, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def notebooks_in(folder: Path) -> list[Path]:
    """The notebooks of ``folder`` in course order (by name)."""
    found = sorted(folder.glob("*.ipynb"))
    if not found:
        raise BuildError(f"there is no notebook in {folder}")
    return found


def build(notebooks: Path, out: Path, quick: bool, language: str = "en", reuse_from: Path | None = None,
          execute_names: tuple[str, ...] = ()) -> dict:
    """Execute and render everything into a temporary folder, then swap it in as ``out``.

    ``language`` is set as ``COURSE_LANG`` for the kernels and Sphinx (conf.py reads it). With ``reuse_from``,
    only the notebooks in ``execute_names`` run; the others take the outputs of their namesakes there.
    """
    start = time.perf_counter()
    os.environ["COURSE_LANG"] = language
    paths = notebooks_in(notebooks)
    mathjax_root()  # fail before an hour of notebooks, not after
    if language == "zh_CN":
        cjk_font()
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}.building-", dir=out.parent))
    try:
        src = work / "book" / "src"
        src.mkdir(parents=True)
        print(f"Executing {len(paths)} notebooks from {notebooks} ({'quick' if quick else 'full'} mode)",
              flush=True)
        # The notebooks run in an empty folder of the build's own, not in notebooks/: what they write
        # (checkpoints, GIFs, pictures in outputs/) starts from nothing, so notebook 06 trains from
        # scratch instead of resuming a learner's checkpoint, and nothing of the learner's is touched.
        run = work / "run"
        run.mkdir()
        entries = [run_notebook(path, src, run,
                                reuse_from if reuse_from is not None and path.name not in execute_names else None)
                   for path in paths]
        for entry in entries:
            warn_noise(entry)
        write_sources(src, entries, quick, language)
        sphinx_seconds = run_sphinx(src, work / "book" / "html", work)
        print(f"  {'Sphinx':<34} {sphinx_seconds:7.1f} s  ok", flush=True)
        report = {"title": TITLES[language], "language": language, "quick": quick, "built": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                  "notebooks": entries, "sphinx_seconds": round(sphinx_seconds, 1),
                  "total_seconds": round(time.perf_counter() - start, 1)}
        (work / "book" / "report.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        swap_in(work / "book", out)
        return report
    finally:
        shutil.rmtree(work, ignore_errors=True)


def parse_args(argv: list[str] | None):
    """The command line: ``--out`` (required) and ``--notebooks`` (default: the course's)."""
    parser = argparse.ArgumentParser(description="Execute the course's notebooks and render them as a static site.")
    parser.add_argument("--out", type=Path, required=True, help="output folder (gets html/, src/, report.json)")
    parser.add_argument("--notebooks", type=Path, default=None,
                        help="folder of notebooks to execute in name order (default: the course's, "
                             "notebooks/<language> for a translation)")
    parser.add_argument("--language", default="en", choices=LANGUAGES,
                        help="the book's language (zh_CN: the Chinese book, from notebooks/zh_CN)")
    parser.add_argument("--reuse-outputs", type=Path, default=None, metavar="DIR",
                        help="take each notebook's outputs from the executed notebook of the same name in DIR "
                             "(e.g. build/book-quick/src) instead of running it, except those named by --execute")
    parser.add_argument("--execute", nargs="*", default=[], metavar="NAME",
                        help="with --reuse-outputs: the notebooks (file names) that still run")
    args = parser.parse_args(argv)
    if args.notebooks is None:
        args.notebooks = ROOT / "notebooks" if args.language == "en" else ROOT / "notebooks" / args.language
    return args


def stop_on_sigterm() -> None:
    """Turn SIGTERM into SystemExit, so that the temporary folder and the kernel are cleaned up."""
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(143))


def main(argv: list[str] | None = None) -> int:
    """Build the book; on failure print one sentence and return 1."""
    args = parse_args(argv)
    stop_on_sigterm()
    sys.path.insert(0, str(ROOT))
    from course_utils import config

    out = args.out.resolve()
    try:
        report = build(args.notebooks.resolve(), out, config.QUICK, args.language,
                       args.reuse_outputs.resolve() if args.reuse_outputs else None, tuple(args.execute))
    except BuildError as error:
        print(f"The book was not built: {error}; the previous book in {out} is unchanged.",
              file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"The book build was interrupted; the previous book in {out} is unchanged.", file=sys.stderr)
        return 130
    print(f"Built {out / 'html' / 'index.html'} in {report['total_seconds']:.0f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
