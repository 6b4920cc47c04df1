"""Checks for notebook 04 (the optimisation loop).

q1  ``descent_step(pixels, gradient, learning_rate)``: one step of plain gradient
    descent on an image (H, W, 3) float32, then the pixels clipped to [0, 1];
    returns a new float32 array of the same shape (the input is left as it was)
q2  ``time_to_reach(losses, seconds, target)``: the first time (from ``seconds``,
    the clock at each step) at which the loss is at or below ``target``, as a
    float; None if it never gets there
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from .core import Exercise, Trials


def _descent_step(pixels, gradient, learning_rate):
    return np.clip(pixels - learning_rate * gradient, 0.0, 1.0).astype(np.float32)


def _time_to_reach(losses, seconds, target):
    reached = np.nonzero(np.asarray(losses) <= target)[0]
    return float(seconds[reached[0]]) if len(reached) else None


#: The reference solutions, for the committed exercise cells (delete the call to use yours).
solution = SimpleNamespace(descent_step=_descent_step, time_to_reach=_time_to_reach)


def _step_inputs(rng):
    height, width = int(rng.integers(3, 9)), int(rng.integers(10, 16))
    pixels = rng.uniform(0, 1, (height, width, 3)).astype(np.float32)
    gradient = rng.normal(0, 1, (height, width, 3)).astype(np.float32) * 40  # some steps leave [0, 1]
    rate = float(rng.choice([0.005, 0.01, 0.02]))
    return pixels, gradient, rate


def _explain_step(args, got, expected):
    pixels, gradient, rate = args
    if not isinstance(got, np.ndarray) or got.shape != expected.shape:
        return None
    unclipped = pixels - rate * gradient
    if np.allclose(got, unclipped, atol=1e-5) and not np.allclose(unclipped, expected, atol=1e-5):
        return "some pixels are outside [0, 1]: clip them after the step (np.clip(..., 0.0, 1.0))"
    if np.allclose(got, np.clip(pixels + rate * gradient, 0, 1), atol=1e-5):
        return "the step went uphill: subtract learning_rate * gradient, the gradient points to a larger loss"
    if np.allclose(got, np.clip(pixels - gradient, 0, 1), atol=1e-5):
        return "the learning rate is missing: the step is learning_rate * gradient"
    if np.allclose(got, np.clip(pixels - rate * np.sign(gradient), 0, 1), atol=1e-5):
        return "that is a sign step; plain gradient descent moves by learning_rate * gradient itself"
    return None


def _reach_inputs(rng):
    steps = int(rng.integers(8, 20))
    losses = np.sort(rng.uniform(1, 100, steps))[::-1].copy()  # falling, as losses do
    losses[int(rng.integers(2, steps - 2))] = losses[-1] * 0.9  # a dip below the end: the first hit is early
    seconds = np.cumsum(rng.uniform(0.2, 0.6, steps))
    target = float(losses[int(rng.integers(3, steps - 1))])  # reached exactly at some step
    return losses, seconds, target


def _never(rng):
    losses, seconds, _ = _reach_inputs(rng)
    return losses, seconds, float(losses.min() / 2)


def _explain_reach(args, got, expected):
    losses, seconds, target = args
    if expected is None:
        if got is not None:
            return (f"the loss never gets down to {target:.4g} here (its lowest is {losses.min():.4g}): "
                    f"return None, got {got!r}")
        return None
    if got is None:
        if not np.any(losses < target):
            return "'reach' includes equal: the loss at or below the target (<=), not strictly below"
        return f"the loss reaches {target:.4g} at {expected:.4g} s, but you returned None"
    if isinstance(got, (int, np.integer)) and not isinstance(got, bool) and 0 <= got < len(seconds) \
            and not np.isclose(got, expected):
        return "you returned a step number; return the time, seconds[step]"
    hits = np.nonzero(losses <= target)[0]
    strictly = np.nonzero(losses < target)[0]
    if len(strictly) and np.isclose(got, seconds[strictly[0]]) and not np.isclose(got, expected):
        return "'reach' includes equal: the loss at or below the target (<=), not strictly below"
    if np.isclose(got, seconds[hits[-1]]) and not np.isclose(got, expected):
        return "that is the last time the loss is below the target; the question is the first"
    return None


q1 = Exercise("q1 descent_step", _descent_step, _step_inputs, explain=_explain_step,
              hint="return np.clip(pixels - learning_rate * gradient, 0.0, 1.0).astype(np.float32)")
q2 = Exercise("q2 time_to_reach", _time_to_reach, Trials([_reach_inputs, _never], _reach_inputs),
              trials=6, explain=_explain_reach,
              hint="find the first index where losses <= target (np.nonzero or a loop) and return seconds there.")
