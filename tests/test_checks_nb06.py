"""Notebook 06's checks pass the right answers and name each common mistake."""

import numpy as np
from scipy import linalg

from conftest import fails_with, passes
from course_utils.checks import nb06


def _parts(mu1, s1, mu2, s2):
    diff = mu1 - mu2
    return diff @ diff, np.trace(s1) + np.trace(s2)


def test_q1_frechet_distance_right_answers():
    assert passes(nb06.q1, nb06.q1.reference) == 5

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
    fails_with(nb06.q1, lambda mu1, s1, mu2, s2: nb06.q1.reference(mu1, s1, mu2, s2) + 0j,
               "complex number")
    fails_with(nb06.q1, lambda mu1, s1, mu2, s2: "0.5", "should be a number")
    fails_with(nb06.q1, lambda mu1, s1, mu2, s2: float(np.sum(np.abs(mu1 - mu2))), "expected the result")


def _slerp_parts(z0, z1):
    cos = z0 @ z1 / np.linalg.norm(z0) / np.linalg.norm(z1)
    return np.arccos(np.clip(cos, -1, 1))


def test_q2_slerp_right_answers():
    assert passes(nb06.q2, nb06.q2.reference) == 6

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
    fails_with(nb06.q2, lambda z0, z1, t: nb06.q2.reference(z1, z0, t), "the weights are swapped")
    fails_with(nb06.q2, lambda z0, z1, t: arc(z0, z1, t, _slerp_parts(z0, z1)) * np.sin(_slerp_parts(z0, z1)),
               r"divide both weights by sin\(omega\)")
    with np.errstate(invalid="ignore", divide="ignore"):  # the mistakes' NaNs
        fails_with(nb06.q2, lambda z0, z1, t: arc(z0, z1, t, np.arccos(z0 @ z1)), "divide z0 @ z1 by the lengths")
        # right on general vectors, but no care for parallel ones (the third trial)
        message = fails_with(nb06.q2, lambda z0, z1, t: arc(z0, z1, t, _slerp_parts(z0, z1)), "point the same way")
    assert "straight line" in message
    fails_with(nb06.q2, lambda z0, z1, t: nb06.q2.reference(z0, z1, t).astype(np.float32), "expected dtype")
    fails_with(nb06.q2, lambda z0, z1, t: float(t), "should be a NumPy array")


def test_q2_parallel_trial_has_a_cosine_of_exactly_one_however_it_is_computed():
    rng = np.random.default_rng(0)
    trials = [nb06.q2.make_inputs(rng) for _ in range(6)]
    z0, z1, t = trials[2]
    assert np.all(z1 / z0 == z1[0] / z0[0])  # parallel, the same way
    u0, u1 = z0 / np.linalg.norm(z0), z1 / np.linalg.norm(z1)
    for cos in (z0 @ z1 / (np.linalg.norm(z0) * np.linalg.norm(z1)), u0 @ u1, np.dot(u0, u1),
                np.sum(z0 * z1) / np.sqrt(np.sum(z0 ** 2) * np.sum(z1 ** 2)), float(sum(u0 * u1))):
        assert cos == 1.0
    assert np.arccos(np.clip(z0 @ z1 / (np.linalg.norm(z0) * np.linalg.norm(z1)), -1, 1)) == 0.0


# ------------------------------------------------------------------ q3


def test_q3_reference_is_the_course_coverage():
    from course_utils.gan import quality

    rng = np.random.default_rng(1)
    counts = set()
    for _ in range(30):
        probabilities, min_share = nb06.q3.make_inputs(rng)
        got = nb06.q3.reference(probabilities, min_share)
        assert got == quality.class_coverage(probabilities, 10, min_share).covered
        assert got == quality.class_coverage(np.argmax(probabilities, axis=1), 10, min_share).covered
        counts.add(got)
    assert len(counts) >= 4  # the trials cover few and many classes


def test_q3_no_share_sits_near_the_threshold():
    rng = np.random.default_rng(0)
    for _ in range(12):
        probabilities, min_share = nb06.q3.make_inputs(rng)
        order = np.sort(probabilities, axis=1)
        assert np.all(order[:, -1] - order[:, -2] >= 0.15), "a clear winner in every row"
        shares = np.bincount(np.argmax(probabilities, axis=1), minlength=10) / len(probabilities)
        assert not np.any((shares > 0) & (np.abs(shares - min_share) < 0.004))


def test_q3_classes_covered_right_answers():
    assert passes(nb06.q3, nb06.q3.reference) == 8

    def by_counting(probabilities, min_share):
        verdicts = probabilities.argmax(axis=1)
        return sum(1 for k in range(probabilities.shape[1]) if np.mean(verdicts == k) >= min_share)

    def with_counts(probabilities, min_share):  # counts against min_share × N: the same, away from the edge
        counts = np.bincount(np.argmax(probabilities, -1), minlength=10)
        return np.count_nonzero(counts >= min_share * len(probabilities))

    def with_the_course(probabilities, min_share):
        from course_utils.gan import quality

        return quality.class_coverage(probabilities, 10, min_share).covered

    for right in (by_counting, with_counts, with_the_course):
        assert passes(nb06.q3, right) == 8


def test_q3_classes_covered_names_each_mistake():
    def shares(p):
        return np.bincount(np.argmax(p, axis=1), minlength=10) / len(p)

    fails_with(nb06.q3, lambda p, s: len(np.unique(np.argmax(p, axis=1))), "a class with only a sample or two")
    fails_with(nb06.q3, lambda p, s: int(np.sum(shares(p) >= 0.02)), "use the min_share you are given .here 0.05")
    fails_with(nb06.q3, lambda p, s: int(np.sum(p.mean(axis=0) >= s)), "you averaged the probabilities")
    fails_with(nb06.q3, lambda p, s: int(np.sum(shares(p) < s)), "the comparison is the wrong way round")
    fails_with(nb06.q3, lambda p, s: len(np.unique(np.argmax(p, axis=0))), "np.argmax over axis 0")
    fails_with(nb06.q3, lambda p, s: int(np.sum(np.bincount(np.argmax(p, axis=0), minlength=10) / 10 >= s)),
               "np.argmax over axis 0")
    fails_with(nb06.q3, lambda p, s: int(np.sum(shares(p)[np.argmax(p, axis=1)] >= s)), "that counts samples")
    fails_with(nb06.q3, lambda p, s: shares(p), "one number per class")
    fails_with(nb06.q3, lambda p, s: 10, "expected the result to be")


def test_the_solutions_shown_to_learners_pass_their_checks(capsys):
    for exercise in (nb06.q1, nb06.q2, nb06.q3):
        passes(exercise, exercise.shown_solution)
        exercise.solution()
    shown = capsys.readouterr().out
    assert "def frechet_distance(" in shown and "def slerp(" in shown and "def classes_covered(" in shown
