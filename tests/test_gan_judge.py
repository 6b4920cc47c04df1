"""The digit judge: a small classifier whose features give the FID-like distance and whose predictions give coverage."""

import numpy as np
import pytest

from course_utils import data
from course_utils._tf import keras
from course_utils.gan import GAN, dcgan, judge, quality


@pytest.fixture(scope="module")
def digits():
    return data.digits(16, value_range=(-1, 1))


@pytest.fixture(scope="module")
def trained(digits):
    images, labels = digits
    return judge.DigitJudge.train(images, labels, epochs=6, progress=False)


def test_the_classifier_has_the_small_cnn_layers_and_a_linear_feature_layer():
    model = judge.classifier(16, 10, 32)
    assert [layer.name for layer in model.layers] == ["conv1", "pool1", "conv2", "pool2", "flatten", "features",
                                                      "relu", "dropout", "dense"]
    assert model.get_layer("features").activation.__name__ == "linear"
    assert model.output_shape == (None, 10)


def test_a_trained_judge_reads_digits(trained, digits):
    images, labels = digits
    assert trained.test_accuracy > 0.9 and trained.image_size == 16 and "test accuracy" in repr(trained)
    predicted = trained.predict(images[:300])
    assert predicted.dtype == np.int64 and np.mean(predicted == labels[:300]) > 0.9
    features = trained.features(images[:50])
    assert features.shape == (50, 64) and features.dtype == np.float32
    np.testing.assert_allclose(trained.probabilities(images[:50]).sum(axis=1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(trained.features(images[:50]), features)  # inference: no dropout


def test_fid_like_is_small_for_real_digits_and_large_for_noise_and_one_class(trained, digits):
    images, labels = digits
    floor = trained.floor(images, samples=800)
    assert 0 < floor < 20
    noise = np.random.default_rng(0).uniform(-1, 1, (800, 16, 16, 1)).astype(np.float32)
    assert trained.fid_like(images[:800], noise) > 10 * floor
    ones = images[labels == 1]
    assert trained.fid_like(images[:800], ones) > 5 * floor
    assert trained.coverage(ones).covered <= 2 and trained.coverage(images).covered == 10
    # the same features, by hand
    expected = quality.fid_like(trained.features(images[:800]), trained.features(noise))
    assert trained.fid_like(images[:800], noise) == pytest.approx(expected)


def test_score_and_metric_for_a_gan(trained, digits):
    images, labels = digits
    scores = trained.score(images[:400], images[400:800], labels=labels[:400])
    assert scores.coverage.covered == 10 and scores.label_accuracy > 0.9
    assert set(scores.as_dict()) == {"fid_like", "coverage", "label_accuracy"}

    keras.utils.set_random_seed(0)
    gan = GAN(dcgan.generator(16, latent_dim=16, width=8), dcgan.discriminator(16, width=8), seed=0)
    metric = trained.metric(images, samples=300)
    first = metric(gan)
    assert set(first) == {"fid_like", "coverage"} and first["fid_like"] > 0
    assert metric(gan) == first  # the same fixed noise every time

    keras.utils.set_random_seed(0)
    conditional = GAN(dcgan.generator(16, latent_dim=16, width=8, n_classes=10),
                      dcgan.discriminator(16, width=8, n_classes=10), conditional=True, seed=0)
    values = trained.metric(images, samples=300)(conditional)
    assert set(values) == {"fid_like", "coverage", "label_accuracy"} and 0 <= values["label_accuracy"] <= 1


def test_bad_input_gets_one_sentence(trained, digits):
    images, labels = digits
    for call, pattern in [
        (lambda: trained.features(images * 2), r"\[-1, 1\]"),
        (lambda: trained.features(images[0]), "must be a float array"),
        (lambda: trained.features(np.zeros((3, 8, 8, 1), np.float32)), "trained on 16×16 grey images"),
        (lambda: trained.score(images[:10]), "give the real images"),
        (lambda: trained.score(images[:10], images[:10], labels=labels[:5]), "one label per generated image"),
        (lambda: judge.DigitJudge.train(images, labels[:5]), "labels must be"),
        (lambda: judge.DigitJudge(keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, name="d")])),
         "a layer named 'features'"),
        (lambda: judge.classifier(4), "at least 8 pixels"),
    ]:
        with pytest.raises(ValueError, match=pattern) as err:
            call()
        assert "\n" not in str(err.value)
