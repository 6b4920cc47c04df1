"""What a convolutional network computes, in NumPy you can read (notebook 01).

The three operations of a convolutional network, each written out so that every
step can be followed, and each giving exactly what TensorFlow gives:

- :func:`conv2d`     slide a small kernel over an image (``tf.nn.conv2d``)
- :func:`relu`       keep positive values, set negative ones to zero (``tf.nn.relu``)
- :func:`max_pool2d` keep the largest value of each window (``tf.nn.max_pool2d``)

:data:`KERNELS` holds classic 3×3 image filters to try them on.

Images here are NumPy arrays of shape (H, W) or (H, W, C); results are float32.
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import SettingError
from ..validate import finite_array, positive_int as _positive_int
from ..i18n import _

__all__ = ["KERNELS", "conv2d", "relu", "max_pool2d"]


def _kernel(rows, scale=1.0) -> np.ndarray:
    kernel = np.asarray(rows, dtype=np.float32) * np.float32(scale)
    kernel.setflags(write=False)  # shared by everyone: change a copy, KERNELS["blur"].copy()
    return kernel


#: Classic 3×3 filters (float32, read-only: use ``.copy()`` to change one).
#:
#: - ``identity``  gives the image back unchanged (only the centre weight is 1).
#: - ``blur``      Gaussian blur: a weighted mean of the 3×3 neighbourhood, weights sum to 1.
#: - ``sharpen``   the centre minus its four neighbours, plus the image: boosts fine detail.
#: - ``sobel_x``   horizontal change of brightness: strong on *vertical* edges, positive
#:                 where the image gets brighter from left to right.
#: - ``sobel_y``   vertical change of brightness: strong on *horizontal* edges, positive
#:                 where the image gets brighter from top to bottom.
#: - ``laplacian`` the four neighbours minus four times the centre: zero on flat areas and
#:                 smooth slopes, large on thin lines, spots and edges of any direction.
KERNELS = {
    "identity": _kernel([[0, 0, 0], [0, 1, 0], [0, 0, 0]]),
    "blur": _kernel([[1, 2, 1], [2, 4, 2], [1, 2, 1]], 1 / 16),
    "sharpen": _kernel([[0, -1, 0], [-1, 5, -1], [0, -1, 0]]),
    "sobel_x": _kernel([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]),
    "sobel_y": _kernel([[-1, -2, -1], [0, 0, 0], [1, 2, 1]]),
    "laplacian": _kernel([[0, 1, 0], [1, -4, 1], [0, 1, 0]]),
}


def _check_padding(padding) -> str:
    mode = padding.lower() if isinstance(padding, str) else padding
    if mode not in ("valid", "same"):
        raise SettingError(_("padding must be 'valid' or 'same', got {padding!r}.").format(padding=padding))
    return mode


def _same_padding(size: int, kernel: int, stride: int) -> tuple[int, int]:
    """(before, after): TensorFlow's "same" rule, the odd pixel goes after (bottom/right)."""
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


# ------------------------------------------------------------------ the operations


def conv2d(image, kernel, *, stride=1, padding="valid") -> np.ndarray:
    """Slide ``kernel`` over ``image``, exactly as ``tf.nn.conv2d`` does.

    At every output position the kernel is laid on the image and the products
    of overlapping values are summed. The kernel is *not* flipped (this is a
    cross-correlation, which is what deep-learning libraries call convolution).

    Parameters
    ----------
    image : array of shape (H, W) or (H, W, Cin)
        One grey image, or an image (or feature map) with ``Cin`` channels.
    kernel : array of shape (kh, kw) or (kh, kw, Cin, Cout)
        A 2-D kernel for a 2-D image (see :data:`KERNELS`); for an image with
        channels, ``Cout`` kernels of ``Cin`` channels each, as in a Keras
        ``Conv2D`` layer's ``layer.kernel``.
    stride : int, optional
        Step between two output positions, in pixels (the same along both axes).
    padding : {"valid", "same"}, optional
        ``"valid"`` uses only positions where the kernel lies entirely inside
        the image: the output is smaller, (H - kh) // stride + 1 rows. ``"same"``
        first pads the image with zeros so that the output has ceil(H / stride)
        rows; as in TensorFlow, an odd number of padding pixels puts the extra
        one at the bottom (and right).

    Returns
    -------
    numpy.ndarray, float32
        (H', W') for a 2-D image, (H', W', Cout) otherwise.

    Examples
    --------
    >>> image = np.arange(16, dtype=np.float32).reshape(4, 4)
    >>> conv2d(image, KERNELS["identity"]).tolist()
    [[5.0, 6.0], [9.0, 10.0]]
    """
    x = finite_array(image, "image")
    k = finite_array(kernel, "kernel")
    stride = _positive_int(stride, "stride", "stride=2")
    mode = _check_padding(padding)
    grey = x.ndim == 2
    if grey and k.ndim == 2:
        x, k = x[:, :, np.newaxis], k[:, :, np.newaxis, np.newaxis]  # one channel in, one out
    elif x.ndim == 3 and k.ndim == 4:
        if k.shape[2] != x.shape[2]:
            raise SettingError(_("The kernel has shape {shape}, made for {kernel_channels} input channels, but the "
                                  "image has {image_channels}; its third axis must equal the image's channels.").format(
                shape=k.shape, kernel_channels=k.shape[2], image_channels=x.shape[2]))
    elif x.ndim == 3 and k.ndim == 2:
        raise SettingError(_("A 2-D kernel needs a 2-D image, but the image has shape {shape}; make it grey "
                              "first (image.mean(axis=-1)) or give a (kh, kw, Cin, Cout) kernel.").format(
            shape=x.shape))
    else:
        raise SettingError(_("Give a 2-D image (H, W) with a 2-D kernel (kh, kw), or an image (H, W, Cin) with a "
                              "kernel (kh, kw, Cin, Cout); got shapes {image_shape} and {kernel_shape}.").format(
            image_shape=x.shape, kernel_shape=k.shape))
    if 0 in x.shape or 0 in k.shape:
        raise SettingError(_("The image and the kernel must not be empty; got shapes {image_shape} and "
                              "{kernel_shape}.").format(image_shape=x.shape, kernel_shape=k.shape))

    kh, kw = k.shape[:2]
    if mode == "same":
        x = np.pad(x, (_same_padding(x.shape[0], kh, stride), _same_padding(x.shape[1], kw, stride), (0, 0)))
    height, width = x.shape[:2]
    if kh > height or kw > width:
        raise SettingError(_("The kernel ({kh}×{kw}) is larger than the image ({height}×{width}); "
                              "use a smaller kernel or padding='same'.").format(
            kh=kh, kw=kw, height=height, width=width))
    out_h = (height - kh) // stride + 1
    out_w = (width - kw) // stride + 1

    # Instead of visiting the output positions one by one, visit the kernel's
    # kh*kw weights: weight (i, j) meets pixel (i + stride*r, j + stride*c) at
    # output position (r, c). Add up its contribution everywhere at once.
    out = np.zeros((out_h, out_w, k.shape[3]), dtype=np.float32)
    for i in range(kh):
        for j in range(kw):
            seen = x[i: i + stride * out_h: stride, j: j + stride * out_w: stride]  # (out_h, out_w, Cin)
            out += seen @ k[i, j]  # (Cin,) weights for each of the Cout outputs
    return out[:, :, 0] if grey else out


def relu(x) -> np.ndarray:
    """Rectified linear unit: ``max(x, 0)`` element by element, as ``tf.nn.relu``.

    Negative values become 0, positive values pass unchanged. Returns float32.
    """
    return np.maximum(finite_array(x, "x"), np.float32(0))


def max_pool2d(x, size=2, stride=None) -> np.ndarray:
    """The largest value of each ``size``×``size`` window, as ``tf.nn.max_pool2d(..., padding="VALID")``.

    Parameters
    ----------
    x : array of shape (H, W) or (H, W, C)
        Each channel is pooled on its own.
    size : int, optional
        Side of the square window.
    stride : int, optional
        Step between windows; by default ``size`` (windows side by side, no overlap).

    Returns
    -------
    numpy.ndarray, float32
        (H', W') or (H', W', C) with H' = (H - size) // stride + 1: rows and
        columns left over at the bottom and right, too few for a full window, are dropped.
    """
    arr = finite_array(x, "x")
    size = _positive_int(size, "size", "size=2")
    stride = size if stride is None else _positive_int(stride, "stride", "stride=2")
    if arr.ndim not in (2, 3):
        raise SettingError(_("x must have shape (H, W) or (H, W, C), got {shape}.").format(shape=arr.shape))
    height, width = arr.shape[:2]
    if size > height or size > width:
        raise SettingError(_("The pooling window ({size}×{size}) is larger than x ({height}×{width}); "
                              "use a smaller size.").format(
            size=size, height=height, width=width))
    out_h = (height - size) // stride + 1
    out_w = (width - size) // stride + 1
    out = np.full((out_h, out_w) + arr.shape[2:], -np.inf, dtype=np.float32)
    for i in range(size):  # same idea as conv2d: one offset inside the window at a time
        for j in range(size):
            out = np.maximum(out, arr[i: i + stride * out_h: stride, j: j + stride * out_w: stride])
    return out
