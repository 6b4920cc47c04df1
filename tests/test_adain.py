"""Arbitrary style transfer with AdaIN: the operations against NumPy, the decoder, real training steps."""

import numpy as np
import pytest

from course_utils import data
from course_utils.fast import adain, fit
from course_utils.errors import ImageError

EPS = 1e-5


def np_stats(x, eps=EPS):
    mean = x.mean(axis=(1, 2), keepdims=True)
    return mean, np.sqrt(x.var(axis=(1, 2), keepdims=True) + eps)


def np_adain(c, s, alpha=1.0, eps=EPS):
    (cm, cs), (sm, ss) = np_stats(c, eps), np_stats(s, eps)
    return alpha * (ss * (c - cm) / cs + sm) + (1 - alpha) * c


def maps(seed, shape, scale=3.0, shift=1.0):
    return (np.random.default_rng(seed).normal(size=shape) * scale + shift).astype(np.float64)


# ------------------------------------------------------------------ the operations


def test_channel_stats_match_numpy_and_keep_dims():
    x = maps(0, (2, 5, 7, 4)) * np.arange(1, 5)  # channels of different spreads
    mean, std = adain.channel_stats(x)
    assert tuple(mean.shape) == tuple(std.shape) == (2, 1, 1, 4)
    want_mean, want_std = np_stats(x)
    np.testing.assert_allclose(mean.numpy(), want_mean, rtol=1e-10)
    np.testing.assert_allclose(std.numpy(), want_std, rtol=1e-10)
    _, flat = adain.channel_stats(np.ones((1, 3, 3, 2), np.float32), eps=0.01)
    np.testing.assert_allclose(flat.numpy(), 0.1, rtol=1e-6)  # a constant channel: sqrt(0 + eps)


def test_instance_norm_gives_mean_0_and_std_1_per_channel():
    x = maps(1, (3, 6, 5, 8), scale=10.0, shift=-4.0).astype(np.float32)
    y = adain.instance_norm(x).numpy()
    assert y.shape == x.shape and y.dtype == np.float32
    np.testing.assert_allclose(y.mean(axis=(1, 2)), 0.0, atol=1e-5)
    np.testing.assert_allclose(y.std(axis=(1, 2)), 1.0, atol=1e-5)


def test_adain_matches_numpy_for_any_style_size_and_alpha():
    c, s = maps(2, (2, 6, 5, 3)), maps(3, (2, 9, 4, 3), scale=0.5, shift=-2.0)
    for alpha in (1.0, 0.3):
        np.testing.assert_allclose(adain.adain(c, s, alpha).numpy(), np_adain(c, s, alpha), rtol=1e-10, atol=1e-12)
    t = adain.adain(c, s).numpy()
    mean, std = np_stats(t, 0.0)
    np.testing.assert_allclose(mean, np_stats(s)[0], atol=1e-10)  # the style's statistics, exactly
    np.testing.assert_allclose(std, np_stats(s)[1] * np_stats(c, 0.0)[1] / np_stats(c)[1], rtol=1e-10)


def test_adain_edge_cases():
    c, s = maps(4, (2, 4, 4, 3)), maps(5, (2, 3, 3, 3))
    np.testing.assert_allclose(adain.adain(c, s, alpha=0.0).numpy(), c, atol=1e-12)
    np.testing.assert_allclose(adain.adain(c, c).numpy(), c, rtol=1e-10, atol=1e-10)
    one = s[:1]
    both = adain.adain(c, one).numpy()
    np.testing.assert_allclose(both, adain.adain(c, np.repeat(one, 2, axis=0)).numpy(), rtol=1e-12)
    np.testing.assert_allclose(both[1], np_adain(c[1:], one)[0], rtol=1e-10)
    assert adain.adain(c.astype(np.float32), s).dtype.name == "float32"


@pytest.mark.parametrize("call, message", [
    (lambda: adain.channel_stats(np.zeros((4, 4, 3))), r"shape \(B, H, W, C\), got shape \(4, 4, 3\)"),
    (lambda: adain.instance_norm(np.zeros((2, 4, 4, 3, 1))), r"shape \(B, H, W, C\)"),
    (lambda: adain.adain(np.zeros((1, 4, 4, 3)), np.zeros((1, 4, 4, 5))), "3 channels and the style features 5"),
    (lambda: adain.adain(np.zeros((3, 4, 4, 2)), np.zeros((2, 4, 4, 2))), "3 content maps and 2 style maps"),
    (lambda: adain.adain(np.zeros((1, 4, 4, 2)), np.zeros((4, 4, 2))), "style_features must be a batch"),
    (lambda: adain.adain(np.zeros((1, 4, 4, 2)), np.zeros((1, 4, 4, 2)), alpha=1.5), "alpha must be a number"),
    (lambda: adain.adain(np.zeros((1, 4, 4, 2)), np.zeros((1, 4, 4, 2)), eps=0), "eps must be a number > 0"),
    (lambda: adain.decoder("block5_conv1"), "layer must be one of"),
    (lambda: adain.decoder(width=0), r"width must be a number in \(0, 1\]"),
])
def test_bad_arguments_of_the_operations(call, message):
    with pytest.raises(ValueError, match=message) as err:
        call()
    assert "\n" not in str(err.value)


def test_decoder_mirrors_vgg():
    full = adain.decoder("block4_conv1", width=1.0)
    assert full.count_params() == 3_505_219  # Huang & Belongie's decoder: 3.5 million weights
    convs = [layer.name for layer in full.layers if layer.__class__.__name__ == "Conv2D"]
    assert len(convs) == 9 and convs[-1] == "picture"
    out = full(np.zeros((2, 3, 5, 512), np.float32))
    assert tuple(out.shape) == (2, 24, 40, 3)
    small = adain.decoder("block3_conv1", width=0.5)
    assert tuple(small(np.zeros((1, 3, 5, 256), np.float32)).shape) == (1, 12, 20, 3)
    assert [layer.filters for layer in small.layers if hasattr(layer, "filters")] == [64, 64, 32, 32, 3]


# ------------------------------------------------------------------ the model (real VGG19)


@pytest.fixture(scope="module")
def model(vgg):
    import keras

    keras.utils.set_random_seed(0)
    return adain.AdaINModel(adain.decoder(width=0.25), base=vgg)


@pytest.fixture(scope="module")
def pictures():
    rng = np.random.default_rng(0)
    ramp = np.linspace(0, 1, 45, dtype=np.float32)
    photo = np.stack([ramp[None, :] * np.ones((37, 1), np.float32)] * 3, axis=-1)  # 37 × 45: not multiples of 8
    warm = np.clip(rng.uniform(size=(40, 33, 3)) * [1.0, 0.5, 0.2], 0, 1).astype(np.float32)
    cold = np.clip(rng.uniform(size=(36, 44, 3)) * [0.2, 0.4, 1.0], 0, 1).astype(np.float32)
    return photo, warm, cold


@pytest.mark.slow
@pytest.mark.parametrize("layer, factor", [("block3_conv1", 4), ("block4_conv1", 8)])
def test_stylize_keeps_odd_sizes_and_the_image_range(vgg, pictures, layer, factor):
    net = adain.AdaINModel(layer=layer, width=0.125, base=vgg)
    assert net.layer == layer and net.factor == factor
    assert net.style_layers == adain.STYLE_LAYERS[: adain.STYLE_LAYERS.index(layer) + 1]
    photo, warm, _ = pictures
    out = net.stylize(photo, warm)
    assert out.shape == (37, 45, 3) and out.dtype == np.float32
    assert 0.0 <= out.min() and out.max() <= 1.0
    assert net.stylize(photo.transpose(1, 0, 2), warm, alpha=0.5).shape == (45, 37, 3)
    smallest = net.stylize(photo[: 2 * factor, : 2 * factor + 1], warm[: 2 * factor, : 2 * factor])
    assert smallest.shape == (2 * factor, 2 * factor + 1, 3)


@pytest.mark.slow
def test_interpolate_with_one_weight_is_stylize(model, pictures):
    photo, warm, cold = pictures
    np.testing.assert_allclose(model.interpolate(photo, [warm, cold], [1, 0]), model.stylize(photo, warm), atol=1e-5)
    np.testing.assert_allclose(model.interpolate(photo, [warm, cold], [0, 3]), model.stylize(photo, cold), atol=1e-5)
    mixed = model.interpolate(photo, [warm, cold], [0.5, 0.5])
    assert mixed.shape == photo.shape
    assert not np.allclose(mixed, model.stylize(photo, warm), atol=1e-3)


@pytest.mark.slow
@pytest.mark.parametrize("call, error, message", [
    (lambda m, p: m.interpolate(p[0], [p[1], p[2]], [1]), ValueError, r"weights has 1 numbers for 2 style images"),
    (lambda m, p: m.interpolate(p[0], [p[1], p[2]], [1, -1]), ValueError, r"weights must be numbers >= 0"),
    (lambda m, p: m.interpolate(p[0], [p[1], p[2]], [0, 0]), ValueError, r"weights are all 0"),
    (lambda m, p: m.interpolate(p[0], p[1], [1]), ValueError, "styles must be a list"),
    (lambda m, p: m.stylize(p[0], p[1], alpha=-0.1), ValueError, "alpha must be a number from 0"),
    (lambda m, p: m.stylize(p[0][:7], p[1]), ImageError, r"the content picture is 7×45 pixels; give one at least 8"),
    (lambda m, p: m.stylize(p[0], p[1][:, :5]), ImageError, "the style picture is 40×5 pixels"),
    (lambda m, p: m.stylize(p[0].astype(str), p[1]), ImageError, "the content picture"),
    (lambda m, p: adain.AdaINModel(m.decoder, layer="block4_conv1", base=m.encoder), ValueError,
     "the decoder inverts block3_conv1, not block4_conv1"),
    (lambda m, p: adain.AdaINModel(m.decoder, style_layers=["block5_conv1"]), ValueError,
     "style_layers must be taken from"),
    (lambda m, p: adain.AdaINModel(m.encoder), ValueError, "is not an AdaIN decoder"),
    (lambda m, p: adain.AdaINModel(style_weight=-1), ValueError, "style_weight must be a number >= 0"),
])
def test_bad_arguments_of_the_model(model, pictures, call, error, message):
    with pytest.raises(error, match=message) as err:
        call(model, pictures)
    assert "\n" not in str(err.value)


@pytest.mark.slow
def test_save_and_load_give_the_same_pictures(model, pictures, tmp_path, vgg):
    photo, warm, _ = pictures
    path = model.save(tmp_path / "decoder.keras")
    again = adain.AdaINModel.load(path, base=vgg)
    assert again.layer == model.layer and again.decoder.count_params() == model.decoder.count_params()
    np.testing.assert_array_equal(again.stylize(photo, warm, alpha=0.7), model.stylize(photo, warm, alpha=0.7))
    with pytest.raises(fit.ModelFileError, match="There is no saved network"):
        adain.AdaINModel.load(tmp_path / "missing.keras", base=vgg)


@pytest.mark.slow
@pytest.mark.parametrize("normalise", [True, False])
def test_loss_is_the_papers_formula(model, pictures, vgg, normalise):
    net = adain.AdaINModel(model.decoder, normalise=normalise, style_weight=2.5, base=vgg)
    photo, warm, cold = pictures
    batch = (np.stack([photo[:32, :32], photo[5:37, 10:42]]), np.stack([warm[:32, :32], cold[:32, :32]]))
    parts = {k: float(v) for k, v in net.loss_fn(net.decoder, batch).items()}
    scale = adain.FEATURE_SCALE if normalise else dict.fromkeys(adain.FEATURE_SCALE, 1.0)
    features = {k: v.numpy().astype(np.float64) for k, v in net.encode(batch[1]).items()}
    target = np_adain(net.encode(batch[0])[net.layer].numpy().astype(np.float64), features[net.layer])
    painted = {k: v.numpy().astype(np.float64) for k, v in net.encode(net.decoder(target.astype(np.float32))).items()}
    content = np.mean(((painted[net.layer] - target) / scale[net.layer]) ** 2)
    style = 0.0
    for name in ("block1_conv1", "block2_conv1", "block3_conv1"):
        (gm, gs), (sm, ss) = np_stats(painted[name] / scale[name]), np_stats(features[name] / scale[name])
        style += np.mean((gm - sm) ** 2) + np.mean((gs - ss) ** 2)
    assert parts["content"] == pytest.approx(content, rel=1e-3)
    assert parts["style"] == pytest.approx(style, rel=1e-3)
    assert parts["total"] == pytest.approx(content + 2.5 * style, rel=1e-3)


@pytest.mark.slow
def test_training_lowers_the_style_loss(vgg, pictures):
    net = adain.AdaINModel(width=0.25, base=vgg, seed=1)  # the decoder's initial weights; other seeds: 0.06-0.33
    photo, warm, cold = pictures
    pairs = adain.PairSampler([photo], [warm, cold], 32)
    fixed = pairs(2, np.random.default_rng(123))
    before = {k: float(v) for k, v in net.loss_fn(net.decoder, fixed).items()}
    assert all(np.isfinite(v) and v > 0 for v in before.values())
    assert before["total"] == pytest.approx(before["content"] + net.style_weight * before["style"], rel=1e-5)
    run = fit.NetworkTrainer(net.decoder, net.loss_fn, pairs, batch_size=2, learning_rate=1e-3, progress=False)
    history = run.train(30)
    assert len(history["style"]) == 30 and np.all(np.isfinite(history["total"]))
    after = {k: float(v) for k, v in net.loss_fn(net.decoder, fixed).items()}
    assert after["style"] < 0.3 * before["style"]  # about 0.1 measured
    assert after["total"] < before["total"]


@pytest.mark.slow
def test_pair_sampler_and_the_course_recipe(vgg, pictures):
    photo, warm, cold = pictures
    pairs = adain.PairSampler([photo], [warm, cold], 24)
    contents, styles = pairs(3, np.random.default_rng(7))
    assert contents.shape == styles.shape == (3, 24, 24, 3)
    again = pairs(3, np.random.default_rng(7))
    np.testing.assert_array_equal(again[0], contents)
    np.testing.assert_array_equal(again[1], styles)
    course = adain.sampler(32, content_size=64, style_size=64)
    photos = len(data.content_names()) - 1  # chelsea kept out
    assert len(course.photos.pictures) == photos
    assert len(course.styles.pictures) == 4 + photos  # the four styles, and the photos as styles
    np.testing.assert_array_equal(course.styles.pictures[0], data.style("swirl", 64))
    assert len(adain.sampler(32, photos_as_styles=False, content_size=64, style_size=64).styles.pictures) == 4
    mine = adain.sampler(24, photos=[photo], styles=["mosaic", warm], photos_as_styles=False, style_size=40)
    assert [p.shape for p in mine.styles.pictures] == [(40, 40, 3), warm.shape]
    trained = adain.train(2, model=adain.AdaINModel(adain.decoder(width=0.125), base=vgg), crop=32,
                          batch_size=1, content_size=64, style_size=64, progress=False)
    assert trained.history["step"] == [1, 2]
    with pytest.raises(ValueError, match="too small for crops of 128"):
        adain.sampler(128, content_size=64)
