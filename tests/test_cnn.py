"""The NumPy convolution network of notebook 01 against TensorFlow, VGG19's layer table, the small CNN."""

import dataclasses
import re

import numpy as np
import pytest

from course_utils import data
from course_utils import cnn
from course_utils._tf import keras, tf
from course_utils.models import CONV_LAYERS


def one_sentence(err) -> str:
    """The message of ``err``, checked to be one plain sentence."""
    message = str(err.value)
    assert "\n" not in message and message.endswith("."), message
    assert not re.search(r"\.\s+[A-Z]", message), f"more than one sentence: {message}"
    return message


def tf_conv2d(image, kernel, stride, padding):
    x, k = image, kernel
    if image.ndim == 2:
        x, k = image[..., None], kernel[..., None, None]
    out = tf.nn.conv2d(x[None], k, strides=stride, padding=padding.upper())[0].numpy()
    return out[..., 0] if image.ndim == 2 else out


# ------------------------------------------------------------------ conv2d, relu, max_pool2d


@pytest.mark.parametrize("height, width, channels, cout, k, stride, padding", [
    (9, 11, None, None, 3, 1, "valid"),
    (9, 11, None, None, 3, 1, "same"),
    (10, 7, None, None, 4, 2, "same"),   # even kernel: TensorFlow puts the odd padding pixel at the bottom/right
    (13, 13, None, None, 5, 2, "valid"),
    (8, 9, None, None, 2, 3, "same"),
    (7, 9, 3, 4, 3, 2, "same"),
    (12, 5, 2, 5, 5, 1, "valid"),
    (11, 6, 1, 1, 4, 3, "same"),
    (6, 6, 3, 2, 6, 1, "valid"),         # the kernel as large as the image: one output pixel
    (5, 9, 4, 3, 1, 2, "valid"),         # 1x1 kernel: mixes channels, sees one pixel
])
def test_conv2d_matches_tensorflow(height, width, channels, cout, k, stride, padding):
    rng = np.random.default_rng(height * 100 + width)
    if channels is None:
        image, kernel = rng.normal(size=(height, width)), rng.normal(size=(k, k))
    else:
        image, kernel = rng.normal(size=(height, width, channels)), rng.normal(size=(k, k, channels, cout))
    image, kernel = image.astype(np.float32), kernel.astype(np.float32)
    got = cnn.conv2d(image, kernel, stride=stride, padding=padding)
    expected = tf_conv2d(image, kernel, stride, padding)
    assert got.dtype == np.float32 and got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


def test_conv2d_does_not_flip_the_kernel_and_accepts_tensors_and_uppercase():
    image = np.zeros((5, 5), np.float32)
    image[2, 2] = 1.0
    kernel = np.arange(9, dtype=np.float32).reshape(3, 3)
    # A single bright pixel gives the kernel back upside down: the signature of cross-correlation.
    np.testing.assert_array_equal(cnn.conv2d(image, kernel, padding="same")[1:4, 1:4], kernel[::-1, ::-1])
    np.testing.assert_array_equal(cnn.conv2d(tf.constant(image), kernel.tolist(), padding="SAME"),
                                  cnn.conv2d(image, kernel, padding="same"))


def test_kernels_do_what_their_names_say():
    assert set(cnn.KERNELS) == {"identity", "blur", "sharpen", "sobel_x", "sobel_y", "laplacian"}
    for name, kernel in cnn.KERNELS.items():
        assert kernel.shape == (3, 3) and kernel.dtype == np.float32, name
        with pytest.raises(ValueError):
            kernel[0, 0] = 1.0  # shared constants are read-only
    rng = np.random.default_rng(0)
    image = rng.random((12, 10), dtype=np.float32)
    np.testing.assert_array_equal(cnn.conv2d(image, cnn.KERNELS["identity"]), image[1:-1, 1:-1])
    assert cnn.KERNELS["blur"].sum() == pytest.approx(1.0)
    flat = np.full((6, 6), 0.3, np.float32)
    np.testing.assert_allclose(cnn.conv2d(flat, cnn.KERNELS["blur"]), 0.3, rtol=1e-6)
    np.testing.assert_allclose(cnn.conv2d(flat, cnn.KERNELS["sharpen"]), 0.3, rtol=1e-6)
    np.testing.assert_allclose(cnn.conv2d(flat, cnn.KERNELS["laplacian"]), 0.0, atol=1e-6)
    # Dark left half, bright right half: a vertical edge.
    vertical = np.zeros((6, 6), np.float32)
    vertical[:, 3:] = 1.0
    assert cnn.conv2d(vertical, cnn.KERNELS["sobel_x"]).max() == 4.0
    np.testing.assert_array_equal(cnn.conv2d(vertical, cnn.KERNELS["sobel_y"]), 0.0)
    # Dark top, bright bottom: a horizontal edge.
    np.testing.assert_array_equal(cnn.conv2d(vertical.T, cnn.KERNELS["sobel_y"]).max(), 4.0)
    np.testing.assert_array_equal(cnn.conv2d(vertical.T, cnn.KERNELS["sobel_x"]), 0.0)
    # Blurring removes fine detail: less total variation.
    blurred = cnn.conv2d(image, cnn.KERNELS["blur"])
    assert np.abs(np.diff(blurred, axis=1)).mean() < np.abs(np.diff(image[1:-1, 1:-1], axis=1)).mean()


@pytest.mark.parametrize("image, kernel, kwargs, message", [
    (np.zeros((5, 5, 3)), np.zeros((3, 3)), {}, "A 2-D kernel needs a 2-D image"),
    (np.zeros((5, 5, 3)), np.zeros((3, 3, 2, 4)), {}, "made for 2 input channels, but the image has 3"),
    (np.zeros((5,)), np.zeros((3, 3)), {}, "Give a 2-D image"),
    (np.zeros((5, 5)), np.zeros((3, 3, 1, 1)), {}, "Give a 2-D image"),
    (np.zeros((2, 5)), np.zeros((3, 3)), {}, r"larger than the image \(2×5\)"),
    (np.zeros((5, 5)), np.zeros((3, 3)), {"stride": 0}, "stride must be a whole number >= 1"),
    (np.zeros((5, 5)), np.zeros((3, 3)), {"stride": 1.5}, "stride must be a whole number >= 1"),
    (np.zeros((5, 5)), np.zeros((3, 3)), {"padding": "full"}, "padding must be 'valid' or 'same'"),
    (np.full((5, 5), np.nan), np.zeros((3, 3)), {}, "image contains NaN"),
    (np.array([["a"]]), np.zeros((3, 3)), {}, "image must hold numbers"),
    (np.zeros((0, 5)), np.zeros((3, 3)), {}, "must not be empty"),
])
def test_conv2d_rejects_bad_input_in_one_sentence(image, kernel, kwargs, message):
    with pytest.raises(ValueError, match=message) as err:
        cnn.conv2d(image, kernel, **kwargs)
    one_sentence(err)


def test_relu_matches_tensorflow():
    x = np.random.default_rng(1).normal(size=(7, 5, 3)).astype(np.float32)
    got = cnn.relu(x)
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, tf.nn.relu(x).numpy())
    np.testing.assert_array_equal(cnn.relu([[-1, 2]]), [[0.0, 2.0]])


@pytest.mark.parametrize("shape, size, stride", [
    ((8, 8), 2, None), ((9, 7), 2, None), ((9, 7, 3), 3, 2), ((10, 11, 4), 2, 1), ((5, 6, 2), 5, 3),
])
def test_max_pool2d_matches_tensorflow(shape, size, stride):
    x = np.random.default_rng(sum(shape)).normal(size=shape).astype(np.float32)
    x4 = x[None] if x.ndim == 3 else x[None, ..., None]
    expected = tf.nn.max_pool2d(x4, size, stride or size, "VALID")[0].numpy()
    expected = expected if x.ndim == 3 else expected[..., 0]
    got = cnn.max_pool2d(x, size, stride)
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("x, kwargs, message", [
    (np.zeros((4,)), {}, r"x must have shape \(H, W\) or \(H, W, C\)"),
    (np.zeros((1, 4, 4, 3)), {}, r"x must have shape \(H, W\) or \(H, W, C\)"),
    (np.zeros((3, 3)), {"size": 4}, r"pooling window \(4×4\) is larger than x \(3×3\)"),
    (np.zeros((3, 3)), {"size": 0}, "size must be a whole number >= 1"),
    (np.zeros((3, 3)), {"stride": -1}, "stride must be a whole number >= 1"),
])
def test_max_pool2d_rejects_bad_input(x, kwargs, message):
    with pytest.raises(ValueError, match=message) as err:
        cnn.max_pool2d(x, **kwargs)
    one_sentence(err)


# ------------------------------------------------------------------ receptive fields


def test_receptive_field_by_hand():
    assert cnn.receptive_field([]) == (1, 1)
    assert cnn.receptive_field([(3, 1)]) == (3, 1)
    assert cnn.receptive_field([(3, 1), (3, 1)]) == (5, 1)
    assert cnn.receptive_field([(3, 1), (2, 2), (3, 1)]) == (8, 2)
    assert cnn.receptive_field(((7, 2), (3, 2), (3, 1))) == (7 + 2 * 2 + 2 * 4, 4)


def vgg19_pairs(upto: str) -> list:
    """(kernel, stride) of VGG19 up to a layer: 3×3/1 convolutions, 2×2/2 poolings."""
    pairs = []
    for block, convs in zip(range(1, 6), (2, 2, 4, 4, 4)):
        for conv in range(1, convs + 1):
            pairs.append((3, 1))
            if f"block{block}_conv{conv}" == upto:
                return pairs
        pairs.append((2, 2))
    return pairs


def test_receptive_field_of_vgg19():
    # 1 + 2+2 (block1) + 1 (pool) + 4+4 + 2 + 4*8 + 4 + 4*16 + 8 + 4*32 = 252 pixels, jump 2**4 = 16.
    assert cnn.receptive_field(vgg19_pairs("block5_conv4")) == (252, 16)
    assert cnn.receptive_field(vgg19_pairs("block1_conv2")) == (5, 1)
    assert cnn.receptive_field(vgg19_pairs("end")) == (268, 32)


@pytest.mark.parametrize("layers, message", [
    ([(3,)], r"Each layer must be a \(kernel_size, stride\) pair like \(3, 1\); layer 0 is \(3,\)"),
    ([(3, 1), 5], "layer 1 is 5"),
    ([(0, 1)], "The kernel size of layer 0 must be a whole number >= 1"),
    ([(3, 1), (3, 0)], "The stride of layer 1 must be a whole number >= 1"),
    ([(3.0, 1)], "The kernel size of layer 0 must be a whole number"),
])
def test_receptive_field_rejects_bad_layers(layers, message):
    with pytest.raises(ValueError, match=message) as err:
        cnn.receptive_field(layers)
    one_sentence(err)


# ------------------------------------------------------------------ layer tables


def test_layer_table_of_the_small_cnn():
    model = cnn.small_cnn()
    table = cnn.layer_table(model)
    assert isinstance(table, cnn.LayerTable) and isinstance(table, list)
    assert [row.name for row in table] == ["input", "conv1", "pool1", "conv2", "pool2", "flatten", "dense"]
    assert [row.kind for row in table] == ["input", "conv", "pool", "conv", "pool", "other", "dense"]
    assert [row.output_shape for row in table] == [(16, 16, 1), (16, 16, 8), (8, 8, 8), (8, 8, 16), (4, 4, 16),
                                                   (256,), (10,)]
    assert [row.params for row in table] == [0, 5 * 5 * 8 + 8, 0, 5 * 5 * 8 * 16 + 16, 0, 0, 256 * 10 + 10]
    assert table.total_params == model.count_params() == 5994
    assert [row.receptive_field for row in table] == [1, 5, 6, 14, 16, None, None]
    assert [row.jump for row in table] == [1, 1, 2, 2, 4, None, None]
    assert table.row("conv2") == cnn.LayerRow("conv2", "conv", (8, 8, 16), 3216, 5, 1, 14, 2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        table[0].params = 3
    text = str(table)
    assert text.splitlines()[0].split() == ["layer", "kind", "output", "shape", "params", "kernel", "stride",
                                            "receptive", "field", "jump"]
    assert "whole input" in text and "(256,)" in text and text.endswith("total parameters: 5,994")
    assert repr(table) == text
    lines = text.splitlines()
    assert len({len(line) for line in lines[:2]}) == 1, "header and rule are aligned"
    html = table._repr_html_()
    assert html.startswith("<table>") and html.count("<tr>") == 1 + len(table) and "5,994" in html


def test_layer_table_of_other_models():
    inputs = keras.Input((20, 20, 3))
    x = keras.layers.Conv2D(4, (3, 5), strides=(1, 2), padding="valid", name="wide")(inputs)
    x = keras.layers.BatchNormalization(name="norm")(x)
    x = keras.layers.Conv2D(4, 3, dilation_rate=2, name="dilated")(x)
    x = keras.layers.AveragePooling2D(3, strides=1, name="avg")(x)
    x = keras.layers.GlobalAveragePooling2D(name="gap")(x)
    table = cnn.layer_table(keras.Model(inputs, x))
    rows = {row.name: row for row in table}
    assert rows["wide"].kernel == (3, 5) and rows["wide"].stride == (1, 2)
    assert rows["wide"].output_shape == (18, 8, 4) and rows["wide"].receptive_field == (3, 5)
    assert rows["norm"].kind == "other" and rows["norm"].receptive_field == (3, 5) and rows["norm"].jump == (1, 2)
    assert rows["dilated"].kernel == 3 and rows["dilated"].receptive_field == (3 + 4, 5 + 4 * 2)
    assert rows["avg"].kind == "pool" and rows["avg"].receptive_field == (9, 17)
    assert rows["gap"].kind == "pool" and rows["gap"].receptive_field is None and rows["gap"].output_shape == (4,)
    assert "3×5" in str(table) and "9×17 px" in str(table)


def test_layer_table_rejects_what_it_cannot_read():
    with pytest.raises(ValueError, match="layer_table needs a Keras model") as err:
        cnn.layer_table("vgg19")
    one_sentence(err)
    with pytest.raises(ValueError, match="has not been built yet") as err:
        cnn.layer_table(keras.Sequential([keras.layers.Dense(3)]))
    one_sentence(err)
    inputs = keras.Input((8, 8, 3))
    branch = keras.layers.Conv2D(3, 3, padding="same", name="branch")(inputs)
    with pytest.raises(ValueError, match="layer 'add' takes its input from elsewhere") as err:
        cnn.layer_table(keras.Model(inputs, keras.layers.Add(name="add")([inputs, branch])))
    one_sentence(err)
    with pytest.raises(ValueError, match=r"input_size must be a \(height, width\) pair") as err:
        cnn.layer_table(cnn.small_cnn(), input_size=224)
    one_sentence(err)
    with pytest.raises(ValueError, match=r"Layer 'dense' takes 256 values, but an input of \(20, 16\) gives it 320") as err:
        cnn.layer_table(cnn.small_cnn(), input_size=(20, 16))
    one_sentence(err)
    assert cnn.layer_table(cnn.small_cnn(), input_size=(16, 16)) == cnn.layer_table(cnn.small_cnn())
    with pytest.raises(ValueError, match="The height in input_size must be a whole number >= 1") as err:
        cnn.layer_table(cnn.small_cnn(), input_size=(0, 4))
    one_sentence(err)


@pytest.mark.slow
def test_layer_table_of_vgg19(vgg):
    table = cnn.layer_table(vgg)
    convs = [row for row in table if row.kind == "conv"]
    assert [row.name for row in convs] == list(CONV_LAYERS)
    assert len(convs) == 16 and table.total_params == 20_024_384 == vgg.count_params()
    assert sum(row.kind == "pool" for row in table) == 5
    assert table.row("block5_conv4").receptive_field == 252 and table.row("block5_conv4").jump == 16
    assert table.row("block5_pool").receptive_field == 268
    for row in convs:  # the table agrees with receptive_field() on VGG's (kernel, stride) pairs
        assert (row.receptive_field, row.jump) == cnn.receptive_field(vgg19_pairs(row.name))
    assert table.row("block3_conv1").output_shape == (None, None, 256)  # VGG19 takes any size
    assert "(?, ?, 256)" in str(table) and "total parameters: 20,024,384" in str(table)

    sized = cnn.layer_table(vgg, input_size=(224, 224))
    assert sized[0].kind == "input" and sized[0].output_shape == (224, 224, 3)
    assert sized.row("block5_conv4").output_shape == (14, 14, 512)
    assert sized.row("block5_pool").output_shape == (7, 7, 512)
    assert [r.receptive_field for r in sized] == [r.receptive_field for r in table]
    assert cnn.layer_table(vgg, input_size=(100, 60)).row("block3_pool").output_shape == (12, 7, 256)
    with pytest.raises(ValueError, match="cannot take an input of shape") as err:
        cnn.layer_table(vgg, input_size=(8, 8))
    one_sentence(err)


# ------------------------------------------------------------------ the small network on digits


def test_digits_are_images_in_the_course_range():
    images, labels = data.digits()
    assert images.shape == (1797, 16, 16, 1) and images.dtype == np.float32
    assert labels.shape == (1797,) and labels.dtype == np.int64 and set(labels) == set(range(10))
    assert images.min() == 0.0 and images.max() == pytest.approx(1.0, abs=0.01)
    small, same_labels = data.digits(8)
    np.testing.assert_array_equal(same_labels, labels)
    from sklearn.datasets import load_digits

    np.testing.assert_allclose(small[..., 0], load_digits().images / 16.0, atol=1e-6)
    # Upsampling keeps the picture: shrinking it back gives about the original.
    assert np.abs(images[:, ::2, ::2, 0].mean() - small.mean()) < 0.02
    assert data.digits(28)[0].shape == (1797, 28, 28, 1)
    with pytest.raises(ValueError, match="size must be a whole number >= 1") as err:
        data.digits(0)
    one_sentence(err)


def test_small_cnn_has_named_layers_and_is_seeded():
    model = cnn.small_cnn()
    assert [layer.name for layer in model.layers] == ["conv1", "pool1", "conv2", "pool2", "flatten", "dense"]
    assert model.get_layer("conv1").activation is keras.activations.relu
    assert tuple(model.output_shape) == (None, 10)
    same = cnn.small_cnn()
    np.testing.assert_array_equal(model.get_layer("conv1").kernel.numpy(), same.get_layer("conv1").kernel.numpy())
    other = cnn.small_cnn(seed=1)
    assert not np.array_equal(model.get_layer("conv1").kernel.numpy(), other.get_layer("conv1").kernel.numpy())
    wide = cnn.small_cnn((32, 32, 3), n_classes=4, filters=(4, 8, 16), kernel_size=3)
    assert wide.get_layer("pool3").output.shape[1:] == (4, 4, 16) and tuple(wide.output_shape) == (None, 4)


@pytest.mark.parametrize("kwargs, message", [
    ({"input_shape": (16, 16)}, r"input_shape must be \(height, width, channels\)"),
    ({"input_shape": 16}, r"input_shape must be \(height, width, channels\)"),
    ({"filters": 8}, "filters must be a list with one number per convolution layer"),
    ({"filters": (8, 0)}, "Each entry of filters must be a whole number >= 1"),
    ({"input_shape": (4, 4, 1), "filters": (2, 2, 2)}, "too small for 3 2×2 poolings"),
    ({"seed": -1}, "seed must be a whole number >= 0"),
])
def test_small_cnn_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message) as err:
        cnn.small_cnn(**kwargs)
    one_sentence(err)


@pytest.mark.slow
def test_train_small_cnn_learns_the_digits_quickly_and_reproducibly(capsys):
    images, labels = data.digits()
    first = cnn.train_small_cnn(images, labels, progress=False)  # its time: benchmarks/numpy_cnn_speed.py
    assert capsys.readouterr() == ("", ""), "progress=False shows nothing"
    assert first.test_accuracy >= 0.9
    assert set(first.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(values) == 10 for values in first.history.values())
    assert first.history["loss"][-1] < first.history["loss"][0] / 3
    assert first.history["val_accuracy"][-1] == pytest.approx(first.test_accuracy, abs=1e-6)
    assert len(first.test_images) == round(0.2 * 1797) and len(first.train_images) == 1797 - 359
    np.testing.assert_array_equal(np.sort(np.concatenate([first.train_labels, first.test_labels])), np.sort(labels))

    again = cnn.train_small_cnn(images, labels, progress=True)
    assert "training" in capsys.readouterr().err, "a tqdm bar"
    assert again.test_accuracy == first.test_accuracy
    np.testing.assert_allclose(again.history["loss"], first.history["loss"], rtol=1e-5)
    np.testing.assert_array_equal(again.test_labels, first.test_labels)


@pytest.mark.parametrize("change, message", [
    ({"images": np.zeros((10, 16, 16))}, r"images must have shape \(N, H, W, C\)"),
    ({"labels": np.zeros(3, np.int64)}, "labels must be 10 whole numbers >= 0, one per image"),
    ({"labels": np.zeros(10)}, "labels must be 10 whole numbers"),
    ({"labels": np.arange(10) - 1}, "labels must be 10 whole numbers >= 0"),
    ({"test_fraction": 1.5}, "test_fraction must be a number > 0 and < 1"),
    ({"test_fraction": 0.01}, "leaves no images for training or for testing"),
    ({"epochs": 0}, "epochs must be a whole number >= 1"),
    ({"seed": "a"}, "seed must be a whole number >= 0"),
    ({"learning_rate": 0}, "learning_rate must be a number > 0"),
])
def test_train_small_cnn_rejects_bad_arguments(change, message):
    arguments = {"images": np.zeros((10, 16, 16, 1), np.float32), "labels": np.arange(10) % 2}
    arguments.update(change)
    images, labels = arguments.pop("images"), arguments.pop("labels")
    with pytest.raises(ValueError, match=message) as err:
        cnn.train_small_cnn(images, labels, progress=False, **arguments)
    one_sentence(err)


@pytest.mark.slow
def test_layer_outputs_of_the_small_cnn():
    model = cnn.small_cnn((16, 16, 1), filters=(4, 6))
    x = np.random.default_rng(0).uniform(size=(3, 16, 16, 1)).astype(np.float32)
    out = cnn.layer_outputs(model, x, ["conv1", "pool2"])
    assert out["conv1"].shape == (3, 16, 16, 4) and out["pool2"].shape == (3, 4, 4, 6)
    assert out["conv1"].min() >= 0, "conv1 ends in a ReLU"
    assert cnn.layer_outputs(model, x, "conv1")["conv1"].shape == (3, 16, 16, 4)
    with pytest.raises(ValueError, match="the model has no layer 'conv9'; its layers are: conv1"):
        cnn.layer_outputs(model, x, "conv9")
