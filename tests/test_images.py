"""Tests of course_utils.images: loading, saving, VGG pre/de-processing, batches.

Every file is a real one written into tmp_path with Pillow; every error test
checks that the error is an ImageError whose message names the file and the problem.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, JpegImagePlugin

from course_utils import images
from course_utils.errors import CourseError, ImageError, SettingError

RED, BLUE = (255, 0, 0), (0, 0, 255)


# ------------------------------------------------------------------------ helpers


def _rgb(height=6, width=8, seed=0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)


def _write(tmp_path: Path, name: str, image: Image.Image, **options) -> Path:
    path = tmp_path / name
    image.save(path, **options)
    return path


def _checkerboard(n: int) -> np.ndarray:
    """n x n, alternating 0 and 255 from pixel to pixel."""
    return ((np.indices((n, n)).sum(axis=0) % 2) * 255).astype(np.uint8)


def _error(source, *words, **kwargs) -> str:
    """Load ``source``, expect an ImageError whose message contains every word."""
    with pytest.raises(ImageError) as info:
        images.load(source, **kwargs)
    message = str(info.value)
    for word in words:
        assert word.lower() in message.lower(), f"{word!r} not in {message!r}"
    assert type(info.value) is ImageError
    return message


def _assert_course_format(image: np.ndarray, shape=None) -> None:
    assert isinstance(image, np.ndarray)
    assert image.dtype == np.float32
    assert image.ndim == 3 and image.shape[-1] == 3
    assert image.flags["C_CONTIGUOUS"]
    assert 0.0 <= image.min() and image.max() <= 1.0
    if shape is not None:
        assert image.shape == shape


# --------------------------------------------------------------------- load: files


def test_png_round_trips_exactly(tmp_path):
    pixels = _rgb()
    path = _write(tmp_path, "photo.png", Image.fromarray(pixels))
    for source in (path, str(path)):
        image = images.load(source)
        _assert_course_format(image, (6, 8, 3))
        np.testing.assert_array_equal(np.round(image * 255).astype(np.uint8), pixels)


def test_jpeg_loads_close_to_the_original(tmp_path):
    pixels = np.full((16, 24, 3), (200, 100, 50), np.uint8)
    path = _write(tmp_path, "photo.jpg", Image.fromarray(pixels), quality=95)
    image = images.load(path)
    _assert_course_format(image, (16, 24, 3))
    np.testing.assert_allclose(image, pixels / 255.0, atol=0.03)


def _red_corner_jpeg(tmp_path, name, orientation=None) -> Path:
    """64 wide x 32 tall, blue, with a red 16 x 16 block in the stored top-left corner."""
    pixels = np.zeros((32, 64, 3), np.uint8)
    pixels[...] = BLUE
    pixels[:16, :16] = RED
    options = {"quality": 95}
    if orientation is not None:
        exif = Image.Exif()
        exif[0x0112] = orientation  # Orientation
        options["exif"] = exif
    return _write(tmp_path, name, Image.fromarray(pixels), **options)


def _is_red(pixel) -> bool:
    return pixel[0] > 0.7 and pixel[2] < 0.3


def _is_blue(pixel) -> bool:
    return pixel[2] > 0.7 and pixel[0] < 0.3


def test_exif_orientation_6_is_rotated_upright(tmp_path):
    plain = images.load(_red_corner_jpeg(tmp_path, "plain.jpg"))
    assert plain.shape == (32, 64, 3)
    assert _is_red(plain[4, 4]) and _is_blue(plain[4, 59])

    # Orientation 6: the camera was turned; displaying needs a 90-degree clockwise
    # turn, which moves the stored top-left corner to the top-right.
    turned = images.load(_red_corner_jpeg(tmp_path, "turned.jpg", orientation=6))
    assert turned.shape == (64, 32, 3)
    assert _is_red(turned[4, 27]), turned[4, 27]
    assert _is_blue(turned[4, 4]) and _is_blue(turned[59, 4]) and _is_blue(turned[59, 27])


def test_exif_orientation_is_applied_before_resizing(tmp_path):
    image = images.load(_red_corner_jpeg(tmp_path, "turned.jpg", orientation=6), size=16)
    assert image.shape == (16, 8, 3)
    assert _is_red(image[1, 6])


def test_grayscale_becomes_three_equal_channels(tmp_path):
    gray = np.array([[0, 64], [128, 255]], np.uint8)
    image = images.load(_write(tmp_path, "gray.png", Image.fromarray(gray)))
    _assert_course_format(image, (2, 2, 3))
    for channel in range(3):
        np.testing.assert_allclose(image[..., channel], gray / 255.0, atol=1e-6)


def test_rgba_is_composited_over_white(tmp_path):
    rgba = np.array([[[255, 0, 0, 255], [0, 0, 0, 0]], [[0, 0, 0, 128], [0, 0, 255, 255]]], np.uint8)
    image = images.load(_write(tmp_path, "rgba.png", Image.fromarray(rgba)))
    np.testing.assert_allclose(image[0, 0], [1, 0, 0], atol=1e-6)  # opaque red
    np.testing.assert_allclose(image[0, 1], [1, 1, 1], atol=1e-6)  # transparent -> white
    np.testing.assert_allclose(image[1, 0], [127 / 255] * 3, atol=1 / 255)  # half black over white
    np.testing.assert_allclose(image[1, 1], [0, 0, 1], atol=1e-6)


def test_gray_with_alpha_is_composited_over_white(tmp_path):
    la = Image.new("LA", (2, 1))
    la.putpixel((0, 0), (0, 255))
    la.putpixel((1, 0), (0, 0))
    image = images.load(_write(tmp_path, "la.png", la))
    np.testing.assert_allclose(image[0], [[0, 0, 0], [1, 1, 1]], atol=1e-6)


def test_palette_with_transparency_is_composited_over_white(tmp_path):
    pal = Image.new("P", (2, 2))
    pal.putpalette([0, 0, 0, 255, 0, 0] + [0] * (254 * 3))  # index 0 black, index 1 red
    pal.putpixel((1, 0), 1)
    pal.putpixel((1, 1), 1)
    path = _write(tmp_path, "palette.png", pal, transparency=0)
    with Image.open(path) as check:
        assert check.mode == "P" and "transparency" in check.info
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no Pillow warning about palette transparency either
        image = images.load(path)
    np.testing.assert_allclose(image[:, 0], [[1, 1, 1]] * 2, atol=1e-6)  # transparent black -> white
    np.testing.assert_allclose(image[:, 1], [[1, 0, 0]] * 2, atol=1e-6)


def test_palette_without_transparency(tmp_path):
    pal = Image.fromarray(_rgb(4, 4)).convert("P", palette=Image.Palette.ADAPTIVE, colors=4)
    image = images.load(_write(tmp_path, "palette.gif", pal))
    np.testing.assert_allclose(image, np.asarray(pal.convert("RGB")) / 255.0, atol=1e-6)


def test_cmyk_jpeg_becomes_rgb(tmp_path):
    cmyk = Image.new("CMYK", (16, 16), (0, 255, 255, 0))  # no cyan, full magenta and yellow: red
    path = _write(tmp_path, "cmyk.jpg", cmyk, quality=95)
    with Image.open(path) as check:
        assert check.mode == "CMYK"
    image = images.load(path)
    _assert_course_format(image, (16, 16, 3))
    assert _is_red(image[8, 8]) and image[8, 8, 1] < 0.3


def test_one_bit_image(tmp_path):
    bits = Image.new("1", (3, 1))
    bits.putpixel((1, 0), 1)
    image = images.load(_write(tmp_path, "bits.png", bits))
    np.testing.assert_array_equal(image[0], [[0, 0, 0], [1, 1, 1], [0, 0, 0]])


def test_16_bit_grayscale_png_is_scaled_not_clipped(tmp_path):
    values = np.array([[0, 32768, 65535, 1000]], np.uint16)
    path = _write(tmp_path, "deep.png", Image.fromarray(values))
    with Image.open(path) as check:
        assert check.mode.startswith("I")
    image = images.load(path)
    _assert_course_format(image, (1, 4, 3))
    np.testing.assert_allclose(image[0, :, 0], [0.0, 32768 / 65535, 1.0, 1000 / 65535], atol=1e-6)
    assert image[0, 1, 0] == pytest.approx(0.5, abs=1e-4)
    np.testing.assert_array_equal(image[..., 0], image[..., 2])


def test_16_bit_grayscale_keeps_its_values_when_resized(tmp_path):
    path = _write(tmp_path, "deep.png", Image.fromarray(np.full((40, 20), 40000, np.uint16)))
    image = images.load(path, size=10)
    assert image.shape == (10, 5, 3)
    np.testing.assert_allclose(image, 40000 / 65535, atol=1e-4)


@pytest.mark.parametrize("dtype", ["<u2", ">u2", "<i4"])
def test_high_bit_pil_images(dtype):
    values = np.array([[0, 32768, 65535]]).astype(dtype)
    pil = Image.fromarray(values)
    assert pil.mode in ("I;16", "I;16B", "I")
    image = images.load(pil)
    np.testing.assert_allclose(image[0, :, 1], [0, 32768 / 65535, 1], atol=1e-6)


def test_float_pil_image_in_range_and_out_of_range():
    np.testing.assert_allclose(images.load(Image.fromarray(np.full((2, 3), 0.25, np.float32))), 0.25)
    _error(Image.fromarray(np.full((2, 3), 200.0, np.float32)), "PIL image", "255")


def test_pil_image_input_is_not_changed():
    pil = Image.fromarray(_rgb(20, 30))
    image = images.load(pil, size=10)
    assert image.shape == (7, 10, 3)
    assert pil.size == (30, 20) and pil.mode == "RGB"


# ------------------------------------------------------------------- load: resizing


@pytest.mark.parametrize(
    ("height", "width", "size", "expected"),
    [
        (200, 300, 150, (100, 150)),  # landscape, shrink
        (300, 200, 150, (150, 100)),  # portrait, shrink
        (10, 20, 40, (20, 40)),  # upscaling
        (7, 7, 3, (3, 3)),
        (10, 1000, 5, (1, 5)),  # the short side never reaches 0
        (30, 40, 40, (30, 40)),  # already the size
    ],
)
def test_longest_side_becomes_size(tmp_path, height, width, size, expected):
    pixels = _rgb(height, width)
    from_file = images.load(_write(tmp_path, "photo.png", Image.fromarray(pixels)), size=size)
    from_array = images.load(pixels, size=size)
    _assert_course_format(from_file, expected + (3,))
    _assert_course_format(from_array, expected + (3,))


def test_no_resize_without_size_and_same_size_is_unchanged(tmp_path):
    pixels = _rgb(30, 40)
    path = _write(tmp_path, "photo.png", Image.fromarray(pixels))
    np.testing.assert_array_equal(images.load(path, size=40), images.load(path))
    np.testing.assert_array_equal(images.load(pixels, size=40), pixels / np.float32(255))


def test_upscaling_a_flat_image_keeps_its_colour(tmp_path):
    pixels = np.full((5, 10, 3), (10, 200, 90), np.uint8)
    for source in (_write(tmp_path, "flat.png", Image.fromarray(pixels)), pixels):
        image = images.load(source, size=100)
        assert image.shape == (50, 100, 3)
        np.testing.assert_allclose(image, np.broadcast_to(pixels[0, 0] / 255.0, image.shape), atol=1e-2)


@pytest.mark.parametrize(("side", "size"), [(64, 16), (63, 21)])
def test_shrinking_is_anti_aliased(tmp_path, side, size):
    board = _checkerboard(side)
    # Picking every 4th (3rd) pixel gives pure black and white (aliasing); a
    # proper low-pass filter gives mid-gray everywhere.
    step = side // size
    assert set(np.unique(board[step // 2 :: step, step // 2 :: step])) <= {0, 255}
    for source in (_write(tmp_path, "board.png", Image.fromarray(board)), board):
        image = images.load(source, size=size)
        assert image.shape == (size, size, 3)
        assert np.abs(image - 0.5).max() < 0.1, (image.min(), image.max())


def test_big_jpeg_is_decoded_with_draft_when_shrinking(tmp_path, monkeypatch):
    yy, xx = np.mgrid[0:480, 0:640]
    smooth = np.stack([xx / 640, yy / 480, (xx + yy) / 1120], axis=-1)
    path = _write(tmp_path, "big.jpg", Image.fromarray((smooth * 255).astype(np.uint8)), quality=95)
    calls = []
    original = JpegImagePlugin.JpegImageFile.draft

    def spy(self, mode, size):
        calls.append(size)
        return original(self, mode, size)

    monkeypatch.setattr(JpegImagePlugin.JpegImageFile, "draft", spy)
    small = images.load(path, size=80)
    assert calls == [(80, 60)]
    _assert_course_format(small, (60, 80, 3))
    full = images.load(path)
    assert calls == [(80, 60)]  # no draft without size
    reference = images.load(full, size=80)
    assert np.abs(small - reference).mean() < 0.02
    images.load(path, size=1000)  # upscaling: no draft either
    assert len(calls) == 1


@pytest.mark.parametrize("size", [0, -3, 2.5, "256", True, [256]])
def test_invalid_size_is_a_setting_error(size):
    with pytest.raises(SettingError, match="size must be .*like size=256"):
        images.load(np.zeros((4, 4, 3), np.float32), size=size)


@pytest.mark.parametrize("max_pixels", [0, -1, 1.5, None])
def test_invalid_max_pixels(max_pixels):
    with pytest.raises(SettingError, match="max_pixels must be a whole number >= 1"):
        images.load(np.zeros((4, 4, 3), np.float32), max_pixels=max_pixels)


# ------------------------------------------------------------------ load: bad files


def test_missing_file(tmp_path):
    path = tmp_path / "nowhere" / "missing_photo.jpg"
    message = _error(path, "missing_photo.jpg", "No file at", "check the path")
    assert str(path) in message


def test_relative_missing_file_names_the_working_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _error("photos/cat.png", "photos/cat.png", str(tmp_path))


def test_directory(tmp_path):
    folder = tmp_path / "pictures.png"
    folder.mkdir()
    _error(folder, "pictures.png", "folder")


def test_text_file_named_png(tmp_path):
    path = tmp_path / "notes.png"
    path.write_text("<html><body>404 Not Found</body></html>\n")
    _error(path, "notes.png", "not an image", "text")


def test_binary_junk_named_jpg(tmp_path):
    path = tmp_path / "junk.jpg"
    path.write_bytes(bytes(range(256)) * 4)
    message = _error(path, "junk.jpg", "not an image")
    assert "text" not in message


def test_empty_file(tmp_path):
    path = tmp_path / "empty.jpg"
    path.touch()
    _error(path, "empty.jpg", "empty", "0 bytes")


@pytest.mark.parametrize(("name", "fmt"), [("cut.png", "PNG"), ("cut.jpg", "JPEG")])
def test_truncated_file(tmp_path, name, fmt):
    whole = tmp_path / f"whole.{fmt.lower()}"
    Image.fromarray(_rgb(64, 64)).save(whole, format=fmt)
    data = whole.read_bytes()
    path = tmp_path / name
    path.write_bytes(data[: len(data) // 2])
    _error(path, name, "truncated")


def test_image_with_more_pixels_than_max_pixels(tmp_path, monkeypatch):
    path = _write(tmp_path, "bomb.png", Image.new("RGB", (300, 300), "white"))
    assert path.stat().st_size < 2000  # small on disk, big in memory
    decoded = []
    monkeypatch.setattr(Image.Image, "load", lambda self: decoded.append(1))
    message = _error(path, "bomb.png", "too large", "max_pixels", max_pixels=10_000)
    assert "300 x 300" in message
    assert decoded == []  # refused before decoding


def test_image_within_max_pixels_loads(tmp_path):
    path = _write(tmp_path, "fine.png", Image.new("RGB", (100, 100), "white"))
    assert images.load(path, max_pixels=10_000).shape == (100, 100, 3)


def test_pillow_decompression_bomb_error_becomes_image_error(tmp_path, monkeypatch):
    path = _write(tmp_path, "huge.png", Image.new("RGB", (100, 100), "white"))
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)  # 10,000 pixels > 2 x 1000: Pillow refuses
    _error(path, "huge.png", "too large")


def test_pillow_decompression_bomb_warning_does_not_stop_an_allowed_image(tmp_path, monkeypatch):
    path = _write(tmp_path, "large.png", Image.new("RGB", (100, 100), "white"))
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 6000)  # between 1x and 2x: Pillow only warns
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert images.load(path).shape == (100, 100, 3)


def test_zero_size_pil_image():
    _error(Image.new("RGB", (0, 5)), "PIL image", "no pixels")


def test_colour_mode_that_cannot_be_converted():
    _error(Image.new("La", (2, 2)), "PIL image", "colour mode", "La")


@pytest.mark.parametrize("source", [42, None, 3.5, {"a": 1}, b"bytes"])
def test_unsupported_source_type(source):
    _error(source, "load() takes", type(source).__name__)


def test_errors_are_course_errors_and_value_errors(tmp_path):
    with pytest.raises(CourseError):
        images.load(tmp_path / "missing.png")
    with pytest.raises(ValueError):
        images.load(tmp_path / "missing.png")


def test_url_is_fetched_then_loaded(tmp_path, monkeypatch):
    from course_utils import downloads

    path = _write(tmp_path, "remote.png", Image.fromarray(_rgb(4, 6)))
    seen = []

    def fake_fetch(url, **kwargs):
        seen.append(url)
        return path

    monkeypatch.setattr(downloads, "fetch", fake_fetch)
    image = images.load("https://example.org/remote.png", size=3)
    assert seen == ["https://example.org/remote.png"]
    assert image.shape == (2, 3, 3)


def test_url_that_is_not_an_image_names_the_url(tmp_path, monkeypatch):
    from course_utils import downloads

    page = tmp_path / "page.jpg"
    page.write_text("<!doctype html><title>Error</title>")
    monkeypatch.setattr(downloads, "fetch", lambda url, **kwargs: page)
    _error("http://example.org/page.jpg", "http://example.org/page.jpg", "not an image")


# --------------------------------------------------------------------- load: arrays


def test_uint8_uint16_and_bool_arrays_are_scaled():
    np.testing.assert_array_equal(images.load(np.array([[0, 51, 255]], np.uint8))[0, :, 0], np.float32([0, 0.2, 1]))
    np.testing.assert_allclose(images.load(np.array([[0, 32768, 65535]], np.uint16))[0, :, 0],
                               [0, 32768 / 65535, 1], atol=1e-7)
    np.testing.assert_array_equal(images.load(np.array([[True, False]]))[0, :, 2], [1, 0])


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_float_arrays_in_range_are_kept(dtype):
    values = np.random.default_rng(1).random((5, 6, 3)).astype(dtype)
    image = images.load(values)
    _assert_course_format(image, (5, 6, 3))
    np.testing.assert_allclose(image, values.astype(np.float32), atol=1e-7)


def test_float_rounding_noise_is_clipped():
    values = np.array([[[-1e-5, 0.5, 1 + 1e-5]]], np.float32)
    np.testing.assert_array_equal(images.load(values)[0, 0], [0, 0.5, 1])


def test_float_array_on_the_0_255_scale_is_refused_with_advice():
    message = _error(np.full((4, 4, 3), 255.0, np.float32), "255", "divide")
    assert "0 to 255" in message or "255 to 255" in message


def test_negative_float_array_is_refused():
    _error(np.full((4, 4, 3), -100.0), "-100", "[0, 1]")


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_and_inf_are_refused(bad):
    values = np.zeros((3, 3, 3), np.float32)
    values[1, 1, 1] = bad
    _error(values, "NaN")


@pytest.mark.parametrize(
    ("shape", "expected"),
    [((4, 5), (4, 5, 3)), ((4, 5, 1), (4, 5, 3)), ((4, 5, 3), (4, 5, 3)), ((4, 5, 4), (4, 5, 3)),
     ((1, 4, 5, 3), (4, 5, 3)), ((1, 4, 5, 1), (4, 5, 3))],
)
def test_accepted_array_shapes(shape, expected):
    image = images.load(np.full(shape, 0.25, np.float32))
    _assert_course_format(image, expected)


def test_rgba_array_is_composited_over_white():
    rgba = np.array([[[1, 0, 0, 1], [0, 0, 0, 0], [0, 0, 0, 0.5]]], np.float32)
    np.testing.assert_allclose(images.load(rgba)[0], [[1, 0, 0], [1, 1, 1], [0.5, 0.5, 0.5]])


@pytest.mark.parametrize(
    "shape", [(5,), (2, 4, 5, 3), (1, 1, 4, 5, 3), (4, 5, 2), (4, 5, 5), (0, 5, 3), (4, 0), ()]
)
def test_wrong_array_shape(shape):
    message = _error(np.zeros(shape, np.float32), "shape", str(shape), "(H, W, 3)")
    assert "float32" in message


@pytest.mark.parametrize(
    "array",
    [np.zeros((4, 4, 3), np.complex64), np.zeros((4, 4, 3), object), np.full((4, 4, 3), "a"),
     np.zeros((4, 4, 3), np.int64)],
    ids=["complex", "object", "string", "int64"],
)
def test_wrong_array_dtype(array):
    _error(array, "dtype", str(array.dtype))


def test_int_array_gets_a_hint():
    _error(np.full((2, 2, 3), 200), "astype(np.uint8)")


def test_tensor_and_array_like_inputs():
    from course_utils._tf import tf

    values = np.random.default_rng(2).random((1, 3, 4, 3)).astype(np.float32)

    class ArrayLike:
        def __array__(self, dtype=None, copy=None):
            return values

    class HasNumpy:
        def numpy(self):
            return values

    for source in (tf.constant(values), tf.Variable(values), ArrayLike(), HasNumpy()):
        image = images.load(source)
        _assert_course_format(image, (3, 4, 3))
        np.testing.assert_array_equal(image, values[0])


def test_result_is_a_new_contiguous_array():
    values = np.random.default_rng(3).random((6, 4, 3)).astype(np.float32)
    flipped = values[:, ::-1]
    image = images.load(flipped)
    assert image.flags["C_CONTIGUOUS"]
    np.testing.assert_array_equal(image, flipped)
    image[...] = 0
    assert values.max() > 0  # the caller's array is untouched
    assert not np.shares_memory(images.load(values), values)


# ---------------------------------------------------------------------------- save


def test_save_and_load_round_trip_png(tmp_path):
    image = images.load(_rgb(5, 7))
    path = images.save(image, tmp_path / "deep" / "folder" / "out.png")
    assert path == tmp_path / "deep" / "folder" / "out.png"
    np.testing.assert_array_equal(images.load(path), image)


def test_save_jpeg_tensor_and_batch(tmp_path):
    from course_utils._tf import tf

    image = np.full((8, 8, 3), 0.5, np.float32)
    images.save(tf.constant(image[np.newaxis]), tmp_path / "out.jpg")
    with Image.open(tmp_path / "out.jpg") as saved:
        assert saved.format == "JPEG" and saved.size == (8, 8)
    np.testing.assert_allclose(images.load(tmp_path / "out.jpg"), image, atol=0.02)


def test_save_clips_a_small_overshoot(tmp_path):
    image = np.array([[[-0.1, 0.5, 1.2]]], np.float32)
    images.save(image, tmp_path / "o.png")
    np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / "o.png"))[0, 0], [0, 128, 255])


def test_save_accepts_uint8_and_gray(tmp_path):
    images.save(np.array([[0, 255]], np.uint8), tmp_path / "g.png")
    np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / "g.png"))[0], [[0] * 3, [255] * 3])


@pytest.mark.parametrize("name", ["picture.xyz", "picture", "picture.psd"])
def test_save_rejects_unknown_extensions(tmp_path, name):
    with pytest.raises(ImageError, match=r"\.png") as info:
        images.save(np.zeros((2, 2, 3), np.float32), tmp_path / name)
    assert name in str(info.value)
    assert not (tmp_path / name).exists()


@pytest.mark.parametrize(
    ("image", "word"),
    [(np.full((4, 4, 3), 255.0), "divide"), (np.zeros((2, 4, 4, 3)), "shape"),
     (np.zeros((4, 4, 3), complex), "dtype"), (np.full((4, 4, 3), np.nan), "NaN"), (None, "dtype")],
)
def test_save_rejects_bad_images_and_names_the_file(tmp_path, image, word):
    with pytest.raises(ImageError) as info:
        images.save(image, tmp_path / "result.png")
    assert "result.png" in str(info.value) and word in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_save_into_a_folder_path(tmp_path):
    (tmp_path / "out.png").mkdir()
    with pytest.raises(ImageError, match="folder") as info:
        images.save(np.zeros((2, 2, 3)), tmp_path / "out.png")
    assert "out.png" in str(info.value)


def test_save_rejects_a_non_path():
    with pytest.raises(ImageError, match="file path"):
        images.save(np.zeros((2, 2, 3)), 42)


def test_failing_save_leaves_the_old_file_and_no_temporary_files(tmp_path, monkeypatch):
    path = tmp_path / "result.png"
    images.save(np.zeros((4, 4, 3), np.float32), path)
    before = path.read_bytes()

    def broken_save(self, fp, format=None, **params):  # noqa: A002 - Pillow's own parameter name
        Path(fp).write_bytes(b"\x89PNG half of a picture")
        raise OSError("No space left on device")

    monkeypatch.setattr(Image.Image, "save", broken_save)
    with pytest.raises(ImageError, match="No space left") as info:
        images.save(np.ones((4, 4, 3), np.float32), path)
    assert "result.png" in str(info.value)
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["result.png"]


def test_save_with_bad_input_leaves_the_old_file(tmp_path):
    path = images.save(np.zeros((4, 4, 3), np.float32), tmp_path / "keep.png")
    before = path.read_bytes()
    with pytest.raises(ImageError):
        images.save(np.zeros((4, 4, 7)), path)
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["keep.png"]


# ----------------------------------------------------------------------------- VGG


def test_vgg_mean_constant():
    assert images.VGG_MEAN_BGR == pytest.approx((103.939, 116.779, 123.68))


def test_vgg_preprocess_of_one_pixel():
    out = images.vgg_preprocess(np.array([[[1.0, 0.5, 0.0]]]))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out[0, 0], [0 - 103.939, 127.5 - 116.779, 255 - 123.68], atol=1e-4)


def test_vgg_preprocess_matches_keras_caffe_mode():
    from course_utils._tf import keras, tf

    x = np.random.default_rng(4).random((2, 5, 6, 3)).astype(np.float32)
    expected = keras.applications.vgg19.preprocess_input(x.copy() * 255.0)
    ours = images.vgg_preprocess(x)
    assert isinstance(ours, np.ndarray) and ours.dtype == np.float32
    np.testing.assert_allclose(ours, expected, atol=1e-4)
    ours_tf = images.vgg_preprocess(tf.constant(x))
    assert tf.is_tensor(ours_tf) and ours_tf.dtype == tf.float32
    np.testing.assert_allclose(ours_tf.numpy(), expected, atol=1e-4)


def test_vgg_round_trip_numpy_and_tf():
    from course_utils._tf import tf

    x = np.random.default_rng(5).random((3, 4, 3))
    back = images.vgg_deprocess(images.vgg_preprocess(x))
    assert isinstance(back, np.ndarray) and back.dtype == np.float32
    np.testing.assert_allclose(back, x, atol=1e-5)
    back_tf = images.vgg_deprocess(images.vgg_preprocess(tf.constant(x, tf.float32)))
    assert tf.is_tensor(back_tf)
    np.testing.assert_allclose(back_tf.numpy(), x, atol=1e-5)


def test_vgg_deprocess_clips_only_when_asked():
    from course_utils._tf import tf

    pre = images.vgg_preprocess(np.array([[[1.0, 0.0, 0.5]]], np.float32))
    pre = pre + np.array([0.0, -50.0, 50.0], np.float32)  # BGR: push G below 0 and R above 1
    raw = images.vgg_deprocess(pre)
    assert raw.max() > 1.0 and raw.min() < 0.0
    for clipped in (images.vgg_deprocess(pre, clip=True), images.vgg_deprocess(tf.constant(pre), clip=True).numpy()):
        assert clipped.min() == 0.0 and clipped.max() == 1.0


def test_vgg_functions_work_in_tf_function_with_gradients():
    from course_utils._tf import tf

    x = tf.Variable(np.random.default_rng(6).random((1, 4, 5, 3)), dtype=tf.float32)
    weights = tf.constant(np.random.default_rng(7).random((1, 4, 5, 3)), dtype=tf.float32)

    @tf.function
    def loss_and_grad(v):
        with tf.GradientTape() as tape:
            y = images.vgg_deprocess(images.vgg_preprocess(v))
            loss = tf.reduce_sum(y * weights)
        return loss, tape.gradient(loss, v), images.vgg_preprocess(v)

    loss, grad, pre = loss_and_grad(x)
    assert grad is not None
    np.testing.assert_allclose(grad.numpy(), weights.numpy(), atol=1e-5)
    np.testing.assert_allclose(pre.numpy(), images.vgg_preprocess(x.numpy()), atol=1e-4)

    with tf.GradientTape() as tape:  # eager too, on the variable itself
        total = tf.reduce_sum(images.vgg_preprocess(x))
    np.testing.assert_allclose(tape.gradient(total, x).numpy(), 255.0)


@pytest.mark.parametrize("shape", [(4, 4, 4), (4, 4), (3,) * 0])
def test_vgg_functions_need_three_channels(shape):
    from course_utils._tf import tf

    x = np.zeros(shape, np.float32)
    for function in (images.vgg_preprocess, images.vgg_deprocess):
        for value in (x, tf.constant(x)):
            with pytest.raises(ImageError, match=r"\(\.\.\., 3\)"):
                function(value)


# ------------------------------------------------------------------------ batches


def test_to_batch_and_from_batch():
    from course_utils._tf import tf

    image = np.random.default_rng(8).random((5, 6, 3)).astype(np.float32)
    batch = images.to_batch(image)
    assert tf.is_tensor(batch) and batch.dtype == tf.float32 and batch.shape == (1, 5, 6, 3)
    assert images.to_batch(batch).shape == (1, 5, 6, 3)
    assert images.to_batch(image.astype(np.float64)).dtype == tf.float32
    back = images.from_batch(batch)
    assert isinstance(back, np.ndarray) and back.dtype == np.float32 and back.flags["C_CONTIGUOUS"]
    np.testing.assert_array_equal(back, image)
    np.testing.assert_array_equal(images.from_batch(tf.Variable(batch)), image)
    np.testing.assert_array_equal(images.from_batch(image), image)
    assert not np.shares_memory(images.from_batch(image), image)


@pytest.mark.parametrize("shape", [(2, 5, 6, 3), (5, 6), (5, 6, 4), (1, 1, 5, 6, 3)])
def test_batches_validate_their_shape(shape):
    x = np.zeros(shape, np.float32)
    for function in (images.to_batch, images.from_batch):
        with pytest.raises(ImageError, match="shape") as info:
            function(x)
        assert str(shape) in str(info.value)


def test_to_batch_refuses_integers():
    with pytest.raises(ImageError, match="images.load"):
        images.to_batch(np.zeros((4, 4, 3), np.uint8))


def test_pad_to_multiple_mirrors_around_the_picture_and_says_where_it_is():
    picture = np.arange(5 * 7 * 3, dtype=np.float32).reshape(5, 7, 3)
    padded, (top, left, height, width) = images.pad_to_multiple(picture, 4)
    assert padded.shape == (8, 8, 3) and (top, left, height, width) == (1, 0, 5, 7)
    np.testing.assert_array_equal(padded[top: top + height, left: left + width], picture)
    np.testing.assert_array_equal(padded[0, :7], picture[1])    # mirrored, the edge row not repeated
    np.testing.assert_array_equal(padded[:, 7], padded[:, 5])
    same, window = images.pad_to_multiple(picture[:4, :4], 4)
    assert same.shape == (4, 4, 3) and window == (0, 0, 4, 4)
