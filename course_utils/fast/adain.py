"""Arbitrary style transfer in real time with adaptive instance normalisation (notebook 07).

Huang and Belongie (2017), "Arbitrary Style Transfer in Real-time with Adaptive Instance
Normalization", paint a photo in the style of *any* picture with one pass through a
network, without training for that style:

1. a fixed **encoder**, VGG19 up to one of its layers, turns the photo and the style
   picture into feature maps ``c`` and ``s``;
2. **AdaIN** gives every channel of the photo's map the mean and standard deviation the
   same channel has in the style's map (:func:`adain`)::

       t = std(s) * (c - mean(c)) / std(c) + mean(s)

   (per picture and channel, over the positions): style as channel statistics;
3. a **decoder** trained once (:func:`decoder`) turns ``t`` back into a picture.

The decoder learns from pairs (photo crop, style crop) with the paper's loss
(:meth:`AdaINModel.loss_fn`): the picture's own features at the encoder's layer should be
``t`` (content loss), and its channel means and standard deviations at relu1_1, relu2_1 ...
those of the style (style loss). Nothing in it depends on a particular style, so it paints
with styles it has never seen; ``alpha`` trades style for content (``alpha * t + (1 - alpha)
* c``), and styles mix by mixing their ``t`` (:meth:`AdaINModel.interpolate`).

**What the course changes, and why** (measured on a 2-core CPU, see :data:`DEFAULTS`):

- *relu3_1, not relu4_1.* The paper stops the encoder at relu4_1 (``block4_conv1``) and
  trains a decoder that mirrors VGG19 (3.5 million weights) for hours on a GPU with 80,000
  photos and paintings. Here a step at relu4_1 costs about twice one at relu3_1, and relu4_1
  is much harder to invert: after 300 steps (8 minutes) its pictures were still textures
  with hardly a trace of the photo, while a relu3_1 decoder showed the photo in the style's
  colours and lines after 100 to 200 steps (about a minute). So the default is
  ``layer="block3_conv1"``, with the style loss at relu1_1 ... relu3_1. AdaIN there moves
  colours, lines and small textures more than large strokes.
- *half the channels* (``width=0.5``): as good after 200 steps as the full width, and each
  step about 30 % cheaper.
- *the loss on normalised features* (``normalise=True``): the paper's VGG19 is rescaled so
  that every layer's activations are about 1; Keras' is not, so each layer is divided by
  its typical size (:data:`FEATURE_SCALE`) before the loss. Without it, colours (relu1_1)
  count about 40 times less than relu3_1 and are matched less closely (the composition's
  cream paper came out brown-grey).
- *the photos are styles too* (``photos_as_styles`` in :func:`sampler`): with four styles
  only, the decoder learns their palettes by heart and ``alpha=0`` gives back a photo in
  the swirl's blues; with the photos among the styles it reads the colours from the
  statistics it is given, which is what makes it *arbitrary* at all. Still, with four
  styles and a few minutes, it follows styles unlike the course's own only roughly.
- crops of 128 pixels, 4 pairs a step, Adam at 1e-3 (the paper: 1e-4), 800 steps (0.40 to
  0.45 s a step: about 6 minutes; the styles are clear from about 300 steps on).
  ``layer="block4_conv1", width=1.0`` is the paper's network, for a GPU and a long run.

::

    from course_utils import data
    from course_utils.fast import adain
    model = adain.train(checkpoint="outputs/07/adain.npz")   # minutes on a CPU; resumes
    picture = model.stylize(data.content("chelsea", 256), data.style("swirl", 256))
    model.save("outputs/07/adain_decoder.keras")
    model = adain.AdaINModel.load("outputs/07/adain_decoder.keras")

Images are in the course's format: float32 (H, W, 3), RGB, values in [0, 1].
"""

from __future__ import annotations

import numpy as np

from .. import config, data, images, memory, validate
from . import fit
from . import layers as course_layers
from ..validate import positive_int as _positive_int
from .._tf import keras, tf
from ..errors import ImageError, SettingError
from ..i18n import _

__all__ = [
    "ENCODER_LAYERS",
    "STYLE_LAYERS",
    "FEATURE_SCALE",
    "HOLDOUT",
    "DEFAULTS",
    "channel_stats",
    "instance_norm",
    "adain",
    "decoder",
    "AdaINModel",
    "PairSampler",
    "sampler",
    "trainer",
    "train",
]

#: The layers the encoder may stop at: the first ReLU of each VGG19 block.
ENCODER_LAYERS = ("block1_conv1", "block2_conv1", "block3_conv1", "block4_conv1")
#: The style loss's layers, relu1_1 ... relu4_1 (Huang & Belongie §6).
STYLE_LAYERS = ENCODER_LAYERS
#: The photo kept out of training, to see how the decoder does on a picture it never saw.
HOLDOUT = ("chelsea",)

#: The course's training recipe (see :func:`train`), measured on a 2-core CPU.
DEFAULTS = {
    "layer": "block3_conv1",
    "width": 0.5,
    "style_weight": 10.0,
    "normalise": True,
    "photos_as_styles": True,
    "crop": 128,
    "batch_size": 4,
    "learning_rate": 1e-3,
    "content_size": 256,
    "style_size": 256,
    "steps": 800,
    "quick_steps": 10,
    "quick_crop": 64,
    "quick_batch_size": 2,
}

#: The typical standard deviation of VGG19's activations at each encoder layer (measured on the course's
#: photos and styles, rounded). The decoder divides its input by it (see :func:`decoder`), and the loss
#: its features (``normalise`` in :class:`AdaINModel`).
FEATURE_SCALE = {"block1_conv1": 50.0, "block2_conv1": 200.0, "block3_conv1": 300.0, "block4_conv1": 1000.0}

# VGG19's convolutions up to block4_conv1, in order: (name, output channels); "pool" between blocks.
_VGG = (("block1_conv1", 64), ("block1_conv2", 64), "pool",
        ("block2_conv1", 128), ("block2_conv2", 128), "pool",
        ("block3_conv1", 256), ("block3_conv2", 256), ("block3_conv3", 256), ("block3_conv4", 256), "pool",
        ("block4_conv1", 512))


# ------------------------------------------------------------------ the operations


def _feature_map(x, name: str):
    """``x`` as a float tensor of rank 4 (float64 stays float64, anything else becomes float32)."""
    dtype = tf.float64 if getattr(getattr(x, "dtype", None), "name", None) == "float64" else tf.float32
    x = tf.cast(tf.convert_to_tensor(x), dtype)
    if x.shape.rank != 4:
        raise SettingError(_("{name} must be a batch of feature maps of shape (B, H, W, C), got shape "
                              "{shape}; add the batch axis with x[None] for one map.").format(
            name=name, shape=tuple(x.shape)))
    return x


def _check_eps(eps) -> float:
    return validate.number(eps, "eps", "1e-5", above=0)


def _check_alpha(alpha) -> float:
    if not validate.is_number(alpha) or not 0.0 <= alpha <= 1.0:
        raise SettingError(_("alpha must be a number from 0 (the photo's features) to 1 (all style), "
                              "like 0.5; got {alpha!r}.").format(alpha=alpha))
    return float(alpha)


def channel_stats(x, eps: float = 1e-5):
    """The mean and standard deviation of every channel of every map, over its positions.

    Parameters
    ----------
    x : tensor of shape (B, H, W, C)
    eps : float
        Added to the variance under the square root, ``std = sqrt(var + eps)``, so that a
        constant channel has a standard deviation of ``sqrt(eps)`` rather than 0 (nothing
        is ever divided by zero, and the gradient of the square root stays finite).

    Returns
    -------
    (mean, std), each of shape (B, 1, 1, C).
    """
    x = _feature_map(x, "x")
    eps = _check_eps(eps)
    mean, variance = tf.nn.moments(x, axes=[1, 2], keepdims=True)
    return mean, tf.sqrt(variance + tf.cast(eps, x.dtype))


def instance_norm(x, eps: float = 1e-5):
    """Instance normalisation without learned scale and offset: every channel of every map
    shifted and scaled to mean 0 and standard deviation 1 over its positions.

    ``(x - mean) / sqrt(var + eps)``, see :func:`channel_stats`. ``x`` has shape (B, H, W, C).
    """
    x = _feature_map(x, "x")
    mean, std = channel_stats(x, eps)
    return (x - mean) / std


def adain(content_features, style_features, alpha: float = 1.0, eps: float = 1e-5):
    """Adaptive instance normalisation: the content's maps with the style's channel statistics.

    ``t = std(s) * (c - mean(c)) / std(c) + mean(s)`` per map and channel, then
    ``alpha * t + (1 - alpha) * c`` (Huang & Belongie §7: ``alpha=0`` keeps the photo's
    features, ``alpha=1`` is all style). Standard deviations are ``sqrt(var + eps)``.

    Parameters
    ----------
    content_features : tensor of shape (B, H, W, C)
    style_features : tensor of shape (B, H', W', C) or (1, H', W', C)
        Any height and width (only its statistics are used); a batch of one styles every
        content map alike.
    alpha : float in [0, 1]
    eps : float

    Returns
    -------
    A tensor shaped like ``content_features``.
    """
    c = _feature_map(content_features, "content_features")
    s = tf.cast(_feature_map(style_features, "style_features"), c.dtype)
    alpha, eps = _check_alpha(alpha), _check_eps(eps)
    if c.shape[-1] is not None and s.shape[-1] is not None and c.shape[-1] != s.shape[-1]:
        raise SettingError(_("the content features have {content} channels and the style features "
                              "{style}; take both from the same layer of the same network.").format(
            content=c.shape[-1], style=s.shape[-1]))
    if c.shape[0] is not None and s.shape[0] is not None and s.shape[0] not in (1, c.shape[0]):
        raise SettingError(_("there are {content} content maps and {style} style maps; give one style "
                              "map for all, or one for each content map.").format(content=c.shape[0], style=s.shape[0]))
    c_mean, c_std = channel_stats(c, eps)
    s_mean, s_std = channel_stats(s, eps)
    t = s_std * (c - c_mean) / c_std + s_mean
    if alpha == 1.0:
        return t
    return alpha * t + (1.0 - alpha) * c


# ------------------------------------------------------------------ the networks


def _check_layer(layer) -> str:
    if layer not in ENCODER_LAYERS:
        raise SettingError(_("layer must be one of {layers} (the first ReLU of a VGG19 block); "
                              "got {layer!r}.").format(layers=", ".join(ENCODER_LAYERS), layer=layer))
    return layer


def _check_width(width) -> float:
    if not validate.is_number(width) or not 0.0 < width <= 1.0:
        raise SettingError(_("width must be a number in (0, 1], the share of VGG19's channels each decoder "
                              "layer has, like 0.5; got {width!r}.").format(width=width))
    return float(width)


def _encoder_part(layer: str) -> list:
    """VGG19's convolutions and poolings up to and including ``layer``."""
    end = next(i for i, item in enumerate(_VGG) if item != "pool" and item[0] == layer)
    return list(_VGG[: end + 1])


def _downsampling(layer: str) -> int:
    """How many times the encoder halves the picture's size on the way to ``layer``."""
    return sum(item == "pool" for item in _encoder_part(layer))


def decoder(layer: str = DEFAULTS["layer"], width: float = DEFAULTS["width"], *, seed: int = 0,
            name: str | None = None):
    """The decoder: VGG19 up to ``layer`` mirrored, from the layer's feature maps back to a picture.

    Every convolution of the encoder becomes one in the other direction (3 × 3, reflection
    padding, ReLU) and every max pooling a nearest-neighbour upsampling (× 2) followed by a
    convolution, as in Huang & Belongie's decoder. There is no normalisation layer: it would
    undo the statistics AdaIN has just set. Two details are the course's:

    - the input is first divided by the layer's typical size (:data:`FEATURE_SCALE`: VGG19's
      activations are in the hundreds), so that a new decoder paints values near 0 rather
      than in the hundreds and Adam's first steps are sensible;
    - the last convolution gives 3 channels with no squashing: the picture is clipped to
      [0, 1] when it is shown (:meth:`AdaINModel.stylize`), and the loss itself keeps the
      colours in range. A sigmoid would guarantee the range, but at Adam's 1e-3 its inputs
      grew to about ±1000 within 40 steps: every pixel 0 or 1, no gradient left, and the
      pictures were still blank after 100 steps.

    Parameters
    ----------
    layer : str
        The encoder's last layer, one of :data:`ENCODER_LAYERS`: ``"block3_conv1"`` (relu3_1,
        the course's default, 5 convolutions) or ``"block4_conv1"`` (relu4_1, the paper's, 9
        convolutions; see the module's notes for why the course does not use it).
    width : float in (0, 1]
        The share of VGG19's channels each layer has: 1 is the paper's decoder (3.5 million
        weights for relu4_1, 0.56 million for relu3_1), 0.5 (the default) about a quarter of
        the weights and computation.
    seed : int
        Seeds the initial weights only (:class:`~course_utils.config.Initializers`).

    Returns
    -------
    keras.Model from (B, H, W, C) feature maps to (B, H * 2**k, W * 2**k, 3) pictures,
    ``k`` the number of poolings before ``layer`` (2 for relu3_1, 3 for relu4_1).
    """
    layer, width = _check_layer(layer), _check_width(width)
    part = _encoder_part(layer)
    convs = [item for item in part if item != "pool"]
    init = config.Initializers(seed)
    inputs = keras.Input((None, None, convs[-1][1]), name="features")
    x = keras.layers.Rescaling(1.0 / FEATURE_SCALE[layer], name="rescale")(inputs)
    # Walk the encoder backwards. Its conv i maps the channels of conv i-1 to its own, so the mirror
    # maps back to the channels of conv i-1; a pool right after conv i becomes an upsampling before it.
    for i in range(len(convs) - 1, 0, -1):
        filters = max(1, round(convs[i - 1][1] * width))
        mirror = convs[i][0].replace("block", "decoder")
        position = part.index(convs[i])
        if position + 1 < len(part) and part[position + 1] == "pool":
            x = course_layers.upsample_conv(x, filters, 3, name=mirror, init=init)
        else:
            x = course_layers.conv(x, filters, 3, name=mirror, init=init)
        x = keras.layers.ReLU(name=f"{mirror}_relu")(x)
    outputs = course_layers.conv(x, 3, 3, name="picture", init=init)  # the mirror of block1_conv1: back to RGB
    return keras.Model(inputs, outputs, name=name or f"adain_decoder_{layer}")


def _layer_of(model) -> str:
    """The encoder layer a decoder was built for, from its input channels."""
    channels = {dict(item for item in _VGG if item != "pool")[name]: name for name in ENCODER_LAYERS}
    shape = tuple(model.input_shape) if not isinstance(model.input_shape, list) else ()
    if len(shape) != 4 or shape[-1] not in channels or tuple(model.output_shape)[-1:] != (3,):
        raise SettingError(_("this network ({name}) is not an AdaIN decoder: it takes {input_shape} and gives "
                              "{output_shape}; build one with adain.decoder() or load one saved by "
                              "AdaINModel.save.").format(
            name=model.name, input_shape=shape, output_shape=tuple(model.output_shape)))
    return channels[shape[-1]]


# ------------------------------------------------------------------ the model


def _picture(image, what: str, minimum: int) -> np.ndarray:
    """One picture in the course's format, at least ``minimum`` pixels on its shorter side."""
    picture = images.to_float_rgb(image, what)
    if min(picture.shape[:2]) < minimum:
        raise ImageError(_("{what} is {height}×{width} pixels; give one at least "
                            "{minimum} pixels on each side (load it larger with size=...).").format(
            what=what, height=picture.shape[0], width=picture.shape[1], minimum=minimum))
    return picture


class AdaINModel:
    """A fixed VGG19 encoder, AdaIN and a trainable decoder: style transfer for any style.

    Parameters
    ----------
    decoder_model : keras.Model, optional
        A decoder made by :func:`decoder` (or loaded by :meth:`load`); by default a new,
        untrained one for ``layer`` and ``width``.
    layer : str, optional
        The encoder's last layer, one of :data:`ENCODER_LAYERS` (default
        ``DEFAULTS["layer"]``). With ``decoder_model`` it may be left out: the decoder's
        input says which layer it inverts.
    width : float
        The new decoder's share of VGG19's channels (see :func:`decoder`).
    style_weight : float
        λ in the paper's loss ``content + λ * style`` (:meth:`loss_fn`).
    style_layers : sequence of str, optional
        The style loss's layers, from :data:`STYLE_LAYERS`; by default relu1_1 up to the
        encoder's layer (relu1_1 ... relu4_1 as in the paper for ``block4_conv1``). Adding
        deeper layers than the encoder's makes every step dearer.
    normalise : bool
        Measure the loss on every layer's features divided by its typical size
        (:data:`FEATURE_SCALE`), as if on the paper's VGG19, which Gatys et al. rescaled so
        that every filter's mean activation is 1 (the default). Keras' VGG19 is not rescaled:
        its relu3_1 is about 6 times larger than relu1_1, so its squared differences count
        about 40 times more and the colours (relu1_1) are matched last.
    base : keras.Model, optional
        VGG19 as :func:`models.vgg19` gives it (the default).
    seed : int
        Seeds a new decoder's initial weights (see :func:`decoder`).

    Attributes
    ----------
    decoder : keras.Model
        The only part that learns; ``fit.NetworkTrainer(model.decoder, model.loss_fn, sampler)``
        trains it (:func:`trainer` builds that with the course's settings).
    layer : str
    factor : int
        How many times smaller the encoder's maps are than the picture (4 for relu3_1).
    """

    def __init__(self, decoder_model=None, *, layer: str | None = None, width: float = DEFAULTS["width"],
                 style_weight: float = DEFAULTS["style_weight"], style_layers=None,
                 normalise: bool = DEFAULTS["normalise"], base=None, seed: int = 0):
        from .. import models

        if decoder_model is None:
            decoder_model = decoder(DEFAULTS["layer"] if layer is None else layer, width, seed=seed)
        elif not isinstance(decoder_model, keras.Model):
            raise SettingError(_("decoder_model must be a keras.Model made by adain.decoder(), "
                                  "got {kind}.").format(kind=type(decoder_model).__name__))
        found = _layer_of(decoder_model)
        if layer is not None and _check_layer(layer) != found:
            raise SettingError(_("the decoder inverts {found}, not {layer}; leave layer out, or build a new "
                                  "decoder with adain.decoder({layer!r}).").format(found=found, layer=layer))
        validate.weight(style_weight, "style_weight", "10")
        if style_layers is None:
            style_layers = STYLE_LAYERS[: STYLE_LAYERS.index(found) + 1]
        style_layers = (style_layers,) if isinstance(style_layers, str) else tuple(style_layers)
        if not style_layers or any(name not in STYLE_LAYERS for name in style_layers):
            raise SettingError(_("style_layers must be taken from {layers}; got {style_layers!r}.").format(
                layers=", ".join(STYLE_LAYERS), style_layers=style_layers))
        self.decoder = decoder_model
        self.layer = found
        self.style_weight = float(style_weight)
        self.style_layers = style_layers
        self.factor = 2 ** _downsampling(found)
        self.normalise = bool(normalise)
        self.history = None
        base = models.vgg19(verbose=False) if base is None else base
        outputs = {name: base.get_layer(name).output for name in dict.fromkeys((*style_layers, found))}
        self.encoder = keras.Model(base.input, outputs, name=f"vgg19_encoder_{found}")
        self.encoder.trainable = False

    # --------------------------------------------------------------- pieces

    def encode(self, pictures) -> dict:
        """VGG19's features (a dict: the style layers and the encoder's layer) of pictures (B, H, W, 3) in [0, 1]."""
        x = tf.convert_to_tensor(pictures, tf.float32)
        return self.encoder(images.vgg_preprocess(x), training=False)

    def loss_fn(self, model, batch) -> dict:
        """The paper's loss for one batch ``(content crops, style crops)``; for ``~course_utils.fast.fit.NetworkTrainer``.

        With ``t = adain(f(c), f(s))`` (``f`` the encoder; ``t`` is a fixed target, no gradient
        flows into it) and ``g = model(t)`` the decoded picture::

            content = mean((f(g) - t) ** 2)
            style   = sum over the style layers φ of  mean((μ(φ(g)) - μ(φ(s))) ** 2)
                                                    + mean((σ(φ(g)) - σ(φ(s))) ** 2)
            total   = content + style_weight * style

        μ and σ are :func:`channel_stats`; the means are over the batch and the channels, and
        the style layers are ``style_layers`` (relu1_1 ... the encoder's layer by default).
        With ``normalise`` every layer's features are first divided by its
        :data:`FEATURE_SCALE`, so the numbers are about 1 rather than about 100,000.
        Returns a dict of scalar tensors with ``"total"``, ``"content"`` and ``"style"``.
        """
        content, style = batch
        content_features = self.encode(content)[self.layer]
        style_features = self.encode(style)
        target = tf.stop_gradient(adain(content_features, style_features[self.layer]))
        painted = model(target, training=True)
        painted_features = self.encode(painted)
        scale = {name: (FEATURE_SCALE[name] if self.normalise else 1.0) for name in painted_features}
        content_loss = tf.reduce_mean(tf.square((painted_features[self.layer] - target) / scale[self.layer]))
        style_loss = 0.0
        for name in self.style_layers:
            mean, std = channel_stats(painted_features[name] / scale[name])
            goal_mean, goal_std = channel_stats(style_features[name] / scale[name])
            style_loss += tf.reduce_mean(tf.square(mean - goal_mean)) + tf.reduce_mean(tf.square(std - goal_std))
        return {"total": content_loss + self.style_weight * style_loss, "content": content_loss,
                "style": style_loss}

    # --------------------------------------------------------------- painting

    def _padded(self, content):
        """The photo as a batch, reflect-padded to a multiple of ``factor``; and how to crop it back."""
        # TRANSLATORS: the subject of an error about a picture, e.g. "{what} is 5×5 pixels; …".
        padded, window = images.pad_to_multiple(_picture(content, _("the content picture"), 2 * self.factor),
                                                self.factor)
        return padded[None], window

    def _check_memory(self, batch, styles) -> None:
        """Refuse a photo (with its largest style image) too large for the memory free."""
        height, width = batch.shape[1:3]
        style_pixels = max((int(np.prod(np.shape(s)[:2])) for s in styles), default=0)
        # TRANSLATORS: the subject starts, and the fix ends, the sentence "{subject} needs about 2.1 GB for
        # …, and this machine has 1.5 GB free: {fix}."
        memory.check("adain", height, width, subject=_("A {width} x {height} photo").format(width=width, height=height),
                     extra_pixels=style_pixels,
                     fix=lambda side: _("load the photo with size={side} or less").format(side=side))

    def _style_features(self, style):
        # TRANSLATORS: the subject of an error about a picture, e.g. "{what} is 5×5 pixels; …".
        picture = _picture(style, _("the style picture"), 2 * self.factor)
        return self.encode(picture[None])[self.layer]

    def _paint(self, target, window) -> np.ndarray:
        top, left, height, width = window
        painted = self.decoder(target, training=False)[0, top: top + height, left: left + width]
        return np.clip(painted.numpy(), 0.0, 1.0).astype(np.float32)

    def stylize(self, content, style, alpha: float = 1.0) -> np.ndarray:
        """The photo ``content`` painted in the style of ``style``, in one pass.

        Parameters
        ----------
        content, style : images in the course's format (H, W, 3), any size of at least
            ``2 * factor`` pixels (8 for relu3_1, 16 for relu4_1). The photo is reflect-padded
            to a multiple of ``factor`` and the result cropped back, so it has the photo's
            size. The style's scale matters: give it at about the size the decoder was trained
            with (256 pixels by default), and its strokes come out at the size it learned.
        alpha : float in [0, 1]
            How much style: 0 gives back (the decoder's reconstruction of) the photo.

        Returns
        -------
        float32 (H, W, 3) in [0, 1].
        """
        alpha = _check_alpha(alpha)
        batch, window = self._padded(content)
        self._check_memory(batch, [style])
        features = self.encode(batch)[self.layer]
        return self._paint(adain(features, self._style_features(style), alpha), window)

    def interpolate(self, content, styles, weights, alpha: float = 1.0) -> np.ndarray:
        """The photo painted in a mixture of several styles: the weighted mean of their AdaIN targets.

        ``weights`` are numbers >= 0, one per style, divided by their sum; ``alpha`` as in
        :meth:`stylize`. ``interpolate(c, [s1, s2], [1, 0])`` is ``stylize(c, s1)``.
        """
        alpha = _check_alpha(alpha)
        styles = list(styles) if isinstance(styles, (list, tuple)) else None
        if not styles:
            raise SettingError(_("styles must be a list of style pictures, like [swirl, mosaic]."))
        weights = validate.style_weights(weights, len(styles), "weights")
        batch, window = self._padded(content)
        self._check_memory(batch, styles)
        features = self.encode(batch)[self.layer]
        target = 0.0
        for weight, style in zip(weights, styles):
            if weight > 0:
                target += float(weight) * adain(features, self._style_features(style))
        return self._paint(alpha * target + (1.0 - alpha) * features, window)

    # --------------------------------------------------------------- files

    def save(self, path):
        """Save the decoder (all there is to learn) as one ``.keras`` file; returns the path."""
        return fit.save_model(self.decoder, path)

    @classmethod
    def load(cls, path, **settings) -> "AdaINModel":
        """An :class:`AdaINModel` around a decoder saved by :meth:`save` (its layer comes with it).

        ``settings`` (``style_weight``, ``style_layers``, ``normalise``, ``base``) are those of
        the class; they matter only for training it further.
        """
        return cls(fit.load_model(path), **settings)

    def __repr__(self):
        return (f"AdaINModel(layer={self.layer!r}, decoder of {self.decoder.count_params():,} weights, "
                f"style_weight={self.style_weight:g})")


# ------------------------------------------------------------------ training


class PairSampler:
    """Training batches ``(content crops, style crops)``: two :class:`fit.CropSampler` drawn from one ``rng``.

    ``PairSampler(photos, styles, size)(count, rng)`` gives two float32 arrays of shape
    (count, size, size, 3): random crops of random photos, and of random style pictures.
    """

    def __init__(self, photos, styles, size: int, *, flip: bool = True):
        self.photos = fit.CropSampler(photos, size, flip=flip)
        self.styles = fit.CropSampler(styles, size, flip=flip)
        self.size = self.photos.size

    def __call__(self, count: int, rng: np.random.Generator):
        return self.photos(count, rng), self.styles(count, rng)

    def __repr__(self):
        return (f"PairSampler({len(self.photos.pictures)} photos, {len(self.styles.pictures)} styles, "
                f"size={self.size})")


def _pictures(items, load, size, kind: str) -> list:
    """The pictures ``items`` (names for ``load`` or images) of ``kind`` "photo" or "style"."""
    items = list(items)
    if not items:
        if kind == "photo":
            raise SettingError(_("give at least one photo."))
        raise SettingError(_("give at least one style."))
    # TRANSLATORS: "photo {number}" and "style {number}" are the subjects of errors about one picture in a list.
    name = _("photo {number}") if kind == "photo" else _("style {number}")
    return [load(item, size) if isinstance(item, str) else images.to_float_rgb(item, name.format(number=i))
            for i, item in enumerate(items)]


def sampler(crop: int = DEFAULTS["crop"], *, photos=None, styles=None,
            photos_as_styles: bool = DEFAULTS["photos_as_styles"], content_size: int = DEFAULTS["content_size"],
            style_size: int = DEFAULTS["style_size"]) -> PairSampler:
    """The course's training pairs: crops of its photos, and crops of its styles and photos.

    Parameters
    ----------
    crop : int
        The side of the square crops.
    photos : list, optional
        Names of :func:`data.content` photos or pictures; by default all of
        ``data.content_names()`` but :data:`HOLDOUT` (``"chelsea"``, kept for testing).
    styles : list, optional
        Names of :func:`data.style` styles or pictures; by default the four :data:`data.STYLES`.
    photos_as_styles : bool
        Use the photos as styles too (the default). With four styles only, a decoder learns
        those four palettes by heart and paints every other style, and ``alpha=0``, in one of
        them; a photo as the style (its own statistics, or another photo's) makes it read the
        colours from the statistics it is given: after 600 steps ``alpha=0`` gives back the
        photo's own colours (without it: the swirl's blues), and a photo of coffee as the
        style paints in browns. The paper gets this from 80,000 paintings.
    content_size, style_size : int
        The size (longest side) named photos and styles are loaded at.
    """
    photos = [name for name in data.content_names() if name not in HOLDOUT] if photos is None else photos
    styles = list(data.STYLES) if styles is None else styles
    photos = _pictures(photos, data.content, content_size, "photo")
    styles = _pictures(styles, data.style, style_size, "style") + (photos if photos_as_styles else [])
    return PairSampler(photos, styles, crop)


def trainer(model: AdaINModel, *, crop: int = DEFAULTS["crop"], batch_size: int = DEFAULTS["batch_size"],
            learning_rate: float = DEFAULTS["learning_rate"], checkpoint=None, resume: bool = True, seed: int = 0,
            progress: bool = True, **pictures) -> fit.NetworkTrainer:
    """A :class:`~course_utils.fast.fit.NetworkTrainer` for ``model.decoder`` on the course's pairs (:func:`sampler`).

    With ``checkpoint`` (an ``.npz`` path) a stopped run goes on from where it was
    (``resume=False`` starts afresh); ``pictures`` go to :func:`sampler`.
    """
    if not isinstance(model, AdaINModel):
        raise SettingError(_("model must be an adain.AdaINModel, like adain.AdaINModel(); got a {kind}.").format(
            kind=type(model).__name__))
    return fit.NetworkTrainer(model.decoder, model.loss_fn, sampler(crop, **pictures), batch_size=batch_size,
                       learning_rate=learning_rate, seed=seed, checkpoint=checkpoint, resume=resume,
                       progress=progress)


def train(steps: int | None = None, *, model: AdaINModel | None = None, checkpoint=None, callback=None,
          callback_every: int = 50, **settings) -> AdaINModel:
    """Train a decoder with the course's recipe (:data:`DEFAULTS`) and return the model.

    ``steps`` defaults to ``DEFAULTS["steps"]`` (``DEFAULTS["quick_steps"]`` in quick mode).
    ``settings`` go to :func:`trainer` (``crop``, ``batch_size``, ``learning_rate``, ``seed``,
    ``progress``, ``photos``, ``styles``, ...); ``callback(trainer)`` is called every
    ``callback_every`` steps (for a preview). With a ``checkpoint`` file an interrupted run
    continues where it stopped, and ``train(steps=...)`` with more steps trains it further.
    In quick mode the crops are smaller (``DEFAULTS["quick_crop"]``) and the batches too. The training history (``"total"``, ``"content"``, ``"style"``
    per step) is kept as ``model.history``.
    """
    steps = config.pick(full=DEFAULTS["steps"], quick=DEFAULTS["quick_steps"]) if steps is None else steps
    steps = _positive_int(steps, "steps", str(DEFAULTS["steps"]))
    if config.QUICK:
        settings.setdefault("crop", DEFAULTS["quick_crop"])
        settings.setdefault("batch_size", DEFAULTS["quick_batch_size"])
    model = AdaINModel() if model is None else model
    run = trainer(model, checkpoint=checkpoint, **settings)
    model.history = run.train(steps, callback=callback, callback_every=callback_every)
    return model
