"""Automatic checks for the exercises: one module per notebook (``nb00``, ``nb01``, ...).

An exercise cell holds the learner's function, its body not written yet, and the check::

    from course_utils.checks import nb02 as check

    def gram_matrix(features):
        \"\"\"(H, W, C) -> (C, C) float32, summed over positions and divided by H * W.\"\"\"
        ...  # your code here: replace the ... with your own lines and return the result

    check.q1(gram_matrix)

``check.q1(fn)`` runs ``fn`` on random inputs against the reference answer and

- prints "○ q1 …: not attempted yet" while ``fn`` is not written (it returns ``None``
  or raises ``NotImplementedError``), raising nothing, so a notebook with empty exercises
  runs top to bottom;
- prints "✓ …" when ``fn`` is right, and sets ``check.q1.passed``;
- raises :class:`CheckFailed` otherwise, with one sentence that says exactly what differs
  (shape, dtype, normalisation, values, the mistake it looks like, or the error it raised).

``check.q1.hint()`` prints a hint and ``check.q1.solution()`` an answer, on request. Each
exercise's reference is ``check.q1.reference`` (what the tests use).
"""

from .core import CheckFailed, Exercise

__all__ = ["CheckFailed", "Exercise"]
