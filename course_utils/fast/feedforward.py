"""Fast style transfer: a network that paints in one forward pass (Johnson, Alahi and Fei-Fei, 2016).

The optimisation loop of notebook 04 starts from the photo and takes hundreds of gradient
steps *for every picture*. Johnson et al. move that work to a training phase: a
convolutional *image transformation network* learns, over many photos, to output pictures
that score well on notebook 03's perceptual loss for one fixed style. Afterwards a new
photo takes one forward pass — milliseconds instead of minutes.

The network (:func:`transform_net`), scaled down for a laptop CPU:

1. a 9×9 convolution, then two 3×3 convolutions with stride 2 — the picture shrinks to a
   quarter of its height and width while the channels grow (16 → 32 → 64 by default;
   Johnson et al. use 32 → 64 → 128);
2. residual blocks (two 3×3 convolutions with a shortcut around them) at that small
   size, where each convolution sees a wide part of the picture cheaply;
3. two upsampling steps — nearest-neighbour upsampling then a convolution, which avoids
   the checkerboard artefacts of transposed convolutions — and a 9×9 convolution to RGB,
   squashed into [0, 1] by a sigmoid;
4. instance normalisation after every convolution but the last (Ulyanov et al. 2016;
   Johnson et al.'s paper used batch normalisation, their later code instance
   normalisation, which gives visibly better pictures), and reflection padding at the borders.

Training (:func:`perceptual_loss`, :func:`train`) minimises, for a batch of random crops
of the course's photos, ``content_weight × content + style_weight × style + tv_weight × tv``
— the very terms of notebook 03 (:class:`course_utils.transfer.Objective`), with each
stylised crop compared with its own photo crop, and the style's Gram matrices computed once.

::

    net = feedforward.transform_net()
    run = feedforward.train(net, data.style("swirl"), steps=600, checkpoint="outputs/07/swirl.npz")
    fit.save_model(net, "outputs/07/swirl.keras")
    picture = feedforward.stylize(net, data.content("chelsea", size=256))
"""

from __future__ import annotations

import numpy as np

from .. import data, images, memory, models, transfer
from . import layers
from ..validate import positive_int as _positive_int
from .._tf import keras, tf
from .fit import CropSampler, NetworkTrainer
from ..config import Initializers
from ..errors import SettingError
from ..i18n import _

__all__ = ["DEFAULT_FILTERS", "DEFAULT_BLOCKS", "HELD_OUT", "CONTENT_LAYERS", "WEIGHTS", "transform_net",
           "residual_block", "perceptual_loss", "training_photos", "train", "stylize"]

#: Channels after the first, second and third convolution (Johnson et al.: 32, 64, 128).
DEFAULT_FILTERS = (16, 32, 64)
#: Residual blocks at a quarter of the size (Johnson et al.: 5).
DEFAULT_BLOCKS = 5
#: The photo kept out of training, to show the network works on a photo it has never seen.
HELD_OUT = "chelsea"
#: Where the content term looks: notebook 04's layer (Johnson et al. use relu3_3, Gatys et al. block4_conv2).
CONTENT_LAYERS = ("block5_conv2",)
#: The loss weights for training (content, style, total variation): notebook 04's, so that the network is
#: trained on the very loss the optimisation loop minimises and notebook 07's comparison measures.
WEIGHTS = {"content": transfer.CONTENT_WEIGHT, "style": transfer.STYLE_WEIGHT, "tv": transfer.TV_WEIGHT}


# ------------------------------------------------------------------ the network


def residual_block(x, filters: int, name: str, init=None):
    """Two 3×3 convolutions with instance normalisation, added to their input: ``x + F(x)``."""
    y = layers.conv(x, filters, 3, name=f"{name}_conv1", init=init)
    y = layers.instance_normalization(f"{name}_norm1")(y)
    y = keras.layers.ReLU(name=f"{name}_relu")(y)
    y = layers.conv(y, filters, 3, name=f"{name}_conv2", init=init)
    y = layers.instance_normalization(f"{name}_norm2")(y)
    return keras.layers.Add(name=f"{name}_add")([x, y])


def transform_net(filters=DEFAULT_FILTERS, residual_blocks: int = DEFAULT_BLOCKS, *, seed: int = 0,
                  name: str = "transform_net") -> keras.Model:
    """Johnson et al.'s image transformation network: picture in, stylised picture out.

    Parameters
    ----------
    filters : three ints
        Channels after the 9×9 convolution and after each of the two stride-2 convolutions.
    residual_blocks : int
        How many residual blocks work at a quarter of the size.
    seed : int
        Seeds the initial weights only, so the same call builds the same network
        (:class:`~course_utils.config.Initializers`).

    The input is a batch (B, H, W, 3) in [0, 1] with H and W multiples of 4
    (:func:`stylize` pads any picture to that); the output has the same shape, in [0, 1].
    """
    filters = tuple(filters)
    if len(filters) != 3:
        raise SettingError(_("filters must be three channel counts, like (16, 32, 64); got {filters!r}.").format(
            filters=filters))
    for value in filters:
        # TRANSLATORS: the subject of "{name} must be a whole number >= 1, like (16, 32, 64); …".
        _positive_int(value, _("each entry of filters"), "(16, 32, 64)")
    blocks = _positive_int(residual_blocks, "residual_blocks", "5")
    init = Initializers(seed)
    inputs = keras.Input((None, None, 3), name="photo")
    x = inputs
    for i, (width, kernel, stride) in enumerate(zip(filters, (9, 3, 3), (1, 2, 2)), start=1):
        x = layers.conv(x, width, kernel, stride=stride, name=f"down{i}", init=init)
        x = layers.instance_normalization(f"down{i}_norm")(x)
        x = keras.layers.ReLU(name=f"down{i}_relu")(x)
    for i in range(1, blocks + 1):
        x = residual_block(x, filters[2], name=f"res{i}", init=init)
    for i, width in enumerate((filters[1], filters[0]), start=1):
        x = layers.upsample_conv(x, width, 3, name=f"up{i}", init=init)
        x = layers.instance_normalization(f"up{i}_norm")(x)
        x = keras.layers.ReLU(name=f"up{i}_relu")(x)
    x = layers.conv(x, 3, 9, name="to_rgb", init=init)
    outputs = keras.layers.Activation("sigmoid", name="picture")(x)
    return keras.Model(inputs, outputs, name=name)


# ------------------------------------------------------------------ the loss


def perceptual_loss(style, *, content_layers=CONTENT_LAYERS, style_layers=models.STYLE_LAYERS,
                    weights: dict | None = None, base=None):
    """``loss_fn(net, photos)`` for :class:`~course_utils.fast.fit.NetworkTrainer`: notebook 03's loss of ``net(photos)``.

    Returns a function of a network and a batch of photo crops (B, H, W, 3) that gives
    a dict with ``"total"`` (what training minimises) and the unweighted ``"content"``,
    ``"style"`` and ``"tv"`` terms (means over the batch). Every stylised crop is
    compared with its own photo at ``content_layers``, and with the Gram matrices of
    ``style`` (computed once, here) at ``style_layers``. ``weights`` overrides
    :data:`WEIGHTS`. The :class:`~course_utils.transfer.Objective` behind it is
    available as ``loss_fn.objective``.
    """
    chosen = dict(WEIGHTS)
    if weights is not None:
        unknown = set(weights) - set(WEIGHTS)
        if unknown:
            raise SettingError(_("weights knows only 'content', 'style' and 'tv', not {name!r}.").format(
                name=sorted(unknown)[0]))
        chosen.update({k: float(v) for k, v in weights.items()})
    style = images.load(style)
    # The photo given here only sets up the content layers; training brings its own photos.
    objective = transfer.Objective(style, style, content_layers=content_layers, style_layers=style_layers,
                          content_weight=chosen["content"], style_weight=chosen["style"],
                          tv_weight=chosen["tv"], base=base)
    content_layers = objective.content_layers

    def loss_fn(net, photos):
        photos = tf.convert_to_tensor(photos, tf.float32)
        targets = objective.extractor(photos)
        targets = {name: tf.stop_gradient(targets[name]) for name in content_layers}
        parts = objective.parts(net(photos, training=True), targets)
        parts["total"] = tf.add_n([objective.weights[k] * parts[k] for k in objective.terms])
        return parts

    loss_fn.objective = objective
    return loss_fn


# ------------------------------------------------------------------ training and use


def training_photos(size: int = 256, *, exclude=(HELD_OUT,)) -> list[np.ndarray]:
    """The bundled content photos (all but ``exclude``) at ``size`` pixels on the longer side."""
    names = [name for name in data.content_names() if name not in set(exclude)]
    if not names:
        raise SettingError(_("exclude leaves out every photo; keep at least one to train on, "
                              "like exclude=('chelsea',)."))
    return [data.content(name, size=size) for name in names]


def train(net, style, *, steps: int, photos=None, crop: int = 128, batch_size: int = 4,
          learning_rate: float = 2e-3, weights: dict | None = None, seed: int = 0, checkpoint=None,
          resume: bool = True, callback=None, callback_every: int = 50, progress: bool = True,
          base=None) -> NetworkTrainer:
    """Train ``net`` for ``style`` on random ``crop``-pixel crops of ``photos``; returns the :class:`~course_utils.fast.fit.NetworkTrainer`.

    ``photos`` defaults to :func:`training_photos` (every bundled photo but
    :data:`HELD_OUT`, at 256 px). With ``checkpoint`` (an ``.npz`` path) a run that was
    stopped goes on from where it was (``resume=False`` starts afresh). ``callback(trainer)`` runs every
    ``callback_every`` steps (a live preview, say). The history is ``trainer.history``.
    """
    photos = training_photos() if photos is None else photos
    sampler = CropSampler(photos, crop)
    loss_fn = perceptual_loss(style, weights=weights, base=base)
    trainer = NetworkTrainer(net, loss_fn, sampler, batch_size=batch_size, learning_rate=learning_rate, seed=seed,
                      checkpoint=checkpoint, resume=resume, progress=progress)
    trainer.train(steps, callback=callback, callback_every=callback_every)
    return trainer


def stylize(net, image, *, multiple: int = 4) -> np.ndarray:
    """One forward pass: ``image`` (anything :func:`images.load` reads) stylised by ``net``.

    The picture is padded by mirroring to a multiple of ``multiple`` pixels (the network
    halves the size twice) and the result cropped back, so any size works. Returns the
    course's format: float32 (H, W, 3) in [0, 1], the size of the input. A picture too large for the
    memory free is refused first (a SettingError that says the largest size that fits).
    """
    padded, (top, left, height, width) = images.pad_to_multiple(images.load(image),
                                                                _positive_int(multiple, "multiple", "4"))
    # TRANSLATORS: the subject starts, and the fix ends, the sentence "{subject} needs about 2.1 GB for
    # …, and this machine has 1.5 GB free: {fix}."
    memory.check("feedforward", *padded.shape[:2],
                 subject=_("A {width} x {height} picture").format(width=width, height=height),
                 fix=lambda side: _("load the picture with size={side} or less").format(side=side))
    out = np.asarray(net(tf.convert_to_tensor(padded[np.newaxis]), training=False))
    return np.clip(out[0, top: top + height, left: left + width], 0.0, 1.0).astype(np.float32)
