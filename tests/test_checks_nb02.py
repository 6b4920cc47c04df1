"""Notebook 02's checks pass the right answers and name each common mistake."""

import numpy as np

from conftest import fails_with, passes
from course_utils import losses
from course_utils.checks import nb02


def test_solutions_match_the_library():
    rng = np.random.default_rng(3)
    for _ in range(4):
        (f,) = nb02._one_map(rng)
        np.testing.assert_allclose(nb02.solution.gram_matrix(f), losses.gram_matrix(f), rtol=1e-5, atol=1e-6)
        for normalize in ("positions", "channels_positions"):
            batch = nb02._features(rng, batch=3)
            np.testing.assert_allclose(nb02.solution.batch_gram(batch, normalize),
                                       losses.gram_matrix(batch, normalize), rtol=1e-5, atol=1e-6)


def test_q1_gram_matrix_right_answers():
    assert passes(nb02.q1, nb02.solution.gram_matrix) == 5
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
    assert passes(nb02.q2, nb02.solution.batch_gram) == 6
    seen = []
    nb02.q2(lambda f, n: seen.append(n) or losses.gram_matrix(f, n).numpy())
    assert seen[:2] == ["positions", "channels_positions"]


def test_q2_batch_gram_names_each_mistake():
    fails_with(nb02.q2, lambda f, n: nb02.solution.batch_gram(f, "positions"),
               r"'channels_positions' divides by C\*H\*W")
    fails_with(nb02.q2, lambda f, n: nb02.solution.batch_gram(f, "channels_positions"),
               r"C = \d+ times too small: normalize='positions' divides by H\*W only")
    fails_with(nb02.q2, lambda f, n: nb02.solution.gram_matrix(f[0]), "keep the batch axis")
    fails_with(nb02.q2, lambda f, n: nb02.solution.gram_matrix(np.concatenate(list(f), axis=-1)),
               "the images of the batch were mixed together")
    fails_with(nb02.q2, lambda f, n: nb02.solution.batch_gram(f, n)[:, ::-1], "different values")
