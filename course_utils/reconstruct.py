"""Pictures made from a network's statistics alone: content reconstructions and textures.

Gatys et al. asked what a layer of VGG19 *keeps* of an image by starting from
noise and changing the pixels until the noise produces the same statistics:

- :func:`content_reconstruction` (Gatys, Ecker & Bethge 2016, Fig. 1): match the
  activations of one layer. Early layers give the photo back almost exactly; deep
  layers keep what is where but lose the exact pixels — the *content* that
  style transfer preserves.
- :func:`texture_synthesis` (Gatys, Ecker & Bethge 2015): match only the Gram
  matrices of some layers. Nothing says *where* things are, so the result is a
  texture with the style's colours and strokes; the more layers, the larger the
  structures it reproduces (see :func:`growing_layer_sets`).

Both are the optimisation of :func:`course_utils.transfer.optimize` with one of
the two loss terms switched off, so they return the same
:class:`~course_utils.transfer.Result`.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from . import images, models, transfer
from ._tf import keras
from .errors import SettingError
from .i18n import _


def _check_layers(layers, what: str) -> tuple[str, ...]:
    if isinstance(layers, str):
        layers = (layers,)
    layers = tuple(layers)
    if not layers:
        raise SettingError(_("{what} is empty; name at least one VGG19 layer, like ('block1_conv1',).").format(
            what=what))
    return layers


def noise_image(shape, seed: int = 0) -> np.ndarray:
    """White noise to start from: float32 pixels uniform in [0, 1], ``shape`` (H, W) or (H, W, 3)."""
    shape = tuple(int(n) for n in shape)
    if len(shape) == 2:
        shape += (3,)
    if len(shape) != 3 or shape[-1] != 3 or min(shape) < 1:
        raise SettingError(_("shape must be (height, width) or (height, width, 3), like shape=(128, 128); "
                             "got {shape}.").format(shape=shape))
    return np.random.default_rng(seed).uniform(0.0, 1.0, shape).astype(np.float32)


def content_reconstruction(image, layer: str, *, steps: int = 200, seed: int = 0, optimizer: str = "lbfgs",
                           tv_weight: float = 0.0, progress: bool = True, callback: Callable | None = None,
                           callback_every: int = 10, base: keras.Model | None = None) -> transfer.Result:
    """Rebuild ``image`` from noise using only its activations at one VGG19 ``layer``.

    Parameters
    ----------
    image : the photo, in the course's format (or anything :func:`images.load` takes),
        at the size to reconstruct.
    layer : a VGG19 layer name such as ``"block4_conv2"``.
    steps : optimiser steps; deep layers need more than shallow ones.
    seed : seed of the starting noise.
    tv_weight : 0 (as in Gatys et al.); a small value smooths the pixels the layer leaves free.
    progress, callback, callback_every : as in :func:`course_utils.transfer.optimize`.

    Returns
    -------
    transfer.Result
        ``.image`` is the reconstruction; ``.history["content"]`` the feature distance per step.
    """
    layers = _check_layers(layer, "layer")
    image = images.load(image)
    objective = transfer.Objective(content=image, content_layers=layers, content_weight=1.0,
                                   tv_weight=tv_weight, base=base)
    return transfer.optimize(objective, noise_image(image.shape, seed), steps=steps, optimizer=optimizer,
                             progress=progress, callback=callback, callback_every=callback_every,
                             desc=_("content from {layer}").format(layer=layers[0]))


def texture_synthesis(style, layers=models.STYLE_LAYERS, *, shape=None, steps: int = 200, seed: int = 0,
                      layer_weights="balanced", optimizer: str = "lbfgs", tv_weight: float = 0.0,
                      progress: bool = True,
                      callback: Callable | None = None, callback_every: int = 10,
                      base: keras.Model | None = None) -> transfer.Result:
    """A new texture whose Gram matrices at ``layers`` match those of ``style``.

    Parameters
    ----------
    style : the style image (course format, a path, a URL ...).
    layers : VGG19 layer names whose Gram matrices are matched (default: the
        first convolution of each block, as in style transfer).
    shape : (height, width) of the texture; by default the style image's.
    layer_weights : "balanced" (default: every layer's Gram error counts as a relative
        error, see :func:`losses.balanced_layer_weights`), None (equal weights: the deep
        layers dominate) or a dict layer -> weight.
    steps, seed, optimizer, tv_weight, progress, callback, callback_every :
        as in :func:`content_reconstruction`.

    Returns
    -------
    transfer.Result
        ``.image`` is the texture; ``.history["style"]`` the Gram distance per step.
    """
    layers = _check_layers(layers, "layers")
    style = images.load(style)
    objective = transfer.Objective(style=style, style_layers=layers, style_weight=1.0,
                                   style_layer_weights=layer_weights, tv_weight=tv_weight, base=base)
    start = noise_image(style.shape[:2] if shape is None else shape, seed)
    return transfer.optimize(objective, start, steps=steps, optimizer=optimizer, progress=progress,
                             callback=callback, callback_every=callback_every,
                             desc=(_("texture, {count} layers") if len(layers) > 1 else _("texture, {count} layer"))
                             .format(count=len(layers)))


def growing_layer_sets(layers=models.STYLE_LAYERS) -> list[tuple[str, ...]]:
    """``[(l1,), (l1, l2), ..., (l1, ..., ln)]``: the layer sets of Gatys et al.'s texture figure."""
    layers = _check_layers(layers, "layers")
    return [layers[: i + 1] for i in range(len(layers))]
