"""Checks for notebook 05 (GAN basics), all in NumPy.

q1  ``discriminator_loss(real_logits, fake_logits)``: the binary cross-entropy the
    discriminator minimises, from its logits for a batch of real samples (N,) and
    of generated ones (M,): ``mean(-log sigmoid(real)) + mean(-log(1 - sigmoid(fake)))``,
    a float, finite even for logits like ±40
q2  ``generator_loss(fake_logits)``: the non-saturating generator loss
    ``mean(-log sigmoid(fake))``, a float
q3  ``gradient_penalty(gradients)``: WGAN-GP's penalty ``mean((||g_i|| - 1)²)`` from
    the critic's gradients at the interpolated samples, shape (N, ...): one norm
    per sample, over all of that sample's values; a float
"""

from __future__ import annotations

import numpy as np

from ..i18n import _
from .core import Exercise, Trials


def _softplus(x):
    """log(1 + e^x), without overflow: np.logaddexp(0, x)."""
    return np.logaddexp(0.0, np.asarray(x, dtype=np.float64))


def _discriminator_loss(real_logits, fake_logits):
    return float(np.mean(_softplus(-real_logits)) + np.mean(_softplus(fake_logits)))


def _generator_loss(fake_logits):
    return float(np.mean(_softplus(-fake_logits)))


def _norms(gradients):
    g = np.asarray(gradients, dtype=np.float64)
    return np.sqrt(np.sum(np.square(g.reshape(len(g), -1)), axis=1))


def _gradient_penalty(gradients):
    return float(np.mean(np.square(_norms(gradients) - 1.0)))


# What check.qN.solution() shows: the same answers written out without the helpers above.


def _shown_discriminator_loss(real_logits, fake_logits):
    # -log sigmoid(l) = log(1 + e^-l) and -log(1 - sigmoid(l)) = log(1 + e^l), without overflow for large |l|
    real_term = np.mean(np.logaddexp(0.0, -np.asarray(real_logits, dtype=np.float64)))
    fake_term = np.mean(np.logaddexp(0.0, np.asarray(fake_logits, dtype=np.float64)))
    return float(real_term + fake_term)


def _shown_generator_loss(fake_logits):
    return float(np.mean(np.logaddexp(0.0, -np.asarray(fake_logits, dtype=np.float64))))


def _shown_gradient_penalty(gradients):
    g = np.asarray(gradients, dtype=np.float64)
    norms = np.sqrt(np.sum(g.reshape(len(g), -1) ** 2, axis=1))  # one norm per sample
    return float(np.mean((norms - 1.0) ** 2))




# ------------------------------------------------------------------ helpers for the explanations


def _number(got):
    """``got`` as a float when it is one number (a 0-d or one-element array counts), else None."""
    arr = np.asarray(got) if not isinstance(got, (str, bytes)) else None
    if arr is None or arr.dtype.kind not in "biuf" or arr.size != 1:
        return None
    return float(arr.reshape(()))


def _same(got: float, value) -> bool:
    with np.errstate(all="ignore"):
        value = float(value)
    return np.isfinite(value) and bool(np.isclose(got, value, rtol=1e-4, atol=1e-6))


def _sigmoid(x):
    return np.exp(-_softplus(-x))


def _naive_log(p):
    with np.errstate(all="ignore"):
        return np.log(np.asarray(p, dtype=np.float64))


def _per_sample(args, got, per="sample"):
    arr = np.asarray(got) if got is not None else None
    if arr is not None and arr.ndim >= 1 and arr.size > 1:
        if per == "gradient":
            return _("you returned {count} values (one per sample's gradient); the loss is one number: "
                     "average over the batch with np.mean").format(count=arr.size)
        return _("you returned {count} values (one per sample); the loss is one number: "
                 "average over the batch with np.mean").format(count=arr.size)
    return None


def _nan_logits():
    return _("your result is NaN or infinite: the inputs are logits (any real number), not probabilities; "
             "log(sigmoid(l)) and log(1 - sigmoid(l)) can be written -np.logaddexp(0, -l) and "
             "-np.logaddexp(0, l), which stay finite")


def _overflow():
    return _("your result is infinite for logits as large as ±40: sigmoid(40) rounds to exactly 1, so "
             "log(1 - sigmoid(40)) is log(0); write -log(sigmoid(l)) as np.logaddexp(0, -l) and "
             "-log(1 - sigmoid(l)) as np.logaddexp(0, l)")


def _explain_number(args, got, expected, candidates, *, logits=None, per="sample"):
    """What the three checks share: one number, finite for ``logits`` of any size, else the first wrong formula.

    ``candidates()`` gives (value of a wrong formula, what is wrong) pairs; it is called
    only when the learner's number is not the expected one.
    """
    problem = _per_sample(args, got, per)
    if problem:
        return problem
    value = _number(got)
    if value is None:
        return None
    if logits is not None and not np.isfinite(value):
        return _overflow() if np.max(np.abs(logits)) >= 30 else _nan_logits()
    if _same(value, expected):
        return None
    for value_wrong, message in candidates():
        if _same(value, value_wrong) and not _same(float(expected), value_wrong):
            return message
    return None


# ------------------------------------------------------------------ q1 discriminator loss


def _logits(rng, size, scale=2.0):
    return (rng.normal(0.0, scale, size) + rng.choice([-1.0, 1.0]) * rng.uniform(0, 1)).astype(np.float32)


def _d_inputs(rng):
    n, m = int(rng.integers(5, 13)), int(rng.integers(5, 13))
    while m == n:  # different batch sizes, so that averaging over both batches at once shows
        m = int(rng.integers(5, 13))
    return _logits(rng, n), _logits(rng, m)


def _d_large(rng):
    real, fake = _d_inputs(rng)
    real[0], fake[0] = 40.0, -40.0   # a confident, correct discriminator
    real[1], fake[1] = -40.0, 40.0   # and a confidently wrong one
    return real, fake


def _explain_d(args, got, expected):
    real, fake = (np.asarray(a, dtype=np.float64) for a in args)
    r, f = _softplus(-real), _softplus(fake)
    return _explain_number(args, got, expected, lambda: [
        (np.mean(_softplus(real)) + np.mean(_softplus(-fake)),
         _("the labels are swapped: real samples should be scored as real (label 1, -log D(x)) and generated "
           "ones as fake (label 0, -log(1 - D(G(z))))")),
        (-expected, _("the sign is wrong: cross-entropy is -log of the probability of the right label, a "
                      "positive number the discriminator makes small")),
        (np.sum(r) + np.sum(f), _("you summed over the batch; take the mean of each term, so the loss does not "
                                  "grow with the batch size")),
        (np.mean(r), _("only the real samples' term is there; add mean(-log(1 - D(G(z)))) for the generated ones")),
        (np.mean(f), _("only the generated samples' term is there; add mean(-log D(x)) for the real ones")),
        (np.mean(np.concatenate([r, f])),
         _("you averaged over the real and generated scores together; average each batch on its own and add "
           "the two means")),
        (-np.mean(_naive_log(real)) - np.mean(_naive_log(1 - fake)),
         _("the sigmoid is missing: the inputs are logits, turn them into probabilities D = sigmoid(l) first")),
        (np.mean(_softplus(-_sigmoid(real))) + np.mean(_softplus(_sigmoid(fake))),
         _("the sigmoid is applied twice: the formula with np.logaddexp takes the logits themselves, not "
           "sigmoid(logits)")),
    ], logits=np.concatenate([real, fake]))


# ------------------------------------------------------------------ q2 generator loss


def _g_inputs(rng):
    return (_logits(rng, int(rng.integers(5, 13))),)


def _g_large(rng):
    (fake,) = _g_inputs(rng)
    fake[0], fake[1] = -40.0, 40.0
    return (fake,)


def _explain_g(args, got, expected):
    fake = np.asarray(args[0], dtype=np.float64)
    return _explain_number(args, got, expected, lambda: [
        (-np.mean(_softplus(fake)),
         _("that is the minimax (saturating) loss mean(log(1 - D(G(z)))): it is flat where the generator is "
           "bad; the non-saturating loss is mean(-log D(G(z)))")),
        (np.mean(_softplus(fake)),
         _("that is the discriminator's term for generated samples (label 0); the generator wants its samples "
           "scored as real, label 1: mean(-log D(G(z)))")),
        (-expected, _("the sign is wrong: the loss is -log D(G(z)), positive, and small when D is fooled")),
        (np.sum(_softplus(-fake)), _("you summed over the batch; take the mean")),
        (-np.mean(_naive_log(fake)),
         _("the sigmoid is missing: the inputs are logits, turn them into probabilities D = sigmoid(l) first")),
        (np.mean(_softplus(-_sigmoid(fake))),
         _("the sigmoid is applied twice: np.logaddexp(0, -l) takes the logits themselves")),
    ], logits=fake)


# ------------------------------------------------------------------ q3 gradient penalty


def _gradients(rng, shape):
    """Gradients whose per-sample norms lie between 0.2 and 2.5: some below 1, some above."""
    g = rng.normal(size=shape)
    norms = np.sqrt(np.sum(g.reshape(shape[0], -1) ** 2, axis=1)).reshape((-1,) + (1,) * (len(shape) - 1))
    wanted = rng.uniform(0.2, 2.5, shape[0]).reshape(norms.shape)
    return (g / norms * wanted).astype(np.float32)


def _gp_points(rng):   # the toy GAN's case: one gradient of 2 numbers per point
    return (_gradients(rng, (int(rng.integers(6, 12)), 2)),)


def _gp_images(rng):   # the DCGAN's case: one gradient per image, (N, H, W, C)
    n, h, w = int(rng.integers(4, 8)), int(rng.integers(3, 6)), int(rng.integers(3, 6))
    return (_gradients(rng, (n, h, w, int(rng.integers(2, 4)))),)


def _gp_any(rng):
    return _gp_images(rng) if rng.random() < 0.5 else (_gradients(rng, (int(rng.integers(5, 9)), 3, 5)),)


def _explain_gp(args, got, expected):
    g = np.asarray(args[0], dtype=np.float64)
    return _explain_number(args, got, expected, lambda: _gp_mistakes(g), per="gradient")


def _gp_mistakes(g):
    norms = _norms(g)
    squares = np.sum(np.square(g.reshape(len(g), -1)), axis=1)
    candidates = [
        ((np.sqrt(np.sum(g ** 2)) - 1.0) ** 2,
         _("you took one norm over the whole batch; the penalty needs one norm per sample "
           "(over all its values), then the mean of (norm - 1)² over the samples")),
        (np.mean((squares - 1.0) ** 2),
         _("that uses the squared norm (the sum of squares) where the norm itself is needed: take the square "
           "root before subtracting 1")),
        (np.mean(norms ** 2),
         _("the -1 is missing: the penalty pushes the norm towards 1, (norm - 1)², not towards 0")),
        (np.mean(np.abs(norms - 1.0)), _("that is |norm - 1|; WGAN-GP squares the difference: (norm - 1)²")),
        (np.mean(np.maximum(norms - 1.0, 0.0) ** 2),
         _("that penalises only norms above 1 (a one-sided penalty); WGAN-GP penalises both sides, (norm - 1)²")),
        (np.mean((np.sqrt(np.mean(g.reshape(len(g), -1) ** 2, axis=1)) - 1.0) ** 2),
         _("you averaged the squares (np.mean) inside the norm; the norm sums them: sqrt(sum(g²))")),
    ]
    if g.ndim > 2:
        for axis in range(1, g.ndim):
            candidates.append((np.mean((np.sqrt(np.sum(g ** 2, axis=axis)) - 1.0) ** 2),
                               _("the norm was taken over axis {axis} only; a sample's gradient has all of "
                                 "shape {g_shape}: reshape it to (N, -1) or sum over every axis but the first").format(
                                     axis=axis, g_shape=g.shape[1:])))
    candidates.append((np.mean((np.sqrt(np.sum(g ** 2, axis=0)) - 1.0) ** 2),
                       _("the norm was taken over axis 0, across the samples; take it within each sample, over "
                         "every axis but the first")))
    return candidates


q1 = Exercise("q1 discriminator_loss", _discriminator_loss, Trials([_d_inputs, _d_inputs, _d_large], _d_inputs),
              trials=5, explain=_explain_d, solution=_shown_discriminator_loss,
              hint=lambda: _("with D = sigmoid(l), -log D = np.logaddexp(0, -l) and -log(1 - D) = np.logaddexp(0, l); "
                             "take np.mean of each over its batch and add the two."))
q2 = Exercise("q2 generator_loss", _generator_loss, Trials([_g_inputs, _g_inputs, _g_large], _g_inputs),
              trials=5, explain=_explain_g, solution=_shown_generator_loss,
              hint=lambda: _("the generator wants D(G(z)) near 1: np.mean(np.logaddexp(0, -fake_logits))."))
q3 = Exercise("q3 gradient_penalty", _gradient_penalty, Trials([_gp_points, _gp_images], _gp_any),
              trials=5, explain=_explain_gp, solution=_shown_gradient_penalty,
              hint=lambda: _("norms = np.sqrt(np.sum(gradients.reshape(len(gradients), -1) ** 2, axis=1)); "
                             "then np.mean((norms - 1) ** 2)."))
