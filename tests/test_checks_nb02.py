"""Notebook 02's checks pass the right answers and name each common mistake."""

import re

import numpy as np
import pytest

from conftest import fails_with, passes
from course_utils import losses
from course_utils.checks import nb02


def test_solutions_match_the_library():
    rng = np.random.default_rng(3)
    for _ in range(4):
        (f,) = nb02._one_map(rng)
        np.testing.assert_allclose(nb02.q1.reference(f), losses.gram_matrix(f), rtol=1e-5, atol=1e-6)
        for normalize in ("positions", "channels_positions"):
            batch = nb02._features(rng, batch=3)
            np.testing.assert_allclose(nb02.q2.reference(batch, normalize),
                                       losses.gram_matrix(batch, normalize), rtol=1e-5, atol=1e-6)


def test_q1_gram_matrix_right_answers():
    assert passes(nb02.q1, nb02.q1.reference) == 5
    assert passes(nb02.q1, lambda f: losses.gram_matrix(f).numpy()) == 5
    assert passes(nb02.q1, lambda f: np.einsum("ijc,ijd->cd", f, f) / (f.shape[0] * f.shape[1])) == 5


def test_q1_gram_matrix_names_each_mistake():
    def flat(f):
        return f.reshape(-1, f.shape[-1])

    fails_with(nb02.q1, lambda f: (flat(f).T @ flat(f)).astype(np.float32),
               r"H\*W = \d+ times too large: divide by the number of positions")
    fails_with(nb02.q1, lambda f: (flat(f).T @ flat(f) / flat(f).size).astype(np.float32),
               r"C = \d+ times too small: gram_matrix divides by H\*W only")
    fails_with(nb02.q1, lambda f: (flat(f) @ flat(f).T / len(flat(f))).astype(np.float32),
               r"you computed F F\^T, which compares positions with positions")
    fails_with(nb02.q1, lambda f: flat(f).T @ flat(f).astype(np.float64) / len(flat(f)),
               "expected dtype float32, got float64")
    fails_with(nb02.q1, lambda f: f.mean(axis=(0, 1)), "expected shape")


def test_q2_batch_gram_right_answers_and_both_normalisations_are_tried():
    assert passes(nb02.q2, nb02.q2.reference) == 6
    seen = []
    nb02.q2(lambda f, n: seen.append(n) or losses.gram_matrix(f, n).numpy())
    assert seen[:2] == ["positions", "channels_positions"]


def test_q2_batch_gram_names_each_mistake():
    fails_with(nb02.q2, lambda f, n: nb02.q2.reference(f, "positions"),
               r"'channels_positions' divides by C\*H\*W")
    fails_with(nb02.q2, lambda f, n: nb02.q2.reference(f, "channels_positions"),
               r"C = \d+ times too small: normalize='positions' divides by H\*W only")
    fails_with(nb02.q2, lambda f, n: nb02.q1.reference(f[0]), "keep the batch axis")
    fails_with(nb02.q2, lambda f, n: nb02.q1.reference(np.concatenate(list(f), axis=-1)),
               "the images of the batch were mixed together")
    fails_with(nb02.q2, lambda f, n: nb02.q2.reference(f, n)[:, ::-1], "different values")


def test_q1_and_q2_right_answers_in_float32_and_tensorflow():
    import tensorflow as tf

    def float32_matmul(f):  # the BLAS library's own order of summation, in float32
        flat = f.reshape(-1, f.shape[-1])
        return flat.T @ flat / np.float32(len(flat))

    def tensorflow(f, n):
        flat = tf.reshape(f, (f.shape[0], -1, f.shape[-1]))
        gram = tf.matmul(flat, flat, transpose_a=True) / (f.shape[1] * f.shape[2])
        return gram / f.shape[-1] if n == "channels_positions" else gram

    for seed in (0, 1, 2):
        assert passes(nb02.q1, float32_matmul, seed=seed) == 5
        assert passes(nb02.q2, tensorflow, seed=seed) == 6


# ---------------------------------------------------------------- q3 style_distance


def _gram(f):
    flat = f.reshape(-1, f.shape[-1]).astype(np.float64)
    return flat.T @ flat


def _m(f):
    return f.shape[0] * f.shape[1]


def test_q3_reference_is_the_tutorial_style_loss_of_section_1():
    rng = np.random.default_rng(4)
    for make in (nb02._pair_same_size, nb02._pair, nb02._pair):
        a, b = make(rng)
        expected = float(losses.style_layer_loss(a, losses.gram_matrix(b), "tutorial"))
        assert nb02.q3.reference(a, b) == pytest.approx(expected, rel=1e-5)
        assert nb02.q3.reference(a, b) == pytest.approx(nb02.q3.reference(b, a), rel=1e-12)  # symmetric


def test_q3_trials_start_with_one_size_then_two():
    seen = []
    nb02.q3(lambda a, b: seen.append((a.shape, b.shape)) or nb02.q3.reference(a, b))
    assert seen[0][0] == seen[0][1], "the first trial compares maps of one size"
    assert all(_a[:2] != _b[:2] and _a[2] == _b[2] for _a, _b in seen[1:]), "then of two sizes, same channels"


def test_q3_style_distance_right_answers():
    import tensorflow as tf

    assert passes(nb02.q3, nb02.q3.reference) == 6
    assert passes(nb02.q3, lambda a, b: losses.style_layer_loss(a, losses.gram_matrix(b), "tutorial").numpy()) == 6

    def with_tensorflow(a, b):
        return tf.reduce_mean(tf.square(losses.gram_matrix(a) - losses.gram_matrix(b)))

    def in_float32(a, b):
        def gram(f):
            flat = f.reshape(-1, f.shape[-1])
            return flat.T @ flat / np.float32(len(flat))
        return np.mean((gram(a) - gram(b)) ** 2)

    def frobenius_over_entries(a, b):  # ‖Ga/Ma - Gb/Mb‖²_F divided by C², the same number
        c = a.shape[-1]
        return np.linalg.norm(_gram(a) / _m(a) - _gram(b) / _m(b)) ** 2 / c ** 2

    for right in (with_tensorflow, in_float32, frobenius_over_entries):
        for seed in (0, 1):
            assert passes(nb02.q3, right, seed=seed) == 6


def _normalised(f):
    return _gram(f) / _m(f)


@pytest.mark.parametrize("wrong, message", [
    (lambda a, b: np.mean((_gram(a) - _gram(b)) ** 2), "the Gram matrices are not normalised"),
    (lambda a, b: np.sum((_normalised(a) - _normalised(b)) ** 2), r"you summed the squared differences.*C² = \d+"),
    (lambda a, b: np.mean((_normalised(a) - _normalised(b)) ** 2) / a.shape[-1] ** 2,
     r"C² = \d+ times too small: you divided the Gram matrices by C\*H\*W"),
    (lambda a, b: np.mean((_normalised(a) / _m(a) - _normalised(b) / _m(b)) ** 2),
     r"divided each Gram matrix by \(H\*W\)²"),
    (lambda a, b: np.mean(((_gram(a) - _gram(b)) / _m(a)) ** 2), "by the first map's \\d+ positions; the second has"),
    (lambda a, b: np.mean(((_gram(a) - _gram(b)) / _m(b)) ** 2), "by the second map's \\d+ positions; the first has"),
    (lambda a, b: np.mean(_normalised(a) - _normalised(b)), "square the differences before averaging them"),
    (lambda a, b: np.mean(np.abs(_normalised(a) - _normalised(b))), "instead of taking their absolute values"),
    (lambda a, b: np.linalg.norm(_normalised(a) - _normalised(b)), "that is the Frobenius norm of the difference"),
    (lambda a, b: np.sqrt(np.mean((_normalised(a) - _normalised(b)) ** 2)), "without a square root at the end"),
    (lambda a, b: losses.gram_distance(losses.gram_matrix(a), losses.gram_matrix(b)).numpy(),
     r"that is the relative distance of section 1 \(losses.gram_distance\)"),
    (lambda a, b: np.sum((_normalised(a) - _normalised(b)) ** 2) / np.sum(_normalised(b) ** 2),
     "that is the relative distance of section 1, squared"),
    (lambda a, b: np.mean((a.astype(np.float64) - b) ** 2), "you compared the feature maps themselves"),
    (lambda a, b: np.mean((_flat_gram_positions(a) - _flat_gram_positions(b)) ** 2),
     "you computed F F\\^T, which compares positions with positions"),
    (lambda a, b: np.mean((_mixed(a) - _mixed(b)) ** 2), r"mix positions and channels: features.reshape\(C, -1\)"),
    (lambda a, b: (_normalised(a) - _normalised(b)) ** 2, r"you returned a \(C, C\) matrix"),
    (lambda a, b: np.mean((_normalised(a) - _normalised(b)) ** 2) * 1.01, r"expected the result to be [\d.e+-]+, got"),
])
def test_q3_style_distance_names_each_mistake(wrong, message):
    fails_with(nb02.q3, wrong, message)


def _flat_gram_positions(f):
    flat = f.reshape(-1, f.shape[-1]).astype(np.float64)
    return flat @ flat.T / len(flat)


def _mixed(f):
    mixed = f.reshape(f.shape[-1], -1).astype(np.float64)
    return mixed @ mixed.T / _m(f)


def test_q3_a_mistake_that_needs_two_sizes_shows_on_the_second_trial():
    message = fails_with(nb02.q3, lambda a, b: np.mean(((_gram(a) - _gram(b)) / _m(a)) ** 2), "the first map's")
    assert re.search(r"on input shape \((\d+), (\d+), (\d+)\) float32, shape \((?!\1, \2,)", message)
