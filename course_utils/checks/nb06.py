"""Checks for notebook 06 (DCGAN painting).

q1  ``frechet_distance(mu1, sigma1, mu2, sigma2)``: the squared Fréchet distance between
    two Gaussians, ``|mu1 - mu2|² + trace(sigma1 + sigma2 - 2 (sigma1 sigma2)^½)`` with the
    *matrix* square root (``scipy.linalg.sqrtm``), as a float
q2  ``slerp(z0, z1, t)``: spherical linear interpolation between two noise vectors
    (D,) at a fraction ``t`` in [0, 1]; the straight line when they point the same way
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from ..gan import latent, quality
from .core import Exercise, Trials

#: The reference solutions, for the committed exercise cells (delete the call to use yours).
solution = SimpleNamespace(frechet_distance=quality.frechet_distance, slerp=latent.slerp)


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
        return ("the result is a complex number: scipy.linalg.sqrtm leaves tiny imaginary parts from round-off; "
                "keep the real part (np.real) of the square root")
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
        (means + traces - root, "the cross term is 2 × trace((sigma1 sigma2)^½); the 2 is missing"),
        (means + traces - 2 * np.trace(sigma1 @ sigma2),
         "that is the trace of sigma1 @ sigma2 itself; take its matrix square root first (scipy.linalg.sqrtm)"),
        (means + traces - 2 * elementwise,
         "np.sqrt takes the square root of each entry; the formula needs the matrix square root, "
         "scipy.linalg.sqrtm(sigma1 @ sigma2)"),
        (means + traces - 2 * np.trace(_sqrtm(sigma1) @ _sqrtm(sigma2)),
         "that is the product of the two square roots; the formula takes the square root of the product, "
         "sqrtm(sigma1 @ sigma2)"),
        (traces - 2 * root, "the mean term is missing: add |mu1 - mu2|², the squared distance between the means"),
        (np.sqrt(means) + traces - 2 * root,
         "the distance between the means must be squared: |mu1 - mu2|² = (mu1 - mu2) @ (mu1 - mu2)"),
        (means + traces + 2 * root, "the cross term is subtracted: ... - 2 × trace((sigma1 sigma2)^½)"),
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
    z0, _, t = _vectors(rng)
    return z0, z0 * float(rng.uniform(1.5, 3.0)), t


def _explain_slerp(args, got, expected):
    z0, z1, t = args
    if not isinstance(got, np.ndarray) or got.shape != expected.shape:
        return None
    cos = z0 @ z1 / np.linalg.norm(z0) / np.linalg.norm(z1)
    parallel = cos > 1 - 1e-9
    if not np.all(np.isfinite(got)):
        if parallel:
            return ("z0 and z1 point the same way here, so omega is 0 and sin(omega) is 0 (or the cosine rounds "
                    "to just above 1 and np.arccos gives NaN): when sin(omega) is tiny, return the straight line "
                    "(1 - t) * z0 + t * z1")
        return ("the result has NaN: np.arccos needs the cosine of the angle, between -1 and 1; divide z0 @ z1 "
                "by the lengths of both vectors (np.linalg.norm)")
    if np.allclose(got, expected, rtol=1e-4, atol=1e-5):
        return None
    omega = np.arccos(np.clip(cos, -1, 1))
    line = (1 - t) * z0 + t * z1
    checks = [
        (line, "that is the straight line (lerp); slerp follows the arc, with weights sin((1 - t) omega) / "
               "sin(omega) for z0 and sin(t omega) / sin(omega) for z1"),
        (latent.slerp(z1, z0, t), "the weights are swapped: at t = 0 the result must be z0, at t = 1 it must be z1"),
        (np.sin((1 - t) * omega) * z0 + np.sin(t * omega) * z1, "divide both weights by sin(omega)"),
    ]
    unnormalised = np.dot(z0, z1)
    if -1 <= unnormalised <= 1:
        wrong = np.arccos(unnormalised)
        if np.sin(wrong) > 1e-9:
            checks.append(((np.sin((1 - t) * wrong) * z0 + np.sin(t * wrong) * z1) / np.sin(wrong),
                           "omega is the angle between the vectors: divide z0 @ z1 by both lengths before np.arccos"))
    for wrong, message in checks:
        if np.allclose(got, wrong, rtol=1e-6, atol=1e-8):
            return message
    return None


q1 = Exercise("q1 frechet_distance", quality.frechet_distance, Trials([_same_spread, _same_mean], _gaussians),
              trials=5, explain=_explain_frechet,
              hint="diff = mu1 - mu2; covmean = np.real(scipy.linalg.sqrtm(sigma1 @ sigma2)); "
                   "return float(diff @ diff + np.trace(sigma1 + sigma2 - 2 * covmean))")
q2 = Exercise("q2 slerp", latent.slerp, Trials([_vectors, _vectors, _parallel], _vectors), trials=6,
              explain=_explain_slerp,
              hint="omega = np.arccos(np.clip(z0 @ z1 / (np.linalg.norm(z0) * np.linalg.norm(z1)), -1, 1)); "
                   "if np.sin(omega) is tiny return the straight line; else sin((1 - t) * omega) / sin(omega) * z0 "
                   "+ sin(t * omega) / sin(omega) * z1.")
