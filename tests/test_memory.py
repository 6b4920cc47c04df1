"""Sizes bounded by memory: the estimate, the memory free, and each caller's refusal before the big allocation."""

import re
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from course_utils import data, images, memory, stylize, transfer
from course_utils.errors import SettingError

SIZES = [16, 64, 256, 1024, 4096, 16384, 100_000]


# ------------------------------------------------------------------------- the estimate


@pytest.mark.parametrize("work", sorted(memory.WORKS))
def test_the_estimate_grows_with_the_size(work):
    needs = [memory.estimate(work, side * side) for side in SIZES]
    assert all(a < b for a, b in zip(needs, needs[1:])), needs
    # four times the pixels: close to four times the memory once the libraries no longer count
    big = memory.estimate(work, 4096 ** 2) - memory.estimate(work, 0)
    assert memory.estimate(work, 8192 ** 2) - memory.estimate(work, 0) == pytest.approx(4 * big)


def test_an_optimisation_step_needs_more_than_a_forward_pass():
    per_pixel = {name: work.bytes_per_pixel for name, work in memory.WORKS.items()}
    assert per_pixel["transfer"] > per_pixel["features"] > per_pixel["magenta"] > per_pixel["load"]
    assert per_pixel["transfer"] > per_pixel["feedforward"] and per_pixel["transfer"] > per_pixel["adain"]


@pytest.mark.parametrize("gigabytes", ["3", "20", "500"])
@pytest.mark.parametrize("aspect", [1.0, 0.5])
def test_the_largest_side_fits_and_a_larger_one_does_not(monkeypatch, gigabytes, aspect):
    monkeypatch.setenv(memory.ENV, gigabytes)
    free = memory.available()
    assert free == float(gigabytes) * 1e9
    for work in memory.WORKS:
        side = memory.largest_side(work, free, aspect)
        assert side >= 16
        height, width = side, max(1, round(side * aspect))
        memory.check(work, height, width, subject="this", fix="size={}")  # fits: no error
        allows = re.escape(f"{memory.ENV} allows {memory._amount(free)}: size=")
        with pytest.raises(SettingError, match=rf"needs about .* {allows}\d+\.$"):
            memory.check(work, 2 * height, 2 * width, subject="this", fix="size={}")


def test_a_refusal_is_one_sentence_with_the_largest_size(monkeypatch):
    monkeypatch.setenv(memory.ENV, "12")
    with pytest.raises(SettingError) as err:
        memory.check_size(100_000, "transfer")
    message = str(err.value)
    assert message.startswith("size=100000 needs about 41,000 GB for style transfer")
    side = int(message.split("use size=")[1].split(" or less.")[0])
    assert 1000 < side < 2000  # about sqrt(12e9 / 4100), less what TensorFlow itself needs
    assert "\n" not in message and message.count(". ") == 0


def test_too_little_memory_for_anything_says_so(monkeypatch):
    monkeypatch.setenv(memory.ENV, "0.001")
    # as in a fresh process that has not loaded TensorFlow yet: the libraries alone do not fit in 1 MB
    # (later in a test run this process holds them already, and a tiny picture would fit)
    monkeypatch.setattr(memory, "_resident", lambda: 0.0)
    with pytest.raises(SettingError, match="not enough for any picture: close other programs"):
        memory.check_size(64, "transfer")


@pytest.mark.parametrize("value", ["lots", "0", "-2", "nan", "inf"])
def test_a_bad_memory_setting_is_a_setting_error(monkeypatch, value):
    monkeypatch.setenv(memory.ENV, value)
    with pytest.raises(SettingError, match=rf"{memory.ENV} must be a number of gigabytes > 0"):
        memory.available()


def test_unknown_work_is_a_setting_error():
    with pytest.raises(SettingError, match="work must be one of 'load'"):
        memory.estimate("painting", 100)


# ------------------------------------------------------------------------- the memory free


def test_this_machine_reports_its_memory(monkeypatch):
    monkeypatch.delenv(memory.ENV, raising=False)
    free = memory.available()
    if sys.platform.startswith("linux"):
        assert free is not None and free > 0


def test_meminfo_is_read(tmp_path):
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal:       16000000 kB\nMemFree:         1000000 kB\nMemAvailable:    5000000 kB\n")
    assert memory._system_free(meminfo) == 5000000 * 1024


def _cgroup_files(folder, files):
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text)


def test_a_cgroup_v2_limit_counts(tmp_path):
    membership = tmp_path / "cgroup"
    membership.write_text("0::/user/session\n")
    _cgroup_files(tmp_path / "fs" / "user" / "session", {"memory.max": "4000000000\n", "memory.current": "1500000000\n",
                                                        "memory.stat": "anon 1000000000\ninactive_file 500000000\n"})
    assert memory._cgroup_free(tmp_path / "fs", membership) == 3_000_000_000


def test_a_cgroup_v1_limit_counts_and_no_limit_is_none(tmp_path):
    membership = tmp_path / "cgroup"
    membership.write_text("4:memory:/docker/abc\n3:cpu:/docker/abc\n")
    _cgroup_files(tmp_path / "fs" / "memory", {"memory.limit_in_bytes": "9223372036854771712\n",
                                               "memory.usage_in_bytes": "2000000000\n"})
    assert memory._cgroup_free(tmp_path / "fs", membership) is None  # the root: no limit
    _cgroup_files(tmp_path / "fs" / "memory" / "docker" / "abc", {"memory.limit_in_bytes": "2000000000\n",
                                                                  "memory.usage_in_bytes": "1200000000\n",
                                                                  "memory.stat": "total_inactive_file 100000000\n"})
    assert memory._cgroup_free(tmp_path / "fs", membership) == 900_000_000
    (tmp_path / "fs" / "memory.max").write_text("max\n")  # a v2 root without a limit changes nothing
    (tmp_path / "fs" / "memory.current").write_text("123\n")
    assert memory._cgroup_free(tmp_path / "fs", membership) == 900_000_000


# ------------------------------------------------------------------------- images.load


@pytest.fixture
def small_png(tmp_path):
    path = tmp_path / "small.png"
    Image.fromarray(np.full((30, 40, 3), 128, np.uint8)).save(path)
    return path


def test_load_refuses_a_size_too_big_before_decoding(small_png, monkeypatch):
    monkeypatch.setenv(memory.ENV, "0.5")
    decoded = []
    monkeypatch.setattr(images, "_decode", lambda im, name: decoded.append(name))
    with pytest.raises(SettingError) as err:
        images.load(small_png, size=20_000)
    message = str(err.value)
    assert "small.png' at size=20000 (20000 x 15000 pixels) needs about 6.0 GB for loading the picture" in message
    assert f"{memory.ENV} allows 0.5 GB: use size=" in message and message.endswith(" or less.")
    assert decoded == [], "the file was decoded before the size was refused"


def test_load_refuses_an_array_too_big_before_resizing(monkeypatch):
    monkeypatch.setenv(memory.ENV, "0.5")
    resized = []
    monkeypatch.setattr(images, "_resize_array", lambda image, size: resized.append(size))
    with pytest.raises(SettingError, match="the array at size=20000 .* for resizing the picture"):
        images.load(np.zeros((30, 40, 3), np.float32), size=20_000)
    assert resized == []


def test_the_largest_size_a_refusal_names_loads(small_png, monkeypatch):
    monkeypatch.setenv(memory.ENV, "0.5")
    with pytest.raises(SettingError) as err:
        images.load(small_png, size=20_000)
    largest = int(str(err.value).split("use size=")[1].split(" ")[0])
    assert images.load(small_png, size=largest).shape[1] == largest


def test_normal_sizes_still_load_with_little_memory(small_png, monkeypatch):
    monkeypatch.setenv(memory.ENV, "0.5")
    assert images.load(small_png, size=512).shape == (384, 512, 3)
    assert images.load(np.zeros((30, 40, 3), np.float32), size=512).shape == (384, 512, 3)


# ------------------------------------------------------------------------- transfer and the networks


def test_stylize_refuses_a_photo_too_big_before_building_anything(monkeypatch):
    monkeypatch.setenv(memory.ENV, "3")
    monkeypatch.setattr(transfer, "Objective", lambda *a, **k: pytest.fail("the objective was built"))
    photo = np.zeros((1500, 2000, 3), np.float32)
    with pytest.raises(SettingError) as err:
        transfer.stylize(photo, photo[:64, :64], steps=2)
    message = str(err.value)
    assert re.match(r"A 2000 x 1500 photo needs about 1[23] GB for style transfer", message), message
    side = int(message.split("load the photo with size=")[1].split(" ")[0])
    assert message.endswith(f"like images.load(photo, size={side}).") and "\n" not in message


def test_stylize_refuses_a_style_scaled_too_big(monkeypatch):
    monkeypatch.setenv(memory.ENV, "3")
    monkeypatch.setattr(transfer, "Objective", lambda *a, **k: pytest.fail("the objective was built"))
    photo = np.zeros((500, 500, 3), np.float32)
    with pytest.raises(SettingError) as err:
        transfer.stylize(photo, photo, steps=2, style_scale=8)
    message = str(err.value)
    assert re.match(r"A 4000 x 4000 style image needs about 2\d GB for VGG19's features", message), message
    scale = float(message.split("use style_scale=")[1].split(" or less.")[0])
    assert 1 < scale < 8  # about sqrt(3e9 / 1450) / 500


def test_coarse_to_fine_refuses_before_its_first_stage(monkeypatch):
    monkeypatch.setenv(memory.ENV, "3")
    monkeypatch.setattr(transfer, "stylize", lambda *a, **k: pytest.fail("a stage ran"))
    photo = np.zeros((300, 400, 3), np.float32)
    with pytest.raises(SettingError, match=r"The last of sizes, 4000 \(4000 x 3000 pixels\), needs .*: make the last"):
        transfer.coarse_to_fine(photo, photo, sizes=(128, 4000), steps=2)


def test_the_loop_itself_refuses_a_picture_too_big(monkeypatch):
    """Content reconstructions and texture synthesis (course_utils.reconstruct) call optimize directly."""
    class Untouchable:
        def value_and_grad(self, batch):
            pytest.fail("the loop started")

    monkeypatch.setenv(memory.ENV, "3")
    with pytest.raises(SettingError, match=r"A 2000 x 1500 picture needs about .*: make it with size=\d+ or less\.$"):
        transfer.optimize(Untouchable(), np.zeros((1500, 2000, 3), np.float32), steps=2, progress=False)


def test_the_feed_forward_network_refuses_a_picture_too_big(monkeypatch):
    from course_utils.fast import feedforward
    net = feedforward.transform_net(filters=(4, 4, 4), residual_blocks=1)
    monkeypatch.setenv(memory.ENV, "3")
    with pytest.raises(SettingError, match=r"A 2000 x 1500 picture needs about .* for the feed-forward network"):
        feedforward.stylize(net, np.zeros((1500, 2000, 3), np.float32))
    assert feedforward.stylize(net, np.zeros((30, 40, 3), np.float32)).shape == (30, 40, 3)


def test_magenta_refuses_a_photo_too_big(monkeypatch):
    from course_utils.fast import magenta
    monkeypatch.setenv(memory.ENV, "0.5")
    with pytest.raises(SettingError, match=r"A 6000 x 4000 photo needs about .* for Magenta's network"):
        magenta.stylize(np.zeros((4000, 6000, 3), np.float32), np.zeros((32, 32, 3), np.float32))


@pytest.mark.slow
def test_adain_refuses_a_photo_too_big(monkeypatch, vgg):
    from course_utils.fast import adain
    model = adain.AdaINModel(base=vgg)
    monkeypatch.setenv(memory.ENV, "3")
    with pytest.raises(SettingError, match=r"A 2000 x 1500 photo needs about .* for AdaIN's encoder and decoder"):
        model.stylize(np.zeros((1500, 2000, 3), np.float32), np.zeros((64, 64, 3), np.float32))


@pytest.mark.slow
def test_normal_sizes_still_paint_with_little_memory(monkeypatch, vgg):
    monkeypatch.setenv(memory.ENV, "3")
    photo, style = data.content("chelsea", size=48), data.style("swirl", size=48)
    result = transfer.stylize(photo, style, steps=2, progress=False)
    assert result.image.shape == photo.shape


# ------------------------------------------------------------------------- the command line


def test_the_command_refuses_a_huge_size_before_loading_a_picture(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(data, "load_any", lambda *a, **k: pytest.fail("a picture was loaded"))
    code = stylize.main(["chelsea", "swirl", "-o", str(tmp_path / "out.png"), "--size", "100000"])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.startswith("error: --size 100000 needs about 41,000 GB for style transfer") and err.count("\n") == 1
    assert "free: use --size " in err and err.endswith(" or less.\n")


def test_the_real_command_with_a_huge_size_exits_2_with_one_line(tmp_path):
    done = subprocess.run([sys.executable, "-m", "course_utils.stylize", "photo.jpg", "starry_night.jpg",
                           "-o", "out.png", "--size", "100000"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 2 and done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert lines[0].startswith("error: --size 100000 needs about ") and " or less." in lines[0]
    assert list(tmp_path.iterdir()) == []
