"""Images in, images out: every picture in the course passes through here.

The course's one image format is a NumPy ``float32`` array of shape (H, W, 3),
RGB, values in [0, 1]. :func:`load` turns files, URLs, arrays and PIL images into
that; :func:`save` writes it back (atomically); :func:`vgg_preprocess` and
:func:`vgg_deprocess` convert to and from what VGG19 expects; :func:`to_batch`
and :func:`from_batch` add and remove the batch axis TensorFlow models want.

The other modules use the same few helpers: :func:`to_float_rgb` (an array in any accepted
shape and dtype → the course's format), :func:`as_image` (the same, files loaded too),
:func:`as_numpy` and :func:`resize`, the course's one resizing helper (bilinear and
anti-aliased, or Lanczos).

Every problem with an input is reported as one :class:`~course_utils.errors.ImageError`
sentence that names the file (where there is one), says what is wrong and what to do; a bad
setting (a ``size`` that is not a whole number, or too large for this machine's memory, see
:mod:`course_utils.memory`) as one :class:`~course_utils.errors.SettingError` sentence.
"""

from __future__ import annotations

import os
import struct
import sys
import warnings
import zlib
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from . import memory, validate
from ._io import atomic_path
from .errors import ImageError, SettingError
from .i18n import _

__all__ = [
    "VGG_MEAN_BGR",
    "load",
    "save",
    "vgg_preprocess",
    "vgg_deprocess",
    "to_batch",
    "from_batch",
    "pad_to_multiple",
    "to_float_rgb",
    "as_image",
    "as_numpy",
    "resize",
    "OUTPUT_TOLERANCE",
    "target_shape",
    "to_uint8",
    "save_format",
]

#: ImageNet mean pixel in BGR order on the 0..255 scale, as subtracted by Keras'
#: ``"caffe"`` preprocessing for VGG16/VGG19.
VGG_MEAN_BGR = (103.939, 116.779, 123.68)

#: The largest image :func:`load` decodes unless told otherwise (a 120-megapixel photo).
DEFAULT_MAX_PIXELS = 120_000_000



def _shapes() -> str:
    """The shapes an image may have, as an error lists them."""
    # TRANSLATORS: completes "expected an image of shape {shapes}"
    return _("(H, W), (H, W, 1), (H, W, 3), (H, W, 4) or a batch of one (1, H, W, C)")


# How far float values may stray outside [0, 1] before they are an error rather
# than rounding noise: tiny on the way in (load), generous on the way out (save,
# plots), where an optimised image overshoots a little.
_LOAD_TOLERANCE = 1e-3
OUTPUT_TOLERANCE = 0.5

# Errors Pillow's decoders raise for a damaged file.
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, struct.error, zlib.error)


# --------------------------------------------------------------------------- size


def _check_size(size) -> int | None:
    """``size`` as an int >= 1, or None; anything else is a SettingError."""
    if size is None:
        return None
    if isinstance(size, (bool, np.bool_)) or not isinstance(size, (int, np.integer)):
        raise SettingError(
            _("size must be a whole number of pixels for the longest side, like size=256; got {size!r}.").format(
                size=size)
        )
    if size < 1:
        raise SettingError(_("size must be at least 1 pixel (it sets the longest side), like size=256; "
                             "got size={size}.").format(size=size))
    return int(size)


def _check_max_pixels(max_pixels) -> int:
    return validate.positive_int(max_pixels, "max_pixels", "max_pixels=120_000_000")


def _check_memory(work: str, height: int, width: int, size: int | None, name: str) -> None:
    """Refuse, before it is made, a picture of ``height`` x ``width`` whose loading would not fit in memory."""
    # TRANSLATORS: these two start "{subject} needs about 3 GB for loading the picture, ..."
    subject = _("{name} at size={size} ({width} x {height} pixels)").format(
        name=name, size=size, width=width, height=height) if size is not None else \
        _("{name} ({width} x {height} pixels)").format(name=name, width=width, height=height)
    # TRANSLATORS: ends "...: use size=512 or less."; {} is the number
    memory.check(work, height, width, subject=subject, fix=_("use size={} or less"))


def target_shape(height: int, width: int, size: int) -> tuple[int, int]:
    """(height, width) with the longest side equal to ``size``, aspect ratio kept.

    >>> target_shape(300, 400, 200)
    (150, 200)
    >>> target_shape(1000, 1, 10)
    (10, 1)
    """
    if height >= width:
        return size, max(1, round(width * size / height))
    return max(1, round(height * size / width)), size


# ------------------------------------------------------------------------- arrays


def as_numpy(x, what: str | None = None) -> np.ndarray:
    """A NumPy view of ``x`` (an ndarray, a tf.Tensor, anything with ``__array__``).

    ``what`` names ``x`` in an error ("the array" by default).
    """
    if isinstance(x, np.ndarray):
        return x
    what = _("the array") if what is None else what
    try:
        if hasattr(x, "numpy"):
            x = x.numpy()
        return np.asarray(x)
    except Exception as err:  # noqa: BLE001 - whatever the object raises, say it plainly
        raise ImageError(
            _("Cannot turn {what} (a {kind}) into a NumPy array ({err}); "
              "pass a NumPy array, an eager tf.Tensor, a PIL image or a file path.").format(
                  what=what, kind=type(x).__name__, err=err)
        ) from err


def _out_of_range(what: str, low: float, high: float) -> str:
    """The sentence for float values outside [0, 1], with the likely fix."""
    fields = dict(what=what, low=low, high=high)
    if high > 1.5:
        return _("{what} has float values from {low:.4g} to {high:.4g}, but images in the course lie in [0, 1]; "
                 "if it holds 0..255 values, divide it by 255 (x / 255).").format(**fields)
    if low < -0.5:
        return _("{what} has float values from {low:.4g} to {high:.4g}, but images in the course lie in [0, 1]; "
                 "if it is VGG-preprocessed, undo that with images.vgg_deprocess(x).").format(**fields)
    return _("{what} has float values from {low:.4g} to {high:.4g}, but images in the course lie in [0, 1]; "
             "clip it with np.clip(x, 0, 1).").format(**fields)


def _to_unit_float(arr: np.ndarray, what: str, tolerance: float) -> np.ndarray:
    """float32 values in [0, 1] from uint8, uint16, bool or float data (same shape)."""
    if arr.dtype == np.uint8:
        return arr.astype(np.float32) / np.float32(255)
    if arr.dtype == np.uint16:
        return arr.astype(np.float32) / np.float32(65535)
    if arr.dtype == np.bool_:
        return arr.astype(np.float32)
    if arr.dtype.kind != "f":
        fields = dict(what=what, shape=arr.shape, dtype=arr.dtype)
        if arr.dtype.kind in "iu":
            raise ImageError(
                _("{what} has shape {shape} and dtype {dtype}; expected uint8 (0..255), uint16 (0..65535), bool, "
                  "or floats in [0, 1] (for whole numbers 0..255 use x.astype(np.uint8)).").format(**fields)
            )
        raise ImageError(
            _("{what} has shape {shape} and dtype {dtype}; expected uint8 (0..255), uint16 (0..65535), bool, "
              "or floats in [0, 1].").format(**fields)
        )
    arr = arr.astype(np.float32)
    if not np.all(np.isfinite(arr)):
        raise ImageError(_("{what} contains NaN or infinite values; fix the computation that produced it.").format(
            what=what))
    low, high = float(arr.min()), float(arr.max())
    if low < -tolerance or high > 1.0 + tolerance:
        raise ImageError(_out_of_range(what, low, high))
    return np.clip(arr, 0.0, 1.0)


def _to_hwc(arr: np.ndarray, what: str) -> np.ndarray:
    """(H, W, C) with C in (1, 3, 4) from any accepted shape, or an ImageError."""
    shape_ok = arr.ndim in (2, 3, 4) and arr.size > 0
    if arr.ndim == 4:
        shape_ok = shape_ok and arr.shape[0] == 1
        arr_hwc = arr[0] if shape_ok else arr
    elif arr.ndim == 2:
        arr_hwc = arr[..., np.newaxis]
    else:
        arr_hwc = arr
    if not shape_ok or arr_hwc.ndim != 3 or arr_hwc.shape[-1] not in (1, 3, 4):
        raise ImageError(_("{what} has shape {shape} and dtype {dtype}; expected an image of shape {shapes}.").format(
            what=what, shape=arr.shape, dtype=arr.dtype, shapes=_shapes()))
    return arr_hwc


def _flatten_alpha(rgba: np.ndarray) -> np.ndarray:
    """Composite float RGBA over a white background."""
    rgb, alpha = rgba[..., :3], rgba[..., 3:]
    return rgb * alpha + (1.0 - alpha)


def to_float_rgb(image, what: str | None = None, tolerance: float = _LOAD_TOLERANCE) -> np.ndarray:
    """An array-like in any accepted shape and dtype as float32 (H, W, 3) in [0, 1].

    ``what`` names the image in an error ("the image" by default).
    """
    what = _("the image") if what is None else what
    arr = as_numpy(image, what)
    if arr.dtype.kind not in "biuf":
        raise ImageError(
            _("{what} has shape {shape} and dtype {dtype}; expected numbers (uint8, uint16, bool or float) "
              "in an array of shape {shapes}.").format(what=what, shape=arr.shape, dtype=arr.dtype, shapes=_shapes())
        )
    arr = _to_hwc(arr, what)
    arr = _to_unit_float(arr, what, tolerance)
    if arr.shape[-1] == 1:
        arr = np.repeat(arr, 3, axis=-1)
    elif arr.shape[-1] == 4:
        arr = _flatten_alpha(arr)
    return arr


def as_image(image, what: str | None = None) -> np.ndarray:
    """``image`` as a float32 (H, W, 3) array in [0, 1]; ImageError naming ``what`` otherwise.

    Arrays, tensors and PIL images are converted the way :func:`load` converts them (uint8
    is divided by 255, grayscale gets three channels ...); strings and paths are loaded as files.
    """
    if isinstance(image, (str, os.PathLike, Image.Image)):
        return load(image)
    return np.ascontiguousarray(to_float_rgb(image, what), dtype=np.float32)


def resize(image, shape, *, method: str = "bilinear", edges: str = "reflect") -> np.ndarray:
    """``image`` (H, W) or (H, W, C), any number of channels, resized to (height, width) = ``shape``.

    The course's one resizing helper. ``method="bilinear"`` (scikit-image) is anti-aliased when
    it shrinks; ``"lanczos"`` (Pillow, per channel in 32-bit float) is what Magenta's network
    was trained with. ``edges`` says how the border is continued ("reflect" or "edge"). Values
    are clipped to [0, 1] (Lanczos overshoots a little); the result is float32. The image is
    returned unchanged when it already has that size.
    """
    method = validate.choice(method, ("bilinear", "lanczos"), "method")
    edges = validate.choice(edges, ("reflect", "edge"), "edges")
    arr = np.asarray(image)
    try:
        # TRANSLATORS: a setting's name, as in "{name} must be a whole number >= 1, like (256, 384)"
        sides = _("each side in shape")
        height, width = (validate.positive_int(v, sides, "(256, 384)") for v in shape)
    except (TypeError, ValueError) as err:
        if isinstance(err, SettingError):
            raise
        raise SettingError(_("shape must be a (height, width) pair like (256, 384); got {shape!r}.").format(
            shape=shape)) from None
    if arr.ndim not in (2, 3):
        raise SettingError(_("resize takes an image (H, W) or (H, W, C); got an array of shape {shape}.").format(
            shape=arr.shape))
    if arr.shape[:2] == (height, width):
        return arr
    if method == "lanczos":
        planes = arr[..., np.newaxis] if arr.ndim == 2 else arr
        out = np.stack([np.asarray(Image.fromarray(np.ascontiguousarray(planes[..., c], dtype=np.float32))
                                   .resize((width, height), Image.Resampling.LANCZOS))
                        for c in range(planes.shape[-1])], axis=-1)
        out = out[..., 0] if arr.ndim == 2 else out
    else:
        from skimage.transform import resize as _skimage_resize  # scikit-image is slow to import; only when needed

        shrinking = height < arr.shape[0] or width < arr.shape[1]
        out = _skimage_resize(arr, (height, width) + arr.shape[2:], order=1, mode=edges, anti_aliasing=shrinking,
                              preserve_range=True)
    return np.clip(out, 0.0, 1.0).astype(np.float32)


def _resize_array(image: np.ndarray, size: int) -> np.ndarray:
    """Resize float (H, W, 3) so the longest side is ``size``, anti-aliased when shrinking."""
    return resize(image, target_shape(*image.shape[:2], size))


def _load_array(source, size: int | None) -> np.ndarray:
    name = _("the array")
    image = to_float_rgb(source, name, _LOAD_TOLERANCE)
    if size is not None:
        height, width = image.shape[:2]
        new_h, new_w = target_shape(height, width, size)
        # scikit-image works on copies of the input and of the output: count whichever is larger
        _check_memory("resize", *max((new_h, new_w), (height, width), key=lambda s: s[0] * s[1]), size, name)
        image = _resize_array(image, size)
    return image


# ---------------------------------------------------------------------- PIL images


def _check_pixels(im: Image.Image, name: str, max_pixels: int) -> None:
    """Reject images with no pixels, or more than ``max_pixels``, before decoding."""
    width, height = im.size
    if width == 0 or height == 0:
        raise ImageError(_("{name} has no pixels (size {width} x {height}); use a real picture.").format(
            name=name, width=width, height=height))
    if width * height > max_pixels:
        raise ImageError(
            _("{name} is too large: {width} x {height} pixels ({megapixels:.1f} megapixels), "
              "more than max_pixels={max_pixels:,}; shrink it with an image editor, or pass a larger "
              "max_pixels= if you trust the file.").format(
                  name=name, width=width, height=height, megapixels=width * height / 1e6, max_pixels=max_pixels)
        )


def _draft_for(im: Image.Image, size: int) -> None:
    """Let the JPEG decoder shrink by 2, 4 or 8 while decoding (big photos load fast)."""
    if im.format not in ("JPEG", "MPO"):
        return
    width, height = im.size
    new_h, new_w = target_shape(height, width, size)
    if new_w < width and new_h < height:
        im.draft(im.mode, (new_w, new_h))  # never below the requested size


def _decode(im: Image.Image, name: str) -> None:
    try:
        im.load()
    except _DECODE_ERRORS as err:
        raise ImageError(
            _("{name} is damaged or truncated and cannot be decoded ({err}); download or export it again.").format(
                name=name, err=err)
        ) from err


def _upright(im: Image.Image) -> Image.Image:
    """Rotate/flip as the EXIF orientation tag says; a broken EXIF block is ignored."""
    try:
        return ImageOps.exif_transpose(im)
    except (*_DECODE_ERRORS, KeyError, TypeError):
        return im


def _has_alpha(im: Image.Image) -> bool:
    return im.mode in ("RGBA", "RGBa", "LA", "La", "PA") or "transparency" in im.info


def _pil_to_rgb(im: Image.Image, name: str) -> Image.Image:
    """An 8-bit PIL image as mode RGB; transparent parts become white."""
    try:
        if _has_alpha(im):
            rgba = im.convert("RGBA")
            white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
            return Image.alpha_composite(white, rgba).convert("RGB")
        return im if im.mode == "RGB" else im.convert("RGB")
    except ValueError as err:
        raise ImageError(
            _("{name} uses the colour mode {mode!r}, which cannot be converted to RGB ({err}); "
              "save it as an RGB PNG or JPEG.").format(name=name, mode=im.mode, err=err)
        ) from err


def _is_high_bit(im: Image.Image) -> bool:
    """Modes Pillow's convert('RGB') would clip: 16/32-bit integers and 32-bit floats."""
    return im.mode.startswith("I") or im.mode == "F"


def _high_bit_gray(im: Image.Image, name: str) -> np.ndarray:
    """float32 (H, W) in [0, 1] from an I;16*, I or F image."""
    values = np.asarray(im)
    if im.mode == "F":
        return _to_unit_float(values, name, _LOAD_TOLERANCE)
    return np.clip(values.astype(np.float32) / np.float32(65535), 0.0, 1.0)


def _resize_pil(im: Image.Image, size: int) -> Image.Image:
    new_h, new_w = target_shape(im.height, im.width, size)
    if (new_h, new_w) == (im.height, im.width):
        return im
    return im.resize((new_w, new_h), Image.Resampling.LANCZOS)


def _pil_to_array(im: Image.Image, name: str, size: int | None) -> np.ndarray:
    """float32 (H, W, 3) in [0, 1] from a decoded, upright PIL image."""
    if _is_high_bit(im):
        gray = Image.fromarray(_high_bit_gray(im, name))
        if size is not None:
            gray = _resize_pil(gray, size)
        values = np.clip(np.asarray(gray, dtype=np.float32), 0.0, 1.0)
        return np.repeat(values[..., np.newaxis], 3, axis=-1)
    rgb = _pil_to_rgb(im, name)
    if size is not None:
        rgb = _resize_pil(rgb, size)
    return np.asarray(rgb, dtype=np.float32) / np.float32(255)


def _load_pil(im: Image.Image, name: str, size: int | None, max_pixels: int, *, draft: bool) -> np.ndarray:
    _check_pixels(im, name, max_pixels)
    shape = (im.height, im.width) if size is None else target_shape(im.height, im.width, size)
    _check_memory("load", *shape, size, name)  # from the file's header, before anything is decoded
    if draft and size is not None:
        _draft_for(im, size)
    _decode(im, name)
    return _pil_to_array(_upright(im), name, size)


# -------------------------------------------------------------------------- files


def _looks_like_text(head: bytes) -> bool:
    return bool(head) and all(32 <= b < 127 or b in b"\t\r\n" for b in head)


def _not_an_image(path: Path, name: str) -> ImageError:
    with open(path, "rb") as file:
        head = file.read(64)
    if _looks_like_text(head):
        return ImageError(
            _("{name} is not an image file Pillow can read (it looks like text, e.g. a web page or an error "
              "message); use a PNG or JPEG picture, or download it again.").format(name=name)
        )
    return ImageError(
        _("{name} is not an image file Pillow can read; use a PNG or JPEG picture, or download it again.").format(
            name=name)
    )


def _check_file(path: Path, name: str) -> None:
    """Missing file, a folder or an empty file: one clear sentence each."""
    if not path.exists():
        raise ImageError(
            _("No file at {name}; check the path (relative paths start in '{folder}').").format(
                name=name, folder=Path.cwd())
        )
    if path.is_dir():
        raise ImageError(_("{name} is a folder, not an image file; pass the path of a picture inside it.").format(
            name=name))
    if path.stat().st_size == 0:
        raise ImageError(_("{name} is empty (0 bytes); the download or copy probably failed, so get it "
                           "again.").format(name=name))


def _open(path: Path, name: str) -> Image.Image:
    try:
        return Image.open(path)
    except UnidentifiedImageError:
        raise _not_an_image(path, name) from None
    except Image.DecompressionBombError as err:
        raise ImageError(
            _("{name} is too large to open safely ({err}); shrink it with an image editor.").format(
                name=name, err=err)
        ) from None
    except OSError as err:
        raise ImageError(_("Cannot read {name} ({reason}); check that the file is readable.").format(
            name=name, reason=err.strerror or err)) from err


def _load_file(path, size: int | None, max_pixels: int, label: str | None = None) -> np.ndarray:
    path = Path(path).expanduser()
    name = f"'{path}'" if label is None else label
    _check_file(path, name)
    with warnings.catch_warnings():
        # We enforce max_pixels ourselves; Pillow's softer guard would only print a warning.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            im = _open(path, name)
            with im:
                return _load_pil(im, name, size, max_pixels, draft=True)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as err:
            raise ImageError(_("{name} is too large to decode safely ({err}); shrink it first.").format(
                name=name, err=err)) from None


def _load_url(url: str, size: int | None, max_pixels: int) -> np.ndarray:
    from .downloads import fetch  # imported here: most notebooks never download

    return _load_file(fetch(url), size, max_pixels, label=f"'{url}'")


def _is_url(source) -> bool:
    return isinstance(source, str) and source.strip().lower().startswith(("http://", "https://"))


# ------------------------------------------------------------------------- public


def load(source, size=None, *, max_pixels=DEFAULT_MAX_PIXELS) -> np.ndarray:
    """Load an image in the course's format: float32 (H, W, 3), RGB, values in [0, 1].

    Parameters
    ----------
    source : str, path-like, URL, array-like or PIL.Image.Image
        A file path; an ``http://`` or ``https://`` address (downloaded once into
        the course's cache); a NumPy array, tf.Tensor or anything with
        ``__array__``; or a PIL image.
    size : int, optional
        If given, the image is resized so that its *longest* side is ``size``
        pixels (larger or smaller), keeping the aspect ratio. Shrinking is
        anti-aliased (Lanczos for files, a Gaussian pre-filter for arrays).
    max_pixels : int, optional
        Files or PIL images with more pixels than this are refused before they
        are decoded, which protects against "decompression bombs".

    Returns
    -------
    image : ndarray
        A new C-contiguous float32 array of shape (H, W, 3) in [0, 1].

    Raises
    ------
    ImageError
        With one sentence naming the file and the problem: a missing file, a
        folder, an empty, damaged or non-image file, an image too large, or an
        array that is not an image.
    SettingError
        For a ``size`` or ``max_pixels`` that is not a whole number >= 1, or a
        picture too large for the memory free at that size (see
        :mod:`course_utils.memory`), refused before it is decoded or resized.

    Notes
    -----
    Files are turned upright as their EXIF orientation says. Grayscale, palette,
    CMYK, 1-bit and 16-bit images become RGB (16-bit values are divided by
    65535); transparent parts are composited over white. Multi-frame files
    (animated GIFs, multi-page TIFFs) give their first frame.

    Arrays may be uint8 (divided by 255), uint16 (divided by 65535), bool or
    float in [0, 1], of shape (H, W), (H, W, 1), (H, W, 3), (H, W, 4) (RGBA,
    composited over white) or (1, H, W, C).

    Examples
    --------
    >>> import numpy as np
    >>> load(np.zeros((40, 80), np.uint8), size=20).shape
    (10, 20, 3)
    """
    size = _check_size(size)
    max_pixels = _check_max_pixels(max_pixels)
    if _is_url(source):
        image = _load_url(source.strip(), size, max_pixels)
    elif isinstance(source, (str, os.PathLike)):
        image = _load_file(source, size, max_pixels)
    elif isinstance(source, Image.Image):
        image = _load_pil(source, _("the PIL image"), size, max_pixels, draft=False)
    elif isinstance(source, np.ndarray) or hasattr(source, "__array__") or hasattr(source, "numpy"):
        image = _load_array(source, size)
    else:
        raise ImageError(
            _("load() takes a file path, an http(s) URL, a NumPy array, a tf.Tensor or a PIL image; "
              "got a {kind}.").format(kind=type(source).__name__)
        )
    return np.ascontiguousarray(image, dtype=np.float32)


def to_uint8(image, what: str | None = None) -> np.ndarray:
    """(H, W, 3) uint8 from an image in the course's format (or any array :func:`load` takes).

    Float values up to 0.5 outside [0, 1] (an optimised image overshoots a
    little) are clipped; further out they are an ImageError, as they usually
    mean a 0..255 or VGG-preprocessed image.
    """
    image = to_float_rgb(image, what, OUTPUT_TOLERANCE)
    return np.round(image * np.float32(255)).astype(np.uint8)


def save_format(path: Path) -> str:
    ext = path.suffix.lower()
    fmt = Image.registered_extensions().get(ext)
    if fmt is None or fmt not in Image.SAVE:
        if ext:
            raise ImageError(_("Cannot save '{path}': Pillow cannot write '{ext}' files; end the name in .png or "
                               ".jpg.").format(path=path, ext=ext))
        raise ImageError(_("Cannot save '{path}': the name has no extension; end the name in .png or .jpg.").format(
            path=path))
    return fmt


def save(image, path, *, quality: int = 95) -> Path:
    """Save an image in the course's format to ``path`` and return the path.

    Parameters
    ----------
    image : array-like
        float32 (H, W, 3) in [0, 1] (the course's format), a batch of one
        (1, H, W, 3), a tf.Tensor, or anything else :func:`load` accepts as an
        array (uint8, grayscale, RGBA ...). Float values a little outside
        [0, 1] are clipped.
    path : str or path-like
        The file to write; the format follows the extension (.png, .jpg ...).
        Parent folders are created.
    quality : int, optional
        JPEG/WebP quality, 1..100.

    Notes
    -----
    The file is written under a temporary name and then renamed, so an
    interrupted or failing save never leaves a half-written picture, and an
    existing file is only replaced by a complete one.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise ImageError(_("save() needs a file path like 'out.png'; got a {kind}.").format(
            kind=type(path).__name__))
    path = Path(path).expanduser()
    fmt = save_format(path)
    if path.is_dir():
        raise ImageError(_("Cannot save to '{path}': it is a folder; add a file name like 'out.png'.").format(
            path=path))
    pixels = to_uint8(image, _("The image to save as '{path}'").format(path=path))
    options = {"quality": int(quality)} if fmt in ("JPEG", "WEBP") else {}
    try:
        with atomic_path(path) as tmp:
            Image.fromarray(pixels).save(tmp, format=fmt, **options)
    except OSError as err:
        raise ImageError(_("Could not write '{path}' ({err}); check the folder exists and is writable.").format(
            path=path, err=err)) from err
    return path


# ---------------------------------------------------------------------------- VGG


def _is_tensor(x) -> bool:
    """True for TensorFlow tensors and variables (never imports TensorFlow itself)."""
    if isinstance(x, np.ndarray) or "tensorflow" not in sys.modules:
        return False
    from ._tf import tf

    return tf.is_tensor(x)


def _check_last_axis(shape, what: str) -> None:
    if len(shape) == 0 or shape[-1] not in (3, None):
        raise ImageError(_("{what} has shape {shape}; expected RGB images of shape (..., 3).").format(
            what=what, shape=tuple(shape)))


def _tf_float(x, what: str):
    from ._tf import tf

    x = tf.convert_to_tensor(x)
    _check_last_axis(x.shape.as_list() if x.shape.rank is not None else [None], what)
    return x if x.dtype.is_floating else tf.cast(x, tf.float32)


def _np_float(x, what: str) -> np.ndarray:
    arr = as_numpy(x, what)
    if arr.dtype.kind not in "biuf":
        raise ImageError(_("{what} has shape {shape} and dtype {dtype}; expected numbers in an array of shape "
                           "(..., 3).").format(what=what, shape=arr.shape, dtype=arr.dtype))
    _check_last_axis(arr.shape, what)
    return arr.astype(np.float32)


def vgg_preprocess(x):
    """Turn course images into VGG19 input, exactly like Keras' ``"caffe"`` mode.

    RGB becomes BGR, values are scaled to 0..255 and the ImageNet mean pixel
    :data:`VGG_MEAN_BGR` is subtracted. Equivalent to
    ``keras.applications.vgg19.preprocess_input(x * 255)``.

    Parameters
    ----------
    x : ndarray or tf.Tensor, shape (..., 3)
        RGB values in [0, 1] (one image or a batch).

    Returns
    -------
    The same kind as ``x``: a float32 NumPy array for NumPy input; a tf.Tensor
    for TensorFlow input, computed with TensorFlow ops so that it works inside
    ``tf.function`` and gradients flow through it.
    """
    if _is_tensor(x):
        from ._tf import tf

        x = _tf_float(x, _("The input of vgg_preprocess"))
        mean = tf.constant(VGG_MEAN_BGR, dtype=x.dtype)
        return tf.reverse(x, axis=[-1]) * tf.cast(255.0, x.dtype) - mean
    x = _np_float(x, _("The input of vgg_preprocess"))
    return x[..., ::-1] * np.float32(255) - np.asarray(VGG_MEAN_BGR, dtype=np.float32)


def vgg_deprocess(x, *, clip: bool = False):
    """Undo :func:`vgg_preprocess`: add the mean, BGR to RGB, scale back to [0, 1].

    Parameters
    ----------
    x : ndarray or tf.Tensor, shape (..., 3)
        VGG-preprocessed BGR values.
    clip : bool, optional
        Clip the result to [0, 1]. By default it is the exact inverse, without
        clipping.

    Returns
    -------
    The same kind as ``x`` (float32 NumPy array, or tf.Tensor made with
    differentiable TensorFlow ops).
    """
    if _is_tensor(x):
        from ._tf import tf

        x = _tf_float(x, _("The input of vgg_deprocess"))
        mean = tf.constant(VGG_MEAN_BGR, dtype=x.dtype)
        rgb = tf.reverse(x + mean, axis=[-1]) / tf.cast(255.0, x.dtype)
        return tf.clip_by_value(rgb, 0.0, 1.0) if clip else rgb
    x = _np_float(x, _("The input of vgg_deprocess"))
    rgb = (x + np.asarray(VGG_MEAN_BGR, dtype=np.float32))[..., ::-1] / np.float32(255)
    rgb = np.clip(rgb, 0.0, 1.0) if clip else rgb
    return np.ascontiguousarray(rgb, dtype=np.float32)


# -------------------------------------------------------------------------- batches


def _check_batch_shape(shape, what: str, *, batch_required: bool) -> None:
    shape = tuple(shape)
    ok_single = len(shape) == 3 and not batch_required
    ok_batch = len(shape) == 4 and shape[0] in (1, None)
    if not (ok_single or ok_batch) or shape[-1] not in (3, None):
        if batch_required:
            raise ImageError(_("{what} has shape {shape}; expected (1, H, W, 3).").format(what=what, shape=shape))
        raise ImageError(_("{what} has shape {shape}; expected (H, W, 3) or (1, H, W, 3).").format(
            what=what, shape=shape))


def to_batch(image):
    """A tf.Tensor of shape (1, H, W, 3), float32, from one image (H, W, 3).

    ``image`` may be a NumPy array or a tf.Tensor (a batch of one passes
    through). Values are not changed; integer or boolean input is an
    ImageError (use :func:`load` to convert it first).
    """
    from ._tf import tf

    what = _("The image given to to_batch")
    if not _is_tensor(image):
        image = as_numpy(image, what)
    tensor = tf.convert_to_tensor(image)
    _check_batch_shape(tensor.shape.as_list() if tensor.shape.rank is not None else (), what,
                       batch_required=False)
    if not tensor.dtype.is_floating:
        raise ImageError(
            _("{what} has dtype {dtype}; expected floats in [0, 1] (convert it with images.load).").format(
                what=what, dtype=tensor.dtype.name)
        )
    tensor = tf.cast(tensor, tf.float32)
    return tensor if tensor.shape.rank == 4 else tensor[tf.newaxis]


def from_batch(batch) -> np.ndarray:
    """The image (H, W, 3) float32 NumPy array inside a batch of one (1, H, W, 3).

    ``batch`` may be a tf.Tensor, a tf.Variable or a NumPy array; a single
    (H, W, 3) image passes through. Values are not changed (no clipping; use
    ``np.clip(x, 0, 1)`` or ``vgg_deprocess(..., clip=True)`` for that). The
    result is a new array.
    """
    what = _("The batch given to from_batch")
    arr = as_numpy(batch, what)
    if arr.dtype.kind not in "biuf":
        raise ImageError(_("{what} has shape {shape} and dtype {dtype}; expected numbers of shape "
                           "(1, H, W, 3).").format(what=what, shape=arr.shape, dtype=arr.dtype))
    _check_batch_shape(arr.shape, what, batch_required=False)
    image = arr[0] if arr.ndim == 4 else arr
    return np.array(image, dtype=np.float32, order="C", copy=True)


def pad_to_multiple(image: np.ndarray, multiple: int) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """``image`` (H, W, C) mirrored outward until both sides are multiples of ``multiple``; and where it sits.

    A network that halves the size ``k`` times needs sides divisible by ``2**k``. The
    padding is split between the two edges of each side and mirrors the picture (no edge
    row repeated). Returns ``(padded, (top, left, height, width))``: the result of the
    network, cropped to ``[top:top + height, left:left + width]``, has the picture's size.
    """
    height, width = image.shape[:2]
    grow_h, grow_w = -height % multiple, -width % multiple
    top, left = grow_h // 2, grow_w // 2
    padding = [(top, grow_h - top), (left, grow_w - left)] + [(0, 0)] * (image.ndim - 2)
    padded = np.pad(image, padding, mode="reflect") if grow_h or grow_w else image
    return padded, (top, left, height, width)
