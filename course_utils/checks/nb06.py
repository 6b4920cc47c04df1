"""Checks for notebook 06 (DCGAN painting).

q1  ``frechet_distance(mu1, sigma1, mu2, sigma2)``: the squared Fréchet distance between
    two Gaussians, ``|mu1 - mu2|² + trace(sigma1 + sigma2 - 2 (sigma1 sigma2)^½)`` with the
    *matrix* square root (``scipy.linalg.sqrtm``), as a float
q2  ``slerp(z0, z1, t)``: spherical linear interpolation between two noise vectors
    (D,) at a fraction ``t`` in [0, 1]; the straight line when they point the same way
q3  ``classes_covered(probabilities, min_share)``: from the judge's class probabilities
    (N, n_classes), one row per generated sample, how many classes are covered: each
    sample counts for its most probable class, and a class is covered when at least
    ``min_share`` of the samples fall in it; an int (what ``gan.class_coverage`` counts)
"""

from __future__ import annotations

import numpy as np

from ..gan import latent, quality
from ..i18n import _
from .core import Exercise, Trials



def _classes_covered(probabilities, min_share):
    verdicts = np.argmax(probabilities, axis=1)                  # the judge's class for each sample
    counts = np.bincount(verdicts, minlength=probabilities.shape[1])
    shares = counts / len(verdicts)                              # the share of the samples in each class
    return int(np.sum(shares >= min_share))


def _frechet_shown(mu1, sigma1, mu2, sigma2):
    """What ``check.q1.solution()`` shows: the formula alone (the course's function also checks its inputs)."""
    from scipy import linalg

    diff = mu1 - mu2
    covmean = np.real(linalg.sqrtm(sigma1 @ sigma2))  # round-off can leave tiny imaginary parts
    return float(diff @ diff + np.trace(sigma1 + sigma2 - 2 * covmean))


def _slerp_shown(z0, z1, t):
    """What ``check.q2.solution()`` shows: one pair of vectors, one t."""
    cos = z0 @ z1 / (np.linalg.norm(z0) * np.linalg.norm(z1))
    omega = np.arccos(np.clip(cos, -1.0, 1.0))  # round-off can put the cosine a hair above 1
    if np.sin(omega) < 1e-6:                    # the same direction: the arc is the straight line
        return (1 - t) * z0 + t * z1
    return np.sin((1 - t) * omega) / np.sin(omega) * z0 + np.sin(t * omega) / np.sin(omega) * z1




# ------------------------------------------------------------------ q1 Fréchet distance


def _covariance(rng, d):
    a = rng.normal(size=(d, d))
    return a @ a.T / d + 0.1 * np.eye(d)


def _gaussians(rng):
    d = int(rng.integers(3, 7))
    return rng.normal(size=d), _covariance(rng, d), rng.normal(size=d) * 2, _covariance(rng, d)


def _same_spread(rng):
    """Equal covariances, different means: only the mean term is left."""
    mu1, sigma, mu2, _ = _gaussians(rng)
    return mu1, sigma, mu2, sigma.copy()


def _same_mean(rng):
    """Equal means, different covariances: only the trace term is left."""
    mu, sigma1, _, sigma2 = _gaussians(rng)
    return mu, sigma1, mu.copy(), sigma2


def _sqrtm(matrix):
    from scipy import linalg

    return np.real(linalg.sqrtm(matrix))


def _explain_frechet(args, got, expected):
    mu1, sigma1, mu2, sigma2 = args
    if isinstance(got, (complex, np.complexfloating)) or (isinstance(got, np.ndarray) and np.iscomplexobj(got)):
        return (_("the result is a complex number: scipy.linalg.sqrtm leaves tiny imaginary parts from round-off; "
                  "keep the real part (np.real) of the square root"))
    try:
        value = float(got)
    except (TypeError, ValueError):
        return None
    diff = mu1 - mu2
    means, traces = diff @ diff, np.trace(sigma1) + np.trace(sigma2)
    root = np.trace(_sqrtm(sigma1 @ sigma2))
    with np.errstate(invalid="ignore"):
        elementwise = np.trace(np.sqrt(sigma1 @ sigma2))
    mistakes = [
        (means + traces - root, _("the cross term is 2 × trace((sigma1 sigma2)^½); the 2 is missing")),
        (means + traces - 2 * np.trace(sigma1 @ sigma2),
         _("that is the trace of sigma1 @ sigma2 itself; take its matrix square root first (scipy.linalg.sqrtm)")),
        (means + traces - 2 * elementwise,
         _("np.sqrt takes the square root of each entry; the formula needs the matrix square root, "
           "scipy.linalg.sqrtm(sigma1 @ sigma2)")),
        (means + traces - 2 * np.trace(_sqrtm(sigma1) @ _sqrtm(sigma2)),
         _("that is the product of the two square roots; the formula takes the square root of the product, "
           "sqrtm(sigma1 @ sigma2)")),
        (traces - 2 * root, _("the mean term is missing: add |mu1 - mu2|², the squared distance between the means")),
        (np.sqrt(means) + traces - 2 * root,
         _("the distance between the means must be squared: |mu1 - mu2|² = (mu1 - mu2) @ (mu1 - mu2)")),
        (means + traces + 2 * root, _("the cross term is subtracted: ... - 2 × trace((sigma1 sigma2)^½)")),
    ]
    if np.isclose(value, expected, rtol=1e-4, atol=1e-5):
        return None
    for wrong, message in mistakes:
        if np.isfinite(wrong) and np.isclose(value, wrong, rtol=1e-6, atol=1e-8):
            return message
    return None


# ------------------------------------------------------------------ q2 slerp


def _vectors(rng):
    d = int(rng.integers(8, 33))
    return rng.normal(size=d), rng.normal(size=d), float(rng.uniform(0.1, 0.9))


def _parallel(rng):
    """z1 = k z0, with numbers chosen so that the cosine is exactly 1 however it is computed.

    Every entry of z0 is +c or -c with c a power of two, and there are 16 or 64 of them, so
    z0 @ z0 = 16 c² or 64 c², the length 4c or 8c and z0 / |z0| (±1/4 or ±1/8) are exact; k is
    a power of two, so z1 = k z0 is exact too. The angle is then exactly 0 and sin(omega) exactly
    0 on every machine, and the arc formula divides 0 by 0. (With z1 = 2.3 z0 the cosine rounds to
    just below 1 on some CPUs and the arc formula, which is fine for tiny angles, gives the line.)
    """
    d = int(rng.choice([16, 64]))
    z0 = float(rng.choice([0.5, 1.0, 2.0])) * rng.choice([-1.0, 1.0], size=d)
    return z0, z0 * float(rng.choice([0.5, 2.0, 4.0])), float(rng.uniform(0.1, 0.9))


def _explain_slerp(args, got, expected):
    z0, z1, t = args
    if not isinstance(got, np.ndarray) or got.shape != expected.shape:
        return None
    cos = z0 @ z1 / np.linalg.norm(z0) / np.linalg.norm(z1)
    parallel = cos > 1 - 1e-9
    if not np.all(np.isfinite(got)):
        if parallel:
            return (_("z0 and z1 point the same way here, so omega is 0 and sin(omega) is 0 (or the cosine rounds "
                      "to just above 1 and np.arccos gives NaN): when sin(omega) is tiny, return the straight line "
                      "(1 - t) * z0 + t * z1"))
        return (_("the result has NaN: np.arccos needs the cosine of the angle, between -1 and 1; divide z0 @ z1 "
                  "by the lengths of both vectors (np.linalg.norm)"))
    if np.allclose(got, expected, rtol=1e-4, atol=1e-5):
        return None
    omega = np.arccos(np.clip(cos, -1, 1))
    line = (1 - t) * z0 + t * z1
    checks = [
        (line, _("that is the straight line (lerp); slerp follows the arc, with weights sin((1 - t) omega) / "
                 "sin(omega) for z0 and sin(t omega) / sin(omega) for z1")),
        (latent.slerp(z1, z0, t), _("the weights are swapped: at t = 0 the result must be z0, at t = 1 it must be z1")),
        (np.sin((1 - t) * omega) * z0 + np.sin(t * omega) * z1, _("divide both weights by sin(omega)")),
    ]
    unnormalised = np.dot(z0, z1)
    if -1 <= unnormalised <= 1:
        wrong = np.arccos(unnormalised)
        if np.sin(wrong) > 1e-9:
            checks.append(((np.sin((1 - t) * wrong) * z0 + np.sin(t * wrong) * z1) / np.sin(wrong),
                           _("omega is the angle between the vectors: divide z0 @ z1 by both lengths "
                             "before np.arccos")))
    for wrong, message in checks:
        if np.allclose(got, wrong, rtol=1e-6, atol=1e-8):
            return message
    return None


# ------------------------------------------------------------------ q3 class coverage

N_CLASSES = 10


def _probabilities(rng, counts, runner_up=None, decoy=None):
    """Probabilities (N, 10) float32 whose most probable class is ``counts``' (a sample per count).

    Built with + and / only (no exp), with the winning class at least 0.15 above any other, so every
    machine finds the same argmax. The classes without a win share a little left-over mass; with
    ``runner_up`` one of them comes a clear second (0.30 to 0.33) in every sample. With ``decoy``
    (a list of classes), one sample of the largest class gives them 0.2 between them: it is then the
    sample most sure of each of them, so an argmax over axis 0 finds the same sample for all of them.
    """
    labels = rng.permutation(np.repeat(np.arange(N_CLASSES), counts))
    n = len(labels)
    rows = np.arange(n)
    peak = rng.uniform(0.6, 0.65, n) if runner_up is not None else rng.uniform(0.85, 0.97, n)
    second = rng.uniform(0.30, 0.33, n) if runner_up is not None else np.zeros(n)
    spread = rng.uniform(0.5, 1.0, (n, N_CLASSES))
    spread[rows, labels] = 0.0
    if runner_up is not None:
        spread[:, runner_up] = 0.0
    p = spread / spread.sum(axis=1, keepdims=True) * (1.0 - peak - second)[:, None]
    p[rows, labels] = peak
    if runner_up is not None:
        p[:, runner_up] = second
    if decoy is not None and len(decoy):
        sample = int(np.flatnonzero(labels == np.argmax(counts))[0])
        p[sample] = 0.0
        p[sample, labels[sample]] = 0.8
        p[sample, decoy] = 0.2 / len(decoy)
    return p.astype(np.float32)


def _counts(rng, n, min_share, *, covered, few=0, middling=0):
    """Samples per class: ``covered`` classes well above ``min_share`` (at least twice it), ``few``
    with a sample or two (at most half of it), ``middling`` at 0.025 to 0.04 (between 0.02 and
    0.05), the rest none, in a random order of classes. No share is near the threshold."""
    order = rng.permutation(N_CLASSES)
    counts = np.zeros(N_CLASSES, np.int64)
    small = order[covered:covered + few]
    counts[small] = rng.integers(1, max(1, int(n * min_share / 2)) + 1, size=few)
    middle = order[covered + few:covered + few + middling]
    counts[middle] = rng.integers(int(np.ceil(0.025 * n)), int(0.04 * n) + 1, size=middling)
    big = order[:covered]
    floor = int(np.ceil(2 * min_share * n))
    rest = n - counts.sum() - floor * covered
    counts[big] = floor + rng.multinomial(rest, rng.dirichlet(np.ones(covered)))
    return counts, order[covered + few + middling:]


def _stragglers(rng):
    """Six classes covered, two more with a single sample each, two empty; min_share 0.02.

    Over axis 0 the argmax finds nine different samples (one for each of the eight classes that
    have samples, and the decoy for both empty ones): 9, where the answer is 6 and 8 has no threshold.
    """
    n = int(rng.integers(150, 250))
    counts, empty = _counts(rng, n, 0.02, covered=6, few=2)
    counts[(counts > 0) & (counts < 0.01 * n)] = 1
    counts[int(np.argmax(counts))] += n - counts.sum()
    return _probabilities(rng, counts, decoy=empty), 0.02


def _stricter(rng):
    """min_share 0.05, with a class at 2.5 to 4 % of the samples: covered at 0.02, not at 0.05."""
    n = int(rng.integers(200, 300))
    counts, _ = _counts(rng, n, 0.05, covered=int(rng.integers(4, 7)), few=1, middling=1)
    return _probabilities(rng, counts), 0.05


def _second_best(rng):
    """A class that never wins but comes second, at about 0.3, in every sample."""
    n = int(rng.integers(150, 250))
    counts, empty = _counts(rng, n, 0.02, covered=int(rng.integers(5, 8)))
    return _probabilities(rng, counts, runner_up=int(empty[0])), 0.02


def _any_coverage(rng):
    min_share = float(rng.choice([0.02, 0.05]))
    n = int(rng.integers(150, 300))
    covered = int(rng.integers(2, 11))
    few = int(rng.integers(0, N_CLASSES - covered + 1))
    middling = int(min_share == 0.05 and covered + few < N_CLASSES and rng.random() < 0.5)
    counts, _ = _counts(rng, n, min_share, covered=covered, few=few, middling=middling)
    return _probabilities(rng, counts), min_share


def _explain_coverage(args, got, expected):
    probabilities, min_share = args
    p = np.asarray(probabilities, dtype=np.float64)
    n, n_classes = p.shape
    if isinstance(got, np.ndarray) and got.shape == (n_classes,):
        return (_("that is one number per class (the shares or the counts?); return how many classes have a "
                  "share of at least min_share, one int"))
    try:
        value = float(got)
    except (TypeError, ValueError):
        return None
    if value == expected or value != int(value):
        return None
    if value > n_classes:
        return (_("{value} is more than the {n_classes} classes there are: that counts samples; count the "
                  "classes whose share of the samples is at least min_share").format(
                      value=int(value), n_classes=n_classes))
    verdicts = np.argmax(p, axis=1)
    shares = np.bincount(verdicts, minlength=n_classes) / n
    across = np.argmax(p, axis=0)                      # for each class, the sample most sure of it
    across_counts = np.bincount(across, minlength=n_classes)
    mistakes = [
        (np.sum(shares > 0),
         _("a class with only a sample or two is not covered: count a class only when its share of the "
           "samples (its count / N) is at least min_share")),
        (np.sum(shares >= 0.2 / n_classes),
         _("use the min_share you are given (here {min_share:g}), not a fixed {fixed:g}").format(
             min_share=min_share, fixed=0.2 / n_classes)),
        (np.sum(p.mean(axis=0) >= min_share),
         _("you averaged the probabilities: each sample counts once, for its most probable class "
           "(np.argmax over axis 1), and the shares are shares of those verdicts")),
        (np.sum(shares < min_share),
         _("the comparison is the wrong way round: a class is covered when its share is at least min_share (>=)")),
    ]
    axis_message = (_("np.argmax over axis 0 gives, for each class, the sample most sure of it; a sample's "
                      "verdict is the argmax of its own row of probabilities, axis=1"))
    for wrong in (len(np.unique(across)), np.sum(across_counts / len(across) >= min_share)):
        mistakes.append((wrong, axis_message))
    named = {message for wrong, message in mistakes if int(wrong) == int(value) and int(wrong) != expected}
    return named.pop() if len(named) == 1 else None


q1 = Exercise("q1 frechet_distance", quality.frechet_distance, Trials([_same_spread, _same_mean], _gaussians),
              trials=5, explain=_explain_frechet, solution=_frechet_shown,
              hint=lambda: _("diff = mu1 - mu2; covmean = np.real(scipy.linalg.sqrtm(sigma1 @ sigma2)); "
                             "return float(diff @ diff + np.trace(sigma1 + sigma2 - 2 * covmean))"))
q2 = Exercise("q2 slerp", latent.slerp, Trials([_vectors, _vectors, _parallel], _vectors), trials=6,
              explain=_explain_slerp, solution=_slerp_shown,
              hint=lambda: _("omega = np.arccos(np.clip(z0 @ z1 / (np.linalg.norm(z0) * np.linalg.norm(z1)), -1, "
                             "1)); if np.sin(omega) is tiny return the straight line; else sin((1 - t) * omega) / "
                             "sin(omega) * z0 + sin(t * omega) / sin(omega) * z1."))
q3 = Exercise("q3 classes_covered", _classes_covered,
              Trials([_stragglers, _stricter, _second_best], _any_coverage), trials=8, explain=_explain_coverage,
              hint=lambda: _("np.argmax(probabilities, axis=1) is each sample's class; np.bincount(..., "
                             "minlength=10) counts them; divide by the number of samples and count the shares that "
                             "are >= min_share."))
