"""Notebook 01's checks pass the right answers and name each common mistake."""

import numpy as np

from conftest import fails_with, passes
from course_utils import cnn, features
from course_utils.checks import nb01


# ------------------------------------------------------------------ the references agree with the library


def test_solutions_match_the_library_and_tensorflow_rules():
    rng = np.random.default_rng(7)
    for _ in range(5):
        image, kernel = nb01._image_and_kernel(rng)
        np.testing.assert_allclose(nb01.q1.reference(image, kernel), cnn.conv2d(image, kernel), rtol=1e-5, atol=1e-5)
        (layers,) = nb01._layers(rng)
        assert nb01.q2.reference(layers) == cnn.receptive_field(layers)
        (fmap,) = nb01._feature_map(rng)
        np.testing.assert_allclose(nb01.q3.reference(fmap), features.normalise_map(fmap), rtol=1e-6, atol=1e-7)


# ------------------------------------------------------------------ q1 conv2d


def test_q1_conv2d_right_answers():
    assert passes(nb01.q1, nb01.q1.reference) == 5
    assert passes(nb01.q1, cnn.conv2d) == 5
    assert passes(nb01.q1, nb01.q1.reference, seed=3) == 5


def test_q1_conv2d_right_answers_that_add_up_in_another_order():
    import tensorflow as tf

    def tensorflow(image, kernel):  # oneDNN's own order of summation, perhaps another algorithm
        return tf.nn.conv2d(image[None, :, :, None], kernel[:, :, None, None], 1, "VALID")[0, :, :, 0]

    def one_weight_at_a_time(image, kernel):  # float32 throughout, adding one shifted image per weight
        kh, kw = kernel.shape
        height, width = image.shape[0] - kh + 1, image.shape[1] - kw + 1
        out = np.zeros((height, width), np.float32)
        for u, v in np.ndindex(kernel.shape):
            out += image[u:u + height, v:v + width] * kernel[u, v]
        return out

    for right in (tensorflow, one_weight_at_a_time):
        for seed in (0, 1, 2):
            assert passes(nb01.q1, right, seed=seed) == 5


def test_q1_conv2d_names_each_mistake():
    fails_with(nb01.q1, lambda image, kernel: cnn.conv2d(image, kernel[::-1, ::-1]),
               "true convolution, with the kernel flipped; TensorFlow's conv2d does not flip the kernel")
    fails_with(nb01.q1, lambda image, kernel: cnn.conv2d(image, kernel, padding="same"),
               r"your output has the image's own size \(\d+, \d+\), as if you padded the image \('same'\)")
    fails_with(nb01.q1, lambda image, kernel: cnn.conv2d(image.T, kernel.T),
               r"the transpose of the expected \(\d+, \d+\): rows come first")
    fails_with(nb01.q1, lambda image, kernel: cnn.conv2d(image, kernel).astype(np.float64),
               "expected dtype float32, got float64")
    fails_with(nb01.q1, lambda image, kernel: cnn.conv2d(image, kernel) / kernel.size,
               "times the expected values")
    message = fails_with(nb01.q1, lambda image, kernel: cnn.conv2d(image, kernel, stride=2), "expected shape")
    assert message.startswith("q1 conv2d: ") and "(on input shape" in message
    assert message.endswith(". Stuck? check.q1.hint()") and "Hint" not in message
    fails_with(nb01.q1, lambda image, kernel: image[10**6], "raised IndexError")


# ------------------------------------------------------------------ q2 receptive_field


def test_q2_receptive_field_right_answers_and_the_trials_it_uses():
    assert passes(nb01.q2, nb01.q2.reference) == 12
    assert passes(nb01.q2, cnn.receptive_field) == 12
    seen = []
    nb01.q2(lambda layers: seen.append(list(layers)) or cnn.receptive_field(layers))
    assert seen[0] == [] and len(seen[1]) == 1, "every check starts with no layers and one layer"
    assert max(len(layers) for layers in seen) >= 4
    assert any(s > 1 for layers in seen[2:] for _, s in layers[:-1]), "strides that multiply later kernels"
    again = []
    nb01.q2(lambda layers: again.append(list(layers)) or cnn.receptive_field(layers))
    assert again == seen, "a check with the same seed uses the same inputs"


def test_q2_receptive_field_names_each_mistake():
    def no_jump(layers):
        return 1 + sum(k - 1 for k, _ in layers), int(np.prod([s for _, s in layers]))

    fails_with(nb01.q2, no_jump, r"each layer's \(k-1\) must be multiplied by the product of the strides before it")
    fails_with(nb01.q2, lambda layers: cnn.receptive_field(layers)[::-1],
               r"you returned \(jump, size\); return \(size, jump\)")
    fails_with(nb01.q2, lambda layers: cnn.receptive_field(layers)[0], "should be a tuple of 2 values")
    fails_with(nb01.q2, lambda layers: (sum(k for k, _ in layers), 1), r"expected item \d of the result")


# ------------------------------------------------------------------ q3 normalise_map


def test_q3_normalise_map_right_answers():
    assert passes(nb01.q3, nb01.q3.reference) == 8
    assert passes(nb01.q3, features.normalise_map) == 8
    seen = []
    nb01.q3(lambda fmap: seen.append(fmap.copy()) or features.normalise_map(fmap))
    assert seen[0].min() == seen[0].max(), "every check starts with a constant map"
    assert any(f.min() < 0 for f in seen) and any(f.max() > 1 for f in seen)


def test_q3_normalise_map_names_each_mistake():
    def unguarded(fmap):
        with np.errstate(invalid="ignore", divide="ignore"):
            return ((fmap - fmap.min()) / (fmap.max() - fmap.min())).astype(np.float32)

    fails_with(nb01.q3, unguarded, "a constant map \\(max == min\\) gave NaN or infinite values: guard against "
                                   "dividing by zero when max == min")
    fails_with(nb01.q3, lambda fmap: np.ones_like(fmap) if fmap.min() == fmap.max() else features.normalise_map(fmap),
               r"a constant map \(max == min\) should give all zeros")
    fails_with(nb01.q3, lambda fmap: (fmap - fmap.min()).astype(np.float32),
               r"values should lie in \[0, 1\], yours go from 0 to")
    fails_with(nb01.q3, lambda fmap: features.normalise_map(fmap).astype(np.float64), "expected dtype float32")
    fails_with(nb01.q3, lambda fmap: features.normalise_map(fmap).T, "expected shape")
