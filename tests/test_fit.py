"""The shared training loop of notebook 07: crops, steps, checkpoints, resuming, saved networks, layers."""

import numpy as np
import pytest

from course_utils.fast import fit, layers
from course_utils._tf import keras, tf
from course_utils.errors import CourseError, SettingError


def _pictures():
    rng = np.random.default_rng(0)
    return [rng.random((40, 56, 3)).astype(np.float32), rng.random((48, 33, 3)).astype(np.float32)]


def _tiny_net(seed=0):
    keras.utils.set_random_seed(seed)
    inputs = keras.Input((None, None, 3))
    x = layers.conv(inputs, 6, 3, stride=2)
    x = layers.instance_normalization()(x)
    x = keras.layers.ReLU()(x)
    x = layers.upsample_conv(x, 3)
    return keras.Model(inputs, x)


def _mse(model, batch):
    out = model(batch, training=True)
    return {"total": tf.reduce_mean(tf.square(out - batch)), "mean": tf.reduce_mean(out)}


# ------------------------------------------------------------------ crops


def test_crop_sampler_cuts_real_crops_and_flips_some():
    pictures = _pictures()
    sampler = fit.CropSampler(pictures, 16)
    batch = sampler(32, np.random.default_rng(1))
    assert batch.shape == (32, 16, 16, 3) and batch.dtype == np.float32
    flipped = 0
    for crop in batch:
        found = [_find(p, crop) for p in pictures]
        assert any(f is not None for f in found), "every crop is a piece of one of the pictures"
        flipped += any(f == "flipped" for f in found)
    assert 4 <= flipped <= 28
    again = sampler(32, np.random.default_rng(1))
    np.testing.assert_array_equal(batch, again)
    unflipped = fit.CropSampler(pictures, 16, flip=False)(8, np.random.default_rng(1))
    assert all("same" in [_find(p, crop) for p in pictures] for crop in unflipped)


def _find(picture, crop):
    size = crop.shape[0]
    for top in range(picture.shape[0] - size + 1):
        for left in range(picture.shape[1] - size + 1):
            window = picture[top: top + size, left: left + size]
            if np.array_equal(window, crop):
                return "same"
            if np.array_equal(window[:, ::-1], crop):
                return "flipped"
    return None


def test_crop_sampler_refuses_what_cannot_work():
    with pytest.raises(ValueError, match=r"picture 1 is 48×33 pixels, too small for crops of 40; .*size <= 33"):
        fit.CropSampler(_pictures(), 40)
    with pytest.raises(ValueError, match="at least one picture"):
        fit.CropSampler([], 16)
    with pytest.raises(ValueError, match="size must be a whole number"):
        fit.CropSampler(_pictures(), 0)


# ------------------------------------------------------------------ the loop


def test_trainer_learns_and_records_every_step():
    net = _tiny_net()
    run = fit.NetworkTrainer(net, _mse, fit.CropSampler(_pictures(), 16), learning_rate=1e-2, progress=False)
    seen = []
    history = run.train(30, callback=lambda t: seen.append(t.step), callback_every=10)
    assert run.step == 30 and history["step"] == list(range(1, 31))
    assert set(history) == {"step", "seconds", "total", "mean"}
    assert np.mean(history["total"][-5:]) < 0.5 * np.mean(history["total"][:5])
    assert seen == [10, 20, 30]
    assert history["seconds"] == sorted(history["seconds"])


def test_a_resumed_run_equals_one_run_straight_through(tmp_path):
    sampler = fit.CropSampler(_pictures(), 16)
    straight = _tiny_net()
    fit.NetworkTrainer(straight, _mse, sampler, progress=False).train(12)

    path = tmp_path / "run.npz"
    first = _tiny_net()
    fit.NetworkTrainer(first, _mse, sampler, checkpoint=path, save_every=4, progress=False).train(8)
    resumed_net = _tiny_net(seed=5)  # other starting weights: the checkpoint must replace them all
    resumed = fit.NetworkTrainer(resumed_net, _mse, sampler, checkpoint=path, progress=False)
    assert resumed.step == 8 and len(resumed.history["total"]) == 8
    resumed.train(12)
    for a, b in zip(straight.weights, resumed_net.weights):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-6)


def test_an_interrupted_run_keeps_its_steps_and_says_so(tmp_path, capsys):
    path = tmp_path / "run.npz"
    run = fit.NetworkTrainer(_tiny_net(), _mse, fit.CropSampler(_pictures(), 16), checkpoint=path, progress=False)

    def stop(trainer):
        raise KeyboardInterrupt

    run.train(20, callback=stop, callback_every=5)
    out = capsys.readouterr().out.strip()
    assert out == f"Stopped at step 5 of 20; saved in {path}; run the cell again to continue from there."
    assert fit.NetworkTrainer(_tiny_net(), _mse, fit.CropSampler(_pictures(), 16), checkpoint=path).step == 5
    run.train(5)
    assert capsys.readouterr().out.startswith("Already trained for 5 steps")


def test_checkpoints_of_another_network_or_another_run_are_refused(tmp_path):
    path = tmp_path / "run.npz"
    sampler = fit.CropSampler(_pictures(), 16)
    fit.NetworkTrainer(_tiny_net(), _mse, sampler, checkpoint=path, progress=False).train(2)
    keras.utils.set_random_seed(0)
    inputs = keras.Input((None, None, 3))
    other = keras.Model(inputs, layers.conv(inputs, 3, 5))
    with pytest.raises(fit.CheckpointError, match="written for a different model"):
        fit.NetworkTrainer(other, _mse, sampler, checkpoint=path)
    with pytest.raises(fit.CheckpointError, match="batch_size=4, and this one has batch_size=2"):
        fit.NetworkTrainer(_tiny_net(), _mse, sampler, checkpoint=path, batch_size=2)
    assert fit.NetworkTrainer(_tiny_net(), _mse, sampler, checkpoint=path, batch_size=2, resume=False).step == 0
    path.write_bytes(b"not a checkpoint")
    with pytest.raises(fit.CheckpointError, match="damaged or incomplete"):
        fit.NetworkTrainer(_tiny_net(), _mse, sampler, checkpoint=path)


def test_trainer_argument_checks():
    sampler = fit.CropSampler(_pictures(), 16)
    with pytest.raises(SettingError, match="keras.Model"):
        fit.NetworkTrainer(object(), _mse, sampler)
    with pytest.raises(ValueError, match="learning_rate must be a number > 0"):
        fit.NetworkTrainer(_tiny_net(), _mse, sampler, learning_rate=0)
    with pytest.raises(ValueError, match="steps must be a whole number"):
        fit.NetworkTrainer(_tiny_net(), _mse, sampler, progress=False).train(0)


# ------------------------------------------------------------------ saved networks


def test_save_and_load_model_round_trip(tmp_path):
    net = _tiny_net()
    x = np.random.default_rng(0).random((1, 12, 20, 3)).astype(np.float32)
    path = fit.save_model(net, tmp_path / "nets" / "tiny.keras")
    assert [p.name for p in path.parent.iterdir()] == ["tiny.keras"]  # no temporary file left behind
    again = fit.load_model(path)
    np.testing.assert_allclose(again(x), net(x), atol=1e-6)


def test_model_file_errors_are_one_sentence(tmp_path):
    with pytest.raises(fit.ModelFileError, match="There is no saved network at .*train one first"):
        fit.load_model(tmp_path / "missing.keras")
    broken = tmp_path / "broken.keras"
    broken.write_bytes(b"PK\x03\x04 broken")
    with pytest.raises(fit.ModelFileError, match="could not be read as a saved network") as err:
        fit.load_model(broken)
    assert isinstance(err.value, CourseError) and "\n" not in str(err.value)
    with pytest.raises(ValueError, match="ending in .keras"):
        fit.save_model(_tiny_net(), tmp_path / "net.h5")


# ------------------------------------------------------------------ layers


def test_reflection_padding_mirrors_without_repeating_the_edge():
    x = np.arange(12, dtype=np.float32).reshape(1, 3, 4, 1)
    y = layers.ReflectionPadding2D(1)(x).numpy()[0, :, :, 0]
    np.testing.assert_array_equal(y, np.pad(x[0, :, :, 0], 1, mode="reflect"))
    assert layers.ReflectionPadding2D(2).compute_output_shape((None, 5, None, 3)) == (None, 9, None, 3)
    with pytest.raises(ValueError, match="padding must be a whole number"):
        layers.ReflectionPadding2D(-1)


def test_instance_normalization_normalises_each_picture_and_channel():
    rng = np.random.default_rng(0)
    x = (rng.normal(size=(3, 6, 7, 5)) * rng.uniform(0.5, 5, (3, 1, 1, 5)) + rng.uniform(-3, 3, (3, 1, 1, 5)))
    y = layers.instance_normalization()(x.astype(np.float32)).numpy()
    np.testing.assert_allclose(y.mean(axis=(1, 2)), 0, atol=1e-5)
    np.testing.assert_allclose(y.std(axis=(1, 2)), 1, atol=1e-3)


def test_upsample_conv_has_no_checkerboard_unlike_a_strided_transposed_convolution():
    """On a constant input, nearest upsampling + conv gives a constant inside; a 3×3 stride-2 transposed conv does not."""
    x = np.ones((1, 8, 8, 1), np.float32)
    inputs = keras.Input((8, 8, 1))
    kernel = keras.initializers.Constant(1.0)
    upsampled = layers.ReflectionPadding2D(1)(keras.layers.UpSampling2D(2, interpolation="nearest")(inputs))
    ours = keras.Model(inputs, keras.layers.Conv2D(1, 3, kernel_initializer=kernel, use_bias=False)(upsampled))
    transposed = keras.Model(inputs, keras.layers.Conv2DTranspose(1, 3, strides=2, padding="same",
                                                                  kernel_initializer=kernel, use_bias=False)(inputs))
    smooth = ours(x).numpy()[0, 2:-2, 2:-2, 0]
    checker = transposed(x).numpy()[0, 2:-2, 2:-2, 0]
    assert np.ptp(smooth) == 0
    assert set(np.unique(checker)) == {1.0, 2.0, 4.0}  # the checkerboard: pixels get 1, 2 or 4 contributions


def test_live_preview_draws_the_picture_and_the_mean_losses_since_the_last_call():
    run = fit.NetworkTrainer(_tiny_net(), _mse, fit.CropSampler(_pictures(), 16), progress=False)
    photo = _pictures()[0]
    callback = fit.live_preview(lambda net: np.clip(net(photo[None]).numpy()[0], 0, 1), "tiny", terms=["total"])
    run.train(6, callback=callback, callback_every=3)
    history = callback.preview.history
    assert history["step"] == [3, 6] and set(history) == {"step", "total"}
    assert history["total"][1] == pytest.approx(np.mean(run.history["total"][3:6]))
    assert callback.preview.png.startswith(b"\x89PNG")
    with pytest.raises(SettingError, match="picture must be a function"):
        fit.live_preview(photo)
