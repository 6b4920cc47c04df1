"""Tests for course_utils.art: the course's own procedural style images."""

from __future__ import annotations

import itertools
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from scipy import ndimage

from course_utils import art
from course_utils.errors import ImageError, SettingError

NAMES = ["swirl", "mosaic", "composition", "pointillism"]
STYLE_DIR = Path(__file__).resolve().parents[1] / "data" / "styles"
SMALL = 64


@pytest.fixture(scope="module")
def small():
    """Every style at 64 x 64, seed 0, painted once for the whole module."""
    return {name: art.make(name, SMALL, seed=0) for name in NAMES}


def high_frequency(image: np.ndarray) -> float:
    """Mean absolute difference between an image and a slightly blurred copy of it."""
    return float(np.abs(image - ndimage.gaussian_filter(image, (1, 1, 0))).mean())


def test_styles_are_the_four_named_ones_in_order():
    assert list(art.STYLES) == NAMES
    assert all(callable(f) for f in art.STYLES.values())


@pytest.mark.parametrize("name", NAMES)
def test_shape_dtype_range(small, name):
    image = small[name]
    assert image.shape == (SMALL, SMALL, 3)
    assert image.dtype == np.float32
    assert image.flags["C_CONTIGUOUS"]
    assert np.all(np.isfinite(image))
    assert image.min() >= 0.0 and image.max() <= 1.0


@pytest.mark.parametrize("name", NAMES)
def test_other_sizes(name):
    image = art.make(name, size=art.MIN_SIZE, seed=3)
    assert image.shape == (art.MIN_SIZE, art.MIN_SIZE, 3)
    image = art.make(name, size=np.int64(80))
    assert image.shape == (80, 80, 3)


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_same_image(small, name):
    again = art.make(name, SMALL, seed=0)
    np.testing.assert_array_equal(again, small[name])


@pytest.mark.parametrize("name", NAMES)
def test_style_functions_use_the_generator_they_are_given(name):
    a = art.STYLES[name](np.random.default_rng(5), SMALL)
    b = art.STYLES[name](np.random.default_rng(5), SMALL)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", NAMES)
def test_different_seed_different_image(small, name):
    other = art.make(name, SMALL, seed=1)
    assert float(np.abs(other - small[name]).mean()) > 0.05


@pytest.mark.parametrize("name", NAMES)
def test_not_flat_and_textured(small, name):
    image = small[name]
    # colour varies in every channel ...
    assert image.reshape(-1, 3).std(axis=0).min() > 0.05
    # ... and there is fine detail (a smooth gradient or a blurred picture scores below 0.012)
    assert high_frequency(image) > 0.02
    # the detail test really does reject smooth images
    assert high_frequency(ndimage.gaussian_filter(image, (2, 2, 0))) < 0.02


def test_styles_differ_from_each_other(small):
    for a, b in itertools.combinations(NAMES, 2):
        diff = float(np.abs(small[a] - small[b]).mean())
        assert diff > 0.15, f"{a} and {b} look too alike (mean difference {diff:.3f})"


def test_mosaic_has_dark_lead_lines(small):
    # stained glass: a good share of dark grey pixels (the lead), but not so many that it hides the glass
    image = small["mosaic"]
    lead = (image.max(axis=-1) < 0.25) & (image.max(axis=-1) - image.min(axis=-1) < 0.06)
    assert 0.08 < lead.mean() < 0.4


def test_swirl_is_a_blue_and_yellow_night(small):
    mean = small["swirl"].reshape(-1, 3).mean(axis=0)
    assert mean[2] > mean[0], "the night sky should be mostly blue"
    yellow = (small["swirl"][..., 0] > 0.6) & (small["swirl"][..., 2] < small["swirl"][..., 0] - 0.1)
    assert yellow.mean() > 0.005, "the stars and moon should be yellow"


def test_unknown_name_lists_the_styles():
    with pytest.raises(ImageError) as info:
        art.make("cubism")
    message = str(info.value)
    assert "'cubism'" in message
    for name in NAMES:
        assert name in message
    assert message.count(".") == 1 and message.endswith("."), "one sentence"


@pytest.mark.parametrize("name", ["Swirl", "", None, 3])
def test_other_bad_names(name):
    with pytest.raises(ImageError, match="swirl, mosaic, composition, pointillism"):
        art.make(name)


@pytest.mark.parametrize("size", [31, 0, -64, 64.0, "64", None, True])
def test_bad_size_says_what_is_allowed(size):
    with pytest.raises(SettingError) as info:
        art.make("swirl", size=size)
    assert str(art.MIN_SIZE) in str(info.value)


def test_errors_are_value_errors_too():
    with pytest.raises(ValueError):
        art.make("nope")


def test_cli_writes_all_styles(tmp_path, capsys):
    art.main([str(tmp_path / "out"), "--size", str(SMALL)])
    printed = capsys.readouterr().out.strip().splitlines()
    assert len(printed) == len(NAMES)
    for name in NAMES:
        path = tmp_path / "out" / f"{name}.png"
        assert path.is_file()
        assert any(str(path) in line for line in printed)
        with Image.open(path) as im:
            assert im.format == "PNG"
            assert im.size == (SMALL, SMALL)
            assert im.mode == "RGB"
            pixels = np.asarray(im, dtype=np.float32) / 255
        assert float(np.abs(pixels - art.make(name, SMALL, seed=0)).max()) <= 0.5 / 255 + 1e-6


def test_cli_only_and_seed(tmp_path, capsys):
    art.main([str(tmp_path), "--size", str(SMALL), "--seed", "7", "--only", "mosaic", "pointillism"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mosaic.png", "pointillism.png"]
    assert len(capsys.readouterr().out.strip().splitlines()) == 2
    with Image.open(tmp_path / "mosaic.png") as im:
        pixels = np.asarray(im, dtype=np.float32) / 255
    assert float(np.abs(pixels - art.make("mosaic", SMALL, seed=7)).mean()) < 1 / 255


def test_cli_rejects_unknown_style(tmp_path, capsys):
    with pytest.raises(SystemExit) as info:
        art.main([str(tmp_path), "--only", "cubism"])
    assert info.value.code == 2
    assert "swirl" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


def test_cli_rejects_bad_size(tmp_path, capsys):
    with pytest.raises(SystemExit) as info:
        art.main([str(tmp_path), "--size", "8"])
    assert info.value.code == 2
    assert str(art.MIN_SIZE) in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


def test_runs_as_a_module_without_tensorflow(tmp_path):
    code = (
        "import sys, runpy; sys.argv = ['art', sys.argv[1], '--size', '32', '--only', 'composition'];"
        "runpy.run_module('course_utils.art', run_name='__main__');"
        "assert 'tensorflow' not in sys.modules, 'art must not import TensorFlow'"
    )
    result = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "composition.png").is_file()
    assert "composition.png" in result.stdout


@pytest.mark.parametrize("name", NAMES)
def test_committed_style_images_match_the_code(name):
    path = STYLE_DIR / f"{name}.png"
    assert path.is_file(), f"{path} is missing: run `make styles`"
    assert path.stat().st_size < 1_000_000
    with Image.open(path) as im:
        assert im.size == (512, 512)
        committed = np.asarray(im.convert("RGB"), dtype=np.float32) / 255
    fresh = art.make(name, 512, seed=0)
    diff = float(np.abs(committed - fresh).mean())
    assert diff < 2 / 255, f"data/styles/{name}.png no longer matches art.make({name!r}): run `make styles`"
