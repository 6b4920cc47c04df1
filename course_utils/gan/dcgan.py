"""DCGAN (Radford et al. 2016) sized for a laptop CPU.

The digits it learns from come from :func:`course_utils.data.digits` with ``value_range=(-1, 1)``;
:func:`as_gan_images` checks that a batch is in that range.

- :func:`generator`     noise (and optionally a class label) → image, by transposed
  convolutions that double the size at each stage
- :func:`discriminator` image (and optionally a class label) → one logit, by strided
  convolutions that halve it

The networks follow the DCGAN guidelines — no pooling, strided (transposed)
convolutions, batch normalisation and ReLU in the generator, LeakyReLU(0.2) in the
discriminator, tanh output — with two changes for small images on a CPU: kernels
of 4 (a multiple of the stride 2, so transposed convolutions cover every output
pixel equally and make no checkerboard), and no batch normalisation in the
discriminator (so that the same discriminator serves WGAN-GP, whose penalty is
defined per sample, and no sample's score depends on the others in its batch).
"""

from __future__ import annotations

import numpy as np

from .. import validate
from ..validate import positive_int as _positive_int
from .._tf import keras
from ..config import Initializers
from ..errors import SettingError
from ..i18n import _

__all__ = ["as_gan_images", "stages", "generator", "discriminator"]


def as_gan_images(images, name: str = "images", *, channels: int | None = None,
                  what: str | None = None) -> np.ndarray:
    """``images`` as float32 (N, height, width, channels) in [-1, 1], the GAN's range, or one SettingError.

    ``channels`` (1 or 3) is required when given; ``what`` names the kind of array in
    the message ("a float array" by default, "colour patches, a float array").
    """
    x = np.asarray(images.numpy() if hasattr(images, "numpy") else images)
    if (x.ndim != 4 or x.dtype.kind != "f" or len(x) == 0
            or (channels is not None and x.shape[-1] != channels)):
        if what is None:
            # TRANSLATORS: completes "{name} must be {what} (N, height, width, channels) in [-1, 1] …".
            what = _("a float array")
        raise SettingError(_("{name} must be {what} (N, height, width, {channels}) in [-1, 1], like "
                              "data.digits(value_range=(-1, 1)) gives; got shape {shape} and dtype {dtype}.").format(
            name=name, what=what, channels=channels or "channels", shape=x.shape, dtype=x.dtype))
    if not np.all(np.isfinite(x)):
        raise SettingError(_("{name} contains NaN or infinite values.").format(name=name))
    if x.min() < -1.001 or x.max() > 1.001:
        raise SettingError(_("{name} must lie in [-1, 1] (the generator's tanh range); scale pictures in [0, 1] "
                              "with {name} * 2 - 1.").format(name=name))
    return x.astype(np.float32, copy=False)


def stages(image_size: int) -> tuple[int, int]:
    """(start, n): the generator starts at ``start``×``start`` and doubles ``n`` times to ``image_size``.

    The size is halved while it is above 7 and must end between 3 and 7:
    12 → (6, 1), 16 → (4, 2), 28 → (7, 2), 32 → (4, 3), 64 → (4, 4).
    """
    # TRANSLATORS: an example in "image_size must be a whole number >= 1, like {example}; …".
    image_size = _positive_int(image_size, "image_size", _("16, 28, 32 or 64"))
    start, n = image_size, 0
    while start > 7 and start % 2 == 0:
        start, n = start // 2, n + 1
    if n == 0 or not 3 <= start <= 7:
        raise SettingError(_("image_size {image_size} cannot be halved down to 3..7 pixels; "
                              "use a size like 16, 28, 32 or 64.").format(image_size=image_size))
    return start, n


def _label_input(n_classes):
    return keras.Input((), dtype="int32", name="label") if n_classes else None


def generator(image_size: int = 16, channels: int = 1, latent_dim: int = 64, width: int = 64, *,
              n_classes: int | None = None, seed: int = 0, name: str = "generator") -> keras.Model:
    """The DCGAN generator: noise (N, latent_dim) → images (N, image_size, image_size, channels) in [-1, 1].

    A dense layer makes a ``start``×``start`` map with ``width × 2^(n-1)``
    channels (see :func:`stages`); each of the ``n`` stages doubles the size
    with a 4×4 transposed convolution of stride 2 and halves the channels, the
    last one ending in ``channels`` and tanh. With ``n_classes``, the model takes
    ``[noise, labels]`` and a learned embedding of the label joins the noise. ``seed`` seeds
    the initial weights only (:class:`~course_utils.config.Initializers`).
    """
    start, n = stages(image_size)
    # TRANSLATORS: an example in "channels must be a whole number >= 1, like {example}; …".
    channels = _positive_int(channels, "channels", _("1 (grey) or 3 (colour)"))
    latent_dim = _positive_int(latent_dim, "latent_dim", "64")
    width = _positive_int(width, "width", "64")
    init = Initializers(seed)
    L = keras.layers
    noise = keras.Input((latent_dim,), name="noise")
    label = _label_input(n_classes)
    x = noise
    if label is not None:
        embedded = L.Embedding(_positive_int(n_classes, "n_classes", "10"), 16, name="label_embedding",
                               embeddings_initializer=init.embedding())(label)
        x = L.Concatenate(name="noise_and_label")([noise, embedded])
    filters = width * 2 ** (n - 1)
    x = L.Dense(start * start * filters, use_bias=False, name="project", kernel_initializer=init.kernel())(x)
    x = L.Reshape((start, start, filters))(x)
    x = L.BatchNormalization(name="bn0")(x)
    x = L.ReLU()(x)
    for i in range(1, n):
        filters //= 2
        x = L.Conv2DTranspose(max(filters, 8), 4, strides=2, padding="same", use_bias=False, name=f"up{i}",
                               kernel_initializer=init.kernel())(x)
        x = L.BatchNormalization(name=f"bn{i}")(x)
        x = L.ReLU()(x)
    x = L.Conv2DTranspose(channels, 4, strides=2, padding="same", activation="tanh", name=f"up{n}",
                           kernel_initializer=init.kernel())(x)
    return keras.Model([noise, label] if label is not None else noise, x, name=name)


def discriminator(image_size: int = 16, channels: int = 1, width: int = 64, *, n_classes: int | None = None,
                  dropout: float = 0.3, seed: int = 1, name: str = "discriminator") -> keras.Model:
    """The DCGAN discriminator: images → one logit each (N, 1); large means "real".

    ``n`` stages (as many as the generator has, see :func:`stages`) of a 4×4
    convolution of stride 2 and LeakyReLU(0.2), doubling the channels from
    ``width``; then dropout and one dense unit. With ``n_classes``, the model takes
    ``[images, labels]`` and the label enters as an extra image channel (a learned
    map per class). ``seed`` seeds the initial weights and the dropout only
    (:class:`~course_utils.config.Initializers`).
    """
    start, n = stages(image_size)
    # TRANSLATORS: an example in "channels must be a whole number >= 1, like {example}; …".
    channels = _positive_int(channels, "channels", _("1 (grey) or 3 (colour)"))
    width = _positive_int(width, "width", "64")
    dropout = validate.number(dropout, "dropout", "0.3", minimum=0, below=1)
    init = Initializers(seed)
    L = keras.layers
    image = keras.Input((image_size, image_size, channels), name="image")
    label = _label_input(n_classes)
    x = image
    if label is not None:
        plane = L.Embedding(_positive_int(n_classes, "n_classes", "10"), image_size * image_size,
                            name="label_plane", embeddings_initializer=init.embedding())(label)
        plane = L.Reshape((image_size, image_size, 1))(plane)
        x = L.Concatenate(name="image_and_label")([image, plane])
    filters = width
    for i in range(1, n + 1):
        # Only the first convolution has a bias. Later ones would learn little from one (the next layer
        # sees only their sum), and with one TensorFlow's graph optimiser prints a harmless but alarming
        # "remapper failed" error for the gradient of convolution + bias + LeakyReLU on CPUs.
        x = L.Conv2D(filters, 4, strides=2, padding="same", use_bias=i == 1, name=f"down{i}",
                     kernel_initializer=init.kernel())(x)
        x = L.LeakyReLU(0.2)(x)
        filters *= 2
    x = L.Flatten()(x)
    if dropout:
        x = L.Dropout(dropout, seed=init.seed())(x)
    x = L.Dense(1, name="logit", kernel_initializer=init.kernel())(x)
    return keras.Model([image, label] if label is not None else image, x, name=name)
