"""Notebook 04's checks pass the right answers and name each common mistake."""

import numpy as np

from conftest import fails_with, passes
from course_utils.checks import nb04


def test_q1_descent_step_right_answers():
    assert passes(nb04.q1, nb04.solution.descent_step) == 5

    def in_place(pixels, gradient, rate):  # changing the copy it was given is fine
        pixels -= rate * gradient
        np.clip(pixels, 0, 1, out=pixels)
        return pixels

    assert passes(nb04.q1, in_place) == 5


def test_q1_descent_step_names_each_mistake():
    fails_with(nb04.q1, lambda p, g, r: (p - r * g).astype(np.float32), r"outside \[0, 1\]: clip them")
    fails_with(nb04.q1, lambda p, g, r: np.clip(p + r * g, 0, 1).astype(np.float32), "the step went uphill")
    fails_with(nb04.q1, lambda p, g, r: np.clip(p - g, 0, 1).astype(np.float32), "the learning rate is missing")
    fails_with(nb04.q1, lambda p, g, r: np.clip(p - r * np.sign(g), 0, 1).astype(np.float32), "a sign step")
    fails_with(nb04.q1, lambda p, g, r: np.clip(p - r * g, 0, 1).astype(np.float64), "expected dtype float32, got float64")
    fails_with(nb04.q1, lambda p, g, r: p[..., 0], "expected shape")


def test_q2_time_to_reach_right_answers():
    assert passes(nb04.q2, nb04.solution.time_to_reach) == 6

    def loop(losses, seconds, target):
        for loss, t in zip(losses, seconds):
            if loss <= target:
                return t
        return None

    assert passes(nb04.q2, loop) == 6


def test_q2_time_to_reach_names_each_mistake():
    def first(losses, target, strict=False):
        hits = np.nonzero(losses < target if strict else losses <= target)[0]
        return hits

    fails_with(nb04.q2, lambda l, s, t: int(first(l, t)[0]) if len(first(l, t)) else None,
               "you returned a step number")
    fails_with(nb04.q2, lambda l, s, t: float(s[first(l, t, True)[0]]) if len(first(l, t, True)) else None,
               "'reach' includes equal")
    fails_with(nb04.q2, lambda l, s, t: float(s[first(l, t)[-1]]) if len(first(l, t)) else None,
               "the last time the loss is below the target")
    fails_with(nb04.q2, lambda l, s, t: None, "but you returned None")
    fails_with(nb04.q2, lambda l, s, t: float(s[0]), r"the loss reaches|expected the result")
    fails_with(nb04.q2, lambda l, s, t: float(s[first(l, t)[0]]) if len(first(l, t)) else float(s[-1]),
               "never gets down to")
