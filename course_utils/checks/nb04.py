"""Checks for notebook 04 (the optimisation loop).

q1  ``descent_step(pixels, gradient, learning_rate)``: one step of plain gradient
    descent on an image (H, W, 3) float32, then the pixels clipped to [0, 1];
    returns a new float32 array of the same shape (the input is left as it was)
q2  ``time_to_reach(losses, seconds, target)``: the first time (from ``seconds``,
    the clock at each step) at which the loss is at or below ``target``, as a
    float; None if it never gets there (the course's own is ``transfer.time_to_reach``)
q3  ``adam_step(weights, gradient, m, v, iterations, learning_rate, beta_1, beta_2, epsilon)``:
    one step of Adam as ``keras.optimizers.Adam`` takes it, on float32 arrays of one
    shape; ``iterations`` counts the steps before this one (0 at the first), so the step
    number is ``t = iterations + 1``; returns the new ``(weights, m, v)``::

        m = beta_1 m + (1 - beta_1) g            v = beta_2 v + (1 - beta_2) g²
        alpha = learning_rate sqrt(1 - beta_2^t) / (1 - beta_1^t)
        weights = weights - alpha m / (sqrt(v) + epsilon)
"""

from __future__ import annotations

import numpy as np

from ..i18n import _
from .core import Exercise, Trials


def _descent_step(pixels, gradient, learning_rate):
    return np.clip(pixels - learning_rate * gradient, 0.0, 1.0).astype(np.float32)


def _time_to_reach(losses, seconds, target):
    reached = np.nonzero(np.asarray(losses) <= target)[0]
    return float(seconds[reached[0]]) if len(reached) else None


def _adam_step(weights, gradient, m, v, iterations, learning_rate, beta_1, beta_2, epsilon):
    t = iterations + 1                                     # the step number counts from 1
    m = beta_1 * m + (1 - beta_1) * gradient               # running average of the gradient
    v = beta_2 * v + (1 - beta_2) * np.square(gradient)    # ... and of its square
    alpha = learning_rate * np.sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t)  # both bias corrections
    weights = weights - alpha * m / (np.sqrt(v) + epsilon)
    return weights.astype(np.float32), m.astype(np.float32), v.astype(np.float32)




# ------------------------------------------------------------------ q1 one step of gradient descent


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
        return _("some pixels are outside [0, 1]: clip them after the step (np.clip(..., 0.0, 1.0))")
    if np.allclose(got, np.clip(pixels + rate * gradient, 0, 1), atol=1e-5):
        return _("the step went uphill: subtract learning_rate * gradient, the gradient points to a larger loss")
    if np.allclose(got, np.clip(pixels - gradient, 0, 1), atol=1e-5):
        return _("the learning rate is missing: the step is learning_rate * gradient")
    if np.allclose(got, np.clip(pixels - rate * np.sign(gradient), 0, 1), atol=1e-5):
        return _("that is a sign step; plain gradient descent moves by learning_rate * gradient itself")
    return None


# ------------------------------------------------------------------ q2 time to reach a loss


def _losses(rng, steps, target_at, dip_at):
    """Falling losses, exactly ``float32`` numbers (so a learner's float32 copy compares the same),
    with one dip below the last value at ``dip_at``."""
    losses = np.sort(rng.uniform(1, 100, steps))[::-1].astype(np.float32).astype(np.float64)
    losses[dip_at] = np.float64(np.float32(losses[-1] * 0.9))
    return losses, float(losses[target_at])  # the target is reached exactly (equal) at target_at


def _clock(rng, steps):
    return np.cumsum(rng.uniform(0.2, 0.6, steps))


def _reach_late_dip(rng):
    """The target is first reached, with equality, at its own step; the dip comes later. A
    strict ``<`` finds a later step, the last hit is later still."""
    steps = int(rng.integers(10, 20))
    target_at = int(rng.integers(3, steps - 4))
    losses, target = _losses(rng, steps, target_at, int(rng.integers(target_at + 2, steps - 1)))
    return losses, _clock(rng, steps), target


def _reach_inputs(rng):
    """The same, with the dip anywhere but on the target's step: before it, it is the first hit."""
    steps = int(rng.integers(8, 20))
    target_at = int(rng.integers(3, steps - 1))
    dip_at = int(rng.choice([i for i in range(2, steps - 1) if i != target_at]))
    losses, target = _losses(rng, steps, target_at, dip_at)
    return losses, _clock(rng, steps), target


def _never(rng):
    losses, seconds, _ = _reach_inputs(rng)
    return losses, seconds, float(losses.min() / 2)


def _explain_reach(args, got, expected):
    losses, seconds, target = args
    # A None where the loss is reached is told by the check itself (every path must return a result).
    if expected is None:
        if got is not None:
            return (_("the loss never gets down to {target:.4g} here (its lowest is {losses_min:.4g}): "
                      "return None, got {got!r}").format(target=target, losses_min=losses.min(), got=got))
        return None
    if got is None:
        return None
    if isinstance(got, (int, np.integer)) and not isinstance(got, bool) and 0 <= got < len(seconds) \
            and not np.isclose(got, expected):
        return _("you returned a step number; return the time, seconds[step]")
    try:
        value = float(got)
    except (TypeError, ValueError):
        return None
    hits = np.nonzero(losses <= target)[0]
    strictly = np.nonzero(losses < target)[0]
    if np.isclose(value, expected):
        return None
    if len(strictly) and np.isclose(value, seconds[strictly[0]]):
        return _("'reach' includes equal: the loss at or below the target (<=), not strictly below")
    if np.isclose(value, seconds[hits[-1]]):
        return _("that is the last time the loss is below the target; the question is the first")
    return None


# ------------------------------------------------------------------ q3 one step of Adam


_KERAS_DEFAULTS = (0.001, 0.9, 0.999, 1e-7)
_TUTORIAL = (0.02, 0.99, 0.999, 0.1)  # notebook 04's Adam: the TensorFlow tutorial's settings
# The tutorial's with Keras' beta_1: there, sqrt(1 - beta_2^t) and 1 - beta_1^t are far apart, so
# each mistake in the bias correction gives other numbers (with beta_1 = 0.99 they nearly cancel).
_MID_RUN = (0.02, 0.9, 0.999, 0.1)


def _adam_state(rng, shape, iterations, settings):
    """Pixels and Adam's state after ``iterations`` real steps on random gradients, and the next gradient."""
    learning_rate, beta_1, beta_2, epsilon = settings
    scale = float(rng.choice([0.3, 1.0, 3.0]))
    weights = rng.uniform(0, 1, shape).astype(np.float32)
    m = v = np.zeros(shape, np.float32)
    for i in range(iterations):
        gradient = (rng.normal(0, scale, shape) + 0.5 * scale).astype(np.float32)  # a drift: m is not ~0
        weights, m, v = _adam_step(weights, gradient, m, v, i, *settings)
    gradient = (rng.normal(0, scale, shape) + 0.5 * scale).astype(np.float32)
    return (weights, gradient, m, v, iterations, *settings)


def _adam_shape(rng):
    return int(rng.integers(3, 7)), int(rng.integers(8, 12))


def _adam_mid_run(rng):
    """Step 6 to 15 of a run with epsilon = 0.1, as in the tutorial: not negligible beside sqrt(v)."""
    return _adam_state(rng, _adam_shape(rng), int(rng.integers(5, 15)), _MID_RUN)


def _adam_first(rng):
    """The very first step: m and v are zero, iterations is 0."""
    return _adam_state(rng, _adam_shape(rng), 0, _TUTORIAL)


def _adam_any(rng):
    settings = _KERAS_DEFAULTS if rng.random() < 0.5 else (
        float(rng.choice([0.01, 0.05])), float(rng.choice([0.8, 0.9])), float(rng.choice([0.99, 0.999])),
        float(rng.choice([1e-3, 0.05])))
    return _adam_state(rng, _adam_shape(rng), int(rng.integers(0, 30)), settings)


def _explain_adam(args, got, expected):
    w0, g, m0, v0, iterations, lr, b1, b2, eps = (np.asarray(a, np.float64) if isinstance(a, np.ndarray) else a
                                                  for a in args)
    if isinstance(got, np.ndarray):
        if got.shape == w0.shape:
            return _("return three arrays, the new weights and the new m and v: return weights, m, v")
        return None
    if not isinstance(got, (tuple, list)) or len(got) != 3:
        return None
    try:
        items = [np.asarray(item.numpy() if hasattr(item, "numpy") else item) for item in got]
        w, m, v = (item.astype(np.float64) for item in items)
    except (TypeError, ValueError):
        return None
    if not (w.shape == m.shape == v.shape == w0.shape):
        return None

    def near(a, b):
        return bool(np.allclose(a, b, rtol=1e-4, atol=1e-6))

    new_m = b1 * m0 + (1 - b1) * g
    new_v = b2 * v0 + (1 - b2) * g ** 2
    # --- the running averages
    if not near(m, new_m) or not near(v, new_v):
        if near(m, b2 * m0 + (1 - b2) * g) and near(v, b1 * v0 + (1 - b1) * g ** 2):
            return (_("beta_1 and beta_2 are swapped: m, the average of the gradient, uses beta_1; "
                      "v, the average of its square, uses beta_2"))
        if near(m, (1 - b1) * m0 + b1 * g) or near(v, (1 - b2) * v0 + b2 * g ** 2):
            return (_("the weights of the running average are swapped: keep beta of the old value and add "
                      "(1 - beta) of the new one, m = beta_1 * m + (1 - beta_1) * gradient"))
        if near(m, new_m) and near(v, b2 * v0 + (1 - b2) * g):
            return _("v is the running average of the *squared* gradient: (1 - beta_2) * gradient ** 2")
        if near(m, m0) and near(v, v0):
            return _("m and v are the ones you were given: return the updated running averages")
        return None
    # --- the update, with the new averages
    t = iterations + 1
    right = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t) * new_m / (np.sqrt(new_v) + eps)
    m_hat, v_hat = new_m / (1 - b1 ** t), new_v / (1 - b2 ** t)
    with np.errstate(divide="ignore", invalid="ignore"):
        mistakes = [
            (w0 + right, _("the update went uphill: subtract alpha * m / (sqrt(v) + epsilon), the gradient "
                           "points to a larger loss")),
            (w0 - lr * new_m / (np.sqrt(new_v) + eps),
             _("the bias correction is missing: alpha = learning_rate * sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t), "
               "which matters most in the first steps, when m and v start from 0")),
            (w0 - lr * m_hat / (np.sqrt(v_hat) + eps),
             _("that is the paper's form, epsilon added to the bias-corrected sqrt(v_hat); Keras adds it to "
               "sqrt(v) and puts both corrections into alpha = learning_rate * sqrt(1 - beta_2 ** t) / "
               "(1 - beta_1 ** t): with epsilon = {eps:g}, as here, the two differ").format(eps=eps)),
            (w0 - lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t) * new_m / np.sqrt(new_v + eps),
             _("epsilon goes outside the square root: divide by sqrt(v) + epsilon")),
            (w0 - lr * m_hat / np.sqrt(v_hat + eps), _("epsilon goes outside the square root: divide by sqrt(v) + "
                                                       "epsilon, with alpha holding both bias corrections")),
            (w0 - lr * np.sqrt(1 - b2 ** iterations) / (1 - b1 ** iterations) * new_m / (np.sqrt(new_v) + eps),
             _("the step number t counts from 1: this is step t = iterations + 1 = {t}, not {iterations}").format(
                 t=t, iterations=iterations)),
            (w0 - lr * np.sqrt(1 - b2 ** (t + 1)) / (1 - b1 ** (t + 1)) * new_m / (np.sqrt(new_v) + eps),
             _("the step number is t = iterations + 1 = {t}, not {t_next}").format(t=t, t_next=t + 1)),
            (w0 - lr * (1 - b2 ** t) / (1 - b1 ** t) * new_m / (np.sqrt(new_v) + eps),
             _("v's bias correction needs a square root: alpha = learning_rate * sqrt(1 - beta_2 ** t) / "
               "(1 - beta_1 ** t)")),
            (w0 - lr / (1 - b1 ** t) * new_m / (np.sqrt(new_v) + eps),
             _("v's bias correction is missing: alpha = learning_rate * sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t)")),
            (w0 - lr * np.sqrt(1 - b2 ** t) * new_m / (np.sqrt(new_v) + eps),
             _("m's bias correction is missing: alpha = learning_rate * sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t)")),
            (w0 - lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t) * g / (np.sqrt(new_v) + eps),
             _("the update moves by the running average m, not by the gradient itself")),
            (w0 - lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t) * m0 / (np.sqrt(v0) + eps),
             _("the update uses the old m and v: update the running averages first, then the weights")),
        ]
    if not np.all(np.isfinite(w)):
        if iterations == 0:
            return (_("the weights are NaN or infinite on the first step (iterations = 0): the step number is "
                      "t = iterations + 1, so that 1 - beta_1 ** t is not 0"))
        return None
    if near(w, w0 - right):
        if any(item.dtype != np.float32 for item in items):
            return (_("the numbers are right but not all float32: keep the weights' dtype, as Keras does (np.sqrt "
                      "of a Python number is a NumPy float64, which turns float32 arrays into float64; use "
                      "math.sqrt, or .astype(np.float32) at the end)"))
        return None
    named = {message for wrong, message in mistakes
             if np.all(np.isfinite(wrong)) and near(w, wrong) and not near(wrong, w0 - right)}
    # Some settings make two mistakes give the same numbers (beta_1 = 0.99 and beta_2 = 0.999 nearly
    # cancel the two corrections in the first dozen steps); name one only when it is the only one.
    return named.pop() if len(named) == 1 else None


q1 = Exercise("q1 descent_step", _descent_step, _step_inputs, explain=_explain_step,
              hint=lambda: _("move every pixel against its gradient by learning_rate times the gradient, then keep "
                             "it in range with np.clip(x, 0.0, 1.0) and make it float32 (.astype(np.float32))."))
q2 = Exercise("q2 time_to_reach", _time_to_reach, Trials([_reach_late_dip, _never], _reach_inputs),
              trials=6, explain=_explain_reach,
              hint=lambda: _("find the first index where losses <= target (np.nonzero or a loop) and return seconds "
                             "there; return None when there is none."))
q3 = Exercise("q3 adam_step", _adam_step, Trials([_adam_mid_run, _adam_first], _adam_any), trials=6,
              explain=_explain_adam,
              hint=lambda: _("t = iterations + 1; update m and v with their betas first, then alpha = learning_rate "
                             "* math.sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t) (math.sqrt keeps float32 arrays "
                             "float32), and return weights - alpha * m / (np.sqrt(v) + epsilon), m, v."))
