"""The machinery behind every exercise check: run, compare, explain."""

from __future__ import annotations

import inspect
import re
import textwrap
from typing import Callable

import numpy as np

from ..errors import CourseError


class CheckFailed(CourseError, AssertionError):
    """The learner's function differs from the reference; the message says how."""


def _one_line(text: str) -> str:
    """``text`` with every run of whitespace, newlines included, as one space: a failure is one sentence."""
    return " ".join(str(text).split())


def _describe(value) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    return _one_line(f"{type(value).__name__} {value!r}")[:120]


def _to_numpy(value):
    if hasattr(value, "numpy"):  # tf.Tensor
        value = value.numpy()
    return value


def compare(got, expected, *, rtol: float = 1e-4, atol: float = 1e-5, what: str = "the result") -> str | None:
    """None if ``got`` matches ``expected``, else one sentence saying how it differs."""
    got, expected = _to_numpy(got), _to_numpy(expected)
    if isinstance(expected, tuple):
        if not isinstance(got, (tuple, list)) or len(got) != len(expected):
            return f"{what} should be a tuple of {len(expected)} values, got {_describe(got)}"
        for i, (g, e) in enumerate(zip(got, expected)):
            problem = compare(g, e, rtol=rtol, atol=atol, what=f"item {i} of {what}")
            if problem:
                return problem
        return None
    if isinstance(expected, np.ndarray):
        if not isinstance(got, np.ndarray):
            if np.isscalar(got) or isinstance(got, (list, tuple)):
                return f"{what} should be a NumPy array of shape {expected.shape}, got {_describe(got)}"
            return f"{what} should be an array of shape {expected.shape}, got {type(got).__name__}"
        if got.shape != expected.shape:
            return f"expected shape {expected.shape}, got {got.shape}"
        if got.dtype != expected.dtype:
            return f"expected dtype {expected.dtype}, got {got.dtype}"
        return _compare_values(got, expected, rtol, atol, what)
    if isinstance(expected, (int, float, np.number)) and not isinstance(expected, bool):
        if not isinstance(got, (int, float, np.number)) or isinstance(got, bool):
            return f"{what} should be a number like {expected!r}, got {_describe(got)}"
        return _compare_values(np.asarray(got, float), np.asarray(expected, float), rtol, atol, what)
    if got != expected:
        return f"expected {what} to be {expected!r}, got {got!r}"
    return None


def _compare_values(got, expected, rtol, atol, what):
    if not np.all(np.isfinite(got)) and np.all(np.isfinite(expected)):
        return f"{what} contains NaN or infinite values"
    if np.allclose(got, expected, rtol=rtol, atol=atol):
        return None
    g, e = got.astype(np.float64).ravel(), expected.astype(np.float64).ravel()
    if g.size > 1 and np.any(e != 0) and np.any(g != 0):
        ratio = np.dot(g, e) / np.dot(e, e)
        if np.allclose(g, ratio * e, rtol=rtol, atol=atol) and not np.isclose(ratio, 1.0):
            return (f"{what} is {ratio:.4g} times the expected values: the idea is right, "
                    "check the scaling or normalisation step")
    if got.size == 1:
        return f"expected {what} to be {float(expected):.6g}, got {float(got):.6g}"
    worst = np.unravel_index(np.argmax(np.abs(got.astype(np.float64) - expected)), got.shape)
    return (f"{what} has the right shape and dtype but different values: at index {tuple(int(i) for i in worst)} "
            f"expected {expected[worst]:.6g}, got {got[worst]:.6g}")


class Exercise:
    """One exercise: a reference solution and random test inputs, in the manner of Kaggle's learntools.

    ``make_inputs(rng)`` returns a tuple of arguments; the learner's function and
    the reference are both called with copies of them ``trials`` times.

    In a notebook, ``check.q1(my_function)`` checks, ``check.q1.hint()`` prints the hint and
    ``check.q1.solution()`` prints the reference answer's source. A function that is not written
    yet (it raises ``NotImplementedError`` or returns ``None``) is reported as "not attempted yet",
    in one line and without an error, so a notebook committed with empty exercises runs top to bottom.
    After a successful check ``passed`` is True.
    """

    def __init__(self, label: str, reference: Callable, make_inputs: Callable[[np.random.Generator], tuple], *,
                 trials: int = 5, rtol: float = 1e-4, atol: float = 1e-5, explain: Callable | None = None,
                 hint: str = "", solution: Callable | None = None):
        self.label, self.reference, self.make_inputs = label, reference, make_inputs
        self.trials, self.rtol, self.atol = trials, rtol, atol
        self.explain = explain  # optional: (args, got, expected) -> a more specific message, or None
        self.hint_text = hint
        # What solution() shows; the reference itself unless a plainer version is written for learners.
        self.shown_solution = solution or reference
        self.passed = False
        self.name = label.split(" ", 1)[0]  # "q1"

    def __repr__(self) -> str:
        return f"<exercise {self.label}: call it with your function; .hint() and .solution() on request>"

    def check(self, learner: Callable, seed: int = 0) -> None:
        """Run the check: print a confirmation, or raise CheckFailed saying what differs.

        A function not written yet prints "not attempted yet" instead. Returns None, so that
        a notebook cell ending with the check shows only its line.
        """
        self.passed = False
        if not callable(learner):
            raise CheckFailed(f"{self.label}: pass your function itself, e.g. check(my_function), not {_describe(learner)}")
        rng = np.random.default_rng(seed)
        name = getattr(learner, "__name__", "your function")
        for trial in range(self.trials):
            args = self.make_inputs(rng)
            expected = self.reference(*_copy(args))
            try:
                got = learner(*_copy(args))
            except NotImplementedError:
                if trial == 0:
                    return self._not_attempted(name, "")
                raise CheckFailed(f"{self.label}: {name} raised NotImplementedError on input {_summary(args)} "
                                  f"but not on an earlier one.{self._ask()}") from None
            except Exception as err:  # the learner's bug, reported as one sentence (TensorFlow's span lines)
                raise CheckFailed(f"{self.label}: {name} raised {type(err).__name__}: {_one_line(err)} "
                                  f"(on input {_summary(args)}).{self._ask()}") from None
            if got is None and expected is not None:
                if trial == 0:
                    return self._not_attempted(name, " (it returned None: write its body and `return` the result)")
                raise CheckFailed(f"{self.label}: {name} returned None on input {_summary(args)}; "
                                  f"every path through it must `return` a result.{self._ask()}")
            problem = None
            if self.explain is not None:
                try:
                    problem = self.explain(args, _to_numpy(got), _to_numpy(expected))
                except Exception:  # an answer of a kind the explanation did not foresee: compare() speaks
                    problem = None
            problem = problem or compare(got, expected, rtol=self.rtol, atol=self.atol)
            if problem:
                raise CheckFailed(f"{self.label}: {_one_line(problem)} (on input {_summary(args)}).{self._ask()}")
        self.passed = True
        print(f"✓ {self.label}: {name} matches the reference on {self.trials} random inputs.")

    __call__ = check

    def _ask(self) -> str:
        return f" Stuck? check.{self.name}.hint()" if self.hint_text else ""

    def _not_attempted(self, name: str, why: str) -> None:
        print(f"○ {self.label}: not attempted yet{why}. Write {name}, then run this cell again; "
              f"check.{self.name}.hint() gives a hint, check.{self.name}.solution() the answer.")

    def hint(self) -> None:
        """Print the hint."""
        print(f"Hint for {self.label}: {self.hint_text or 'there is no hint for this one; try solution().'}")

    def solution(self) -> None:
        """Print the reference answer's source code."""
        function = self.label.split(" ", 2)[1] if " " in self.label else None
        print(f"A solution for {self.label}:\n\n{solution_source(self.shown_solution, function)}")


def solution_source(function: Callable, name: str | None = None) -> str:
    """The source code of ``function``, dedented, its ``def`` renamed to ``name`` (the learner's name for it)."""
    try:
        source = textwrap.dedent(inspect.getsource(function)).rstrip()
    except (OSError, TypeError):
        return f"{getattr(function, '__module__', '')}.{getattr(function, '__qualname__', function)!s}"
    if name:
        source = re.sub(r"^def \w+\(", f"def {name}(", source, count=1, flags=re.M)
    return source


def _copy(args):
    return tuple(np.array(a, copy=True) if isinstance(a, np.ndarray) else a for a in args)


def _summary(args) -> str:
    return ", ".join(f"shape {a.shape} {a.dtype}" if isinstance(a, np.ndarray) else repr(a) for a in args)


class Trials:
    """``make_inputs`` that begins every check with some fixed cases, then random ones.

    A check draws its inputs from one fresh random generator; a new generator
    means a new check, which starts again with the first fixed case.
    """

    def __init__(self, first, then):
        self.first, self.then = list(first), then
        self._rng, self._count = None, 0

    def __call__(self, rng):
        if rng is not self._rng:
            self._rng, self._count = rng, 0
        maker = self.first[self._count] if self._count < len(self.first) else self.then
        self._count += 1
        return maker(rng)
