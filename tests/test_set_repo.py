"""`make set-repo REPO=owner/name BRANCH=...`, run on a copy of the repository in a temporary folder.

After it, nothing in the copy names the old repository any more, ``config.REPO`` and
``config.BRANCH`` are the new ones, and the copy's own tests of the badges and of the Colab set-up
cells (tests/test_notebooks.py, tests/test_colab.py), which read ``config.REPO``, pass there. Set
back to the old name, every file is as it was.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from course_utils import config

NEW_REPO, NEW_BRANCH = "my-school/painting-course", "spring-2027"


@pytest.fixture
def copy(tmp_path) -> Path:
    listed = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            capture_output=True, text=True, check=True).stdout
    target = tmp_path / "repo"
    for name in filter(None, listed.split("\0")):
        if (ROOT / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target / name)
    return target


def _make(copy: Path, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "--no-print-directory", "set-repo", f"PYTHON={sys.executable}", *arguments],
                          cwd=copy, capture_output=True, text=True, timeout=120)


def _text_files(root: Path) -> dict[str, str]:
    found = {}
    for path in root.rglob("*"):
        if path.is_file() and path.suffix in (".py", ".md", ".toml", ".ipynb", ".yml", ".txt", "") :
            try:
                found[str(path.relative_to(root))] = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue
    return found


def test_set_repo_rewrites_every_badge_and_setup_cell(copy):
    before = _text_files(copy)
    assert any(config.REPO in text for text in before.values())
    done = _make(copy, f"REPO={NEW_REPO}", f"BRANCH={NEW_BRANCH}")
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"github.com/{NEW_REPO}, branch {NEW_BRANCH}" in done.stdout
    after = _text_files(copy)
    still = [name for name, text in after.items() if config.REPO in text and not name.startswith("tests/")]
    assert not still, f"these files still name {config.REPO}: {still}"
    for name in ("README.md", "pyproject.toml", "course_utils/config.py", "notebooks/00_setup_and_tour.ipynb"):
        assert NEW_REPO in after[name], f"{name} should point at the fork"
    assert f"git+https://github.com/{NEW_REPO}@{NEW_BRANCH}" in after["notebooks/07_fast_style_transfer.ipynb"]
    assert f"mybinder.org/v2/gh/{NEW_REPO}/{NEW_BRANCH}" in after["README.md"]

    env = dict(os.environ, PYTHONPATH=str(copy), COURSE_QUICK="1")
    read = subprocess.run([sys.executable, "-c", "from course_utils import config; print(config.REPO, config.BRANCH)"],
                          cwd=copy, env=env, capture_output=True, text=True)
    assert read.stdout.split() == [NEW_REPO, NEW_BRANCH], read.stderr
    # The copy's own tests of the badges and set-up cells, which compare them with config.REPO.
    tests = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                            "tests/test_notebooks.py", "tests/test_colab.py",
                            "-m", "not slow", "-k", "badge or setup or install or outside_colab"],
                           cwd=copy, env=env, capture_output=True, text=True, timeout=600)
    assert tests.returncode == 0 and " passed" in tests.stdout, tests.stdout[-3000:] + tests.stderr[-2000:]

    back = _make(copy, f"REPO={config.REPO}", f"BRANCH={config.BRANCH}")
    assert back.returncode == 0, back.stderr
    assert _text_files(copy) == before, "setting the old name back gives every file back as it was"


@pytest.mark.parametrize("repo, message", [("", "Say which repository"), ("not a repo", "owner/name"),
                                           ("owner/name/extra", "owner/name")])
def test_a_bad_name_gets_one_sentence_and_changes_nothing(copy, repo, message):
    before = _text_files(copy)
    done = _make(copy, f"REPO={repo}")
    assert done.returncode != 0
    said = (done.stdout + done.stderr).strip().splitlines()
    assert any(message in line for line in said), said
    assert _text_files(copy) == before
