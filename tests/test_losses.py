"""Loss terms against NumPy references, invariances, and finite-difference gradients."""

import numpy as np
import pytest

from course_utils import losses
from course_utils._tf import tf


def _gram_loops(f):
    h, w, c = f.shape
    g = np.zeros((c, c))
    for i in range(h):
        for j in range(w):
            g += np.outer(f[i, j], f[i, j])
    return g


@pytest.mark.parametrize("shape", [(4, 5, 3), (7, 2, 6)])
def test_gram_matrix_matches_loops_and_normalisations(shape):
    f = np.random.default_rng(1).normal(size=shape).astype(np.float32)
    h, w, c = shape
    ref = _gram_loops(f)
    np.testing.assert_allclose(losses.gram_matrix(f, "none").numpy(), ref, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(losses.gram_matrix(f).numpy(), ref / (h * w), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(losses.gram_matrix(f, "channels_positions").numpy(), ref / (h * w * c), rtol=1e-5, atol=1e-6)
    batch = losses.gram_matrix(np.stack([f, 2 * f]))
    assert tuple(batch.shape) == (2, c, c)
    np.testing.assert_allclose(batch[1].numpy(), 4 * ref / (h * w), rtol=1e-5, atol=1e-5)


def test_gram_matrix_ignores_where_features_are():
    rng = np.random.default_rng(2)
    f = rng.normal(size=(6, 6, 4)).astype(np.float32)
    shuffled = rng.permutation(f.reshape(36, 4)).reshape(6, 6, 4)
    np.testing.assert_allclose(losses.gram_matrix(f).numpy(), losses.gram_matrix(shuffled).numpy(), rtol=1e-5, atol=1e-6)


def test_gram_matrix_argument_checks():
    with pytest.raises(ValueError, match="normalize must be one of"):
        losses.gram_matrix(np.zeros((2, 2, 2)), "bogus")
    with pytest.raises(ValueError, match=r"\(H, W, C\)"):
        losses.gram_matrix(np.zeros((2, 2)))


def test_content_style_tv_against_numpy():
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=(2, 1, 5, 4, 3)).astype(np.float32)
    assert float(losses.content_loss(a, b)) == pytest.approx(np.mean((a - b) ** 2), rel=1e-5)
    with pytest.raises(ValueError, match="shapes differ"):
        losses.content_loss(a, b[:, :3])
    grams = {"x": losses.gram_matrix(b[0]).numpy(), "y": losses.gram_matrix(b[0] * 2).numpy()}
    got = float(losses.style_loss({"x": a, "y": a}, grams))
    ga = _gram_loops(a[0]) / 20
    expected = 0.5 * np.mean((ga - grams["x"]) ** 2) + 0.5 * np.mean((ga - grams["y"]) ** 2)
    assert got == pytest.approx(expected, rel=1e-4)
    with pytest.raises(ValueError, match="no generated features for style layer 'z'"):
        losses.style_loss({"x": a}, {"z": grams["x"]})
    img = rng.uniform(size=(1, 6, 7, 3)).astype(np.float32)
    l1 = np.abs(np.diff(img, axis=1)).sum() + np.abs(np.diff(img, axis=2)).sum()
    sq = (np.diff(img, axis=1) ** 2).sum() + (np.diff(img, axis=2) ** 2).sum()
    assert float(losses.total_variation_loss(img)) == pytest.approx(l1, rel=1e-5)
    assert float(losses.total_variation_loss(img, "squared")) == pytest.approx(sq, rel=1e-5)
    assert float(losses.total_variation_loss(img)) == pytest.approx(float(tf.image.total_variation(tf.constant(img))[0]), rel=1e-5)


def test_gradients_match_finite_differences():
    rng = np.random.default_rng(4)
    x = tf.Variable(rng.normal(size=(1, 4, 4, 3)), dtype=tf.float64)
    target = losses.gram_matrix(rng.normal(size=(4, 4, 3)).astype(np.float32)).numpy()

    def f(v):
        v32 = tf.cast(v, tf.float32)
        return losses.style_loss({"l": v32}, {"l": target}) + 0.1 * losses.total_variation_loss(v32, "squared")

    with tf.GradientTape() as tape:
        value = f(x)
    grad = tape.gradient(value, x).numpy()
    eps = 1e-3
    for index in [(0, 0, 0, 0), (0, 1, 2, 1), (0, 3, 3, 2)]:
        bump = np.zeros(x.shape)
        bump[index] = eps
        numeric = (float(f(x + bump)) - float(f(x - bump))) / (2 * eps)
        assert grad[index] == pytest.approx(numeric, rel=2e-2, abs=1e-3)


def test_gram_distance_is_relative_and_checks_shapes():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(6, 6)).astype(np.float32)
    assert float(losses.gram_distance(a, a)) == 0.0
    assert float(losses.gram_distance(2 * a, a)) == pytest.approx(1.0, rel=1e-6)
    assert float(losses.gram_distance(1000 * a, 1000 * 2 * a)) == pytest.approx(0.5, rel=1e-6)
    with pytest.raises(ValueError, match="compare matrices of the same layer"):
        losses.gram_distance(a, a[:3])


def test_balanced_layer_weights():
    grams = {"small": np.full((2, 2), 1.0, np.float32), "big": np.full((3, 3), 10.0, np.float32)}
    weights = losses.balanced_layer_weights(grams)
    assert weights == pytest.approx({"small": 0.5, "big": 0.005})
    with pytest.raises(ValueError, match="target_grams is empty"):
        losses.balanced_layer_weights({})
