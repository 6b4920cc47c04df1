"""A small convolutional network trained from scratch on handwritten digits (notebook 01).

The digits are the 1,797 small ones that come with scikit-learn (no download), loaded by
:func:`course_utils.data.digits`. :func:`small_cnn` builds the network,
:func:`train_small_cnn` trains it with a held-out test split (:class:`TrainedCNN`), and
:func:`layer_outputs` shows what its layers make of a few digits.

Like every network builder of the course, :func:`small_cnn` takes ``seed=`` and seeds its own
initialisers with it, never the global random state (:class:`course_utils.config.Initializers`).
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np

from ..config import Initializers
from ..errors import SettingError
from ..validate import finite_array, number, positive_int as _positive_int, seed_value as _seed
from ..i18n import _

__all__ = ["small_cnn", "TrainedCNN", "train_small_cnn", "layer_outputs"]


def small_cnn(input_shape=(16, 16, 1), n_classes=10, filters=(8, 16), kernel_size=5, seed=0):
    """A small convolutional network: (conv, ReLU, 2×2 max pool) per entry of ``filters``, then a classifier.

    Layers are named ``conv1``, ``pool1``, ``conv2``, ``pool2``, ..., ``flatten`` and
    ``dense`` (softmax: one probability per class). Convolutions use "same"
    padding, so each pool halves the height and width.

    Parameters
    ----------
    input_shape : (H, W, C), optional
    n_classes : int, optional
    filters : sequence of int, optional
        Number of kernels of each convolution layer.
    kernel_size : int, optional
    seed : int, optional
        Seeds the initial weights only (:class:`~course_utils.config.Initializers`).

    Returns
    -------
    keras.Sequential
        Not compiled; :func:`train_small_cnn` compiles and trains it.
    """
    from .._tf import keras

    if not isinstance(input_shape, (tuple, list)) or len(input_shape) != 3:
        raise SettingError(_("input_shape must be (height, width, channels) like (16, 16, 1); "
                              "got {input_shape!r}.").format(input_shape=input_shape))
    # TRANSLATORS: the subject of "{name} must be a whole number >= 1, like (16, 16, 1); …" (and for filters).
    input_shape = tuple(_positive_int(v, _("Each entry of input_shape"), "(16, 16, 1)") for v in input_shape)
    n_classes = _positive_int(n_classes, "n_classes", "10")
    kernel_size = _positive_int(kernel_size, "kernel_size", "5")
    if not isinstance(filters, (tuple, list)) or not filters:
        raise SettingError(_("filters must be a list with one number per convolution layer, like (8, 16); "
                              "got {filters!r}.").format(filters=filters))
    filters = [_positive_int(f, _("Each entry of filters"), "(8, 16)") for f in filters]
    if min(input_shape[:2]) < 2 ** len(filters):
        raise SettingError(_("An input of {height}×{width} pixels is too small for {poolings} "
                              "2×2 poolings; give at least {side} pixels a side or fewer filters.").format(
            height=input_shape[0], width=input_shape[1], poolings=len(filters), side=2 ** len(filters)))
    init = Initializers(seed)

    layers = [keras.Input(input_shape, name="image")]
    for n, count in enumerate(filters, start=1):
        layers.append(keras.layers.Conv2D(count, kernel_size, padding="same", activation="relu", name=f"conv{n}",
                                          kernel_initializer=init.kernel()))
        layers.append(keras.layers.MaxPooling2D(2, name=f"pool{n}"))
    layers.append(keras.layers.Flatten(name="flatten"))
    layers.append(keras.layers.Dense(n_classes, activation="softmax", name="dense", kernel_initializer=init.kernel()))
    return keras.Sequential(layers, name="small_cnn")


@dataclasses.dataclass
class TrainedCNN:
    """What :func:`train_small_cnn` returns."""

    model: object  # the trained keras model
    history: dict  # "loss", "accuracy", "val_loss", "val_accuracy": one value per epoch
    test_accuracy: float  # fraction of the held-out images classified correctly
    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray  # the held-out split, never trained on
    test_labels: np.ndarray
    seconds: float  # wall time of the training


def _split(images, labels, test_fraction, seed):
    order = np.random.default_rng(seed).permutation(len(images))
    n_test = int(round(len(images) * test_fraction))
    if n_test < 1 or n_test >= len(images):
        raise SettingError(_("test_fraction={test_fraction} leaves no images for training or for testing "
                              "out of {count}; use a value like 0.2.").format(
            test_fraction=test_fraction, count=len(images)))
    test, train = order[:n_test], order[n_test:]
    return images[train], labels[train], images[test], labels[test]


def _progress_callbacks(progress: bool, epochs: int):
    if not progress:
        return []
    try:
        from tqdm.keras import TqdmCallback
    except ImportError:  # tqdm without its Keras part: Keras' own one line per epoch instead
        return None
    return [TqdmCallback(epochs=epochs, verbose=0, desc=_("training"))]


def train_small_cnn(images, labels, *, epochs=10, batch_size=64, seed=0, test_fraction=0.2,
                    learning_rate=3e-3, progress=True, model=None) -> TrainedCNN:
    """Train :func:`small_cnn` to classify ``images``, holding out a test split.

    Parameters
    ----------
    images : array (N, H, W, C), float in [0, 1]
        e.g. from :func:`course_utils.data.digits`.
    labels : array (N,) of int
        Class of each image, 0 to n_classes - 1.
    epochs, batch_size : int, optional
        Passes over the training images, and images per weight update.
    seed : int, optional
        Seeds the split and the initial weights: the same seed gives the same result.
    test_fraction : float, optional
        Share of the images held out; they are shown as validation data after
        every epoch but never trained on.
    learning_rate : float, optional
        Step size of the Adam optimiser.
    progress : bool, optional
        Show a progress bar (tqdm) while training; False shows nothing.
    model : keras.Model, optional
        A model to train instead of a fresh ``small_cnn`` (it is compiled again).

    Returns
    -------
    TrainedCNN
        The model, its ``history`` (loss, accuracy, val_loss, val_accuracy per
        epoch), ``test_accuracy`` and the split used.
    """
    from .._tf import keras

    x = finite_array(images, "images")
    y = np.asarray(labels)
    if x.ndim != 4:
        raise SettingError(_("images must have shape (N, H, W, C) like data.digits() gives, got {shape}.").format(
            shape=x.shape))
    if y.shape != (len(x),) or y.dtype.kind not in "iu" or (y.size and y.min() < 0):
        raise SettingError(_("labels must be {count} whole numbers >= 0, one per image; got shape {shape} "
                              "and dtype {dtype}.").format(count=len(x), shape=y.shape, dtype=y.dtype))
    epochs = _positive_int(epochs, "epochs", "epochs=10")
    batch_size = _positive_int(batch_size, "batch_size", "batch_size=64")
    seed = _seed(seed)
    test_fraction = number(test_fraction, "test_fraction", "0.2", above=0, below=1)
    learning_rate = number(learning_rate, "learning_rate", "3e-3", above=0)

    train_x, train_y, test_x, test_y = _split(x, y.astype(np.int64), test_fraction, seed)
    n_classes = int(y.max()) + 1
    if model is None:
        model = small_cnn(x.shape[1:], max(n_classes, 2), seed=seed)
    keras.utils.set_random_seed(seed)  # also seeds the shuffling of every epoch
    model.compile(optimizer=keras.optimizers.Adam(learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    callbacks = _progress_callbacks(bool(progress), epochs)
    verbose = 2 if callbacks is None else 0
    start = time.perf_counter()
    fit = model.fit(train_x, train_y, epochs=epochs, batch_size=batch_size, shuffle=True,
                    validation_data=(test_x, test_y), callbacks=callbacks or [], verbose=verbose)
    seconds = time.perf_counter() - start
    history = {key: [float(v) for v in values] for key, values in fit.history.items()}
    predicted = np.argmax(model.predict(test_x, batch_size=256, verbose=0), axis=-1)
    return TrainedCNN(model=model, history=history, test_accuracy=float(np.mean(predicted == test_y)),
                      train_images=train_x, train_labels=train_y, test_images=test_x, test_labels=test_y,
                      seconds=seconds)


def layer_outputs(model, images, layers) -> dict[str, np.ndarray]:
    """What some layers of a trained Keras model output for ``images`` (N, H, W, C).

    Returns a dict layer name -> NumPy array (N, ...), e.g. the feature maps of
    ``"conv1"`` for a few digits.
    """
    from .._tf import keras

    if isinstance(layers, str):
        layers = [layers]
    known = [layer.name for layer in model.layers]
    missing = [name for name in layers if name not in known]
    if missing:
        raise SettingError(_("the model has no layer {layer!r}; its layers are: {layers}.").format(
            layer=missing[0], layers=", ".join(known)))
    x = finite_array(images, "images")
    probe = keras.Model(model.inputs, [model.get_layer(name).output for name in layers])
    outputs = probe.predict(x, verbose=0, batch_size=256)
    if len(layers) == 1:
        outputs = [outputs]
    return {name: np.asarray(out) for name, out in zip(layers, outputs)}
