"""The machinery behind every exercise check: run, compare, explain."""

from __future__ import annotations

import inspect
import re
import textwrap
from typing import Callable

import numpy as np

from ..errors import CourseError
from ..i18n import _


class CheckFailed(CourseError, AssertionError):
    """The learner's function differs from the reference; the message says how."""


def _one_line(text: str) -> str:
    """``text`` with every run of whitespace, newlines included, as one space: a failure is one sentence."""
    return " ".join(str(text).split())


def _describe(value) -> str:
    if isinstance(value, np.ndarray):
        return _("an array of shape {shape} and dtype {dtype}").format(shape=value.shape, dtype=value.dtype)
    return _one_line(f"{type(value).__name__} {value!r}")[:120]


def _to_numpy(value):
    if hasattr(value, "numpy"):  # tf.Tensor
        value = value.numpy()
    return value


def compare(got, expected, *, rtol: float = 1e-4, atol: float = 1e-5, what: str | None = None) -> str | None:
    """None if ``got`` matches ``expected``, else one sentence saying how it differs.

    ``what`` names the value in the sentence (``"the result"`` unless given), in the learner's language.
    """
    got, expected = _to_numpy(got), _to_numpy(expected)
    what = _("the result") if what is None else what
    if isinstance(expected, tuple):
        if not isinstance(got, (tuple, list)) or len(got) != len(expected):
            return _("{what} should be a tuple of {count} values, got {got}").format(
                what=what, count=len(expected), got=_describe(got))
        for i, (g, e) in enumerate(zip(got, expected)):
            problem = compare(g, e, rtol=rtol, atol=atol, what=_("item {index} of {what}").format(index=i, what=what))
            if problem:
                return problem
        return None
    if isinstance(expected, np.ndarray):
        if not isinstance(got, np.ndarray):
            if np.isscalar(got) or isinstance(got, (list, tuple)):
                return _("{what} should be a NumPy array of shape {shape}, got {got}").format(
                    what=what, shape=expected.shape, got=_describe(got))
            return _("{what} should be an array of shape {shape}, got {type}").format(
                what=what, shape=expected.shape, type=type(got).__name__)
        if got.shape != expected.shape:
            return _("expected shape {want}, got {got}").format(want=expected.shape, got=got.shape)
        if got.dtype != expected.dtype:
            return _("expected dtype {want}, got {got}").format(want=expected.dtype, got=got.dtype)
        return _compare_values(got, expected, rtol, atol, what)
    if isinstance(expected, (int, float, np.number)) and not isinstance(expected, bool):
        if not isinstance(got, (int, float, np.number)) or isinstance(got, bool):
            return _("{what} should be a number like {want!r}, got {got}").format(
                what=what, want=expected, got=_describe(got))
        return _compare_values(np.asarray(got, float), np.asarray(expected, float), rtol, atol, what)
    if got != expected:
        return _("expected {what} to be {want!r}, got {got!r}").format(what=what, want=expected, got=got)
    return None


def _compare_values(got, expected, rtol, atol, what):
    if not np.all(np.isfinite(got)) and np.all(np.isfinite(expected)):
        return _("{what} contains NaN or infinite values").format(what=what)
    if np.allclose(got, expected, rtol=rtol, atol=atol):
        return None
    g, e = got.astype(np.float64).ravel(), expected.astype(np.float64).ravel()
    if g.size > 1 and np.any(e != 0) and np.any(g != 0):
        ratio = np.dot(g, e) / np.dot(e, e)
        if np.allclose(g, ratio * e, rtol=rtol, atol=atol) and not np.isclose(ratio, 1.0):
            return _("{what} is {ratio:.4g} times the expected values: the idea is right, "
                     "check the scaling or normalisation step").format(what=what, ratio=ratio)
    if got.size == 1:
        return _("expected {what} to be {want:.6g}, got {got:.6g}").format(
            what=what, want=float(expected), got=float(got))
    worst = np.unravel_index(np.argmax(np.abs(got.astype(np.float64) - expected)), got.shape)
    return _("{what} has the right shape and dtype but different values: at index {index} "
             "expected {want:.6g}, got {got:.6g}").format(
        what=what, index=tuple(int(i) for i in worst), want=expected[worst], got=got[worst])


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
                 hint: str | Callable[[], str] = "", solution: Callable | None = None):
        self.label, self.reference, self.make_inputs = label, reference, make_inputs
        self.trials, self.rtol, self.atol = trials, rtol, atol
        self.explain = explain  # optional: (args, got, expected) -> a more specific message, or None
        # The hint: a function that gives it in the learner's language, or a plain string shown as it
        # is. A module's exercises are made at import, before a notebook may choose its language, so
        # the checks write ``hint=lambda: _("...")`` and the hint is looked up each time it is shown.
        self._hint = hint
        # What solution() shows; the reference itself unless a plainer version is written for learners.
        self.shown_solution = solution or reference
        self.passed = False
        self.name = label.split(" ", 1)[0]  # "q1"

    @property
    def hint_text(self) -> str:
        """The hint, in the course's current language ("" when there is none)."""
        return self._hint() if callable(self._hint) else self._hint

    def __repr__(self) -> str:
        return _("<exercise {label}: call it with your function; .hint() and .solution() on request>").format(
            label=self.label)

    def check(self, learner: Callable, seed: int = 0) -> None:
        """Run the check: print a confirmation, or raise CheckFailed saying what differs.

        A function not written yet prints "not attempted yet" instead. Returns None, so that
        a notebook cell ending with the check shows only its line.
        """
        self.passed = False
        if not callable(learner):
            raise CheckFailed(_("{label}: pass your function itself, e.g. check(my_function), not {got}").format(
                label=self.label, got=_describe(learner)))
        rng = np.random.default_rng(seed)
        name = getattr(learner, "__name__", None) or _("your function")
        for trial in range(self.trials):
            args = self.make_inputs(rng)
            expected = self.reference(*_copy(args))
            try:
                got = learner(*_copy(args))
            except NotImplementedError:
                if trial == 0:
                    return self._not_attempted(name)
                raise CheckFailed(_("{label}: {name} raised NotImplementedError on input {inputs} "
                                    "but not on an earlier one.{ask}").format(
                    label=self.label, name=name, inputs=_summary(args), ask=self._ask())) from None
            except Exception as err:  # the learner's bug, reported as one sentence (TensorFlow's span lines)
                raise CheckFailed(_("{label}: {name} raised {error}: {message} (on input {inputs}).{ask}").format(
                    label=self.label, name=name, error=type(err).__name__, message=_one_line(err),
                    inputs=_summary(args), ask=self._ask())) from None
            if got is None and expected is not None:
                if trial == 0:
                    return self._not_attempted(name, returned_none=True)
                raise CheckFailed(_("{label}: {name} returned None on input {inputs}; "
                                    "every path through it must `return` a result.{ask}").format(
                    label=self.label, name=name, inputs=_summary(args), ask=self._ask()))
            problem = None
            if self.explain is not None:
                try:
                    problem = self.explain(args, _to_numpy(got), _to_numpy(expected))
                except Exception:  # an answer of a kind the explanation did not foresee: compare() speaks
                    problem = None
            problem = problem or compare(got, expected, rtol=self.rtol, atol=self.atol)
            if problem:
                raise CheckFailed(_("{label}: {problem} (on input {inputs}).{ask}").format(
                    label=self.label, problem=_one_line(problem), inputs=_summary(args), ask=self._ask()))
        self.passed = True
        print(_("✓ {label}: {name} matches the reference on {trials} random inputs.").format(
            label=self.label, name=name, trials=self.trials))

    __call__ = check

    def _ask(self) -> str:
        """The end of a failure's sentence that points to the hint ("" without one)."""
        # TRANSLATORS: appended right after a failure's full stop; the English starts with its space.
        return _(" Stuck? check.{name}.hint()").format(name=self.name) if self._hint else ""

    def _not_attempted(self, name: str, returned_none: bool = False) -> None:
        if returned_none:
            message = _("○ {label}: not attempted yet (it returned None: write its body and `return` the result). "
                        "Write {name}, then run this cell again; check.{q}.hint() gives a hint, "
                        "check.{q}.solution() the answer.")
        else:
            message = _("○ {label}: not attempted yet. Write {name}, then run this cell again; "
                        "check.{q}.hint() gives a hint, check.{q}.solution() the answer.")
        print(message.format(label=self.label, name=name, q=self.name))

    def hint(self) -> None:
        """Print the hint."""
        text = self.hint_text or _("there is no hint for this one; try solution().")
        print(_("Hint for {label}: {hint}").format(label=self.label, hint=text))

    def solution(self) -> None:
        """Print the reference answer's source code."""
        function = self.label.split(" ", 2)[1] if " " in self.label else None
        heading = _("A solution for {label}:").format(label=self.label)
        print(f"{heading}\n\n{solution_source(self.shown_solution, function)}")


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
    return ", ".join(_("shape {shape} {dtype}").format(shape=a.shape, dtype=a.dtype) if isinstance(a, np.ndarray)
                     else repr(a) for a in args)


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
