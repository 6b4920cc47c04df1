"""The instructor's guide (book/instructors.md) and the small parts of the classroom tools.

The guide's table of mistakes is what the course says now (each mistake is made again here), its
table of times has every notebook, and the book carries the page. The kit's check of a target's
wheels is tested on wheels made here (a Windows target needs ``colorama`` where Linux needs
``pexpect``, which pip, run on Linux, does not see), as are a kit's refusal of a Python it has no
wheels for and the copying of its cache.
"""

from __future__ import annotations

import json
import re
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT

if str(ROOT) not in sys.path:  # the instructor's tools live beside course_utils, not inside it
    sys.path.insert(0, str(ROOT))

from classroom import kit, mistakes, set_repo, solutions  # noqa: E402

GUIDE = ROOT / "book" / "instructors.md"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_the_guides_mistakes_are_what_the_course_says_now():
    written = mistakes.current_section(GUIDE.read_text(encoding="utf-8"))
    now = mistakes.table()
    assert mistakes.masked(written) == mistakes.masked(now), (
        "a message in the guide's table of mistakes has changed in the course: run "
        "`python -m classroom.mistakes --write book/instructors.md` and review the diff")
    assert now.count("\n") == len(mistakes.MISTAKES) + 1
    for row in now.splitlines()[2:]:
        said = row.split(" | ")[2]
        assert said and "Traceback" not in said and "\n" not in said


def test_the_guide_has_a_time_for_every_notebook_and_both_plans():
    text = GUIDE.read_text(encoding="utf-8")
    times = text.split("<!-- times:start -->", 1)[1].split("<!-- times:end -->", 1)[0]
    rows = [line for line in times.splitlines() if re.match(r"\| \d\d \|", line)]
    assert [row[2:4] for row in rows] == [path.name[:2] for path in NOTEBOOKS]
    assert all(" s |" in row for row in rows), "every notebook's quick-mode time is measured"
    for wanted in ("## A three-hour workshop", "## A two-day course", "make kit", "make book", "make solutions",
                   "## The mistakes learners make most"):
        assert wanted in text
    assert text.startswith("---\norphan: true\n---"), "the page sits beside the chapters, outside previous/next"


def test_the_book_carries_the_guide_linked_from_its_index(tmp_path):
    sys.path.insert(0, str(ROOT / "book"))
    try:
        import build
    finally:
        sys.path.pop(0)
    pytest.importorskip("mathjax", reason="the book's extras (make test-unit installs them)")
    build.write_sources(tmp_path, [{"notebook": "00_setup_and_tour.ipynb", "title": "00 · Set-up"}], quick=True)
    assert (tmp_path / "instructors.md").read_text() == GUIDE.read_text()
    assert "(instructors.md)" in (tmp_path / "index.md").read_text()


# ------------------------------------------------------------------ the kit's check of a target's wheels


def _wheel(folder: Path, name: str, version: str, tag: str, requires=(), requires_python=None) -> None:
    lines = [f"Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    lines += [f"Requires-Dist: {r}" for r in requires]
    if requires_python:
        lines.append(f"Requires-Python: {requires_python}")
    path = folder / f"{name}-{version}-{tag}.whl"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(f"{name}-{version}.dist-info/METADATA", "\n".join(lines) + "\n")


def test_the_kit_check_reads_markers_as_each_target_would(tmp_path):
    _wheel(tmp_path, "ipython", "9.0", "py3-none-any",
           ['colorama; sys_platform == "win32"', 'pexpect>4.3; sys_platform != "win32"',
            'typing_extensions; python_version < "3.12"'])
    _wheel(tmp_path, "pexpect", "4.9.0", "py2.py3-none-any")
    _wheel(tmp_path, "numpy", "2.3.0", "cp312-cp312-win_amd64")
    linux, windows = ("linux-x86_64", "3.12"), ("windows-x86_64", "3.12")
    assert kit.missing(tmp_path, ["ipython"], linux) == []
    assert kit.missing(tmp_path, ["ipython"], windows) == ["colorama"]
    assert kit.missing(tmp_path, ["ipython"], ("linux-x86_64", "3.11")) == ["typing_extensions"]
    assert kit.missing(tmp_path, ["numpy>=2"], windows) == []
    assert kit.missing(tmp_path, ["numpy>=2"], linux) == ["numpy>=2"], "a Windows wheel is no use on Linux"
    assert kit.missing(tmp_path, ["numpy>=2"], ("windows-x86_64", "3.13")) == ["numpy>=2"]
    _wheel(tmp_path, "pure", "2.0", "py3-none-any", requires_python=">=3.13")
    assert kit.missing(tmp_path, ["pure"], linux) == ["pure"], "Requires-Python counts"
    assert kit.missing(tmp_path, ["pure"], ("linux-x86_64", "3.13")) == []


def test_manylinux_and_macos_tags_cover_older_wheels():
    linux = kit.supported_tags(("linux-x86_64", "3.12"))
    assert {"cp312-cp312-manylinux_2_17_x86_64", "py3-none-manylinux2010_x86_64", "cp312-abi3-manylinux_2_28_x86_64",
            "py3-none-any"} <= linux
    assert "cp312-cp312-manylinux_2_34_x86_64" not in linux, "glibc 2.28 is the floor the README promises"
    mac = kit.supported_tags(("macos-arm64", "3.13"))
    assert "cp313-cp313-macosx_12_0_arm64" in mac and "cp313-cp313-macosx_15_0_arm64" not in mac


def _a_kit(folder: Path, python: str) -> Path:
    (folder / "cache" / "vgg19").mkdir(parents=True)
    (folder / "cache" / "vgg19" / "vgg19_notop.json").write_text("{}")
    (folder / "paintings").mkdir()
    (folder / "paintings" / "starry_night.jpg").write_bytes(b"jpeg")
    manifest = {"built": "2026-01-01T00:00:00", "wheels": 1, "targets": [{"platform": "linux-x86_64", "python": python}],
                "cache_files": ["vgg19/vgg19_notop.json"], "paintings": {"included": ["starry_night.jpg"]}}
    (folder / "kit.json").write_text(json.dumps(manifest))
    return folder


def test_a_kit_without_this_python_says_so_in_one_sentence(tmp_path, capsys):
    if kit.here()[0] != "linux-x86_64":
        pytest.skip("the made-up kit is for Linux x86-64")
    this = kit.here()[1]
    other = "3.99" if this != "3.99" else "3.98"
    folder = _a_kit(tmp_path / "kit", other)
    assert kit.main(["ready", "--kit", str(folder)]) == 2
    said = capsys.readouterr().err.strip()
    assert "\n" not in said and f"no wheels for linux-x86_64 with Python {this}" in said and other in said
    assert kit.main(["ready", "--kit", str(tmp_path / "nowhere")]) == 2
    assert "is not a classroom kit" in capsys.readouterr().err


def test_install_cache_copies_the_kits_weights_and_paintings_once(tmp_path, monkeypatch):
    folder = _a_kit(tmp_path / "kit", "3.12")
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path / "cache"))
    assert kit.install_cache(str(folder), log=lambda line: None) == ["cache/vgg19/vgg19_notop.json",
                                                                     "paintings/starry_night.jpg"]
    assert (tmp_path / "cache" / "paintings" / "starry_night.jpg").read_bytes() == b"jpeg"
    assert kit.install_cache(str(folder), log=lambda line: None) == [], "the second time nothing is copied"


# ------------------------------------------------------------------ set-repo and the solutions' parsing


def test_set_repo_rewrites_only_the_course_addresses():
    old, new = ("ai-painting-course/ai-painting-tensorflow", "main"), ("me/fork", "dev")
    text = ("[![Open](https://colab.research.google.com/assets/colab-badge.svg)]"
            "(https://colab.research.google.com/github/ai-painting-course/ai-painting-tensorflow/blob/main/notebooks/00.ipynb)\n"
            '"course_utils @ git+https://github.com/ai-painting-course/ai-painting-tensorflow@main"\n'
            "https://mybinder.org/v2/gh/ai-painting-course/ai-painting-tensorflow/main?urlpath=lab\n"
            'REPO = "ai-painting-course/ai-painting-tensorflow"\nBRANCH = "main"\n'
            "https://github.com/ai-painting-course/ai-painting-tensorflow-extras stays\n")
    changed = set_repo.rewrite(text, old, new)
    assert "github/me/fork/blob/dev/notebooks" in changed and "git+https://github.com/me/fork@dev" in changed
    assert "gh/me/fork/dev?" in changed and 'REPO = "me/fork"' in changed and 'BRANCH = "dev"' in changed
    assert "ai-painting-tensorflow-extras stays" in changed, "another repository with a longer name is left alone"
    assert set_repo.rewrite(changed, new, old) == text


def test_open_exercises_are_found_in_both_forms():
    assert solutions.open_exercises("**Exercise 4 (no check).** Do this.\n\n**Exercise 5 (no check).** And that.") == \
        ["exercise 4", "exercise 5"]
    assert solutions.open_exercises("**Open exercises**\n1. One\n2. Two\n   still two\n3. Three") == \
        ["open 1", "open 2", "open 3"]
    assert solutions.open_exercises("**Exercise 1.** Write `f`.") == []
    answers = solutions.read_answers()
    assert ("01", "exercise 4") in answers and ("07", "open 5") in answers
