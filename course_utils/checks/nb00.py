"""Checks for notebook 00 (set-up and tour).

q1  ``to_float_image(pixels)``: uint8 (H, W, 3) -> float32 in [0, 1]
q2  ``resized_shape(height, width, longest)``: the (height, width) after resizing
    so that the longest side equals ``longest``, keeping the aspect ratio, as
    ``images.load`` does
q3  ``vgg_preprocess(image, inverse)``: with ``inverse=False`` an RGB picture in
    [0, 1] -> VGG19's input (BGR, 0..255, the ImageNet mean pixel subtracted), as
    ``images.vgg_preprocess``; with ``inverse=True`` exactly back again, without
    clipping, as ``images.vgg_deprocess``. float32 (H, W, 3) either way.
"""

from __future__ import annotations

import numpy as np

from ..i18n import _
from .core import Exercise, Trials

# ------------------------------------------------------------------ q1 to_float_image


def _to_float_image(pixels):
    return (np.asarray(pixels, dtype=np.float32) / 255.0).astype(np.float32)


def _pixels(rng):
    h, w = rng.integers(2, 40, size=2)
    return (rng.integers(0, 256, size=(h, w, 3), dtype=np.uint8),)


def _explain_float(args, got, expected):
    if isinstance(got, np.ndarray) and got.shape == expected.shape and got.size:
        if got.max() > 1.0 + 1e-6:
            return _("values should lie in [0, 1], yours reach {got_max:.4g}: did you divide by 255?").format(
                got_max=float(got.max()))
    return None


# ------------------------------------------------------------------ q2 resized_shape


def _resized_shape(height, width, longest):
    longest_side = max(height, width)
    new_height = max(1, round(height * longest / longest_side))  # the longest side comes out as `longest`
    new_width = max(1, round(width * longest / longest_side))
    return (new_height, new_width)


def _is_tie(side, longest, longest_side) -> bool:
    """True if side * longest / longest_side is exactly halfway between two whole numbers."""
    return (2 * side * longest) % (2 * longest_side) == longest_side


def _sizes(rng):
    # A side that lands exactly on .5 is left out: whether it rounds up or down depends on the formula's
    # floating-point rounding (and Python's round() goes to the even neighbour), not on the learner's idea.
    # Any other exact quotient is at least 1 / (2 * 3000) away from .5, far beyond rounding errors.
    while True:
        h, w = (int(v) for v in rng.integers(1, 3000, size=2))
        longest = int(rng.integers(16, 1024))
        if not (_is_tie(h, longest, max(h, w)) or _is_tie(w, longest, max(h, w))):
            return (h, w, longest)


def _thin(rng):
    # 3 × 2900 to 64 px: the short side is 0.066 px, so it needs max(1, ...)
    return (3, 2900, 64)


# ------------------------------------------------------------------ q3 vgg_preprocess

#: images.VGG_MEAN_BGR as an array (the tests check that it is the same numbers).
_MEAN_BGR = np.array([103.939, 116.779, 123.68])

# How far a result may be from the reference, in units of the 0..255 scale (on the [0, 1] side: 0.01 / 255).
# Float32 rounding is a thousand times smaller; means written with two decimals (103.94) pass, rounded to whole
# numbers (104) they do not; every named mistake is off by 10 or more.
_TOLERANCE_255 = 0.01


def _vgg_preprocess(image, inverse):
    mean_bgr = np.array([103.939, 116.779, 123.68], dtype=np.float32)  # images.VGG_MEAN_BGR: blue, green, red
    if not inverse:
        bgr = image[..., ::-1]                           # RGB -> BGR: reverse the last axis
        return (bgr * np.float32(255) - mean_bgr).astype(np.float32)
    bgr = image + mean_bgr                               # the means back, while the channels are still BGR
    return (bgr[..., ::-1] / np.float32(255)).astype(np.float32)


def _picture(rng, low=0.0, high=1.0):
    height = int(rng.integers(3, 12))
    width = int(rng.choice([w for w in range(3, 14) if w != height]))  # never square
    return (low + (high - low) * rng.random((height, width, 3))).astype(np.float32)


def _forward_inputs(rng):
    return (_picture(rng), False)


def _inverse_inputs(rng):
    # Optimised pixels stray a little outside the picture's range (notebook 03): the inverse keeps them.
    return (_vgg_preprocess(_picture(rng, -0.1, 1.1), False), True)


def _vgg_inputs(rng):
    return _inverse_inputs(rng) if rng.random() < 0.5 else _forward_inputs(rng)


def _forward_mistakes(x):
    m, rgb_m = _MEAN_BGR, _MEAN_BGR[::-1]
    bgr = x[..., ::-1].astype(np.float64)
    return [
        (x * 255.0 - m, _("the channels were not swapped: VGG19 was trained on BGR pictures, so reverse the last axis "
                              "(image[..., ::-1]) before subtracting VGG_MEAN_BGR")),
        (x * 255.0 - rgb_m, _("you subtracted each colour's mean but kept the RGB order: VGG19 was trained on BGR "
                                "pictures, so reverse the last axis (image[..., ::-1])")),
        (bgr * 255.0 - rgb_m, _("the means are in RGB order (red's 123.68 first); VGG_MEAN_BGR is already in BGR "
                                "order, blue's 103.939 first, to match the reversed channels")),
        (bgr * 255.0, _("the ImageNet means were not subtracted: subtract VGG_MEAN_BGR after scaling to 0..255")),
        (bgr - m, _("the × 255 is missing: VGG19 expects values on the 0..255 scale, so multiply by 255 before "
                    "subtracting the means")),
        (bgr / 255.0 - m, _("you divided by 255: the picture is in [0, 1] and VGG19 expects 0..255, so multiply")),
        ((bgr - m) * 255.0, _("the means are on the 0..255 scale: multiply by 255 first, then subtract them")),
        (bgr * 255.0 + m, _("you added the means: preprocessing subtracts them (the inverse adds them back)")),
        (bgr * 255.0 - m.mean(), _("you subtracted one mean for all three channels: each colour has its own, "
                                   "VGG_MEAN_BGR = (103.939, 116.779, 123.68) for blue, green and red")),
        (x * 2.0 - 1.0, _("that is the [-1, 1] scaling other networks use (Keras' 'tf' mode); VGG19 uses 'caffe' "
                          "mode: BGR, 0..255, the ImageNet means subtracted")),
        ((x - np.array([0.485, 0.456, 0.406])) / np.array([0.229, 0.224, 0.225]),
         _("that is PyTorch's normalisation ('torch' mode, divided by standard deviations); VGG19 in Keras uses "
           "'caffe' mode: BGR, 0..255, the ImageNet means subtracted")),
        (_vgg_preprocess(x, True), _("with inverse=False you undid the preprocessing: inverse=False goes from a "
                                     "picture in [0, 1] to VGG19's input")),
    ]


def _inverse_mistakes(y):
    m, rgb_m = _MEAN_BGR, _MEAN_BGR[::-1]
    y = y.astype(np.float64)
    return [
        ((y + m) / 255.0, _("the channels were not swapped back: VGG19's input is BGR, so reverse the last axis "
                            "to get RGB")),
        ((y + rgb_m)[..., ::-1] / 255.0,
         _("the means were added in the wrong order: add VGG_MEAN_BGR while the values are still BGR, then "
           "reverse the channels (or reverse first and add the means in RGB order)")),
        (y[..., ::-1] / 255.0, _("the ImageNet means were not added back: add VGG_MEAN_BGR before dividing by 255")),
        ((y + m)[..., ::-1], _("the ÷ 255 is missing: the result should be a picture in [0, 1]")),
        ((y + m)[..., ::-1] * 255.0, _("you multiplied by 255 again: to undo × 255, divide by 255")),
        (y * 255.0, _("you scaled VGG19's input as if it were a picture in [0, 1]; undo the preprocessing instead: "
                      "add the means, reverse the channels, divide by 255")),
        ((y - m)[..., ::-1] / 255.0, _("you subtracted the means again: the inverse adds them back")),
        (np.clip((y + m)[..., ::-1] / 255.0, 0.0, 1.0),
         _("you clipped the result to [0, 1]: the exact inverse keeps every value, also those a little outside "
           "(clip only when you show or save the picture)")),
        (_vgg_preprocess(y.astype(np.float32), False),
         _("with inverse=True you applied the preprocessing again: undo it instead (add the means, reverse the "
           "channels, divide by 255)")),
    ]


def _explain_vgg(args, got, expected):
    x, inverse = args
    if not isinstance(got, np.ndarray) or got.shape != expected.shape or got.dtype.kind != "f":
        return None
    if not np.all(np.isfinite(got)):
        return None
    scale = 255.0 if inverse else 1.0                    # differences measured on the 0..255 scale

    def off(a, b):
        return float(np.max(np.abs(np.asarray(a, np.float64) - np.asarray(b, np.float64)))) * scale

    error = off(got, expected)
    if error <= _TOLERANCE_255:
        if got.dtype != np.float32:
            return (_("the values are right, but the dtype is {got_dtype}: np.array(VGG_MEAN_BGR) is float64, "
                      "so make the means float32 (dtype=np.float32) or finish with .astype(np.float32)").format(
                          got_dtype=got.dtype))
        return None
    for candidate, message in (_inverse_mistakes(x) if inverse else _forward_mistakes(x)):
        near = np.allclose(got, candidate, rtol=1e-4, atol=0.5 / scale)   # 1e-4: some mistakes reach 10⁵
        if near and off(candidate, expected) > 2.0:
            return message
    if error <= 0.5:
        return (_("your values are up to {error:.3g} away from the right ones on the 0..255 scale: use the "
                  "ImageNet means exactly, VGG_MEAN_BGR = (103.939, 116.779, 123.68)").format(error=error))
    worst = np.unravel_index(np.argmax(np.abs(got.astype(np.float64) - expected)), got.shape)
    return (_("the values differ: at index {index} expected {expected:.6g}, "
              "got {got:.6g}").format(
        index=tuple(int(i) for i in worst), expected=expected[worst], got=got[worst]))


# ------------------------------------------------------------------ the exercises

q1 = Exercise("q1 to_float_image", _to_float_image, _pixels, explain=_explain_float,
              hint=lambda: _("uint8 values go from 0 to 255, the course's from 0 to 1: one division does it. Then "
                             "look at the dtype: NumPy gives float64 unless you ask for float32 with "
                             ".astype(np.float32)."))
q2 = Exercise("q2 resized_shape", _resized_shape, Trials([_thin], _sizes), trials=20,
              hint=lambda: _("both sides are multiplied by the same factor, the one that turns the longest side into "
                             "`longest`: longest / max(height, width). round() each side, and keep a very thin side at "
                             "least 1 pixel with max(1, ...)."))
q3 = Exercise("q3 vgg_preprocess", _vgg_preprocess, Trials([_forward_inputs, _inverse_inputs] * 4, _vgg_inputs),
              trials=8, rtol=0.0, atol=_TOLERANCE_255, explain=_explain_vgg,
              hint=lambda: _("forward: reverse the colour axis (image[..., ::-1]), multiply by 255, subtract the "
                             "means, which are in BGR order already. The inverse does the opposite steps in the "
                             "opposite order: add the means while the values are still BGR, reverse the axis, divide "
                             "by 255, and clip nothing. The means as np.array(..., dtype=np.float32) keep the result "
                             "float32."))
