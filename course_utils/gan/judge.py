"""A small digit classifier that judges a generator's digits (notebook 06).

Looking at samples says a lot, but not everything: is epoch 40 better than epoch 30? Has
the generator forgotten the 7s? :class:`DigitJudge` answers with numbers. It is a small
convolutional network trained on the real digits, and it gives two things:

- **features**: the 64 numbers of its last hidden layer for each image (before the ReLU). The
  :func:`~course_utils.gan.quality.fid_like` distance compares their mean and covariance
  over real and over generated digits (lower is better; 0 when the statistics agree);
- **predictions**: which digit it sees. :func:`~course_utils.gan.quality.class_coverage`
  counts how many digit classes the generator produces; a generator that has collapsed
  onto a few digits scores low however sharp its pictures are.

How this differs from the FID of papers: FID (Heusel et al. 2017) takes 2048 features from
Inception-v3, a large network trained on ImageNet photos, and at least 10,000 samples.
Here the features come from a tiny network trained on the same 8×8-then-enlarged digits
for a few seconds, and from about a thousand samples. The numbers compare runs within this
notebook (same judge, same number of samples); they cannot be compared with published
FIDs, and with few samples they are biased upwards — even two sets of *real* digits are
not at 0 (:meth:`DigitJudge.floor` measures that floor).

Images are in [-1, 1], the generator's range; the judge converts them to [0, 1] itself.
"""

from __future__ import annotations

import dataclasses
from typing import Callable

import numpy as np

from ..validate import positive_int as _positive_int
from .. import cnn
from .._tf import keras
from . import quality
from .dcgan import as_gan_images as _gan_images
from ..config import Initializers
from ..errors import SettingError
from ..i18n import _

__all__ = ["classifier", "DigitJudge"]


def classifier(image_size: int = 16, n_classes: int = 10, features: int = 64, *, seed: int = 0) -> keras.Model:
    """The judge's network: two (3×3 convolution, ReLU, 2×2 max pool) blocks, a hidden layer, a softmax.

    Layers ``conv1``, ``pool1``, ``conv2``, ``pool2``, ``flatten`` (as in
    :func:`course_utils.cnn.small_cnn`), then ``features`` (``features`` linear units:
    the layer the FID-like distance reads, before its ReLU, so that no unit is
    constantly 0), ``relu``, ``dropout`` and ``dense`` (the class probabilities).
    Input: (image_size, image_size, 1) in [0, 1].
    """
    image_size = _positive_int(image_size, "image_size", "16")
    if image_size < 8:
        raise SettingError(_("image_size must be at least 8 pixels for two 2×2 poolings; got {image_size}.").format(
            image_size=image_size))
    n_classes = _positive_int(n_classes, "n_classes", "10")
    features = _positive_int(features, "features", "64")
    init = Initializers(seed)
    L = keras.layers
    return keras.Sequential([
        keras.Input((image_size, image_size, 1), name="image"),
        L.Conv2D(16, 3, padding="same", activation="relu", name="conv1", kernel_initializer=init.kernel()),
        L.MaxPooling2D(2, name="pool1"),
        L.Conv2D(32, 3, padding="same", activation="relu", name="conv2", kernel_initializer=init.kernel()),
        L.MaxPooling2D(2, name="pool2"),
        L.Flatten(name="flatten"),
        L.Dense(features, name="features", kernel_initializer=init.kernel()),  # no activation here: ReLU's dead
        L.ReLU(name="relu"),                                                    # units would make the features'
        L.Dropout(0.3, name="dropout", seed=init.seed()),                       # covariance singular
        L.Dense(n_classes, activation="softmax", name="dense", kernel_initializer=init.kernel()),
    ], name="digit_judge")


@dataclasses.dataclass
class Scores:
    """What :meth:`DigitJudge.score` returns."""

    fid_like: float
    coverage: quality.Coverage
    label_accuracy: float | None = None  # conditional GANs: share of samples judged as the class asked for

    def as_dict(self) -> dict:
        out = {"fid_like": self.fid_like, "coverage": self.coverage.covered}
        if self.label_accuracy is not None:
            out["label_accuracy"] = self.label_accuracy
        return out


class DigitJudge:
    """Features and predictions of a trained digit classifier, for images in [-1, 1].

    Make one with :meth:`train`; ``judge.features(x)``, ``judge.predict(x)``,
    ``judge.fid_like(real, fake)``, ``judge.coverage(fake)``; ``judge.metric(real)`` is
    a function for :class:`~course_utils.gan.trainer.GANTrainer`'s ``metrics``.
    """

    def __init__(self, model, *, n_classes: int = 10, test_accuracy: float | None = None,
                 seconds: float | None = None):
        names = [layer.name for layer in model.layers]
        if "features" not in names:
            raise SettingError(_("the judge's model needs a layer named 'features' (see judge.classifier); "
                                  "its layers are {layers}.").format(layers=", ".join(names)))
        self.model = model
        self.n_classes = _positive_int(n_classes, "n_classes", "10")
        self.test_accuracy = test_accuracy
        self.seconds = seconds
        self.image_size = int(model.inputs[0].shape[1])
        self._probe = keras.Model(model.inputs[0], [model.get_layer("features").output, model.outputs[0]])

    @classmethod
    def train(cls, images, labels, *, epochs: int = 15, features: int = 64, seed: int = 0,
              progress: bool = True) -> "DigitJudge":
        """Train :func:`classifier` on real digits in [-1, 1] (20% held out to measure its accuracy)."""
        x = _gan_images(images)
        y = np.asarray(labels)
        if y.shape != (len(x),) or y.dtype.kind not in "iu" or (y.size and y.min() < 0):
            raise SettingError(_("labels must be {count} whole numbers >= 0, one per image; got shape {shape}.").format(
                count=len(x), shape=y.shape))
        n_classes = int(y.max()) + 1
        model = classifier(x.shape[1], n_classes, features, seed=seed)
        trained = cnn.train_small_cnn((x + 1.0) / 2.0, y.astype(np.int64), epochs=epochs, seed=seed,
                                      progress=progress, model=model)
        return cls(trained.model, n_classes=n_classes, test_accuracy=trained.test_accuracy,
                   seconds=trained.seconds)

    # --------------------------------------------------------------- what it sees

    def _run(self, images) -> tuple[np.ndarray, np.ndarray]:
        x = _gan_images(images)
        if x.shape[1:] != (self.image_size, self.image_size, 1):
            raise SettingError(_("the judge was trained on {image_size}×{image_size} grey images; got "
                                  "images of shape {shape}.").format(image_size=self.image_size, shape=x.shape[1:]))
        features, probabilities = [], []
        for start in range(0, len(x), 512):
            f, p = self._probe((x[start: start + 512] + 1.0) / 2.0, training=False)
            features.append(np.asarray(f))
            probabilities.append(np.asarray(p))
        return np.concatenate(features), np.concatenate(probabilities)

    def features(self, images) -> np.ndarray:
        """The hidden layer's activations (N, features) for images in [-1, 1]."""
        return self._run(images)[0]

    def probabilities(self, images) -> np.ndarray:
        """Class probabilities (N, n_classes)."""
        return self._run(images)[1]

    def predict(self, images) -> np.ndarray:
        """The class the judge sees in each image (N,) int64."""
        return np.argmax(self.probabilities(images), axis=1).astype(np.int64)

    # --------------------------------------------------------------- scores

    def fid_like(self, real, fake) -> float:
        """Fréchet distance between the judge's features of ``real`` and ``fake`` images (lower is better)."""
        return quality.fid_like(self.features(real), self.features(fake))

    def coverage(self, fake, min_share: float | None = None) -> quality.Coverage:
        """How many classes the judge finds among ``fake`` (see :func:`~course_utils.gan.quality.class_coverage`)."""
        return quality.class_coverage(self.predict(fake), self.n_classes, min_share)

    def score(self, fake, real=None, *, real_features=None, labels=None) -> Scores:
        """FID-like distance and coverage of ``fake`` (and, given ``labels``, the share judged as its label)."""
        if real_features is None:
            if real is None:
                raise SettingError(_("give the real images (or their features) to compare with."))
            real_features = self.features(real)
        features, probabilities = self._run(fake)
        predicted = np.argmax(probabilities, axis=1)
        label_accuracy = None
        if labels is not None:
            labels = np.asarray(labels)
            if labels.shape != predicted.shape:
                raise SettingError(_("give one label per generated image: {count}; got shape {shape}.").format(
                    count=len(predicted), shape=labels.shape))
            label_accuracy = float(np.mean(predicted == labels))
        return Scores(quality.fid_like(real_features, features),
                      quality.class_coverage(predicted, self.n_classes), label_accuracy)

    def floor(self, real, *, samples: int = 1000, seed: int = 0) -> float:
        """The FID-like distance between two disjoint random halves of the real images (at most ``samples`` each).

        Not 0: with a finite number of samples two sets of real digits differ too. A
        generator cannot be expected to get below about this value.
        """
        x = _gan_images(real, "real")
        order = np.random.default_rng(seed).permutation(len(x))
        half = min(len(x) // 2, _positive_int(samples, "samples", "1000"))
        return self.fid_like(x[order[:half]], x[order[half: 2 * half]])

    def metric(self, real, *, samples: int = 1000, seed: int = 0) -> Callable:
        """A function ``metric(gan) -> {"fid_like": ..., "coverage": ...}`` for the Trainer's ``metrics``.

        It generates ``samples`` images from the same fixed noise every time (and, for a
        conditional GAN, an equal number of each class, adding ``label_accuracy``), and
        compares them with ``real``, whose features are computed once.
        """
        real_features = self.features(real)
        samples = _positive_int(samples, "samples", "1000")

        def metric(gan) -> dict:
            noise = np.random.default_rng([seed, 3]).standard_normal((samples, gan.latent_dim)).astype(np.float32)
            labels = np.arange(samples, dtype=np.int32) % self.n_classes if gan.conditional else None
            fake = np.concatenate([np.asarray(gan.generate(noise[i: i + 500],
                                                           None if labels is None else labels[i: i + 500]))
                                   for i in range(0, samples, 500)])
            return self.score(fake, real_features=real_features, labels=labels).as_dict()

        return metric

    def __repr__(self):
        accuracy = "" if self.test_accuracy is None else f", test accuracy {self.test_accuracy:.1%}"
        return f"DigitJudge({self.image_size}×{self.image_size} digits, {self.n_classes} classes{accuracy})"
