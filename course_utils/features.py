"""Looking inside VGG19: feature maps and filters as pictures (notebook 01).

A convolution layer turns an image into C feature maps, one per filter: a map
is bright where the filter found what it looks for. The helpers here prepare
them for :func:`plotting.show_grid`:

- :func:`layer_maps`    run VGG19 once on an image, get the activations of some layers
- :func:`top_channels`  the channels that respond most to this image
- :func:`channel_maps`  some channels of a layer as 2-D maps scaled to [0, 1]
- :func:`normalise_map` one 2-D map scaled to [0, 1] by its own minimum and maximum
- :func:`filter_tiles`  the kernels of a layer as small pictures

and, for notebook 02's look at style as statistics:

- :func:`shuffle_positions` move every position's feature vector somewhere else
- :func:`random_crops`      square pieces of one picture
- :func:`style_grams`       the Gram matrices of one picture at some layers

::

    acts = features.layer_maps(photo, ["block1_conv1", "block3_conv1"])
    best = features.top_channels(acts["block3_conv1"], 8)
    plotting.show_grid(features.channel_maps(acts["block3_conv1"], best))
"""

from __future__ import annotations

import numpy as np

from .errors import ImageError, SettingError
from .validate import numbers as _numpy
from .i18n import _

__all__ = ["normalise_map", "top_channels", "filter_tiles", "channel_maps", "layer_maps",
           "shuffle_positions", "random_crops", "style_grams"]


def _activations(features, name: str = "features") -> np.ndarray:
    """(H, W, C) activations from (H, W, C) or a batch of one (1, H, W, C)."""
    arr = _numpy(features, name)
    if arr.ndim == 4 and arr.shape[0] == 1:
        arr = arr[0]
    if arr.ndim != 3:
        raise SettingError(_("{name} must be the activations of one image, (H, W, C) or (1, H, W, C); "
                             "got shape {shape}.").format(name=name, shape=arr.shape))
    return arr


def normalise_map(fmap) -> np.ndarray:
    """Scale a 2-D feature map to [0, 1] by its own minimum and maximum.

    Parameters
    ----------
    fmap : array of shape (H, W)
        One channel of a layer's activations (NumPy array or tf.Tensor).

    Returns
    -------
    numpy.ndarray, float32, shape (H, W)
        (fmap - min) / (max - min): the weakest response is 0, the strongest 1.
        A constant map (max == min, e.g. a channel that is all zeros after
        ReLU) gives all zeros rather than a division by zero.
    """
    arr = _numpy(fmap, "fmap").astype(np.float32)
    if arr.ndim != 2 or arr.size == 0:
        raise SettingError(_("fmap must be one 2-D feature map of shape (H, W), got shape {shape}; "
                             "pick one channel first, e.g. fmap[..., 0].").format(shape=arr.shape))
    if not np.all(np.isfinite(arr)):
        raise SettingError(_("fmap contains NaN or infinite values; fix the computation that produced it."))
    low, high = arr.min(), arr.max()
    if high == low:
        return np.zeros_like(arr)
    return ((arr - low) / (high - low)).astype(np.float32)


def top_channels(fmap, k) -> list[int]:
    """The ``k`` channels with the largest mean activation, most active first.

    Parameters
    ----------
    fmap : array of shape (H, W, C) or (1, H, W, C)
        Activations of one layer for one image.
    k : int
        How many channels; more than C gives all C.

    Returns
    -------
    list of int
        Channel indices. Channels with equal means keep their order.
    """
    arr = _activations(fmap, "fmap")
    if isinstance(k, (bool, np.bool_)) or not isinstance(k, (int, np.integer)) or k < 1:
        raise SettingError(_("k must be a whole number >= 1, like k=8; got {k!r}.").format(k=k))
    means = arr.reshape(-1, arr.shape[-1]).astype(np.float64).mean(axis=0)
    order = np.argsort(-means, kind="stable")
    return [int(c) for c in order[: min(int(k), arr.shape[-1])]]


def _centred(weights: np.ndarray) -> np.ndarray:
    """Weights scaled by their largest absolute value into [0, 1]: 0 becomes 0.5 (grey)."""
    scale = np.abs(weights).max()
    if scale == 0:
        return np.full(weights.shape, 0.5, dtype=np.float32)
    return (0.5 + 0.5 * weights / scale).astype(np.float32)


def filter_tiles(kernel) -> list[np.ndarray]:
    """The filters of a convolution layer as small images, one per output channel.

    Parameters
    ----------
    kernel : array of shape (kh, kw, cin, cout)
        A Conv2D layer's weights, e.g. ``vgg.get_layer("block1_conv1").kernel``.

    Returns
    -------
    list of ``cout`` numpy.ndarray, float32, values in [0, 1]
        With three input channels (the first layer, which sees RGB pixels):
        RGB tiles (kh, kw, 3), showing which colour pattern the filter
        responds to. Otherwise grey tiles (kh, kw, 3): the mean over the input
        channels, repeated in R, G and B so that every tile is drawn on the same
        scale (0 is always mid-grey, not the middle of each tile's own range). Each filter is scaled by its own largest absolute weight,
        so that a weight of 0 is mid-grey (0.5), positive weights are
        brighter and negative weights darker.
    """
    arr = _numpy(kernel, "kernel").astype(np.float32)
    if arr.ndim != 4 or 0 in arr.shape:
        raise SettingError(_("kernel must be a Conv2D kernel of shape (kh, kw, cin, cout), got shape {shape}; "
                             "pass layer.kernel of a convolution layer.").format(shape=arr.shape))
    if arr.shape[2] == 3:
        return [_centred(arr[:, :, :, c]) for c in range(arr.shape[3])]
    return [np.repeat(_centred(arr[:, :, :, c].mean(axis=2))[:, :, np.newaxis], 3, axis=2)
            for c in range(arr.shape[3])]


def _check_channels(channels, count: int) -> list[int]:
    """``channels`` (one index or a sequence) as a list of valid indices for ``count`` channels."""
    if isinstance(channels, (int, np.integer)) and not isinstance(channels, (bool, np.bool_)):
        channels = [channels]
    try:
        channels = list(channels)
    except TypeError:
        raise SettingError(_("channels must be a list of channel indices like [0, 5, 12]; got {channels!r}.").format(
            channels=channels)) from None
    if not channels:
        raise SettingError(_("channels is empty; give at least one channel index, e.g. [0, 1, 2]."))
    for c in channels:
        if isinstance(c, (bool, np.bool_)) or not isinstance(c, (int, np.integer)) or not 0 <= c < count:
            raise SettingError(_("Channels must be whole numbers from 0 to {last} for these {count}-channel "
                                 "features; got {channel!r}.").format(last=count - 1, count=count, channel=c))
    return [int(c) for c in channels]


def channel_maps(features, channels) -> dict[str, np.ndarray]:
    """Some channels of one layer's activations, as normalised 2-D maps.

    Parameters
    ----------
    features : array of shape (H, W, C) or (1, H, W, C)
    channels : int or sequence of int
        Channel indices, e.g. from :func:`top_channels`.

    Returns
    -------
    dict
        ``"channel 12" -> (H, W) float32 map in [0, 1]``, in the order given:
        ready for :func:`plotting.show_grid`.
    """
    arr = _activations(features)
    return {f"channel {c}": normalise_map(arr[:, :, c]) for c in _check_channels(channels, arr.shape[-1])}


def _smallest_side(model, name: str) -> int:
    """The smallest input side for which layer ``name`` of a chain-like model still has an output pixel."""
    windows = []
    for layer in model.layers:
        size = getattr(layer, "pool_size", None) or getattr(layer, "kernel_size", None)
        if size is not None:
            padding = getattr(layer, "padding", "valid")
            windows.append((max(size) if padding == "valid" else 1, max(layer.strides)))
        if layer.name == name:
            break
    need = 1
    for size, stride in reversed(windows):  # work back from one output pixel to the input
        need = (need - 1) * stride + size
    return need


def layer_maps(image, layers, *, channels=None, base=None) -> dict[str, np.ndarray]:
    """Activations of VGG19 layers for one image, computed in one pass.

    Parameters
    ----------
    image : array (H, W, 3)
        One image in the course's format (float in [0, 1]; uint8 and a batch
        of one work too).
    layers : str or sequence of str
        VGG19 layer names, e.g. ``"block1_conv1"`` or :data:`models.STYLE_LAYERS`.
    channels : sequence of int, optional
        Keep only these channels of every layer (all by default).
    base : keras.Model, optional
        The VGG19 to use; by default :func:`models.vgg19`.

    Returns
    -------
    dict
        ``layer name -> numpy.ndarray (H', W', C)``, float32, without the batch axis.
    """
    from . import models
    from .images import to_float_rgb

    if isinstance(layers, str):
        layers = [layers]
    layers = list(layers)
    picture = to_float_rgb(image)
    extractor = models.feature_extractor(layers, base)
    deepest = max(layers, key=lambda name: _smallest_side(extractor.model, name))
    need = _smallest_side(extractor.model, deepest)
    if min(picture.shape[:2]) < need:
        raise ImageError(_("The image ({height}×{width} pixels) is too small for layer "
                           "{deepest!r}; give at least {need} pixels a side.").format(
                               height=picture.shape[0], width=picture.shape[1], deepest=deepest, need=need))
    outputs = extractor(picture[np.newaxis])
    result = {}
    for name in layers:
        acts = np.asarray(outputs[name])[0].astype(np.float32)
        if channels is not None:
            acts = acts[:, :, _check_channels(channels, acts.shape[-1])]
        result[name] = acts
    return result



def shuffle_positions(features, seed: int = 0) -> np.ndarray:
    """The same activations with their positions in a random order.

    Every position's feature vector (all C channels together) moves to another
    position: the map no longer shows *where* anything is, but it holds exactly
    the same vectors — so its Gram matrix does not change.

    Parameters
    ----------
    features : array of shape (H, W, C) or (1, H, W, C)
    seed : int

    Returns
    -------
    numpy.ndarray, float32, shape (H, W, C)
    """
    arr = _activations(features).astype(np.float32)
    height, width, channels = arr.shape
    order = np.random.default_rng(seed).permutation(height * width)
    return arr.reshape(height * width, channels)[order].reshape(height, width, channels)


def random_crops(image, size: int, count: int = 2, seed: int = 0) -> list[np.ndarray]:
    """``count`` square crops of ``size`` pixels from random places in ``image`` (H, W, 3).

    Raises a SettingError when the image is smaller than ``size`` on a side.
    """
    from .images import to_float_rgb

    picture = to_float_rgb(image)
    for value, name in ((size, "size"), (count, "count")):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise SettingError(_("{name} must be a positive whole number, like {name}=4; got {value!r}.").format(
                name=name, value=value))
    height, width = picture.shape[:2]
    if size > min(height, width):
        raise SettingError(_("crops of {size} pixels do not fit in a {height}×{width} image; "
                             "choose size <= {largest}.").format(
                                 size=size, height=height, width=width, largest=min(height, width)))
    rng = np.random.default_rng(seed)
    crops = []
    for _unused in range(count):
        top, left = int(rng.integers(0, height - size + 1)), int(rng.integers(0, width - size + 1))
        crops.append(picture[top: top + size, left: left + size].copy())
    return crops


def style_grams(image, layers, *, normalize: str = "positions", base=None) -> dict[str, np.ndarray]:
    """The Gram matrix of one image's activations at each layer: layer -> (C, C) float32."""
    from . import losses

    return {name: np.asarray(losses.gram_matrix(acts, normalize))
            for name, acts in layer_maps(image, layers, base=base).items()}
