"""The Keras layers notebook 07's image networks are built from.

- :class:`ReflectionPadding2D` pads a feature map with its own mirror image. A convolution
  after it sees plausible pixels at the border instead of zeros, so the network does not
  learn dark frames around its pictures (used by Johnson et al.'s later code and by
  Huang & Belongie's decoder).
- :func:`instance_normalization` is Keras' ``GroupNormalization`` with one group per
  channel — exactly instance normalisation (Ulyanov et al. 2016): every channel of every
  picture is shifted and scaled to mean 0 and standard deviation 1 over its positions, then
  given a learned scale and offset. It makes a style network ignore the photo's contrast.
- :func:`conv` is reflection padding + a convolution with no padding, the building block
  of both networks; :func:`upsample_conv` doubles the size by nearest-neighbour upsampling
  *then* convolves, which avoids the checkerboard artefacts of transposed convolutions
  (Odena, Dumoulin and Olah, "Deconvolution and Checkerboard Artifacts", 2016): every
  output pixel gets the same number of contributions.
"""

from __future__ import annotations

from .._tf import keras, tf
from .. import validate

__all__ = ["ReflectionPadding2D", "instance_normalization", "conv", "upsample_conv"]


@keras.saving.register_keras_serializable(package="course_utils")
class ReflectionPadding2D(keras.layers.Layer):
    """Pad height and width by ``padding`` pixels on each side, mirroring the picture (no edge repeated)."""

    def __init__(self, padding: int = 1, **kwargs):
        super().__init__(**kwargs)
        self.padding = validate.whole_number(padding, "padding", "padding=1", minimum=0)

    def call(self, x):
        p = self.padding
        if p == 0:
            return x
        return tf.pad(x, [[0, 0], [p, p], [p, p], [0, 0]], mode="REFLECT")

    def compute_output_shape(self, input_shape):
        b, h, w, c = input_shape
        grow = 2 * self.padding
        return b, None if h is None else h + grow, None if w is None else w + grow, c

    def get_config(self):
        return {**super().get_config(), "padding": self.padding}


def instance_normalization(name: str | None = None) -> keras.layers.Layer:
    """Instance normalisation: ``keras.layers.GroupNormalization`` with as many groups as channels."""
    return keras.layers.GroupNormalization(groups=-1, epsilon=1e-5, name=name)


def conv(x, filters: int, kernel: int, *, stride: int = 1, name: str | None = None, init=None):
    """Reflection padding by ``kernel // 2``, then a ``kernel`` × ``kernel`` convolution (no padding of its own).

    ``init`` (a :class:`course_utils.config.Initializers`) seeds the kernel's initial values.
    """
    x = ReflectionPadding2D(kernel // 2, name=None if name is None else f"{name}_pad")(x)
    initializer = "glorot_uniform" if init is None else init.kernel()
    return keras.layers.Conv2D(filters, kernel, strides=stride, padding="valid", name=name,
                               kernel_initializer=initializer)(x)


def upsample_conv(x, filters: int, kernel: int = 3, *, name: str | None = None, init=None):
    """Twice the height and width: nearest-neighbour upsampling, then :func:`conv`."""
    x = keras.layers.UpSampling2D(2, interpolation="nearest", name=None if name is None else f"{name}_up")(x)
    return conv(x, filters, kernel, name=name, init=init)
