"""Google Colab: install the course's helpers and nothing else.

The first code cell of every notebook does this, and only when ``google.colab``
has been imported (that is, in Colab)::

    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "course_utils @ git+https://github.com/<repo>@<branch>"], check=True)
    from course_utils import colab
    colab.setup()

``--no-deps`` is the point: Colab already has TensorFlow, Keras, NumPy, SciPy,
matplotlib, Pillow, scikit-image, scikit-learn, tqdm, imageio and ipywidgets, built
to work together, and the course must not swap any of them for another version.
:func:`setup` then installs only a requirement that is *missing altogether* (the
version is not compared, so Colab's own stays), and says what the notebook runs on.

Widgets: Colab's notebook front end renders the core ``ipywidgets`` of the 7.x series
(Colab ships 7.7) by itself; the course uses only core widgets (sliders, menus, boxes,
HTML), so nothing has to be switched on. Colab's "custom widget manager", which loads
widget code from a CDN, is needed only if something has replaced ipywidgets with 8.x,
whose messages the built-in renderer does not read; :func:`setup` turns it on then.

This module imports only the standard library, so it works before anything else is there.
"""

from __future__ import annotations

import re
import subprocess
import sys
from importlib import metadata

from .i18n import _

__all__ = ["in_colab", "install_command", "missing_requirements", "needs_custom_widget_manager", "setup"]

_NAME = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def in_colab() -> bool:
    """True when running in Google Colab (its ``google.colab`` module is imported)."""
    return "google.colab" in sys.modules


def _pip_install(*arguments: str) -> list[str]:
    """A quiet ``pip install`` in this Python, as a command list."""
    return [sys.executable, "-m", "pip", "install", "--quiet", *arguments]


def install_command(repo: str | None = None, branch: str | None = None) -> list[str]:
    """The pip command the set-up cell runs in Colab: this package from GitHub, without dependencies."""
    from . import config

    repo = config.REPO if repo is None else repo
    branch = config.BRANCH if branch is None else branch
    return _pip_install("--no-deps", f"course_utils @ git+https://github.com/{repo}@{branch}")


def _requirement_name(requirement: str) -> str:
    match = _NAME.match(requirement)
    if match is None:
        raise ValueError(f"cannot read a package name from the requirement {requirement!r}")
    return match.group(1)


def _installed(name: str) -> bool:
    try:
        metadata.version(name)
    except metadata.PackageNotFoundError:
        return False
    return True


def missing_requirements(requirements=None) -> list[str]:
    """The course's requirements that are not installed at all, as written in pyproject.toml.

    A requirement that is installed in any version counts as present: in Colab the
    installed version is the one to keep. Optional extras (``; extra == ...``) are skipped.

    Parameters
    ----------
    requirements : list of str, optional
        Requirement strings; by default those of the installed ``course_utils``.
    """
    if requirements is None:
        requirements = metadata.requires("course_utils") or []
    missing = []
    for requirement in requirements:
        wanted, _, marker = requirement.partition(";")
        if "extra" in marker:
            continue
        if not _installed(_requirement_name(wanted)):
            missing.append(wanted.strip())
    return missing


def needs_custom_widget_manager(ipywidgets_version: str) -> bool:
    """True if Colab's built-in widget renderer (for ipywidgets 7.x) cannot show this ipywidgets."""
    head = str(ipywidgets_version).split(".")[0]
    if not head.isdigit():
        raise ValueError(f"not an ipywidgets version: {ipywidgets_version!r}")
    return int(head) >= 8


def setup(run=subprocess.run, *, quiet: bool = False) -> list[list[str]]:
    """Finish the set-up in Colab: install what is missing, let the widgets show.

    Parameters
    ----------
    run : callable
        Runs a command given as a list (``subprocess.run``).
    quiet : bool
        Do not print the one-line summary.

    Returns
    -------
    list of list of str
        The commands it ran (none when everything was there).
    """
    commands = []
    missing = missing_requirements()
    if missing:
        command = _pip_install(*missing)
        run(command, check=True)
        commands.append(command)
        import importlib

        importlib.invalidate_caches()  # e.g. mplfonts (the Chinese figures' font), importable in this kernel at once
    widgets_version = metadata.version("ipywidgets")
    if in_colab() and needs_custom_widget_manager(widgets_version):
        from google.colab import output

        output.enable_custom_widget_manager()
    if not quiet:
        versions = ", ".join(f"{name} {metadata.version(name)}" for name in ("tensorflow", "keras", "numpy")
                             if _installed(name))
        fields = dict(version=metadata.version("course_utils"), versions=versions, widgets=widgets_version)
        if missing:
            print(_("course_utils {version} is ready, with this runtime's {versions} and ipywidgets {widgets}; "
                    "added {added}.").format(added=", ".join(_requirement_name(m) for m in missing), **fields))
        else:
            print(_("course_utils {version} is ready, with this runtime's {versions} and ipywidgets "
                    "{widgets}.").format(**fields))
    return commands
