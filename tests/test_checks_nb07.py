"""Notebook 07's checks pass the right answers (NumPy and TensorFlow) and name each common mistake."""

import numpy as np
import pytest

from conftest import fails_with, passes
from course_utils.checks import nb07

EPS = nb07.EPS


def _stats(x, axes=(1, 2)):
    return x.mean(axis=axes, keepdims=True), x.var(axis=axes, keepdims=True)


def test_q1_instance_norm_right_answers():
    assert passes(nb07.q1, nb07.q1.reference) == 5

    def by_hand(x, eps=1e-5):
        mean, var = _stats(x)
        return ((x - mean) / np.sqrt(var + eps)).astype(np.float32)

    assert passes(nb07.q1, by_hand) == 5


@pytest.mark.slow
def test_q1_and_q2_accept_tensorflow_answers_and_match_the_library():
    from course_utils.fast import layers
    from course_utils._tf import tf

    def tf_norm(x, eps=1e-5):
        mean, var = tf.nn.moments(tf.constant(x), axes=[1, 2], keepdims=True)
        return (x - mean) / tf.sqrt(var + eps)

    assert passes(nb07.q1, tf_norm) == 5
    x = nb07._norm_inputs(np.random.default_rng(0))[0]
    np.testing.assert_allclose(layers.instance_normalization()(x), nb07.q1.reference(x), atol=1e-4)

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
    fails_with(nb07.q1, lambda x, eps=1e-5: nb07.q1.reference(x).astype(np.float64),
               "expected dtype float32, got float64")


def test_q2_adain_right_answers_and_the_style_map_has_another_size():
    assert passes(nb07.q2, nb07.q2.reference) == 5
    shapes = []
    nb07.q2(lambda c, s, eps=1e-5: shapes.append((c.shape, s.shape)) or nb07.q2.reference(c, s))
    assert all(c[1:3] != s[1:3] for c, s in shapes)


def test_q2_adain_names_each_mistake():
    norm = nb07.q1.reference

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
    fails_with(nb07.q2, lambda c, s, eps=1e-5: nb07.q2.reference(s, c), "it must keep the content's")

    def over_batch(c, s, eps=1e-5):
        mc, vc = _stats(c, (0, 1, 2))
        ms, vs = _stats(s, (0, 1, 2))
        return (np.sqrt(vs + eps) * (c - mc) / np.sqrt(vc + eps) + ms).astype(f32)

    fails_with(nb07.q2, over_batch, "over the batch too")
    fails_with(nb07.q2, lambda c, s, eps=1e-5: nb07.q2.reference(c, s) * 1.01, "different values|times the expected")


# ------------------------------------------------------------------ q3


def test_q3_upsample_right_answers():
    assert passes(nb07.q3, nb07.q3.reference) == 5

    def by_broadcasting(x):
        b, h, w, c = x.shape
        return np.broadcast_to(x[:, :, None, :, None, :], (b, h, 2, w, 2, c)).reshape(b, 2 * h, 2 * w, c)

    def by_indexing(x):
        rows, cols = np.arange(2 * x.shape[1]) // 2, np.arange(2 * x.shape[2]) // 2
        return x[:, rows][:, :, cols]

    for right in (by_broadcasting, by_indexing, lambda x: x.repeat(2, axis=2).repeat(2, axis=1)):
        assert passes(nb07.q3, right) == 5


@pytest.mark.slow
def test_q3_matches_keras_upsampling_and_names_its_other_modes():
    import keras

    from course_utils._tf import tf

    x = nb07._norm_inputs(np.random.default_rng(0))[0]
    np.testing.assert_allclose(nb07.q3.reference(x), keras.layers.UpSampling2D(2)(x), rtol=0, atol=1e-6)
    assert passes(nb07.q3, lambda x: keras.layers.UpSampling2D(2)(x)) == 5
    assert passes(nb07.q3, lambda x: tf.image.resize(x, (2 * x.shape[1], 2 * x.shape[2]), method="nearest")) == 5
    # Keras' and TensorFlow's bilinear modes are the bilinear the check knows.
    fails_with(nb07.q3, lambda x: keras.layers.UpSampling2D(2, interpolation="bilinear")(x), "bilinear interpolation")
    fails_with(nb07.q3, lambda x: tf.image.resize(x, (2 * x.shape[1], 2 * x.shape[2])), "bilinear interpolation")

    # A transposed convolution with stride 2 and a kernel that passes each channel through: zero-stuffing.
    def transposed(x):
        channels = x.shape[-1]
        kernel = np.eye(channels, dtype=np.float32)[None, None]
        layer = keras.layers.Conv2DTranspose(channels, 1, strides=2, padding="same", use_bias=False,
                                             kernel_initializer=keras.initializers.Constant(kernel))
        return layer(x)

    fails_with(nb07.q3, transposed, "that is zero-stuffing")


def test_q3_upsample_names_each_mistake():
    def stuffed(x, offset=0):
        out = np.zeros((x.shape[0], 2 * x.shape[1], 2 * x.shape[2], x.shape[3]), x.dtype)
        out[:, offset::2, offset::2] = x
        return out

    fails_with(nb07.q3, stuffed, "that is zero-stuffing, what a transposed convolution")
    fails_with(nb07.q3, lambda x: stuffed(x, 1), "that is zero-stuffing")
    fails_with(nb07.q3, lambda x: np.repeat(x, 2, axis=1), r"only the height \(axis 1\) was doubled")
    fails_with(nb07.q3, lambda x: np.repeat(x, 2, axis=2), r"only the width \(axis 2\) was doubled")
    fails_with(nb07.q3, lambda x: np.repeat(np.repeat(x, 2, axis=0), 2, axis=1), r"along axis 0 \(the batch\)")
    fails_with(nb07.q3, lambda x: np.repeat(np.repeat(x, 2, axis=2), 2, axis=3), r"along axis 3 \(the channels\)")
    fails_with(nb07.q3, lambda x: np.repeat(x, 4, axis=1), "not by 4 along axis 1")
    fails_with(nb07.q3, lambda x: np.repeat(x, 4), "flattens the array")
    fails_with(nb07.q3, lambda x: np.tile(x, (1, 2, 2, 1)), "np.tile repeats the whole picture")
    fails_with(nb07.q3, lambda x: np.concatenate([np.repeat(x, 2, axis=1)] * 2, axis=2),
               "the columns picture by picture")
    fails_with(nb07.q3, lambda x: nb07._bilinear(x).astype(np.float32), "bilinear interpolation")
    fails_with(nb07.q3, lambda x: x, "the input's shape")
    fails_with(nb07.q3, lambda x: nb07.q3.reference(x)[:, ::-1].copy(), "expected|different values")
    fails_with(nb07.q3, lambda x: nb07.q3.reference(x).astype(np.float64), "expected dtype float32")

    def averaged(x):  # the blocks of nearest neighbour, then a 3×3 blur: not constant blocks
        up = nb07.q3.reference(x).astype(np.float64)
        padded = np.pad(up, ((0, 0), (1, 1), (1, 1), (0, 0)), mode="edge")
        blurred = sum(padded[:, i:i + up.shape[1], j:j + up.shape[2]] for i in range(3) for j in range(3)) / 9
        return blurred.astype(np.float32)

    fails_with(nb07.q3, averaged, "the 2×2 blocks of the result are not constant")


def test_the_solutions_shown_to_learners_pass_their_checks(capsys):
    for exercise in (nb07.q1, nb07.q2, nb07.q3):
        passes(exercise, exercise.shown_solution)
        exercise.solution()
    shown = capsys.readouterr().out
    assert "def instance_norm(" in shown and "def adain_op(" in shown and "def upsample(" in shown
    assert "_stats" not in shown  # nothing a learner does not have
