"""What a convolutional network computes, in NumPy you can read (notebook 01).

The three operations of a convolutional network, each written out so that every
step can be followed, and each giving exactly what TensorFlow gives:

- :func:`conv2d`     slide a small kernel over an image (``tf.nn.conv2d``)
- :func:`relu`       keep positive values, set negative ones to zero (``tf.nn.relu``)
- :func:`max_pool2d` keep the largest value of each window (``tf.nn.max_pool2d``)

:data:`KERNELS` holds classic 3×3 image filters to try them on. How far a unit of
a deep layer "sees" is its receptive field: :func:`receptive_field` computes it
for a stack of layers and :func:`layer_table` lists it, with the output shape and
the number of weights, for every layer of a Keras model such as VGG19.

Last, a network trained from scratch on the small handwritten digits that come
with scikit-learn (no download): :func:`digits`, :func:`small_cnn` and
:func:`train_small_cnn`.

Images here are NumPy arrays of shape (H, W) or (H, W, C); results are float32.
"""

from __future__ import annotations

import dataclasses
import html
import math
import time

import numpy as np

from ._args import positive_int as _positive_int, seed as _seed
from .errors import SettingError

__all__ = [
    "KERNELS",
    "conv2d",
    "relu",
    "max_pool2d",
    "receptive_field",
    "LayerRow",
    "LayerTable",
    "layer_table",
    "format_layer_table",
    "digits",
    "small_cnn",
    "TrainedCNN",
    "train_small_cnn",
]


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


# ------------------------------------------------------------------ checking input


def _as_float_array(x, name: str) -> np.ndarray:
    """``x`` (NumPy array, tf.Tensor, list) as a float32 NumPy array of finite numbers."""
    from .features import _numpy  # the one place that turns tensors and lists into arrays of numbers

    arr = _numpy(x, name).astype(np.float32)
    if not np.all(np.isfinite(arr)):
        raise SettingError(f"{name} contains NaN or infinite values; fix the computation that produced it.")
    return arr


def _check_padding(padding) -> str:
    mode = padding.lower() if isinstance(padding, str) else padding
    if mode not in ("valid", "same"):
        raise SettingError(f"padding must be 'valid' or 'same', got {padding!r}.")
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
    x = _as_float_array(image, "image")
    k = _as_float_array(kernel, "kernel")
    stride = _positive_int(stride, "stride", "stride=2")
    mode = _check_padding(padding)
    grey = x.ndim == 2
    if grey and k.ndim == 2:
        x, k = x[:, :, np.newaxis], k[:, :, np.newaxis, np.newaxis]  # one channel in, one out
    elif x.ndim == 3 and k.ndim == 4:
        if k.shape[2] != x.shape[2]:
            raise SettingError(f"The kernel has shape {k.shape}, made for {k.shape[2]} input channels, but the "
                               f"image has {x.shape[2]}; its third axis must equal the image's channels.")
    elif x.ndim == 3 and k.ndim == 2:
        raise SettingError(f"A 2-D kernel needs a 2-D image, but the image has shape {x.shape}; make it grey "
                           "first (image.mean(axis=-1)) or give a (kh, kw, Cin, Cout) kernel.")
    else:
        raise SettingError(f"Give a 2-D image (H, W) with a 2-D kernel (kh, kw), or an image (H, W, Cin) with a "
                           f"kernel (kh, kw, Cin, Cout); got shapes {x.shape} and {k.shape}.")
    if 0 in x.shape or 0 in k.shape:
        raise SettingError(f"The image and the kernel must not be empty; got shapes {x.shape} and {k.shape}.")

    kh, kw = k.shape[:2]
    if mode == "same":
        x = np.pad(x, (_same_padding(x.shape[0], kh, stride), _same_padding(x.shape[1], kw, stride), (0, 0)))
    height, width = x.shape[:2]
    if kh > height or kw > width:
        raise SettingError(f"The kernel ({kh}×{kw}) is larger than the image ({height}×{width}); "
                           "use a smaller kernel or padding='same'.")
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
    return np.maximum(_as_float_array(x, "x"), np.float32(0))


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
    arr = _as_float_array(x, "x")
    size = _positive_int(size, "size", "size=2")
    stride = size if stride is None else _positive_int(stride, "stride", "stride=2")
    if arr.ndim not in (2, 3):
        raise SettingError(f"x must have shape (H, W) or (H, W, C), got {arr.shape}.")
    height, width = arr.shape[:2]
    if size > height or size > width:
        raise SettingError(f"The pooling window ({size}×{size}) is larger than x ({height}×{width}); "
                           "use a smaller size.")
    out_h = (height - size) // stride + 1
    out_w = (width - size) // stride + 1
    out = np.full((out_h, out_w) + arr.shape[2:], -np.inf, dtype=np.float32)
    for i in range(size):  # same idea as conv2d: one offset inside the window at a time
        for j in range(size):
            out = np.maximum(out, arr[i: i + stride * out_h: stride, j: j + stride * out_w: stride])
    return out


# ------------------------------------------------------------------ receptive fields


def receptive_field(layers) -> tuple[int, int]:
    """Receptive field of the last of a stack of layers, in input pixels.

    Parameters
    ----------
    layers : sequence of (kernel_size, stride) pairs
        One pair per convolution or pooling layer, first layer first, e.g.
        ``[(3, 1), (3, 1), (2, 2)]`` for two 3×3 convolutions and a 2×2 pool.

    Returns
    -------
    (size, jump) : tuple of int
        ``size``: the side of the square of input pixels one unit of the last
        layer depends on. ``jump``: how many input pixels apart two neighbouring
        units of the last layer are (the product of all strides).
        Starting from one pixel (size 1, jump 1), each layer adds (k - 1) * jump
        to the size and multiplies the jump by its stride. No layers: (1, 1).

    Examples
    --------
    >>> receptive_field([(3, 1), (3, 1)])
    (5, 1)
    >>> receptive_field([(3, 1), (2, 2), (3, 1)])
    (8, 2)
    """
    size, jump = 1, 1
    for index, pair in enumerate(layers):
        try:
            kernel, stride = pair
        except (TypeError, ValueError):
            raise SettingError(f"Each layer must be a (kernel_size, stride) pair like (3, 1); "
                               f"layer {index} is {pair!r}.") from None
        kernel = _positive_int(kernel, f"The kernel size of layer {index}", "3")
        stride = _positive_int(stride, f"The stride of layer {index}", "1")
        size += (kernel - 1) * jump
        jump *= stride
    return size, jump


# ------------------------------------------------------------------ a model, layer by layer


@dataclasses.dataclass(frozen=True)
class LayerRow:
    """One layer of a model as :func:`layer_table` lists it.

    ``kernel``, ``stride``, ``receptive_field`` and ``jump`` are ints (a pair
    (height, width) when they differ between the axes); ``kernel`` and
    ``stride`` are None for layers that do not slide a window,
    ``receptive_field`` and ``jump`` are None once every output depends on the
    whole input (after Flatten, Dense, global pooling).
    """

    name: str
    kind: str  # "input", "conv", "pool", "dense" or "other"
    output_shape: tuple | None  # without the batch axis; None entries are sizes not known
    params: int
    kernel: int | tuple | None
    stride: int | tuple | None
    receptive_field: int | tuple | None
    jump: int | tuple | None


_COLUMNS = ("layer", "kind", "output shape", "params", "kernel", "stride", "receptive field", "jump")


def _cell_values(row: LayerRow) -> tuple[str, ...]:
    def pair(value):
        if value is None:
            return ""
        return "×".join(str(v) for v in value) if isinstance(value, tuple) else str(value)

    shape = ""
    if row.output_shape is not None:
        sizes = ["?" if v is None else str(v) for v in row.output_shape]
        shape = "(" + ", ".join(sizes) + ("," if len(sizes) == 1 else "") + ")"
    whole = row.kind != "input" and row.receptive_field is None
    field = "whole input" if whole else pair(row.receptive_field) + (" px" if row.receptive_field else "")
    return (row.name, row.kind, shape, f"{row.params:,}", pair(row.kernel), pair(row.stride), field, pair(row.jump))


def format_layer_table(rows) -> str:
    """An aligned plain-text table of :class:`LayerRow` rows, with the total number of parameters."""
    rows = list(rows)
    cells = [_COLUMNS] + [_cell_values(row) for row in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(_COLUMNS))]
    right = {"params", "kernel", "stride", "receptive field", "jump"}

    def line(values):
        return "  ".join(v.rjust(w) if c in right else v.ljust(w)
                         for v, w, c in zip(values, widths, _COLUMNS)).rstrip()

    lines = [line(cells[0]), "  ".join("-" * w for w in widths)] + [line(values) for values in cells[1:]]
    lines.append(f"total parameters: {sum(row.params for row in rows):,}")
    return "\n".join(lines)


class LayerTable(list):
    """A list of :class:`LayerRow`: ``print(table)`` gives a text table, Jupyter shows an HTML table."""

    @property
    def total_params(self) -> int:
        """The number of weights and biases of all layers together."""
        return sum(row.params for row in self)

    def row(self, name: str) -> LayerRow:
        """The row of the layer called ``name``."""
        for row in self:
            if row.name == name:
                return row
        raise SettingError(f"There is no layer {name!r} in the table; its layers are: "
                           f"{', '.join(row.name for row in self)}.")

    def __str__(self) -> str:
        return format_layer_table(self)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{html.escape(c)}</th>" for c in _COLUMNS)
        body = []
        for row in self:
            cells = "".join(f'<td style="text-align:{"left" if i < 3 else "right"}">{html.escape(v)}</td>'
                            for i, v in enumerate(_cell_values(row)))
            body.append(f"<tr>{cells}</tr>")
        return (f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
                f"<p>total parameters: {self.total_params:,}</p>")


def _square(values) -> int | tuple:
    values = tuple(int(v) for v in values)
    return values[0] if len(set(values)) == 1 else values


def _kind(layer, keras) -> str:
    if isinstance(layer, keras.layers.InputLayer):
        return "input"
    if isinstance(layer, (keras.layers.Conv2D, keras.layers.DepthwiseConv2D, keras.layers.SeparableConv2D)):
        return "conv"
    pools = (keras.layers.MaxPooling2D, keras.layers.AveragePooling2D,
             keras.layers.GlobalMaxPooling2D, keras.layers.GlobalAveragePooling2D)
    if isinstance(layer, pools):
        return "pool"
    if isinstance(layer, keras.layers.Dense):
        return "dense"
    return "other"


def _window(layer, kind) -> tuple[tuple, tuple] | None:
    """((kh, kw), (sh, sw)) of a sliding-window layer, with dilation folded into the kernel."""
    if kind == "conv":
        dilation = getattr(layer, "dilation_rate", (1, 1))
        kernel = tuple(d * (k - 1) + 1 for k, d in zip(layer.kernel_size, dilation))
        return kernel, tuple(layer.strides)
    if kind == "pool" and hasattr(layer, "pool_size"):
        return tuple(layer.pool_size), tuple(layer.strides)
    return None


def _model_chain(model):
    """The layers of ``model`` in order, checked to form one chain, and its input shape."""
    from ._tf import keras

    if not isinstance(model, keras.Model):
        raise SettingError(f"layer_table needs a Keras model, like models.vgg19(); got a {type(model).__name__}.")
    try:
        inputs = model.inputs
    except (AttributeError, ValueError):
        inputs = None
    if not inputs:
        raise SettingError("The model has not been built yet; start it with keras.Input(shape) "
                           "or call it on a batch once.")
    if len(inputs) != 1:
        raise SettingError(f"layer_table reads models with one input, this one has {len(inputs)}; give it a model "
                           "that takes one picture, like models.vgg19().")
    layers = list(model.layers)
    previous = inputs[0]
    for layer in layers:
        if isinstance(layer, keras.layers.InputLayer):
            previous = layer.output
            continue
        try:
            source = layer.input
        except (AttributeError, ValueError):
            source = None
        if source is not previous:
            raise SettingError(f"layer_table reads models whose layers form one chain (like VGG19 or a Sequential "
                               f"model), but layer {layer.name!r} takes its input from elsewhere.")
        previous = layer.output
    return layers, tuple(inputs[0].shape)


def _sized_input(input_size, model_input: tuple) -> tuple:
    """The model's input shape (batch, H, W, C) with H and W from ``input_size``."""
    try:
        height, width = input_size
    except (TypeError, ValueError):
        raise SettingError(f"input_size must be a (height, width) pair like (224, 224); got {input_size!r}.") from None
    height = _positive_int(height, "The height in input_size", "224")
    width = _positive_int(width, "The width in input_size", "224")
    if len(model_input) != 4:
        raise SettingError(f"input_size is for models that take images (batch, H, W, C); this one takes "
                           f"{model_input}, so leave input_size out.")
    return (None, height, width) + tuple(model_input[3:])


def layer_table(model, input_size=None) -> LayerTable:
    """Every layer of a Keras model: output shape, parameters, window, receptive field.

    Parameters
    ----------
    model : keras.Model
        A model whose layers form one chain (Conv2D, MaxPooling2D,
        AveragePooling2D, Flatten, Dense, ...), e.g. :func:`models.vgg19` or
        :func:`small_cnn`. Channels come last, as everywhere in the course.
    input_size : (height, width), optional
        Compute the output shapes for an input of this size. Without it the
        shapes are those the model was built with; for VGG19, built for any
        size, the height and width are then unknown (None, shown as "?").

    Returns
    -------
    LayerTable
        A list of :class:`LayerRow`, the input first. ``print`` it for a text
        table; as the last line of a notebook cell it shows as an HTML table.
        The receptive field follows r_out = r_in + (k - 1) * j_in and
        j_out = j_in * stride (see :func:`receptive_field`).
    """
    from ._tf import keras

    layers, model_input = _model_chain(model)
    shape = None if input_size is None else _sized_input(input_size, model_input)
    rows = LayerTable()
    field, jump = (1, 1), (1, 1)
    if not layers or not isinstance(layers[0], keras.layers.InputLayer):  # Sequential models hide their input
        in_shape = shape if shape is not None else model_input
        rows.append(LayerRow("input", "input", tuple(in_shape[1:]), 0, None, None, 1, 1))
    for layer in layers:
        kind = _kind(layer, keras)
        in_shape = shape
        if shape is not None and kind != "input":
            try:
                shape = tuple(layer.compute_output_shape(shape))
            except Exception:  # noqa: BLE001 - Keras raises many kinds for an input too small
                shape = None
            if shape is None or any(v is not None and v < 1 for v in shape[1:]):
                raise SettingError(f"Layer {layer.name!r} cannot take an input of shape {in_shape[1:]}, too small "
                                   f"for it; give a larger input_size than {input_size}.")
            if kind == "dense" and layer.built and in_shape[-1] != layer.kernel.shape[0]:
                raise SettingError(f"Layer {layer.name!r} takes {layer.kernel.shape[0]} values, but an input of "
                                   f"{input_size} gives it {in_shape[-1]}; this model only takes images of the size "
                                   "it was built for.")
        out_shape = shape if shape is not None else tuple(layer.output.shape)
        window = _window(layer, kind)
        if field is None or kind == "input":
            pass
        elif window is not None:
            kernel, stride = window
            field = tuple(f + (k - 1) * j for f, k, j in zip(field, kernel, jump))
            jump = tuple(j * s for j, s in zip(jump, stride))
        elif not _keeps_grid(in_shape if in_shape is not None else tuple(layer.input.shape), out_shape):
            field = jump = None
        rows.append(LayerRow(
            name=layer.name,
            kind=kind,
            output_shape=tuple(out_shape[1:]),
            params=int(layer.count_params()) if layer.built else 0,
            kernel=None if window is None else _square(window[0] if kind != "conv" else layer.kernel_size),
            stride=None if window is None else _square(window[1]),
            receptive_field=None if field is None else _square(field),
            jump=None if jump is None else _square(jump),
        ))
    return rows


def _keeps_grid(in_shape, out_shape) -> bool:
    """True for layers that act on each position alone (ReLU, BatchNormalization, Dropout ...)."""
    return len(in_shape) == len(out_shape) == 4 and tuple(in_shape[1:3]) == tuple(out_shape[1:3])


# ------------------------------------------------------------------ a small network, trained


def digits(size=16) -> tuple[np.ndarray, np.ndarray]:
    """The 1,797 handwritten digits bundled with scikit-learn (no download), as images.

    Parameters
    ----------
    size : int, optional
        Side of the returned images. The originals are 8×8; other sizes are
        made by bilinear resizing (anti-aliased when shrinking).

    Returns
    -------
    images : numpy.ndarray, float32, shape (N, size, size, 1)
        White strokes on black, values in [0, 1].
    labels : numpy.ndarray, int64, shape (N,)
        The digit each image shows, 0 to 9.
    """
    from sklearn.datasets import load_digits

    size = _positive_int(size, "size", "size=16")
    data = load_digits()
    images = (data.images / 16.0).astype(np.float32)  # the originals hold 0..16
    if size != 8:
        from skimage.transform import resize

        stack = np.moveaxis(images, 0, -1)  # (8, 8, N): all digits resized at once, the last axis kept
        stack = resize(stack, (size, size, stack.shape[-1]), order=1, mode="edge", anti_aliasing=size < 8,
                       preserve_range=True)
        images = np.moveaxis(stack, -1, 0)
    images = np.clip(images, 0.0, 1.0).astype(np.float32)[..., np.newaxis]
    return images, data.target.astype(np.int64)


def small_cnn(input_shape=(16, 16, 1), n_classes=10, filters=(8, 16), kernel_size=5, seed=0):
    """A small convolutional network: (conv, ReLU, 2×2 max pool) per entry of ``filters``, then a classifier.

    Layers are named ``conv1``, ``pool1``, ``conv2``, ``pool2``, ..., ``flatten`` and
    ``dense`` (softmax: one probability per class). Convolutions use "same"
    padding, so each pool halves the height and width.

    Parameters
    ----------
    input_shape : (H, W, C), optional
    n_classes : int, optional
    filters : sequence of int, optional
        Number of kernels of each convolution layer.
    kernel_size : int, optional
    seed : int, optional
        Seeds the initial weights (and everything else random: Python, NumPy, TensorFlow).

    Returns
    -------
    keras.Sequential
        Not compiled; :func:`train_small_cnn` compiles and trains it.
    """
    from ._tf import keras

    if not isinstance(input_shape, (tuple, list)) or len(input_shape) != 3:
        raise SettingError(f"input_shape must be (height, width, channels) like (16, 16, 1); got {input_shape!r}.")
    input_shape = tuple(_positive_int(v, "Each entry of input_shape", "(16, 16, 1)") for v in input_shape)
    n_classes = _positive_int(n_classes, "n_classes", "10")
    kernel_size = _positive_int(kernel_size, "kernel_size", "5")
    if not isinstance(filters, (tuple, list)) or not filters:
        raise SettingError("filters must be a list with one number per convolution layer, like (8, 16); "
                           f"got {filters!r}.")
    filters = [_positive_int(f, "Each entry of filters", "(8, 16)") for f in filters]
    if min(input_shape[:2]) < 2 ** len(filters):
        raise SettingError(f"An input of {input_shape[0]}×{input_shape[1]} pixels is too small for {len(filters)} "
                           f"2×2 poolings; give at least {2 ** len(filters)} pixels a side or fewer filters.")
    keras.utils.set_random_seed(_seed(seed))

    layers = [keras.Input(input_shape, name="image")]
    for n, count in enumerate(filters, start=1):
        layers.append(keras.layers.Conv2D(count, kernel_size, padding="same", activation="relu", name=f"conv{n}"))
        layers.append(keras.layers.MaxPooling2D(2, name=f"pool{n}"))
    layers.append(keras.layers.Flatten(name="flatten"))
    layers.append(keras.layers.Dense(n_classes, activation="softmax", name="dense"))
    return keras.Sequential(layers, name="small_cnn")


@dataclasses.dataclass
class TrainedCNN:
    """What :func:`train_small_cnn` returns."""

    model: object  # the trained keras model
    history: dict  # "loss", "accuracy", "val_loss", "val_accuracy": one value per epoch
    test_accuracy: float  # fraction of the held-out images classified correctly
    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray  # the held-out split, never trained on
    test_labels: np.ndarray
    seconds: float  # wall time of the training


def _split(images, labels, test_fraction, seed):
    order = np.random.default_rng(seed).permutation(len(images))
    n_test = int(round(len(images) * test_fraction))
    if n_test < 1 or n_test >= len(images):
        raise SettingError(f"test_fraction={test_fraction} leaves no images for training or for testing "
                           f"out of {len(images)}; use a value like 0.2.")
    test, train = order[:n_test], order[n_test:]
    return images[train], labels[train], images[test], labels[test]


def _progress_callbacks(progress: bool, epochs: int):
    if not progress:
        return []
    try:
        from tqdm.keras import TqdmCallback
    except ImportError:  # tqdm without its Keras part: Keras' own one line per epoch instead
        return None
    return [TqdmCallback(epochs=epochs, verbose=0, desc="training")]


def train_small_cnn(images, labels, *, epochs=10, batch_size=64, seed=0, test_fraction=0.2,
                    learning_rate=3e-3, progress=True, model=None) -> TrainedCNN:
    """Train :func:`small_cnn` to classify ``images``, holding out a test split.

    Parameters
    ----------
    images : array (N, H, W, C), float in [0, 1]
        e.g. from :func:`digits`.
    labels : array (N,) of int
        Class of each image, 0 to n_classes - 1.
    epochs, batch_size : int, optional
        Passes over the training images, and images per weight update.
    seed : int, optional
        Seeds the split and the initial weights: the same seed gives the same result.
    test_fraction : float, optional
        Share of the images held out; they are shown as validation data after
        every epoch but never trained on.
    learning_rate : float, optional
        Step size of the Adam optimiser.
    progress : bool, optional
        Show a progress bar (tqdm) while training; False shows nothing.
    model : keras.Model, optional
        A model to train instead of a fresh ``small_cnn`` (it is compiled again).

    Returns
    -------
    TrainedCNN
        The model, its ``history`` (loss, accuracy, val_loss, val_accuracy per
        epoch), ``test_accuracy`` and the split used.
    """
    from ._tf import keras

    x = _as_float_array(images, "images")
    y = np.asarray(labels)
    if x.ndim != 4:
        raise SettingError(f"images must have shape (N, H, W, C) like digits() gives, got {x.shape}.")
    if y.shape != (len(x),) or y.dtype.kind not in "iu" or (y.size and y.min() < 0):
        raise SettingError(f"labels must be {len(x)} whole numbers >= 0, one per image; got shape {y.shape} "
                           f"and dtype {y.dtype}.")
    epochs = _positive_int(epochs, "epochs", "epochs=10")
    batch_size = _positive_int(batch_size, "batch_size", "batch_size=64")
    seed = _seed(seed)
    if isinstance(test_fraction, bool) or not isinstance(test_fraction, (int, float)) or not 0 < test_fraction < 1:
        raise SettingError(f"test_fraction must be a number between 0 and 1, like 0.2; got {test_fraction!r}.")
    if isinstance(learning_rate, bool) or not isinstance(learning_rate, (int, float)) or not learning_rate > 0:
        raise SettingError(f"learning_rate must be a positive number, like 3e-3; got {learning_rate!r}.")

    train_x, train_y, test_x, test_y = _split(x, y.astype(np.int64), test_fraction, seed)
    n_classes = int(y.max()) + 1
    if model is None:
        model = small_cnn(x.shape[1:], max(n_classes, 2), seed=seed)
    keras.utils.set_random_seed(seed)  # also seeds the shuffling of every epoch
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    callbacks = _progress_callbacks(bool(progress), epochs)
    verbose = 2 if callbacks is None else 0
    start = time.perf_counter()
    fit = model.fit(train_x, train_y, epochs=epochs, batch_size=batch_size, shuffle=True,
                    validation_data=(test_x, test_y), callbacks=callbacks or [], verbose=verbose)
    seconds = time.perf_counter() - start
    history = {key: [float(v) for v in values] for key, values in fit.history.items()}
    predicted = np.argmax(model.predict(test_x, batch_size=256, verbose=0), axis=-1)
    return TrainedCNN(model=model, history=history, test_accuracy=float(np.mean(predicted == test_y)),
                      train_images=train_x, train_labels=train_y, test_images=test_x, test_labels=test_y,
                      seconds=seconds)


def layer_outputs(model, images, layers) -> dict[str, np.ndarray]:
    """What some layers of a trained Keras model output for ``images`` (N, H, W, C).

    Returns a dict layer name -> NumPy array (N, ...), e.g. the feature maps of
    ``"conv1"`` for a few digits.
    """
    from ._tf import keras

    if isinstance(layers, str):
        layers = [layers]
    known = [layer.name for layer in model.layers]
    missing = [name for name in layers if name not in known]
    if missing:
        raise SettingError(f"the model has no layer {missing[0]!r}; its layers are: {', '.join(known)}.")
    x = _as_float_array(images, "images")
    probe = keras.Model(model.inputs, [model.get_layer(name).output for name in layers])
    outputs = probe.predict(x, verbose=0, batch_size=256)
    if len(layers) == 1:
        outputs = [outputs]
    return {name: np.asarray(out) for name, out in zip(layers, outputs)}
