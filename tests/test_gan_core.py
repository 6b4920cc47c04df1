"""The GAN core: losses against NumPy, the gradient penalty on a critic whose gradient is known,
GAN.fit against a hand-written GradientTape loop, reproducibility, and a GAN that really learns."""

import numpy as np
import pytest

from course_utils._tf import keras, tf
from course_utils.gan import GAN, losses

pytestmark = pytest.mark.slow


def softplus(x):
    return np.logaddexp(0.0, x)


@pytest.fixture
def logits():
    rng = np.random.default_rng(0)
    return rng.normal(0, 3, (64, 1)).astype(np.float32), rng.normal(-1, 3, (64, 1)).astype(np.float32)


def bce(logits, label):
    p = 1 / (1 + np.exp(-logits.astype(np.float64)))
    return -np.mean(label * np.log(p) + (1 - label) * np.log(1 - p))


def test_discriminator_loss_is_binary_cross_entropy(logits):
    real, fake = logits
    expected = bce(real, 1) + bce(fake, 0)
    for kind in ("non_saturating", "minimax"):
        assert float(losses.discriminator_loss(real, fake, kind)) == pytest.approx(expected, rel=1e-5)
    assert float(losses.discriminator_loss(real, fake, "wgan-gp")) == pytest.approx(fake.mean() - real.mean(), rel=1e-5)


def test_generator_losses(logits):
    _, fake = logits
    assert float(losses.generator_loss(fake, "non_saturating")) == pytest.approx(bce(fake, 1), rel=1e-5)
    assert float(losses.generator_loss(fake, "minimax")) == pytest.approx(-bce(fake, 0), rel=1e-5)
    assert float(losses.generator_loss(fake, "wgan-gp")) == pytest.approx(-fake.mean(), rel=1e-5)


def test_losses_stay_finite_for_confident_discriminators():
    huge = np.array([[80.0], [-80.0]], np.float32)  # sigmoid is exactly 0 or 1 in float32 here
    for kind in losses.KINDS:
        assert np.isfinite(float(losses.discriminator_loss(huge, -huge, kind)))
        assert np.isfinite(float(losses.generator_loss(huge, kind)))


def test_non_saturating_loss_has_the_stronger_gradient_when_the_fakes_are_spotted():
    fake = tf.Variable([[-6.0]])  # D(G(z)) = 0.0025: the discriminator is winning
    slopes = {}
    for kind in ("minimax", "non_saturating"):
        with tf.GradientTape() as tape:
            loss = losses.generator_loss(fake, kind)
        slopes[kind] = abs(float(tape.gradient(loss, fake)[0, 0]))
    assert slopes["minimax"] == pytest.approx(1 / (1 + np.exp(6)), rel=1e-4)  # sigmoid(-6)
    assert slopes["non_saturating"] == pytest.approx(1 / (1 + np.exp(-6)), rel=1e-4)  # 1 - sigmoid(-6)
    assert slopes["non_saturating"] > 300 * slopes["minimax"]


def test_bad_kind_and_shape_are_one_sentence():
    with pytest.raises(ValueError, match="kind must be one of 'non_saturating'"):
        losses.generator_loss(np.zeros((2, 1)), "hinge")
    with pytest.raises(ValueError, match=r"one score per image, shape \(N,\) or \(N, 1\)"):
        losses.discriminator_loss(np.zeros((2, 4, 4)), np.zeros((2, 1)))


def test_interpolate_broadcasts_one_alpha_per_sample():
    real, fake = np.zeros((3, 2, 2, 1), np.float32), np.ones((3, 2, 2, 1), np.float32)
    mixed = losses.interpolate(real, fake, np.array([0.0, 0.25, 1.0]))
    np.testing.assert_allclose(mixed.numpy()[:, 0, 0, 0], [0.0, 0.25, 1.0])
    assert mixed.shape == (3, 2, 2, 1)


@pytest.mark.parametrize("norm", [3.0, 1.0, 0.5])
def test_gradient_penalty_of_a_linear_critic(norm):
    # C(x) = w . x has gradient w everywhere, so the penalty is (|w| - 1)^2 exactly, whatever alpha.
    w = np.random.default_rng(1).normal(size=(12, 1))
    w *= norm / np.linalg.norm(w)
    critic = keras.Sequential([keras.Input((3, 4)), keras.layers.Flatten(),
                               keras.layers.Dense(1, use_bias=False)])
    critic.layers[-1].set_weights([w.astype(np.float32)])
    real = np.random.default_rng(2).normal(size=(5, 3, 4)).astype(np.float32)
    fake = np.random.default_rng(3).normal(size=(5, 3, 4)).astype(np.float32)
    penalty = losses.gradient_penalty(critic, real, fake, np.random.default_rng(4).uniform(size=5))
    assert float(penalty) == pytest.approx((norm - 1) ** 2, abs=1e-5)


# ------------------------------------------------------------------------------- the model


def mlp(inputs, outputs, seed, hidden=32):
    keras.utils.set_random_seed(seed)
    return keras.Sequential([keras.Input((inputs,)), keras.layers.Dense(hidden, activation="relu"),
                             keras.layers.Dense(outputs)])


def ring(n=512, seed=0):
    rng = np.random.default_rng(seed)
    angle = rng.integers(0, 8, n) * np.pi / 4
    return (np.stack([np.cos(angle), np.sin(angle)], 1) * 2 + rng.normal(0, 0.05, (n, 2))).astype(np.float32)


def weights(model):
    return [w for net in (model.generator, model.discriminator) for w in net.get_weights()]


def test_fit_is_the_hand_written_gradient_tape_loop():
    data = ring()
    model = GAN(mlp(4, 2, 0), mlp(2, 1, 1), seed=7)
    model.compile(keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3))
    model.fit(data, batch_size=128, epochs=1, shuffle=False, verbose=0)

    G, D = mlp(4, 2, 0), mlp(2, 1, 1)
    g_opt, d_opt = keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3)
    for step in range(4):
        real = data[step * 128:(step + 1) * 128]
        noise = tf.random.stateless_normal([128, 4], seed=[7, step * 64])
        with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
            fake = G(noise, training=True)
            real_out, fake_out = D(real, training=True), D(fake, training=True)
            d_loss = losses.discriminator_loss(real_out, fake_out)
            g_loss = losses.generator_loss(fake_out)
        d_opt.apply_gradients(zip(d_tape.gradient(d_loss, D.trainable_variables), D.trainable_variables))
        g_opt.apply_gradients(zip(g_tape.gradient(g_loss, G.trainable_variables), G.trainable_variables))
    assert int(model.steps.numpy()) == 4
    for got, expected in zip(weights(model), G.get_weights() + D.get_weights()):
        np.testing.assert_allclose(got, expected, atol=1e-6)


@pytest.mark.parametrize("loss", losses.KINDS)
def test_same_seed_same_run_other_seed_other_run(loss):
    def run(seed):
        model = GAN(mlp(4, 2, 0), mlp(2, 1, 1), seed=seed)
        model.compile(loss=loss)
        history = model.fit(ring(256), batch_size=64, epochs=1, shuffle=False, verbose=0).history
        return weights(model), history

    (a, ha), (b, hb), (c, _) = run(3), run(3), run(4)
    assert all(np.array_equal(x, y) for x, y in zip(a, b)) and ha == hb
    assert not all(np.array_equal(x, y) for x, y in zip(a, c))
    assert set(ha) == ({"d_loss", "g_loss", "gp"} if loss == "wgan-gp" else {"d_loss", "g_loss"})


def test_alternating_updates_the_critic_d_steps_times():
    model = GAN(mlp(4, 2, 0), mlp(2, 1, 1))
    model.compile(loss="wgan-gp", d_steps=3)
    model.fit(ring(256), batch_size=64, epochs=1, verbose=0)
    assert int(model.steps.numpy()) == 4
    assert int(model.d_optimizer.iterations.numpy()) == 12 and int(model.g_optimizer.iterations.numpy()) == 4


def test_one_joint_pass_is_the_same_as_two_passes():
    def run(joint):
        model = GAN(mlp(4, 2, 0), mlp(2, 1, 1), seed=1)
        model.compile(joint=joint)
        assert model._joint is joint
        model.fit(ring(256), batch_size=64, epochs=1, shuffle=False, verbose=0)
        return weights(model)

    for a, b in zip(run(True), run(False)):
        np.testing.assert_allclose(a, b, atol=1e-6)


def test_conditional_fit_takes_images_and_labels_both_ways():
    G = keras.Model([noise := keras.Input((4,)), label := keras.Input((), dtype="int32")],
                    keras.layers.Dense(2)(keras.layers.Concatenate()([noise, keras.layers.Embedding(8, 3)(label)])))
    D = keras.Model([x := keras.Input((2,)), dl := keras.Input((), dtype="int32")],
                    keras.layers.Dense(1)(keras.layers.Concatenate()([x, keras.layers.Embedding(8, 3)(dl)])))
    model = GAN(G, D, conditional=True)
    model.compile()
    labels = np.arange(256) % 8
    model.fit(ring(256), labels, batch_size=64, epochs=1, verbose=0)
    model.fit((ring(256), labels), batch_size=64, epochs=1, verbose=0)
    assert int(model.steps.numpy()) == 8
    assert model.generate(np.zeros((3, 4), np.float32), np.array([0, 1, 2])).shape == (3, 2)


def test_a_gan_learns_a_one_dimensional_gaussian():
    # If a sign in the losses or the updates were wrong, the generated mean would not move to 3.
    data = np.random.default_rng(0).normal(3.0, 0.5, (4096, 1)).astype(np.float32)
    model = GAN(mlp(2, 1, 0, hidden=16), mlp(1, 1, 1, hidden=16), seed=0)
    model.compile(keras.optimizers.Adam(3e-3, beta_1=0.5), keras.optimizers.Adam(3e-3, beta_1=0.5))
    before = float(np.mean(model.generate(model.noise(2048))))
    model.fit(data, batch_size=256, epochs=25, verbose=0)
    after = model.generate(tf.random.normal([2048, 2], seed=1)).numpy()
    assert abs(before - 3.0) > 2.0
    assert abs(after.mean() - 3.0) < 0.3 and 0.2 < after.std() < 1.0


def test_bad_settings_are_one_sentence():
    model = GAN(mlp(4, 2, 0), mlp(2, 1, 1))
    with pytest.raises(ValueError, match="need update='alternating'"):
        model.compile(loss="wgan-gp", update="simultaneous")
    with pytest.raises(ValueError, match="d_steps must be a whole number"):
        model.compile(d_steps=0)
    with pytest.raises(ValueError, match="update must be"):
        model.compile(update="both")
    with pytest.raises(ValueError, match="seed must be a whole number"):
        GAN(mlp(4, 2, 0), mlp(2, 1, 1), seed=-1)


def test_compile_turns_off_the_remapper_on_a_cpu():
    # Its fused kernels made the DCGAN step 1.7-1.8x slower on a CPU (benchmarks/gan_speed.py).
    GAN(mlp(4, 2, 0), mlp(2, 1, 1)).compile()
    expected = False if not tf.config.list_physical_devices("GPU") else None
    assert tf.config.optimizer.get_experimental_options().get("remapping") is expected


def test_joint_pass_is_refused_with_batch_normalisation():
    D = keras.Sequential([keras.Input((2,)), keras.layers.Dense(4), keras.layers.BatchNormalization(),
                          keras.layers.Dense(1)])
    with pytest.raises(ValueError, match="mix real and generated images in the discriminator's batch"):
        GAN(mlp(4, 2, 0), D).compile(joint=True)
    GAN(mlp(4, 2, 0), D).compile()  # two passes: fine
