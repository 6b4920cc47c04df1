"""The course's own projected L-BFGS (transfer.lbfgs) on problems whose answer is known."""

import numpy as np

from course_utils import transfer


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
