"""Checks for notebook 07 (fast style transfer).

q1  ``instance_norm(x, eps=1e-5)``: x (B, H, W, C) float32 -> the same shape, each channel
    of each picture shifted and scaled to mean 0 and standard deviation 1 over its H×W
    positions: ``(x - mean) / sqrt(var + eps)`` with mean and var over axes (1, 2)
q2  ``adain_op(content, style, eps=1e-5)`` (a name that leaves the notebook's ``adain`` module alone): content (B, H, W, C) and style (B, h, w, C) feature
    maps (the style map may have another size) -> (B, H, W, C): the content normalised as
    in q1, then given the style's per-channel standard deviation and mean,
    ``sqrt(var_s + eps) * (content - mean_c) / sqrt(var_c + eps) + mean_s``
q3  ``upsample(x)``: nearest-neighbour upsampling by 2 of a batch (B, H, W, C) -> (B, 2H, 2W, C),
    every pixel copied into a 2×2 block, as ``keras.layers.UpSampling2D(2)`` does: the first half of
    the feed-forward network's upsample-then-convolve blocks
"""

from __future__ import annotations

import numpy as np

from ..i18n import _
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


def _instance_norm_shown(x, eps=1e-5):
    """What ``check.q1.solution()`` shows (the reference adds up in float64)."""
    mean = x.mean(axis=(1, 2), keepdims=True)  # one mean per picture and channel, (B, 1, 1, C)
    var = x.var(axis=(1, 2), keepdims=True)
    return (x - mean) / np.sqrt(var + eps)


def _adain_shown(content, style, eps=1e-5):
    """What ``check.q2.solution()`` shows."""
    mean_c, var_c = content.mean(axis=(1, 2), keepdims=True), content.var(axis=(1, 2), keepdims=True)
    mean_s, var_s = style.mean(axis=(1, 2), keepdims=True), style.var(axis=(1, 2), keepdims=True)
    return np.sqrt(var_s + eps) * (content - mean_c) / np.sqrt(var_c + eps) + mean_s


def _upsample(x):
    return np.repeat(np.repeat(x, 2, axis=1), 2, axis=2)  # each row twice, then each column twice




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
    wrong_axes = {
        (0, 1, 2): lambda: _("you normalised over the batch too (axes 0, 1, 2): that is batch normalisation; "
                             "instance normalisation takes the mean and variance of each picture's each channel, "
                             "over axes (1, 2) only, with keepdims=True"),
        (1, 2, 3): lambda: _("you normalised over the channels too (axes 1, 2, 3): that is layer normalisation; "
                             "instance normalisation takes the mean and variance of each picture's each channel, "
                             "over axes (1, 2) only, with keepdims=True"),
        (0, 1, 2, 3): lambda: _("you normalised over the whole array at once; instance normalisation takes the "
                                "mean and variance of each picture's each channel, over axes (1, 2) only, with "
                                "keepdims=True"),
    }
    for axes, message in wrong_axes.items():
        mean, std = _stats(x, axes)
        if _close(got, (x - mean) / std):
            return message()
    mean, std = _stats(x)
    if _close(got, x - mean):
        return _("the mean is subtracted but the result is not divided by the standard deviation sqrt(var + eps)")
    if _close(got, x / std):
        return _("the result is divided by the standard deviation but the mean was not subtracted first")
    with np.errstate(divide="ignore", invalid="ignore"):
        no_eps = (x - mean) / np.sqrt(x.var(axis=(1, 2), keepdims=True, dtype=np.float64))
        std_plus = (x - mean) / (np.sqrt(x.var(axis=(1, 2), keepdims=True, dtype=np.float64)) + EPS)
    if _close(got[..., 1:], expected[..., 1:]) and (_close(got, no_eps) or _close(got, std_plus)
                                                   or not np.all(np.isfinite(got))):
        return (_("right for ordinary channels, wrong for an almost constant one: put eps inside the square "
                  "root, (x - mean) / np.sqrt(var + eps), as the formula says"))
    return None


def _explain_adain(args, got, expected):
    content, style = args
    if not isinstance(got, np.ndarray):
        return None
    if got.shape == style.shape and got.shape != content.shape:
        return (_("the result has the style map's shape {style_shape}; it must keep the content's "
                  "{content_shape}: normalise the content, then give it the style's mean and spread").format(
                      style_shape=style.shape, content_shape=content.shape))
    if got.shape != content.shape or _right(got, expected):
        return None
    mean_c, std_c = _stats(content)
    mean_s, std_s = _stats(style)
    mistakes = [
        (content, _("the result is the content map unchanged: normalise it, then give it the style's standard "
                    "deviation and mean")),
        ((content - mean_c) / std_c,
         _("that is only the instance-normalised content: multiply by the style's standard deviation and add "
           "its mean")),
        (std_s * (content - mean_c) / std_c,
         _("the style's mean is missing: add mean(style) over axes (1, 2) at the end")),
        ((content - mean_c) / std_c + mean_s,
         _("the scale is missing: multiply the normalised content by the style's standard deviation")),
        (std_s * content / std_c + mean_s,
         _("subtract the content's mean before dividing by its standard deviation")),
        (std_c * (content - mean_c) / std_s + mean_s,
         _("the standard deviations are swapped: divide by the content's and multiply by the style's")),
    ]
    for wrong, message in mistakes:
        if _close(got, wrong):
            return message
    wrong_axes = {
        (0, 1, 2): lambda: _("the statistics were taken over the batch too; take each picture's each channel's "
                             "mean and variance over axes (1, 2) only"),
        (1, 2, 3): lambda: _("the statistics were taken over the channels too; take each picture's each "
                             "channel's mean and variance over axes (1, 2) only"),
    }
    for axes, message in wrong_axes.items():
        m_c, s_c = _stats(content, axes)
        m_s, s_s = _stats(style, axes)
        if _close(got, s_s * (content - m_c) / s_c + m_s):
            return message()
    return None


# ------------------------------------------------------------------ q3 upsampling


def _axis_name(axis: int) -> str:
    """What an axis of (B, H, W, C) holds, in the learner's language."""
    return (_("the batch"), _("the height"), _("the width"), _("the channels"))[axis]


def _bilinear(x):
    """Bilinear upsampling by 2 with half-pixel centres (tf.image.resize's and UpSampling2D's "bilinear")."""
    def along(a, axis):
        n = a.shape[axis]
        source = np.clip((np.arange(2 * n) + 0.5) / 2 - 0.5, 0, n - 1)
        low = np.floor(source).astype(int)
        high = np.minimum(low + 1, n - 1)
        weight = (source - low).reshape([-1 if i == axis else 1 for i in range(a.ndim)])
        return np.take(a, low, axis=axis) * (1 - weight) + np.take(a, high, axis=axis) * weight
    return along(along(x.astype(np.float64), 1), 2)


def _explain_upsample(args, got, expected):
    (x,) = args
    if not isinstance(got, np.ndarray):
        return None
    if got.shape != expected.shape:
        if got.ndim == 1 and got.size == 4 * x.size:
            return _("np.repeat without axis= flattens the array: repeat along axis=1 and along axis=2")
        if got.shape == x.shape:
            return (_("the result has the input's shape {x_shape}; nearest-neighbour upsampling doubles the "
                      "height and width").format(x_shape=x.shape))
        if got.ndim == 4:
            grown = tuple(i for i in range(4) if got.shape[i] != x.shape[i])
            if all(got.shape[i] == 2 * x.shape[i] for i in grown):
                if grown in ((1,), (2,)):
                    other = 3 - grown[0]
                    return (_("only {name} (axis {axis}) was doubled: repeat along axis {other} "
                              "({other_name}) as well, for (B, 2H, 2W, C)").format(
                        name=_axis_name(grown[0]), axis=grown[0], other=other, other_name=_axis_name(other)))
                wrong = [i for i in grown if i not in (1, 2)]
                if wrong:
                    return (_("you repeated along axis {axis} ({name}); in (B, H, W, C) the "
                              "height and width are axes 1 and 2").format(axis=wrong[0], name=_axis_name(wrong[0])))
            for axis in (1, 2):
                if got.shape[axis] == 4 * x.shape[axis] and all(got.shape[i] == x.shape[i] for i in range(4)
                                                                if i != axis):
                    return (_("each pixel becomes a 2×2 block: repeat by 2 along axis 1 and by 2 along axis 2, "
                              "not by 4 along axis {axis}").format(axis=axis))
        return None
    if _right(got, expected):
        return None
    stuffed = np.zeros(expected.shape, np.float64)
    stuffed[:, ::2, ::2] = x
    shifted = np.zeros(expected.shape, np.float64)
    shifted[:, 1::2, 1::2] = x
    mistakes = [
        (stuffed, _("that is zero-stuffing, what a transposed convolution with stride 2 does before its kernel: "
                    "the pixels on every other row and column with zeros between them, the cause of checkerboards; "
                    "nearest neighbour copies each pixel into a 2×2 block")),
        (shifted, _("that is zero-stuffing, the first step of a transposed convolution with stride 2: zeros "
                    "between the pixels; nearest neighbour copies each pixel into a 2×2 block")),
        (np.tile(x, (1, 2, 2, 1)), _("np.tile repeats the whole picture, side by side; nearest neighbour "
                                     "repeats each pixel: np.repeat")),
        (np.concatenate([np.repeat(x, 2, axis=1)] * 2, axis=2),
         _("the rows are repeated pixel by pixel but the columns picture by picture: use np.repeat for both")),
        (np.repeat(np.concatenate([x] * 2, axis=1), 2, axis=2),
         _("the columns are repeated pixel by pixel but the rows picture by picture: use np.repeat for both")),
        (_bilinear(x), _("the new pixels are blends of their neighbours: that is bilinear interpolation; "
                         "nearest neighbour copies each pixel unchanged (interpolation='nearest')")),
    ]
    for wrong, message in mistakes:
        if _close(got, wrong):
            return message
    blocks = got.reshape(x.shape[0], x.shape[1], 2, x.shape[2], 2, x.shape[3])
    if not np.allclose(blocks, blocks[:, :, :1, :, :1], rtol=1e-3, atol=1e-3):
        return (_("the 2×2 blocks of the result are not constant: in nearest-neighbour upsampling each output "
                  "pixel takes the value of the input pixel it lies in, out[:, i, j] = x[:, i // 2, j // 2]"))
    return None


q1 = Exercise("q1 instance_norm", _instance_norm, Trials([_norm_inputs, _flat_channel], _norm_inputs),
              trials=5, rtol=1e-3, atol=1e-4, explain=_explain_norm, solution=_instance_norm_shown,
              hint=lambda: _("mean = x.mean(axis=(1, 2), keepdims=True); var = x.var(axis=(1, 2), keepdims=True); "
                             "return (x - mean) / np.sqrt(var + eps)."))
q2 = Exercise("q2 adain_op", _adain, _adain_inputs, trials=5, rtol=1e-3, atol=1e-4, explain=_explain_adain,
              solution=_adain_shown,
              hint=lambda: _("normalise the content as in q1, then multiply by sqrt(var_s + eps) and add mean_s, "
                             "both over axes (1, 2) of the style with keepdims=True."))
q3 = Exercise("q3 upsample", _upsample, _norm_inputs, trials=5, explain=_explain_upsample,
              hint=lambda: _("np.repeat(x, 2, axis=1) doubles every row, np.repeat(..., 2, axis=2) then every column."))
