"""Walking through a generator's noise space (notebook 06).

A generator turns a noise vector ``z`` (its *latent* vector) into a picture. Moving ``z``
a little moves the picture a little, so a path from one noise vector to another shows one
picture turning into another.

- :func:`lerp`: the straight line, ``(1 - t) z0 + t z1``.
- :func:`slerp`: the arc of a great circle (spherical linear interpolation, Shoemake
  1985; for GANs, White 2016). Noise vectors drawn from a normal distribution in many
  dimensions all have nearly the same length, about ``sqrt(latent_dim)``; the straight line
  between two of them passes much closer to the origin (its midpoint is about 0.71 times as
  long), through noise the generator has hardly ever seen. The arc keeps the length.
- :func:`path`: the points of either kind for ``steps`` values of ``t`` from 0 to 1.
- :func:`class_inputs`: the noise and labels for a conditional GAN's grid (one row per
  class, one column per noise vector).
"""

from __future__ import annotations

import numpy as np

from ..errors import SettingError
from ..i18n import _

__all__ = ["lerp", "slerp", "path", "class_inputs"]

KINDS = ("slerp", "lerp")


def _vectors(z0, z1) -> tuple[np.ndarray, np.ndarray]:
    a, b = np.asarray(z0), np.asarray(z1)
    if a.ndim != 1 or a.shape != b.shape or a.size == 0:
        raise SettingError(_("z0 and z1 must be noise vectors of the same length, shape (latent_dim,); got shapes "
                              "{shape} and {shape2}.").format(shape=a.shape, shape2=b.shape))
    dtype = np.result_type(a.dtype, b.dtype, np.float32)
    a, b = a.astype(dtype), b.astype(dtype)
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        raise SettingError(_("z0 and z1 must hold finite numbers."))
    return a, b


def _fractions(t, dtype) -> tuple[np.ndarray, bool]:
    ts = np.asarray(t, dtype=np.float64)
    if ts.ndim > 1 or not np.all(np.isfinite(ts)):
        raise SettingError(_("t must be a number (or a 1-D array of numbers), usually in [0, 1]; got {t!r}.").format(
            t=t))
    return ts.reshape(-1, 1).astype(dtype), ts.ndim == 0


def lerp(z0, z1, t) -> np.ndarray:
    """``(1 - t) z0 + t z1``: the straight line from ``z0`` (t = 0) to ``z1`` (t = 1).

    ``t`` is a number (the result has the vectors' shape) or a 1-D array (one row per value).
    """
    a, b = _vectors(z0, z1)
    ts, scalar = _fractions(t, a.dtype)
    out = (1 - ts) * a + ts * b
    return out[0] if scalar else out


def slerp(z0, z1, t) -> np.ndarray:
    """Spherical linear interpolation from ``z0`` (t = 0) to ``z1`` (t = 1).

    With ``omega`` the angle between the vectors (``cos omega = z0·z1 / (|z0| |z1|)``)::

        slerp = sin((1 - t) omega) / sin(omega) * z0 + sin(t omega) / sin(omega) * z1

    For vectors of equal length every point has that length; in general the length
    changes smoothly from ``|z0|`` to ``|z1|``. When the vectors point the same or the
    opposite way, ``sin(omega)`` is 0 and the formula breaks down; for (nearly)
    parallel vectors its limit, the straight line, is returned. ``t`` is a number or a
    1-D array, as in :func:`lerp`. The result keeps the inputs' float type.
    """
    a, b = _vectors(z0, z1)
    ts, scalar = _fractions(t, a.dtype)
    lengths = np.linalg.norm(a) * np.linalg.norm(b)
    if lengths == 0:
        out = (1 - ts) * a + ts * b
        return out[0] if scalar else out
    cos = np.clip(np.dot(a, b) / lengths, -1.0, 1.0)
    omega = np.arccos(cos)
    sin = np.sin(omega)
    if sin < 1e-6:
        if cos < 0:
            raise SettingError(_("z0 and z1 point in opposite directions, so no single arc joins them; "
                                  "choose another pair of noise vectors."))
        out = (1 - ts) * a + ts * b
    else:
        out = (np.sin((1 - ts) * omega) / sin) * a + (np.sin(ts * omega) / sin) * b
    out = out.astype(a.dtype)
    return out[0] if scalar else out


def path(z0, z1, steps: int = 8, kind: str = "slerp") -> np.ndarray:
    """``steps`` noise vectors from ``z0`` to ``z1`` (both included), shape (steps, latent_dim)."""
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 2:
        raise SettingError(_("steps must be a whole number >= 2 (the two ends included), like 8; "
                              "got {steps!r}.").format(
            steps=steps))
    if kind not in KINDS:
        raise SettingError(_("kind must be 'slerp' or 'lerp'; got {kind!r}.").format(kind=kind))
    ts = np.linspace(0.0, 1.0, int(steps))
    return (slerp if kind == "slerp" else lerp)(z0, z1, ts)


def class_inputs(n_classes: int, ncols: int, latent_dim: int, *, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(noise, labels) for a grid with one row per class and one column per noise vector.

    Every row uses the same ``ncols`` noise vectors, so down a column only the class
    changes: what stays the same is what the noise controls (slant, thickness ...).
    Shapes (n_classes × ncols, latent_dim) float32 and (n_classes × ncols,) int32.
    """
    for value, name in ((n_classes, "n_classes"), (ncols, "ncols"), (latent_dim, "latent_dim")):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise SettingError(_("{name} must be a whole number >= 1; got {value!r}.").format(name=name, value=value))
    columns = np.random.default_rng([int(seed), 5]).standard_normal((ncols, latent_dim)).astype(np.float32)
    return np.tile(columns, (n_classes, 1)), np.repeat(np.arange(n_classes, dtype=np.int32), ncols)
