"""How far a unit of a deep layer "sees": receptive fields, and a model's layers as a table (notebook 01).

:func:`receptive_field` computes the receptive field of a stack of layers, and
:func:`layer_table` lists it, with the output shape and the number of weights, for
every layer of a Keras model such as VGG19 (:class:`LayerTable`, one :class:`LayerRow`
a layer; :func:`format_layer_table` is its text form).
"""

from __future__ import annotations

import dataclasses
import html
import unicodedata

from ..errors import SettingError
from ..validate import positive_int as _positive_int
from ..i18n import _

__all__ = ["receptive_field", "LayerRow", "LayerTable", "layer_table", "format_layer_table"]


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
            raise SettingError(_("Each layer must be a (kernel_size, stride) pair like (3, 1); "
                                  "layer {index} is {pair!r}.").format(index=index, pair=pair)) from None
        # TRANSLATORS: the subjects of "{name} must be a whole number >= 1, like 3; …".
        kernel = _positive_int(kernel, _("The kernel size of layer {index}").format(index=index), "3")
        stride = _positive_int(stride, _("The stride of layer {index}").format(index=index), "1")
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


def _headings() -> tuple[str, ...]:
    """The columns' headings as a learner reads them (``_COLUMNS`` in the course's language)."""
    return (_("layer"), _("kind"), _("output shape"), _("params"), _("kernel"), _("stride"), _("receptive field"),
            _("jump"))


def _kind_shown(kind: str) -> str:
    """A row's kind as the table shows it (the row keeps the English word: code compares it)."""
    # TRANSLATORS: kinds of layer in the layer table's "kind" column: convolution, pooling, fully connected.
    shown = {"input": _("input"), "conv": _("conv"), "pool": _("pool"), "dense": _("dense"), "other": _("other")}
    return shown.get(kind, kind)


def _width(text: str) -> int:
    """The columns ``text`` takes in a terminal: two for a Chinese character, one for a Latin one."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool) -> str:
    fill = " " * max(0, width - _width(text))
    return fill + text if right else text + fill


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
    field = _("whole input") if whole else pair(row.receptive_field) + (" px" if row.receptive_field else "")
    return (row.name, _kind_shown(row.kind), shape, f"{row.params:,}", pair(row.kernel), pair(row.stride), field,
            pair(row.jump))


def _total_line(total: int) -> str:
    return _("total parameters: {count}").format(count=f"{total:,}")


def format_layer_table(rows) -> str:
    """An aligned plain-text table of :class:`LayerRow` rows, with the total number of parameters."""
    rows = list(rows)
    cells = [_headings()] + [_cell_values(row) for row in rows]
    widths = [max(_width(line[i]) for line in cells) for i in range(len(_COLUMNS))]
    right = {"params", "kernel", "stride", "receptive field", "jump"}

    def line(values):
        return "  ".join(_pad(v, w, c in right) for v, w, c in zip(values, widths, _COLUMNS)).rstrip()

    lines = [line(cells[0]), "  ".join("-" * w for w in widths)] + [line(values) for values in cells[1:]]
    lines.append(_total_line(sum(row.params for row in rows)))
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
        raise SettingError(_("There is no layer {name!r} in the table; its layers are: "
                              "{layers}.").format(name=name, layers=", ".join(row.name for row in self)))

    def __str__(self) -> str:
        return format_layer_table(self)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{html.escape(c)}</th>" for c in _headings())
        body = []
        for row in self:
            cells = "".join(f'<td style="text-align:{"left" if i < 3 else "right"}">{html.escape(v)}</td>'
                            for i, v in enumerate(_cell_values(row)))
            body.append(f"<tr>{cells}</tr>")
        return (f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
                f"<p>{html.escape(_total_line(self.total_params))}</p>")


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
    from .._tf import keras

    if not isinstance(model, keras.Model):
        raise SettingError(_("layer_table needs a Keras model, like models.vgg19(); got a {kind}.").format(
            kind=type(model).__name__))
    try:
        inputs = model.inputs
    except (AttributeError, ValueError):
        inputs = None
    if not inputs:
        raise SettingError(_("The model has not been built yet; start it with keras.Input(shape) "
                              "or call it on a batch once."))
    if len(inputs) != 1:
        raise SettingError(_("layer_table reads models with one input, this one has {count}; give it a model "
                              "that takes one picture, like models.vgg19().").format(count=len(inputs)))
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
            raise SettingError(_("layer_table reads models whose layers form one chain (like VGG19 or a "
                                  "Sequential model), but layer {name!r} takes its input from elsewhere.").format(
                name=layer.name))
        previous = layer.output
    return layers, tuple(inputs[0].shape)


def _sized_input(input_size, model_input: tuple) -> tuple:
    """The model's input shape (batch, H, W, C) with H and W from ``input_size``."""
    try:
        height, width = input_size
    except (TypeError, ValueError):
        raise SettingError(_("input_size must be a (height, width) pair like (224, 224); got {input_size!r}.").format(
            input_size=input_size)) from None
    # TRANSLATORS: the subjects of "{name} must be a whole number >= 1, like 224; …".
    height = _positive_int(height, _("The height in input_size"), "224")
    width = _positive_int(width, _("The width in input_size"), "224")
    if len(model_input) != 4:
        raise SettingError(_("input_size is for models that take images (batch, H, W, C); this one takes "
                              "{model_input}, so leave input_size out.").format(model_input=model_input))
    return (None, height, width) + tuple(model_input[3:])


def layer_table(model, input_size=None) -> LayerTable:
    """Every layer of a Keras model: output shape, parameters, window, receptive field.

    Parameters
    ----------
    model : keras.Model
        A model whose layers form one chain (Conv2D, MaxPooling2D,
        AveragePooling2D, Flatten, Dense, ...), e.g. :func:`models.vgg19` or
        :func:`~course_utils.cnn.small_cnn`. Channels come last, as everywhere in the course.
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
    from .._tf import keras

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
                raise SettingError(_("Layer {name!r} cannot take an input of shape {shape}, too small "
                                      "for it; give a larger input_size than {input_size}.").format(
                    name=layer.name, shape=in_shape[1:], input_size=input_size))
            if kind == "dense" and layer.built and in_shape[-1] != layer.kernel.shape[0]:
                raise SettingError(_("Layer {name!r} takes {expected} values, but an input of "
                                      "{input_size} gives it {given}; this model only takes images of the size "
                                      "it was built for.").format(
                    name=layer.name, expected=layer.kernel.shape[0], input_size=input_size, given=in_shape[-1]))
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
