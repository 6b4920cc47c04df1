"""Objectives by name: the tutorial's and the painterly one (transfer.painterly_objective)."""

import numpy as np
import pytest

from course_utils import losses, models, transfer
from course_utils._tf import tf
from course_utils.errors import SettingError

pytestmark = pytest.mark.slow


def test_the_painterly_defaults(pair, vgg):
    objective = transfer.painterly_objective(*pair, base=vgg)
    assert objective.content_layers == transfer.PAINTERLY_CONTENT_LAYERS == ("block4_conv2",)
    assert objective.style_layers == models.STYLE_LAYERS
    assert objective.style_layer_weights == pytest.approx(losses.balanced_layer_weights(objective.style_grams))
    assert transfer.OBJECTIVES == ("tutorial", "painterly")
    assert set(transfer.PAINTERLY_WEIGHTS) == {"content", "style", "tv"}
    assert transfer.PAINTERLY_SIZE == 512 and 0 < transfer.PAINTERLY_COARSE_SHARE < 1


def test_the_painterly_terms_are_relative_errors(pair, vgg):
    """Weighted, each term is its weight times a scale-free number, whatever the picture."""
    photo, painting = pair
    objective = transfer.painterly_objective(photo, painting, content_weight=2.0, style_weight=3.0,
                                             tv_weight=5.0, base=vgg)
    rng = np.random.default_rng(1)
    image = np.clip(photo + rng.normal(0, 0.1, photo.shape), 0, 1).astype(np.float32)
    # float32, as the reference below: the default precision is bfloat16 on CPUs that have it natively
    total, parts, _ = objective.value_and_grad(image[None], dtype="float32")
    weighted = {k: objective.weights[k] * float(parts[k]) for k in parts}
    extractor = models.feature_extractor(("block4_conv2",) + models.STYLE_LAYERS, vgg)
    mine, theirs, target = extractor(image[None]), extractor(painting[None]), extractor(photo[None])
    content = float(tf.reduce_sum(tf.square(mine["block4_conv2"] - target["block4_conv2"]))
                    / tf.reduce_sum(tf.square(target["block4_conv2"])))
    style = np.mean([float(losses.style_layer_loss(mine[n], losses.gram_matrix(theirs[n])[0], "relative"))
                     for n in models.STYLE_LAYERS])
    tv = float(np.abs(np.diff(image, axis=0)).sum() + np.abs(np.diff(image, axis=1)).sum()) / image.size
    assert weighted["content"] == pytest.approx(2.0 * content, rel=1e-3)
    assert weighted["style"] == pytest.approx(3.0 * style, rel=1e-3)
    assert weighted["tv"] == pytest.approx(5.0 * tv, rel=1e-3)
    assert float(total) == pytest.approx(sum(weighted.values()), rel=1e-4)


def test_weights_left_out_take_the_named_objectives(pair, vgg):
    painterly = transfer.named_objective("painterly", *pair, tv_weight=1.0, base=vgg)
    default = transfer.painterly_objective(*pair, base=vgg)
    assert painterly.weights["content"] == pytest.approx(default.weights["content"])
    assert painterly.weights["tv"] == pytest.approx(1.0 / (40 * 48 * 3))
    tutorial = transfer.named_objective("tutorial", *pair, base=vgg)
    assert tutorial.weights == {"content": transfer.CONTENT_WEIGHT, "style": transfer.STYLE_WEIGHT,
                                "tv": transfer.TV_WEIGHT}
    assert tutorial.content_layers == ("block5_conv2",) and tutorial.style_layer_weights is None


def test_stylize_by_name(pair, vgg):
    painted = transfer.stylize(*pair, steps=4, objective="painterly", progress=False)
    assert painted.image.shape == (40, 48, 3)
    assert painted.history["total"][-1] < painted.history["total"][0]
    assert painted.history["total"][0] < 10  # scale-free terms: about the weights, not 1e8 as the tutorial's
    tutorial = transfer.stylize(*pair, steps=2, objective="tutorial", progress=False)
    default = transfer.stylize(*pair, steps=2, progress=False)
    assert tutorial.history["total"][0] == pytest.approx(default.history["total"][0], rel=1e-5)
    assert tutorial.history["total"][0] > 1e3 * painted.history["total"][0]


def test_coarse_to_fine_by_name(pair, vgg):
    result = transfer.coarse_to_fine(*pair, sizes=(32, 48), steps=(3, 2), objective="painterly", progress=False)
    assert result.image.shape == (40, 48, 3) and [size for size, _ in result.stages] == [32, 48]


def test_bad_names_are_refused(pair, vgg):
    with pytest.raises(SettingError, match="objective must be one of 'tutorial', 'painterly'"):
        transfer.stylize(*pair, steps=1, objective="pretty")
    with pytest.raises(SettingError, match="objective must be one of"):
        transfer.coarse_to_fine(*pair, sizes=(32, 48), objective="Painterly")
    with pytest.raises(SettingError, match="prepared objective"):
        transfer.coarse_to_fine(*pair, sizes=(32, 48), objective=transfer.Objective(*pair, base=vgg))
