"""Notebook 08's checks pass right answers (NumPy and the course's own functions) and name each common mistake."""

import numpy as np
import pytest

from conftest import fails_with, passes
from course_utils.checks import nb08
from course_utils.diffusion import model as diffusion_model
from course_utils.diffusion import schedule as S


def test_q1_alpha_bars_right_answers():
    assert passes(nb08.q1, nb08._alpha_bars_shown) == 5

    def loop(betas):
        out, product = [], 1.0
        for beta in betas:
            product *= 1 - beta
            out.append(product)
        return np.array(out)

    assert passes(nb08.q1, loop) == 5
    assert passes(nb08.q1, lambda betas: S.Schedule("mine", betas).alpha_bars) == 5


def test_q1_alpha_bars_names_each_mistake():
    fails_with(nb08.q1, lambda b: 1 - b, "that is alpha = 1 - beta at each step")
    fails_with(nb08.q1, lambda b: np.cumprod(b), "cumulative product of the betas")
    fails_with(nb08.q1, lambda b: np.concatenate([[1.0], np.cumprod(1 - b)[:-1]]), "off by one step")
    fails_with(nb08.q1, lambda b: 1 - np.cumsum(b), "only close to the product")
    fails_with(nb08.q1, lambda b: np.cumsum(1 - b), "cumulative sum")
    fails_with(nb08.q1, lambda b: np.full(len(b), np.prod(1 - b)), "product of all the steps")
    fails_with(nb08.q1, lambda b: np.cumprod(1 - b)[:-1], "expected shape")


def test_q2_forward_noise_right_answers_and_the_first_trial_is_t_0():
    assert passes(nb08.q2, nb08._forward_noise_shown) == 5
    assert passes(nb08.q2, lambda x0, t, noise, betas: S.q_sample(S.Schedule("mine", betas), x0,
                                                                  np.full(len(x0), t), noise)) == 5
    seen = []
    nb08.q2(lambda x0, t, noise, betas: seen.append(t) or nb08._forward_noise(x0, t, noise, betas))
    assert seen[0] == 0 and all(t >= 2 for t in seen[1:])


def test_q2_forward_noise_names_each_mistake():
    def with_bar(f):
        return lambda x0, t, noise, betas: f(np.cumprod(1 - betas), t, x0, noise, betas)

    fails_with(nb08.q2, with_bar(lambda a, t, x, n, b: a[t] * x + (1 - a[t]) * n), "square roots are missing")
    fails_with(nb08.q2, with_bar(lambda a, t, x, n, b: np.sqrt(a[t]) * x + (1 - a[t]) * n), "noise's coefficient")
    fails_with(nb08.q2, with_bar(lambda a, t, x, n, b: np.sqrt(1 - a[t]) * x + np.sqrt(a[t]) * n), "swapped")
    fails_with(nb08.q2, with_bar(lambda a, t, x, n, b: np.sqrt(1 - b[t]) * x + np.sqrt(b[t]) * n),
               "this step's alpha = 1 - beta")
    fails_with(nb08.q2, with_bar(lambda a, t, x, n, b: np.sqrt(a[t - 1]) * x + np.sqrt(1 - a[t - 1]) * n),
               "off by one step: you used alpha_bar\\[t - 1\\]")
    fails_with(nb08.q2, with_bar(lambda a, t, x, n, b: np.sqrt(a[t]) * x + np.sqrt(a[t]) * n),
               "weighted by sqrt\\(1 - alpha_bar\\)")


def test_q3_ddim_step_right_answers_and_the_library_agrees():
    assert passes(nb08.q3, nb08._ddim_step_shown) == 5
    s = S.cosine(50)

    def through_the_library(x_t, eps, a_t, a_prev):
        # find times with these alpha_bars by building a two-step schedule that has them
        sched = S.Schedule("two", np.array([1 - a_prev, 1 - a_t / a_prev]))
        n = len(x_t)
        return S.ddim_step(sched, x_t, np.full(n, 1), np.full(n, 0), eps)[0]

    assert passes(nb08.q3, through_the_library) == 5
    assert s.steps == 50


def test_q3_ddim_step_names_each_mistake():
    def x0(x, e, a):
        return (x - np.sqrt(1 - a) * e) / np.sqrt(a)

    fails_with(nb08.q3, lambda x, e, a, p: x0(x, e, a), "estimate of the clean sample")
    fails_with(nb08.q3, lambda x, e, a, p: np.sqrt(p) * x0(x, e, a), "noise term is missing")
    fails_with(nb08.q3, lambda x, e, a, p: x.copy(), "unchanged")
    fails_with(nb08.q3, lambda x, e, a, p: np.sqrt(p) * (x + np.sqrt(1 - a) * e) / np.sqrt(a) + np.sqrt(1 - p) * e,
               "sign of the noise")
    fails_with(nb08.q3, lambda x, e, a, p: p * x0(x, e, a) + (1 - p) * e, "re-noising needs square roots")
    fails_with(nb08.q3, lambda x, e, a, p: np.sqrt(a) * x0(x, e, p) + np.sqrt(1 - a) * e, "swapped")
    fails_with(nb08.q3, lambda x, e, a, p: np.sqrt(p) * (x - np.sqrt(1 - a) * e) + np.sqrt(1 - p) * e,
               "divided by sqrt\\(a_t\\)")


def test_q4_guidance_right_answers_and_the_library_agrees():
    assert passes(nb08.q4, nb08._guided_noise_shown) == 5
    assert passes(nb08.q4, diffusion_model.guided_noise) == 5
    assert passes(nb08.q4, lambda c, u, s: (1 - s) * u + s * c) == 5


def test_q4_guidance_names_each_mistake():
    fails_with(nb08.q4, lambda c, u, s: c + s * (u - c), "predictions are swapped")
    fails_with(nb08.q4, lambda c, u, s: u - s * (c - u), "wrong sign")
    fails_with(nb08.q4, lambda c, u, s: c + s * (c - u), "w = scale - 1")
    fails_with(nb08.q4, lambda c, u, s: s * (c - u), "only the guidance term")
    fails_with(nb08.q4, lambda c, u, s: (c + u) / 2, "plain average")
    fails_with(nb08.q4, lambda c, u, s: u + (c - u) / s, "divides")


@pytest.mark.parametrize("exercise", [nb08.q1, nb08.q2, nb08.q3, nb08.q4])
def test_untouched_exercises_wait_for_the_learner(exercise, capsys):
    def not_written(*args):
        ...  # your code here: replace the ... with your own lines and return the result

    exercise(not_written)
    assert "not attempted yet" in capsys.readouterr().out
    assert not exercise.passed
    exercise.hint()
    exercise.solution()
    out = capsys.readouterr().out
    assert "Hint for" in out and "def " in out and "return " in out
