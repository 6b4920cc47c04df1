"""Automatic checks for the exercises: one module per notebook (``nb00``, ``nb01``, ...).

In a notebook::

    from course_utils.checks import nb00 as check
    check.q1(my_function)   # runs it on random inputs against the reference

A check prints a short confirmation when the function is right and raises
:class:`CheckFailed` with one sentence that says exactly what differs otherwise
(shape, dtype, normalisation, values, or the error it raised).
"""

from .core import CheckFailed, Exercise

__all__ = ["CheckFailed", "Exercise"]
