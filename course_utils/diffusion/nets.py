"""The networks that predict the noise: a small MLP for points in the plane, a small U-Net for pictures.

Both take the noisy sample ``x_t`` and the time ``t`` (a whole number 0 ... T-1) and return their
guess of the noise ``eps`` in ``x_t``, of the same shape as ``x_t``. The time enters through a
**sinusoidal embedding** (sines and cosines of ``t`` at many frequencies, as transformers encode
positions), turned by two dense layers into a vector that every block adds to its features: one
network serves every noise level, and knows which one it is at.

:func:`unet` is a U-Net (Ronneberger et al. 2015) as in DDPM, shrunk for a CPU: residual blocks
with swish (group normalisation optional), the picture halved (average pooling) and doubled again (nearest
neighbour, then a convolution), and a **skip connection** from each resolution on the way down to the
same resolution on the way up, so fine detail does not have to pass through the 4×4 middle. With
``n_classes`` it also takes a label, whose learned embedding joins the time's; the extra label
``n_classes`` means "no label" — the unconditional model that classifier-free guidance needs.
The last convolution starts at zero, so an untrained network predicts no noise at all.
"""

from __future__ import annotations

import math

from .._tf import keras
from ..validate import positive_int as _positive_int
from ..i18n import _

__all__ = ["SinusoidalEmbedding", "mlp", "unet"]


@keras.saving.register_keras_serializable(package="course_utils")
class SinusoidalEmbedding(keras.layers.Layer):
    """Whole-number times (N,) → (N, dims): ``sin(t·f_k)`` and ``cos(t·f_k)`` for ``dims / 2`` frequencies.

    The frequencies run geometrically from 1 down to 1 / ``max_period`` (as in "Attention is all you
    need"), so neighbouring times differ in the fast components and distant ones in the slow.
    """

    def __init__(self, dims: int = 64, max_period: float = 10_000.0, **kwargs):
        super().__init__(**kwargs)
        self.dims, self.max_period = int(dims), float(max_period)

    def call(self, t):
        ops = keras.ops
        half = self.dims // 2
        freqs = ops.exp(-math.log(self.max_period) * ops.arange(half, dtype="float32") / half)
        angles = ops.cast(ops.reshape(t, (-1, 1)), "float32") * ops.reshape(freqs, (1, -1))
        return ops.concatenate([ops.sin(angles), ops.cos(angles)], axis=-1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.dims)

    def get_config(self):
        return {**super().get_config(), "dims": self.dims, "max_period": self.max_period}


def _time_vector(t, dims: int, name: str):
    L = keras.layers
    e = SinusoidalEmbedding(dims, name=f"{name}_sinusoidal")(t)
    e = L.Dense(dims * 2, activation="swish", name=f"{name}_dense1")(e)
    return L.Dense(dims * 2, name=f"{name}_dense2")(e)


def mlp(dims: int = 2, hidden: int = 128, layers: int = 3, *, embedding: int = 32, seed: int = 0,
        name: str = "mlp_denoiser") -> keras.Model:
    """Points (N, dims) and times (N,) → predicted noise (N, dims): ``layers`` dense layers of ``hidden`` swish units.

    The time's vector is added to the first hidden layer. Weights drawn from ``seed``.
    """
    dims, hidden = _positive_int(dims, "dims", "2"), _positive_int(hidden, "hidden", "128")
    layers, embedding = _positive_int(layers, "layers", "3"), _positive_int(embedding, "embedding", "32")
    keras.utils.set_random_seed(int(seed))
    L = keras.layers
    x_in = keras.Input((dims,), name="x_t")
    t_in = keras.Input((), dtype="int32", name="t")
    e = _time_vector(t_in, embedding, "time")
    h = L.Dense(hidden, name="dense1")(x_in)
    h = L.Add(name="add_time")([h, L.Dense(hidden, name="time_to_hidden")(e)])
    h = L.Activation("swish")(h)
    for i in range(2, layers + 1):
        h = L.Dense(hidden, activation="swish", name=f"dense{i}")(h)
    out = L.Dense(dims, kernel_initializer="zeros", name="noise")(h)
    return keras.Model([x_in, t_in], out, name=name)


def _groups(width: int) -> int:
    for groups in (8, 4, 2):
        if width % groups == 0:
            return groups
    return 1


def _norm(x, norm: bool, name: str):
    return keras.layers.GroupNormalization(_groups(x.shape[-1]), name=name)(x) if norm else x


def _res_block(x, e, width: int, name: str, norm: bool = True):
    """GroupNorm, swish, 3×3 convolution, plus the time's vector; again; plus the input (1×1 conv if widths differ)."""
    L = keras.layers
    h = _norm(x, norm, f"{name}_norm1")
    h = L.Activation("swish")(h)
    h = L.Conv2D(width, 3, padding="same", name=f"{name}_conv1")(h)
    shift = L.Reshape((1, 1, width))(L.Dense(width, name=f"{name}_time")(e))
    h = L.Add()([h, shift])
    h = _norm(h, norm, f"{name}_norm2")
    h = L.Activation("swish")(h)
    h = L.Conv2D(width, 3, padding="same", name=f"{name}_conv2")(h)
    skip = x if x.shape[-1] == width else L.Conv2D(width, 1, name=f"{name}_skip")(x)
    return L.Add(name=f"{name}_out")([h, skip])


def unet(image_size: int = 16, channels: int = 1, widths=(32, 64, 64), *, n_classes: int | None = None,
         embedding: int = 64, norm: bool = False, seed: int = 0, name: str = "unet") -> keras.Model:
    """Noisy pictures (N, S, S, channels), times (N,) [and labels (N,)] → predicted noise, same shape as the pictures.

    ``widths`` are the channels at each resolution (S, S/2, S/4, ...): one residual block per
    resolution on the way down, one in the middle, one per resolution on the way up after joining
    the skip connection. ``image_size`` must be divisible by 2^(len(widths) - 1); the network is
    convolutional, so it also runs on larger pictures of such a size (the SDEdit step of notebook 08).
    With ``n_classes``, labels 0 ... n_classes - 1 name a class and ``n_classes`` means "no label".
    ``norm=True`` puts group normalisation before every convolution, as DDPM does; on a 2-core CPU
    it made a training step of this small network about three times as slow, and for a few minutes
    of training on digits it is not needed, so it is off by default.
    """
    image_size = _positive_int(image_size, "image_size", "16")
    # TRANSLATORS: an example in "channels must be a whole number >= 1, like {example}; …".
    channels = _positive_int(channels, "channels", _("1 (grey) or 3 (colour)"))
    # TRANSLATORS: the subject of "{name} must be a whole number >= 1, like 32; …".
    widths = tuple(_positive_int(w, _("each width"), "32") for w in widths)
    if not widths:
        from ..errors import SettingError

        raise SettingError(_("widths must list at least one number of channels, like (32, 64, 64)."))
    if image_size % 2 ** (len(widths) - 1):
        from ..errors import SettingError

        raise SettingError(_("image_size {image_size} cannot be halved {times} times; use a multiple of "
                              "{multiple}, or fewer widths.").format(
            image_size=image_size, times=len(widths) - 1, multiple=2 ** (len(widths) - 1)))
    keras.utils.set_random_seed(int(seed))
    L = keras.layers
    x_in = keras.Input((None, None, channels), name="x_t")
    t_in = keras.Input((), dtype="int32", name="t")
    inputs = [x_in, t_in]
    e = _time_vector(t_in, embedding, "time")
    if n_classes is not None:
        n_classes = _positive_int(n_classes, "n_classes", "10")
        y_in = keras.Input((), dtype="int32", name="label")
        inputs.append(y_in)
        e = L.Add(name="time_and_label")([e, L.Embedding(n_classes + 1, embedding * 2, name="label_embedding")(y_in)])
    e = L.Activation("swish", name="embedding_swish")(e)
    h = L.Conv2D(widths[0], 3, padding="same", name="stem")(x_in)
    skips = []
    for i, width in enumerate(widths):
        h = _res_block(h, e, width, f"down{i}", norm)
        skips.append(h)
        if i < len(widths) - 1:
            h = L.AveragePooling2D(2, name=f"pool{i}")(h)
    h = _res_block(h, e, widths[-1], "middle", norm)
    for i in reversed(range(len(widths))):
        h = L.Concatenate(name=f"join{i}")([h, skips.pop()])
        h = _res_block(h, e, widths[i], f"up{i}", norm)
        if i > 0:
            h = L.UpSampling2D(2, interpolation="nearest", name=f"upsample{i}")(h)
            h = L.Conv2D(widths[i - 1], 3, padding="same", name=f"upconv{i}")(h)
    h = _norm(h, norm, "out_norm")
    h = L.Activation("swish")(h)
    out = L.Conv2D(channels, 3, padding="same", kernel_initializer="zeros", name="noise")(h)
    model = keras.Model(inputs, out, name=name)
    model.image_size = image_size
    return model
