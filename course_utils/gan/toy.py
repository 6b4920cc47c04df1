"""A GAN you can watch: points in the plane, a ring of Gaussians, small networks (notebook 05).

The real data are points drawn around ``modes`` centres evenly spaced on a circle,
each a small round Gaussian. A generator that has learnt them puts its points on
all the centres; one that has *collapsed* puts them on one or a few. Because the
data are 2-D we can draw everything: the real points, the generated points, and
the discriminator's opinion of every spot in the plane. ::

    x = toy.ring(25_600, seed=0)                       # (N, 2) float32
    generator, discriminator = toy.mlp_generator(), toy.mlp_discriminator()
    model = gan.GAN(generator, discriminator, seed=0)
    model.compile(loss="non_saturating")
    snaps = toy.Snapshots(every=500)
    model.fit(x, batch_size=256, epochs=1, shuffle=False, callbacks=[snaps], verbose=0)
    plotting.show_figure(toy.snapshots_figure(snaps.snapshots))
    print(toy.mode_coverage(toy.sample(generator, 2000), toy.centres(), std=0.02))

- data: :func:`centres`, :func:`ring`
- networks: :func:`mlp_generator`, :func:`mlp_discriminator`, :func:`sample`
- measuring: :func:`mode_coverage` (modes covered and the share of good samples, as
  Metz et al. 2017 count them), :class:`ModeCoverage`
- watching: :class:`Snapshots`, a Keras callback that records the generated points
  and the discriminator's surface every few steps; :class:`Snapshot`
- training: :func:`train` builds, compiles and fits a toy GAN from a seed and returns a
  :class:`Run`; :func:`coverage_table` compares runs
- drawing: :func:`points_figure`, :func:`surface_figure`, :func:`snapshots_figure`
"""

from __future__ import annotations

import dataclasses
import numbers

import numpy as np
from matplotlib.figure import Figure

from .._tf import keras, tf
from ..errors import SettingError
from ..i18n import _

__all__ = ["centres", "ring", "mlp_generator", "mlp_discriminator", "sample", "ModeCoverage",
           "mode_coverage", "Snapshot", "Snapshots", "decision_grid", "Run", "train", "coverage_table",
           "points_figure", "surface_figure", "snapshots_figure"]

#: The default ring: 8 modes on a circle of radius 2, each with standard deviation 0.02
#: (the setting of Metz et al. 2017 and of many papers after it).
MODES, RADIUS, STD = 8, 2.0, 0.02
#: Length of the generator's noise vectors.
LATENT_DIM = 16

_REAL_COLOUR, _FAKE_COLOUR = "#1f77b4", "#d62728"


# ------------------------------------------------------------------ checking input


def _whole(value, name: str, low: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise SettingError(_("{name} must be a whole number >= {low}; got {value!r}.").format(
            name=name, low=low, value=value))
    return int(value)


def _positive(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value) or value <= 0:
        raise SettingError(_("{name} must be a positive number; got {value!r}.").format(name=name, value=value))
    return float(value)


def _points(points, name: str) -> np.ndarray:
    if hasattr(points, "numpy"):
        points = points.numpy()
    try:
        arr = np.asarray(points, dtype=np.float64)
    except (TypeError, ValueError):
        raise SettingError(_("{name} must be an array of points with shape (N, 2); got "
                              "{kind}.").format(name=name, kind=type(points).__name__)) from None
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise SettingError(_("{name} must be an array of points with shape (N, 2); got shape {shape}.").format(
            name=name, shape=arr.shape))
    if not np.all(np.isfinite(arr)):
        raise SettingError(_("{name} contains NaN or infinite values: the training has probably diverged.").format(
            name=name))
    return arr


# ---------------------------------------------------------------------------- data


def centres(modes: int = MODES, radius: float = RADIUS) -> np.ndarray:
    """The centres of the ring's Gaussians, (modes, 2) float32, the first at angle 0, counter-clockwise."""
    modes, radius = _whole(modes, "modes"), _positive(radius, "radius")
    angles = 2 * np.pi * np.arange(modes) / modes
    return (radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)).astype(np.float32)


def ring(n: int, modes: int = MODES, radius: float = RADIUS, std: float = STD, seed: int = 0) -> np.ndarray:
    """``n`` points from a mixture of ``modes`` equally likely round Gaussians on a circle, (n, 2) float32.

    Each point picks a centre at random (see :func:`centres`) and adds normal
    noise of standard deviation ``std`` in x and y. The same ``seed`` gives the
    same points.
    """
    n = _whole(n, "n")
    std = _positive(std, "std")
    seed = _whole(seed, "seed", low=0)
    ctr = centres(modes, radius)
    rng = np.random.default_rng(seed)
    which = rng.integers(0, len(ctr), size=n)
    points = ctr[which] + rng.normal(0.0, std, size=(n, 2))
    return points.astype(np.float32)


# ------------------------------------------------------------------------ networks


def _dense_stack(inputs, hidden: int, layers: int, activation: str, seed: int, prefix: str):
    x = inputs
    for i in range(layers):
        x = keras.layers.Dense(hidden, activation=activation, name=f"{prefix}_dense{i + 1}",
                               kernel_initializer=keras.initializers.GlorotUniform(seed=seed + i))(x)
    return x


def mlp_generator(latent_dim: int = LATENT_DIM, hidden: int = 128, layers: int = 2, *, activation: str = "relu",
                  seed: int = 0, name: str = "generator") -> keras.Model:
    """A small generator: noise (N, latent_dim) → ``layers`` layers of ``hidden`` units → points (N, 2).

    The hidden layers use ``activation`` (ReLU by default); the last layer is
    linear, so the points can land anywhere in the plane. The weights are drawn
    from ``seed``: the same arguments give the same network.
    """
    latent_dim, hidden = _whole(latent_dim, "latent_dim"), _whole(hidden, "hidden")
    layers, seed = _whole(layers, "layers"), _whole(seed, "seed", low=0)
    noise = keras.Input((latent_dim,), name="noise")
    x = _dense_stack(noise, hidden, layers, activation, seed, "g")
    points = keras.layers.Dense(2, name="points",
                                kernel_initializer=keras.initializers.GlorotUniform(seed=seed + layers))(x)
    return keras.Model(noise, points, name=name)


def mlp_discriminator(hidden: int = 128, layers: int = 2, *, activation: str = "relu", seed: int = 1,
                      name: str = "discriminator") -> keras.Model:
    """A small discriminator: points (N, 2) → ``layers`` layers of ``hidden`` units → one score (N, 1).

    The output is a raw score: a logit for the GAN losses (the probability
    "real" is its sigmoid), the critic's score for WGAN-GP. The weights are
    drawn from ``seed``.
    """
    hidden, layers, seed = _whole(hidden, "hidden"), _whole(layers, "layers"), _whole(seed, "seed", low=0)
    points = keras.Input((2,), name="points")
    x = _dense_stack(points, hidden, layers, activation, seed, "d")
    logit = keras.layers.Dense(1, name="logit",
                               kernel_initializer=keras.initializers.GlorotUniform(seed=seed + layers))(x)
    return keras.Model(points, logit, name=name)


def _latent_dim(generator) -> int:
    inputs = getattr(generator, "inputs", None)
    if not inputs:
        raise SettingError(_("the generator has no fixed input shape; build it with keras.Input((latent_dim,))."))
    return int(inputs[0].shape[-1])


def sample(generator, n: int = 2000, seed: int = 1234) -> np.ndarray:
    """``n`` points from ``generator``, (n, 2) float32, from normal noise drawn with ``seed``."""
    n, seed = _whole(n, "n"), _whole(seed, "seed", low=0)
    noise = np.random.default_rng(seed).normal(size=(n, _latent_dim(generator))).astype(np.float32)
    return np.asarray(generator(noise, training=False), dtype=np.float32)


# ----------------------------------------------------------------------- measuring


@dataclasses.dataclass
class ModeCoverage:
    """What :func:`mode_coverage` returns."""

    covered: int        # modes that received at least ``min_share`` of the samples within 3 std
    n_modes: int
    good: float         # share of all samples within 3 std of some mode ("high-quality" samples)
    shares: np.ndarray  # (n_modes,) share of the samples within 3 std of each mode

    def __str__(self):
        return _("{covered} of {n_modes} modes, {percent_good:.0f} % good samples").format(
            covered=self.covered, n_modes=self.n_modes, percent_good=100 * self.good)


def mode_coverage(points, centres, std: float = STD, *, min_share: float | None = None) -> ModeCoverage:
    """How many modes a set of generated points covers, and how many of the points are good.

    A point is *good* when it lies within 3 ``std`` of its nearest centre; a mode
    is *covered* when at least ``min_share`` of all the points are good points
    near it (default: a fifth of a fair share, ``0.2 / n_modes``, so that a few
    stray points do not count). This is how Metz et al. (2017) and later papers
    count modes on the ring.

    Parameters
    ----------
    points : array (N, 2)
    centres : array (M, 2)
        The modes' centres, e.g. :func:`centres`.
    std : float
        The modes' standard deviation.
    min_share : float in (0, 1], optional
    """
    pts = _points(points, "points")
    ctr = _points(centres, "centres")
    if len(pts) == 0:
        raise SettingError(_("points is empty; give at least one generated point."))
    if len(ctr) == 0:
        raise SettingError(_("centres is empty; give at least one mode centre."))
    std = _positive(std, "std")
    if min_share is None:
        min_share = 0.2 / len(ctr)
    if isinstance(min_share, bool) or not isinstance(min_share, numbers.Real) or not 0 < min_share <= 1:
        raise SettingError(_("min_share must be a number in (0, 1]; got {min_share!r}.").format(min_share=min_share))
    distances = np.linalg.norm(pts[:, None, :] - ctr[None, :, :], axis=-1)  # (N, M)
    nearest = np.argmin(distances, axis=1)
    good = distances[np.arange(len(pts)), nearest] <= 3 * std
    shares = np.bincount(nearest[good], minlength=len(ctr)) / len(pts)
    # A small tolerance, so that exactly min_share of the points counts as covered despite round-off.
    return ModeCoverage(covered=int(np.sum(shares >= min_share - 1e-12)), n_modes=len(ctr),
                        good=float(np.mean(good)), shares=shares)


# ------------------------------------------------------------------------ watching


def decision_grid(limit: float = 3.0, resolution: int = 60) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(xs, ys, points): a square grid over [-limit, limit]², points (resolution², 2) float32 row by row."""
    limit, resolution = _positive(limit, "limit"), _whole(resolution, "resolution", low=2)
    axis = np.linspace(-limit, limit, resolution, dtype=np.float32)
    xx, yy = np.meshgrid(axis, axis)
    return axis, axis, np.stack([xx.ravel(), yy.ravel()], axis=1)


@dataclasses.dataclass
class Snapshot:
    """The state of a toy GAN at one step: what :class:`Snapshots` records."""

    step: int
    points: np.ndarray        # (n, 2) generated from the same noise at every snapshot
    xs: np.ndarray            # (R,) grid coordinates
    ys: np.ndarray            # (R,)
    surface: np.ndarray       # (R, R) discriminator output on the grid, row i at ys[i]
    probability: bool         # True: surface is D's probability "real"; False: a critic's raw score
    coverage: ModeCoverage | None = None
    logs: dict = dataclasses.field(default_factory=dict)  # the losses Keras reported (means over the epoch so far)

    @property
    def title(self) -> str:
        if self.coverage is None:
            return _("step {step}").format(step=self.step)
        return _("step {step} · {covered}/{n_modes} modes").format(
            step=self.step, covered=self.coverage.covered, n_modes=self.coverage.n_modes)


class Snapshots(keras.callbacks.Callback):
    """Keras callback: every ``every`` steps, the generated points and the discriminator's surface.

    Use it with :class:`course_utils.gan.GAN` (or any model with ``generator`` and
    ``discriminator`` attributes)::

        snaps = toy.Snapshots(every=500)
        model.fit(x, batch_size=256, callbacks=[snaps], verbose=0)
        snaps.snapshots        # list of Snapshot, the first one before training

    The points come from the same noise every time, so you see the same samples
    move. The surface is the sigmoid of the discriminator's logit (its probability
    "real") for the GAN losses, and the critic's raw score for WGAN-GP. When
    ``centres`` is given, each snapshot also holds its :func:`mode_coverage`.
    ``progress`` shows a tqdm progress bar with the latest losses (pass
    ``total``, the number of steps, for a bar with an end).

    Parameters
    ----------
    every : int
        Steps between snapshots.
    n_points : int
        Generated points per snapshot.
    limit, resolution : float, int
        The grid on which the discriminator is evaluated: ``resolution``² points
        over [-limit, limit]².
    centres : array (M, 2), optional
    std : float
        The modes' standard deviation, for the coverage.
    seed : int
        Seeds the noise for the points.
    """

    def __init__(self, every: int = 500, *, n_points: int = 1000, limit: float = 3.0, resolution: int = 60,
                 centres=None, std: float = STD, seed: int = 1234, progress: bool = False, total=None,
                 description: str | None = None):
        super().__init__()
        self.every = _whole(every, "every")
        self.n_points = _whole(n_points, "n_points")
        self.xs, self.ys, self._grid = decision_grid(limit, resolution)
        self.centres = None if centres is None else _points(centres, "centres")
        self.std = _positive(std, "std")
        self.seed = _whole(seed, "seed", low=0)
        self.progress, self.total, self.description = bool(progress), total, description
        self.snapshots: list[Snapshot] = []
        self._noise = None
        self._bar = None
        self._step = 0

    # The model's own step counter when it has one (so a second fit continues the count).
    def _current_step(self) -> int:
        steps = getattr(self.model, "steps", None)
        return int(steps.numpy()) if steps is not None and hasattr(steps, "numpy") else self._step

    def take(self, logs=None) -> Snapshot:
        """Record a snapshot now (also called by Keras during ``fit``) and return it."""
        model = self.model
        if model is None or not hasattr(model, "generator") or not hasattr(model, "discriminator"):
            raise SettingError(_("Snapshots works with a model that has a generator and a discriminator, "
                                  "such as course_utils.gan.GAN; pass it in fit(callbacks=[...])."))
        generator, discriminator = model.generator, model.discriminator
        if self._noise is None:
            rng = np.random.default_rng(self.seed)
            self._noise = rng.normal(size=(self.n_points, _latent_dim(generator))).astype(np.float32)
        points = np.asarray(generator(self._noise, training=False), dtype=np.float32)
        scores = np.asarray(discriminator(self._grid, training=False), dtype=np.float64).reshape(
            len(self.ys), len(self.xs))
        probability = getattr(model, "loss_kind", "non_saturating") != "wgan-gp"
        surface = 1.0 / (1.0 + np.exp(-np.clip(scores, -50, 50))) if probability else scores
        coverage = None
        if self.centres is not None and np.all(np.isfinite(points)):
            coverage = mode_coverage(points, self.centres, self.std)
        snap = Snapshot(step=self._current_step(), points=points, xs=self.xs, ys=self.ys, surface=surface,
                        probability=probability, coverage=coverage,
                        logs={k: float(v) for k, v in (logs or {}).items()})
        self.snapshots.append(snap)
        return snap

    def on_train_begin(self, logs=None):
        if not self.snapshots or self.snapshots[-1].step != self._current_step():
            self.take()
        if self.progress:
            from tqdm.auto import tqdm

            self._bar = tqdm(total=self.total, desc=self.description or _("training"), unit="step")

    def on_train_batch_end(self, batch, logs=None):
        self._step += 1
        step = self._current_step()
        if self._bar is not None:
            self._bar.update(1)
            if logs and step % 50 == 0:
                self._bar.set_postfix({k: f"{float(v):.3f}" for k, v in logs.items()}, refresh=False)
        if step % self.every == 0:
            self.take(logs)

    def on_train_end(self, logs=None):
        if self._bar is not None:
            self._bar.close()
            self._bar = None


# ------------------------------------------------------------------------ training


@dataclasses.dataclass
class Run:
    """What :func:`train` returns: the trained GAN, its snapshots and losses."""

    model: keras.Model        # a course_utils.gan.GAN: .generator, .discriminator
    snapshots: list           # Snapshot at step 0 and every ``every`` steps
    history: dict             # "d_loss", "g_loss" (and "gp"): the mean over each ``every`` steps
    seconds: float
    settings: dict

    @property
    def final(self) -> Snapshot:
        return self.snapshots[-1]

    @property
    def coverage(self) -> ModeCoverage | None:
        return self.snapshots[-1].coverage


def train(real, *, loss: str = "non_saturating", steps: int = 2000, batch_size: int = 256, d_steps: int = 1,
          update: str | None = None, learning_rate: float = 1e-3, beta_1: float = 0.5, beta_2: float = 0.9,
          decay: bool = True, gp_weight: float = 1.0, latent_dim: int = LATENT_DIM, hidden: int = 128, layers: int = 2,
          seed: int = 0, every: int = 500, centres=None, std: float = STD, progress: bool = True,
          description: str | None = None) -> Run:
    """Build a toy GAN from ``seed`` and train it on the points ``real`` for ``steps`` steps.

    The generator and discriminator are :func:`mlp_generator` and
    :func:`mlp_discriminator` (``hidden`` units, ``layers`` layers), trained by
    :class:`course_utils.gan.GAN` with ``loss`` ("non_saturating", "minimax" or
    "wgan-gp") and ``d_steps`` discriminator updates per generator update
    (``update``: "simultaneous" or "alternating", see :meth:`GAN.compile`). Both
    use Adam(``learning_rate``, ``beta_1``, ``beta_2``); with ``decay`` the
    learning rate falls to zero along a cosine over the run, so that the points
    settle at the end. A :class:`Snapshots` callback records the state every
    ``every`` steps (``steps`` must be a multiple of it), with the coverage of
    ``centres`` when given.

    Everything random — the networks' first weights, the noise, the order of the
    data — follows from ``seed``: the same call gives the same run.
    """
    import time

    from .training import GAN

    real = _points(real, "real").astype(np.float32)
    steps, batch_size, every = _whole(steps, "steps"), _whole(batch_size, "batch_size"), _whole(every, "every")
    seed = _whole(seed, "seed", low=0)
    if steps % every:
        raise SettingError(_("steps ({steps}) must be a multiple of every ({every}), the steps between "
                              "snapshots.").format(steps=steps, every=every))
    if len(real) < batch_size:
        raise SettingError(_("real has {points} points, fewer than one batch of {batch_size}.").format(
            points=len(real), batch_size=batch_size))
    learning_rate = _positive(learning_rate, "learning_rate")

    def optimizer(updates_per_step):
        rate = (keras.optimizers.schedules.CosineDecay(learning_rate, steps * updates_per_step) if decay
                else learning_rate)
        return keras.optimizers.Adam(rate, beta_1=beta_1, beta_2=beta_2)

    generator = mlp_generator(latent_dim, hidden, layers, seed=100 * seed)
    discriminator = mlp_discriminator(hidden, layers, seed=100 * seed + 50)
    model = GAN(generator, discriminator, seed=seed)
    model.compile(optimizer(1), optimizer(d_steps), loss=loss, d_steps=d_steps, update=update, gp_weight=gp_weight)
    data = (tf.data.Dataset.from_tensor_slices(real).shuffle(len(real), seed=seed).repeat()
            .batch(batch_size, drop_remainder=True))
    snaps = Snapshots(every, centres=centres, std=std, progress=progress, total=steps,
                      description=description or _("{loss}, seed {seed}").format(loss=loss, seed=seed))
    start = time.perf_counter()
    history = model.fit(data, epochs=steps // every, steps_per_epoch=every, shuffle=False, callbacks=[snaps],
                        verbose=0)
    settings = dict(loss=loss, steps=steps, batch_size=batch_size, d_steps=d_steps, update=model.update,
                    learning_rate=learning_rate,
                    beta_1=beta_1, beta_2=beta_2, decay=decay, gp_weight=gp_weight, latent_dim=latent_dim,
                    hidden=hidden, layers=layers, seed=seed)
    return Run(model=model, snapshots=snaps.snapshots, history=dict(history.history),
               seconds=time.perf_counter() - start, settings=settings)


def coverage_table(results: dict) -> str:
    """A Markdown table of mode coverage: one row per setting, one column per run.

    ``results`` maps a setting's name to a list of :class:`Run` or
    :class:`ModeCoverage` (one per seed). Each cell reads "8/8 modes, 80 % good".
    Show it with ``IPython.display.Markdown``.
    """
    if not isinstance(results, dict) or not results:
        raise SettingError(_("results must be a dict: setting name -> list of runs (or coverages), one per seed."))
    rows, width = [], 0
    for name, runs in results.items():
        runs = list(runs) if isinstance(runs, (list, tuple)) else [runs]
        cells = []
        for run in runs:
            cov = run.coverage if isinstance(run, Run) else run
            if not isinstance(cov, ModeCoverage):
                raise SettingError(_("results[{name!r}] must hold Run or ModeCoverage objects (from toy.train or "
                                      "toy.mode_coverage); got {kind}.").format(name=name, kind=type(run).__name__))
            cells.append(_("{covered}/{n_modes} modes, {percent_good:.0f} % good").format(
                covered=cov.covered, n_modes=cov.n_modes, percent_good=100 * cov.good))
        rows.append((str(name), cells))
        width = max(width, len(cells))
    head = "| " + " | ".join([_("setting")] + [_("run {number}").format(number=i + 1) for i in range(width)]) + " |"
    rule = "|---|" + "---|" * width
    lines = [f"| {name} | " + " | ".join(cells + [""] * (width - len(cells))) + " |" for name, cells in rows]
    return "\n".join([head, rule] + lines)


# ------------------------------------------------------------------------- drawing


def _style():
    from .. import plotting

    plotting.use_course_style()


def _draw_points(ax, real, generated, centres, std, limit):
    if real is not None:
        ax.scatter(real[:, 0], real[:, 1], s=4, c=_REAL_COLOUR, alpha=0.35, linewidths=0, label=_("real"))
    if generated is not None:
        ax.scatter(generated[:, 0], generated[:, 1], s=4, c=_FAKE_COLOUR, alpha=0.6, linewidths=0,
                   label=_("generated"))
    if centres is not None:
        from matplotlib.patches import Circle

        for c in centres:
            ax.add_patch(Circle(c, 3 * std, fill=False, edgecolor="black", linewidth=0.8))
    ax.set_xlim(-limit, limit)
    ax.set_ylim(-limit, limit)
    ax.set_aspect("equal")
    ax.set_xlabel("x")
    ax.set_ylabel("y")


def points_figure(real=None, generated=None, *, centres=None, std: float = STD, title=None,
                  limit: float = 3.0, size: float = 4.0) -> Figure:
    """Real points (blue) and generated points (red) in one square panel.

    ``centres`` adds a circle of radius 3 ``std`` around each mode: the region
    in which :func:`mode_coverage` counts a generated point as good.
    """
    _style()
    real = None if real is None else _points(real, "real")
    generated = None if generated is None else _points(generated, "generated")
    if real is None and generated is None:
        raise SettingError(_("give real or generated points (or both) to draw."))
    centres = None if centres is None else _points(centres, "centres")
    limit, size = _positive(limit, "limit"), _positive(size, "size")
    fig = Figure(figsize=(size, size + 0.3), layout="constrained")
    ax = fig.add_subplot()
    _draw_points(ax, real, generated, centres, std, limit)
    if real is not None and generated is not None:
        ax.legend(loc="upper right", frameon=False, markerscale=3, fontsize=9)
    if title:
        ax.set_title(str(title))
    return fig


def _draw_surface(fig, ax, snap: Snapshot, real, colorbar: bool):
    if snap.probability:
        shown = ax.contourf(snap.xs, snap.ys, snap.surface, levels=np.linspace(0, 1, 11), cmap="RdBu_r",
                            vmin=0, vmax=1)
        label = _("D(x): probability 'real'")
    else:
        shown = ax.contourf(snap.xs, snap.ys, snap.surface, levels=12, cmap="RdBu_r")
        label = _("critic's score C(x)")
    if colorbar:
        fig.colorbar(shown, ax=ax, fraction=0.046, pad=0.04, label=label)
    if real is not None:
        ax.scatter(real[:, 0], real[:, 1], s=3, c="black", alpha=0.25, linewidths=0, label=_("real"))
    ax.scatter(snap.points[:, 0], snap.points[:, 1], s=4, c="#ffd400", edgecolors="black", linewidths=0.15,
               label=_("generated"))
    ax.set_xlim(snap.xs[0], snap.xs[-1])
    ax.set_ylim(snap.ys[0], snap.ys[-1])
    ax.set_aspect("equal")
    return shown


def _check_snapshot(snap, name="snapshot") -> Snapshot:
    if not isinstance(snap, Snapshot):
        raise SettingError(_("{name} must be a Snapshot (from toy.Snapshots); got {kind}.").format(
            name=name, kind=type(snap).__name__))
    return snap


def surface_figure(snapshot: Snapshot, real=None, *, title=None, size: float = 4.5) -> Figure:
    """The discriminator's surface as a filled contour, with the generated (yellow) and real (black) points.

    Red is where the discriminator says "real", blue where it says "generated"
    (for a critic: high and low scores).
    """
    _style()
    snap = _check_snapshot(snapshot)
    real = None if real is None else _points(real, "real")
    size = _positive(size, "size")
    fig = Figure(figsize=(size + 1.0, size), layout="constrained")
    ax = fig.add_subplot()
    _draw_surface(fig, ax, snap, real, colorbar=True)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.legend(loc="upper right", frameon=True, markerscale=3, fontsize=8)
    ax.set_title(str(title) if title else snap.title)
    return fig


def _shared_colorbar(fig, axes, probabilities):
    """One colour bar for all panels: D's probability (0 to 1), or a critic's score (each panel its own range)."""
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize

    if all(probabilities):
        bar = fig.colorbar(ScalarMappable(Normalize(0, 1), "RdBu_r"), ax=axes, shrink=0.9, pad=0.02)
        bar.set_label(_("D(x): probability 'real'"))
    elif not any(probabilities):
        bar = fig.colorbar(ScalarMappable(Normalize(0, 1), "RdBu_r"), ax=axes, shrink=0.9, pad=0.02)
        bar.set_ticks([0, 1], labels=[_("low"), _("high")])
        bar.set_label(_("critic's score C(x), each panel\nscaled to its own range"))


def snapshots_figure(snapshots, real=None, *, ncols: int | None = None, suptitle=None, titles=None,
                     panel_size: float = 2.6) -> Figure:
    """A grid of snapshots, each titled with its step and the modes covered.

    Parameters
    ----------
    snapshots : list of Snapshot
    real : array (N, 2), optional
        Real points drawn faintly in every panel (a few hundred are enough).
    ncols : int, optional
        Panels per row (default: all in one row, at most 5).
    titles : list of str, optional
        Replace the panels' own titles (e.g. to name runs instead of steps).
    """
    _style()
    if isinstance(snapshots, Snapshot):
        snapshots = [snapshots]
    snapshots = list(snapshots) if isinstance(snapshots, (list, tuple)) else snapshots
    if not isinstance(snapshots, list) or not snapshots:
        raise SettingError(_("snapshots must be a non-empty list of Snapshot (from toy.Snapshots)."))
    for i, snap in enumerate(snapshots):
        _check_snapshot(snap, f"snapshots[{i}]")
    if titles is not None and (isinstance(titles, str) or len(titles) != len(snapshots)):
        raise SettingError(_("give one title per snapshot: {snapshots} snapshots, {titles} titles.").format(
            snapshots=len(snapshots), titles=1 if isinstance(titles, str) else len(titles)))
    real = None if real is None else _points(real, "real")
    ncols = min(len(snapshots), 5) if ncols is None else min(_whole(ncols, "ncols"), len(snapshots))
    nrows = -(-len(snapshots) // ncols)
    panel_size = _positive(panel_size, "panel_size")
    fig = Figure(figsize=(ncols * panel_size + 0.8, nrows * panel_size + (0.5 if suptitle else 0.2)),
                 layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for ax in axes.ravel()[len(snapshots):]:
        ax.set_axis_off()
    for i, (ax, snap) in enumerate(zip(axes.ravel(), snapshots)):
        _draw_surface(fig, ax, snap, real, colorbar=False)
        ax.set_title(titles[i] if titles is not None else snap.title, fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
    _shared_colorbar(fig, axes, [snap.probability for snap in snapshots])
    if suptitle:
        fig.suptitle(str(suptitle))
    return fig
