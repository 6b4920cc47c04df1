"""The command `python -m course_utils.stylize`: refusals (fast, no TensorFlow) and tiny end-to-end runs."""

import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from course_utils import data, images, stylize

TINY = ["--size", "32", "--steps", "2"]


def run(argv, capsys):
    """main(argv) -> (exit status, stdout, stderr)."""
    code = stylize.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_error_line(err):
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ") and "Traceback" not in err


# ------------------------------------------------------------------------- refusals


def test_an_existing_output_is_left_alone_without_force(tmp_path, capsys):
    target = tmp_path / "out.png"
    target.write_bytes(b"my old picture")
    code, out, err = run(["chelsea", "swirl", *TINY, "-o", target], capsys)
    assert code == 2 and out == ""
    assert_one_error_line(err)
    assert "--force" in err and "already exists" in err
    assert target.read_bytes() == b"my old picture"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.png"]  # no temporary files either


@pytest.mark.parametrize("argv, message", [
    (["missing.png", "swirl"], "neither an image file nor a picture"),
    (["chelsea", "not_a_style"], "neither an image file nor a picture"),
    (["chelsea", "notes.png"], "not an image file"),
    (["chelsea", "swirl", "--steps", "0"], "argument --steps"),
    (["chelsea", "swirl", "--size", "big"], "argument --size"),
    (["chelsea", "swirl", "--optimizer", "sgd"], "invalid choice"),
    (["chelsea", "swirl", "--preserve-colors", "yes"], "invalid choice"),
    (["chelsea", "swirl", "--init", "blank"], "invalid choice"),
    (["chelsea", "swirl", "--style-weight", "-1"], "argument --style-weight"),
    (["chelsea", "swirl", "--seed", "-3"], "argument --seed"),
    (["chelsea", "swirl", "--style-scale", "20"], "argument --style-scale: expected a number from 0.05 to 8"),
    (["chelsea", "swirl", "--style-scale", "0"], "argument --style-scale"),
    (["chelsea", "swirl", "--unknown-option"], "unrecognized arguments"),
    (["chelsea", "swirl", "mosaic", "--style-weights", "1"], "1 number(s) for 2 style image(s)"),
    (["chelsea", "swirl", "--style-weights", "0.5", "0.5"], "2 number(s) for 1 style image(s)"),
    (["chelsea", "swirl", "mosaic", "--style-weights", "0", "0"], "all 0"),
    (["chelsea", "swirl", "--size", "12"], "larger --size"),
    (["chelsea", "swirl", "--objective", "pretty"], "invalid choice"),
    (["chelsea", "swirl", "--save-every", "0"], "argument --save-every"),
])
def test_bad_arguments_and_images_give_exit_2_and_one_line(tmp_path, capsys, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.png").write_text("these are notes, not a picture\n")
    code, out, err = run([*argv, "-o", "out.png"], capsys)
    assert code == 2 and out == ""
    assert_one_error_line(err)
    assert message in err
    assert not (tmp_path / "out.png").exists()


@pytest.mark.parametrize("output, message", [
    ("out.xyz", "Pillow cannot write '.xyz' files"),
    ("out", "has no extension"),
    ("no_such_folder/out.png", "does not exist"),
    (".", "is a folder"),
])
def test_unusable_output_names(tmp_path, capsys, monkeypatch, output, message):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(["chelsea", "swirl", *TINY, "-o", output], capsys)
    assert code == 2 and out == ""
    assert_one_error_line(err)
    assert message in err
    assert list(tmp_path.iterdir()) == []


def test_help(capsys):
    code, out, err = run(["--help"], capsys)
    assert code == 0 and "--preserve-colors" in out and "--style-weights" in out and err == ""
    assert "--objective" in out and "--save-every" in out and "painterly" in out


def test_the_choices_and_defaults_are_transfers():
    from course_utils import transfer

    assert stylize.OPTIMIZERS == transfer.OPTIMIZERS and stylize.INITS == transfer.INITS
    assert stylize.PRESERVE_COLORS == transfer.PRESERVE_COLORS
    assert stylize.DEFAULT_WEIGHTS == {"content": transfer.CONTENT_WEIGHT, "style": transfer.STYLE_WEIGHT,
                                       "tv": transfer.TV_WEIGHT}
    assert set(stylize.OBJECTIVES) == set(transfer.OBJECTIVES)
    assert stylize.PAINTERLY_WEIGHTS == transfer.PAINTERLY_WEIGHTS
    assert stylize.DEFAULT_SIZE["painterly"] == transfer.PAINTERLY_SIZE
    assert stylize.DEFAULT_STEPS["painterly"] == transfer.PAINTERLY_STEPS
    assert stylize.COARSE_SHARE == transfer.PAINTERLY_COARSE_SHARE
    args = stylize.build_parser().parse_args(["a", "b", "-o", "c.png"])
    assert (args.objective, args.optimizer, args.init) == ("painterly", "lbfgs", "content")
    assert args.preserve_colors is None and args.style_weights is None and not args.force
    assert args.save_every is None
    assert (args.content_weight, args.style_weight, args.tv_weight) == (None, None, None)  # the objective's own


def test_the_default_paints_coarse_to_fine_at_512_px():
    args = stylize.build_parser().parse_args(["a", "b", "-o", "c.png"])
    stylize._fill_defaults(args)
    assert (args.size, args.steps) == (512, 150)
    assert stylize._plan(args) == ((256, 512), (100, 50))  # two thirds of the steps at half the size


def test_the_tutorials_objective_keeps_its_old_defaults():
    args = stylize.build_parser().parse_args(["a", "b", "--objective", "tutorial", "-o", "c.png"])
    stylize._fill_defaults(args)
    assert (args.size, args.steps) == (384, 100)
    assert stylize._plan(args) == ((384,), (100,))  # one size, as before


@pytest.mark.parametrize("options, plan", [
    (["--size", "300", "--steps", "30"], ((150, 300), (20, 10))),
    (["--size", "30", "--steps", "30"], ((30,), (30,))),  # half of 30 px is too small for VGG19's pools
    (["--size", "300", "--steps", "2"], ((300,), (2,))),  # too few steps to share
])
def test_given_sizes_and_steps_are_shared_between_the_stages(options, plan):
    args = stylize.build_parser().parse_args(["a", "b", *options, "-o", "c.png"])
    stylize._fill_defaults(args)
    assert stylize._plan(args) == plan


def test_a_wide_photo_too_narrow_at_half_size_is_painted_at_one_size():
    args = stylize.build_parser().parse_args(["a", "b", "--size", "64", "--steps", "30", "-o", "c.png"])
    assert stylize._plan(args, (43, 64)) == ((32, 64), (20, 10))  # 21 px high at 32 px: enough
    assert stylize._plan(args, (24, 64)) == ((64,), (30,))  # 12 px high at 32 px: too few for VGG19


def test_a_refusal_in_a_real_process_is_one_line(tmp_path):
    target = tmp_path / "out.png"
    target.write_bytes(b"old")
    done = subprocess.run([sys.executable, "-m", "course_utils.stylize", "chelsea", "swirl", "-o", str(target)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stdout == ""
    assert_one_error_line(done.stderr)
    assert target.read_bytes() == b"old"


# --------------------------------------------------------------------- real pictures


@pytest.mark.slow
def test_main_paints_and_saves(tmp_path, capsys, vgg):
    target = tmp_path / "cat.png"
    code, out, err = run(["chelsea", "swirl", *TINY, "-o", target], capsys)
    assert code == 0, err
    with Image.open(target) as im:
        assert (im.format, im.size) == ("PNG", (32, 21))  # chelsea is 451 x 300
    assert f"Saved {target}" in out and " s " in out
    assert "error" not in err


@pytest.mark.slow
def test_force_overwrites(tmp_path, capsys, vgg):
    target = tmp_path / "cat.jpg"
    target.write_bytes(b"old")
    code, out, err = run(["coffee", "mosaic", *TINY, "--optimizer", "adam", "--force", "--quiet", "-o", target],
                         capsys)
    assert code == 0, err
    assert out == "" and err == ""  # --quiet
    with Image.open(target) as im:
        assert (im.format, im.size) == ("JPEG", (32, 21))  # coffee is 600 x 400
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cat.jpg"]


@pytest.mark.slow
def test_several_styles_from_files_keeping_the_photos_colours(tmp_path, capsys, vgg):
    from skimage.color import rgb2yiq

    rng = np.random.default_rng(0)
    first, second = tmp_path / "dots.png", tmp_path / "stripes.png"
    images.save(rng.uniform(size=(40, 40, 3)).astype(np.float32), first)
    images.save(np.tile(np.linspace(0, 1, 40, dtype=np.float32)[:, None, None], (1, 40, 3)) ** 2, second)
    target = tmp_path / "out.png"
    code, out, err = run(["chelsea", first, second, *TINY, "--style-weights", "3", "1", "--init", "noise",
                          "--seed", "1", "--preserve-colors", "luminance", "-o", target], capsys)
    assert code == 0, err
    result = images.load(target)
    photo = data.content("chelsea", size=32)
    assert result.shape == photo.shape
    inside = np.all((result > 0.02) & (result < 0.98), axis=-1)  # not clipped
    assert inside.mean() > 0.5
    np.testing.assert_allclose(rgb2yiq(result)[inside][:, 1:], rgb2yiq(photo)[inside][:, 1:], atol=0.015)


@pytest.mark.slow
def test_gradient_descent_with_a_smaller_style(tmp_path, capsys, vgg):
    target = tmp_path / "out.png"
    code, out, err = run(["chelsea", "swirl", *TINY, "--optimizer", "gd", "--style-scale", "0.5", "-o", target],
                         capsys)
    assert code == 0, err
    assert "gd steps" in out and images.load(target).shape == (21, 32, 3)


def test_histogram_colours_and_style_init(tmp_path, capsys, vgg):
    target = tmp_path / "out.webp"
    code, out, err = run(["astronaut", "swirl", "pointillism", *TINY, "--preserve-colors", "histogram",
                          "--init", "style", "-o", target], capsys)
    assert code == 0, err
    assert images.load(target).shape == (32, 32, 3)


@pytest.mark.slow
def test_a_real_process(tmp_path):
    target = tmp_path / "cat.png"
    done = subprocess.run([sys.executable, "-m", "course_utils.stylize", "chelsea", "swirl", *TINY, "-o", str(target)],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Saved" in done.stdout and "Traceback" not in done.stderr
    with Image.open(target) as im:
        assert (im.format, im.size) == ("PNG", (32, 21))


def test_the_command_answers_in_chinese_when_asked(capsys, monkeypatch, tmp_path):
    """COURSE_LANG=zh_CN: --help (argparse's own words too) and a refusal are Chinese; English stays the default."""
    monkeypatch.setenv("COURSE_LANG", "zh_CN")
    code, out, err = run(["--help"], capsys)
    assert code == 0
    assert out.startswith("用法：") and "选项" in out and "位置参数" in out, out[:300]
    assert "显示本帮助信息并退出" in out and "照片：一个图像文件" in out and "usage:" not in out
    code, out, err = run(["chelsea", "swirl", "-o", str(tmp_path / "missing" / "out.png")], capsys)
    assert code == stylize.EXIT_USAGE
    assert err.startswith("错误：文件夹") and err.strip().endswith("。") and err.count("\n") == 1, err
    code, out, err = run(["chelsea"], capsys)
    assert code == stylize.EXIT_USAGE and "缺少以下必需的参数" in err and "--help" in err, err
    monkeypatch.delenv("COURSE_LANG")
    code, out, err = run(["--help"], capsys)
    assert out.startswith("usage:") and "show this help message and exit" in out
    import argparse
    assert argparse._("usage: ") == "usage: ", "argparse's own words are English again after the command"
