"""The loss terms of neural style transfer (Gatys et al., 2016).

All functions take TensorFlow tensors (NumPy arrays work too) and are
differentiable, so they can be used inside ``tf.function`` and ``GradientTape``.

- :func:`gram_matrix`  style as statistics: which channels fire together
- :func:`gram_distance` relative difference of two Gram matrices
- :func:`content_loss` how far the generated image's features are from the photo's
- :func:`style_loss`   how far its Gram matrices are from the painting's, summed over layers
- :func:`total_variation_loss` how noisy it is (neighbouring pixels that differ)
- :func:`balanced_layer_weights` style-layer weights that give every layer the same say

The defaults follow the TensorFlow style-transfer tutorial: Gram matrices divided by
the number of positions, mean squared errors, and the mean over layers.
"""

from __future__ import annotations

from ._tf import tf

NORMALISATIONS = ("positions", "channels_positions", "none")


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
    if normalize not in NORMALISATIONS:
        raise ValueError(f"normalize must be one of {NORMALISATIONS}, got {normalize!r}")
    x = tf.convert_to_tensor(features, dtype=tf.float32)
    if x.shape.rank not in (3, 4):
        raise ValueError(f"features must have shape (H, W, C) or (B, H, W, C), got {tuple(x.shape)}")
    single = x.shape.rank == 3
    if single:
        x = x[tf.newaxis]
    gram = tf.einsum("bijc,bijd->bcd", x, x)
    shape = tf.shape(x)
    positions = tf.cast(shape[1] * shape[2], tf.float32)
    if normalize == "positions":
        gram = gram / positions
    elif normalize == "channels_positions":
        gram = gram / (positions * tf.cast(shape[3], tf.float32))
    return gram[0] if single else gram


def gram_distance(gram, reference):
    """How far a Gram matrix is from a reference one, relative to the reference's size.

    ``||gram - reference|| / ||reference||`` (Frobenius norms): 0 for identical
    statistics, about 1 when they differ as much as the reference is large. Being
    relative, it can be compared across layers whose activations differ in scale.
    """
    gram = tf.convert_to_tensor(gram, dtype=tf.float32)
    reference = tf.convert_to_tensor(reference, dtype=tf.float32)
    if gram.shape != reference.shape:
        raise ValueError(f"Gram matrices of different shapes: {tuple(gram.shape)} vs {tuple(reference.shape)}; "
                         "compare matrices of the same layer")
    return tf.norm(gram - reference) / tf.maximum(tf.norm(reference), 1e-12)


def content_loss(generated, target):
    """Mean squared difference between two feature maps of the same shape."""
    generated = tf.convert_to_tensor(generated, dtype=tf.float32)
    target = tf.convert_to_tensor(target, dtype=tf.float32)
    if generated.shape != target.shape:
        raise ValueError(f"feature shapes differ: {tuple(generated.shape)} vs {tuple(target.shape)}")
    return tf.reduce_mean(tf.square(generated - target))


def style_loss(generated: dict, target_grams: dict, layer_weights: dict | None = None,
               normalize: str = "positions"):
    """Weighted sum over layers of the mean squared difference of Gram matrices.

    ``generated`` maps layer name -> features of the image being made;
    ``target_grams`` maps layer name -> Gram matrix of the style image (computed
    once, outside the loop). ``layer_weights`` defaults to 1 / number of layers.
    """
    layers = list(target_grams)
    if not layers:
        raise ValueError("target_grams is empty: give at least one style layer")
    missing = [name for name in layers if name not in generated]
    if missing:
        raise ValueError(f"no generated features for style layer {missing[0]!r}")
    if layer_weights is None:
        layer_weights = {name: 1.0 / len(layers) for name in layers}
    total = 0.0
    for name in layers:
        gram = gram_matrix(generated[name], normalize)
        total += layer_weights[name] * tf.reduce_mean(tf.square(gram - target_grams[name]))
    return total


def balanced_layer_weights(target_grams: dict) -> dict:
    """Layer weights that give every style layer the same say: 1 / (L * mean(A**2)).

    VGG19's deep layers have much larger activations than its first ones, so with
    equal weights their Gram differences swamp the others and the colours and
    fine strokes (first layers) are matched last. Dividing each layer's error by
    the size of its target Gram matrix turns it into a relative error. (Gatys et
    al. got the same effect by rescaling the network's weights so that every
    filter's mean activation is one.)
    """
    if not target_grams:
        raise ValueError("target_grams is empty: give at least one style layer")
    count = len(target_grams)
    weights = {}
    for name, gram in target_grams.items():
        size = float(tf.reduce_mean(tf.square(tf.convert_to_tensor(gram, dtype=tf.float32))))
        weights[name] = 1.0 / (count * max(size, 1e-12))
    return weights


def total_variation_loss(image, kind: str = "l1"):
    """Total variation of an image batch (B, H, W, C) or image (H, W, C).

    ``kind="l1"`` sums absolute differences of neighbouring pixels (as
    ``tf.image.total_variation``); ``kind="squared"`` sums squared differences.
    The result is summed over the batch.
    """
    if kind not in ("l1", "squared"):
        raise ValueError(f"kind must be 'l1' or 'squared', got {kind!r}")
    x = tf.convert_to_tensor(image, dtype=tf.float32)
    if x.shape.rank == 3:
        x = x[tf.newaxis]
    if x.shape.rank != 4:
        raise ValueError(f"image must have shape (H, W, C) or (B, H, W, C), got {tuple(x.shape)}")
    dy = x[:, 1:, :, :] - x[:, :-1, :, :]
    dx = x[:, :, 1:, :] - x[:, :, :-1, :]
    if kind == "l1":
        return tf.reduce_sum(tf.abs(dy)) + tf.reduce_sum(tf.abs(dx))
    return tf.reduce_sum(tf.square(dy)) + tf.reduce_sum(tf.square(dx))
