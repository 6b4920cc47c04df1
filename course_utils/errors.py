"""Errors a learner can cause, each told in one plain sentence with what to do.

Every error the course raises on purpose derives from :class:`CourseError`. In a
notebook, :func:`install_notebook_handler` (run when ``course_utils`` is imported
in IPython) shows such an error as one line instead of a long traceback. The
classes also derive from the matching built-in (``ValueError``, ``OSError`` ...)
so ordinary ``except`` clauses keep working.
"""

from __future__ import annotations


class CourseError(Exception):
    """Base class: the message says what went wrong and what to do about it."""


class SettingError(CourseError, ValueError):
    """A setting is out of range, of the wrong kind or unknown (a negative weight, ``steps=0``, a layer
    name VGG19 does not have, a size too big for memory); the message names the setting and what to pass."""


class ImageError(CourseError, ValueError):
    """An image could not be read, or an array is not an image."""


class DownloadError(CourseError, OSError):
    """A file could not be downloaded, or did not match its checksum."""


class WeightsError(CourseError, RuntimeError):
    """No source of pretrained weights could be used."""


def _show_course_error(shell, etype, value, tb, tb_offset=None):
    """IPython custom-exception hook: one line, no traceback."""
    # A structured traceback of one line, shown the way IPython shows any error,
    # so Jupyter still marks the cell as failed (and nbval still sees the error).
    stb = [f"{etype.__name__}: {value}"]
    shell._showtraceback(etype, value, stb)
    return stb


def install_notebook_handler() -> bool:
    """Show :class:`CourseError` in IPython as one line. Returns True if installed."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    if shell is None:
        return False
    shell.set_custom_exc((CourseError,), _show_course_error)
    return True
