"""The optimisation loop, end to end at a tiny size."""

import numpy as np
import pytest

from course_utils import transfer

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def objective(pair, vgg):
    return transfer.Objective(*pair, base=vgg)


@pytest.mark.parametrize("optimizer", transfer.OPTIMIZERS)
def test_stylize_lowers_the_loss_and_keeps_pixels_in_range(pair, objective, optimizer):
    calls = []
    result = transfer.stylize(*pair, steps=6, optimizer=optimizer, objective=objective, progress=False,
                              callback=lambda step, image, parts: calls.append((step, image.shape, set(parts))),
                              callback_every=3)
    assert result.image.shape == (40, 48, 3) and result.image.dtype == np.float32
    assert 0.0 <= result.image.min() and result.image.max() <= 1.0
    assert len(result.history["total"]) == 6
    assert result.history["total"][-1] < result.history["total"][0]
    assert result.final_loss == result.history["total"][-1]
    assert [c[0] for c in calls] == [3, 6] and calls[0][1] == (40, 48, 3)
    assert calls[0][2] == {"content", "style", "tv"}


def test_objective_parts_and_gradient(pair, objective):
    # in float32 (in bfloat16 the photo's own features are rounded: tests/test_transfer_precision.py)
    total, parts, grad = objective.value_and_grad(pair[0][None], "float32")
    assert float(parts["content"]) == pytest.approx(0.0, abs=1e-6), "the photo has no content loss against itself"
    assert float(parts["style"]) > 0 and float(parts["tv"]) > 0
    expected = sum(objective.weights[k] * float(parts[k]) for k in parts)
    assert float(total) == pytest.approx(expected, rel=1e-5)
    assert grad.shape == (1, 40, 48, 3) and np.any(grad.numpy() != 0)


@pytest.mark.parametrize("init", transfer.INITS)
def test_initial_images(pair, init):
    start = transfer.initial_image(*pair, init=init, seed=1)
    assert start.shape == pair[0].shape and start.dtype == np.float32
    if init == "content":
        np.testing.assert_array_equal(start, pair[0])
    if init == "noise":
        np.testing.assert_array_equal(start, transfer.initial_image(*pair, init="noise", seed=1))


def test_bad_arguments(pair, objective):
    with pytest.raises(ValueError, match="optimizer must be one of"):
        transfer.stylize(*pair, optimizer="newton", objective=objective)
    with pytest.raises(ValueError, match="steps must be a whole number >= 1"):
        transfer.stylize(*pair, steps=0, objective=objective)
    with pytest.raises(ValueError, match="init must be one of"):
        transfer.initial_image(*pair, init="blank")


# ------------------------------------------------------------------ blending styles


@pytest.fixture(scope="module")
def second_style():
    rng = np.random.default_rng(1)
    return rng.uniform(size=(32, 44, 3)).astype(np.float32) ** 2  # darker, another size


def test_blended_grams_are_the_weighted_average(pair, second_style, vgg):
    content, style = pair
    one = transfer.Objective(style=style, base=vgg)
    two = transfer.Objective(style=second_style, base=vgg)
    blend = transfer.Objective(content, [style, second_style], style_weights=[3, 1], base=vgg)
    assert blend.style_weights == pytest.approx((0.75, 0.25))
    assert set(blend.style_grams) == set(one.style_grams)
    for name, gram in blend.style_grams.items():
        expected = 0.75 * one.style_grams[name].numpy() + 0.25 * two.style_grams[name].numpy()
        np.testing.assert_allclose(gram.numpy(), expected, rtol=1e-5, atol=1e-6 * np.abs(expected).max())
    equal = transfer.Objective(style=(style, second_style), base=vgg)
    assert equal.style_weights == (0.5, 0.5)
    single = transfer.Objective(style=[style], base=vgg)
    for name, gram in single.style_grams.items():
        np.testing.assert_array_equal(gram.numpy(), one.style_grams[name].numpy())


@pytest.mark.parametrize("weights, message", [
    ([1.0], "has 1 numbers for 2 style image"),
    ([1.0, 2.0, 3.0], "has 3 numbers for 2 style image"),
    ([1.0, -1.0], "must be numbers >= 0"),
    ([1.0, float("nan")], "must be numbers >= 0"),
    ([1.0, "a"], "must be numbers >= 0"),
    ([0, 0], "all 0"),
    (0.5, "one number per style"),
])
def test_style_weights_are_checked(pair, second_style, vgg, weights, message):
    with pytest.raises(ValueError, match=message):
        transfer.Objective(pair[0], [pair[1], second_style], style_weights=weights, base=vgg)


def test_style_list_errors(pair, vgg):
    with pytest.raises(ValueError, match="empty list"):
        transfer.Objective(pair[0], [], base=vgg)
    with pytest.raises(ValueError, match="without a style image"):
        transfer.Objective(pair[0], style_weights=[1.0], base=vgg)


def test_initial_image_uses_the_first_style(pair, second_style):
    from course_utils import images

    first = transfer.initial_image(pair[0], [pair[1], second_style], init="style")
    np.testing.assert_array_equal(first, transfer.initial_image(*pair, init="style"))
    assert first.shape == pair[0].shape and first.dtype == np.float32
    np.testing.assert_allclose(first, images.resize(pair[1], pair[0].shape[:2]), atol=1e-6)  # the style, resized
    assert np.abs(first - pair[0]).mean() > 0.1  # not the photo
    assert np.abs(first - transfer.initial_image(pair[0], [second_style, pair[1]], init="style")).mean() > 0.05


# -------------------------------------------------------------- keeping the colours


@pytest.fixture(scope="module")
def colourful():
    """A photo-like image in mid tones with real colour (so YIQ round trips stay inside RGB)."""
    y, x = np.mgrid[0:40, 0:48] / 40.0
    return np.stack([0.5 + 0.15 * np.sin(3 * x), 0.5 + 0.15 * np.cos(2 * y), 0.5 - 0.1 * x], -1).astype(np.float32)


def test_preserve_colors_luminance_keeps_the_photos_chroma(colourful, pair, second_style, vgg):
    from skimage.color import rgb2yiq

    plain = transfer.stylize(colourful, [pair[1], second_style], steps=3, optimizer="adam", progress=False)
    kept = transfer.stylize(colourful, [pair[1], second_style], steps=3, optimizer="adam", progress=False,
                            preserve_colors="luminance")
    assert kept.image.shape == colourful.shape and kept.image.dtype == np.float32
    inside = np.all((kept.image > 1e-3) & (kept.image < 1 - 1e-3), axis=-1)  # not clipped
    assert inside.mean() > 0.5
    np.testing.assert_allclose(rgb2yiq(kept.image)[inside][:, 1:], rgb2yiq(colourful)[inside][:, 1:], atol=2e-3)
    np.testing.assert_allclose(rgb2yiq(kept.image)[inside][:, 0], rgb2yiq(plain.image)[inside][:, 0], atol=2e-3)
    assert kept.history["total"] == pytest.approx(plain.history["total"])


def test_preserve_colors_histogram_paints_with_the_photos_colours(colourful, pair):
    result = transfer.stylize(colourful, pair[1], steps=2, optimizer="adam", init="style", progress=False,
                              preserve_colors="histogram")
    plain = transfer.stylize(colourful, pair[1], steps=2, optimizer="adam", init="style", progress=False)
    assert result.image.shape == colourful.shape and len(result.history["total"]) == 2
    q = [0.1, 0.5, 0.9]
    for c in range(3):  # the style (uniform noise over [0, 1]) was recoloured with the photo's mid tones
        photo = np.quantile(colourful[..., c], q)
        np.testing.assert_allclose(np.quantile(result.image[..., c], q), photo, atol=0.05)
        assert np.abs(np.quantile(plain.image[..., c], q) - photo).max() > 0.2  # without it: the style's colours


def test_preserve_colors_is_checked(pair, objective):
    with pytest.raises(ValueError, match="preserve_colors must be None or one of"):
        transfer.stylize(*pair, preserve_colors="yiq", objective=objective)
    with pytest.raises(ValueError, match="prepared objective"):
        transfer.stylize(*pair, preserve_colors="histogram", objective=objective)


# ------------------------------------------------------------------ loop details, scale, coarse-to-fine


def test_times_are_recorded_per_step(pair, objective):
    result = transfer.stylize(*pair, steps=4, optimizer="adam", objective=objective, progress=False)
    assert len(result.times) == 4 and all(b >= a for a, b in zip(result.times, result.times[1:]))
    assert 0 < result.times[-1] <= result.seconds


def test_learning_rate_changes_the_first_order_steps(pair, objective):
    small = transfer.stylize(*pair, steps=3, optimizer="adam", learning_rate=1e-4, objective=objective,
                             progress=False)
    usual = transfer.stylize(*pair, steps=3, optimizer="adam", objective=objective, progress=False)
    assert np.abs(small.image - pair[0]).max() < np.abs(usual.image - pair[0]).max()


@pytest.mark.parametrize("optimizer, rate, message", [
    ("lbfgs", 0.1, "L-BFGS chooses its own step sizes"),
    ("adam", 0, "learning_rate must be a number > 0"),
    ("gd", float("nan"), "learning_rate must be a number > 0"),
    ("adam", True, "learning_rate must be a number > 0"),
])
def test_learning_rate_is_checked(pair, objective, optimizer, rate, message):
    with pytest.raises(ValueError, match=message):
        transfer.stylize(*pair, steps=2, optimizer=optimizer, learning_rate=rate, objective=objective)


def test_lbfgs_keeps_pixels_in_range_from_a_start_outside(pair, objective):
    start = np.clip(pair[0] * 1.4 - 0.2, -0.2, 1.2)  # some pixels outside [0, 1]
    result = transfer.optimize(objective, start, steps=5, progress=False)
    assert 0.0 <= result.image.min() and result.image.max() <= 1.0
    assert result.history["total"][-1] < result.history["total"][0]


def test_scale_style_sets_the_longest_side_relative_to_the_photo(pair):
    content, style = pair  # photo 40 x 48, style 40 x 40
    assert transfer.scale_style(style, content, 0.5).shape == (24, 24, 3)
    assert transfer.scale_style(style, content, 2.0).shape == (96, 96, 3)
    for bad in (0, -1, 100, float("inf"), "big", True):
        with pytest.raises(ValueError, match="style_scale must be a number from 0.05 to 8"):
            transfer.scale_style(style, content, bad)


def test_style_scale_changes_the_style_statistics(pair, vgg):
    content, style = pair
    seen = {}
    for scale in (0.5, 2.0):
        result = transfer.stylize(content, style, steps=1, optimizer="adam", style_scale=scale, progress=False)
        seen[scale] = result.history["style"][0]
    assert seen[0.5] != pytest.approx(seen[2.0], rel=1e-3)


def test_start_must_match_the_photo(pair, objective):
    with pytest.raises(ValueError, match="start has shape"):
        transfer.stylize(*pair, steps=1, objective=objective, start=np.zeros((8, 8, 3), np.float32))


def test_coarse_to_fine_runs_on_across_stages(pair, vgg):
    content, style = pair
    calls = []
    result = transfer.coarse_to_fine(content, style, sizes=(24, 48), steps=(3, 2), optimizer="adam",
                                     progress=False, callback=lambda step, image, parts:
                                     calls.append((step, image.shape)), callback_every=1)
    assert result.image.shape == (40, 48, 3) and 0 <= result.image.min() and result.image.max() <= 1
    assert result.stages == [(24, 3), (48, 5)]
    assert len(result.history["total"]) == 5 and len(result.times) == 5
    assert all(b >= a for a, b in zip(result.times, result.times[1:]))
    assert [c[0] for c in calls] == [1, 2, 3, 4, 5]
    assert calls[0][1] == (20, 24, 3) and calls[-1][1] == (40, 48, 3)


@pytest.mark.parametrize("kwargs, message", [
    ({"sizes": (48, 24)}, "sizes must be increasing"),
    ({"sizes": (8, 48)}, "sizes must be increasing"),
    ({"sizes": (24, 48), "steps": (3,)}, "steps has 1 numbers for 2 sizes"),
    ({"steps": 0}, "steps must be a whole number >= 1"),
])
def test_coarse_to_fine_checks_its_arguments(pair, kwargs, message):
    with pytest.raises(ValueError, match=message):
        transfer.coarse_to_fine(*pair, **kwargs)
