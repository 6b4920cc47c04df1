"""The loss terms of neural style transfer (Gatys et al., 2016).

All functions take TensorFlow tensors (NumPy arrays work too) and are
differentiable, so they can be used inside ``tf.function`` and ``GradientTape``.
They compute in float32, or in float64 when given float64 (for gradient checks
by finite differences).

- :func:`gram_matrix`  style as statistics: which channels fire together
- :func:`gram_distance` relative difference of two Gram matrices
- :func:`content_loss` how far the generated image's features are from the photo's
- :func:`style_layer_loss` how far one layer's Gram matrix is from the painting's,
  in the normalisation of Gatys et al., of the TensorFlow tutorial, or another
- :func:`style_loss`   the same, summed over layers with weights
- :func:`total_variation_loss` how noisy it is (neighbouring pixels that differ)
- :func:`balanced_layer_weights` style-layer weights that give every layer the same say

The defaults of :func:`content_loss` and :func:`style_loss` follow the TensorFlow
style-transfer tutorial: Gram matrices divided by the number of positions, mean
squared errors, and the mean over layers.

How the style normalisations relate, for one layer with ``N`` channels and
``M = H * W`` positions, ``G`` and ``A`` the generated and target Gram matrices
divided by ``M``::

    "gatys"              sum((M*G - M*A)**2) / (4 * N**2 * M**2)  =  mean((G - A)**2) / 4
    "tutorial"           mean((G - A)**2)                          =  4 * gatys
    "channels_positions" mean((G/N - A/N)**2)                      =  tutorial / N**2
    "relative"           sum((G - A)**2) / sum(A**2)               =  tutorial / mean(A**2)

(Johnson et al. 2016 divide by ``N * M`` and take the *sum* of squares, which is
again the tutorial's number.)
"""

from __future__ import annotations

from . import validate
from ._tf import tf
from .errors import SettingError
from .i18n import _

NORMALISATIONS = ("positions", "channels_positions", "none")
#: The ways :func:`style_layer_loss` measures one layer (see the module's docstring).
STYLE_KINDS = ("gatys", "tutorial", "channels_positions", "relative")
#: The ways :func:`content_loss` measures: mean squared error, or Gatys' half sum of squares.
CONTENT_KINDS = ("mse", "gatys")
#: The total-variation penalties of :func:`total_variation_loss`.
TV_KINDS = ("l1", "squared")


def _check_layer_weights(layer_weights, layers) -> dict:
    """``layer_weights`` (None: 1 / number of layers each) with a weight >= 0 for every layer."""
    if layer_weights is None:
        return {name: 1.0 / len(layers) for name in layers}
    if not isinstance(layer_weights, dict):
        raise SettingError(_("layer_weights must be a dict layer name -> weight, like {{{layer!r}: 1.0}}; "
                             "got a {kind}.").format(layer=layers[0], kind=type(layer_weights).__name__))
    missing = [name for name in layers if name not in layer_weights]
    if missing:
        raise SettingError(_("layer_weights has no weight for style layer {layer!r}; give one number >= 0 "
                             "for every layer of target_grams.").format(layer=missing[0]))
    for name in layers:
        weight = layer_weights[name]
        if isinstance(weight, (tf.Tensor, tf.Variable)):
            continue  # computed inside a graph: its value is not known here
        if not validate.is_number(weight) or weight < 0:
            raise SettingError(_("layer_weights[{name!r}] must be a number >= 0, like 0.2; got {weight!r}.").format(
                name=name, weight=weight))
    return layer_weights


def _float_tensor(x, dtype=None):
    """``x`` as a float tensor: ``dtype`` if given, else float64 for float64 input and float32 otherwise."""
    if dtype is None:
        dtype = tf.float64 if getattr(getattr(x, "dtype", None), "name", None) == "float64" else tf.float32
    return tf.cast(tf.convert_to_tensor(x), dtype)


def gram_matrix(features, normalize: str = "positions"):
    """Gram matrix of a feature map: G[c, d] = sum over positions of F[., c] * F[., d].

    Parameters
    ----------
    features : tensor of shape (H, W, C) or (B, H, W, C)
    normalize : "positions" (divide by H*W, the default), "channels_positions"
        (divide by C*H*W) or "none".

    Returns
    -------
    (C, C) for one feature map, (B, C, C) for a batch.
    """
    validate.choice(normalize, NORMALISATIONS, "normalize")
    x = _float_tensor(features)
    if x.shape.rank not in (3, 4):
        raise SettingError(_("features must have shape (H, W, C) or (B, H, W, C), got {shape}; pass one "
                             "layer's activations.").format(shape=tuple(x.shape)))
    single = x.shape.rank == 3
    if single:
        x = x[tf.newaxis]
    gram = tf.einsum("bijc,bijd->bcd", x, x)
    shape = tf.shape(x)
    positions = tf.cast(shape[1] * shape[2], x.dtype)
    if normalize == "positions":
        gram = gram / positions
    elif normalize == "channels_positions":
        gram = gram / (positions * tf.cast(shape[3], x.dtype))
    return gram[0] if single else gram


def gram_distance(gram, reference):
    """How far a Gram matrix is from a reference one, relative to the reference's size.

    ``||gram - reference|| / ||reference||`` (Frobenius norms): 0 for identical
    statistics, about 1 when they differ as much as the reference is large. Being
    relative, it can be compared across layers whose activations differ in scale.
    """
    gram = _float_tensor(gram)
    reference = _float_tensor(reference, gram.dtype)
    if gram.shape != reference.shape:
        raise SettingError(_("gram and reference have different shapes, {shape} and "
                             "{reference_shape}; compare matrices of the same layer.").format(
                                 shape=tuple(gram.shape), reference_shape=tuple(reference.shape)))
    return tf.norm(gram - reference) / tf.maximum(tf.norm(reference), 1e-12)


def content_loss(generated, target, kind: str = "mse"):
    """How far a feature map is from the photo's: the content loss.

    Parameters
    ----------
    generated, target : tensors of the same shape
        One layer's activations for the image being made and for the photo.
    kind : {"mse", "gatys"}, optional
        ``"mse"`` (the default, as in the TensorFlow tutorial): the mean of the
        squared differences. ``"gatys"``: half their sum, as in Gatys et al.
        (2016), which is ``0.5 * H * W * C`` times larger.

    Returns
    -------
    A scalar tensor.
    """
    validate.choice(kind, CONTENT_KINDS, "kind")
    generated = _float_tensor(generated)
    target = _float_tensor(target, generated.dtype)
    if generated.shape != target.shape:
        raise SettingError(_("generated and target feature shapes differ, {shape} and "
                             "{target_shape}; take both from the same layer, for pictures of the same size.").format(
                                 shape=tuple(generated.shape), target_shape=tuple(target.shape)))
    squares = tf.square(generated - target)
    if kind == "gatys":
        return 0.5 * tf.reduce_sum(squares)
    return tf.reduce_mean(squares)


def _one_map(features):
    """(H, W, C) from (H, W, C) or a batch of one (1, H, W, C); anything else is a SettingError."""
    x = _float_tensor(features)
    if x.shape.rank == 4 and x.shape[0] in (1, None):
        return x[0]
    if x.shape.rank != 3:
        raise SettingError(_("features must have shape (H, W, C) or (1, H, W, C), got {shape}; pass one "
                             "picture's activations at one layer.").format(shape=tuple(x.shape)))
    return x


def style_layer_loss(features, target_gram, kind: str = "gatys"):
    """One layer's style loss: how far the Gram matrix of ``features`` is from ``target_gram``.

    Parameters
    ----------
    features : tensor of shape (H, W, C) or (1, H, W, C)
        The layer's activations for the image being made (N = C channels,
        M = H * W positions).
    target_gram : tensor of shape (C, C)
        The style image's Gram matrix for the same layer, divided by its number
        of positions, as :func:`gram_matrix` returns it by default. One target
        serves every ``kind``.
    kind : {"gatys", "tutorial", "channels_positions", "relative"}, optional
        ``"gatys"`` (the default): ``sum((G - A)**2) / (4 N**2 M**2)`` with
        unnormalised Gram matrices G and A (Gatys et al. 2016, eq. 4; the target
        is scaled to M positions, so a style image of another size works too).
        It is computed as ``mean((G/M - A/M)**2) / 4``, the same number with
        smaller intermediate values.
        ``"tutorial"``: the TensorFlow tutorial's mean squared difference of the
        Gram matrices divided by M; 4 times ``"gatys"``.
        ``"channels_positions"``: the mean squared difference of Gram matrices
        divided by N * M; ``"tutorial"`` divided by N**2.
        ``"relative"``: ``sum((G - A)**2) / sum(A**2)``, the squared relative
        error, which is the same whatever the normalisation and the layer's
        scale (see :func:`balanced_layer_weights`).

    Returns
    -------
    A scalar tensor.

    Examples
    --------
    >>> import numpy as np
    >>> f = np.ones((2, 3, 4), np.float32)
    >>> float(style_layer_loss(f, np.zeros((4, 4)), "tutorial"))
    1.0
    >>> float(style_layer_loss(f, np.zeros((4, 4))))
    0.25
    """
    validate.choice(kind, STYLE_KINDS, "kind")
    x = _one_map(features)
    target = _float_tensor(target_gram, x.dtype)
    channels = x.shape[-1]
    if target.shape.rank != 2 or (channels is not None and tuple(target.shape) != (channels, channels)):
        raise SettingError(_("target_gram must have shape ({channels}, {channels}) for features with {channels} "
                             "channels, got {shape}; compute it from the same layer.").format(
                                 channels=channels, shape=tuple(target.shape)))
    squares = tf.square(gram_matrix(x) - target)
    if kind == "gatys":
        return tf.reduce_mean(squares) / 4.0
    if kind == "tutorial":
        return tf.reduce_mean(squares)
    if kind == "channels_positions":
        n = tf.cast(tf.shape(x)[-1], x.dtype)
        return tf.reduce_mean(squares) / (n * n)
    return tf.reduce_sum(squares) / tf.maximum(tf.reduce_sum(tf.square(target)), 1e-12)


def style_loss(generated: dict, target_grams: dict, layer_weights: dict | None = None,
               normalize: str = "positions", kind: str | None = None):
    """Weighted sum over layers of the style loss of each layer.

    Parameters
    ----------
    generated : dict
        Layer name -> features of the image being made.
    target_grams : dict
        Layer name -> Gram matrix of the style image (computed once, outside the loop).
    layer_weights : dict, optional
        Layer name -> weight; by default 1 / number of layers.
    normalize : str, optional
        Without ``kind``: how the generated Gram matrices are normalised (see
        :func:`gram_matrix`); ``target_grams`` must be normalised the same way.
        Each layer then counts the mean squared difference of the Gram matrices.
    kind : str, optional
        Measure each layer with :func:`style_layer_loss` instead (``"gatys"``,
        ``"tutorial"``, ``"channels_positions"`` or ``"relative"``); the targets
        are then divided by their number of positions, as :func:`gram_matrix`
        makes them by default.

    Returns
    -------
    A scalar tensor.
    """
    layers = list(target_grams)
    if not layers:
        raise SettingError(_("target_grams is empty; give at least one style layer's Gram matrix, like "
                             "{{'block1_conv1': gram}}.").format())
    missing = [name for name in layers if name not in generated]
    if missing:
        raise SettingError(_("generated has no generated features for style layer {layer!r}; compute the features "
                             "at every layer of target_grams.").format(layer=missing[0]))
    if kind is not None:
        validate.choice(kind, STYLE_KINDS, "kind")
        if normalize != "positions":
            raise SettingError(_("give normalize or kind, not both: with kind, the target Grams are divided by "
                                 "the number of positions, as gram_matrix makes them."))
    layer_weights = _check_layer_weights(layer_weights, layers)
    total = 0.0
    for name in layers:
        if kind is None:
            gram = gram_matrix(generated[name], normalize)
            term = tf.reduce_mean(tf.square(gram - _float_tensor(target_grams[name], gram.dtype)))
        else:
            term = style_layer_loss(generated[name], target_grams[name], kind)
        total += layer_weights[name] * term
    return total


def balanced_layer_weights(target_grams: dict) -> dict:
    """Layer weights that give every style layer the same say: 1 / (L * mean(A**2)).

    VGG19's deep layers have much larger activations than its first ones, so with
    equal weights their Gram differences swamp the others and the colours and
    fine strokes (first layers) are matched last. Dividing each layer's error by
    the size of its target Gram matrix turns it into a relative error. (Gatys et
    al. got the same effect by rescaling the network's weights so that every
    filter's mean activation is one.) ``style_loss(..., layer_weights=balanced)``
    equals ``style_loss(..., kind="relative")``.
    """
    if not target_grams:
        raise SettingError(_("target_grams is empty; give at least one style layer's Gram matrix, like "
                             "{{'block1_conv1': gram}}.").format())
    count = len(target_grams)
    weights = {}
    for name, gram in target_grams.items():
        size = float(tf.reduce_mean(tf.square(_float_tensor(gram, tf.float32))))
        weights[name] = 1.0 / (count * max(size, 1e-12))
    return weights


def total_variation_loss(image, kind: str = "l1"):
    """Total variation of an image batch (B, H, W, C) or image (H, W, C).

    Parameters
    ----------
    image : tensor of shape (H, W, C) or (B, H, W, C)
    kind : {"l1", "squared"}, optional
        ``"l1"`` (the default) sums the absolute differences of vertically and
        horizontally neighbouring pixels, as ``tf.image.total_variation``;
        ``"squared"`` sums their squares (Mahendran and Vedaldi's penalty with
        beta = 2), which lets small ripples pass and punishes large jumps more.

    Returns
    -------
    A scalar tensor, summed over the batch.
    """
    validate.choice(kind, TV_KINDS, "kind")
    x = _float_tensor(image)
    if x.shape.rank == 3:
        x = x[tf.newaxis]
    if x.shape.rank != 4:
        raise SettingError(_("image must have shape (H, W, C) or (B, H, W, C), got {shape}; pass a picture "
                             "or a batch of pictures.").format(shape=tuple(x.shape)))
    dy = x[:, 1:, :, :] - x[:, :-1, :, :]
    dx = x[:, :, 1:, :] - x[:, :, :-1, :]
    if kind == "l1":
        return tf.reduce_sum(tf.abs(dy)) + tf.reduce_sum(tf.abs(dx))
    return tf.reduce_sum(tf.square(dy)) + tf.reduce_sum(tf.square(dx))
