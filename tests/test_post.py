"""Colour control and post-processing (course_utils.post): NumPy and scikit-image only, fast."""

import numpy as np
import pytest
from skimage.color import rgb2yiq

from course_utils import post
from course_utils.errors import ImageError


def mid_tones(shape, seed):
    """Random colours in [0.4, 0.6]: every YIQ mix of two of them stays inside RGB."""
    return np.random.default_rng(seed).uniform(0.4, 0.6, shape).astype(np.float32)


# ---------------------------------------------------------------- luminance_transfer


def test_luminance_transfer_takes_luminance_from_the_stylised_and_chroma_from_the_photo():
    stylised, content = mid_tones((24, 32, 3), 0), mid_tones((24, 32, 3), 1)
    out = post.luminance_transfer(stylised, content)
    assert out.shape == stylised.shape and out.dtype == np.float32
    np.testing.assert_allclose(rgb2yiq(out)[..., 0], rgb2yiq(stylised)[..., 0], atol=1e-5)
    np.testing.assert_allclose(rgb2yiq(out)[..., 1:], rgb2yiq(content)[..., 1:], atol=1e-5)


def test_luminance_transfer_of_a_gray_photo_is_gray_and_clipped():
    stylised = np.random.default_rng(2).uniform(size=(16, 20, 3)).astype(np.float32)
    gray = np.full((16, 20, 3), 0.3, np.float32)
    out = post.luminance_transfer(stylised, gray)
    np.testing.assert_allclose(out[..., 0], out[..., 1], atol=1e-5)
    np.testing.assert_allclose(out[..., 1], out[..., 2], atol=1e-5)
    saturated = np.zeros((8, 8, 3), np.float32)
    saturated[..., 0] = 1.0  # pure red: its chroma plus a white stroke's luminance leaves RGB
    out = post.luminance_transfer(np.ones((8, 8, 3), np.float32), saturated)
    assert 0.0 <= out.min() and out.max() <= 1.0 and out.dtype == np.float32


def test_luminance_transfer_resizes_the_photo_to_the_stylised_shape():
    content = np.zeros((40, 48, 3), np.float32)
    content[..., 2] = 0.6  # blue
    content[..., :2] = 0.3
    stylised = mid_tones((20, 24, 3), 3)
    out = post.luminance_transfer(stylised, content)
    assert out.shape == (20, 24, 3)
    np.testing.assert_allclose(rgb2yiq(out)[..., 1:], rgb2yiq(content[:20, :24])[..., 1:], atol=1e-4)
    np.testing.assert_allclose(post.luminance_transfer(stylised, content[::2, ::2]), out, atol=1e-5)


# ----------------------------------------------------------------- match_histograms


def test_match_histograms_gives_the_reference_quantiles():
    rng = np.random.default_rng(4)
    image = rng.uniform(size=(30, 40, 3)).astype(np.float32)
    reference = np.stack([rng.beta(2, 5, (36, 36)), rng.beta(5, 2, (36, 36)), rng.uniform(0.2, 0.4, (36, 36))],
                         -1).astype(np.float32)
    out = post.match_histograms(image, reference)
    assert out.shape == image.shape and out.dtype == np.float32
    q = [0.05, 0.25, 0.5, 0.75, 0.95]
    for c in range(3):
        np.testing.assert_allclose(np.quantile(out[..., c], q), np.quantile(reference[..., c], q), atol=0.02)
    # the order of the pixels (the picture's structure) is kept, channel by channel
    assert np.corrcoef(out[..., 0].ravel(), image[..., 0].ravel())[0, 1] > 0.95


def test_match_histograms_accepts_uint8_and_rejects_non_images():
    image = (np.arange(48 * 3).reshape(4, 12, 3) % 256).astype(np.uint8)
    out = post.match_histograms(image, mid_tones((8, 8, 3), 5))
    assert out.dtype == np.float32 and 0.4 <= out.min() and out.max() <= 0.6
    with pytest.raises(ImageError, match="The reference image has shape"):
        post.match_histograms(image, np.zeros((8, 8, 2), np.float32))


# ------------------------------------------------------------------ enhance_details


def local_contrast(image):
    """Mean absolute difference between neighbouring pixels."""
    return np.abs(np.diff(image, axis=0)).mean() + np.abs(np.diff(image, axis=1)).mean()


def test_enhance_details_raises_local_contrast_and_leaves_flat_areas_flat():
    from scipy.ndimage import gaussian_filter

    rng = np.random.default_rng(6)
    soft = gaussian_filter(rng.uniform(0.3, 0.7, (32, 32, 3)), sigma=(1.5, 1.5, 0)).astype(np.float32)
    sharp = post.enhance_details(soft, amount=1.0, radius=1.0)
    assert sharp.shape == soft.shape and sharp.dtype == np.float32
    assert local_contrast(sharp) > 1.05 * local_contrast(soft)
    assert abs(sharp.mean() - soft.mean()) < 0.01  # sharpening does not change the overall brightness
    assert local_contrast(post.enhance_details(soft, amount=2.0)) > local_contrast(sharp)
    np.testing.assert_allclose(post.enhance_details(soft, amount=0.0), soft, atol=1e-6)
    flat = np.full((16, 16, 3), 0.25, np.float32)
    np.testing.assert_allclose(post.enhance_details(flat, amount=3.0), flat, atol=1e-6)
    edge = np.zeros((16, 16, 3), np.float32)
    edge[:, 8:] = 1.0
    out = post.enhance_details(edge, amount=5.0)
    assert out.min() >= 0.0 and out.max() <= 1.0  # the overshoot at the edge is clipped


def test_enhance_details_is_an_unsharp_mask_of_every_channel():
    from scipy.ndimage import gaussian_filter

    image = mid_tones((20, 24, 3), 11)
    blurred = gaussian_filter(image, sigma=(1.5, 1.5, 0), mode="reflect")
    expected = np.clip(image + 0.8 * (image - blurred), 0, 1)
    np.testing.assert_allclose(post.enhance_details(image, amount=0.8, radius=1.5), expected, atol=1e-5)


@pytest.mark.parametrize("kwargs, message", [
    ({"amount": -0.5}, "amount must be a number >= 0"),
    ({"amount": float("nan")}, "amount must be"),
    ({"amount": "strong"}, "amount must be"),
    ({"radius": 0}, "radius must be a number > 0"),
    ({"radius": True}, "radius must be"),
])
def test_enhance_details_checks_its_settings(kwargs, message):
    with pytest.raises(ValueError, match=message):
        post.enhance_details(mid_tones((8, 8, 3), 7), **kwargs)


# ------------------------------------------------------------------- colour_correct


def test_colour_correct_gives_the_reference_mean_and_std():
    rng = np.random.default_rng(8)
    image = rng.uniform(0.2, 0.5, (24, 30, 3)).astype(np.float32)
    reference = np.stack([rng.normal(0.6, 0.05, (20, 20)), rng.normal(0.4, 0.1, (20, 20)),
                          rng.normal(0.5, 0.02, (20, 20))], -1).clip(0, 1).astype(np.float32)
    out = post.colour_correct(image, reference)
    assert out.shape == image.shape and out.dtype == np.float32
    np.testing.assert_allclose(out.mean(axis=(0, 1)), reference.mean(axis=(0, 1)), atol=1e-4)
    np.testing.assert_allclose(out.std(axis=(0, 1)), reference.std(axis=(0, 1)), atol=1e-4)
    np.testing.assert_allclose(np.corrcoef(out[..., 1].ravel(), image[..., 1].ravel())[0, 1], 1.0, atol=1e-5)


def test_colour_correct_of_a_flat_channel_and_clipping():
    image = mid_tones((10, 10, 3), 9)
    image[..., 2] = 0.5  # one flat channel
    reference = np.stack([np.linspace(0, 1, 100).reshape(10, 10)] * 3, -1).astype(np.float32)
    out = post.colour_correct(image, reference)
    np.testing.assert_allclose(out[..., 2], reference[..., 2].mean(), atol=1e-6)
    assert 0.0 <= out.min() and out.max() <= 1.0


# ---------------------------------------------------------------------- bad inputs


@pytest.mark.parametrize("bad, message", [
    (np.zeros((8, 8, 2), np.float32), "has shape"),
    (np.zeros((2, 8, 8, 3), np.float32), "has shape"),
    (np.zeros((0, 8, 3), np.float32), "has shape"),
    (np.zeros((8, 8, 3), np.int64), "dtype int64"),
    (np.full((8, 8, 3), 255.0, np.float32), "divide it by 255"),
    (np.array([["a"]]), "expected numbers"),
    (np.full((8, 8, 3), np.nan, np.float32), "NaN"),
])
@pytest.mark.parametrize("call", ["luminance_transfer", "match_histograms", "enhance_details", "colour_correct"])
def test_non_images_give_one_sentence(call, bad, message):
    good = mid_tones((8, 8, 3), 10)
    args = (bad,) if call == "enhance_details" else (bad, good)
    with pytest.raises(ImageError, match=message) as info:
        getattr(post, call)(*args)
    text = str(info.value)
    assert isinstance(info.value, ValueError) and "\n" not in text and text.endswith(".")
    if call != "enhance_details":  # the second argument is checked as well
        with pytest.raises(ImageError, match=message):
            getattr(post, call)(good, bad)


def test_missing_file():
    with pytest.raises(ImageError, match="No file at"):
        post.enhance_details("no-such-picture.png")
