"""The quick-mode switch, the cache folder, seeding, and errors shown in notebooks."""

import os
import subprocess
import sys

import numpy as np
import pytest

from course_utils import config
from course_utils.errors import CourseError, ImageError, SettingError


@pytest.mark.parametrize("value, quick", [("1", True), ("true", True), ("0", False), ("", False)])
def test_quick_switch_is_read_from_the_environment(value, quick):
    env = dict(os.environ, COURSE_QUICK=value)
    out = subprocess.run([sys.executable, "-c", "from course_utils import config; print(config.QUICK, config.pick(full=512, quick=64))"],
                         env=env, capture_output=True, text=True, check=True).stdout.split()
    assert out == [str(quick), "64" if quick else "512"]


def test_quick_is_read_in_one_place():
    """Only config.py reads COURSE_QUICK; everything else asks config."""
    root = config.project_root()
    readers = [p.name for p in (root / "course_utils").rglob("*.py") if "COURSE_QUICK" in p.read_text()]
    assert readers == ["config.py"]


def test_cache_dir_follows_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path / "c"))
    assert config.cache_dir() == tmp_path / "c" and (tmp_path / "c").is_dir()
    monkeypatch.delenv("COURSE_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert config.cache_dir() == tmp_path / "xdg" / "ai-painting-course"


def test_seed_makes_runs_repeatable():
    from course_utils._tf import keras

    config.seed(3)
    a = (np.random.rand(), keras.random.normal((3,)).numpy())
    config.seed(3)
    b = (np.random.rand(), keras.random.normal((3,)).numpy())
    assert a[0] == b[0] and np.array_equal(a[1], b[1])
    with pytest.raises(SettingError, match="seed must be a whole number >= 0"):
        config.seed(-1)


def test_course_errors_show_as_one_line_in_ipython():
    from IPython.core.interactiveshell import InteractiveShell

    from course_utils.errors import install_notebook_handler

    shell = InteractiveShell.instance()
    assert install_notebook_handler()
    shell.user_ns["ImageError"] = ImageError
    seen = []
    shell._showtraceback = lambda etype, evalue, stb: seen.append(stb)
    result = shell.run_cell("raise ImageError(\"No file at 'x.png'; check the path.\")")
    assert not result.success
    assert seen == [["ImageError: No file at 'x.png'; check the path."]]
    assert issubclass(ImageError, CourseError) and issubclass(ImageError, ValueError)
    shell.run_cell("1/0")
    assert len(seen[-1]) > 1, "other errors keep their normal traceback"
