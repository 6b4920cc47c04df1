"""Feature maps and filters as pictures: on synthetic arrays and on real VGG19 activations."""

import re

import numpy as np
import pytest

from course_utils import features, models, plotting
from course_utils._tf import tf
from course_utils.errors import ImageError


def one_sentence(err) -> str:
    message = str(err.value)
    assert "\n" not in message and message.endswith("."), message
    assert not re.search(r"\.\s+[A-Z]", message), f"more than one sentence: {message}"
    return message


def photo(height=64, width=48):
    """A smooth colourful test picture with an edge in it."""
    y, x = np.mgrid[0:height, 0:width] / max(height, width)
    picture = np.stack([x, y, 0.5 + 0.5 * np.sin(6 * x * y)], axis=-1)
    picture[:, width // 2:] *= 0.5
    return picture.astype(np.float32)


# ------------------------------------------------------------------ normalise_map


def test_normalise_map_spans_zero_to_one():
    fmap = np.array([[2.0, 4.0], [6.0, 10.0]])
    got = features.normalise_map(fmap)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, [[0.0, 0.25], [0.5, 1.0]])
    rng = np.random.default_rng(0)
    noisy = rng.normal(-3, 7, size=(9, 13)).astype(np.float32)
    scaled = features.normalise_map(tf.constant(noisy))
    assert isinstance(scaled, np.ndarray) and scaled.min() == 0.0 and scaled.max() == 1.0
    np.testing.assert_allclose(features.normalise_map(noisy * 5 + 2), scaled, atol=1e-6)


@pytest.mark.parametrize("value", [0.0, 3.5, -2.0])
def test_normalise_map_of_a_constant_map_is_zero(value):
    got = features.normalise_map(np.full((4, 5), value))
    assert got.dtype == np.float32 and np.all(np.isfinite(got))
    np.testing.assert_array_equal(got, np.zeros((4, 5)))


@pytest.mark.parametrize("fmap, message", [
    (np.zeros((4, 4, 3)), r"fmap must be one 2-D feature map of shape \(H, W\), got shape \(4, 4, 3\)"),
    (np.zeros(5), r"got shape \(5,\); pick one channel first"),
    (np.zeros((0, 3)), r"got shape \(0, 3\)"),
    (np.array([[1.0, np.nan]]), "fmap contains NaN"),
    (np.array([["a", "b"]]), "fmap must hold numbers"),
])
def test_normalise_map_rejects_bad_input(fmap, message):
    with pytest.raises(ValueError, match=message) as err:
        features.normalise_map(fmap)
    one_sentence(err)


# ------------------------------------------------------------------ top_channels, channel_maps


def test_top_channels_orders_by_mean_activation():
    acts = np.zeros((3, 4, 5), np.float32)
    acts[..., 3] = 5.0
    acts[..., 1] = 2.0
    acts[0, 0, 4] = 12.0  # one strong pixel: mean 1.0
    assert features.top_channels(acts, 3) == [3, 1, 4]
    assert features.top_channels(acts[None], 1) == [3]
    assert features.top_channels(tf.constant(acts), 99) == [3, 1, 4, 0, 2]  # clipped to C; ties keep their order
    assert all(isinstance(c, int) for c in features.top_channels(acts, 2))
    for k in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="k must be a whole number >= 1") as err:
            features.top_channels(acts, k)
        one_sentence(err)
    with pytest.raises(ValueError, match=r"activations of one image, \(H, W, C\) or \(1, H, W, C\)") as err:
        features.top_channels(np.zeros((2, 3, 3, 4)), 1)
    one_sentence(err)


def test_channel_maps_are_ready_for_show_grid():
    rng = np.random.default_rng(1)
    acts = rng.random((1, 6, 7, 10), dtype=np.float32) * 9
    maps = features.channel_maps(acts, [7, 2])
    assert list(maps) == ["channel 7", "channel 2"]
    for c, fmap in zip((7, 2), maps.values()):
        assert fmap.shape == (6, 7) and fmap.dtype == np.float32
        np.testing.assert_allclose(fmap, features.normalise_map(acts[0, :, :, c]))
    assert list(features.channel_maps(acts[0], np.int64(4))) == ["channel 4"]
    plotting.grid_figure(maps)  # draws without complaint
    for channels, message in [([10], "whole numbers from 0 to 9"), ([-1], "got -1"), ([1.0], "got 1.0"),
                              ([], "channels is empty"), (None, "channels must be a list of channel indices")]:
        with pytest.raises(ValueError, match=message) as err:
            features.channel_maps(acts, channels)
        one_sentence(err)


# ------------------------------------------------------------------ filter_tiles


def test_filter_tiles_scale_each_filter_around_grey():
    kernel = np.zeros((3, 3, 3, 4), np.float32)
    kernel[0, 0, 0, 1] = 2.0   # filter 1: one positive red weight
    kernel[1, 1, 2, 2] = -0.1  # filter 2: one small negative blue weight
    kernel[..., 3] = np.linspace(-1, 3, 27).reshape(3, 3, 3)
    tiles = features.filter_tiles(kernel)
    assert len(tiles) == 4 and all(t.shape == (3, 3, 3) and t.dtype == np.float32 for t in tiles)
    np.testing.assert_array_equal(tiles[0], 0.5)  # all zero: grey
    assert tiles[1][0, 0, 0] == 1.0 and np.count_nonzero(tiles[1] != 0.5) == 1
    assert tiles[2][1, 1, 2] == 0.0, "scaled by its own largest weight, however small"
    assert tiles[3].max() == 1.0 and tiles[3].min() == pytest.approx(1 / 3)

    deep = np.random.default_rng(2).normal(size=(5, 5, 8, 6)).astype(np.float32)
    tiles = features.filter_tiles(tf.constant(deep))
    assert len(tiles) == 6 and tiles[0].shape == (5, 5, 3)
    mean = deep[..., 0].mean(axis=2)
    for channel in range(3):  # grey: the same values in R, G and B, drawn on the images' fixed [0, 1] scale
        np.testing.assert_allclose(tiles[0][:, :, channel], 0.5 + 0.5 * mean / np.abs(mean).max(), rtol=1e-6)
    assert all(0.0 <= t.min() and t.max() <= 1.0 for t in tiles)
    with pytest.raises(ValueError, match=r"kernel must be a Conv2D kernel of shape \(kh, kw, cin, cout\)") as err:
        features.filter_tiles(np.zeros((3, 3, 3)))
    one_sentence(err)


# ------------------------------------------------------------------ real VGG19 activations


@pytest.mark.slow
def test_layer_maps_of_vgg19(vgg):
    picture = photo(64, 48)
    maps = features.layer_maps(picture, ["block1_conv1", "block3_conv1"], base=vgg)
    assert list(maps) == ["block1_conv1", "block3_conv1"]
    assert maps["block1_conv1"].shape == (64, 48, 64) and maps["block3_conv1"].shape == (16, 12, 256)
    assert all(a.dtype == np.float32 and isinstance(a, np.ndarray) for a in maps.values())
    assert min(a.min() for a in maps.values()) >= 0.0, "after ReLU"
    reference = models.feature_extractor(["block3_conv1"], vgg)(picture[None])["block3_conv1"][0]
    np.testing.assert_allclose(maps["block3_conv1"], reference.numpy(), rtol=1e-5, atol=1e-4)

    # One layer by name, only some channels, and uint8 pixels (rounded, so close rather than equal).
    picked = features.layer_maps(picture, "block1_conv1", channels=[5, 0], base=vgg)
    np.testing.assert_array_equal(picked["block1_conv1"], maps["block1_conv1"][..., [5, 0]])
    pixels = np.round(picture * 255).astype(np.uint8)
    np.testing.assert_allclose(features.layer_maps(pixels, "block1_conv1", base=vgg)["block1_conv1"],
                               maps["block1_conv1"], atol=2.0)

    # The first layer's filters are colour patterns; the most active channel of a layer is found.
    tiles = features.filter_tiles(vgg.get_layer("block1_conv1").kernel)
    assert len(tiles) == 64 and tiles[0].shape == (3, 3, 3)
    assert all(0.0 <= t.min() and t.max() <= 1.0 and (t.min() == 0.0 or t.max() == 1.0) for t in tiles)
    acts = maps["block3_conv1"]
    best = features.top_channels(acts, 4)
    assert best[0] == int(np.argmax(acts.mean(axis=(0, 1))))
    assert acts[..., best].mean(axis=(0, 1)).tolist() == sorted(acts[..., best].mean(axis=(0, 1)), reverse=True)
    assert len(features.channel_maps(acts, best)) == 4


@pytest.mark.slow
def test_layer_maps_explains_bad_input(vgg):
    with pytest.raises(ImageError, match=r"too small for layer 'block5_conv1'; give at least 16 pixels a side") as err:
        features.layer_maps(photo(10, 40), ["block1_conv1", "block5_conv1"], base=vgg)
    one_sentence(err)
    with pytest.raises(ImageError, match="expected an image of shape") as err:
        features.layer_maps(np.zeros((4, 4, 2, 3)), "block1_conv1", base=vgg)
    with pytest.raises(ValueError, match="VGG19 has no layer 'conv9'"):
        features.layer_maps(photo(), ["conv9"], base=vgg)
    with pytest.raises(ValueError, match="whole numbers from 0 to 63") as err:
        features.layer_maps(photo(), ["block1_conv1"], channels=[64], base=vgg)
    one_sentence(err)


def test_shuffle_positions_moves_whole_vectors_and_keeps_the_gram_matrix():
    from course_utils import losses

    rng = np.random.default_rng(0)
    acts = np.maximum(rng.normal(size=(1, 7, 9, 5)), 0).astype(np.float32)
    shuffled = features.shuffle_positions(acts, seed=1)
    assert shuffled.shape == (7, 9, 5) and not np.array_equal(shuffled, acts[0])
    rows = {tuple(v) for v in acts[0].reshape(-1, 5)}
    assert {tuple(v) for v in shuffled.reshape(-1, 5)} == rows, "each position keeps all its channels together"
    np.testing.assert_allclose(losses.gram_matrix(shuffled), losses.gram_matrix(acts[0]), rtol=1e-5)
    np.testing.assert_array_equal(shuffled, features.shuffle_positions(acts, seed=1))


def test_random_crops():
    image = np.random.default_rng(0).uniform(size=(30, 50, 3)).astype(np.float32)
    crops = features.random_crops(image, 20, count=3, seed=2)
    assert len(crops) == 3 and all(c.shape == (20, 20, 3) for c in crops)
    assert not np.array_equal(crops[0], crops[1])
    windows = np.lib.stride_tricks.sliding_window_view(image, (20, 20, 3))[..., :, :, :].reshape(-1, 20, 20, 3)
    assert any(np.array_equal(crops[0], w) for w in windows), "a crop is a piece of the image"
    with pytest.raises(ValueError, match=r"do not fit in a 30×50 image; choose size <= 30"):
        features.random_crops(image, 31)
    with pytest.raises(ValueError, match="count must be a positive whole number"):
        features.random_crops(image, 10, count=0)


@pytest.mark.slow
def test_style_grams(vgg):
    image = np.random.default_rng(0).uniform(size=(32, 32, 3)).astype(np.float32)
    grams = features.style_grams(image, ["block1_conv1", "block2_conv1"], base=vgg)
    assert grams["block1_conv1"].shape == (64, 64) and grams["block2_conv1"].shape == (128, 128)
    np.testing.assert_allclose(grams["block1_conv1"], grams["block1_conv1"].T, rtol=1e-5)
