"""Shared test set-up: no display, quiet TensorFlow, the VGG19 model built once."""

import os

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import pytest  # noqa: E402


@pytest.fixture(scope="session")
def vgg():
    """The course's VGG19 from the default cache (``make test`` prepares it first)."""
    from course_utils import models

    return models.vgg19(verbose=False)


def passes(exercise, learner, **kwargs) -> int:
    """Run an exercise check on ``learner``; return how many times the check called it (its trials)."""
    calls = []

    def counted(*args):
        calls.append(args)
        return learner(*args)

    counted.__name__ = getattr(learner, "__name__", "counted")
    exercise(counted, **kwargs)
    return len(calls)


def fails_with(exercise, wrong, message) -> str:
    """Run an exercise check on a wrong function; the failure is one sentence matching ``message``."""
    from course_utils.checks import CheckFailed

    with pytest.raises(CheckFailed, match=message) as err:
        exercise(wrong)
    assert "\n" not in str(err.value)
    return str(err.value)
