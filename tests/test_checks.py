"""Every exercise check passes the right answer and explains wrong ones precisely."""

import numpy as np
import pytest

from conftest import passes
from course_utils.checks import CheckFailed, Exercise, core, nb00


def test_nb00_q1_right_and_wrong():
    assert passes(nb00.q1, nb00.solution.to_float_image) == 5
    assert passes(nb00.q1, lambda p: (p / 255.0).astype(np.float32)) == 5
    cases = {
        "expected dtype float32, got float64": lambda p: p / 255.0,
        "did you divide by 255": lambda p: p.astype(np.float32),
        "times the expected values": lambda p: (p / 256.0).astype(np.float32),
        "expected shape": lambda p: (p[..., 0] / 255.0).astype(np.float32),
        "raised ZeroDivisionError": lambda p: 1 / 0,
        "should be a NumPy array of shape": lambda p: "an image",
    }
    for message, wrong in cases.items():
        with pytest.raises(CheckFailed, match=message):
            nb00.q1(wrong)


def test_nb00_q2_right_and_wrong():
    assert passes(nb00.q2, nb00.solution.resized_shape) == 20
    with pytest.raises(CheckFailed, match=r"expected item \d of the result to be \d+, got \d+"):
        nb00.q2(lambda h, w, n: (int(h * n / max(h, w)), int(w * n / max(h, w))))  # truncates instead of rounding
    with pytest.raises(CheckFailed, match="should be a tuple of 2 values"):
        nb00.q2(lambda h, w, n: n)
    with pytest.raises(CheckFailed, match="pass your function itself"):
        nb00.q2(nb00.solution.resized_shape(3, 4, 5))


def test_failures_are_one_sentence_course_errors():
    with pytest.raises(CheckFailed) as err:
        nb00.q1(lambda p: p)
    assert isinstance(err.value, AssertionError) and "\n" not in str(err.value)
    assert "q1 to_float_image" in str(err.value) and "on input shape" in str(err.value)


def test_compare_covers_nan_and_scalars():
    assert core.compare(np.array([1.0, np.nan]), np.array([1.0, 2.0])) == "the result contains NaN or infinite values"
    assert core.compare(2.0, 2.0) is None
    assert "to be 2, got 3" in core.compare(3.0, 2.0)
    assert "should be a number" in core.compare("2", 2.0)


def test_exercise_checks_the_learner_gets_copies():
    def mutating(x):
        x[...] = 0
        return x

    ex = Exercise("qx", lambda x: x * 2, lambda rng: (rng.normal(size=3),), trials=2)
    with pytest.raises(CheckFailed, match="qx"):
        ex(mutating)
