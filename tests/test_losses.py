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


# ------------------------------------------------------------- style normalisations, kinds, float64


def _numpy_gram(f):
    flat = np.asarray(f, np.float64).reshape(-1, f.shape[-1])
    return flat.T @ flat


def _numpy_style(f, target, kind):
    """The four per-layer style losses, written literally (target: the style's Gram divided by M)."""
    h, w, n = f.shape
    m = h * w
    g = _numpy_gram(f)
    a = np.asarray(target, np.float64)
    if kind == "gatys":  # Gatys et al. (2016), eq. 4, with unnormalised Grams of two maps of the same size
        return np.sum((g - m * a) ** 2) / (4 * n ** 2 * m ** 2)
    if kind == "tutorial":
        return np.mean((g / m - a) ** 2)
    if kind == "channels_positions":
        return np.mean((g / (n * m) - a / n) ** 2)
    return np.sum((g / m - a) ** 2) / np.sum(a ** 2)


def _random_layer(rng, shape=(5, 7, 6)):
    f = np.maximum(rng.normal(size=shape), 0).astype(np.float32)
    style = np.maximum(rng.normal(0.5, 1.0, size=shape), 0).astype(np.float32)
    return f, (_numpy_gram(style) / (shape[0] * shape[1])).astype(np.float32)


@pytest.mark.parametrize("kind", losses.STYLE_KINDS)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_style_layer_loss_matches_numpy(kind, seed):
    rng = np.random.default_rng(seed)
    shape = (int(rng.integers(2, 9)), int(rng.integers(2, 9)), int(rng.integers(1, 12)))
    f, target = _random_layer(rng, shape)
    got = losses.style_layer_loss(f, target, kind)
    assert got.dtype == tf.float32 and got.shape == ()
    assert float(got) == pytest.approx(_numpy_style(f, target, kind), rel=1e-5)
    assert float(losses.style_layer_loss(f[np.newaxis], target, kind)) == pytest.approx(float(got), rel=1e-6)


def test_style_normalisations_differ_by_the_documented_constants():
    rng = np.random.default_rng(7)
    f, target = _random_layer(rng, (6, 9, 5))
    n, m = 5, 54
    value = {kind: float(losses.style_layer_loss(f.astype(np.float64), target.astype(np.float64), kind))
             for kind in losses.STYLE_KINDS}
    assert value["tutorial"] == pytest.approx(4 * value["gatys"], rel=1e-12)
    assert value["channels_positions"] == pytest.approx(value["tutorial"] / n ** 2, rel=1e-12)
    assert value["relative"] == pytest.approx(value["tutorial"] / np.mean(target.astype(np.float64) ** 2), rel=1e-12)
    g, a = _numpy_gram(f), m * target.astype(np.float64)
    johnson = np.sum((g / (n * m) - a / (n * m)) ** 2)  # Johnson et al. (2016): divide by C*H*W, sum the squares
    assert johnson == pytest.approx(value["tutorial"], rel=1e-6)


def test_style_layer_loss_is_zero_at_the_target_and_accepts_any_style_size():
    rng = np.random.default_rng(8)
    f, _ = _random_layer(rng, (4, 6, 3))
    assert float(losses.style_layer_loss(f, losses.gram_matrix(f))) == pytest.approx(0.0, abs=1e-9)
    # a style picture twice as large: the target is divided by its own positions, so the scale matches
    big = np.concatenate([f, f], axis=0)
    for kind in losses.STYLE_KINDS:
        assert float(losses.style_layer_loss(f, losses.gram_matrix(big), kind)) == pytest.approx(0.0, abs=1e-9)


def test_style_layer_loss_argument_checks():
    f = np.ones((3, 4, 5), np.float32)
    with pytest.raises(ValueError, match=r"kind must be one of 'gatys', 'tutorial'"):
        losses.style_layer_loss(f, np.eye(5), "mean")
    with pytest.raises(ValueError, match=r"target_gram must have shape \(5, 5\) for features with 5 channels, "
                                         r"got \(3, 3\); compute it from the same layer"):
        losses.style_layer_loss(f, np.eye(3))
    with pytest.raises(ValueError, match=r"features must have shape \(H, W, C\) or \(1, H, W, C\), got \(2, 3, 4, 5\)"):
        losses.style_layer_loss(np.stack([f, f]), np.eye(5))
    with pytest.raises(ValueError, match=r"got \(3, 4\)"):
        losses.style_layer_loss(f[..., 0], np.eye(5))


def test_style_loss_with_a_kind_sums_the_layers_and_relative_is_balanced():
    rng = np.random.default_rng(9)
    (fa, ta), (fb, tb) = _random_layer(rng, (4, 5, 3)), _random_layer(rng, (3, 3, 6))
    generated, targets = {"a": fa[np.newaxis], "b": fb[np.newaxis]}, {"a": ta, "b": tb}
    for kind in losses.STYLE_KINDS:
        expected = 0.5 * _numpy_style(fa, ta, kind) + 0.5 * _numpy_style(fb, tb, kind)
        assert float(losses.style_loss(generated, targets, kind=kind)) == pytest.approx(expected, rel=1e-5)
    weights = {"a": 2.0, "b": 0.0}
    assert float(losses.style_loss(generated, targets, weights, kind="gatys")) == \
        pytest.approx(2 * _numpy_style(fa, ta, "gatys"), rel=1e-5)
    balanced = losses.balanced_layer_weights(targets)
    assert float(losses.style_loss(generated, targets, balanced)) == \
        pytest.approx(float(losses.style_loss(generated, targets, kind="relative")), rel=1e-5)
    assert float(losses.style_loss(generated, targets, kind="tutorial")) == \
        pytest.approx(float(losses.style_loss(generated, targets)), rel=1e-6)
    with pytest.raises(ValueError, match="give normalize or kind, not both"):
        losses.style_loss(generated, targets, normalize="channels_positions", kind="gatys")
    with pytest.raises(ValueError, match="kind must be one of"):
        losses.style_loss(generated, targets, kind="Gatys")


def test_content_loss_kinds():
    rng = np.random.default_rng(10)
    a, b = rng.normal(size=(2, 1, 4, 5, 6)).astype(np.float32)
    assert float(losses.content_loss(a, b, "gatys")) == pytest.approx(0.5 * np.sum((a - b) ** 2), rel=1e-5)
    assert float(losses.content_loss(a, b, "gatys")) == pytest.approx(0.5 * a.size * float(losses.content_loss(a, b)),
                                                                       rel=1e-5)
    with pytest.raises(ValueError, match=r"kind must be one of 'mse', 'gatys', like kind='mse'; got 'sum'"):
        losses.content_loss(a, b, "sum")
    with pytest.raises(ValueError, match=r"kind must be one of 'l1', 'squared', like kind='l1'; got 'l2'"):
        losses.total_variation_loss(a, "l2")


def test_float64_stays_float64_and_other_input_becomes_float32():
    f64 = np.random.default_rng(11).uniform(size=(1, 4, 5, 3))
    for value in (losses.gram_matrix(f64), losses.style_layer_loss(f64, np.eye(3, dtype=np.float32)),
                  losses.content_loss(f64, np.zeros((1, 4, 5, 3), np.float32)), losses.total_variation_loss(f64),
                  losses.gram_distance(f64[0, 0], f64[0, 1]), losses.gram_matrix(tf.constant(f64))):
        assert value.dtype == tf.float64
    for value in (losses.gram_matrix(f64.astype(np.float32)), losses.total_variation_loss(f64.astype(np.float16)),
                  losses.style_layer_loss(np.ones((2, 2, 3), np.int32), np.eye(3))):
        assert value.dtype == tf.float32


def _central_differences(f, x, eps=1e-6):
    """The gradient of the scalar function f at x (float64), one coordinate at a time."""
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        bump = np.zeros_like(x)
        bump[index] = eps
        grad[index] = (float(f(tf.constant(x + bump))) - float(f(tf.constant(x - bump)))) / (2 * eps)
    return grad


def _tape_gradient(f, x):
    variable = tf.Variable(x)
    with tf.GradientTape() as tape:
        value = f(variable)
    return tape.gradient(value, variable).numpy()


def _assert_gradient_matches(f, x):
    numeric, automatic = _central_differences(f, x), _tape_gradient(f, x)
    scale = np.max(np.abs(numeric))
    assert scale > 0
    np.testing.assert_allclose(automatic, numeric, rtol=1e-5, atol=1e-7 * scale)


@pytest.mark.parametrize("kind", losses.STYLE_KINDS)
def test_style_layer_loss_gradients_match_central_differences(kind):
    rng = np.random.default_rng(12)
    f, target = _random_layer(rng, (3, 4, 3))
    _assert_gradient_matches(lambda v: losses.style_layer_loss(v, target.astype(np.float64), kind),
                             f.astype(np.float64) + 0.1)


def test_gatys_gradient_is_the_papers_formula():
    # Gatys et al. (2016), eq. 6: dE/dF = 1 / (N² M²) * F (G - A), with F as an (M, N) matrix
    rng = np.random.default_rng(13)
    f, target = _random_layer(rng, (3, 5, 4))
    f, target = f.astype(np.float64), target.astype(np.float64)
    m, n = 15, 4
    flat = f.reshape(m, n)
    expected = flat @ (flat.T @ flat - m * target) / (n ** 2 * m ** 2)
    got = _tape_gradient(lambda v: losses.style_layer_loss(v, target), f)
    np.testing.assert_allclose(got.reshape(m, n), expected, rtol=1e-8, atol=1e-12)


@pytest.mark.parametrize("kind", losses.CONTENT_KINDS)
def test_content_loss_gradients_match_central_differences(kind):
    rng = np.random.default_rng(14)
    x, target = rng.normal(size=(2, 1, 3, 4, 2))
    _assert_gradient_matches(lambda v: losses.content_loss(v, target, kind), x)


@pytest.mark.parametrize("kind", losses.TV_KINDS)
def test_total_variation_gradients_match_central_differences(kind):
    x = np.random.default_rng(15).uniform(size=(1, 4, 5, 3))
    assert min(np.abs(np.diff(x, axis=1)).min(), np.abs(np.diff(x, axis=2)).min()) > 1e-4  # away from L1's kinks
    _assert_gradient_matches(lambda v: losses.total_variation_loss(v, kind), x)
