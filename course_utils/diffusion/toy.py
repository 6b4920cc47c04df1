"""Diffusion on notebook 05's ring of Gaussians: noise in, points out, everything drawn in the plane.

The data are :func:`course_utils.gan.toy.ring`'s points (eight modes on a circle of radius 2). A
diffusion model wants data of about unit size, so the points are divided by :data:`SCALE` before
training and multiplied back after sampling. ::

    x = gan.toy.ring(25_600)
    run = toy.train(x, steps=3000)                    # a small MLP predicts the noise
    points, path = toy.sample(run.model, 2000, keep=6)
    gan.toy.mode_coverage(points, gan.toy.centres())   # counted as notebook 05 counts a GAN

- :func:`train`: a :class:`~.model.Diffusion` with :func:`.nets.mlp`, trained on random batches
- :func:`sample`: points (and snapshots of the reverse process), back at the data's scale
- :func:`forward_points`: the forward process in closed form, ``q(x_t | x0)`` at chosen times
- :func:`clouds_figure`: panels of point clouds, e.g. the forward or the reverse process
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np
from matplotlib.figure import Figure

from ..errors import SettingError
from . import nets
from . import schedule as _schedule
from .model import Diffusion
from ..validate import positive_int as _positive_int
from ..i18n import _

__all__ = ["SCALE", "Run", "train", "sample", "forward_points", "clouds_figure"]

#: The ring's radius: points are divided by it for training, so that they are of about unit size.
SCALE = 2.0


def _points(points, name: str = "points") -> np.ndarray:
    x = np.asarray(points.numpy() if hasattr(points, "numpy") else points, np.float64)
    if x.ndim != 2 or x.shape[1] != 2 or len(x) == 0:
        raise SettingError(_("{name} must be an array of points of shape (N, 2), like gan.toy.ring(25_600); "
                              "got shape {shape}.").format(name=name, shape=x.shape))
    if not np.all(np.isfinite(x)):
        raise SettingError(_("{name} contains NaN or infinite values.").format(name=name))
    return x


@dataclasses.dataclass
class Run:
    """What :func:`train` returns: the model, its loss every 100 steps, and the seconds it took."""

    model: Diffusion
    losses: list
    seconds: float


def train(points, *, steps: int = 3000, batch_size: int = 256, schedule: str = "cosine", timesteps: int = 1000,
          hidden: int = 128, learning_rate: float = 1e-3, seed: int = 0, progress: bool = True,
          description: str | None = None) -> Run:
    """Train an MLP to predict the noise on ``points`` (N, 2) for ``steps`` steps of ``batch_size`` points."""
    from tqdm.auto import tqdm

    from .._tf import keras

    x = (_points(points) / SCALE).astype(np.float32)
    steps = _positive_int(steps, "steps", "3000")
    batch_size = _positive_int(batch_size, "batch_size", "256")
    model = Diffusion(nets.mlp(2, hidden, seed=seed), _schedule.make(schedule, timesteps), seed=seed)
    model.compile(keras.optimizers.Adam(learning_rate, global_clipnorm=1.0))
    rng = np.random.default_rng([seed, 5])
    losses, total = [], 0.0
    start = time.perf_counter()
    for step in tqdm(range(steps), desc=description or _("diffusion on the ring"), unit="step",
                     disable=not progress):
        batch = x[rng.integers(0, len(x), batch_size)]
        total += float(model.train_on_batch(batch, return_dict=True)["loss"])
        if (step + 1) % 100 == 0 or step + 1 == steps:
            losses.append(total / (100 if (step + 1) % 100 == 0 else (step + 1) % 100))
            total = 0.0
    return Run(model, losses, time.perf_counter() - start)


def sample(model: Diffusion, n: int = 2000, steps: int = 1000, *, eta: float = 1.0, seed: int = 1, keep: int = 0,
           clip: float | None = None):
    """``n`` points from ``model`` at the data's scale (DDPM by default); with ``keep``, also the way there.

    The snapshots are ``(t, x_t)`` pairs, from pure noise (t = T-1) to the last step, at the data's scale.
    """
    out = model.sample(n, steps, eta=eta, seed=seed, keep=keep, clip=clip)
    if not keep:
        return out * SCALE
    points, path = out
    return points * SCALE, [(t, x_t * SCALE) for t, x_t, _unused in path]


def forward_points(schedule, points, times, *, seed: int = 0) -> list:
    """``(t, x_t)`` for each time: the points noised by ``q(x_t | x0)`` in closed form (at the data's scale)."""
    x0 = _points(points) / SCALE
    rng = np.random.default_rng([seed, 6])
    out = []
    for t in times:
        t = int(t)
        noisy = _schedule.q_sample(schedule, x0, np.full(len(x0), t), rng.standard_normal(x0.shape))
        out.append((t, noisy * SCALE))
    return out


def clouds_figure(clouds, *, centres=None, titles=None, suptitle=None, limit: float = 4.5, size: float = 2.6,
                  colour: str = "#d62728") -> Figure:
    """One panel per ``(t, points)`` pair: the points, the modes' centres as black crosses."""
    from ..plotting import use_course_style

    use_course_style()
    clouds = list(clouds)
    if not clouds:
        raise SettingError(_("give at least one (t, points) pair to draw."))
    fig = Figure(figsize=(size * len(clouds), size + 0.4), layout="constrained")
    axes = fig.subplots(1, len(clouds), squeeze=False)[0]
    for i, (ax, (t, pts)) in enumerate(zip(axes, clouds)):
        pts = _points(pts)
        ax.scatter(pts[:, 0], pts[:, 1], s=1.5, alpha=0.35, color=colour, linewidths=0)
        if centres is not None:
            c = np.asarray(centres)
            ax.scatter(c[:, 0], c[:, 1], marker="x", color="black", s=18, linewidths=1)
        ax.set_xlim(-limit, limit)
        ax.set_ylim(-limit, limit)
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(titles[i] if titles is not None else f"t = {t}")
    if suptitle:
        fig.suptitle(str(suptitle))
    return fig
