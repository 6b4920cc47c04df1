"""The course's own projected L-BFGS (transfer.lbfgs) on problems whose answer is known."""

import numpy as np
import pytest

from course_utils import transfer
from course_utils.errors import SettingError


def quadratic(d, c):
    def fun(x):
        r = x.astype(np.float64) - c
        return float(0.5 * np.sum(d * r * r)), (d * r).astype(np.float32)
    return fun


def test_lbfgs_finds_the_minimum_inside_the_bounds():
    rng = np.random.default_rng(0)
    d, c = rng.uniform(0.5, 20.0, 300), rng.uniform(0.1, 0.9, 300)
    x, value, reason = transfer.lbfgs(quadratic(d, c), np.full(300, 0.5), 200)
    np.testing.assert_allclose(x, c, atol=1e-3)
    assert value < 1e-5


def test_lbfgs_stops_at_the_bounds_and_stays_inside_them():
    rng = np.random.default_rng(1)
    d, c = rng.uniform(0.5, 20.0, 300), rng.uniform(-0.5, 1.5, 300)  # a third of the minimum lies outside
    seen = []
    x, _, _ = transfer.lbfgs(quadratic(d, c), np.full(300, 0.5), 200,
                             callback=lambda step, x, value: seen.append((x.min(), x.max(), value)))
    np.testing.assert_allclose(x, np.clip(c, 0, 1), atol=1e-3)
    assert all(0.0 <= low and high <= 1.0 for low, high, _ in seen)
    values = [v for _, _, v in seen]
    assert all(b < a for a, b in zip(values, values[1:]))  # every step lowers the loss


def test_lbfgs_needs_fewer_evaluations_than_steps_of_gradient_descent_would():
    # an ill-conditioned quadratic (condition number 1e4): gradient descent would need about 1e4 steps per
    # digit of accuracy; L-BFGS's memory is what makes it solvable in hundreds
    d, c = np.logspace(0, 4, 200), np.linspace(0.2, 0.8, 200)
    calls = []
    fun = quadratic(d, c)

    def counted(x):
        calls.append(1)
        return fun(x)

    x, _, _ = transfer.lbfgs(counted, np.full(200, 0.5), 1000)
    np.testing.assert_allclose(x, c, atol=1e-3)
    assert len(calls) < 1500


def test_a_callback_can_end_the_run():
    def stop(step, x, value):
        if step == 3:
            raise StopIteration

    _, _, reason = transfer.lbfgs(quadratic(np.logspace(0, 2, 10), np.full(10, 0.3)), np.full(10, 0.5), 50,
                                  callback=stop)
    assert reason == "stopped"


def test_a_second_run_with_the_memory_goes_on_as_one_run_would():
    # an ill-conditioned quadratic: a run cut in two with the memory kept needs (nearly) the evaluations
    # of one run; cut in two without it, the second half starts from a gradient step again and needs more
    d, c = np.logspace(0, 3, 100), np.linspace(0.2, 0.8, 100)
    fun = quadratic(d, c)
    start = np.full(100, 0.5)

    def value_after(pieces, keep):
        memory, x = {}, start
        for steps in pieces:
            x, value, _ = transfer.lbfgs(fun, x, steps, memory=memory if keep else None)
        return value

    whole, kept, forgotten = value_after([80], True), value_after([40, 40], True), value_after([40, 40], False)
    assert kept == pytest.approx(whole, rel=1e-3)
    assert forgotten > 1.5 * kept


def test_struggling_means_more_evaluations_per_step_than_the_limit_over_the_window():
    one_each = list(range(1, 31))  # one evaluation per step
    assert not transfer.struggling(one_each, window=10, limit=1.25)
    twice_lately = one_each[:20] + [20 + 2 * k for k in range(1, 11)]  # the last ten steps needed two each
    assert transfer.struggling(twice_lately, window=10, limit=1.25)
    assert not transfer.struggling(twice_lately, window=10, limit=2.5)
    assert not transfer.struggling(twice_lately[:10], window=10, limit=1.25)  # too few steps to tell


def test_a_failed_line_search_empties_the_memory_so_the_next_run_starts_with_a_gradient_step():
    # a quadratic whose values turn into a wall after ten evaluations: no step can lower the loss any more
    d, c = np.logspace(0, 2, 50), np.linspace(0.2, 0.8, 50)
    fun, calls = quadratic(d, c), []

    def walled(x):
        calls.append(1)
        value, grad = fun(x)
        return (value if len(calls) <= 10 else value + 1e6 * len(calls)), grad

    memory = {}
    _, _, reason = transfer.lbfgs(walled, np.full(50, 0.5), 100, memory=memory)
    assert reason == "line search"
    assert memory == {"s": [], "y": [], "rho": []}
    kept = {}
    _, _, reason = transfer.lbfgs(fun, np.full(50, 0.5), 5, memory=kept)
    assert reason == "steps" and 1 <= len(kept["s"]) <= 5  # a run that succeeds keeps its pairs


def badly_scaled(seed, n=500):
    """A quadratic whose curvature differs by 10⁴ from one number to the next, with a dense coupling."""
    rng = np.random.default_rng(seed)
    d, c, u = 10 ** rng.uniform(0, 4, n), rng.uniform(0.2, 0.8, n), rng.normal(size=n) / np.sqrt(n)

    def fun(x):
        r = x.astype(np.float64) - c
        ur = u @ r
        return float(0.5 * np.sum(d * r * r) + 50 * ur * ur), (d * r + 100 * ur * u).astype(np.float32)
    return fun


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_per_number_scale_needs_far_fewer_evaluations_when_the_numbers_are_scaled_differently(seed):
    # as a picture's pixels are (edges against flat sky): the textbook's one scale for all needs about
    # 450 evaluations here, one scale per number (Adam's root mean square) about 120
    def evaluations_to_converge(scaling):
        fun, calls = badly_scaled(seed), []

        def counted(x):
            calls.append(1)
            return fun(x)

        def stop(step, x, value):
            if value < 1e-6:
                raise StopIteration

        _, value, reason = transfer.lbfgs(counted, np.full(500, 0.5), 3000, scaling=scaling, callback=stop)
        assert reason == "stopped", f"{scaling} did not converge ({value:.3g})"
        return len(calls)

    assert evaluations_to_converge("rms") < 0.5 * evaluations_to_converge("scalar")


def test_the_scaling_is_checked_and_the_default_is_the_per_number_one():
    with pytest.raises(SettingError, match="scaling must be one of"):
        transfer.lbfgs(quadratic(np.ones(5), np.full(5, 0.3)), np.full(5, 0.5), 5, scaling="diagonal")
    memory = {}
    transfer.lbfgs(quadratic(np.logspace(0, 2, 10), np.full(10, 0.3)), np.full(10, 0.5), 5, memory=memory)
    assert transfer.LBFGS_SCALING == "rms" and memory["mean_square"].shape == (10,)
