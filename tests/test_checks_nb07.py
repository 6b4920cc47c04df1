"""Notebook 07's checks pass the right answers (NumPy and TensorFlow) and name each common mistake."""

import numpy as np
import pytest

from conftest import fails_with, passes
from course_utils.checks import nb07

EPS = nb07.EPS


def _stats(x, axes=(1, 2)):
    return x.mean(axis=axes, keepdims=True), x.var(axis=axes, keepdims=True)


def test_q1_instance_norm_right_answers():
    assert passes(nb07.q1, nb07.solution.instance_norm) == 5

    def by_hand(x, eps=1e-5):
        mean, var = _stats(x)
        return ((x - mean) / np.sqrt(var + eps)).astype(np.float32)

    assert passes(nb07.q1, by_hand) == 5


@pytest.mark.slow
def test_q1_and_q2_accept_tensorflow_answers_and_match_the_library():
    from course_utils import layers
    from course_utils._tf import tf

    def tf_norm(x, eps=1e-5):
        mean, var = tf.nn.moments(tf.constant(x), axes=[1, 2], keepdims=True)
        return (x - mean) / tf.sqrt(var + eps)

    assert passes(nb07.q1, tf_norm) == 5
    x = nb07._norm_inputs(np.random.default_rng(0))[0]
    np.testing.assert_allclose(layers.instance_normalization()(x), nb07.solution.instance_norm(x), atol=1e-4)

    def tf_adain(content, style, eps=1e-5):
        mean_c, var_c = tf.nn.moments(tf.constant(content), axes=[1, 2], keepdims=True)
        mean_s, var_s = tf.nn.moments(tf.constant(style), axes=[1, 2], keepdims=True)
        return tf.sqrt(var_s + eps) * (content - mean_c) / tf.sqrt(var_c + eps) + mean_s

    assert passes(nb07.q2, tf_adain) == 5


def test_q1_instance_norm_names_each_mistake():
    def over(axes):
        def wrong(x, eps=1e-5):
            mean, var = _stats(x, axes)
            return ((x - mean) / np.sqrt(var + eps)).astype(np.float32)
        return wrong

    fails_with(nb07.q1, over((0, 1, 2)), "that is batch normalisation")
    fails_with(nb07.q1, over((1, 2, 3)), "that is layer normalisation")
    fails_with(nb07.q1, over((0, 1, 2, 3)), "over the whole array at once")
    fails_with(nb07.q1, lambda x, eps=1e-5: (x - _stats(x)[0]).astype(np.float32), "not divided by the standard")
    fails_with(nb07.q1, lambda x, eps=1e-5: (x / np.sqrt(_stats(x)[1] + eps)).astype(np.float32),
               "the mean was not subtracted")
    fails_with(nb07.q1, lambda x, eps=1e-5: ((x - _stats(x)[0]) / (np.sqrt(_stats(x)[1]) + eps)).astype(np.float32),
               "put eps inside the square root")
    fails_with(nb07.q1, lambda x, eps=1e-5: ((x - x.mean(axis=(1, 2))) / 1.0), "raised ValueError|expected")
    fails_with(nb07.q1, lambda x, eps=1e-5: nb07.solution.instance_norm(x).astype(np.float64),
               "expected dtype float32, got float64")


def test_q2_adain_right_answers_and_the_style_map_has_another_size():
    assert passes(nb07.q2, nb07.solution.adain) == 5
    shapes = []
    nb07.q2(lambda c, s, eps=1e-5: shapes.append((c.shape, s.shape)) or nb07.solution.adain(c, s))
    assert all(c[1:3] != s[1:3] for c, s in shapes)


def test_q2_adain_names_each_mistake():
    norm = nb07.solution.instance_norm

    def std(x):
        return np.sqrt(_stats(x)[1] + EPS)

    f32 = np.float32
    fails_with(nb07.q2, lambda c, s, eps=1e-5: c, "the content map unchanged")
    fails_with(nb07.q2, lambda c, s, eps=1e-5: norm(c), "only the instance-normalised content")
    fails_with(nb07.q2, lambda c, s, eps=1e-5: (std(s) * norm(c)).astype(f32), "the style's mean is missing")
    fails_with(nb07.q2, lambda c, s, eps=1e-5: (norm(c) + _stats(s)[0]).astype(f32), "the scale is missing")
    fails_with(nb07.q2, lambda c, s, eps=1e-5: (std(s) * c / std(c) + _stats(s)[0]).astype(f32),
               "subtract the content's mean")
    fails_with(nb07.q2, lambda c, s, eps=1e-5: (std(c) * (c - _stats(c)[0]) / std(s) + _stats(s)[0]).astype(f32),
               "the standard deviations are swapped")
    fails_with(nb07.q2, lambda c, s, eps=1e-5: nb07.solution.adain(s, c), "it must keep the content's")

    def over_batch(c, s, eps=1e-5):
        mc, vc = _stats(c, (0, 1, 2))
        ms, vs = _stats(s, (0, 1, 2))
        return (np.sqrt(vs + eps) * (c - mc) / np.sqrt(vc + eps) + ms).astype(f32)

    fails_with(nb07.q2, over_batch, "over the batch too")
    fails_with(nb07.q2, lambda c, s, eps=1e-5: nb07.solution.adain(c, s) * 1.01, "different values|times the expected")
