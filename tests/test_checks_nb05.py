"""Notebook 05's checks pass the right answers and name each common mistake."""

import numpy as np

from conftest import fails_with, passes
from course_utils.checks import nb05


def softplus(x):
    return np.logaddexp(0, x)


def sigmoid(x):
    return 1 / (1 + np.exp(-np.asarray(x, dtype=np.float64)))


# ------------------------------------------------------------------ q1


def test_q1_discriminator_loss_right_answers():
    assert passes(nb05.q1, nb05.q1.reference) == 5

    def stable_by_hand(real, fake):  # softplus(x) = max(x, 0) + log(1 + e^-|x|)
        def sp(x):
            x = x.astype(np.float64)
            return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))
        return np.mean(sp(-real)) + np.mean(sp(fake))

    assert passes(nb05.q1, stable_by_hand) == 5

    def with_the_course_losses(real, fake):  # the TensorFlow version gives the same number
        from course_utils.gan import losses

        return float(losses.discriminator_loss(real.astype(np.float64), fake.astype(np.float64)))

    assert passes(nb05.q1, with_the_course_losses) == 5


def test_q1_discriminator_loss_names_each_mistake():
    fails_with(nb05.q1, lambda r, f: np.mean(softplus(r)) + np.mean(softplus(-f)), "the labels are swapped")
    fails_with(nb05.q1, lambda r, f: -(np.mean(softplus(-r)) + np.mean(softplus(f))), "the sign is wrong")
    fails_with(nb05.q1, lambda r, f: np.sum(softplus(-r)) + np.sum(softplus(f)), "you summed over the batch")
    fails_with(nb05.q1, lambda r, f: np.mean(softplus(-r)), "only the real samples' term")
    fails_with(nb05.q1, lambda r, f: np.mean(softplus(f)), "only the generated samples' term")
    fails_with(nb05.q1, lambda r, f: np.mean(np.concatenate([softplus(-r), softplus(f)])),
               "averaged over the real and generated scores together")
    with np.errstate(all="ignore"):  # logits taken for probabilities: log of negative numbers
        fails_with(nb05.q1, lambda r, f: -np.mean(np.log(r)) - np.mean(np.log(1 - f)), "NaN or infinite")
    fails_with(nb05.q1, lambda r, f: -np.mean(np.log(sigmoid(sigmoid(r)))) - np.mean(np.log(1 - sigmoid(sigmoid(f)))),
               "the sigmoid is applied twice")
    with np.errstate(all="ignore"):  # right on small logits, log(0) on the third (large) input
        message = fails_with(nb05.q1, lambda r, f: -np.mean(np.log(sigmoid(r))) - np.mean(np.log(1 - sigmoid(f))),
                             "infinite for logits as large as ±40")
    assert "np.logaddexp" in message
    fails_with(nb05.q1, lambda r, f: softplus(-r).mean() + softplus(f), "one number: average over the batch")


def test_q1_missing_sigmoid_named_when_the_logs_happen_to_be_finite(monkeypatch):
    # All logits in (0, 1): log(logit) is finite, so the message can name the missing sigmoid itself.
    def inputs(rng):
        return rng.uniform(0.1, 0.9, 7).astype(np.float32), rng.uniform(0.1, 0.9, 9).astype(np.float32)

    monkeypatch.setattr(nb05.q1, "make_inputs", inputs)
    fails_with(nb05.q1, lambda r, f: -np.mean(np.log(r)) - np.mean(np.log(1 - f)), "the sigmoid is missing")


# ------------------------------------------------------------------ q2


def test_q2_generator_loss_right_answers():
    assert passes(nb05.q2, nb05.q2.reference) == 5
    assert passes(nb05.q2, lambda f: float(np.mean(np.maximum(-f, 0) + np.log1p(np.exp(-np.abs(f)))))) == 5

    def with_the_course_losses(fake):
        from course_utils.gan import losses

        return float(losses.generator_loss(fake.astype(np.float64), "non_saturating"))

    assert passes(nb05.q2, with_the_course_losses) == 5
    # -log(sigmoid(l)) written plainly is finite at l = -40 (sigmoid(-40) is about 4e-18, not 0): also right.
    assert passes(nb05.q2, lambda f: -np.mean(np.log(sigmoid(f)))) == 5


def test_q2_generator_loss_names_each_mistake():
    fails_with(nb05.q2, lambda f: -np.mean(softplus(f)), "the minimax .saturating. loss")
    fails_with(nb05.q2, lambda f: np.mean(softplus(f)), "the discriminator's term for generated samples")
    fails_with(nb05.q2, lambda f: -np.mean(softplus(-f)), "the sign is wrong")
    fails_with(nb05.q2, lambda f: np.sum(softplus(-f)), "you summed over the batch")
    fails_with(nb05.q2, lambda f: softplus(-f), "one number: average over the batch")
    fails_with(nb05.q2, lambda f: np.mean(softplus(-sigmoid(f))), "the sigmoid is applied twice")
    with np.errstate(all="ignore"):
        fails_with(nb05.q2, lambda f: -np.mean(np.log(f)), "NaN or infinite")
        fails_with(nb05.q2, lambda f: np.mean(np.log(1 - sigmoid(f))), "the minimax .saturating. loss")
        # Right on paper, -log(1 - sigmoid(-l)), but 1 - sigmoid(40) is exactly 0 in floating point.
        fails_with(nb05.q2, lambda f: -np.mean(np.log(1 - sigmoid(-f))), "infinite for logits as large as ±40")


# ------------------------------------------------------------------ q3


def norms(g):
    return np.sqrt(np.sum(g.reshape(len(g), -1) ** 2, axis=1))


def test_q3_gradient_penalty_right_answers():
    assert passes(nb05.q3, nb05.q3.reference) == 5
    assert passes(nb05.q3, lambda g: np.mean((np.linalg.norm(g.reshape(len(g), -1), axis=1) - 1) ** 2)) == 5
    assert passes(nb05.q3, lambda g: float(np.mean(
        (np.sqrt(np.sum(np.square(g), axis=tuple(range(1, g.ndim)))) - 1) ** 2))) == 5


def test_q3_inputs_include_points_and_images_and_norms_on_both_sides_of_one():
    rng = np.random.default_rng(0)
    shapes = [nb05.q3.make_inputs(rng)[0].shape for _ in range(5)]
    assert len(shapes[0]) == 2 and shapes[0][1] == 2  # the toy GAN's points first
    assert any(len(s) == 4 for s in shapes)            # then images
    g = nb05.q3.make_inputs(np.random.default_rng(1))[0]
    assert np.any(norms(g) < 1) and np.any(norms(g) > 1)


def test_q3_gradient_penalty_names_each_mistake():
    fails_with(nb05.q3, lambda g: (np.sqrt(np.sum(g.astype(np.float64) ** 2)) - 1) ** 2,
               "one norm over the whole batch")
    fails_with(nb05.q3, lambda g: np.mean((np.sum(g.reshape(len(g), -1) ** 2, axis=1) - 1) ** 2),
               "the squared norm")
    fails_with(nb05.q3, lambda g: np.mean(norms(g) ** 2), "the -1 is missing")
    fails_with(nb05.q3, lambda g: np.mean(np.abs(norms(g) - 1)), r"that is \|norm - 1\|")
    fails_with(nb05.q3, lambda g: np.mean(np.maximum(norms(g) - 1, 0) ** 2), "one-sided penalty")
    fails_with(nb05.q3, lambda g: np.mean((np.sqrt(np.mean(g.reshape(len(g), -1) ** 2, axis=1)) - 1) ** 2),
               "averaged the squares")
    # Right on the (N, 2) points of the first trial, wrong on the images that follow.
    fails_with(nb05.q3, lambda g: np.mean((np.linalg.norm(g, axis=-1) - 1) ** 2),
               r"the norm was taken over axis 3 only; a sample's gradient has all of shape")
    fails_with(nb05.q3, lambda g: np.mean((np.linalg.norm(g, axis=1) - 1) ** 2), "over axis 1 only")
    fails_with(nb05.q3, lambda g: np.mean((np.linalg.norm(g, axis=0) - 1) ** 2), "taken over axis 0, across")
    fails_with(nb05.q3, lambda g: (norms(g) - 1) ** 2, "one number: average over the batch")
