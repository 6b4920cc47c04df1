"""Patches of a painting for the painting GAN, and Gram statistics to compare sets of patches."""

import numpy as np
import pytest

from course_utils import data, models
from course_utils.errors import DownloadError
from course_utils.gan import patches


def picture(height=40, width=50, seed=0):
    return np.random.default_rng(seed).uniform(0, 1, (height, width, 3)).astype(np.float32)


def test_random_patches_are_crops_of_the_picture_in_minus_one_to_one():
    image = picture()
    out = patches.random_patches(image, 8, 30, seed=1, flips=False)
    assert out.shape == (30, 8, 8, 3) and out.dtype == np.float32
    assert out.min() >= -1 and out.max() <= 1
    scaled = image * 2 - 1
    for patch in out[:5]:  # each one is somewhere in the picture
        found = any(np.allclose(scaled[t: t + 8, l: l + 8], patch) for t in range(33) for l in range(43))
        assert found
    np.testing.assert_array_equal(patches.random_patches(image, 8, 30, seed=1, flips=False), out)
    flipped = patches.random_patches(image, 8, 200, seed=2)
    mirrored = [any(np.allclose(scaled[t: t + 8, l: l + 8, :][:, ::-1], p) for t in range(33) for l in range(43))
                for p in flipped[:20]]
    assert 3 < sum(mirrored) < 17  # about half of them mirrored


def test_noise_patches_have_the_colours_but_not_the_structure():
    image = picture()
    real = patches.random_patches(np.clip(image * 0.3 + np.array([0.6, 0.2, 0.1]), 0, 1), 8, 100)
    noise = patches.noise_patches(real, 400, seed=0)
    assert noise.shape == (400, 8, 8, 3)
    np.testing.assert_allclose(noise.mean(axis=(0, 1, 2)), real.mean(axis=(0, 1, 2)), atol=0.02)


class FakeExtractor:
    """Stands in for VGG19: 'layer' is the pixels themselves, 'squared' their squares."""

    def __call__(self, pixels):
        x = np.asarray(pixels, np.float32)
        return {"layer": x, "squared": x ** 2}


def test_gram_statistics_average_the_gram_matrices_of_the_patches():
    x = patches.random_patches(picture(), 8, 10, seed=3)
    stats = patches.gram_statistics(x, FakeExtractor(), batch_size=3)
    pixels = ((x + 1) / 2).reshape(10, 64, 3).astype(np.float64)
    expected = np.mean([p.T @ p / 64 for p in pixels], axis=0)
    np.testing.assert_allclose(stats["layer"], expected, rtol=1e-5)
    distances = patches.gram_distances(x, stats, FakeExtractor())
    assert distances["layer"] == pytest.approx(0, abs=1e-6) and set(distances) == {"layer", "squared", "mean"}
    with pytest.raises(ValueError, match="no Gram matrix for layer 'squared'"):
        patches.gram_distances(x, {"layer": stats["layer"]}, FakeExtractor())


def test_gram_metric_measures_a_gans_samples():
    from course_utils._tf import keras
    from course_utils.gan import GAN, dcgan

    keras.utils.set_random_seed(0)
    gan = GAN(dcgan.generator(8, channels=3, latent_dim=8, width=8), dcgan.discriminator(8, channels=3, width=8))
    real = patches.random_patches(picture(), 8, 40)
    metric = patches.gram_metric(real, FakeExtractor(), samples=20)
    first = metric(gan)
    assert set(first) == {"gram_distance"} and first["gram_distance"] > 0
    assert metric(gan) == first
    noise = np.random.default_rng([0, 6]).standard_normal((20, 8)).astype(np.float32)
    fake = np.asarray(gan.generate(noise))
    expected = patches.gram_distances(fake, patches.gram_statistics(real, FakeExtractor()), FakeExtractor())["mean"]
    # the metric runs the generator and VGG on its own batches: float32 results a few roundings apart
    assert first["gram_distance"] == pytest.approx(expected, rel=1e-4)


@pytest.mark.slow
def test_with_vgg19_real_patches_are_closer_to_their_style_than_noise_or_another_style(vgg):
    extractor = models.feature_extractor(patches.GRAM_LAYERS, base=vgg)
    swirl = data.style("swirl", 128)
    reference = patches.gram_statistics(patches.random_patches(swirl, 32, 64, seed=0), extractor)
    same = patches.gram_distances(patches.random_patches(swirl, 32, 64, seed=1), reference, extractor)["mean"]
    other = patches.gram_distances(patches.random_patches(data.style("mosaic", 128), 32, 64), reference,
                                   extractor)["mean"]
    noise = patches.gram_distances(patches.noise_patches(patches.random_patches(swirl, 32, 64)), reference,
                                   extractor)["mean"]
    assert same < 0.5 * other and same < 0.5 * noise


def test_picture_falls_back_to_the_course_style_offline(monkeypatch, capsys):
    def offline(name, size=None):
        raise DownloadError("Could not download starry_night.jpg: no network connection (the host name could "
                            "not be found); connect to the internet.")

    monkeypatch.setattr(data, "painting", offline)
    image, used = patches.picture("starry_night", 64)
    assert used == "swirl" and image.shape[2] == 3 and max(image.shape[:2]) == 64
    out = capsys.readouterr().out.strip()
    assert out == ("The Starry Night could not be downloaded (no network connection), so the course's own style "
                   "'swirl' is used instead.")
    image, used = patches.picture("mosaic", 32)
    assert used == "mosaic"


@pytest.mark.parametrize("call, pattern", [
    (lambda: patches.random_patches(picture(), 64), "do not fit in a 40×50 picture"),
    (lambda: patches.random_patches(picture(), 0), "size must be a whole number"),
    (lambda: patches.noise_patches(np.zeros((2, 4, 4, 1), np.float32)), "must be colour patches"),
])
def test_bad_arguments_get_one_sentence(call, pattern):
    with pytest.raises(ValueError, match=pattern) as err:
        call()
    assert "\n" not in str(err.value)
