"""Checks for notebook 08 (diffusion models).

q1  ``alpha_bars(betas)``: betas (T,) -> (T,) float64, the cumulative product of ``1 - beta``
    up to and including each step: ``alpha_bar[t] = (1 - beta[0]) · ... · (1 - beta[t])``
q2  ``forward_noise(x0, t, noise, betas)``: clean samples x0 (N, ...), a time t (an int from 0 to
    T-1), standard normal noise like x0 -> ``sqrt(alpha_bar[t]) x0 + sqrt(1 - alpha_bar[t]) noise``
q3  ``ddim_step(x_t, eps, alpha_bar_t, alpha_bar_prev)``: one deterministic DDIM step (eta = 0, no
    clipping) from x_t with predicted noise eps: estimate ``x0 = (x_t - sqrt(1 - a_t) eps) / sqrt(a_t)``,
    then return ``sqrt(a_prev) x0 + sqrt(1 - a_prev) eps``
q4  ``guided_noise(eps_cond, eps_uncond, scale)``: classifier-free guidance,
    ``eps_uncond + scale · (eps_cond - eps_uncond)``
"""

from __future__ import annotations

import numpy as np

from ..i18n import _
from .core import Exercise, Trials

__all__ = ["q1", "q2", "q3", "q4"]


# ------------------------------------------------------------------ references


def _alpha_bars(betas):
    return np.cumprod(1.0 - np.asarray(betas, np.float64))


def _forward_noise(x0, t, noise, betas):
    a = _alpha_bars(betas)[t]
    return np.sqrt(a) * x0 + np.sqrt(1.0 - a) * noise


def _ddim_step(x_t, eps, alpha_bar_t, alpha_bar_prev):
    x0 = (x_t - np.sqrt(1.0 - alpha_bar_t) * eps) / np.sqrt(alpha_bar_t)
    return np.sqrt(alpha_bar_prev) * x0 + np.sqrt(1.0 - alpha_bar_prev) * eps


def _guided_noise(eps_cond, eps_uncond, scale):
    return eps_uncond + scale * (eps_cond - eps_uncond)


# What solution() shows: the same, written the way the notebook's text says it.

def _alpha_bars_shown(betas):
    alphas = 1.0 - np.asarray(betas, dtype=np.float64)
    return np.cumprod(alphas)          # alpha_bar[t] = alpha[0] * ... * alpha[t], t included


def _forward_noise_shown(x0, t, noise, betas):
    alpha_bar = np.cumprod(1.0 - np.asarray(betas, dtype=np.float64))[t]
    return np.sqrt(alpha_bar) * x0 + np.sqrt(1.0 - alpha_bar) * noise


def _ddim_step_shown(x_t, eps, alpha_bar_t, alpha_bar_prev):
    x0 = (x_t - np.sqrt(1.0 - alpha_bar_t) * eps) / np.sqrt(alpha_bar_t)   # the clean picture it points to
    return np.sqrt(alpha_bar_prev) * x0 + np.sqrt(1.0 - alpha_bar_prev) * eps  # re-noised to the earlier time


def _guided_noise_shown(eps_cond, eps_uncond, scale):
    return eps_uncond + scale * (eps_cond - eps_uncond)


# ------------------------------------------------------------------ inputs


def _betas(rng, low=5):
    """An increasing schedule, its betas large enough that every mistake changes the numbers visibly."""
    return np.sort(rng.uniform(0.02, 0.3, int(rng.integers(low, 16))))


def _betas_inputs(rng):
    return (_betas(rng),)


def _forward_inputs(rng, t=None):
    betas = _betas(rng)
    t = int(rng.integers(2, len(betas))) if t is None else t
    shape = (int(rng.integers(3, 6)), int(rng.integers(2, 5)))
    return rng.uniform(-1, 1, shape), t, rng.standard_normal(shape), betas


def _ddim_inputs(rng):
    shape = (int(rng.integers(3, 6)), int(rng.integers(4, 7)))
    a_t = float(rng.uniform(0.05, 0.5))
    a_prev = float(rng.uniform(a_t + 0.2, 0.98))
    return rng.standard_normal(shape), rng.standard_normal(shape), a_t, a_prev


def _guidance_inputs(rng):
    shape = (int(rng.integers(3, 6)), int(rng.integers(4, 7)))
    return rng.standard_normal(shape), rng.standard_normal(shape), float(rng.uniform(1.5, 6.0))


# ------------------------------------------------------------------ explanations


def _matches(got, wrong) -> bool:
    return isinstance(got, np.ndarray) and got.shape == np.shape(wrong) and np.allclose(got, wrong, rtol=1e-4,
                                                                                        atol=1e-6)


def _first(got, expected, mistakes):
    if not isinstance(got, np.ndarray) or got.shape != np.shape(expected) or _matches(got, expected):
        return None
    for wrong, message in mistakes:
        if _matches(got, wrong):
            return message
    return None


def _explain_alpha_bars(args, got, expected):
    (betas,) = args
    alphas = 1.0 - betas
    return _first(got, expected, [
        (alphas, _("that is alpha = 1 - beta at each step, not its cumulative product alpha_bar: "
                   "use np.cumprod(1 - betas)")),
        (np.cumprod(betas), _("that is the cumulative product of the betas; alpha_bar multiplies the alphas, "
                              "1 - beta")),
        (1.0 - np.cumprod(betas), _("that is 1 minus the product of the betas; alpha_bar is the product of "
                                    "the alphas, 1 - beta")),
        (np.concatenate([[1.0], np.cumprod(alphas)[:-1]]),
         _("off by one step: alpha_bar[t] includes alpha[t] itself, so alpha_bar[0] = 1 - beta[0], not 1")),
        (np.cumprod(alphas)[::-1], _("the product runs from the last step backwards; it starts at step 0")),
        (1.0 - np.cumsum(betas), _("1 - (sum of the betas) is only close to the product for tiny betas: "
                                   "multiply the alphas with np.cumprod")),
        (np.cumsum(alphas), _("that is a cumulative sum; alpha_bar is a cumulative product (np.cumprod)")),
        (np.prod(alphas) * np.ones_like(betas), _("every entry is the product of all the steps; alpha_bar[t] "
                                                  "multiplies only the steps up to t")),
    ])


def _explain_forward(args, got, expected):
    x0, t, noise, betas = args
    bars = _alpha_bars(betas)
    a = bars[t]
    alpha = 1.0 - betas[t]
    return _first(got, expected, [
        (a * x0 + (1 - a) * noise, _("the square roots are missing: the coefficients are sqrt(alpha_bar) and "
                                     "sqrt(1 - alpha_bar), so that the variances add up to 1")),
        (np.sqrt(a) * x0 + (1 - a) * noise, _("the noise's coefficient needs a square root: sqrt(1 - alpha_bar)")),
        (a * x0 + np.sqrt(1 - a) * noise, _("the clean sample's coefficient needs a square root: sqrt(alpha_bar)")),
        (np.sqrt(a) * x0 + np.sqrt(a) * noise, _("the noise is weighted by sqrt(1 - alpha_bar), not sqrt(alpha_bar)")),
        (np.sqrt(1 - a) * x0 + np.sqrt(a) * noise,
         _("the two coefficients are swapped: x0 gets sqrt(alpha_bar) (large early), the noise sqrt(1 - alpha_bar)")),
        (np.sqrt(alpha) * x0 + np.sqrt(1 - alpha) * noise,
         _("you used this step's alpha = 1 - beta[t]; the closed form needs alpha_bar[t], the product of all "
           "the alphas up to t")),
        (np.sqrt(bars[t - 1]) * x0 + np.sqrt(1 - bars[t - 1]) * noise,
         _("off by one step: you used alpha_bar[t - 1]; time t means the product up to and including step t")),
        (np.sqrt(bars[t + 1]) * x0 + np.sqrt(1 - bars[t + 1]) * noise if t + 1 < len(bars) else np.nan * x0,
         _("off by one step: you used alpha_bar[t + 1]; time t means the product up to and including step t")),
        (np.sqrt(1 - betas[t]) * x0 + np.sqrt(betas[t]) * noise,
         _("that is one step of noise from time t - 1; the closed form goes from x0 in one go with alpha_bar[t]")),
    ])


def _explain_ddim(args, got, expected):
    x_t, eps, a_t, a_prev = args
    x0 = (x_t - np.sqrt(1 - a_t) * eps) / np.sqrt(a_t)
    return _first(got, expected, [
        (x0, _("that is the estimate of the clean sample x0; the step goes on to re-noise it to the earlier time: "
               "sqrt(a_prev) * x0 + sqrt(1 - a_prev) * eps")),
        (np.sqrt(a_prev) * x0, _("the noise term is missing: a deterministic step keeps the predicted noise, "
                                 "+ sqrt(1 - a_prev) * eps")),
        (x_t, _("x_t came back unchanged: re-noise the estimate of x0 with alpha_bar_prev, not alpha_bar_t")),
        (np.sqrt(a_prev) * (x_t + np.sqrt(1 - a_t) * eps) / np.sqrt(a_t) + np.sqrt(1 - a_prev) * eps,
         _("the sign of the noise is wrong in the estimate of x0: subtract it, (x_t - sqrt(1 - a_t) * eps) / "
           "sqrt(a_t)")),
        (np.sqrt(a_prev) * (x_t - (1 - a_t) * eps) / a_t + (1 - a_prev) * eps,
         _("the square roots are missing: the coefficients are sqrt(alpha_bar) and sqrt(1 - alpha_bar)")),
        (np.sqrt(a_prev) * (x_t - (1 - a_t) * eps) / np.sqrt(a_t) + np.sqrt(1 - a_prev) * eps,
         _("the noise in the estimate of x0 needs a square root: x_t - sqrt(1 - a_t) * eps")),
        (a_prev * x0 + (1 - a_prev) * eps, _("re-noising needs square roots: sqrt(a_prev) * x0 + sqrt(1 - a_prev) * "
                                             "eps")),
        (np.sqrt(a_t) * ((x_t - np.sqrt(1 - a_prev) * eps) / np.sqrt(a_prev)) + np.sqrt(1 - a_t) * eps,
         _("alpha_bar_t and alpha_bar_prev are swapped: estimate x0 with a_t (the time of x_t), re-noise with a_prev")),
        (np.sqrt(a_prev) * (x_t - np.sqrt(1 - a_t) * eps) + np.sqrt(1 - a_prev) * eps,
         _("the estimate of x0 must be divided by sqrt(a_t): x0 = (x_t - sqrt(1 - a_t) * eps) / sqrt(a_t)")),
    ])


def _explain_guidance(args, got, expected):
    c, u, s = args
    return _first(got, expected, [
        (c + s * (u - c), _("the conditional and the unconditional predictions are swapped: start from "
                            "eps_uncond and move towards eps_cond")),
        (u - s * (c - u), _("the guidance term has the wrong sign: + scale * (eps_cond - eps_uncond) pushes "
                            "towards the label")),
        (c + s * (c - u), _("that is Ho & Salimans' (1 + w) eps_cond - w eps_uncond with w = scale; here scale is "
                            "the whole weight (w = scale - 1): eps_uncond + scale * (eps_cond - eps_uncond)")),
        (s * (c - u), _("only the guidance term: add it to eps_uncond")),
        (s * c, _("the unconditional prediction is missing: eps_uncond + scale * (eps_cond - eps_uncond)")),
        (s * c + (1 - s) * c, _("the unconditional prediction is never used")),
        ((c + u) / 2, _("that is the plain average; the scale decides how far to go from eps_uncond towards eps_cond")),
        (u + (c - u) / s, _("the scale divides; it should multiply (eps_cond - eps_uncond)")),
    ])


# ------------------------------------------------------------------ exercises


q1 = Exercise("q1 alpha_bars", _alpha_bars, _betas_inputs, trials=5, rtol=1e-6, atol=1e-9,
              explain=_explain_alpha_bars, solution=_alpha_bars_shown,
              hint=lambda: _("alpha = 1 - betas; alpha_bar[t] multiplies alpha[0] ... alpha[t] (t included): "
                             "np.cumprod does exactly that."))
q2 = Exercise("q2 forward_noise", _forward_noise,
              Trials([lambda rng: _forward_inputs(rng, 0)], _forward_inputs), trials=5, rtol=1e-6, atol=1e-9,
              explain=_explain_forward, solution=_forward_noise_shown,
              hint=lambda: _("first alpha_bar = np.cumprod(1 - betas)[t]; then sqrt(alpha_bar) * x0 + "
                             "sqrt(1 - alpha_bar) * noise."))
q3 = Exercise("q3 ddim_step", _ddim_step, _ddim_inputs, trials=5, rtol=1e-6, atol=1e-9, explain=_explain_ddim,
              solution=_ddim_step_shown,
              hint=lambda: _("two lines: x0 = (x_t - sqrt(1 - alpha_bar_t) * eps) / sqrt(alpha_bar_t), then "
                             "sqrt(alpha_bar_prev) * x0 + sqrt(1 - alpha_bar_prev) * eps."))
q4 = Exercise("q4 guided_noise", _guided_noise, _guidance_inputs, trials=5, rtol=1e-6, atol=1e-9,
              explain=_explain_guidance, solution=_guided_noise_shown,
              hint=lambda: _("start from the unconditional prediction and go scale times the difference that the label "
                             "makes: eps_uncond + scale * (eps_cond - eps_uncond)."))
