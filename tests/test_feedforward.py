"""The feed-forward style network: its shape, its loss (notebook 03's terms, per crop), training, use."""

import numpy as np
import pytest

from course_utils import data, images, transfer
from course_utils.fast import feedforward, fit
from course_utils._tf import keras
from course_utils.errors import SettingError


def test_transform_net_keeps_the_size_and_the_range():
    net = feedforward.transform_net(filters=(4, 8, 8), residual_blocks=1)
    x = np.random.default_rng(0).random((2, 20, 28, 3)).astype(np.float32)
    y = net(x).numpy()
    assert y.shape == x.shape and y.dtype == np.float32
    before = keras.Model(net.inputs, net.get_layer("to_rgb").output)(x).numpy()  # the last convolution
    np.testing.assert_allclose(y, 1.0 / (1.0 + np.exp(-before)), atol=1e-5)  # squashed into (0, 1) by a sigmoid
    assert y.std() > 1e-3  # a picture, not a constant
    names = [layer.name for layer in net.layers]
    assert "res1_add" in names and "up1_up" in names and not any("transpose" in n for n in names)


def test_transform_net_is_seeded_and_checks_its_arguments():
    a = feedforward.transform_net(filters=(4, 8, 8), residual_blocks=1, seed=3)
    b = feedforward.transform_net(filters=(4, 8, 8), residual_blocks=1, seed=3)
    for u, v in zip(a.weights, b.weights):
        np.testing.assert_array_equal(u.numpy(), v.numpy())
    with pytest.raises(ValueError, match="filters must be three channel counts"):
        feedforward.transform_net(filters=(4, 8))
    with pytest.raises(ValueError, match="residual_blocks must be a whole number"):
        feedforward.transform_net(residual_blocks=0)


def test_stylize_works_at_any_size_and_returns_the_course_format():
    net = feedforward.transform_net(filters=(4, 8, 8), residual_blocks=1)
    photo = data.content("chelsea", size=61)  # 61 × 41: neither a multiple of 4
    out = feedforward.stylize(net, photo)
    assert out.shape == photo.shape and out.dtype == np.float32
    padded, (top, left, height, width) = images.pad_to_multiple(photo, 4)
    whole = net(padded[np.newaxis]).numpy()[0]
    np.testing.assert_allclose(out, whole[top: top + height, left: left + width], atol=1e-5)  # the photo's part
    assert padded.shape[:2] == (44, 64)  # so the crop back to the photo's 41 × 61 pixels is tested too


@pytest.mark.slow
def test_perceptual_loss_is_notebook_03s_objective_with_each_crop_against_its_own_photo():
    style = data.style("swirl", size=64)
    loss_fn = feedforward.perceptual_loss(style, weights={"content": 2.0, "style": 1e-3, "tv": 1e-2})
    objective = loss_fn.objective
    photos = np.stack([data.content("astronaut", size=48), data.content("camera", size=48)])

    def same(x, training=False):
        return x  # a "network" that returns its photo

    parts = loss_fn(same, photos)
    assert float(parts["content"]) == pytest.approx(0.0, abs=1e-6)  # every crop equals its own photo
    # the batch's style and tv terms are the means of each picture's terms under the same Objective
    singles = [transfer.Objective(p, style, content_layers=objective.content_layers, base=None).parts(p[None])
               for p in photos]
    assert float(parts["style"]) == pytest.approx(np.mean([float(s["style"]) for s in singles]), rel=1e-4)
    assert float(parts["tv"]) == pytest.approx(np.mean([float(s["tv"]) for s in singles]), rel=1e-5)
    expected = 2.0 * float(parts["content"]) + 1e-3 * float(parts["style"]) + 1e-2 * float(parts["tv"])
    assert float(parts["total"]) == pytest.approx(expected, rel=1e-5)

    def swapped(x, training=False):
        return x[::-1]  # each picture compared with the other's photo: the content term sees it

    assert float(loss_fn(swapped, photos)["content"]) > 1.0
    with pytest.raises(ValueError, match="weights knows only"):
        feedforward.perceptual_loss(style, weights={"colour": 1})


@pytest.mark.slow
def test_a_short_training_lowers_the_style_loss_and_resumes_from_its_checkpoint(tmp_path):
    style = data.style("swirl", size=64)
    photos = [data.content(name, size=48) for name in ("astronaut", "coffee")]
    path = tmp_path / "swirl.npz"
    net = feedforward.transform_net(filters=(4, 8, 8), residual_blocks=1)
    run = feedforward.train(net, style, steps=30, photos=photos, crop=32, batch_size=2, learning_rate=1e-2,
                            checkpoint=path)
    style_loss = run.history["style"]
    assert np.mean(style_loss[-5:]) < 0.7 * np.mean(style_loss[:5])
    again = feedforward.train(feedforward.transform_net(filters=(4, 8, 8), residual_blocks=1), style, steps=30,
                              photos=photos, crop=32, batch_size=2, learning_rate=1e-2, checkpoint=path)
    assert again.step == 30 and again.history["style"] == style_loss
    fit.save_model(net, tmp_path / "swirl.keras")
    photo = data.content("chelsea", size=40)
    np.testing.assert_allclose(feedforward.stylize(fit.load_model(tmp_path / "swirl.keras"), photo),
                               feedforward.stylize(net, photo), atol=1e-6)


def test_training_photos_leave_out_the_held_out_photo():
    photos = feedforward.training_photos(size=32)
    assert len(photos) == len(data.content_names()) - 1
    held_out = data.content(feedforward.HELD_OUT, size=32)
    assert not any(p.shape == held_out.shape and np.array_equal(p, held_out) for p in photos)
    with pytest.raises(SettingError, match="exclude leaves out every photo"):
        feedforward.training_photos(size=32, exclude=data.content_names())
