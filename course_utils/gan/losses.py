"""The losses of a GAN, written from the discriminator's raw scores (logits).

The discriminator outputs one number per image, a *logit* ``l``; its probability
that the image is real is ``D = sigmoid(l)``. Working with logits and
``softplus(x) = log(1 + e^x)`` keeps every loss finite even when ``D`` is 0 or 1:
``-log(sigmoid(l)) = softplus(-l)`` and ``-log(1 - sigmoid(l)) = softplus(l)``.

=================  ==============================================  ===========================================
``kind``           discriminator (critic) minimises                generator minimises
=================  ==============================================  ===========================================
``"minimax"``      ``-E[log D(x)] - E[log(1 - D(G(z)))]``          ``E[log(1 - D(G(z)))]`` (Goodfellow's game)
``"non_saturating"`` the same                                      ``-E[log D(G(z))]`` (strong gradients early)
``"wgan-gp"``      ``E[C(G(z))] - E[C(x)]`` + a gradient penalty   ``-E[C(G(z))]`` (Gulrajani et al. 2017)
=================  ==============================================  ===========================================

Inputs are tensors or arrays of logits of shape (N,) or (N, 1); results are
scalar tensors, averaged over the batch.
"""

from __future__ import annotations

from .._tf import tf
from ..errors import SettingError
from ..i18n import _

__all__ = ["KINDS", "discriminator_loss", "generator_loss", "interpolate", "gradient_penalty"]

#: The loss kinds every function here accepts.
KINDS = ("non_saturating", "minimax", "wgan-gp")


def _kind(kind: str) -> str:
    if kind not in KINDS:
        raise SettingError(_("kind must be one of {kinds}; got {kind!r}.").format(
            kinds=", ".join(repr(k) for k in KINDS), kind=kind))
    return kind


def _logits(x, name: str):
    x = tf.convert_to_tensor(x)
    if not x.dtype.is_floating:
        x = tf.cast(x, tf.float32)
    if x.shape.rank is not None and x.shape.rank > 2:
        raise SettingError(_("{name} should hold one score per image, shape (N,) or (N, 1); got shape {shape}.").format(
            name=name, shape=x.shape))
    return x


def discriminator_loss(real_logits, fake_logits, kind: str = "non_saturating"):
    """What the discriminator minimises: score real images high and generated ones low.

    For ``"minimax"`` and ``"non_saturating"`` this is the binary cross-entropy
    with label 1 for the real and 0 for the generated images,
    ``mean(softplus(-real)) + mean(softplus(fake))``; for ``"wgan-gp"`` it is the
    critic's ``mean(fake) - mean(real)`` (add :func:`gradient_penalty` to it).
    """
    kind = _kind(kind)
    real, fake = _logits(real_logits, "real_logits"), _logits(fake_logits, "fake_logits")
    if kind == "wgan-gp":
        return tf.reduce_mean(fake) - tf.reduce_mean(real)
    return tf.reduce_mean(tf.nn.softplus(-real)) + tf.reduce_mean(tf.nn.softplus(fake))


def generator_loss(fake_logits, kind: str = "non_saturating"):
    """What the generator minimises, given the discriminator's logits for its images.

    - ``"minimax"``: ``mean(log(1 - D)) = -mean(softplus(fake))``. When the
      discriminator easily spots the fakes (D near 0) this curve is flat, so the
      generator learns little early on: it *saturates*.
    - ``"non_saturating"``: ``-mean(log D) = mean(softplus(-fake))``: the same
      fixed point, steep where the generator is bad (Goodfellow et al. 2014).
    - ``"wgan-gp"``: ``-mean(fake)``.
    """
    kind = _kind(kind)
    fake = _logits(fake_logits, "fake_logits")
    if kind == "minimax":
        return -tf.reduce_mean(tf.nn.softplus(fake))
    if kind == "non_saturating":
        return tf.reduce_mean(tf.nn.softplus(-fake))
    return -tf.reduce_mean(fake)


def interpolate(real, fake, alpha):
    """Points on the straight lines between real and generated samples: ``real + alpha * (fake - real)``.

    ``alpha`` holds one number in [0, 1] per sample, shape (N,); it is broadcast
    over the other axes.
    """
    real = tf.convert_to_tensor(real)
    fake = tf.cast(tf.convert_to_tensor(fake), real.dtype)
    alpha = tf.cast(tf.reshape(alpha, [-1] + [1] * (real.shape.rank - 1)), real.dtype)
    return real + alpha * (fake - real)


def gradient_penalty(critic, real, fake, alpha, *, condition=None):
    """WGAN-GP's penalty: ``mean((||grad C(x̂)||₂ - 1)²)`` at ``x̂`` between real and fake samples.

    Gulrajani et al. (2017) draw ``alpha`` uniformly in [0, 1], one per sample,
    and take the gradient's norm over all of a sample's values. A critic whose
    gradient has norm 1 along those lines is (softly) 1-Lipschitz, as the
    Wasserstein distance needs.

    Parameters
    ----------
    critic : keras.Model
        Returns one score per sample; called as ``critic(x)``, or
        ``critic([x, condition])`` when ``condition`` (e.g. class labels) is given.
    real, fake : tensors (N, ...)
    alpha : tensor (N,), values in [0, 1]
    """
    mixed = interpolate(real, fake, alpha)
    with tf.GradientTape() as tape:
        tape.watch(mixed)
        scores = critic(mixed if condition is None else [mixed, condition], training=True)
    grads = tape.gradient(scores, mixed)
    axes = list(range(1, grads.shape.rank))
    norms = tf.sqrt(tf.reduce_sum(tf.square(grads), axis=axes) + 1e-12)
    return tf.reduce_mean(tf.square(norms - 1.0))
