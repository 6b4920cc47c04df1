"""The command saves what it has: every N steps with --save-every, and the picture so far on Ctrl-C."""

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from PIL import Image

from course_utils import images, stylize

pytestmark = pytest.mark.slow

QUICK = ["--size", "64", "--steps", "6"]  # painterly: 4 steps at 32 px, then 2 at 64 px


def run(argv, capsys):
    code = stylize.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def saves(monkeypatch):
    """Every picture the command writes: (shape, the file's name), in order."""
    written = []
    real = images.save

    def save(image, path, *args, **kwargs):
        written.append((np.shape(image), path.name))
        return real(image, path, *args, **kwargs)

    monkeypatch.setattr(images, "save", save)
    return written


def test_save_every_writes_the_picture_so_far(tmp_path, capsys, saves, vgg):
    target = tmp_path / "cat.png"
    code, out, err = run(["chelsea", "swirl", *QUICK, "--save-every", "2", "-o", target], capsys)
    assert code == 0, err
    # steps 2 and 4 (step 2 still at 32 px, saved at the output's size), then the final picture; not step 6 twice
    assert saves == [((43, 64, 3), "cat.png")] * 3
    assert images.load(target).shape == (43, 64, 3)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cat.png"]  # no temporary files left
    assert "painterly objective, 4 lbfgs steps at 32 px then 2 at 64 px" in out


def test_without_save_every_only_the_final_picture_is_written(tmp_path, capsys, saves, vgg):
    code, out, err = run(["chelsea", "swirl", *QUICK, "--objective", "tutorial", "-o", tmp_path / "cat.png"], capsys)
    assert code == 0, err
    assert saves == [((43, 64, 3), "cat.png")]
    assert "tutorial objective, 6 lbfgs steps" in out


def test_an_interrupt_saves_the_picture_so_far(tmp_path, capsys, monkeypatch, vgg):
    def interrupt_at_step_3(self, step, image, parts):
        self.step, self.image = step, image
        if step == 3:
            raise KeyboardInterrupt  # as Ctrl-C does, from inside the optimiser's loop

    monkeypatch.setattr(stylize._Painting, "__call__", interrupt_at_step_3)
    target = tmp_path / "cat.png"
    code, out, err = run(["chelsea", "swirl", *QUICK, "-o", target], capsys)
    assert code == stylize.EXIT_INTERRUPTED == 130
    assert err.strip() == f"interrupted at step 3 of 6; saved the picture so far to {target}."
    assert images.load(target).shape == (43, 64, 3)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cat.png"]


def test_an_interrupt_before_the_first_step_saves_nothing(tmp_path, capsys, monkeypatch):
    from course_utils import models

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(models, "vgg19", interrupted)
    code, out, err = run(["chelsea", "swirl", *QUICK, "-o", tmp_path / "cat.png"], capsys)
    assert code == 130 and out == ""
    assert err.strip() == "error: interrupted before the first step; nothing was saved."
    assert list(tmp_path.iterdir()) == []


def test_the_saved_picture_keeps_the_photos_colours_when_asked(tmp_path, capsys, monkeypatch, vgg):
    from skimage.color import rgb2yiq

    from course_utils import data

    def interrupt_at_step_2(self, step, image, parts):
        self.step, self.image = step, image
        if step == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(stylize._Painting, "__call__", interrupt_at_step_2)
    target = tmp_path / "cat.png"
    code, out, err = run(["chelsea", "swirl", *QUICK, "--preserve-colors", "luminance", "-o", target], capsys)
    assert code == 130, err
    result, photo = images.load(target), data.content("chelsea", size=64)
    inside = np.all((result > 0.02) & (result < 0.98), axis=-1)
    assert inside.mean() > 0.5
    np.testing.assert_allclose(rgb2yiq(result)[inside][:, 1:], rgb2yiq(photo)[inside][:, 1:], atol=0.015)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process is a POSIX affair")
def test_ctrl_c_in_a_real_process_saves_the_picture(tmp_path):
    """A real SIGINT, sent once the command has saved a first picture (so it is surely painting)."""
    target = tmp_path / "cat.png"
    child = subprocess.Popen([sys.executable, "-m", "course_utils.stylize", "chelsea", "swirl", "--size", "48",
                              "--steps", "100000", "--save-every", "1", "-o", str(target)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
                             env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})
    try:
        waited = 0.0
        while not target.exists() and child.poll() is None and waited < 600:
            time.sleep(0.2)
            waited += 0.2
        assert target.exists(), child.communicate()[1] if child.poll() is not None else "no picture yet"
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=300)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 130, err
    assert "interrupted at step " in err and " of 100000; saved the picture so far to " in err
    assert "Traceback" not in err
    with Image.open(target) as im:
        assert (im.format, im.size) == ("PNG", (48, 32))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cat.png"]
