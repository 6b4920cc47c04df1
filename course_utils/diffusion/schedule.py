"""The noise schedule of a diffusion model, and the formulas of its forward and reverse steps (NumPy).

A diffusion model destroys a picture in ``T`` small steps of Gaussian noise and learns to undo
them. Step ``t`` (here ``t = 0, 1, ..., T - 1``; the papers count from 1) keeps a share
``alpha[t] = 1 - beta[t]`` of the signal's variance. Its product up to and *including* ``t``,

    alpha_bar[t] = alpha[0] · alpha[1] · ... · alpha[t],

gives the **forward process in closed form**: a clean picture ``x0`` after ``t + 1`` steps is

    x_t = sqrt(alpha_bar[t]) · x0 + sqrt(1 - alpha_bar[t]) · eps,    eps ~ N(0, I),

so ``q(x_t | x0)`` is a Gaussian with mean ``sqrt(alpha_bar[t]) x0`` and variance
``1 - alpha_bar[t]`` (:func:`q_sample`, :func:`q_mean_variance`). A network that predicts ``eps``
from ``x_t`` and ``t`` gives an estimate of the clean picture (:func:`predict_x0`), and from it
the step back from ``t`` to an earlier time ``s`` (:func:`ddim_step`):

    x_s = sqrt(alpha_bar[s]) · x0_hat + sqrt(1 - alpha_bar[s] - sigma²) · eps_hat + sigma · z,
    sigma = eta · sqrt((1 - alpha_bar[s]) / (1 - alpha_bar[t])) · sqrt(1 - alpha_bar[t] / alpha_bar[s]).

``eta = 0`` is DDIM's deterministic step (Song et al. 2021); ``eta = 1`` is the ancestral step of
DDPM (Ho et al. 2020): it draws from the Gaussian posterior ``q(x_s | x_t, x0_hat)``, whose mean and
variance :func:`posterior_mean_variance` gives in DDPM's own form. ``s = -1`` means "clean":
``alpha_bar[-1]`` is taken as 1 there. With fewer sampling steps than training steps, the sampler
jumps between the times of :meth:`Schedule.timesteps`, a subsequence of the training times, and
uses the *training* schedule's ``alpha_bar`` at them — the only way the two stay consistent.

Two schedules (:func:`linear`, :func:`cosine`):

- **linear** (Ho et al. 2020): ``beta`` from 1e-4 to 0.02. For small pictures it destroys the
  signal early: the last few hundred steps all look like pure noise, and are wasted.
- **cosine** (Nichol & Dhariwal 2021): ``alpha_bar`` follows ``cos²`` of the time, so the signal
  fades evenly; ``beta`` is capped at 0.999 near the end. The course uses this one.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ..validate import positive_int as _positive_int
from ..errors import SettingError
from ..i18n import _

__all__ = ["KINDS", "Schedule", "linear", "cosine", "make", "q_mean_variance", "q_sample", "predict_x0",
           "noise_from_x0", "ddim_sigma", "ddim_step", "posterior_mean_variance"]

#: The schedules :func:`make` knows.
KINDS = ("cosine", "linear")


@dataclasses.dataclass(frozen=True, eq=False)
class Schedule:
    """The per-step noise of a diffusion process: ``betas`` (T,), with ``alphas`` and ``alpha_bars`` derived."""

    kind: str
    betas: np.ndarray

    def __post_init__(self):
        betas = np.asarray(self.betas, np.float64)
        if betas.ndim != 1 or len(betas) < 1 or not np.all((betas > 0) & (betas < 1)):
            raise SettingError(_("a schedule's betas must be a 1-D array of numbers strictly between 0 and 1."))
        object.__setattr__(self, "betas", betas)

    @property
    def steps(self) -> int:
        """T, the number of training steps."""
        return len(self.betas)

    @property
    def alphas(self) -> np.ndarray:
        """1 - beta: the share of the variance each step keeps."""
        return 1.0 - self.betas

    @property
    def alpha_bars(self) -> np.ndarray:
        """The cumulative product of the alphas, up to and including each step (T,)."""
        return np.cumprod(self.alphas)

    def alpha_bar(self, t) -> np.ndarray:
        """``alpha_bar`` at times ``t`` (ints in -1 ... T-1; -1, "clean", gives 1)."""
        t = np.asarray(t)
        if t.dtype.kind not in "iu" or np.any(t < -1) or np.any(t >= self.steps):
            raise SettingError(_("times must be whole numbers from -1 to {largest}; got {t!r}.").format(
                largest=self.steps - 1, t=t))
        padded = np.concatenate([[1.0], self.alpha_bars])
        return padded[t + 1]

    def timesteps(self, steps: int) -> np.ndarray:
        """The training times a sampler with ``steps`` steps visits, from T-1 down to 0 (int64, evenly spaced).

        With ``steps == T`` this is every time; with fewer, a subsequence that always starts at
        T - 1 (pure noise) and, from two steps on, ends at 0 (one step from clean).
        """
        steps = _positive_int(steps, "steps", "50")
        if steps > self.steps:
            raise SettingError(_("a sampler cannot take more steps ({steps}) than the model was trained with "
                                  "({trained}); choose steps <= {trained}.").format(steps=steps, trained=self.steps))
        return np.round(np.linspace(self.steps - 1, 0, steps)).astype(np.int64)

    def signal_to_noise(self) -> np.ndarray:
        """alpha_bar / (1 - alpha_bar) at every step: how much picture there is against noise."""
        a = self.alpha_bars
        return a / (1.0 - a)

    def as_meta(self) -> dict:
        """What a checkpoint records to refuse another schedule."""
        return {"schedule": self.kind, "schedule_steps": self.steps}

    def __repr__(self):
        return f"Schedule({self.kind!r}, T={self.steps})"


def linear(steps: int = 1000, beta_start: float = 1e-4, beta_end: float = 0.02) -> Schedule:
    """Ho et al.'s schedule: ``beta`` rising linearly from ``beta_start`` to ``beta_end`` over ``steps`` steps.

    The defaults are the paper's for T = 1000; for another T they are scaled by 1000 / T so that
    the total amount of noise stays about the same.
    """
    steps = _positive_int(steps, "steps", "1000")
    scale = 1000.0 / steps
    return Schedule("linear", np.linspace(beta_start * scale, min(beta_end * scale, 0.999), steps))


def cosine(steps: int = 1000, offset: float = 0.008, max_beta: float = 0.999) -> Schedule:
    """Nichol & Dhariwal's schedule: ``alpha_bar(t) = f(t) / f(0)`` with ``f(t) = cos²((t/T + s)/(1 + s) · π/2)``.

    Step ``i`` (0-based) is the paper's ``t = i + 1``; each ``beta = 1 - alpha_bar(t)/alpha_bar(t-1)``
    is capped at ``max_beta`` so that the last steps do not divide by zero.
    """
    steps = _positive_int(steps, "steps", "1000")
    t = np.arange(steps + 1, dtype=np.float64) / steps
    f = np.cos((t + offset) / (1 + offset) * np.pi / 2) ** 2
    betas = np.clip(1.0 - f[1:] / f[:-1], 1e-8, max_beta)
    return Schedule("cosine", betas)


def make(kind: str = "cosine", steps: int = 1000) -> Schedule:
    """A schedule by name: ``"cosine"`` or ``"linear"``."""
    if kind not in KINDS:
        raise SettingError(_("schedule must be one of {kinds}; got {kind!r}.").format(
            kinds=", ".join(repr(k) for k in KINDS), kind=kind))
    return cosine(steps) if kind == "cosine" else linear(steps)


# ----------------------------------------------------------------------------- the formulas


def _expand(values, like) -> np.ndarray:
    """Per-sample numbers (N,) shaped to broadcast against a batch ``like`` (N, ...)."""
    values = np.asarray(values, np.float64)
    return values.reshape(values.shape + (1,) * (np.ndim(like) - values.ndim))


def q_mean_variance(schedule: Schedule, x0, t) -> tuple[np.ndarray, np.ndarray]:
    """Mean and variance of ``q(x_t | x0)``: ``sqrt(alpha_bar[t]) x0`` and ``1 - alpha_bar[t]`` (per sample)."""
    a = _expand(schedule.alpha_bar(t), x0)
    return np.sqrt(a) * np.asarray(x0, np.float64), np.broadcast_to(1.0 - a, np.shape(x0))


def q_sample(schedule: Schedule, x0, t, noise) -> np.ndarray:
    """``x_t = sqrt(alpha_bar[t]) x0 + sqrt(1 - alpha_bar[t]) noise``: ``x0`` noised to time ``t`` in one go."""
    a = _expand(schedule.alpha_bar(t), x0)
    return np.sqrt(a) * x0 + np.sqrt(1.0 - a) * noise


def predict_x0(schedule: Schedule, x_t, t, eps) -> np.ndarray:
    """The clean picture that ``x_t`` would come from if its noise were ``eps``: the forward formula solved for x0."""
    a = _expand(schedule.alpha_bar(t), x_t)
    return (x_t - np.sqrt(1.0 - a) * eps) / np.sqrt(a)


def noise_from_x0(schedule: Schedule, x_t, t, x0) -> np.ndarray:
    """The noise that takes ``x0`` to ``x_t`` at time ``t`` (the forward formula solved for eps)."""
    a = _expand(schedule.alpha_bar(t), x_t)
    return (x_t - np.sqrt(a) * x0) / np.sqrt(1.0 - a)


def ddim_sigma(schedule: Schedule, t, s, eta: float = 0.0) -> np.ndarray:
    """The standard deviation of the fresh noise in a step from ``t`` to ``s`` (0 for DDIM, the posterior's for eta=1)."""
    a_t, a_s = schedule.alpha_bar(t), schedule.alpha_bar(s)
    return eta * np.sqrt((1.0 - a_s) / (1.0 - a_t)) * np.sqrt(1.0 - a_t / a_s)


def ddim_step(schedule: Schedule, x_t, t, s, eps, *, eta: float = 0.0, noise=None, clip: float | None = None):
    """One step back from time ``t`` to the earlier time ``s`` (``s = -1``: to the clean picture).

    ``eps`` is the network's prediction of the noise in ``x_t``. With ``clip`` the estimate of the
    clean picture is clipped to [-clip, clip] (the data's range) and the noise re-derived from it, so
    that the step stays consistent. ``eta > 0`` needs ``noise`` (standard normal, like ``x_t``).
    Returns ``(x_s, x0_hat)``.
    """
    x0 = predict_x0(schedule, x_t, t, eps)
    if clip is not None:
        x0 = np.clip(x0, -clip, clip)
        eps = noise_from_x0(schedule, x_t, t, x0)
    a_s = _expand(schedule.alpha_bar(s), x_t)
    sigma = _expand(ddim_sigma(schedule, t, s, eta), x_t)
    x_s = np.sqrt(a_s) * x0 + np.sqrt(np.maximum(1.0 - a_s - sigma ** 2, 0.0)) * eps
    if eta:
        if noise is None:
            raise SettingError(_("a step with eta > 0 adds fresh noise: pass "
                                  "noise=np.random.standard_normal(x.shape)."))
        x_s = x_s + sigma * noise
    return x_s, x0


def posterior_mean_variance(schedule: Schedule, x_t, t, s, x0) -> tuple[np.ndarray, np.ndarray]:
    """Mean and variance of ``q(x_s | x_t, x0)``, in DDPM's form (Ho et al. 2020, eq. 7), for any ``s < t``.

    With ``beta = 1 - alpha_bar[t] / alpha_bar[s]`` (one step's beta when ``s = t - 1``):
    mean ``= sqrt(alpha_bar[s]) beta / (1 - alpha_bar[t]) · x0 + sqrt(1 - beta) (1 - alpha_bar[s]) / (1 - alpha_bar[t]) · x_t``,
    variance ``= beta (1 - alpha_bar[s]) / (1 - alpha_bar[t])``.
    """
    a_t, a_s = _expand(schedule.alpha_bar(t), x_t), _expand(schedule.alpha_bar(s), x_t)
    beta = 1.0 - a_t / a_s
    mean = np.sqrt(a_s) * beta / (1.0 - a_t) * x0 + np.sqrt(1.0 - beta) * (1.0 - a_s) / (1.0 - a_t) * x_t
    return mean, np.broadcast_to(beta * (1.0 - a_s) / (1.0 - a_t), np.shape(x_t))
