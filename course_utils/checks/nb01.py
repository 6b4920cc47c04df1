"""Checks for notebook 01 (what a convolutional network computes).

q1  ``conv2d(image, kernel)``: slide a 2-D kernel over a 2-D float32 image,
    "valid" positions only, without flipping the kernel (as ``tf.nn.conv2d``)
    -> float32 array of shape (H - kh + 1, W - kw + 1)
q2  ``receptive_field(layers)``: for a list of (kernel_size, stride) pairs, the
    (size, jump) of the last layer's receptive field in input pixels
q3  ``normalise_map(fmap)``: scale a 2-D feature map to [0, 1] by its own
    minimum and maximum; a constant map gives all zeros
"""

from __future__ import annotations

import numpy as np

from ..i18n import _
from .core import Exercise, Trials


def _conv2d(image, kernel):
    kh, kw = kernel.shape
    out_h, out_w = image.shape[0] - kh + 1, image.shape[1] - kw + 1
    out = np.zeros((out_h, out_w))  # float64 while summing: the reference is exact to float32's last digit
    for row in range(out_h):
        for col in range(out_w):
            patch = image[row: row + kh, col: col + kw]  # the pixels under the kernel
            out[row, col] = np.sum(patch * kernel.astype(np.float64))
    return out.astype(np.float32)


def _receptive_field(layers):
    size, jump = 1, 1
    for kernel, stride in layers:
        size += (kernel - 1) * jump  # each step of this layer is `jump` input pixels wide
        jump *= stride
    return (size, jump)


def _normalise_map(fmap):
    fmap = np.asarray(fmap, dtype=np.float32)
    low, high = fmap.min(), fmap.max()
    if high == low:  # a constant map: nothing to show, and no division by zero
        return np.zeros_like(fmap)
    return ((fmap - low) / (high - low)).astype(np.float32)


# ------------------------------------------------------------------ q1 conv2d


def _image_and_kernel(rng):
    k = int(rng.choice([3, 5]))
    height = int(rng.integers(k + 1, 24))
    width = int(rng.choice([w for w in range(k + 1, 24) if w != height]))  # never square: a transpose shows
    image = rng.random((height, width), dtype=np.float32)
    kernel = rng.normal(size=(k, k)).astype(np.float32)
    return image, kernel


def _explain_conv2d(args, got, expected):
    image, kernel = args
    if not isinstance(got, np.ndarray):
        return None
    if got.shape == expected.shape[::-1]:
        return (_("your output has shape {got_shape}, the transpose of the expected {expected_shape}: rows come "
                  "first, so loop over rows in the outer loop and index the image as image[row, column]").format(
                      got_shape=got.shape, expected_shape=expected.shape))
    if got.shape == image.shape:
        return (_("your output has the image's own size {image_shape}, as if you padded the image ('same'); "
                  "with 'valid' padding the kernel stays inside the image and the output is {expected_shape}").format(
                      image_shape=image.shape, expected_shape=expected.shape))
    if got.shape == expected.shape:
        flipped = _conv2d(image, kernel[::-1, ::-1])
        if np.allclose(got, flipped, rtol=1e-4, atol=1e-4) and not np.allclose(flipped, expected, atol=1e-4):
            return (_("your values are those of a true convolution, with the kernel flipped; TensorFlow's conv2d "
                      "does not flip the kernel: multiply each pixel by the weight lying over it as it is"))
    return None


# ------------------------------------------------------------------ q2 receptive_field


def _layers(rng, count=None):
    count = int(rng.integers(2, 7)) if count is None else count
    kernels = rng.choice([1, 2, 3, 5, 7], size=count)
    strides = rng.choice([1, 1, 2, 3], size=count)
    return ([(int(k), int(s)) for k, s in zip(kernels, strides)],)


def _explain_receptive_field(args, got, expected):
    (layers,) = args
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        return None
    got = tuple(got)
    if got == expected:
        return None
    no_jump = 1 + sum(k - 1 for k, _ in layers)
    if got[0] == no_jump != expected[0]:
        return (_("the size {got} is 1 + the sum of (k-1) over the layers; each layer's (k-1) must be "
                  "multiplied by the product of the strides before it (the jump)").format(got=got[0]))
    if got == expected[::-1]:
        return _("you returned (jump, size); return (size, jump), in this order")
    return None


# ------------------------------------------------------------------ q3 normalise_map


def _feature_map(rng):
    height, width = (int(v) for v in rng.integers(2, 20, size=2))
    fmap = rng.normal(loc=rng.normal(0, 3), scale=rng.uniform(0.1, 10), size=(height, width))
    if rng.random() < 0.5:
        fmap = np.maximum(fmap, 0)  # after ReLU: many zeros
    return (fmap.astype(np.float32),)


def _constant_map(rng):
    height, width = (int(v) for v in rng.integers(2, 20, size=2))
    return (np.full((height, width), rng.choice([0.0, 2.5]), dtype=np.float32),)


def _explain_normalise(args, got, expected):
    (fmap,) = args
    if not isinstance(got, np.ndarray) or got.shape != expected.shape or got.dtype.kind != "f":
        return None
    if not np.all(np.isfinite(got)):
        if fmap.max() == fmap.min():
            return (_("a constant map (max == min) gave NaN or infinite values: guard against dividing by zero "
                      "when max == min and return all zeros"))
        return None
    if fmap.max() == fmap.min() and np.any(got != 0):
        return _("a constant map (max == min) should give all zeros: it has no pattern to show")
    if got.min() < -1e-6 or got.max() > 1 + 1e-6:
        return (_("values should lie in [0, 1], yours go from {got_min:.4g} to {got_max:.4g}: "
                  "subtract the minimum, then divide by (max - min)").format(
                      got_min=float(got.min()), got_max=float(got.max())))
    return None


q1 = Exercise("q1 conv2d", _conv2d, _image_and_kernel, explain=_explain_conv2d,
              hint=lambda: _("make an output of zeros of the right shape; for every (row, col) take the patch "
                             "image[row:row + kh, col:col + kw], multiply it by the kernel and sum. Finish with "
                             ".astype(np.float32)."))
q2 = Exercise("q2 receptive_field", _receptive_field,
              Trials([lambda rng: ([],), lambda rng: _layers(rng, 1)], _layers),
              trials=12, explain=_explain_receptive_field,
              hint=lambda: _("start from size, jump = 1, 1. A kernel of k adds k - 1 output steps of the layer "
                             "before, and each of those steps is `jump` input pixels wide: size += (k - 1) * jump, "
                             "then jump *= stride."))
q3 = Exercise("q3 normalise_map", _normalise_map, Trials([_constant_map], _feature_map),
              trials=8, explain=_explain_normalise,
              hint=lambda: _("low, high = fmap.min(), fmap.max(); subtract low and divide by high - low, as float32. "
                             "When high == low there is nothing to divide by: return np.zeros_like(fmap, "
                             "dtype=np.float32)."))
