"""Notebook 06's checks pass the right answers and name each common mistake."""

import numpy as np
from scipy import linalg

from conftest import fails_with, passes
from course_utils.checks import nb06


def _parts(mu1, s1, mu2, s2):
    diff = mu1 - mu2
    return diff @ diff, np.trace(s1) + np.trace(s2)


def test_q1_frechet_distance_right_answers():
    assert passes(nb06.q1, nb06.solution.frechet_distance) == 5

    def by_eigenvalues(mu1, s1, mu2, s2):  # trace of the square root = sum of the roots of the eigenvalues
        means, traces = _parts(mu1, s1, mu2, s2)
        roots = np.sqrt(np.clip(np.linalg.eigvals(s1 @ s2).real, 0, None))
        return float(means + traces - 2 * roots.sum())

    def symmetric(mu1, s1, mu2, s2):  # (s1 s2)^½ has the trace of (s1^½ s2 s1^½)^½, a symmetric matrix
        root1 = linalg.sqrtm(s1).real
        means, traces = _parts(mu1, s1, mu2, s2)
        return means + traces - 2 * np.trace(linalg.sqrtm(root1 @ s2 @ root1).real)

    def written_out(mu1, s1, mu2, s2):
        covmean = np.real(linalg.sqrtm(s1.dot(s2)))
        return float(np.sum((mu1 - mu2) ** 2) + np.trace(s1 + s2 - 2 * covmean))

    for right in (by_eigenvalues, symmetric, written_out):
        assert passes(nb06.q1, right) == 5


def test_q1_frechet_distance_names_each_mistake():
    sq = lambda m: np.real(linalg.sqrtm(m))  # noqa: E731

    def wrong(cross, mean_term=lambda d: d @ d):
        return lambda mu1, s1, mu2, s2: float(mean_term(mu1 - mu2) + np.trace(s1) + np.trace(s2) - cross(s1, s2))

    fails_with(nb06.q1, wrong(lambda a, b: np.trace(sq(a @ b))), "the 2 is missing")
    fails_with(nb06.q1, wrong(lambda a, b: 2 * np.trace(a @ b)), "trace of sigma1 @ sigma2 itself")
    with np.errstate(invalid="ignore"):  # np.sqrt of the negative entries: NaN off the diagonal
        fails_with(nb06.q1, wrong(lambda a, b: 2 * np.trace(np.sqrt(a @ b))), "np.sqrt takes the square root of each")
    fails_with(nb06.q1, wrong(lambda a, b: 2 * np.trace(sq(a) @ sq(b))), "the product of the two square roots")
    fails_with(nb06.q1, wrong(lambda a, b: 2 * np.trace(sq(a @ b)), lambda d: 0.0), "the mean term is missing")
    fails_with(nb06.q1, wrong(lambda a, b: 2 * np.trace(sq(a @ b)), lambda d: np.linalg.norm(d)),
               "must be squared")
    fails_with(nb06.q1, wrong(lambda a, b: -2 * np.trace(sq(a @ b))), "the cross term is subtracted")
    fails_with(nb06.q1, lambda mu1, s1, mu2, s2: nb06.solution.frechet_distance(mu1, s1, mu2, s2) + 0j,
               "complex number")
    fails_with(nb06.q1, lambda mu1, s1, mu2, s2: "0.5", "should be a number")
    fails_with(nb06.q1, lambda mu1, s1, mu2, s2: float(np.sum(np.abs(mu1 - mu2))), "expected the result")


def _slerp_parts(z0, z1):
    cos = z0 @ z1 / np.linalg.norm(z0) / np.linalg.norm(z1)
    return np.arccos(np.clip(cos, -1, 1))


def test_q2_slerp_right_answers():
    assert passes(nb06.q2, nb06.solution.slerp) == 6

    def with_arctan(z0, z1, t):  # the angle from arctan2, which never leaves its range
        unit0 = z0 / np.linalg.norm(z0)
        across = z1 - (z1 @ unit0) * unit0
        omega = np.arctan2(np.linalg.norm(across), z1 @ unit0)
        if omega < 1e-7:
            return (1 - t) * z0 + t * z1
        return (np.sin((1 - t) * omega) * z0 + np.sin(t * omega) * z1) / np.sin(omega)

    def clipped(z0, z1, t):
        omega = _slerp_parts(z0, z1)
        so = np.sin(omega)
        if np.isclose(so, 0):
            return z0 + t * (z1 - z0)
        return np.sin((1.0 - t) * omega) / so * z0 + np.sin(t * omega) / so * z1

    assert passes(nb06.q2, with_arctan) == 6
    assert passes(nb06.q2, clipped) == 6


def test_q2_slerp_names_each_mistake():
    def arc(z0, z1, t, omega):
        return (np.sin((1 - t) * omega) * z0 + np.sin(t * omega) * z1) / np.sin(omega)

    fails_with(nb06.q2, lambda z0, z1, t: (1 - t) * z0 + t * z1, r"straight line \(lerp\)")
    fails_with(nb06.q2, lambda z0, z1, t: nb06.solution.slerp(z1, z0, t), "the weights are swapped")
    fails_with(nb06.q2, lambda z0, z1, t: arc(z0, z1, t, _slerp_parts(z0, z1)) * np.sin(_slerp_parts(z0, z1)),
               r"divide both weights by sin\(omega\)")
    with np.errstate(invalid="ignore", divide="ignore"):  # the mistakes' NaNs
        fails_with(nb06.q2, lambda z0, z1, t: arc(z0, z1, t, np.arccos(z0 @ z1)), "divide z0 @ z1 by the lengths")
        # right on general vectors, but no care for parallel ones (the third trial)
        message = fails_with(nb06.q2, lambda z0, z1, t: arc(z0, z1, t, _slerp_parts(z0, z1)), "point the same way")
    assert "straight line" in message
    fails_with(nb06.q2, lambda z0, z1, t: nb06.solution.slerp(z0, z1, t).astype(np.float32), "expected dtype")
    fails_with(nb06.q2, lambda z0, z1, t: float(t), "should be a NumPy array")
