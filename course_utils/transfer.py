"""The optimisation loop of neural style transfer.

:class:`Objective` holds what stays fixed (the photo's content features, the
painting's Gram matrices, the weights) and computes, for a candidate image, the
total loss, its parts and the gradient with respect to the pixels. :func:`stylize`
then changes the pixels to lower that loss, with L-BFGS (the default, as in Gatys
et al.) or Adam (as in the TensorFlow tutorial), showing a progress bar.

Several styles can be blended (give a list of style images and, optionally,
``style_weights``), and the photo's colours can be kept (``preserve_colors``, with
the helpers of :mod:`course_utils.post`).

Images are in the course's format: float32 (H, W, 3), RGB, values in [0, 1]; the
pixels being optimised stay inside [0, 1].
"""

from __future__ import annotations

import dataclasses
import time
from typing import Callable

import numpy as np
from tqdm.auto import tqdm

from . import images, losses, models, post
from ._tf import keras, tf

OPTIMIZERS = ("lbfgs", "adam")
INITS = ("content", "style", "noise")
#: The ways :func:`stylize` can keep the photo's colours (besides None: the painting's colours).
PRESERVE_COLORS = ("luminance", "histogram")

#: Default loss weights, as in the TensorFlow style-transfer tutorial.
CONTENT_WEIGHT = 1e4
STYLE_WEIGHT = 1e-2
TV_WEIGHT = 30.0


def _style_list(style) -> list:
    """One style image, or a list/tuple of them, as a list (an empty list is an error)."""
    styles = list(style) if isinstance(style, (list, tuple)) else [style]
    if not styles:
        raise ValueError("style is an empty list; give one style image or a list of several")
    return styles


def _blend_weights(style_weights, count: int) -> tuple[float, ...]:
    """``style_weights`` for ``count`` styles, normalised to sum 1 (None: all equal)."""
    if style_weights is None:
        return (1.0 / count,) * count
    if isinstance(style_weights, (str, bytes)) or not hasattr(style_weights, "__len__"):
        raise ValueError(f"style_weights must be a list with one number per style image, got {style_weights!r}")
    if len(style_weights) != count:
        raise ValueError(f"style_weights has {len(style_weights)} numbers for {count} style image(s); "
                         "give exactly one weight per style image")
    values = []
    for w in style_weights:
        if isinstance(w, (bool, np.bool_)) or not isinstance(w, (int, float, np.integer, np.floating)) \
                or not np.isfinite(w) or w < 0:
            raise ValueError(f"style_weights must be finite numbers >= 0, like [0.7, 0.3]; got {w!r}")
        values.append(float(w))
    total = sum(values)
    if total <= 0:
        raise ValueError("style_weights are all 0; give at least one style a positive weight")
    return tuple(v / total for v in values)


class Objective:
    """Weighted content + style + total-variation loss for a photo and/or a style image.

    Defaults follow the TensorFlow style-transfer tutorial (content from
    block5_conv2, style from the first conv of each block, weights 1e4 / 1e-2 / 30).
    ``style_layer_weights`` is None (every style layer weighs the same), "balanced"
    (:func:`losses.balanced_layer_weights`) or a dict layer -> weight.
    Leave out ``style`` and it measures only how well an image keeps the photo's
    features (a *content reconstruction*); leave out ``content`` and it measures
    only the style statistics (*texture synthesis*).

    ``style`` may also be a list (or tuple) of style images, to blend styles: the
    target Gram matrix of each layer is then the weighted average of the styles'
    Gram matrices, with ``style_weights`` (one number >= 0 per style, normalised
    to sum 1; default: equal weights). ``self.style_weights`` holds the
    normalised weights.
    """

    def __init__(self, content=None, style=None, *, content_weight: float = CONTENT_WEIGHT,
                 style_weight: float = STYLE_WEIGHT, tv_weight: float = TV_WEIGHT,
                 content_layers=("block5_conv2",), style_layers=models.STYLE_LAYERS,
                 style_layer_weights=None, style_weights=None, base: keras.Model | None = None):
        if content is None and style is None:
            raise ValueError("give a content image, a style image or both")
        styles = _style_list(style) if style is not None else []
        if style is None and style_weights is not None:
            raise ValueError("style_weights was given without a style image; pass style= as well, or drop it")
        self.style_weights = _blend_weights(style_weights, len(styles)) if styles else None
        self.content_layers = tuple(content_layers) if content is not None else ()
        self.style_layers = tuple(style_layers) if style is not None else ()
        if content is not None and not self.content_layers:
            raise ValueError("content_layers is empty: name at least one VGG19 layer, e.g. 'block4_conv2'")
        if style is not None and not self.style_layers:
            raise ValueError("style_layers is empty: name at least one VGG19 layer, e.g. 'block1_conv1'")
        self.weights = {"content": float(content_weight), "style": float(style_weight), "tv": float(tv_weight)}
        self.terms = tuple(k for k, used in (("content", content is not None), ("style", style is not None),
                                              ("tv", True)) if used)
        layers = tuple(dict.fromkeys(self.content_layers + self.style_layers))
        self.extractor = models.feature_extractor(layers, base)
        self.content_targets, self.style_grams = {}, {}
        if content is not None:
            features = self.extractor(images.to_batch(images.load(content)))
            self.content_targets = {name: features[name] for name in self.content_layers}
        for image, weight in zip(styles, self.style_weights or ()):
            features = self.extractor(images.to_batch(images.load(image)))
            for name in self.style_layers:
                gram = weight * losses.gram_matrix(features[name])
                self.style_grams[name] = gram if name not in self.style_grams else self.style_grams[name] + gram
        self.style_layer_weights = self._layer_weights(style_layer_weights)
        self._compiled = tf.function(self._value_and_grad, reduce_retracing=True)

    def _layer_weights(self, given):
        if given is None or not self.style_grams:
            return None  # the same weight for every layer, as in the TensorFlow tutorial
        if isinstance(given, str):
            if given != "balanced":
                raise ValueError(f"style_layer_weights must be None, 'balanced' or a dict, got {given!r}")
            return losses.balanced_layer_weights(self.style_grams)
        missing = [name for name in self.style_layers if name not in given]
        if missing:
            raise ValueError(f"style_layer_weights has no weight for layer {missing[0]!r}")
        return {name: float(given[name]) for name in self.style_layers}

    def parts(self, batch) -> dict:
        """Unweighted loss terms for an image batch of shape (1, H, W, 3)."""
        features = self.extractor(batch)
        parts = {}
        if self.content_layers:
            parts["content"] = tf.add_n([losses.content_loss(features[n], self.content_targets[n])
                                         for n in self.content_layers]) / len(self.content_layers)
        if self.style_layers:
            parts["style"] = losses.style_loss(features, self.style_grams, self.style_layer_weights)
        parts["tv"] = losses.total_variation_loss(batch)
        return parts

    def _value_and_grad(self, batch):
        with tf.GradientTape() as tape:
            tape.watch(batch)
            parts = self.parts(batch)
            total = tf.add_n([self.weights[k] * parts[k] for k in self.terms])
        return total, parts, tape.gradient(total, batch)

    def value_and_grad(self, batch):
        """(total loss, dict of unweighted parts, gradient w.r.t. the pixels), compiled."""
        return self._compiled(tf.convert_to_tensor(batch, dtype=tf.float32))


@dataclasses.dataclass
class Result:
    """What :func:`stylize` returns."""

    image: np.ndarray  # (H, W, 3) float32 in [0, 1]
    history: dict  # "total" and each part ("content", "style", "tv"): one value per step
    seconds: float
    optimizer: str

    @property
    def final_loss(self) -> float:
        return self.history["total"][-1]


def _check_run(optimizer, steps) -> None:
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {optimizer!r}")
    if not isinstance(steps, (int, np.integer)) or isinstance(steps, bool) or steps < 1:
        raise ValueError(f"steps must be a positive integer, got {steps!r}")


def initial_image(content, style, init: str = "content", seed: int = 0) -> np.ndarray:
    """Starting pixels: the photo, the style image resized to the photo, or uniform noise.

    With a list of style images, ``init="style"`` starts from the first.
    """
    if init not in INITS:
        raise ValueError(f"init must be one of {INITS}, got {init!r}")
    content = images.load(content)
    if init == "content":
        return content.copy()
    if init == "style":
        from skimage.transform import resize

        first = _style_list(style)[0]
        return resize(images.load(first), content.shape, anti_aliasing=True).astype(np.float32)
    return np.random.default_rng(seed).uniform(0.0, 1.0, content.shape).astype(np.float32)


def stylize(content, style, *, steps: int = 100, optimizer: str = "lbfgs", init: str = "content",
            content_weight: float = CONTENT_WEIGHT, style_weight: float = STYLE_WEIGHT,
            tv_weight: float = TV_WEIGHT, style_weights=None, preserve_colors: str | None = None,
            seed: int = 0, progress: bool = True, callback: Callable | None = None,
            callback_every: int = 10, objective: Objective | None = None) -> Result:
    """Paint ``content`` (a photo) in the style of ``style`` by optimising the pixels.

    Parameters
    ----------
    content, style : images in the course's format (or anything ``images.load`` takes).
        They are used at the size given; load them with ``size=`` to choose it.
        ``style`` may be a list of style images to blend (see :class:`Objective`).
    steps : optimiser steps (L-BFGS iterations or Adam updates).
    optimizer : "lbfgs" (default; fewest steps) or "adam" (the TensorFlow tutorial's recipe).
    init : start from the "content" photo, the "style" image (the first, if several) or "noise".
    style_weights : with several styles, how much each counts (one number >= 0 per
        style, normalised to sum 1); None blends them equally.
    preserve_colors : None (default) paints in the style image's colours. Two ways keep
        the photo's colours (Gatys et al. 2017, "Controlling perceptual factors"):

        - "luminance": transfer as usual, then keep only the result's brightness and
          take the colours from the photo (:func:`post.luminance_transfer`);
        - "histogram": first recolour each style image with the photo's colours
          (:func:`post.match_histograms`), then transfer. Not possible with a
          prepared ``objective``, which already holds the style's statistics.
    callback : called as ``callback(step, image, parts)`` every ``callback_every`` steps,
        e.g. to update a live preview.
    objective : reuse a prepared :class:`Objective` (then the weights arguments,
        ``style_weights`` included, are ignored).
    """
    _check_run(optimizer, steps)  # before the (slow) objective is built
    if preserve_colors is not None and preserve_colors not in PRESERVE_COLORS:
        raise ValueError(f"preserve_colors must be None or one of {PRESERVE_COLORS}, got {preserve_colors!r}")
    if preserve_colors == "histogram" and objective is not None:
        raise ValueError("preserve_colors='histogram' recolours the style images, which a prepared objective "
                         "already holds; build the Objective from post.match_histograms(style, content) instead")
    content = images.load(content)  # decode files once, not per use
    styles = [images.load(s) for s in _style_list(style)]
    if preserve_colors == "histogram":
        styles = [post.match_histograms(s, content) for s in styles]
    if objective is None:
        objective = Objective(content, styles, content_weight=content_weight, style_weight=style_weight,
                              tv_weight=tv_weight, style_weights=style_weights)
    start = initial_image(content, styles, init, seed)
    result = optimize(objective, start, steps=steps, optimizer=optimizer, progress=progress,
                      callback=callback, callback_every=callback_every, desc=f"style transfer ({optimizer})")
    if preserve_colors == "luminance":
        result.image = post.luminance_transfer(result.image, content)
    return result


def optimize(objective, start, *, steps: int = 100, optimizer: str = "lbfgs", progress: bool = True,
             callback: Callable | None = None, callback_every: int = 10, desc: str | None = None) -> Result:
    """Change the pixels of ``start`` (H, W, 3) to lower ``objective``; the loop behind every picture.

    ``objective`` is anything with ``value_and_grad(batch) -> (total, parts, gradient)``,
    such as :class:`Objective`. Pixels stay in [0, 1]. Returns a :class:`Result`
    with the final image, the loss history per step and the time taken.
    """
    _check_run(optimizer, steps)
    start = np.asarray(start, dtype=np.float32)
    if start.ndim != 3 or start.shape[-1] != 3:
        raise ValueError(f"start must be an image of shape (H, W, 3), got shape {start.shape}")
    start = start[np.newaxis]
    history = {"total": []}
    bar = tqdm(total=steps, desc=desc or f"optimising ({optimizer})", disable=not progress, leave=False)

    def record(step, batch, total, parts):
        history["total"].append(float(total))
        for k, v in parts.items():
            history.setdefault(k, []).append(float(v))
        bar.update(1)
        bar.set_postfix(loss=f"{float(total):.4g}")
        if callback is not None and (step % callback_every == 0 or step == steps):
            callback(step, np.asarray(batch)[0], {k: float(v) for k, v in parts.items()})

    began = time.perf_counter()
    try:
        run = _run_lbfgs if optimizer == "lbfgs" else _run_adam
        final = run(objective, start, steps, record)
    finally:
        bar.close()
    return Result(np.clip(final[0], 0.0, 1.0).astype(np.float32), history,
                  time.perf_counter() - began, optimizer)


def _run_adam(objective, start, steps, record):
    """The TensorFlow tutorial's recipe: Adam(lr 0.02, beta_1 0.99, epsilon 0.1), clip to [0, 1]."""
    image = tf.Variable(start)
    opt = keras.optimizers.Adam(learning_rate=0.02, beta_1=0.99, epsilon=1e-1)
    for step in range(1, steps + 1):
        total, parts, grad = objective.value_and_grad(image)
        opt.apply_gradients([(grad, image)])
        image.assign(tf.clip_by_value(image, 0.0, 1.0))
        record(step, image.numpy(), total, parts)
    return image.numpy()


def _run_lbfgs(objective, start, steps, record):
    """scipy's L-BFGS-B on the pixels, with bounds [0, 1]; one gradient per evaluation."""
    from scipy.optimize import Bounds, minimize

    shape = start.shape
    last = {}

    def fun(x):
        batch = x.reshape(shape).astype(np.float32)
        total, parts, grad = objective.value_and_grad(batch)
        last["parts"] = parts
        return float(total), np.asarray(grad, dtype=np.float64).ravel()

    counter = {"step": 0}

    def after_iteration(intermediate_result):
        counter["step"] += 1
        record(counter["step"], intermediate_result.x.reshape(shape), intermediate_result.fun, last["parts"])

    result = minimize(fun, start.astype(np.float64).ravel(), jac=True, method="L-BFGS-B",
                      bounds=Bounds(np.zeros(start.size), np.ones(start.size)), callback=after_iteration,
                      options={"maxiter": steps, "maxfun": steps * 2, "maxcor": 20,
                               # run all the steps asked for: the losses' scale is arbitrary,
                               # so scipy's default stopping tolerances can end the run early
                               "ftol": 0.0, "gtol": 0.0})
    return result.x.reshape(shape).astype(np.float32)
