"""A GAN as a Keras 3 model: ``gan.fit(real_data)`` trains both networks.

:class:`GAN` holds a generator and a discriminator and overrides Keras'
``train_step``: for each batch of real samples it updates the discriminator on
real and generated samples, then the generator through the discriminator. So the
whole of Keras works with it: ``fit`` with epochs, callbacks and progress bars,
``train_on_batch``, metrics in ``history``.

Everything random in a step is drawn from the model's seed and its step counter
(``tf.random.stateless_*``): two runs with the same seed and data are the same,
and a run resumed from a checkpoint continues exactly as if it had not stopped.

Two ways to update, both common:

- ``update="simultaneous"`` (the TensorFlow DCGAN tutorial's): one generated batch,
  one pass of the discriminator, and both networks' gradients from it. Cheapest.
- ``update="alternating"`` (Goodfellow et al.'s Algorithm 1): ``d_steps`` updates
  of the discriminator, then a fresh batch of noise for the generator's update
  through the *updated* discriminator. WGAN-GP needs this (``d_steps=5``).
"""

from __future__ import annotations

from .._tf import keras, tf
from . import losses
from .. import validate
from ..errors import SettingError
from ..i18n import _

__all__ = ["GAN", "UPDATES"]

UPDATES = ("simultaneous", "alternating")


def _has_batch_norm(model) -> bool:
    return any(isinstance(layer, keras.layers.BatchNormalization) or
               (hasattr(layer, "layers") and _has_batch_norm(layer)) for layer in model.layers)


def _unfused_cpu_graphs() -> None:
    """Turn off Grappler's remapper, which fuses e.g. convolution + bias + activation into one kernel.

    Measured on a 2-core CPU (benchmarks/gan_speed.py): with the fused kernels a DCGAN training step
    (forward and backward passes of both networks) took 1.7–1.8× as long as without. The TensorFlow
    tutorial's step escapes this only because the remapper fails on its graph and leaves it as it is.
    On CPUs the fusion saves little in inference either; with a GPU it is left on.
    """
    tf.config.optimizer.set_experimental_options({"remapping": False})


class GAN(keras.Model):
    """A generator and a discriminator trained against each other.

    Parameters
    ----------
    generator : keras.Model
        Maps noise (N, latent_dim) — or ``[noise, labels]`` when ``conditional`` —
        to samples.
    discriminator : keras.Model
        Maps samples — or ``[samples, labels]`` — to one logit each, shape (N, 1).
    latent_dim : int, optional
        Length of the noise vectors; read from the generator's input if not given.
    conditional : bool, optional
        Both networks also take the class labels: ``fit(images, labels)``.
    seed : int, optional
        Seeds the noise and the gradient penalty's interpolation.

    After :meth:`compile`, ``fit(x)`` trains it; the history has ``d_loss`` and
    ``g_loss`` (and ``gp``, the gradient penalty, for WGAN-GP).
    """

    def __init__(self, generator, discriminator, *, latent_dim=None, conditional=False, seed=0, **kwargs):
        super().__init__(**kwargs)
        if latent_dim is None:
            inputs = generator.inputs if getattr(generator, "inputs", None) else None
            if not inputs:
                raise SettingError(_("latent_dim is needed when the generator has no fixed input shape."))
            latent_dim = int(inputs[0].shape[-1])
        seed = validate.seed_value(seed)
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = int(latent_dim)
        self.conditional = bool(conditional)
        self.seed = seed
        # The step counter: part of the model's weights, so checkpoints keep it.
        self.steps = self.add_weight(shape=(), dtype="int64", initializer="zeros", trainable=False,
                                     name="steps")
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.gp_tracker = keras.metrics.Mean(name="gp")

    # --------------------------------------------------------------- set-up

    def compile(self, g_optimizer=None, d_optimizer=None, *, loss="non_saturating", update=None,
                d_steps=1, gp_weight=10.0, joint=False, **kwargs):
        """Choose the optimisers and the game.

        Parameters
        ----------
        g_optimizer, d_optimizer : keras optimizers, optional
            Default: Adam(2e-4, beta_1=0.5) each, as in the DCGAN paper.
        loss : "non_saturating", "minimax" or "wgan-gp"
            See :mod:`course_utils.gan.losses`.
        update : "simultaneous" or "alternating", optional
            Default: "alternating" for WGAN-GP or ``d_steps > 1``, else "simultaneous".
        d_steps : int
            Discriminator updates per generator update (alternating only).
        gp_weight : float
            Weight of the gradient penalty (WGAN-GP only); the paper uses 10.
        joint : bool
            Score the real and the generated batch in one pass of the discriminator
            (one batch of twice the size) instead of two. Off by default: on a 2-core
            CPU two passes were 7–9 % faster (benchmarks/gan_speed.py), and one pass
            would mix real and generated samples in any layer that looks across a
            batch (batch normalisation, minibatch standard deviation); it is refused
            for a discriminator with batch normalisation.

        On a machine without a GPU this also turns off TensorFlow's "remapper" graph
        optimisation for the rest of the session (see :func:`_unfused_cpu_graphs`).
        """
        loss = losses._kind(loss)
        d_steps = validate.positive_int(d_steps, "d_steps", "d_steps=5")
        if update is None:
            update = "alternating" if (loss == "wgan-gp" or d_steps > 1) else "simultaneous"
        if update not in UPDATES:
            raise SettingError(_("update must be 'simultaneous' or 'alternating'; got {update!r}.").format(
                update=update))
        if update == "simultaneous" and (loss == "wgan-gp" or d_steps > 1):
            raise SettingError(_("WGAN-GP and d_steps > 1 need update='alternating': the critic is updated "
                                  "first, then the generator through it."))
        super().compile(**kwargs)
        if not tf.config.list_physical_devices("GPU"):
            _unfused_cpu_graphs()
        self.g_optimizer = g_optimizer or keras.optimizers.Adam(2e-4, beta_1=0.5)
        self.d_optimizer = d_optimizer or keras.optimizers.Adam(2e-4, beta_1=0.5)
        self.loss_kind, self.update, self.d_steps, self.gp_weight = loss, update, d_steps, float(gp_weight)
        if joint and _has_batch_norm(self.discriminator):
            raise SettingError(_("joint=True would mix real and generated images in the discriminator's batch "
                                  "normalisation; leave joint=False for this discriminator."))
        self._joint = bool(joint)

    @property
    def metrics(self):
        tracked = [self.d_loss_tracker, self.g_loss_tracker]
        return tracked + [self.gp_tracker] if getattr(self, "loss_kind", None) == "wgan-gp" else tracked

    # --------------------------------------------------------------- randomness

    def noise(self, batch_size, salt=0):
        """Normal noise (batch_size, latent_dim) for this step: the same seed, step and salt give the same noise."""
        seed = tf.stack([tf.constant(self.seed, tf.int64), self.steps * 64 + salt])
        return tf.random.stateless_normal(tf.stack([batch_size, self.latent_dim]), seed=seed)

    def _uniform(self, batch_size, salt):
        seed = tf.stack([tf.constant(self.seed, tf.int64) + 1, self.steps * 64 + salt])
        return tf.random.stateless_uniform(tf.reshape(batch_size, [1]), seed=seed)

    # --------------------------------------------------------------- the networks

    def generate(self, noise, labels=None, training=False):
        """The generator's samples for ``noise`` (and ``labels`` when conditional)."""
        return self.generator([noise, labels] if self.conditional else noise, training=training)

    def _score(self, samples, labels, training=True):
        return self.discriminator([samples, labels] if self.conditional else samples, training=training)

    def _score_pair(self, real, fake, labels):
        """Logits for the real and the generated batch, as one pass when possible."""
        if self._joint:
            both = tf.concat([real, fake], axis=0)
            both_labels = None if labels is None else tf.concat([labels, labels], axis=0)
            scores = self._score(both, both_labels)
            n = tf.shape(real)[0]
            return scores[:n], scores[n:]
        return self._score(real, labels), self._score(fake, labels)

    def call(self, inputs, training=False):
        return self.generate(*inputs, training=training) if self.conditional else self.generate(inputs, training=training)

    # --------------------------------------------------------------- one step

    def train_step(self, data):
        real, labels, _unused = keras.utils.unpack_x_y_sample_weight(data)
        if self.conditional and labels is None and isinstance(real, (tuple, list)):  # fit((images, labels))
            real, labels = real
        elif not self.conditional:
            labels = None
        real = tf.convert_to_tensor(real)
        batch = tf.shape(real)[0]
        g_vars, d_vars = self.generator.trainable_variables, self.discriminator.trainable_variables

        if self.update == "simultaneous":
            noise = self.noise(batch)
            with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
                fake = self.generate(noise, labels, training=True)
                real_out, fake_out = self._score_pair(real, tf.cast(fake, real.dtype), labels)
                d_loss = losses.discriminator_loss(real_out, fake_out, self.loss_kind)
                g_loss = losses.generator_loss(fake_out, self.loss_kind)
            self.d_optimizer.apply_gradients(zip(d_tape.gradient(d_loss, d_vars), d_vars))
            self.g_optimizer.apply_gradients(zip(g_tape.gradient(g_loss, g_vars), g_vars))
            gp = tf.constant(0.0)
        else:
            for i in range(self.d_steps):
                noise = self.noise(batch, salt=i + 1)
                fake = tf.cast(self.generate(noise, labels, training=True), real.dtype)
                with tf.GradientTape() as d_tape:
                    real_out, fake_out = self._score_pair(real, fake, labels)
                    d_loss = losses.discriminator_loss(real_out, fake_out, self.loss_kind)
                    gp = tf.constant(0.0)
                    if self.loss_kind == "wgan-gp":
                        gp = losses.gradient_penalty(self.discriminator, real, fake, self._uniform(batch, i + 1),
                                                     condition=labels)
                        d_loss = d_loss + self.gp_weight * gp
                self.d_optimizer.apply_gradients(zip(d_tape.gradient(d_loss, d_vars), d_vars))
            noise = self.noise(batch, salt=0)
            with tf.GradientTape() as g_tape:
                fake = self.generate(noise, labels, training=True)
                g_loss = losses.generator_loss(self._score(fake, labels), self.loss_kind)
            self.g_optimizer.apply_gradients(zip(g_tape.gradient(g_loss, g_vars), g_vars))

        self.steps.assign_add(1)
        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        if self.loss_kind == "wgan-gp":
            self.gp_tracker.update_state(gp)
        return {m.name: m.result() for m in self.metrics}
