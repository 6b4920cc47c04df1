"""A GAN that paints: patches of one painting to learn from, and Gram statistics to judge (notebook 06).

One painting is a single picture, far too little for a GAN — but it holds thousands of
small patches, all in the same style. A DCGAN trained on random patches learns to paint
*new* patches in that style. Whether they have the style is measured the way notebook 02
measured style: by the Gram matrices of VGG19's activations, averaged over many patches.

- :func:`picture`          a famous painting when it can be downloaded, else one of the course's styles
- :func:`random_patches`   random square patches of a picture, in [-1, 1] for the GAN
- :func:`noise_patches`    a baseline: patches of random colours with the picture's mean and spread
- :func:`gram_statistics`  mean Gram matrix per VGG19 layer over a set of patches
- :func:`gram_distances`   how far two sets of patches are apart, layer by layer
- :func:`gram_metric`      that distance for a GAN's samples, as a metric for the trainer

A set of patches is shown as one picture with :func:`course_utils.grids.patchwork`.
"""

from __future__ import annotations

import numpy as np

from ..validate import positive_int as _positive_int
from .. import data, losses
from ..errors import DownloadError, SettingError
from .dcgan import as_gan_images
from ..i18n import _

__all__ = ["GRAM_LAYERS", "picture", "random_patches", "noise_patches", "gram_statistics", "gram_distances",
           "gram_metric"]

#: VGG19 layers whose Gram matrices describe the style of small patches (deeper layers
#: of a 32-pixel patch have only 2×2 positions or fewer).
GRAM_LAYERS = ("block1_conv1", "block2_conv1", "block3_conv1")


def _patch_batch(patches, name: str = "patches") -> np.ndarray:
    # TRANSLATORS: completes "{name} must be {what} (N, height, width, 3) in [-1, 1] …".
    return as_gan_images(patches, name, channels=3, what=_("colour patches, a float array"))


def picture(name: str, size=None, *, fallback: str = "swirl") -> tuple[np.ndarray, str]:
    """(image, name used): a painting or style from the catalogue, or ``fallback`` when it cannot be had.

    Famous paintings (:data:`course_utils.data.PAINTINGS`) are downloaded on first use;
    without a network this prints one sentence and uses the course's own style
    ``fallback`` instead, so a notebook goes on offline.
    """
    if name in data.PAINTINGS:
        try:
            return data.painting(name, size), name
        except DownloadError as err:
            print(_("{title} could not be downloaded ({reason}), so the course's own style {fallback!r} is used "
                    "instead.").format(title=data.PAINTINGS[name]["title"], reason=_reason(err), fallback=fallback))
            name = fallback
    return data.style(name, size), name


def _reason(err) -> str:
    """Why a download failed, in a few words, read from its message (in English or in Chinese)."""
    text = str(err)
    # TRANSLATORS: the reason in "{title} could not be downloaded ({reason}), so the course's own style … is used".
    if "no network connection" in text or "网络" in text:
        return _("no network connection")
    if "timed out" in text or "超时" in text:
        return _("timed out")
    if "checksum" in text or "校验" in text:
        return _("checksum")
    return _("no connection")


def random_patches(image, size: int = 32, count: int = 2048, *, seed: int = 0, flips: bool = True) -> np.ndarray:
    """``count`` square patches of ``size`` pixels from random places in ``image``, in [-1, 1].

    ``image`` is in the course's format (float (H, W, 3) in [0, 1]). With ``flips``,
    half of the patches are mirrored left-right: more variety, the same style.
    Returns float32 (count, size, size, 3).
    """
    from ..images import to_float_rgb

    # TRANSLATORS: the subject of an error about a picture, e.g. "{name} must be …".
    picture_ = to_float_rgb(image, _("the image"))
    size, count = _positive_int(size, "size", "32"), _positive_int(count, "count", "2048")
    height, width = picture_.shape[:2]
    if size > min(height, width):
        raise SettingError(_("patches of {size} pixels do not fit in a {height}×{width} picture; "
                              "choose size <= {largest} or a larger picture.").format(
            size=size, height=height, width=width, largest=min(height, width)))
    rng = np.random.default_rng(seed)
    tops = rng.integers(0, height - size + 1, count)
    lefts = rng.integers(0, width - size + 1, count)
    rows = tops[:, None] + np.arange(size)[None, :]
    cols = lefts[:, None] + np.arange(size)[None, :]
    out = picture_[rows[:, :, None], cols[:, None, :]]  # (count, size, size, 3)
    if flips:
        mirrored = rng.random(count) < 0.5
        out[mirrored] = out[mirrored, :, ::-1]
    return (out * 2.0 - 1.0).astype(np.float32)


def noise_patches(like, count: int | None = None, *, seed: int = 0) -> np.ndarray:
    """A baseline: independent random pixels with the mean and spread of each colour channel of ``like``.

    Same colours on average, no strokes, no structure: what a score for style should rank far from the painting.
    """
    x = _patch_batch(like, "like")
    count = len(x) if count is None else _positive_int(count, "count", "256")
    mean, std = x.mean(axis=(0, 1, 2)), x.std(axis=(0, 1, 2))
    noise = np.random.default_rng(seed).normal(mean, std, (count,) + x.shape[1:])
    return np.clip(noise, -1.0, 1.0).astype(np.float32)


def gram_statistics(patches, extractor, *, batch_size: int = 128) -> dict:
    """layer -> the mean over ``patches`` of each patch's Gram matrix (C, C), float64.

    ``extractor`` is a :func:`course_utils.models.feature_extractor` for the layers
    wanted (e.g. :data:`GRAM_LAYERS`); patches are in [-1, 1].
    """
    x = _patch_batch(patches)
    batch_size = _positive_int(batch_size, "batch_size", "128")
    sums = {}
    for start in range(0, len(x), batch_size):
        pixels = (x[start: start + batch_size] + 1.0) / 2.0
        for layer, acts in extractor(pixels).items():
            grams = np.asarray(losses.gram_matrix(acts), np.float64)  # (B, C, C), divided by H*W
            sums[layer] = sums.get(layer, 0.0) + grams.sum(axis=0)
    return {layer: total / len(x) for layer, total in sums.items()}


def gram_distances(patches, reference: dict, extractor) -> dict:
    """layer -> ``losses.gram_distance`` of the patches' mean Gram matrix from ``reference``'s; "mean": their mean.

    ``reference`` is what :func:`gram_statistics` returned for the patches to compare
    with (the real ones). 0 means the same statistics; about 1, as different as the
    reference is large.
    """
    stats = gram_statistics(patches, extractor)
    missing = [layer for layer in stats if layer not in reference]
    if missing:
        raise SettingError(_("the reference has no Gram matrix for layer {layer!r}; compute both with the same "
                              "extractor.").format(layer=missing[0]))
    out = {layer: float(losses.gram_distance(stats[layer], reference[layer])) for layer in stats}
    out["mean"] = float(np.mean(list(out.values())))
    return out


def gram_metric(real, extractor, *, samples: int = 256, seed: int = 0):
    """A function ``metric(gan) -> {"gram_distance": ...}`` for :class:`~course_utils.gan.trainer.GANTrainer`.

    It generates ``samples`` patches from the same fixed noise every time and returns the
    mean over layers of :func:`gram_distances` to the Gram statistics of ``real``
    (computed once).
    """
    reference = gram_statistics(real, extractor)
    samples = _positive_int(samples, "samples", "256")

    def metric(gan) -> dict:
        noise = np.random.default_rng([seed, 6]).standard_normal((samples, gan.latent_dim)).astype(np.float32)
        fake = np.asarray(gan.generate(noise))
        return {"gram_distance": gram_distances(fake, reference, extractor)["mean"]}

    return metric
