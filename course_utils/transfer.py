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
import math
import time
from typing import Callable

import numpy as np
from tqdm.auto import tqdm

from . import images, losses, memory, models, post, validate
from . import precision as precision_module
from ._tf import keras, tf
from .errors import SettingError
from .i18n import _

OPTIMIZERS = ("lbfgs", "adam", "gd")
#: Adam's learning rate when none is given: the TensorFlow tutorial's.
ADAM_LEARNING_RATE = 0.02
#: Plain gradient descent without a learning rate takes one that makes its first step move the
#: pixels by this much (root mean square). No fixed number would do: the gradient's size changes
#: with the image size and the loss weights (about 1e7 per pixel at 48 px, 2e5 at 192 px).
GD_FIRST_STEP = 0.01
INITS = ("content", "style", "noise")
#: The ways :func:`stylize` can keep the photo's colours (besides None: the painting's colours).
PRESERVE_COLORS = ("luminance", "histogram")

#: Default loss weights, as in the TensorFlow style-transfer tutorial.
CONTENT_WEIGHT = 1e4
STYLE_WEIGHT = 1e-2
TV_WEIGHT = 30.0

#: L-BFGS's memory: how many recent steps its curvature estimate is built from.
LBFGS_HISTORY = 20
#: L-BFGS's first guess of the inverse Hessian, which its memory then corrects: "rms" (a diagonal, one
#: scale per pixel: the inverse root mean square of the pixel's recent gradients, as Adam divides by,
#: times the usual scalar) or "scalar" (the textbook's one number for every pixel, s·y / y·y).
#: "rms" reached the tutorial's loss in fewer evaluations on every pair measured (benchmarks/README.md).
LBFGS_SCALING = "rms"
#: The first guesses :func:`lbfgs` knows (``scaling=``).
LBFGS_SCALINGS = ("rms", "scalar")
#: ... with a floor under the root mean square, as a share of its mean over the pixels (so that a
#: pixel whose gradient has been near zero does not get an unbounded step).
RMS_FLOOR = 0.1
#: ... and how quickly the root mean square forgets older gradients (Adam's β2, here per step).
RMS_DECAY = 0.9
#: Whose L-BFGS: "course" (:func:`lbfgs`, pixels projected onto [0, 1]) or "scipy" (scipy's L-BFGS-B).
LBFGS_SOLVER = "course"
#: How scipy's L-BFGS-B keeps the pixels in [0, 1]: "clip" (the loss is taken at the clipped pixels)
#: or "bounds" (its own bounds).
LBFGS_BOUNDS = "clip"
#: With bfloat16 convolutions, the share of the steps after which L-BFGS goes on in float32
#: (it also does so as soon as its line search fails in bfloat16, or struggles: see below).
FLOAT32_FINISH = 1.0
#: ... and as soon as its last :data:`STRUGGLE_WINDOW` steps needed more than :data:`STRUGGLE_EVALUATIONS`
#: evaluations each on average: near the end the steps are so small that bfloat16's rounding makes
#: the loss ragged, the full step is refused more and more often, and a float32 step (twice the price)
#: does more than two bfloat16 ones. Measured on chelsea + swirl at 256 px (benchmarks/README.md).
STRUGGLE_WINDOW = 20
STRUGGLE_EVALUATIONS = 1.25



def _style_list(style) -> list:
    """One style image, or a list/tuple of them, as a list (an empty list is an error)."""
    styles = list(style) if isinstance(style, (list, tuple)) else [style]
    if not styles:
        raise SettingError(_("style is an empty list; give one style image or a list of several, like [swirl, mosaic]."))
    return styles


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
                 style_layer_weights=None, style_weights=None, base: keras.Model | None = None,
                 precision: str | None = None):
        if content is None and style is None:
            raise SettingError(_("give a content image, a style image or both, like Objective(photo, painting)."))
        styles = _style_list(style) if style is not None else []
        if style is None and style_weights is not None:
            raise SettingError(_("style_weights was given without a style image; pass style= as well, or drop it."))
        self.style_weights = validate.style_weights(style_weights, len(styles)) if styles else None
        self.content_layers = tuple(content_layers) if content is not None else ()
        self.style_layers = tuple(style_layers) if style is not None else ()
        if content is not None and not self.content_layers:
            raise SettingError(_("content_layers is empty; name at least one VGG19 layer, like "
                                  "content_layers=('block4_conv2',)."))
        if style is not None and not self.style_layers:
            raise SettingError(_("style_layers is empty; name at least one VGG19 layer, like "
                                  "style_layers=('block1_conv1',)."))
        self.weights = {"content": validate.weight(content_weight, "content_weight", "content_weight=1e4"),
                        "style": validate.weight(style_weight, "style_weight", "style_weight=1e-2"),
                        "tv": validate.weight(tv_weight, "tv_weight", "tv_weight=30")}
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
        #: the dtype of the convolutions while optimising ("float32" or "bfloat16", see
        #: :mod:`course_utils.precision`); Gram matrices, losses and gradients are float32.
        self.dtype = precision_module.compute_dtype(precision)
        self._stacks = {}
        self._compiled = {}

    def _layer_weights(self, given):
        if given is None or not self.style_grams:
            return None  # the same weight for every layer, as in the TensorFlow tutorial
        if isinstance(given, str):
            if given != "balanced":
                raise SettingError(_("style_layer_weights must be None, 'balanced' or a dict layer -> weight, got "
                                      "{given!r}.").format(given=given))
            return losses.balanced_layer_weights(self.style_grams)
        if not isinstance(given, dict):
            raise SettingError(_("style_layer_weights must be None, 'balanced' or a dict layer -> weight, "
                                  "got a {kind}.").format(kind=type(given).__name__))
        missing = [name for name in self.style_layers if name not in given]
        if missing:
            raise SettingError(_("style_layer_weights has no weight for layer {layer!r}; give one number >= 0 "
                                  "for every style layer.").format(layer=missing[0]))
        return {name: validate.weight(given[name], f"style_layer_weights[{name!r}]", "0.2") for name in self.style_layers}

    def parts(self, batch, content_targets: dict | None = None) -> dict:
        """Unweighted loss terms for an image batch of shape (B, H, W, 3) (B is 1 for one picture).

        ``content_targets`` (layer -> features of shape (B, h, w, C)) replaces the photo's:
        training a network, each picture of a batch is compared with its own photo.
        With a batch, each term is the mean over its pictures.
        """
        targets = self.content_targets if content_targets is None else content_targets
        return self._terms(batch, self.extractor(batch), targets)

    def _stack(self, dtype: str):
        """VGG19's layers up to the deepest one used, as (name, kernel, bias) for a convolution
        (3x3, stride 1, same padding, ReLU) or (name, None, None) for a 2x2 max-pooling,
        with the weights in ``dtype``."""
        if dtype not in self._stacks:
            wanted, stack = set(self.extractor.layers), []
            for layer in self.extractor.model.layers:
                if isinstance(layer, keras.layers.Conv2D):
                    kernel, bias = layer.get_weights()
                    stack.append((layer.name, tf.constant(kernel, dtype), tf.constant(bias, dtype)))
                elif isinstance(layer, keras.layers.MaxPooling2D):
                    stack.append((layer.name, None, None))
                wanted.discard(layer.name)
                if not wanted:
                    break
            self._stacks[dtype] = stack
        return self._stacks[dtype]

    def features(self, batch, dtype: str = "float32") -> dict:
        """The layers' activations (float32) for a batch in [0, 1], the convolutions computed in ``dtype``
        with ``tf.nn.conv2d`` (the same network as ``self.extractor``, without Keras' layers around it)."""
        x = tf.cast(images.vgg_preprocess(batch), dtype)
        out = {}
        for name, kernel, bias in self._stack(dtype):
            if kernel is None:
                x = tf.nn.max_pool2d(x, 2, 2, "VALID")
            else:
                x = tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(x, kernel, 1, "SAME"), bias))
            if name in self.extractor.layers:
                out[name] = tf.cast(x, tf.float32)
        return out

    def _terms(self, batch, features, targets) -> dict:
        parts = {}
        if self.content_layers:
            parts["content"] = tf.add_n([losses.content_loss(features[n], targets[n])
                                         for n in self.content_layers]) / len(self.content_layers)
        if self.style_layers:
            parts["style"] = losses.style_loss(features, self.style_grams, self.style_layer_weights)
        tv = losses.total_variation_loss(batch)
        parts["tv"] = tv / tf.cast(tf.shape(batch)[0], tv.dtype)
        return parts

    def _value_and_grad(self, batch, dtype):
        with tf.GradientTape() as tape:
            tape.watch(batch)
            parts = self._terms(batch, self.features(batch, dtype), self.content_targets)
            total = tf.add_n([self.weights[k] * parts[k] for k in self.terms])
        return total, parts, tape.gradient(total, batch)

    def value_and_grad(self, batch, dtype: str | None = None):
        """(total loss, dict of unweighted parts, gradient w.r.t. the pixels), compiled.

        The convolutions run in ``dtype`` (default ``self.dtype``); the rest in float32."""
        dtype = dtype or self.dtype
        if dtype not in self._compiled:
            self._stack(dtype)  # the weights, read eagerly before tracing
            self._compiled[dtype] = tf.function(lambda b: self._value_and_grad(b, dtype), reduce_retracing=True)
        return self._compiled[dtype](tf.convert_to_tensor(batch, dtype=tf.float32))


@dataclasses.dataclass
class Result:
    """What :func:`stylize` returns."""

    image: np.ndarray  # (H, W, 3) float32 in [0, 1]
    history: dict  # "total" and each part ("content", "style", "tv"): one value per step
    seconds: float
    optimizer: str
    times: list = dataclasses.field(default_factory=list)  # seconds since the start, at each step
    stages: list = dataclasses.field(default_factory=list)  # coarse-to-fine: (size, last step) per stage

    @property
    def final_loss(self) -> float:
        return self.history["total"][-1]


def _check_run(optimizer, steps, learning_rate=None) -> None:
    validate.choice(optimizer, OPTIMIZERS, "optimizer")
    validate.positive_int(steps, "steps", "steps=100")
    if learning_rate is not None:
        if optimizer == "lbfgs":
            raise SettingError(_("L-BFGS chooses its own step sizes; give learning_rate only with optimizer='adam' or "
                                  "'gd'."))
        validate.number(learning_rate, "learning_rate", "learning_rate=0.02", above=0)


def _check_scale(style_scale) -> None:
    if style_scale is None:
        return
    if not validate.is_number(style_scale) or not 0.05 <= style_scale <= 8:
        raise SettingError(_("style_scale must be a number from 0.05 to 8 (1 = the style image as large as the "
                              "photo), like style_scale=0.5; got {style_scale!r}.").format(style_scale=style_scale))


def scale_style(style, content, style_scale: float):
    """The style image resized so its longest side is ``style_scale`` times the photo's.

    Brush strokes and patterns are seen by the network at their size in pixels, so
    a smaller style image (``style_scale`` < 1) gives finer, more numerous strokes
    and a larger one gives broad strokes (Gatys et al. 2017, "Controlling perceptual
    factors", call this the style's *scale*).
    """
    _check_scale(style_scale)
    style, content = images.load(style), images.load(content)
    size = max(16, int(round(style_scale * max(content.shape[:2]))))
    return images.load(style, size=size)


def initial_image(content, style, init: str = "content", seed: int = 0) -> np.ndarray:
    """Starting pixels: the photo, the style image resized to the photo, or uniform noise.

    With a list of style images, ``init="style"`` starts from the first.
    """
    validate.choice(init, INITS, "init")
    content = images.load(content)
    if init == "content":
        return content.copy()
    if init == "style":
        first = _style_list(style)[0]
        return images.resize(images.load(first), content.shape[:2])
    return np.random.default_rng(seed).uniform(0.0, 1.0, content.shape).astype(np.float32)


def _check_memory(content: np.ndarray, styles: list, style_scale) -> None:
    """Refuse a photo (or a style image) too large for the memory free, in one sentence."""
    height, width = content.shape[:2]
    memory.check("transfer", height, width, subject=_("A {width} x {height} photo").format(width=width, height=height),
                 fix=_("load the photo with size={0} or less, like images.load(photo, size={0})"))
    for style in styles:
        shape = style.shape[:2]
        if style_scale is not None:
            shape = images.target_shape(*shape, max(16, int(round(style_scale * max(height, width)))))

        def smaller(side, longest=max(shape)):
            if style_scale is None:
                return _("load the style image with size={side} or less").format(side=side)
            return _("use style_scale={scale:g} or less").format(scale=math.floor(100 * style_scale * side / longest) / 100)
        memory.check("features", *shape, subject=_("A {width} x {height} style image").format(width=shape[1], height=shape[0]),
                     fix=smaller)


def stylize(content, style, *, steps: int = 100, optimizer: str = "lbfgs", init: str = "content",
            content_weight: float | None = None, style_weight: float | None = None,
            tv_weight: float | None = None, style_weights=None, preserve_colors: str | None = None,
            style_scale: float | None = None, learning_rate: float | None = None, seed: int = 0,
            progress: bool = True, callback: Callable | None = None, callback_every: int = 10,
            objective: Objective | str | None = None, start=None) -> Result:
    """Paint ``content`` (a photo) in the style of ``style`` by optimising the pixels.

    Parameters
    ----------
    content, style : images in the course's format (or anything ``images.load`` takes).
        They are used at the size given; load them with ``size=`` to choose it.
        ``style`` may be a list of style images to blend (see :class:`Objective`).
    steps : optimiser steps (L-BFGS iterations, or Adam / gradient-descent updates).
    optimizer : "lbfgs" (default; fewest steps), "adam" (the TensorFlow tutorial's recipe)
        or "gd" (plain gradient descent, for comparison).
    init : start from the "content" photo, the "style" image (the first, if several) or "noise".
    style_scale : None uses the style images at the size given; a number resizes each so
        its longest side is ``style_scale`` times the photo's (see :func:`scale_style`).
    learning_rate : for "adam" (default :data:`ADAM_LEARNING_RATE`) and "gd" (default: the
        rate whose first step moves the pixels by :data:`GD_FIRST_STEP`, root mean square).
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
    objective : None or "tutorial" (the TensorFlow tutorial's objective, :class:`Objective`'s
        defaults), "painterly" (:func:`painterly_objective`: every style layer has the same say,
        so the painting's large strokes and palette show), or a prepared :class:`Objective` to
        reuse (then the weights arguments, ``style_weights`` and ``style_scale`` included, are
        ignored).
    content_weight, style_weight, tv_weight : None takes the named objective's own
        (:data:`CONTENT_WEIGHT` ... for "tutorial", :data:`PAINTERLY_WEIGHTS` for "painterly").
    start : starting pixels of the photo's shape, instead of ``init`` (e.g. an upsampled
        coarse result, as :func:`coarse_to_fine` does).

    A photo (or style image) too large for the memory free is refused before anything is built, with
    one :class:`~course_utils.errors.SettingError` that says the largest size that fits
    (:mod:`course_utils.memory`).
    """
    _check_run(optimizer, steps, learning_rate)  # before the (slow) objective is built
    _check_scale(style_scale)
    if preserve_colors is not None and preserve_colors not in PRESERVE_COLORS:
        raise SettingError(_("preserve_colors must be None or one of {choices}, like "
                              "preserve_colors='luminance'; got {preserve_colors!r}.").format(
            choices=PRESERVE_COLORS, preserve_colors=preserve_colors))
    named = objective_name(objective)
    if preserve_colors == "histogram" and named is None:
        raise SettingError(_("preserve_colors='histogram' recolours the style images, which a prepared objective "
                              "already holds; build the Objective from post.match_histograms(style, content) instead."))
    content = images.load(content)  # decode files once, not per use
    styles = [images.load(s) for s in _style_list(style)]
    _check_memory(content, styles, style_scale)  # before the objective and the loop take their memory
    if style_scale is not None:
        styles = [scale_style(s, content, style_scale) for s in styles]
    if preserve_colors == "histogram":
        styles = [post.match_histograms(s, content) for s in styles]
    if named is not None:
        objective = named_objective(named, content, styles, content_weight=content_weight,
                                    style_weight=style_weight, tv_weight=tv_weight, style_weights=style_weights)
    if start is None:
        start = initial_image(content, styles, init, seed)
    elif np.shape(start) != content.shape:
        raise SettingError(_("start has shape {given} but the photo has {shape}; "
                              "resize it to the photo's size first.").format(
            given=np.shape(start), shape=content.shape))
    result = optimize(objective, start, steps=steps, optimizer=optimizer, learning_rate=learning_rate,
                      progress=progress, callback=callback, callback_every=callback_every,
                      desc=_("style transfer ({optimizer})").format(optimizer=optimizer))
    if preserve_colors == "luminance":
        result.image = post.luminance_transfer(result.image, content)
    return result


def coarse_to_fine(content, style, *, sizes=(128, 256), steps=100, init: str = "content",
                   preserve_colors: str | None = None, progress: bool = True, callback: Callable | None = None,
                   callback_every: int = 10, **options) -> Result:
    """Paint at a small size first, then upsample the result and go on at larger sizes.

    Parameters
    ----------
    content, style : images (or anything ``images.load`` takes), as large as you like:
        each stage resizes the photo so its longest side is that stage's size, and
        the style images by the same factor (so the strokes keep their size relative
        to the photo). ``style`` may be a list, as in :func:`stylize`.
    sizes : increasing longest sides in pixels, one per stage, e.g. (128, 256, 512).
    steps : steps per stage: one number for every stage, or one per stage.
    init : how the first stage starts; later stages start from the previous result,
        upsampled (bilinear).
    preserve_colors : as in :func:`stylize`; "luminance" is applied to the final result only.
    options : passed to :func:`stylize` (optimizer, weights, style_scale, seed ...).

    Returns a :class:`Result` whose history, times and callback steps run on across
    the stages; ``stages`` lists ``(size, last step)`` for each.
    """
    sizes = tuple(sizes) if isinstance(sizes, (list, tuple)) else (sizes,)
    if not sizes or any(isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 16 for v in sizes) \
            or list(sizes) != sorted(set(sizes)):
        raise SettingError(_("sizes must be increasing whole numbers of pixels >= 16, like sizes=(128, 256); "
                              "got {sizes!r}.").format(sizes=sizes))
    per_stage = list(steps) if isinstance(steps, (list, tuple)) else [steps] * len(sizes)
    if len(per_stage) != len(sizes):
        raise SettingError(_("steps has {counts} numbers for {sizes} sizes; give one per size, or one "
                              "number for all.").format(
            counts=len(per_stage), sizes=len(sizes)))
    for n in per_stage:
        _check_run(options.get("optimizer", "lbfgs"), n, options.get("learning_rate"))
    if not isinstance(options.get("objective"), (str, type(None))) or "start" in options:
        raise SettingError(_("coarse_to_fine builds an objective and a start for every stage; "
                              "do not pass a prepared objective= or start= (a name, like objective='painterly', "
                              "is fine)."))
    objective_name(options.get("objective"))  # a misspelt name: before the first stage
    content = images.load(content)
    styles = [images.load(s) for s in _style_list(style)]
    last_h, last_w = images.target_shape(*content.shape[:2], sizes[-1])
    memory.check("transfer", last_h, last_w,
                 subject=_("The last of sizes, {size} ({width} x {height} pixels),").format(
                     size=sizes[-1], width=last_w, height=last_h),
                 fix=_("make the last of sizes {} or less"))  # before the first stage, not after it
    longest = max(content.shape[:2])
    combined = Result(np.zeros(0), {}, 0.0, options.get("optimizer", "lbfgs"))
    start, done = None, 0
    for index, (size, count) in enumerate(zip(sizes, per_stage)):
        last = index == len(sizes) - 1
        photo = images.load(content, size=size)
        factor = max(photo.shape[:2]) / longest
        stage_styles = [images.load(s, size=max(16, int(round(max(s.shape[:2]) * factor)))) for s in styles]
        if start is not None:
            start = images.resize(start, photo.shape[:2])  # growing: no anti-aliasing

        def relay(step, image, parts, offset=done):
            if callback is not None:
                callback(offset + step, image, parts)

        result = stylize(photo, stage_styles if isinstance(style, (list, tuple)) else stage_styles[0],
                         steps=count, init=init, start=start,
                         preserve_colors=preserve_colors if last or preserve_colors == "histogram" else None,
                         progress=progress, callback=relay, callback_every=callback_every, **options)
        for name, values in result.history.items():
            combined.history.setdefault(name, []).extend(values)
        combined.times.extend(combined.seconds + t for t in result.times)
        combined.seconds += result.seconds
        done += len(result.history["total"])
        combined.stages.append((size, done))
        start = result.image
    combined.image = start
    return combined


def optimize(objective, start, *, steps: int = 100, optimizer: str = "lbfgs", learning_rate: float | None = None,
             progress: bool = True, callback: Callable | None = None, callback_every: int = 10,
             desc: str | None = None) -> Result:
    """Change the pixels of ``start`` (H, W, 3) to lower ``objective``; the loop behind every picture.

    ``objective`` is anything with ``value_and_grad(batch) -> (total, parts, gradient)``,
    such as :class:`Objective`. Pixels stay in [0, 1]. Returns a :class:`Result`
    with the final image, the loss history per step, the time at each step and
    the time taken. ``learning_rate`` applies to "adam" and "gd". A picture too large for the memory
    free is refused first (:mod:`course_utils.memory`).
    """
    _check_run(optimizer, steps, learning_rate)
    start = np.asarray(start, dtype=np.float32)
    if start.ndim != 3 or start.shape[-1] != 3:
        raise SettingError(_("start must be an image of shape (H, W, 3), got shape {shape}; pass the starting "
                              "pixels, like images.load(photo).").format(shape=start.shape))
    height, width = start.shape[:2]  # reconstructions and texture synthesis come here without stylize's check
    memory.check("transfer", height, width, subject=_("A {width} x {height} picture").format(width=width, height=height),
                 fix=_("make it with size={} or less"))
    start = start[np.newaxis]
    history = {"total": []}
    times = []
    bar = tqdm(total=steps, desc=desc or f"optimising ({optimizer})", disable=not progress, leave=False)

    def record(step, batch, total, parts):
        times.append(time.perf_counter() - began)
        history["total"].append(float(total))
        for k, v in parts.items():
            history.setdefault(k, []).append(float(v))
        bar.update(1)
        bar.set_postfix(loss=f"{float(total):.4g}")
        if callback is not None and (step % callback_every == 0 or step == steps):
            callback(step, np.asarray(batch)[0], {k: float(v) for k, v in parts.items()})

    began = time.perf_counter()
    try:
        if optimizer == "lbfgs":
            final = _run_lbfgs(objective, start, steps, record)
        else:
            final = _run_first_order(objective, start, steps, record, optimizer, learning_rate)
    finally:
        bar.close()
    return Result(np.clip(final[0], 0.0, 1.0).astype(np.float32), history,
                  time.perf_counter() - began, optimizer, times)


def _run_first_order(objective, start, steps, record, optimizer, learning_rate):
    """Adam as in the TensorFlow tutorial (beta_1 0.99, epsilon 0.1) or plain gradient descent;
    after every update the pixels are clipped to [0, 1]."""
    image = tf.Variable(start)
    opt = None
    for step in range(1, steps + 1):
        total, parts, grad = objective.value_and_grad(image)
        if opt is None:
            if optimizer == "adam":
                opt = keras.optimizers.Adam(learning_rate=learning_rate or ADAM_LEARNING_RATE, beta_1=0.99,
                                            epsilon=1e-1)
            else:
                size = float(tf.sqrt(tf.reduce_mean(tf.square(grad))))
                opt = keras.optimizers.SGD(learning_rate=learning_rate or GD_FIRST_STEP / max(size, 1e-12))
        opt.apply_gradients([(grad, image)])
        image.assign(tf.clip_by_value(image, 0.0, 1.0))
        record(step, image.numpy(), total, parts)
    return image.numpy()


def lbfgs(fun, x, steps: int, *, history: int = 20, callback=None, first_step: float = 0.01,
          lower: float = 0.0, upper: float = 1.0, max_tries: int = 6, memory: dict | None = None,
          scaling: str | None = None):
    """Minimise ``fun(x) -> (value, gradient)`` over ``lower <= x <= upper`` with L-BFGS, projected.

    The course's own L-BFGS, because at a picture's size (10⁵ numbers and more) scipy's L-BFGS-B
    spends as long per step in its own bookkeeping as the network's pass (0.15-0.8 s measured at
    256 px on a 2-core CPU, more with bounds). Here one step is the two-loop recursion over the
    last ``history`` steps (a few milliseconds), a trial at the full quasi-Newton step, projected
    onto the bounds, and a backtracking (Armijo) search only if that does not lower the loss: most
    steps cost exactly one evaluation.

    Pixels at a bound whose gradient pushes them outwards are held there (left out of the
    direction), the others move freely; the loss is always taken at pixels inside the bounds.
    ``callback(step, x, value)`` is called after every step; it may raise ``StopIteration`` to end
    the run. Returns ``(x, value, reason)``; ``reason`` is "steps", "stopped" or "line search" (no
    lower loss found along the direction, even after ``max_tries`` evaluations). ``memory`` (a dict,
    empty at first) keeps the curvature pairs, so that a second call goes on where the first stopped;
    a failed line search empties it (the pairs led nowhere), so a second call starts with a gradient step.

    ``scaling`` (default :data:`LBFGS_SCALING`) is the first guess of the inverse Hessian that the
    memory corrects: "scalar", the textbook's s·y / y·y for every number, or "rms", one scale per
    number, 1 / (root mean square of its recent gradients + :data:`RMS_FLOOR` × their mean), times the
    scalar γ = s·y / (y·D·y) that makes it agree with the latest step along y. On a picture the pixels'
    gradients differ by orders of magnitude (edges, flat sky, the total variation's kinks); Adam's
    per-pixel scale is what the tutorial leans on, and inside L-BFGS it saves evaluations late in the run.
    """
    rms_scale = validate.choice(LBFGS_SCALING if scaling is None else scaling, LBFGS_SCALINGS, "scaling") == "rms"
    x = np.clip(np.asarray(x, dtype=np.float32).ravel(), lower, upper)
    value, grad = fun(x)
    memory = {} if memory is None else memory
    s_list, y_list, rho_list = (memory.setdefault(key, []) for key in ("s", "y", "rho"))

    def forget():
        for kept in (s_list, y_list, rho_list):
            kept.clear()

    def first_guess(q):  # q times the initial inverse Hessian, fitted to the latest curvature pair
        s_k, y_k = s_list[-1], y_list[-1]
        if not rms_scale:
            return q * (float(s_k @ y_k) / float(y_k @ y_k))
        rms = np.sqrt(memory["mean_square"])
        diagonal = 1.0 / (rms + RMS_FLOOR * max(float(np.mean(rms)), 1e-30))
        return q * ((float(s_k @ y_k) / max(float(y_k @ (diagonal * y_k)), 1e-30)) * diagonal)

    for step in range(1, steps + 1):
        if rms_scale and "mean_square" not in memory:
            memory["mean_square"] = (grad * grad).astype(np.float32)
        held = ((x <= lower) & (grad > 0)) | ((x >= upper) & (grad < 0))
        q = np.where(held, 0.0, grad).astype(np.float32)
        alphas = []
        for s_k, y_k, rho in zip(reversed(s_list), reversed(y_list), reversed(rho_list)):
            a = rho * float(s_k @ q)
            alphas.append(a)
            q -= a * y_k
        if s_list:
            q = first_guess(q)
        else:  # no curvature yet: a gradient step whose size is first_step (root mean square)
            q *= first_step / max(float(np.sqrt(np.mean(q * q))), 1e-30)
        for (s_k, y_k, rho), a in zip(zip(s_list, y_list, rho_list), reversed(alphas)):
            q += (a - rho * float(y_k @ q)) * s_k
        direction = -q
        direction[held] = 0.0
        slope = float(grad @ direction)
        if slope >= 0:  # not downhill (a stale memory): start the memory again
            forget()
            direction = np.where(held, 0.0, -grad).astype(np.float32)
            direction *= first_step / max(float(np.sqrt(np.mean(direction * direction))), 1e-30)
            slope = float(grad @ direction)
        t, found = 1.0, False
        for _unused in range(max_tries):
            trial = np.clip(x + t * direction, lower, upper)
            new_value, new_grad = fun(trial)
            moved = trial - x
            if new_value <= value + 1e-4 * float(grad @ moved) and new_value < value:
                found = True
                break
            # the minimum of the parabola through value, slope and new_value, kept within [0.1 t, 0.5 t]
            curvature = new_value - value - t * slope
            t = min(max(-slope * t * t / (2 * curvature), 0.1 * t), 0.5 * t) if curvature > 0 else 0.5 * t
        if not found:
            forget()
            memory.pop("mean_square", None)  # afresh: the next call starts from its own gradient
            return x, value, "line search"
        s_k, y_k = moved, (new_grad - grad).astype(np.float32)
        if rms_scale:
            memory["mean_square"] = RMS_DECAY * memory["mean_square"] + (1 - RMS_DECAY) * new_grad * new_grad
        sy = float(s_k @ y_k)
        if sy > 1e-10 * float(y_k @ y_k):
            s_list.append(s_k)
            y_list.append(y_k)
            rho_list.append(1.0 / sy)
            if len(s_list) > history:
                del s_list[0], y_list[0], rho_list[0]
        x, value, grad = trial, new_value, new_grad
        if callback is not None:
            try:
                callback(step, x, value)
            except StopIteration:
                return x, value, "stopped"
    return x, value, "steps"


def _evaluate(objective, batch, dtype):
    """(total, parts, gradient): the course's Objective in ``dtype`` (float32 included), any other
    objective with ``value_and_grad(batch)`` as it is."""
    if hasattr(objective, "dtype"):
        return objective.value_and_grad(batch, dtype=dtype)
    return objective.value_and_grad(batch)


def _run_lbfgs(objective, start, steps, record):
    """L-BFGS on the pixels: the course's (:func:`lbfgs`) or scipy's, as :data:`LBFGS_SOLVER` says.

    With bfloat16 convolutions the course's goes on in float32 when the line search fails (afresh),
    when it struggles (:func:`struggling`) or after :data:`FLOAT32_FINISH` of the steps (with its memory)."""
    if LBFGS_SOLVER == "scipy":
        return _run_scipy_lbfgs(objective, start, steps, record)
    shape = start.shape
    dtype = getattr(objective, "dtype", "float32")
    last = {}
    counter = {"step": 0, "evaluations": 0}
    memory = {}  # the curvature pairs, kept when bfloat16 hands over to float32 (emptied by a failed search)

    def run(x0, dtype, budget, watch_struggle=False):
        evaluations_at = []  # evaluations so far, after each step of this run

        def fun(x):
            counter["evaluations"] += 1
            batch = x.reshape(shape)
            total, parts, grad = _evaluate(objective, batch, dtype)
            last["parts"] = parts
            return float(total), np.asarray(grad, dtype=np.float32).ravel()

        def after_step(step, x, value):
            counter["step"] += 1
            record(counter["step"], x.reshape(shape), value, last["parts"])
            if counter["step"] >= budget:
                raise StopIteration
            evaluations_at.append(counter["evaluations"])
            if watch_struggle and struggling(evaluations_at):
                raise StopIteration

        return lbfgs(fun, x0, budget - counter["step"], history=LBFGS_HISTORY, callback=after_step,
                     memory=memory)[0]

    x = start.ravel()
    if dtype != "float32":
        x = run(x, dtype, max(1, int(round(FLOAT32_FINISH * steps))), watch_struggle=True)
    while counter["step"] < steps:
        before = counter["step"]
        x = run(x, "float32", steps)
        if counter["step"] == before:  # no lower loss along any direction: done
            break
    return x.reshape(shape).astype(np.float32)


def struggling(evaluations_at, window: int | None = None, limit: float | None = None) -> bool:
    """Whether L-BFGS's last ``window`` steps needed more than ``limit`` evaluations per step
    (``evaluations_at``: the count of evaluations after each step so far; defaults
    :data:`STRUGGLE_WINDOW`, :data:`STRUGGLE_EVALUATIONS`)."""
    window = STRUGGLE_WINDOW if window is None else window
    limit = STRUGGLE_EVALUATIONS if limit is None else limit
    if len(evaluations_at) <= window:
        return False
    return (evaluations_at[-1] - evaluations_at[-1 - window]) > limit * window


def _run_scipy_lbfgs(objective, start, steps, record):
    """scipy's L-BFGS on the pixels, kept in [0, 1] as :data:`LBFGS_BOUNDS` says.

    "clip": the loss is taken at the pixels clipped to [0, 1] and the gradient is the
    one at the clipped pixels (as if clipping were not there), so a pixel pushed outside
    [0, 1] is still told which way the loss wants it and can come back; it ends clipped.
    "bounds": scipy's L-BFGS-B keeps them in [0, 1] itself.

    With an objective whose convolutions run in bfloat16 (``objective.dtype``), L-BFGS goes
    on in float32 when its line search fails (bfloat16's rounding makes the loss ragged at
    the scale of the last, small steps) or after :data:`FLOAT32_FINISH` of the steps,
    starting a fresh memory from where it was.
    """
    from scipy.optimize import minimize

    shape = start.shape
    bounded = LBFGS_BOUNDS == "bounds"
    dtype = getattr(objective, "dtype", "float32")
    last = {}
    counter = {"step": 0}

    def run(x0, dtype, budget):
        def fun(x):
            batch = x.reshape(shape).astype(np.float32)
            if not bounded:
                batch = np.clip(batch, 0.0, 1.0)
            total, parts, grad = _evaluate(objective, batch, dtype)
            last["parts"] = parts
            return float(total), np.asarray(grad, dtype=np.float64).ravel()

        def after_iteration(intermediate_result):
            counter["step"] += 1
            record(counter["step"], np.clip(intermediate_result.x.reshape(shape), 0.0, 1.0),
                   intermediate_result.fun, last["parts"])
            if counter["step"] >= budget:
                raise StopIteration  # scipy >= 1.11 ends the run and keeps this iterate

        result = minimize(fun, x0, jac=True, method="L-BFGS-B", callback=after_iteration,
                          bounds=[(0.0, 1.0)] * x0.size if bounded else None,
                          options={"maxiter": steps, "maxfun": steps * 3, "maxcor": LBFGS_HISTORY,
                                   # run all the steps asked for: the losses' scale is arbitrary,
                                   # so scipy's default stopping tolerances can end the run early
                                   "ftol": 0.0, "gtol": 0.0})
        return result.x

    x = start.astype(np.float64).ravel()
    if dtype != "float32":
        x = run(x, dtype, max(1, int(round(FLOAT32_FINISH * steps))))
        if counter["step"] == 0:  # not even one step: the float32 run starts from the start
            x = start.astype(np.float64).ravel()
    if counter["step"] < steps:
        x = run(x, "float32", steps)
    return x.reshape(shape).astype(np.float32)


def time_to_reach(losses, seconds, target) -> float | None:
    """The first time at which a run's loss is at or below ``target``; None if it never gets there.

    ``losses`` and ``seconds`` hold one value per step, like a :class:`Result`'s
    ``history["total"]`` and ``times``. This is how notebook 04 races optimisers on the
    clock: how long did L-BFGS need to reach the loss Adam ended with? (It is also the
    answer to that notebook's exercise 2.)
    """
    losses, seconds = np.asarray(losses, dtype=np.float64), np.asarray(seconds, dtype=np.float64)
    if losses.ndim != 1 or losses.shape != seconds.shape:
        raise SettingError(_("losses and seconds must be two lists of the same length, one value per step; "
                              "got shapes {shape} and {shape2}.").format(shape=losses.shape, shape2=seconds.shape))
    if not validate.is_number(target):
        raise SettingError(_("target must be a finite number, the loss to reach; got {target!r}.").format(
            target=target))
    reached = np.flatnonzero(losses <= float(target))
    return float(seconds[reached[0]]) if reached.size else None


# ----------------------------------------------------------------------- objectives by name

#: The objectives :func:`stylize` (``objective="..."``) and the command (``--objective``) know by name.
OBJECTIVES = ("tutorial", "painterly")
#: The painterly objective's layers: content from block4_conv2 (as Gatys et al.), style from the
#: first convolution of every block, each layer measured as a relative error (balanced).
PAINTERLY_CONTENT_LAYERS = ("block4_conv2",)
#: Its weights, of scale-free terms: the content term is the squared relative error of the photo's
#: features, the style term the mean over layers of the squared relative error of the Gram
#: matrices, the smoothness term the mean absolute difference of neighbouring pixel values.
PAINTERLY_WEIGHTS = {"content": 0.3, "style": 1.0, "tv": 0.0}
#: The painterly recipe of the command: longest side, and the share of the steps spent at half that
#: size first (coarse-to-fine lays out broad strokes cheaply).
PAINTERLY_SIZE = 512
PAINTERLY_STEPS = 150
PAINTERLY_COARSE_SHARE = 2 / 3


def objective_name(objective) -> str | None:
    """The name behind ``stylize``'s ``objective=``: None -> "tutorial", a name -> itself, a
    prepared :class:`Objective` (or anything with ``value_and_grad``) -> None."""
    if objective is None:
        return "tutorial"
    if isinstance(objective, str):
        return validate.choice(objective, OBJECTIVES, "objective")
    return None


def painterly_objective(content, style, *, content_weight: float | None = None, style_weight: float | None = None,
                        tv_weight: float | None = None, style_weights=None,
                        base: keras.Model | None = None) -> Objective:
    """An :class:`Objective` whose picture looks painted: every style layer has the same say.

    The tutorial's style term is nearly all block4_conv1 (its Gram matrices are the largest), so the
    deepest layer, which carries the large strokes, and the first, which carries the palette, hardly
    count. Here each layer's error is divided by the size of the painting's Gram matrix
    (:func:`losses.balanced_layer_weights`), the content error by the size of the photo's features
    and the total variation by the number of pixel values, so the weights
    (:data:`PAINTERLY_WEIGHTS`, None takes them) mean the same for any pair and any size.
    """
    weights = {"content": content_weight, "style": style_weight, "tv": tv_weight}
    weights = {k: PAINTERLY_WEIGHTS[k] if v is None else v for k, v in weights.items()}
    objective = Objective(content, style, content_layers=PAINTERLY_CONTENT_LAYERS, style_layer_weights="balanced",
                          style_weights=style_weights, base=base, **{f"{k}_weight": v for k, v in weights.items()})
    # Scale-free terms: fixed before the first (compiled) evaluation reads the weights.
    if objective.content_targets:
        size = np.mean([float(tf.reduce_mean(tf.square(t))) for t in objective.content_targets.values()])
        objective.weights["content"] = weights["content"] / max(size, 1e-12)
    height, width = images.load(content if content is not None else _style_list(style)[0]).shape[:2]
    objective.weights["tv"] = weights["tv"] / (height * width * 3)
    return objective


def named_objective(name: str, content, style, *, content_weight=None, style_weight=None, tv_weight=None,
                    style_weights=None, base: keras.Model | None = None) -> Objective:
    """The :class:`Objective` called ``name`` (one of :data:`OBJECTIVES`); weights None take its own."""
    validate.choice(name, OBJECTIVES, "objective")
    if name == "painterly":
        return painterly_objective(content, style, content_weight=content_weight, style_weight=style_weight,
                                   tv_weight=tv_weight, style_weights=style_weights, base=base)
    return Objective(content, style, content_weight=CONTENT_WEIGHT if content_weight is None else content_weight,
                     style_weight=STYLE_WEIGHT if style_weight is None else style_weight,
                     tv_weight=TV_WEIGHT if tv_weight is None else tv_weight, style_weights=style_weights, base=base)
