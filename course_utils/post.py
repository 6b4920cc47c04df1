"""Colour control and finishing touches for style transfer.

Gatys et al. (2017), "Controlling perceptual factors in neural style transfer",
show that a painting's colours and its brush strokes can be separated. This
module holds the small image operations behind that, all on images in the
course's format (float32 (H, W, 3), RGB, values in [0, 1]):

- :func:`luminance_transfer` keep the stylised picture's brightness (its strokes)
  and put back the photo's colours, after the transfer ("luminance-only transfer");
- :func:`match_histograms` give the style image the photo's colours, before the
  transfer ("colour preservation by histogram matching");
- :func:`colour_correct` a simpler colour correction: match each channel's mean
  and standard deviation to a reference;
- :func:`enhance_details` sharpen with an unsharp mask.

Every function returns a new float32 image clipped to [0, 1]. Arrays that are not
images raise an :class:`~course_utils.errors.ImageError`; bad settings a
:class:`~course_utils.errors.SettingError`; both with one sentence that says what to do.
"""

from __future__ import annotations

import numpy as np

from . import images, validate
from .i18n import _

__all__ = ["luminance_transfer", "match_histograms", "enhance_details", "colour_correct"]

# A channel whose standard deviation is below this counts as flat (one colour).
_FLAT_STD = 1e-6


def _finish(image: np.ndarray) -> np.ndarray:
    """Clip to [0, 1] and return float32 (the course's image format)."""
    return np.clip(image, 0.0, 1.0).astype(np.float32)


def luminance_transfer(stylised, content) -> np.ndarray:
    """Keep the brightness of ``stylised`` and the colours of ``content``.

    Both images are converted to YIQ, the colour space Gatys et al. (2017) use:
    Y is the luminance (brightness), I and Q the chroma (colour). The result
    takes Y from the stylised picture, so it keeps its brush strokes, and I, Q
    from the photo, so it keeps the photo's colours; then it goes back to RGB.

    Parameters
    ----------
    stylised : image
        The output of style transfer, in the course's format (or any array
        :func:`images.load` takes).
    content : image
        The photo whose colours to keep. If its height and width differ from
        the stylised image's it is resized to them first (anti-aliased).

    Returns
    -------
    ndarray
        float32 (H, W, 3) with the stylised image's shape, clipped to [0, 1]
        (a bright stroke in a saturated colour can fall outside RGB, so its
        luminance changes a little where it is clipped).
    """
    from skimage.color import rgb2yiq, yiq2rgb

    stylised = images.as_image(stylised, _("The stylised image"))
    content = images.resize(images.as_image(content, _("The content image")), stylised.shape[:2])
    yiq = rgb2yiq(content)
    yiq[..., 0] = rgb2yiq(stylised)[..., 0]
    return _finish(yiq2rgb(yiq))


def match_histograms(image, reference) -> np.ndarray:
    """Give ``image`` the colour histograms of ``reference``, one RGB channel at a time.

    Used before style transfer to recolour the style image with the photo's
    colours, so the painting's strokes come out in the photo's palette
    ("colour preservation by histogram matching", Gatys et al. 2017). The two
    images may have different sizes. Uses :func:`skimage.exposure.match_histograms`.

    Returns
    -------
    ndarray
        float32 with ``image``'s shape, in [0, 1]; each channel's values are
        distributed like (have the quantiles of) the same channel of ``reference``.
    """
    from skimage import exposure

    image = images.as_image(image, _("The image to recolour"))
    reference = images.as_image(reference, _("The reference image"))
    return _finish(exposure.match_histograms(image, reference, channel_axis=-1))


def enhance_details(image, amount: float = 0.5, radius: float = 1.0) -> np.ndarray:
    """Sharpen ``image`` with an unsharp mask: add back ``amount`` times its fine detail.

    ``result = image + amount * (image - blurred)``, where ``blurred`` is a
    Gaussian blur of standard deviation ``radius`` pixels, per channel
    (:func:`skimage.filters.unsharp_mask`). Edges and strokes get crisper; a
    flat area stays as it is.

    Parameters
    ----------
    amount : float, >= 0
        How strongly to sharpen; 0 returns the image unchanged, 0.5 is gentle, 2 strong.
    radius : float, > 0
        The size, in pixels, of the details that are enhanced.

    Returns
    -------
    ndarray
        float32 with ``image``'s shape, clipped to [0, 1].
    """
    from skimage.filters import unsharp_mask

    amount = validate.number(amount, "amount", "amount=0.5", minimum=0)
    radius = validate.number(radius, "radius", "radius=1.0", above=0)
    image = images.as_image(image, _("The image to sharpen"))
    # channel_axis=2, not -1: scikit-image (up to 0.26 at least) slices the wrong axis for a
    # negative channel_axis here and returns garbage (scikit-image issue #7264).
    return _finish(unsharp_mask(image, radius=radius, amount=amount, channel_axis=2))


def colour_correct(image, reference) -> np.ndarray:
    """Shift and scale each channel of ``image`` to the mean and spread of ``reference``.

    For every RGB channel c: ``(image_c - mean(image_c)) / std(image_c) *
    std(reference_c) + mean(reference_c)``. A simple, global colour correction
    (a "colour transfer" in the manner of Reinhard et al. 2001, but in RGB):
    it fixes an overall colour cast or a washed-out result, and keeps the
    picture's structure. A flat channel (one value everywhere) becomes the
    reference's mean. The images may have different sizes.

    Returns
    -------
    ndarray
        float32 with ``image``'s shape, clipped to [0, 1] (so where values are
        clipped, the mean and standard deviation differ a little from the reference's).
    """
    image = images.as_image(image, _("The image to correct"))
    reference = images.as_image(reference, _("The reference image"))
    mean, std = image.mean(axis=(0, 1)), image.std(axis=(0, 1))
    ref_mean, ref_std = reference.mean(axis=(0, 1)), reference.std(axis=(0, 1))
    scale = np.where(std > _FLAT_STD, ref_std / np.maximum(std, _FLAT_STD), 0.0)
    return _finish((image - mean) * scale + ref_mean)

