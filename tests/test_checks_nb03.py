"""Notebook 03's checks pass the right answers and name each common mistake."""

import numpy as np
import pytest

from conftest import fails_with, passes
from course_utils import losses
from course_utils.checks import nb03


def _flat(f):
    return f.reshape(-1, f.shape[-1]).astype(np.float64)


def _gram(f):
    return _flat(f).T @ _flat(f)


def _sizes(f):
    h, w, c = f.shape
    return c, h * w


def test_solutions_match_the_library():
    rng = np.random.default_rng(5)
    for _ in range(4):
        f, a = nb03._style_inputs(rng)
        m = f.shape[0] * f.shape[1]
        assert nb03.q1.reference(f, a) == pytest.approx(
            float(losses.style_layer_loss(f, a / m, "gatys")), rel=1e-5)
        image = nb03._image(rng)
        for kind in losses.TV_KINDS:
            assert nb03.q2.reference(image, kind) == pytest.approx(
                float(losses.total_variation_loss(image, kind)), rel=1e-5)


# ---------------------------------------------------------------- q1 style_layer_loss


def test_q1_style_layer_loss_right_answers():
    assert passes(nb03.q1, nb03.q1.reference) == 5

    def normalised_grams(f, a):  # the same number, with Grams divided by M and the factor 1 / (4 N²)
        n, m = _sizes(f)
        return np.sum((_gram(f) / m - a / m) ** 2) / (4 * n ** 2)

    def in_float32(f, a):
        flat = f.reshape(-1, f.shape[-1])
        n, m = _sizes(f)
        return np.sum(np.square(flat.T @ flat - a)) / np.float32(4 * n ** 2 * m ** 2)

    def with_tensorflow(f, a):
        return (losses.style_layer_loss(f, a / (f.shape[0] * f.shape[1]))).numpy()

    for right in (normalised_grams, in_float32, with_tensorflow):
        assert passes(nb03.q1, right) == 5


def test_q1_style_layer_loss_names_each_mistake():
    def factor(f):
        n, m = _sizes(f)
        return 4 * n ** 2 * m ** 2

    fails_with(nb03.q1, lambda f, a: np.sum((_gram(f) - a) ** 2),
               r"the factor 1 / \(4 N² M²\) is missing \(N = \d+ channels, M = H\*W = \d+ positions\)")
    fails_with(nb03.q1, lambda f, a: np.sum((_gram(f) - a) ** 2) / (factor(f) / 4), "4 times too large")
    fails_with(nb03.q1, lambda f, a: np.sum((_gram(f) / _sizes(f)[1] - a / _sizes(f)[1]) ** 2) / factor(f),
               r"divided the Gram matrices by M = H\*W = \d+ and then by 4 N² M² as well")
    fails_with(nb03.q1, lambda f, a: np.sum((_gram(f) / _sizes(f)[1] - a) ** 2) / factor(f),
               "target_gram is unnormalised")
    fails_with(nb03.q1, lambda f, a: np.mean((_gram(f) - a) ** 2) / factor(f),
               r"N² = \d+ times too small: sum the squared differences")

    def swapped(f, a):
        mixed = f.reshape(f.shape[-1], -1).astype(np.float64)
        return np.sum((mixed @ mixed.T - a) ** 2) / factor(f)

    fails_with(nb03.q1, swapped, r"mixes positions and channels: features.reshape\(C, -1\)")
    fails_with(nb03.q1, lambda f, a: np.sqrt(np.sum((_gram(f) - a) ** 2)) / factor(f), "without a square root")
    fails_with(nb03.q1, lambda f, a: (_gram(f) - a) ** 2 / factor(f), r"you returned a \(C, C\) matrix")
    fails_with(nb03.q1, lambda f, a: np.sum((_gram(f) @ a) ** 2), r"expected the result to be [\d.e+-]+, got")


def test_q1_reports_a_learners_error_in_one_line():
    def positions_gram(f, a):  # F F^T compares positions: (M, M) minus (C, C) cannot broadcast
        flat = _flat(f)
        return np.sum((flat @ flat.T - a) ** 2)

    fails_with(nb03.q1, positions_gram, "raised ValueError: operands could not be broadcast")


# ---------------------------------------------------------------- q2 total_variation


def test_q2_total_variation_right_answers_and_both_kinds_are_tried():
    assert passes(nb03.q2, nb03.q2.reference) == 6
    assert passes(nb03.q2, lambda im, k: losses.total_variation_loss(im, k).numpy()) == 6

    def with_diff(im, k):
        penalty = np.abs if k == "l1" else np.square
        return penalty(np.diff(im, axis=0)).sum() + penalty(np.diff(im, axis=1)).sum()

    assert passes(nb03.q2, with_diff) == 6
    seen = []
    nb03.q2(lambda im, k: seen.append(k) or nb03.q2.reference(im, k))
    assert seen[:2] == ["l1", "squared"] and set(seen) <= {"l1", "squared"}


def _tv(kind, dy, dx):
    penalty = np.abs if kind == "l1" else np.square
    return float(penalty(dy).sum() + penalty(dx).sum())


@pytest.mark.parametrize("wrong, message", [
    (lambda im, k: _tv(k, np.diff(im, axis=0), 0), "only the vertical differences"),
    (lambda im, k: _tv(k, 0, np.diff(im, axis=1)), "only the horizontal differences"),
    (lambda im, k: _tv("squared", np.diff(im, axis=0), np.diff(im, axis=1)),
     "take the absolute values of the differences for kind='l1'"),
    (lambda im, k: np.diff(im, axis=0).sum() + np.diff(im, axis=1).sum(), "positive and negative differences cancel"),
    (lambda im, k: _tv(k, np.diff(im, axis=0), np.diff(im, axis=2)), "along the colour channels"),
    (lambda im, k: _tv(k, np.diff(im, axis=2), np.diff(im, axis=1)), "along the colour channels"),
    (lambda im, k: _tv(k, im[1:, :-1] - im[:-1, :-1], im[:-1, 1:] - im[:-1, :-1]),
     r"cropped both directions to \(H-1, W-1\)"),
    (lambda im, k: _tv(k, np.roll(im, -1, 0) - im, np.roll(im, -1, 1) - im), "np.roll wraps around"),
    (lambda im, k: _tv(k, im[1:-1] - im[:-2], np.diff(im, axis=1)), r"missing \(off by one\)"),
    (lambda im, k: _tv(k, np.diff(im, axis=0), im[:, 2:] - im[:, 1:-1]), r"missing \(off by one\)"),
    (lambda im, k: _tv(k, im[2:] - im[:-2], im[:, 2:] - im[:, :-2]), "pixels two apart"),
    (lambda im, k: (np.abs(np.diff(im, axis=0)).mean() + np.abs(np.diff(im, axis=1)).mean()) if k == "l1"
     else (np.diff(im, axis=0) ** 2).mean() + (np.diff(im, axis=1) ** 2).mean(), "do not average them"),
])
def test_q2_total_variation_names_each_mistake(wrong, message):
    fails_with(nb03.q2, wrong, message)


def test_q2_squares_for_l1_are_named_only_on_the_squared_trial():
    # right for "l1", wrong for "squared": the second trial says so
    wrong = lambda im, k: _tv("l1", np.diff(im, axis=0), np.diff(im, axis=1))  # noqa: E731
    fails_with(nb03.q2, wrong, r"square the differences for kind='squared'.*on input .*'squared'")


def test_q2_the_answer_shown_is_the_reference():
    rng = np.random.default_rng(6)
    for kind in ("l1", "squared"):
        image = nb03._image(rng)
        assert nb03.q2.shown_solution(image, kind) == pytest.approx(nb03.q2.reference(image, kind), rel=1e-12)
    assert nb03.q2.shown_solution is not nb03.q2.reference


# ---------------------------------------------------------------- q3 content_loss


def test_q3_reference_is_the_library_content_loss():
    rng = np.random.default_rng(8)
    for kind in losses.CONTENT_KINDS:
        generated, target, _ = nb03._content_inputs(kind)(rng)
        assert nb03.q3.reference(generated, target, kind) == pytest.approx(
            float(losses.content_loss(generated, target, kind)), rel=1e-5)
    h, w, c = generated.shape
    assert nb03.q3.reference(generated, target, "gatys") == pytest.approx(
        0.5 * h * w * c * nb03.q3.reference(generated, target, "mse"), rel=1e-12)   # section 1's constant


def test_q3_content_loss_right_answers_and_both_kinds_are_tried():
    import tensorflow as tf

    assert passes(nb03.q3, nb03.q3.reference) == 6
    assert passes(nb03.q3, lambda g, t, k: losses.content_loss(g, t, k).numpy()) == 6

    def with_tensorflow(g, t, k):
        squares = tf.square(tf.constant(g) - t)
        return 0.5 * tf.reduce_sum(squares) if k == "gatys" else tf.reduce_mean(squares)

    def in_float32(g, t, k):
        squares = (g - t) ** 2
        return squares.sum() / 2 if k == "gatys" else squares.sum() / squares.size

    for right in (with_tensorflow, in_float32):
        for seed in (0, 1):
            assert passes(nb03.q3, right, seed=seed) == 6
    seen = []
    nb03.q3(lambda g, t, k: seen.append(k) or nb03.q3.reference(g, t, k))
    assert seen[:2] == ["mse", "gatys"] and set(seen) == {"mse", "gatys"}


def _d(g, t):
    return g.astype(np.float64) - t


def _gatys_only(wrong):
    """Right for kind='mse', ``wrong`` for 'gatys': named on the second trial."""
    return lambda g, t, k: wrong(g, t) if k == "gatys" else np.mean(_d(g, t) ** 2)


def _mse_only(wrong):
    return lambda g, t, k: wrong(g, t) if k == "mse" else 0.5 * np.sum(_d(g, t) ** 2)


@pytest.mark.parametrize("wrong, message", [
    (_gatys_only(lambda g, t: np.sum(_d(g, t) ** 2)), "the ½ is missing.*'gatys'\\)"),
    (_gatys_only(lambda g, t: np.mean(_d(g, t) ** 2)), r"you took the mean, the tutorial's form.*½ H W C = \d+ times"),
    (_gatys_only(lambda g, t: 0.5 * np.mean(_d(g, t) ** 2)), "you took half the mean"),
    (_gatys_only(lambda g, t: 0.5 * np.mean(np.sum(_d(g, t) ** 2, axis=-1))), "you averaged over the positions"),
    (_gatys_only(lambda g, t: 0.5 * np.mean(np.sum(_d(g, t) ** 2, axis=(0, 1)))), "you averaged over the channels"),
    (_mse_only(lambda g, t: 0.5 * np.sum(_d(g, t) ** 2)), r"you took half the sum, Gatys' form.*H\*W\*C = \d+"),
    (_mse_only(lambda g, t: np.sum(_d(g, t) ** 2)), "you summed the squared differences; kind='mse' takes their mean"),
    (_mse_only(lambda g, t: 0.5 * np.mean(_d(g, t) ** 2)), "the tutorial's mean has no ½"),
    (_mse_only(lambda g, t: np.mean(np.sum(_d(g, t) ** 2, axis=-1))), "summed over the channels and averaged over "
                                                                      "the positions"),
    (_mse_only(lambda g, t: np.mean(np.sum(_d(g, t) ** 2, axis=(0, 1)))), "summed over the positions and averaged"),
    (lambda g, t, k: np.mean(_d(g, t)) if k == "mse" else 0.5 * np.sum(_d(g, t)), "positive and negative ones cancel"),
    (lambda g, t, k: np.mean(np.abs(_d(g, t))) if k == "mse" else 0.5 * np.sum(np.abs(_d(g, t))),
     "instead of taking their absolute values"),
    (lambda g, t, k: np.linalg.norm(_d(g, t)), r"that is the length of the difference \(np.linalg.norm\)"),
    (lambda g, t, k: np.sqrt(np.mean(_d(g, t) ** 2)) if k == "mse" else np.sqrt(0.5 * np.sum(_d(g, t) ** 2)),
     "without a square root at the end"),
    (lambda g, t, k: (np.sum(g) - np.sum(t)) ** 2 / g.size, "not the difference of the sums"),
    (lambda g, t, k: np.mean((losses.gram_matrix(g).numpy() - losses.gram_matrix(t).numpy()) ** 2),
     "you compared Gram matrices, which is the style loss"),
    (lambda g, t, k: _d(g, t) ** 2, "you returned the map of squared differences; the loss is one number: their mean"),
    (lambda g, t, k: np.mean(_d(g, t) ** 2) * 1.01, r"expected the result to be [\d.e+-]+, got"),
])
def test_q3_content_loss_names_each_mistake(wrong, message):
    fails_with(nb03.q3, wrong, message)
