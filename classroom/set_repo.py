#!/usr/bin/env python3
"""``make set-repo REPO=owner/name [BRANCH=main]``: publish the course from a fork, with working badges.

``course_utils.config.REPO`` (and ``BRANCH``) name the GitHub repository the course is published
from. Colab installs ``course_utils`` from there, and every "Open in Colab" and Binder badge
points there. This command reads the current values from ``course_utils/config.py`` and rewrites,
in one go, every place that holds them:

- ``course_utils/config.py``: ``REPO`` and ``BRANCH``;
- each notebook's badge and its Colab set-up cell (``git+https://github.com/<repo>@<branch>``);
- the README's Colab table and Binder badge, and ``pyproject.toml``'s homepage;
- any other Markdown page of the repository that links to it (the book's, the instructors').

Only addresses of the forms above change (``github.com/<repo>``, ``.../blob/<branch>/``, Colab's
``colab.research.google.com/github/<repo>/blob/<branch>/``,
``@<branch>``, ``mybinder.org/v2/gh/<repo>/<branch>``), so running it twice, or back to the old
name, gives the files back as they were. Standard library only.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = Path("course_utils") / "config.py"
_REPO = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}")
_BRANCH = re.compile(r"[A-Za-z0-9._][A-Za-z0-9._/-]{0,99}")
# The files that hold the address: notebooks, Markdown pages, the package's metadata and the config.
# (notebooks/zh_CN: the Chinese notebooks, rewritten as `make zh` would write them from the rewritten English ones)
PATTERNS = ("notebooks/*.ipynb", "notebooks/zh_CN/*.ipynb", "*.md", "book/*.md", "classroom/*.md", "pyproject.toml",
            str(CONFIG))


class SetRepoError(Exception):
    """A bad repository or branch name, or a checkout without the config; one sentence."""


def current(root: Path) -> tuple[str, str]:
    """``(REPO, BRANCH)`` as ``course_utils/config.py`` holds them now."""
    try:
        text = (root / CONFIG).read_text(encoding="utf-8")
    except OSError:
        raise SetRepoError(f"there is no {CONFIG} in {root}: run make set-repo in the course's folder") from None
    repo = re.search(r'^REPO = "([^"]+)"', text, re.M)
    branch = re.search(r'^BRANCH = "([^"]+)"', text, re.M)
    if not repo or not branch:
        raise SetRepoError(f"{CONFIG} has no REPO = \"...\" or BRANCH = \"...\" line to rewrite")
    return repo.group(1), branch.group(1)


def rewrite(text: str, old: tuple[str, str], new: tuple[str, str]) -> str:
    """``text`` with every address of ``old`` (repo, branch) pointing at ``new``."""
    (old_repo, old_branch), (new_repo, new_branch) = old, new
    r, b = re.escape(old_repo), re.escape(old_branch)
    text = re.sub(rf"github\.com/{r}/blob/{b}/", f"github.com/{new_repo}/blob/{new_branch}/", text)
    text = re.sub(rf"colab\.research\.google\.com/github/{r}/blob/{b}/",
                  f"colab.research.google.com/github/{new_repo}/blob/{new_branch}/", text)
    text = re.sub(rf"github\.com/{r}@{b}(?![\w./-])", f"github.com/{new_repo}@{new_branch}", text)
    text = re.sub(rf"mybinder\.org/v2/gh/{r}/{b}(?![\w.-])", f"mybinder.org/v2/gh/{new_repo}/{new_branch}", text)
    text = re.sub(rf"github\.com/{r}(?![\w.-])", f"github.com/{new_repo}", text)
    text = re.sub(rf'^REPO = "{r}"', f'REPO = "{new_repo}"', text, flags=re.M)
    text = re.sub(rf'^BRANCH = "{b}"', f'BRANCH = "{new_branch}"', text, flags=re.M)
    return text


def set_repo(repo: str, branch: str | None = None, root: Path = ROOT) -> dict[str, int]:
    """Rewrite the course's addresses to ``repo`` (and ``branch``); return the changed files and their edits."""
    if not _REPO.fullmatch(repo or ""):
        raise SetRepoError(f"{repo!r} is not a GitHub repository name: write it as owner/name, "
                           "e.g. make set-repo REPO=my-school/ai-painting-tensorflow")
    old = current(root)
    branch = old[1] if branch in (None, "") else branch
    if not _BRANCH.fullmatch(branch) or ".." in branch:
        raise SetRepoError(f"{branch!r} is not a branch name git accepts")
    changed = {}
    for pattern in PATTERNS:
        for path in sorted(root.glob(pattern)):
            text = path.read_text(encoding="utf-8")
            new = rewrite(text, old, (repo, branch))
            if new != text:
                path.write_text(new, encoding="utf-8")
                changed[str(path.relative_to(root))] = sum(1 for a, b in zip(text.splitlines(), new.splitlines())
                                                           if a != b)
    return changed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m classroom.set_repo", description=__doc__.split("\n\n")[0])
    parser.add_argument("repo", help="owner/name on GitHub")
    parser.add_argument("--branch", default=None, help="the branch the badges open (default: unchanged)")
    parser.add_argument("--root", type=Path, default=ROOT)
    args = parser.parse_args(argv)
    try:
        old = current(args.root)
        changed = set_repo(args.repo, args.branch, args.root)
    except SetRepoError as err:
        print(f"make set-repo: {err}.", file=sys.stderr)
        return 2
    new = current(args.root)
    if not changed:
        print(f"The course already points at {new[0]} ({new[1]}); nothing to change.")
        return 0
    print(f"The course now points at github.com/{new[0]}, branch {new[1]} (was {old[0]}, {old[1]}): "
          f"{len(changed)} files rewritten ({', '.join(changed)}). Review with git diff, then commit.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
