"""Notebook 04's checks pass the right answers and name each common mistake."""

import math

import numpy as np
import pytest

from conftest import fails_with, passes
from course_utils.checks import nb04


def test_q1_descent_step_right_answers():
    assert passes(nb04.q1, nb04.q1.reference) == 5

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


# ------------------------------------------------------------------ q2


def test_q2_time_to_reach_right_answers():
    assert passes(nb04.q2, nb04.q2.reference) == 6

    def loop(losses, seconds, target):
        for loss, t in zip(losses, seconds):
            if loss <= target:
                return t
        return None

    def in_float32(losses, seconds, target):  # the losses are float32 numbers: a float32 copy compares the same
        hits = np.flatnonzero(np.asarray(losses, np.float32) <= np.float32(target))
        return float(seconds[hits[0]]) if hits.size else None

    for right in (loop, in_float32):
        assert passes(nb04.q2, right) == 6


def test_q2_is_the_course_function():
    from course_utils import transfer

    rng = np.random.default_rng(3)
    answers = set()
    for _ in range(20):
        args = nb04.q2.make_inputs(rng)
        assert transfer.time_to_reach(*args) == nb04.q2.reference(*args)
        answers.add(transfer.time_to_reach(*args) is None)
    assert answers == {True, False}
    assert transfer.time_to_reach([3.0, 2.0, 1.0], [0.5, 1.0, 1.5], 2.0) == 1.0
    assert transfer.time_to_reach([3.0, 2.0], [0.5, 1.0], 1.0) is None
    with pytest.raises(ValueError, match="same length"):
        transfer.time_to_reach([3.0, 2.0], [0.5], 1.0)


def test_q2_inputs_let_each_mistake_show_on_the_first_trial():
    # The first trial reaches the target with equality before the dip: '<' and the last hit both differ.
    losses, seconds, target = nb04.q2.make_inputs(np.random.default_rng(0))
    first = np.flatnonzero(losses <= target)[0]
    assert losses[first] == target and np.flatnonzero(losses < target)[0] > first
    assert np.flatnonzero(losses <= target)[-1] > first
    assert np.array_equal(losses.astype(np.float32).astype(np.float64), losses)


def test_q2_time_to_reach_names_each_mistake():
    def first(losses, target, strict=False):
        return np.nonzero(losses < target if strict else losses <= target)[0]

    fails_with(nb04.q2, lambda l, s, t: int(first(l, t)[0]) if len(first(l, t)) else None,
               "you returned a step number")
    fails_with(nb04.q2, lambda l, s, t: float(s[first(l, t, True)[0]]) if len(first(l, t, True)) else None,
               "'reach' includes equal")
    fails_with(nb04.q2, lambda l, s, t: float(s[first(l, t)[-1]]) if len(first(l, t)) else None,
               "the last time the loss is below the target")
    fails_with(nb04.q2, lambda l, s, t: float(s[0]), "expected the result")
    fails_with(nb04.q2, lambda l, s, t: float(s[first(l, t)[0]]) if len(first(l, t)) else float(s[-1]),
               "never gets down to")
    # None on a later trial, where the loss is reached: the check's own sentence.
    calls = []
    fails_with(nb04.q2, lambda l, s, t: calls.append(1) or (None if len(calls) > 2 else
                                                            nb04.q2.reference(l, s, t)),
               "returned None on input .*every path through it must `return` a result")


def test_q2_a_function_returning_none_is_not_attempted(capsys):
    nb04.q2(lambda losses, seconds, target: None)
    assert "not attempted yet" in capsys.readouterr().out and not nb04.q2.passed


# ------------------------------------------------------------------ q3


def test_q3_adam_step_right_answers():
    assert passes(nb04.q3, nb04.q3.reference) == 6

    def written_out(weights, gradient, m, v, iterations, lr, beta_1, beta_2, epsilon):
        t = iterations + 1
        m = m + (gradient - m) * (1 - beta_1)          # Keras writes the averages this way
        v = v + (gradient ** 2 - v) * (1 - beta_2)
        alpha = lr * math.sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t)
        return weights - alpha * m / (np.sqrt(v) + epsilon), m, v

    def with_epsilon_hat(weights, gradient, m, v, iterations, lr, beta_1, beta_2, epsilon):
        # The paper's form with its epsilon-hat = epsilon * sqrt(1 - beta_2^t): the same update.
        t = iterations + 1
        m = beta_1 * m + (1 - beta_1) * gradient
        v = beta_2 * v + (1 - beta_2) * gradient * gradient
        m_hat, v_hat = m / (1 - beta_1 ** t), v / (1 - beta_2 ** t)
        epsilon_hat = epsilon / math.sqrt(1 - beta_2 ** t)
        return (weights - lr * m_hat / (np.sqrt(v_hat) + epsilon_hat)).astype(np.float32), m, v

    for right in (written_out, with_epsilon_hat):
        assert passes(nb04.q3, right) == 6


@pytest.mark.slow
def test_q3_reference_agrees_with_keras_adam_on_a_tensor():
    import keras

    rng = np.random.default_rng(5)
    for settings in (nb04._TUTORIAL, nb04._KERAS_DEFAULTS):
        lr, beta_1, beta_2, epsilon = settings
        start = rng.uniform(0, 1, (4, 6, 3)).astype(np.float32)
        variable = keras.Variable(start)
        adam = keras.optimizers.Adam(learning_rate=lr, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon)
        weights, m, v = start, np.zeros_like(start), np.zeros_like(start)
        paper = start.astype(np.float64)
        for step in range(12):
            gradient = rng.normal(0.3, 1.0, start.shape).astype(np.float32)
            adam.apply_gradients([(keras.ops.convert_to_tensor(gradient), variable)])
            weights, m, v = nb04.q3.reference(weights, gradient, m, v, step, *settings)
            t = step + 1  # the paper's Algorithm 1, for contrast
            paper = paper - lr * (m / (1 - beta_1 ** t)) / (np.sqrt(v / (1 - beta_2 ** t)) + epsilon)
        assert int(adam.iterations) == 12
        np.testing.assert_allclose(weights, np.asarray(variable), rtol=1e-4, atol=1e-6)
        assert np.abs(start - weights).max() > 1e-3, "the steps moved the weights far more than the tolerance"
        if epsilon > 0.01:  # where epsilon sits matters with the tutorial's epsilon = 0.1: the test can tell
            assert not np.allclose(paper, np.asarray(variable), rtol=1e-4, atol=1e-6)


def _adam(*, t_of=lambda i: i + 1, sign=-1.0, correct_m=True, correct_v=True, v_root=True,
          eps_inside=False, paper=False, betas_swapped=False, by_gradient=False, old_state=False,
          return_state=True, dtype=np.float32):
    """Adam with one thing changed, for the mistakes."""
    def step(w, g, m0, v0, iterations, lr, b1, b2, eps):
        w, g, m0, v0 = (a.astype(np.float64) for a in (w, g, m0, v0))
        if betas_swapped:
            b1, b2 = b2, b1
        m, v = b1 * m0 + (1 - b1) * g, b2 * v0 + (1 - b2) * g ** 2
        t = t_of(iterations)
        mm, vv = (m0, v0) if old_state else (m, v)
        if paper:
            update = lr * (mm / (1 - b1 ** t)) / (np.sqrt(vv / (1 - b2 ** t)) + eps)
        else:
            alpha = lr * ((math.sqrt(1 - b2 ** t) if v_root else 1 - b2 ** t) if correct_v else 1.0) \
                / ((1 - b1 ** t) if correct_m else 1.0)
            denominator = np.sqrt(vv + eps) if eps_inside else np.sqrt(vv) + eps
            update = alpha * (g if by_gradient else mm) / denominator
        w = w + sign * update
        if not return_state:
            return w.astype(dtype)
        return w.astype(dtype), m.astype(np.float32), v.astype(np.float32)
    return step


def test_q3_adam_step_names_each_mistake():
    fails_with(nb04.q3, _adam(correct_m=False, correct_v=False), "the bias correction is missing")
    fails_with(nb04.q3, _adam(betas_swapped=True), "beta_1 and beta_2 are swapped")
    fails_with(nb04.q3, _adam(eps_inside=True), "epsilon goes outside the square root")
    fails_with(nb04.q3, _adam(t_of=lambda i: i), r"the step number t counts from 1: this is step t = iterations \+ 1")
    fails_with(nb04.q3, _adam(t_of=lambda i: i + 2), r"the step number is t = iterations \+ 1")
    fails_with(nb04.q3, _adam(sign=1.0), "the update went uphill")
    fails_with(nb04.q3, _adam(paper=True), "that is the paper's form")
    fails_with(nb04.q3, _adam(v_root=False), "v's bias correction needs a square root")
    fails_with(nb04.q3, _adam(correct_v=False), "v's bias correction is missing")
    fails_with(nb04.q3, _adam(correct_m=False), "m's bias correction is missing")
    fails_with(nb04.q3, _adam(by_gradient=True), "not by the gradient itself")
    fails_with(nb04.q3, _adam(old_state=True), "the update uses the old m and v")
    fails_with(nb04.q3, _adam(return_state=False), "return three arrays")
    fails_with(nb04.q3, _adam(dtype=np.float64), "the numbers are right but not all float32")

    def averages_weighted_the_wrong_way(w, g, m, v, iterations, lr, b1, b2, eps):
        return _adam()(w, g, m, v, iterations, lr, 1 - b1, 1 - b2, eps)

    fails_with(nb04.q3, averages_weighted_the_wrong_way, "the weights of the running average are swapped")

    def no_square(w, g, m, v, iterations, lr, b1, b2, eps):
        w1, m1, _ = nb04.q3.reference(w, g, m, v, iterations, lr, b1, b2, eps)
        return w1, m1, (b2 * v + (1 - b2) * g).astype(np.float32)

    fails_with(nb04.q3, no_square, r"v is the running average of the \*squared\* gradient")
    fails_with(nb04.q3, lambda w, g, m, v, *rest: (nb04.q3.reference(w, g, m, v, *rest)[0], m, v),
               "m and v are the ones you were given")


def test_the_solutions_shown_to_learners_pass_their_checks(capsys):
    for exercise in (nb04.q1, nb04.q2, nb04.q3):
        passes(exercise, exercise.shown_solution)
        exercise.solution()
    shown = capsys.readouterr().out
    assert "def descent_step(" in shown and "def time_to_reach(" in shown and "def adam_step(" in shown
