"""Content reconstructions and textures really match what they are asked to match."""

import numpy as np
import pytest

from course_utils import losses, models, reconstruct, transfer

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def picture():
    y, x = np.mgrid[0:40, 0:48] / 40.0
    return np.stack([np.sin(6 * x) * 0.5 + 0.5, y % 0.5 * 2, np.full_like(x, 0.3)], -1).astype(np.float32)


def test_content_reconstruction_gets_closer_to_the_photo(picture, vgg):
    result = reconstruct.content_reconstruction(picture, "block1_conv2", steps=30, base=vgg, progress=False)
    start = reconstruct.noise_image(picture.shape)
    assert result.image.shape == picture.shape and result.image.dtype == np.float32
    assert set(result.history) == {"total", "content", "tv"} and len(result.history["content"]) == 30
    assert result.history["content"][-1] < 0.05 * result.history["content"][0]
    error_before, error_after = np.abs(start - picture).mean(), np.abs(result.image - picture).mean()
    assert error_after < 0.5 * error_before, "matching block1 features brings the pixels back"


def test_texture_matches_gram_matrices_and_balanced_weights(picture, vgg):
    layers = ("block1_conv1", "block2_conv1")
    result = reconstruct.texture_synthesis(picture, layers, shape=(32, 36), steps=25, base=vgg, progress=False)
    assert result.image.shape == (32, 36, 3)
    assert set(result.history) == {"total", "style", "tv"}
    assert result.history["style"][-1] < 0.2 * result.history["style"][0]
    extractor = models.feature_extractor(layers, vgg)
    target, made = extractor(picture[None]), extractor(result.image[None])
    start = extractor(reconstruct.noise_image((32, 36))[None])
    for name in layers:
        goal = losses.gram_matrix(target[name])
        assert losses.gram_distance(losses.gram_matrix(made[name]), goal) < \
            0.5 * losses.gram_distance(losses.gram_matrix(start[name]), goal)


def test_balanced_weights_make_each_layer_a_relative_error(picture, vgg):
    objective = transfer.Objective(style=picture, style_layers=("block1_conv1", "block3_conv1"),
                                   style_layer_weights="balanced", base=vgg)
    for name, weight in objective.style_layer_weights.items():
        size = float(np.mean(np.square(objective.style_grams[name])))
        assert weight == pytest.approx(1 / (2 * size), rel=1e-5)
    parts = objective.parts(np.zeros((1, 40, 48, 3), np.float32))
    assert set(parts) == {"style", "tv"}


def test_layer_sets_and_bad_arguments(picture, vgg):
    assert reconstruct.growing_layer_sets(["a", "b", "c"]) == [("a",), ("a", "b"), ("a", "b", "c")]
    with pytest.raises(ValueError, match="name at least one VGG19 layer"):
        reconstruct.texture_synthesis(picture, [], base=vgg)
    with pytest.raises(ValueError, match="shape must be"):
        reconstruct.noise_image((4, 4, 2))
    with pytest.raises(ValueError, match="give a content image, a style image or both"):
        transfer.Objective(base=vgg)
    with pytest.raises(ValueError, match="style_layer_weights must be None, 'balanced' or a dict"):
        transfer.Objective(style=picture, style_layer_weights="equal", base=vgg)
    with pytest.raises(ValueError, match="no weight for layer 'block2_conv1'"):
        transfer.Objective(style=picture, style_layers=("block1_conv1", "block2_conv1"),
                           style_layer_weights={"block1_conv1": 1.0}, base=vgg)
    with pytest.raises(ValueError, match=r"start must be an image of shape \(H, W, 3\)"):
        transfer.optimize(None, np.zeros((4, 4)), steps=1)
