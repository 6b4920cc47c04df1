"""The Keras diffusion model: its samplers against exact noise predictions, training, EMA, checkpoints, errors."""

import numpy as np
import pytest

from course_utils._tf import keras
from course_utils.diffusion import nets, schedule as S, toy, trainer
from course_utils.diffusion.model import Diffusion, guided_noise
from course_utils.errors import SettingError

pytestmark = pytest.mark.slow


@keras.saving.register_keras_serializable(package="course_tests")
class ExactNoise(keras.layers.Layer):
    """The exact E[eps | x_t] when the data are N(mean, std²) in every coordinate (std = 0: one point).

    x_t = sqrt(a) x0 + sqrt(1 - a) eps is then Gaussian too, and
    E[eps | x_t] = sqrt(1 - a) (x_t - sqrt(a) mean) / (a std² + 1 - a).
    """

    def __init__(self, alpha_bars, mean, std, **kwargs):
        super().__init__(**kwargs)
        self.alpha_bars, self.mean, self.std = [float(a) for a in alpha_bars], float(mean), float(std)

    def call(self, inputs):
        x, t = inputs
        ops = keras.ops
        a = ops.take(ops.convert_to_tensor(self.alpha_bars, "float32"), t)
        a = ops.reshape(a, (-1,) + (1,) * (len(x.shape) - 1))
        return ops.sqrt(1 - a) * (x - ops.sqrt(a) * self.mean) / (a * self.std ** 2 + 1 - a)

    def get_config(self):
        return {**super().get_config(), "alpha_bars": self.alpha_bars, "mean": self.mean, "std": self.std}


def exact_model(sched, mean, std, shape=(3,)):
    x = keras.Input(shape, name="x_t")
    t = keras.Input((), dtype="int32", name="t")
    return Diffusion(keras.Model([x, t], ExactNoise(sched.alpha_bars, mean, std)([x, t])), sched)


@pytest.mark.parametrize("kind", ["cosine", "linear"])
def test_every_sampler_lands_on_the_one_data_point_with_the_exact_noise(kind):
    # consistent training and sampling schedules: the sampler uses the alpha_bars the network assumes
    sched = S.make(kind, 1000)
    model = exact_model(sched, mean=0.4, std=0.0)
    for steps in (1000, 250, 50, 20, 10, 5):
        for eta in (0.0, 1.0):
            x = model.sample(8, steps, eta=eta, clip=None, seed=steps)
            np.testing.assert_allclose(x, 0.4, atol=2e-3, err_msg=f"{steps} steps, eta {eta}")


def test_a_sampler_with_another_schedule_would_miss():
    # the exact network of a cosine schedule, sampled by a model that believes in the linear one
    network = exact_model(S.cosine(1000), 0.3, 0.5, shape=(1,)).network
    wrong = Diffusion(network, S.linear(1000))
    assert abs(wrong.sample(4000, 100, clip=None, seed=1).mean() - 0.3) > 0.1          # DDIM: the mean moves
    assert wrong.sample(4000, 1000, eta=1.0, clip=None, seed=1).std() > 1.15 * 0.5    # DDPM: too spread


def test_ddpm_and_ddim_draw_the_data_distribution_with_the_exact_noise():
    sched = S.cosine(1000)
    model = exact_model(sched, mean=0.3, std=0.5, shape=(1,))
    for steps, eta in ((1000, 1.0), (100, 0.0)):
        x = model.sample(6000, steps, eta=eta, clip=None, seed=1)[:, 0]
        # 6,000 samples: the mean is known to ±0.03 (4 standard errors), the spread to a few percent
        assert x.mean() == pytest.approx(0.3, abs=0.03), (steps, eta)
        assert x.std() == pytest.approx(0.5, rel=0.06), (steps, eta)


def test_sampling_is_seeded_and_ddim_is_deterministic():
    model = Diffusion(nets.mlp(2, 16), S.cosine(50))
    a, b = model.sample(5, 10, seed=3), model.sample(5, 10, seed=3)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(model.sample(5, 10, seed=4), a)
    points, path = model.sample(5, 10, seed=3, keep=3)
    np.testing.assert_array_equal(points, a)
    assert [t for t, _, _ in path] == [49, model.schedule.timesteps(10)[5], 0] or len(path) == 3
    assert path[0][0] == 49 and path[-1][0] == 0


def test_guidance_combines_the_conditional_and_the_unconditional_prediction():
    net = nets.unet(8, 1, (8, 8), n_classes=3, seed=1)
    rng = np.random.default_rng(1)
    for name in ("noise", "label_embedding"):  # an untrained network ignores the label: make it matter
        layer = net.get_layer(name)
        layer.set_weights([rng.normal(0, 0.5, w.shape).astype("float32") for w in layer.get_weights()])
    model = Diffusion(net, S.cosine(20), n_classes=3)
    x = np.random.default_rng(0).standard_normal((4, 8, 8, 1))
    labels = np.array([0, 1, 2, 1])
    cond = model.predict_noise(x, 7, labels)
    uncond = model.predict_noise(x, 7, None)
    np.testing.assert_allclose(model.predict_noise(x, 7, labels, guidance=3.0), guided_noise(cond, uncond, 3.0),
                               atol=1e-5)
    assert not np.allclose(cond, uncond)
    np.testing.assert_allclose(model.predict_noise(x, 7, labels, guidance=0.0), uncond, atol=1e-5)


def test_one_training_step_and_the_ema_warm_up():
    model = Diffusion(nets.mlp(2, 16, seed=0), S.cosine(100), seed=0)
    model.compile()
    start = [w.copy() for w in model.network.get_weights()]
    model.train_on_batch(np.random.default_rng(0).uniform(-1, 1, (32, 2)).astype("float32"))
    after = model.network.get_weights()
    assert int(model.steps.numpy()) == 1
    # decay at step 0 is min(0.999, 1/10): the average is 0.1 of the start and 0.9 of the new weights
    for w0, w1, e in zip(start, after, model.ema_network.get_weights()):
        np.testing.assert_allclose(e, 0.1 * w0 + 0.9 * w1, atol=1e-6)


def test_the_toy_model_learns_the_noise_on_the_ring():
    from course_utils.gan import toy as gan_toy

    run = toy.train(gan_toy.ring(4096, seed=0), steps=400, batch_size=128, progress=False)
    # the untrained network predicts no noise (its last layer starts at zero): a loss of E[eps²] = 1
    assert run.losses[-1] < 0.6
    points = toy.sample(run.model, 500, steps=100, eta=1.0)
    assert points.shape == (500, 2) and np.all(np.isfinite(points))
    # after so few steps the points are already near the ring of radius 2, not in the middle
    assert np.median(np.linalg.norm(points, axis=1)) == pytest.approx(2.0, abs=0.4)


def test_a_run_interrupted_and_resumed_is_the_run_straight_through(tmp_path):
    x = np.random.default_rng(0).uniform(-1, 1, (96, 2)).astype("float32")

    def fresh(init=0):
        keras.utils.set_random_seed(init)
        model = Diffusion(nets.mlp(2, 16, seed=init), S.cosine(50), seed=5)
        model.compile()
        return model

    settings = dict(batch_size=32, sample_every=0, progress=False)
    straight = trainer.DiffusionTrainer(fresh(), x, folder=tmp_path / "straight", resume=False, **settings)
    straight.train(2)

    def stop_at(step):
        def on_step(run, logs):
            if logs["step"] == step:
                raise KeyboardInterrupt
        return on_step

    stopped = trainer.DiffusionTrainer(fresh(), x, folder=tmp_path / "stopped", resume=False, **settings)
    stopped.train(2, on_step=stop_at(4))
    assert stopped.epoch == 1 and stopped.step == 3
    resumed = trainer.DiffusionTrainer(fresh(init=9), x, folder=tmp_path / "stopped", **settings)
    assert resumed.epoch == 1
    resumed.train(2)
    for group in ("network", "ema_network", "optimizer"):
        for a, b in zip(straight._variables()[group], resumed._variables()[group]):
            np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert resumed.history["loss"] == straight.history["loss"]


def test_a_checkpoint_refuses_another_schedule_or_data(tmp_path):
    x = np.random.default_rng(0).uniform(-1, 1, (64, 2)).astype("float32")
    run = trainer.DiffusionTrainer(Diffusion(nets.mlp(2, 16), S.cosine(50)), x, folder=tmp_path, batch_size=32,
                          sample_every=0, progress=False)
    run.train(1)
    with pytest.raises(trainer.CheckpointError, match="schedule=cosine, and this one has schedule=linear"):
        trainer.DiffusionTrainer(Diffusion(nets.mlp(2, 16), S.linear(50)), x, folder=tmp_path, batch_size=32,
                        sample_every=0, progress=False)
    with pytest.raises(trainer.CheckpointError, match="n_images"):
        trainer.DiffusionTrainer(Diffusion(nets.mlp(2, 16), S.cosine(50)), x[:40], folder=tmp_path, batch_size=32,
                        sample_every=0, progress=False)


def test_the_trainer_keeps_frames_and_a_gif(tmp_path):
    from course_utils import data

    images, labels = data.digits(8, limit=64, value_range=(-1, 1))
    model = Diffusion(nets.unet(8, 1, (8, 8), n_classes=10), S.cosine(20), n_classes=10)
    run = trainer.DiffusionTrainer(model, images, labels, folder=tmp_path, batch_size=32, ncols=2, frame_steps=3,
                          progress=False)
    run.train(2)
    assert run.frame_epochs == [0, 1, 2] and run.frames[0].dtype == np.uint8
    assert (tmp_path / "frames" / "epoch_0002.png").is_file() and run.save_gif().is_file()
    assert run.sample().shape == (20, 8, 8, 1)  # one row of ncols samples per class
    epochs, seconds = run.series("cpu_seconds")
    assert epochs == [0, 1, 2] and seconds[0] == 0 and seconds[-1] > 0


def test_bad_settings_are_one_sentence():
    model = Diffusion(nets.mlp(2, 8), S.cosine(20))
    for call, message in ((lambda: model.sample(4, 0), "steps must be a whole number"),
                          (lambda: model.sample(4, 21), "more steps"),
                          (lambda: model.sample(4, 5, eta=2), "eta must be a number >= 0 and <= 1"),
                          (lambda: model.sample(4, 5, labels=1), "unconditional"),
                          (lambda: model.img2img(np.zeros((2, 2)), 1.5), "strength must be"),
                          (lambda: Diffusion(nets.mlp(2, 8), "sigmoid"), "schedule must be one of"),
                          (lambda: Diffusion(nets.mlp(2, 8), n_classes=10), "exactly when the network takes labels"),
                          (lambda: trainer.DiffusionTrainer(model, np.zeros((10, 2), np.float32) + 3), "must lie in"),
                          (lambda: nets.unet(10, 1, (8, 8, 8)), "cannot be halved")):
        with pytest.raises(SettingError, match=message) as err:
            call()
        assert "\n" not in str(err.value)
    conditional = Diffusion(nets.unet(8, 1, (8, 8), n_classes=10), n_classes=10)
    with pytest.raises(SettingError, match="give the class of every image"):
        trainer.DiffusionTrainer(conditional, np.zeros((10, 8, 8, 1), np.float32))
