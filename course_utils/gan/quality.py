"""Measuring a generator instead of eyeballing it.

- :func:`frechet_distance` between two Gaussians, and :func:`fid_like` between two
  sets of feature vectors: the formula of the Fréchet Inception Distance (Heusel et
  al. 2017), but with the features of a small classifier trained in the course
  instead of Inception-v3's 2048 pooled features on ImageNet. Numbers are
  comparable within one feature model only — never with published FIDs.
- :func:`class_coverage`: how many classes the generator's samples fall in,
  according to a classifier; a generator that has collapsed onto a few digits
  scores low even when each of its pictures is sharp.
"""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np

from ..errors import SettingError
from ..i18n import _

__all__ = ["feature_statistics", "frechet_distance", "fid_like", "Coverage", "class_coverage"]


def _features(x, name: str) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2:
        raise SettingError(_("{name} must be a 2-D array (samples, features); got shape {shape}. "
                              "Flatten each sample's features first.").format(name=name, shape=x.shape))
    if len(x) < 2:
        raise SettingError(_("{name} needs at least 2 samples to estimate a covariance; got {count}.").format(
            name=name, count=len(x)))
    if not np.all(np.isfinite(x)):
        raise SettingError(_("{name} contains NaN or infinite values.").format(name=name))
    return x


def feature_statistics(features) -> tuple[np.ndarray, np.ndarray]:
    """Mean vector (D,) and covariance matrix (D, D) of feature vectors (N, D), in float64."""
    x = _features(features, "features")
    return x.mean(axis=0), np.cov(x, rowvar=False)


def frechet_distance(mu1, sigma1, mu2, sigma2) -> float:
    """Squared Fréchet (2-Wasserstein) distance between N(mu1, sigma1) and N(mu2, sigma2).

    ``|mu1 - mu2|² + trace(sigma1 + sigma2 - 2 (sigma1 sigma2)^½)``, with the matrix
    square root from :func:`scipy.linalg.sqrtm`. Zero for identical Gaussians.
    When the product is singular (fewer samples than features, or features that
    never vary) a tiny multiple of the identity is added to both covariances, as
    the reference FID code does.
    """
    from scipy import linalg

    mu1, mu2 = np.atleast_1d(np.asarray(mu1, np.float64)), np.atleast_1d(np.asarray(mu2, np.float64))
    sigma1, sigma2 = np.atleast_2d(np.asarray(sigma1, np.float64)), np.atleast_2d(np.asarray(sigma2, np.float64))
    if mu1.shape != mu2.shape or mu1.ndim != 1:
        raise SettingError(_("the means must be vectors of the same length; got shapes {shape} and {shape2}.").format(
            shape=mu1.shape, shape2=mu2.shape))
    d = len(mu1)
    if sigma1.shape != (d, d) or sigma2.shape != (d, d):
        raise SettingError(_("the covariances must be {d}×{d} matrices; got shapes {shape} and {shape2}.").format(
            d=d, shape=sigma1.shape, shape2=sigma2.shape))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", linalg.LinAlgWarning)
        covmean = linalg.sqrtm(sigma1 @ sigma2)
    if caught or not np.all(np.isfinite(covmean)):  # singular: some features never vary
        offset = np.eye(d) * 1e-6
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", linalg.LinAlgWarning)
            covmean = linalg.sqrtm((sigma1 + offset) @ (sigma2 + offset))
    covmean = np.real(covmean)  # round-off leaves tiny imaginary parts
    diff = mu1 - mu2
    value = diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2.0 * np.trace(covmean)
    return float(max(value, 0.0))


def fid_like(real_features, fake_features) -> float:
    """Fréchet distance between the feature statistics of real and generated samples (lower is better)."""
    real = _features(real_features, "real_features")
    fake = _features(fake_features, "fake_features")
    if real.shape[1] != fake.shape[1]:
        raise SettingError(_("real and generated features differ in length: {real} and {generated}.").format(
            real=real.shape[1], generated=fake.shape[1]))
    return frechet_distance(*feature_statistics(real), *feature_statistics(fake))


@dataclasses.dataclass
class Coverage:
    """What :func:`class_coverage` returns."""

    covered: int  # classes that received at least ``min_share`` of the samples
    n_classes: int
    shares: np.ndarray  # (n_classes,) fraction of the samples predicted as each class

    def __str__(self):
        return _("{covered} of {n_classes} classes").format(covered=self.covered, n_classes=self.n_classes)


def class_coverage(predictions, n_classes: int = 10, min_share: float | None = None) -> Coverage:
    """How many classes a set of generated samples covers, from a classifier's predictions.

    Parameters
    ----------
    predictions : array (N,) of class numbers, or (N, n_classes) of probabilities
    n_classes : int
    min_share : float, optional
        A class counts as covered when at least this fraction of the samples is
        predicted as it. Default: a fifth of a fair share, ``0.2 / n_classes``.
    """
    p = np.asarray(predictions)
    if p.ndim == 2:
        if p.shape[1] != n_classes:
            raise SettingError(_("probabilities have {columns} columns but n_classes is {n_classes}.").format(
                columns=p.shape[1], n_classes=n_classes))
        p = np.argmax(p, axis=1)
    if p.ndim != 1 or len(p) == 0:
        raise SettingError(_("predictions must be class numbers (N,) or probabilities (N, {n_classes}); got shape "
                              "{shape}.").format(n_classes=n_classes, shape=p.shape))
    if min_share is None:
        min_share = 0.2 / n_classes
    shares = np.bincount(p.astype(np.int64), minlength=n_classes)[:n_classes] / len(p)
    return Coverage(covered=int(np.sum(shares >= min_share)), n_classes=n_classes, shares=shares)
