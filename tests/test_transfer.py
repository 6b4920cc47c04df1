"""The optimisation loop, end to end at a tiny size."""

import numpy as np
import pytest

from course_utils import transfer

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pair():
    rng = np.random.default_rng(0)
    content = np.clip(np.linspace(0, 1, 48)[None, :, None] * np.ones((40, 48, 3)), 0, 1).astype(np.float32)
    style = rng.uniform(size=(40, 40, 3)).astype(np.float32)
    return content, style


@pytest.fixture(scope="module")
def objective(pair, vgg):
    return transfer.Objective(*pair, base=vgg)


@pytest.mark.parametrize("optimizer", transfer.OPTIMIZERS)
def test_stylize_lowers_the_loss_and_keeps_pixels_in_range(pair, objective, optimizer):
    calls = []
    result = transfer.stylize(*pair, steps=6, optimizer=optimizer, objective=objective, progress=False,
                              callback=lambda step, image, parts: calls.append((step, image.shape, set(parts))),
                              callback_every=3)
    assert result.image.shape == (40, 48, 3) and result.image.dtype == np.float32
    assert 0.0 <= result.image.min() and result.image.max() <= 1.0
    assert len(result.history["total"]) == 6
    assert result.history["total"][-1] < result.history["total"][0]
    assert result.final_loss == result.history["total"][-1]
    assert [c[0] for c in calls] == [3, 6] and calls[0][1] == (40, 48, 3)
    assert calls[0][2] == {"content", "style", "tv"}


def test_objective_parts_and_gradient(pair, objective):
    total, parts, grad = objective.value_and_grad(pair[0][None])
    assert float(parts["content"]) == pytest.approx(0.0, abs=1e-6), "the photo has no content loss against itself"
    assert float(parts["style"]) > 0 and float(parts["tv"]) > 0
    expected = sum(objective.weights[k] * float(parts[k]) for k in parts)
    assert float(total) == pytest.approx(expected, rel=1e-5)
    assert grad.shape == (1, 40, 48, 3) and np.any(grad.numpy() != 0)


@pytest.mark.parametrize("init", transfer.INITS)
def test_initial_images(pair, init):
    start = transfer.initial_image(*pair, init=init, seed=1)
    assert start.shape == pair[0].shape and start.dtype == np.float32
    if init == "content":
        np.testing.assert_array_equal(start, pair[0])
    if init == "noise":
        np.testing.assert_array_equal(start, transfer.initial_image(*pair, init="noise", seed=1))


def test_bad_arguments(pair, objective):
    with pytest.raises(ValueError, match="optimizer must be one of"):
        transfer.stylize(*pair, optimizer="sgd", objective=objective)
    with pytest.raises(ValueError, match="steps must be a positive integer"):
        transfer.stylize(*pair, steps=0, objective=objective)
    with pytest.raises(ValueError, match="init must be one of"):
        transfer.initial_image(*pair, init="blank")
