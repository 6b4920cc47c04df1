"""course_utils.validate (the one set of setting checks) and config.Initializers (the one seeding policy)."""

import random

import numpy as np
import pytest

from course_utils import config, validate
from course_utils.errors import SettingError


def test_whole_numbers_and_seeds():
    assert validate.positive_int(np.int64(3), "steps", "steps=3") == 3
    assert validate.seed_value(0) == 0
    for bad in (0, -1, 2.0, True, "3", None):
        with pytest.raises(SettingError, match=r"^steps must be a whole number >= 1, like steps=3; got "):
            validate.positive_int(bad, "steps", "steps=3")
    with pytest.raises(SettingError, match=r"^seed must be a whole number >= 0, like seed=0; got -1\.$"):
        validate.seed_value(-1)
    with pytest.raises(SettingError, match="from 2 to 4"):
        validate.whole_number(5, "n", "3", minimum=2, maximum=4)


def test_numbers_with_bounds():
    assert validate.number(np.float32(0.5), "rate", "0.5", above=0, maximum=1) == 0.5
    assert validate.number(np.array(2.0), "w", "2", minimum=0) == 2.0  # a 0-d array, like np.float64 ** 2
    cases = [(0, {"above": 0}, "x must be a number > 0, like 0.5; got 0."),
             (1, {"below": 1, "minimum": 0}, "x must be a number >= 0 and < 1, like 0.5; got 1."),
             (float("nan"), {}, "x must be a number, like 0.5; got nan."),
             (True, {}, "x must be a number, like 0.5; got True."),
             ("1", {}, "x must be a number, like 0.5; got '1'.")]
    for value, bounds, message in cases:
        with pytest.raises(SettingError) as err:
            validate.number(value, "x", "0.5", **bounds)
        assert str(err.value) == message
    assert validate.weight(0, "w", "1") == 0.0
    with pytest.raises(SettingError, match="w must be a number >= 0"):
        validate.weight(-1e-9, "w", "1")


def test_style_weights_is_the_one_normaliser():
    assert validate.style_weights([3, 1], 2) == pytest.approx((0.75, 0.25))
    assert validate.style_weights(None, 4) == (0.25,) * 4
    assert validate.style_weights(np.array([[1.0, 1.0]]), 2) == (0.5, 0.5)

    class Mine(SettingError):
        pass

    for weights, message in [([1], "has 1 numbers for 2 style images"), ([0, 0], "are all 0"),
                             ([1, -1], "must be numbers >= 0"), ("1,0", "must be a list")]:
        with pytest.raises(Mine, match=f"^weights {message}"):
            validate.style_weights(weights, 2, "weights", error=Mine)


def test_the_blends_of_styles_share_the_normaliser():
    import inspect

    from course_utils import transfer
    from course_utils.fast import adain, magenta

    for module in (transfer, adain, magenta):
        assert "validate.style_weights(" in inspect.getsource(module), module.__name__


def test_a_builder_seeds_its_initialisers_and_leaves_the_global_state_alone():
    from course_utils import cnn
    from course_utils._tf import keras, tf

    def draws():
        return random.random(), float(np.random.random()), float(tf.random.uniform(()))

    config.seed(5)
    expected = draws()
    config.seed(5)
    a = cnn.small_cnn(filters=(4,), seed=1)
    b = cnn.small_cnn(filters=(4,), seed=1)
    assert draws() == expected  # building two networks drew nothing from Python's, NumPy's or TF's generators
    c = cnn.small_cnn(filters=(4,), seed=2)
    for u, v in zip(a.weights, b.weights):
        np.testing.assert_array_equal(u.numpy(), v.numpy())
    assert not np.allclose(a.weights[0].numpy(), c.weights[0].numpy())
    kernel = a.get_layer("conv1").kernel_initializer
    assert isinstance(kernel, keras.initializers.GlorotUniform) and kernel.seed is not None
    init = config.Initializers(1)
    assert [init.seed(), init.seed()] != [init.seed(), init.seed()]  # each layer its own seed
    with pytest.raises(SettingError, match="seed must be a whole number >= 0"):
        config.Initializers(-1)
