"""The objective's convolutions in bfloat16 against float32, and the loop's defaults (no timings)."""

import numpy as np
import pytest

from course_utils import precision, transfer

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pair():
    rng = np.random.default_rng(1)
    content = rng.uniform(size=(40, 48, 3)).astype(np.float32)
    style = rng.uniform(size=(36, 36, 3)).astype(np.float32)
    return content, style


@pytest.fixture(scope="module")
def objective(pair, vgg):
    return transfer.Objective(*pair, base=vgg, precision="bfloat16")


def test_the_direct_network_is_the_keras_one(pair, objective):
    batch = pair[0][None]
    keras_features = objective.extractor(batch)
    direct = objective.features(batch, "float32")
    assert set(direct) == set(keras_features)
    for name, value in direct.items():
        expected = keras_features[name].numpy()
        assert value.dtype == np.float32
        np.testing.assert_allclose(value.numpy(), expected, rtol=1e-3, atol=1e-3 * np.abs(expected).max())


def test_bfloat16_convolutions_give_nearly_the_float32_loss_and_gradient(pair, objective):
    # a picture between the photo and noise, so that every term is well above zero
    batch = np.clip(pair[0] + 0.1 * np.random.default_rng(2).normal(size=pair[0].shape), 0, 1)[None]
    total32, parts32, grad32 = objective.value_and_grad(batch, "float32")
    total16, parts16, grad16 = objective.value_and_grad(batch, "bfloat16")
    assert objective.dtype == "bfloat16" and total16.dtype == np.float32 and grad16.dtype == np.float32
    # bfloat16 keeps 8 bits of mantissa (relative steps of 0.4 %): a few per cent, not orders of magnitude
    for name in parts32:
        assert float(parts16[name]) == pytest.approx(float(parts32[name]), rel=0.05), name
    g32, g16 = np.ravel(grad32), np.ravel(grad16)
    cosine = float(g32 @ g16 / np.linalg.norm(g32) / np.linalg.norm(g16))
    assert cosine > 0.98
    assert np.linalg.norm(g16) == pytest.approx(np.linalg.norm(g32), rel=0.05)
    # the photo against itself: in bfloat16 not exactly zero, but far below the content loss of a changed picture
    photo16 = float(objective.value_and_grad(pair[0][None], "bfloat16")[1]["content"])
    assert 0.0 <= photo16 < 0.05 * float(parts32["content"])
    # and a different picture does give a different answer (the test is not comparing a constant)
    assert float(objective.value_and_grad(pair[0][None], "bfloat16")[0]) != pytest.approx(float(total16), rel=0.05)


def test_the_default_precision_is_the_detected_one(pair, vgg, monkeypatch):
    monkeypatch.delenv(precision.VARIABLE, raising=False)
    assert transfer.Objective(*pair, base=vgg).dtype == precision.compute_dtype()
    monkeypatch.setenv(precision.VARIABLE, "float32")
    assert transfer.Objective(*pair, base=vgg).dtype == "float32"


def test_lbfgs_in_bfloat16_lowers_the_loss_and_finishes_in_float32(pair, objective, monkeypatch):
    monkeypatch.setattr(transfer, "FLOAT32_FINISH", 0.5)
    used = []
    original = objective.value_and_grad

    def spy(batch, dtype=None):
        used.append(dtype or objective.dtype)
        return original(batch, dtype)

    monkeypatch.setattr(objective, "value_and_grad", spy)
    result = transfer.optimize(objective, pair[0], steps=6, progress=False)
    assert len(result.history["total"]) == 6
    assert result.history["total"][-1] < result.history["total"][0]
    assert 0.0 <= result.image.min() and result.image.max() <= 1.0
    assert used[0] == "bfloat16" and used[-1] == "float32"


def test_the_loops_defaults(pair, vgg):
    assert transfer.LBFGS_BOUNDS in ("clip", "bounds")
    assert transfer.LBFGS_HISTORY >= 3
    assert 0.0 < transfer.FLOAT32_FINISH <= 1.0
