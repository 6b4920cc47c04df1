"""Checks for notebook 07 (fast style transfer).

q1  ``instance_norm(x, eps=1e-5)``: x (B, H, W, C) float32 -> the same shape, each channel
    of each picture shifted and scaled to mean 0 and standard deviation 1 over its H×W
    positions: ``(x - mean) / sqrt(var + eps)`` with mean and var over axes (1, 2)
q2  ``adain(content, style, eps=1e-5)``: content (B, H, W, C) and style (B, h, w, C) feature
    maps (the style map may have another size) -> (B, H, W, C): the content normalised as
    in q1, then given the style's per-channel standard deviation and mean,
    ``sqrt(var_s + eps) * (content - mean_c) / sqrt(var_c + eps) + mean_s``
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from .core import Exercise, Trials

EPS = 1e-5


def _stats(x, axes=(1, 2), eps=EPS):
    mean = x.mean(axis=axes, keepdims=True, dtype=np.float64)
    var = x.var(axis=axes, keepdims=True, dtype=np.float64)
    return mean, np.sqrt(var + eps)


def _instance_norm(x, eps=EPS):
    mean, std = _stats(x, eps=eps)
    return ((x - mean) / std).astype(np.float32)


def _adain(content, style, eps=EPS):
    mean_c, std_c = _stats(content, eps=eps)
    mean_s, std_s = _stats(style, eps=eps)
    return (std_s * (content - mean_c) / std_c + mean_s).astype(np.float32)


#: The reference solutions, for the committed exercise cells (delete the call to use yours).
solution = SimpleNamespace(instance_norm=_instance_norm, adain=_adain)


# ------------------------------------------------------------------ inputs


def _maps(rng, batch, height, width, channels):
    """Activations with a different mean and spread in every picture and channel, like VGG's."""
    scale = rng.uniform(0.5, 4.0, size=(batch, 1, 1, channels))
    shift = rng.uniform(-2.0, 6.0, size=(batch, 1, 1, channels))
    return (rng.normal(size=(batch, height, width, channels)) * scale + shift).astype(np.float32)


def _shape(rng):
    # never square, and B, H, W, C all different, so a mix-up of axes changes the numbers
    return int(rng.integers(2, 4)), int(rng.integers(4, 7)), int(rng.integers(8, 12)), int(rng.integers(13, 17))


def _norm_inputs(rng):
    return (_maps(rng, *_shape(rng)),)


def _flat_channel(rng):
    """One channel that is almost constant: only ``var + eps`` under the root keeps it finite and right."""
    x = _maps(rng, *_shape(rng))
    x[0, :, :, 0] = 0.5 + 1e-3 * rng.normal(size=x.shape[1:3])  # var about 1e-6, well below eps
    return (x,)


def _adain_inputs(rng):
    batch, height, width, channels = _shape(rng)
    style_size = (int(rng.integers(3, 6)), int(rng.integers(12, 16)))  # another size than the content
    return _maps(rng, batch, height, width, channels), _maps(rng, batch, *style_size, channels)


# ------------------------------------------------------------------ explanations


def _close(a, b) -> bool:
    return a.shape == b.shape and np.allclose(a, b, rtol=1e-3, atol=1e-3)


def _right(got, expected) -> bool:
    return got.dtype.kind == "f" and np.allclose(got, expected, rtol=1e-3, atol=1e-4)


def _explain_norm(args, got, expected):
    (x,) = args
    if not isinstance(got, np.ndarray) or got.shape != x.shape or _right(got, expected):
        return None
    for axes, name in (((0, 1, 2), "over the batch too (axes 0, 1, 2): that is batch normalisation"),
                       ((1, 2, 3), "over the channels too (axes 1, 2, 3): that is layer normalisation"),
                       ((0, 1, 2, 3), "over the whole array at once")):
        mean, std = _stats(x, axes)
        if _close(got, (x - mean) / std):
            return (f"you normalised {name}; instance normalisation takes the mean and variance of each "
                    "picture's each channel, over axes (1, 2) only, with keepdims=True")
    mean, std = _stats(x)
    if _close(got, x - mean):
        return "the mean is subtracted but the result is not divided by the standard deviation sqrt(var + eps)"
    if _close(got, x / std):
        return "the result is divided by the standard deviation but the mean was not subtracted first"
    with np.errstate(divide="ignore", invalid="ignore"):
        no_eps = (x - mean) / np.sqrt(x.var(axis=(1, 2), keepdims=True, dtype=np.float64))
        std_plus = (x - mean) / (np.sqrt(x.var(axis=(1, 2), keepdims=True, dtype=np.float64)) + EPS)
    if _close(got[..., 1:], expected[..., 1:]) and (_close(got, no_eps) or _close(got, std_plus)
                                                   or not np.all(np.isfinite(got))):
        return ("right for ordinary channels, wrong for an almost constant one: put eps inside the square "
                "root, (x - mean) / np.sqrt(var + eps), as the formula says")
    return None


def _explain_adain(args, got, expected):
    content, style = args
    if not isinstance(got, np.ndarray):
        return None
    if got.shape == style.shape and got.shape != content.shape:
        return (f"the result has the style map's shape {style.shape}; it must keep the content's "
                f"{content.shape}: normalise the content, then give it the style's mean and spread")
    if got.shape != content.shape or _right(got, expected):
        return None
    mean_c, std_c = _stats(content)
    mean_s, std_s = _stats(style)
    mistakes = [
        (content, "the result is the content map unchanged: normalise it, then give it the style's standard "
                  "deviation and mean"),
        ((content - mean_c) / std_c,
         "that is only the instance-normalised content: multiply by the style's standard deviation and add "
         "its mean"),
        (std_s * (content - mean_c) / std_c,
         "the style's mean is missing: add mean(style) over axes (1, 2) at the end"),
        ((content - mean_c) / std_c + mean_s,
         "the scale is missing: multiply the normalised content by the style's standard deviation"),
        (std_s * content / std_c + mean_s,
         "subtract the content's mean before dividing by its standard deviation"),
        (std_c * (content - mean_c) / std_s + mean_s,
         "the standard deviations are swapped: divide by the content's and multiply by the style's"),
    ]
    for wrong, message in mistakes:
        if _close(got, wrong):
            return message
    for axes, name in (((0, 1, 2), "the batch"), ((1, 2, 3), "the channels")):
        m_c, s_c = _stats(content, axes)
        m_s, s_s = _stats(style, axes)
        if _close(got, s_s * (content - m_c) / s_c + m_s):
            return (f"the statistics were taken over {name} too; take each picture's each channel's mean "
                    "and variance over axes (1, 2) only")
    return None


q1 = Exercise("q1 instance_norm", _instance_norm, Trials([_norm_inputs, _flat_channel], _norm_inputs),
              trials=5, rtol=1e-3, atol=1e-4, explain=_explain_norm,
              hint="mean = x.mean(axis=(1, 2), keepdims=True); var = x.var(axis=(1, 2), keepdims=True); "
                   "return (x - mean) / np.sqrt(var + eps).")
q2 = Exercise("q2 adain", _adain, _adain_inputs, trials=5, rtol=1e-3, atol=1e-4, explain=_explain_adain,
              hint="normalise the content as in q1, then multiply by sqrt(var_s + eps) and add mean_s, "
                   "both over axes (1, 2) of the style with keepdims=True.")
