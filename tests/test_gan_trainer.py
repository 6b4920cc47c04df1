"""The GAN trainer of notebook 06: exact resuming, safe interruptions, atomic checkpoints, frames and GIFs."""

import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from course_utils._tf import keras
from course_utils import checkpoints, data, grids
from course_utils.checkpoints import GAN_FORMAT, CheckpointError
from course_utils.gan import GAN, dcgan
from course_utils.gan.trainer import GANTrainer

SIZE, LATENT, WIDTH, BATCH = 16, 16, 8, 32  # 8 steps per epoch on 256 digits: fractions of a second


def one_sentence(message: str) -> str:
    assert "\n" not in message and message.rstrip().endswith("."), message
    assert not re.search(r"\.\s+[A-Z]", message), f"more than one sentence: {message}"
    return message


@pytest.fixture(scope="module")
def digits():
    return data.digits(SIZE, limit=256, value_range=(-1, 1))


def make_gan(conditional=False, seed=0, width=WIDTH, init=None):
    """A tiny DCGAN with the GAN seed ``seed``; its initial weights come from ``init`` (default: ``seed``)."""
    keras.utils.set_random_seed(seed if init is None else init)
    n_classes = 10 if conditional else None
    gan = GAN(dcgan.generator(SIZE, latent_dim=LATENT, width=width, n_classes=n_classes),
              dcgan.discriminator(SIZE, width=width, n_classes=n_classes),
              conditional=conditional, seed=seed)
    gan.compile()
    return gan


def weights(gan):
    return [v.numpy() for v in gan.generator.variables + gan.discriminator.variables
            + gan.g_optimizer.variables + gan.d_optimizer.variables] + [gan.steps.numpy()]


def assert_same_weights(a, b):
    wa, wb = weights(a), weights(b)
    assert len(wa) == len(wb)
    for x, y in zip(wa, wb):
        np.testing.assert_array_equal(x, y)


def without_time(history):
    return {k: v for k, v in history.items() if k not in ("seconds", "cpu_seconds")}


def stop_at(step):
    def on_step(run, logs):
        if logs["step"] == step:
            raise KeyboardInterrupt

    return on_step


# ------------------------------------------------------------------ resuming exactly


def test_interrupted_then_resumed_run_ends_with_the_same_weights(digits, tmp_path, capsys):
    images, _ = digits
    straight = GANTrainer(make_gan(), images, batch_size=BATCH, folder=tmp_path / "a", progress=False)
    straight.train(3)

    first = GANTrainer(make_gan(), images, batch_size=BATCH, folder=tmp_path / "b", progress=False)
    first.train(3, on_step=stop_at(13))  # in epoch 2
    assert "Stopped at step 13" in capsys.readouterr().out
    # as after a kernel restart: new networks (other initial weights), a new trainer, the same folder
    second = GANTrainer(make_gan(init=123), images, batch_size=BATCH, folder=tmp_path / "b",
                     progress=False)
    assert "Resumed from" in capsys.readouterr().out and second.epoch == 1 and second.step == 8
    second.train(3)

    assert second.epoch == straight.epoch == 3 and second.step == straight.step == 24
    assert_same_weights(straight.gan, second.gan)
    assert without_time(second.history) == without_time(straight.history)
    np.testing.assert_array_equal(second.grid(), straight.grid())
    assert second.frame_epochs == [0, 1, 2, 3] and len(second.frames) == 4


def test_an_interruption_loses_only_the_steps_since_the_checkpoint(digits, tmp_path, capsys):
    images, _ = digits
    run = GANTrainer(make_gan(), images, batch_size=BATCH, folder=tmp_path, progress=False)
    history = run.train(4, on_step=stop_at(21))  # epoch 3 of 8 steps each: 5 steps after the epoch-2 checkpoint
    out = capsys.readouterr().out.strip()
    assert out == (f"Stopped at step 21; the last checkpoint (epoch 2, step 16) is in {tmp_path / 'checkpoint.npz'}; "
                   "run the cell again to continue from there.")
    assert run.epoch == 2 and run.step == 16 and history["epoch"] == [0, 1, 2] and run.frame_epochs == [0, 1, 2]
    arrays, meta = checkpoints.read_checkpoint(tmp_path / "checkpoint.npz", format=GAN_FORMAT)
    assert meta["epoch"] == 2 and meta["step"] == 16
    for group, variables in (("generator", run.gan.generator.variables),
                             ("d_optimizer", run.gan.d_optimizer.variables)):
        for i, v in enumerate(variables):
            np.testing.assert_array_equal(v.numpy(), arrays[f"{group}/{i:04d}"])

    run.train(4)  # the same trainer, the same cell run again
    straight = GANTrainer(make_gan(), images, batch_size=BATCH, progress=False)  # no folder: in memory only
    straight.train(4)
    assert_same_weights(run.gan, straight.gan)
    assert without_time(run.history) == without_time(straight.history)


def test_an_interruption_without_a_folder_goes_back_to_the_last_epoch_in_memory(digits, capsys):
    images, _ = digits
    run = GANTrainer(make_gan(), images, batch_size=BATCH, progress=False)
    run.train(2, on_step=stop_at(11))
    assert capsys.readouterr().out.strip() == ("Stopped at step 11 and went back to the end of epoch 1 (step 8); "
                                               "run the cell again to continue from there.")
    assert run.epoch == 1 and run.step == 8


def test_the_batch_order_depends_only_on_seed_and_epoch(digits):
    images, _ = digits
    a = GANTrainer(make_gan(), images, batch_size=BATCH, progress=False)
    b = GANTrainer(make_gan(), images, batch_size=BATCH, progress=False)
    np.testing.assert_array_equal(a._order(5), b._order(5))
    assert not np.array_equal(a._order(5), a._order(6))
    assert sorted(a._order(3)) == list(range(len(images)))


def test_training_further_and_already_done(digits, tmp_path, capsys):
    images, _ = digits
    run = GANTrainer(make_gan(), images, batch_size=BATCH, folder=tmp_path, progress=False)
    run.train(1)
    run.train(1)
    assert "Already trained for 1 epochs" in capsys.readouterr().out
    again = GANTrainer(make_gan(), images, batch_size=BATCH, folder=tmp_path, progress=False)
    again.train(2)  # two in all: one more
    assert again.epoch == 2 and again.step == 16 and again.history["epoch"] == [0, 1, 2]
    fresh = GANTrainer(make_gan(), images, batch_size=BATCH, folder=tmp_path, resume=False, progress=False)
    assert fresh.epoch == 0 and fresh.step == 0


# ------------------------------------------------------------------ checkpoints on disk


def test_a_crash_while_writing_a_checkpoint_leaves_the_previous_one_intact(digits, tmp_path, monkeypatch, capsys):
    images, _ = digits
    run = GANTrainer(make_gan(), images, batch_size=BATCH, folder=tmp_path, progress=False)
    run.train(1)
    before = (tmp_path / "checkpoint.npz").read_bytes()
    real_savez = np.savez

    def disk_full(file, **arrays):  # half a file, then the disk is full
        real_savez(file, **dict(list(arrays.items())[:3]))
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(checkpoints.np, "savez", disk_full)
    with pytest.raises(CheckpointError) as err:
        run.train(2)
    message = one_sentence(str(err.value))
    assert "No space left on device" in message and "epoch 1" in message and "intact" in message
    assert (tmp_path / "checkpoint.npz").read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no half-written file left

    def interrupted(file, **arrays):  # Ctrl-C in the middle of writing
        real_savez(file, **dict(list(arrays.items())[:3]))
        raise KeyboardInterrupt

    monkeypatch.setattr(checkpoints.np, "savez", interrupted)
    fresh = GANTrainer(make_gan(), images, batch_size=BATCH, folder=tmp_path, progress=False)
    fresh.train(2)
    assert "the last checkpoint (epoch 1, step 8)" in capsys.readouterr().out
    assert (tmp_path / "checkpoint.npz").read_bytes() == before
    monkeypatch.undo()
    arrays, meta = checkpoints.read_checkpoint(tmp_path / "checkpoint.npz", format=GAN_FORMAT)
    assert meta["epoch"] == 1 and meta["step"] == 8 and len(arrays) > 10


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty"])
def test_a_damaged_checkpoint_gets_one_sentence(digits, tmp_path, damage):
    images, _ = digits
    GANTrainer(make_gan(), images, batch_size=BATCH, folder=tmp_path, progress=False).train(1)
    path = tmp_path / "checkpoint.npz"
    content = path.read_bytes()
    path.write_bytes({"truncate": content[: len(content) // 2], "garbage": b"not a checkpoint" * 100,
                      "empty": b""}[damage])
    with pytest.raises(CheckpointError) as err:
        GANTrainer(make_gan(), images, batch_size=BATCH, folder=tmp_path, progress=False)
    message = one_sentence(str(err.value))
    assert str(path) in message and "damaged or incomplete" in message and "resume=False" in message
    # starting afresh is the way out
    GANTrainer(make_gan(), images, batch_size=BATCH, folder=tmp_path, resume=False, progress=False).train(1)
    assert checkpoints.read_checkpoint(path, format=GAN_FORMAT)[1]["epoch"] == 1


def test_a_checkpoint_of_another_model_or_run_gets_one_sentence(digits, tmp_path):
    images, _ = digits
    GANTrainer(make_gan(), images, batch_size=BATCH, folder=tmp_path, progress=False).train(1)
    with pytest.raises(CheckpointError, match="different model") as err:
        GANTrainer(make_gan(width=16), images, batch_size=BATCH, folder=tmp_path, progress=False)
    one_sentence(str(err.value))
    with pytest.raises(CheckpointError, match="batch_size=32, and this one has batch_size=16") as err:
        GANTrainer(make_gan(), images, batch_size=16, folder=tmp_path, progress=False)
    one_sentence(str(err.value))
    foreign = tmp_path / "other.npz"
    np.savez(foreign, meta=np.array('{"format": "something else"}'))
    with pytest.raises(CheckpointError, match="not a checkpoint of course_utils.gan.trainer"):
        checkpoints.read_checkpoint(foreign, format=GAN_FORMAT)
    with pytest.raises(CheckpointError, match="There is no checkpoint file"):
        checkpoints.read_checkpoint(tmp_path / "missing.npz", format=GAN_FORMAT)


@pytest.mark.slow
def test_a_killed_training_process_resumes_from_its_last_checkpoint(tmp_path):
    """SIGKILL (no clean-up at all) after the process reported a checkpoint; a new process resumes from it."""
    script = tmp_path / "train.py"
    script.write_text(textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from test_gan_trainer import make_gan, BATCH, SIZE
        from course_utils import data
        from course_utils.gan import dcgan
        from course_utils.gan.trainer import GANTrainer
        images, _ = data.digits(SIZE, limit=256, value_range=(-1, 1))
        run = GANTrainer(make_gan(), images, batch_size=BATCH, folder=sys.argv[1], progress=False)
        def report(run):
            print("checkpoint", run.epoch, flush=True)
            time.sleep(0.2)
        run.train(6, on_epoch=report)
        print("done", flush=True)
    """))
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}

    def run(folder, **kwargs):
        return subprocess.Popen([sys.executable, str(script), str(folder)], stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True, env=env, **kwargs)

    child = run(tmp_path / "killed")
    deadline = time.monotonic() + 120
    for line in child.stdout:
        if line.strip() == "checkpoint 2" or time.monotonic() > deadline:
            break
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    killed_at = checkpoints.read_checkpoint(tmp_path / "killed" / "checkpoint.npz", format=GAN_FORMAT)[1]["epoch"]
    assert 2 <= killed_at < 6

    resumed = subprocess.run([sys.executable, str(script), str(tmp_path / "killed")], capture_output=True,
                             text=True, env=env, timeout=300)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    assert f"Resumed from {tmp_path / 'killed' / 'checkpoint.npz'}: epoch {killed_at}" in resumed.stdout
    straight = subprocess.run([sys.executable, str(script), str(tmp_path / "straight")], capture_output=True,
                              text=True, env=env, timeout=300)
    assert straight.returncode == 0, straight.stderr[-2000:]

    a, meta_a = checkpoints.read_checkpoint(tmp_path / "killed" / "checkpoint.npz", format=GAN_FORMAT)
    b, meta_b = checkpoints.read_checkpoint(tmp_path / "straight" / "checkpoint.npz", format=GAN_FORMAT)
    assert meta_a["epoch"] == meta_b["epoch"] == 6 and meta_a["step"] == meta_b["step"] == 48
    assert sorted(a) == sorted(b)
    for name in a:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)
    assert without_time(meta_a["history"]) == without_time(meta_b["history"])


# ------------------------------------------------------------------ pictures


def test_frames_are_saved_and_the_gif_is_a_real_animation(digits, tmp_path):
    import imageio.v3 as iio

    images, _ = digits
    run = GANTrainer(make_gan(), images, batch_size=BATCH, folder=tmp_path, samples=12, ncols=4, progress=False)
    run.train(3)
    assert run.frame_epochs == [0, 1, 2, 3]
    assert sorted(p.name for p in (tmp_path / "frames").iterdir()) == [f"epoch_{e:04d}.png" for e in range(4)]
    frame = run.frames[-1]
    # 3 rows of 4 digits, each 16 px enlarged to 32, with 1 px of grey around
    assert frame.dtype == np.uint8 and frame.shape == (1 + 3 * 33, 1 + 4 * 33, 3)
    np.testing.assert_array_equal(iio.imread(tmp_path / "frames" / "epoch_0003.png"), frame)
    gif = run.save_gif(fps=4)
    assert gif == tmp_path / "progress.gif"
    movie = iio.imread(gif, index=None)
    assert movie.shape[0] == 4 and movie.shape[1:3] == frame.shape[:2]
    assert not np.array_equal(movie[0], movie[-1])  # the samples changed
    with pytest.raises(ValueError, match="must end in .gif"):
        run.save_gif(tmp_path / "progress.png")
    fig = run.figure()  # what preview=True shows: the last frame and both losses
    assert len(fig.axes) == 2 and fig.axes[0].get_title() == "fixed noise after epoch 3"
    assert [line.get_label() for line in fig.axes[1].lines] == ["discriminator", "generator"]


def test_sample_every_keeps_fewer_frames_but_always_the_last(digits):
    images, _ = digits
    run = GANTrainer(make_gan(), images, batch_size=BATCH, sample_every=2, progress=False)
    run.train(3)
    assert run.frame_epochs == [0, 2, 3]


def test_metrics_are_recorded_and_series_skips_the_gaps(digits):
    images, _ = digits
    seen = []

    def metric(gan):
        seen.append(int(gan.steps.numpy()))
        return {"score": float(len(seen))}

    run = GANTrainer(make_gan(), images, batch_size=BATCH, metrics=metric, metrics_every=2, progress=False)
    run.train(3)
    assert seen == [0, 16, 24]  # the start, epoch 2, the last epoch
    assert run.history["score"] == [1.0, None, 2.0, 3.0]
    assert run.series("score") == ([0, 2, 3], [1.0, 2.0, 3.0])
    assert run.series("d_loss")[0] == [1, 2, 3]
    with pytest.raises(ValueError, match="the history has no 'fid'"):
        run.series("fid")


def test_a_conditional_gan_gets_one_row_per_class(digits, tmp_path):
    images, labels = digits
    gan = make_gan(conditional=True)
    run = GANTrainer(gan, images, labels, batch_size=BATCH, folder=tmp_path, ncols=3, progress=False)
    assert run.sample_labels.tolist() == [c for c in range(10) for _ in range(3)]
    np.testing.assert_array_equal(run.sample_noise[:3], run.sample_noise[3:6])  # the same noise in every row
    run.train(2, on_step=stop_at(12))
    again = GANTrainer(make_gan(conditional=True), images, labels, batch_size=BATCH, folder=tmp_path, ncols=3,
                    progress=False)
    again.train(2)
    straight = GANTrainer(make_gan(conditional=True), images, labels, batch_size=BATCH, ncols=3, progress=False)
    straight.train(2)
    assert_same_weights(again.gan, straight.gan)
    assert run.frames[-1].shape == (1 + 10 * 33, 1 + 3 * 33, 3)
    with pytest.raises(ValueError, match="this GAN is conditional"):
        GANTrainer(make_gan(conditional=True), images)


def test_bad_arguments_get_one_sentence(digits, tmp_path):
    images, labels = digits
    gan = make_gan()
    for call, pattern in [
        (lambda: GANTrainer(gan, images * 3), r"\[-1, 1\]"),
        (lambda: GANTrainer(gan, images[0]), "must be a float array"),
        (lambda: GANTrainer(gan, images, batch_size=0), "batch_size must be a whole number"),
        (lambda: GANTrainer(gan, images, batch_size=1000), "larger than the 256 images"),
        (lambda: GANTrainer("gan", images), "must be a course_utils.gan.GAN"),
        (lambda: GANTrainer(gan, images, metrics=3), "metrics must be a function"),
        (lambda: GANTrainer(gan, images, progress=False).train(0), "epochs must be a whole number"),
        (lambda: GANTrainer(gan, images, progress=False).save_gif(), "has no folder"),
        (lambda: grids.save_gif([], tmp_path / "x.gif"), "no frames"),
    ]:
        with pytest.raises(ValueError, match=pattern) as err:
            call()
        one_sentence(str(err.value))
