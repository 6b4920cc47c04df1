"""DCGAN builders and the digits they learn from (MNIST through a real local HTTP server)."""

import gzip

import numpy as np
import pytest

from course_utils import data
from course_utils.errors import DownloadError
from course_utils.gan import dcgan


@pytest.mark.parametrize("size, expected", [(16, (4, 2)), (28, (7, 2)), (32, (4, 3)), (64, (4, 4)), (12, (6, 1))])
def test_stages(size, expected):
    assert dcgan.stages(size) == expected


@pytest.mark.parametrize("size", [7, 30, 0, 100])
def test_sizes_that_cannot_be_halved_are_refused(size):
    with pytest.raises(ValueError, match="size"):
        dcgan.stages(size)


@pytest.mark.slow
@pytest.mark.parametrize("size, channels", [(16, 1), (28, 1), (32, 3)])
def test_generator_and_discriminator_shapes(size, channels):
    g = dcgan.generator(size, channels, latent_dim=8, width=8)
    d = dcgan.discriminator(size, channels, width=8)
    images = g(np.random.default_rng(0).normal(size=(3, 8)).astype(np.float32)).numpy()
    assert images.shape == (3, size, size, channels)
    assert images.min() >= -1 and images.max() <= 1  # tanh
    assert d(images).shape == (3, 1)


@pytest.mark.slow
def test_conditional_networks_take_labels():
    g = dcgan.generator(16, latent_dim=8, width=8, n_classes=10)
    d = dcgan.discriminator(16, width=8, n_classes=10)
    noise = np.zeros((2, 8), np.float32)
    a, b = g([noise, np.array([1, 7])]).numpy()
    assert not np.allclose(a, b), "the same noise with other labels should give other images"
    assert d([np.zeros((2, 16, 16, 1), np.float32), np.array([1, 7])]).shape == (2, 1)


def test_bad_builder_arguments_are_one_sentence():
    with pytest.raises(ValueError, match="width must be a whole number"):
        dcgan.generator(16, width=0)
    with pytest.raises(ValueError, match="dropout must be a number >= 0 and < 1"):
        dcgan.discriminator(16, dropout=1.5)


def test_sklearn_digits_in_minus_one_to_one():
    images, labels = data.digits(16, value_range=(-1, 1))
    assert images.shape == (1797, 16, 16, 1) and images.dtype == np.float32
    assert images.min() == -1.0 and images.max() == 1.0
    assert labels.dtype == np.int64 and set(labels) == set(range(10))
    small, _ = data.digits(8, limit=5, value_range=(-1, 1))
    assert small.shape == (5, 8, 8, 1)


def test_unknown_source_is_one_sentence():
    with pytest.raises(ValueError, match="source must be one of 'sklearn'"):
        data.digits(16, "cifar", value_range=(-1, 1))


@pytest.mark.network
def test_mnist_from_a_local_server(cache, server):
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (20, 28, 28), dtype=np.uint8)
    y = rng.integers(0, 10, 20, dtype=np.uint8)
    np.savez(server.root / "mnist.npz", x_train=x, y_train=y, x_test=x[:2], y_test=y[:2])
    images, labels = data.digits(28, "mnist", base_url=server.url + "/", value_range=(-1, 1))
    np.testing.assert_allclose(images[..., 0], x / 255 * 2 - 1, atol=1e-6)
    np.testing.assert_array_equal(labels, y)
    server.stop()  # the second call is served from the cache
    again, _ = data.digits(14, "mnist", base_url=server.url + "/", limit=4, value_range=(-1, 1))
    assert again.shape == (4, 14, 14, 1)


@pytest.mark.network
def test_fashion_mnist_idx_files_from_a_local_server(cache, server):
    x = np.arange(3 * 28 * 28, dtype=np.uint32).reshape(3, 28, 28) % 256
    y = np.array([9, 0, 4], np.uint8)
    for name, magic, array in (("train-images-idx3-ubyte.gz", 0x0803, x.astype(np.uint8)),
                               ("train-labels-idx1-ubyte.gz", 0x0801, y)):
        header = magic.to_bytes(4, "big") + b"".join(n.to_bytes(4, "big") for n in array.shape)
        (server.root / name).write_bytes(gzip.compress(header + array.tobytes()))
    images, labels = data.digits(28, "fashion_mnist", base_url=server.url + "/", value_range=(-1, 1))
    np.testing.assert_allclose(images[..., 0], x / 255 * 2 - 1, atol=1e-6)
    np.testing.assert_array_equal(labels, y)


@pytest.mark.network
def test_offline_mnist_says_what_to_do(cache, closed_port):
    with pytest.raises(DownloadError, match="use source='sklearn'") as err:
        data.digits(28, "mnist", base_url=f"http://127.0.0.1:{closed_port}/", value_range=(-1, 1))
    assert "\n" not in str(err.value)


def test_as_gan_images_accepts_the_gan_range_and_names_each_problem():
    x = np.zeros((2, 4, 4, 3), np.float64)
    out = dcgan.as_gan_images(x, channels=3)
    assert out.dtype == np.float32 and out.shape == (2, 4, 4, 3)
    for bad, pattern in [(x[0], "must be a float array"), (x[:0], "must be a float array"),
                         (x.astype(np.uint8), "must be a float array"), (x + 2, r"must lie in \[-1, 1\]"),
                         (np.full_like(x, np.nan), "NaN or infinite")]:
        with pytest.raises(ValueError, match=pattern):
            dcgan.as_gan_images(bad)
    with pytest.raises(ValueError, match=r"colour patches, a float array \(N, height, width, 3\)"):
        dcgan.as_gan_images(x[..., :1], "patches", channels=3, what="colour patches, a float array")
