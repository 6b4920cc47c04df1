"""Training a diffusion model epoch by epoch: fixed-noise pictures, checkpoints, exact resuming (notebook 08).

:class:`DiffusionTrainer` works like notebook 06's GAN trainer (:class:`course_utils.gan.trainer.GANTrainer`).
After every epoch it

- samples from one *fixed* batch of starting noise with a short DDIM run (the same noise every
  time, so the pictures show the model changing) and keeps the grid as a frame;
- records the epoch's mean loss, the seconds of training so far (wall clock, and the process's
  CPU time, which other programs on the machine do not inflate), and the numbers of an optional
  ``metrics`` function;
- writes a **checkpoint**, ``folder/checkpoint.npz``, atomically: the network, its EMA copy, the
  optimiser's variables, the step counter, the history and the fixed noise, with the schedule's
  name and length, so that a checkpoint is never continued with another schedule.

The batches of an epoch come in an order that depends only on (seed, epoch), and the noise and
times of each step only on (the model's seed, the step), so a resumed run continues exactly.
Interrupting the kernel returns with one line and the state of the last checkpoint.
"""

from __future__ import annotations

import copy
import time
from pathlib import Path
from typing import Callable

import numpy as np

from ..errors import SettingError
from ..checkpoints import CheckpointError, check_compatible, read_checkpoint as _read_checkpoint, write_checkpoint
from ..grids import save_gif, save_png, tile
from .model import Diffusion
from ..validate import positive_int as _positive_int, seed_value
from ..i18n import _

__all__ = ["FORMAT", "CheckpointError", "DiffusionTrainer", "read_checkpoint", "as_images"]

#: Written into every checkpoint of this trainer; a file of another kind is refused.
FORMAT = "course_utils.diffusion.trainer/1"


def read_checkpoint(path, *, format: str = FORMAT) -> tuple[dict, dict]:
    """(arrays, meta) of a checkpoint file this trainer wrote; :class:`CheckpointError` for any other file."""
    return _read_checkpoint(path, format=format)


def as_images(images, name: str = "images") -> np.ndarray:
    """float32 (N, ...) in [-1, 1], or one :class:`SettingError` saying what to pass."""
    x = np.asarray(images.numpy() if hasattr(images, "numpy") else images)
    if x.ndim < 2 or x.dtype.kind != "f" or len(x) == 0:
        raise SettingError(_("{name} must be a float array (N, ...) in [-1, 1], like "
                              "data.digits(value_range=(-1, 1)) gives; got shape {shape} and dtype {dtype}.").format(
            name=name, shape=x.shape, dtype=x.dtype))
    if not np.all(np.isfinite(x)):
        raise SettingError(_("{name} contains NaN or infinite values.").format(name=name))
    if x.min() < -1.001 or x.max() > 1.001:
        raise SettingError(_("{name} must lie in [-1, 1]; scale pictures in [0, 1] with {name} * 2 - 1.").format(
            name=name))
    return x.astype(np.float32, copy=False)


class DiffusionTrainer:
    """Train a :class:`~.model.Diffusion` model epoch by epoch, with pictures and checkpoints.

    Parameters
    ----------
    model : Diffusion
        Compiled, or compiled here with the defaults.
    images : float array (N, ...) in [-1, 1]
    labels : int array (N,), required for a class-conditional model
    batch_size : int
    folder : path, optional
        Where ``checkpoint.npz``, ``frames/epoch_NNNN.png`` and ``progress.gif`` go. Without one
        nothing is written; an interruption goes back to the last epoch kept in memory.
    resume : bool
        Continue from the folder's checkpoint if there is one (default).
    samples, ncols : int
        The frames' fixed-noise samples and samples per row. A conditional model's frame has one row
        per class, ``ncols`` samples each.
    frame_steps : int
        DDIM steps for each frame.
    metrics : callable, optional
        ``metrics(model) -> dict of numbers``, at the start and every ``metrics_every`` epochs.
    sample_every : int
        Keep a frame every ... epochs (and always at the last); 0: no frames (points, not pictures).
    """

    def __init__(self, model, images, labels=None, *, batch_size: int = 64, folder=None, resume: bool = True,
                 samples: int = 64, ncols: int = 8, frame_steps: int = 20, seed: int | None = None,
                 metrics: Callable | None = None, metrics_every: int = 1, sample_every: int = 1,
                 progress: bool = True):
        if not isinstance(model, Diffusion):
            raise SettingError(_("model must be a course_utils.diffusion.Diffusion; got {kind}.").format(
                kind=type(model).__name__))
        if not hasattr(model, "noise_optimizer"):
            model.compile()
        self.model = model
        self.images = as_images(images)
        expected = model.sample_shape
        if len(expected) != self.images.ndim - 1 or any(
                e is not None and e != d for e, d in zip(expected, self.images.shape[1:])):
            raise SettingError(_("the network takes samples of shape {sample_shape}; the images have shape "
                                  "{shape}.").format(sample_shape=model.sample_shape, shape=self.images.shape[1:]))
        self.labels = None
        if model.conditional:
            if labels is None:
                raise SettingError(_("this model is class-conditional: give the class of every image, "
                                      "DiffusionTrainer(model, images, labels)."))
            y = np.asarray(labels)
            if y.shape != (len(self.images),) or y.dtype.kind not in "iu" or y.min() < 0 or y.max() >= model.n_classes:
                raise SettingError(_("labels must be {count} whole numbers from 0 to {largest}, "
                                      "one per image; got shape {shape} and dtype {dtype}.").format(
                    count=len(self.images), largest=model.n_classes - 1, shape=y.shape, dtype=y.dtype))
            self.labels = y.astype(np.int32)
        self.batch_size = _positive_int(batch_size, "batch_size", "64")
        if self.batch_size > len(self.images):
            raise SettingError(_("batch_size {batch_size} is larger than the {count} images; "
                                  "use a smaller batch.").format(batch_size=self.batch_size, count=len(self.images)))
        seed = model.seed if seed is None else seed
        self.seed = seed_value(seed)
        if metrics is not None and not callable(metrics):
            raise SettingError(_("metrics must be a function metrics(model) -> dict of numbers, or None."))
        self.metrics = metrics
        self.metrics_every = _positive_int(metrics_every, "metrics_every", "1")
        if isinstance(sample_every, bool) or not isinstance(sample_every, (int, np.integer)) or sample_every < 0:
            raise SettingError(_("sample_every must be a whole number >= 0, like 1; got {sample_every!r}.").format(
                sample_every=sample_every))
        self.sample_every = int(sample_every)
        self.frame_steps = _positive_int(frame_steps, "frame_steps", "20")
        self.progress = bool(progress)
        self.folder = None if folder is None else Path(folder)
        self.steps_per_epoch = len(self.images) // self.batch_size
        self.ncols = _positive_int(ncols, "ncols", "8")
        samples = _positive_int(samples, "samples", "64")
        if model.conditional:
            self.sample_labels = np.repeat(np.arange(model.n_classes), self.ncols).astype(np.int32)
            samples = len(self.sample_labels)
        else:
            self.sample_labels = None
        self.sample_noise = model.noise(samples, seed=self.seed) if self.sample_every else None
        self.frame_scale = max(1, 32 // self.images.shape[1]) if self.images.ndim == 4 else 1
        self.epoch = 0
        self.history = {"epoch": [], "step": [], "seconds": [], "cpu_seconds": [], "loss": []}
        self.frames, self.frame_epochs = [], []
        self._snapshot = None
        self._last = False
        if resume and self.checkpoint_path is not None and self.checkpoint_path.exists():
            self.resume()

    # --------------------------------------------------------------- paths and state

    @property
    def checkpoint_path(self) -> Path | None:
        return None if self.folder is None else self.folder / "checkpoint.npz"

    @property
    def step(self) -> int:
        return int(self.model.steps.numpy())

    def _order(self, epoch: int) -> np.ndarray:
        return np.random.default_rng([self.seed, 2, epoch]).permutation(len(self.images))

    def _variables(self) -> dict:
        m = self.model
        return {"network": list(m.network.variables), "ema_network": list(m.ema_network.variables),
                "optimizer": list(m.noise_optimizer.variables), "steps": [m.steps]}

    def _settings(self) -> dict:
        m = self.model
        return {"n_images": len(self.images), "batch_size": self.batch_size, "seed": self.seed,
                "model_seed": m.seed, **m.schedule.as_meta()}

    def _state(self) -> tuple[dict, dict]:
        arrays = {f"{group}/{i:04d}": np.array(v.numpy(), copy=True)
                  for group, variables in self._variables().items() for i, v in enumerate(variables)}
        if self.sample_noise is not None:
            arrays["sample_noise"] = self.sample_noise
        meta = {"epoch": self.epoch, "step": self.step, "history": copy.deepcopy(self.history),
                "frame_epochs": list(self.frame_epochs), **self._settings()}
        return arrays, meta

    def _apply(self, arrays: dict, meta: dict) -> None:
        for group, variables in self._variables().items():
            for i, variable in enumerate(variables):
                variable.assign(arrays[f"{group}/{i:04d}"])
        self.epoch = int(meta["epoch"])
        self.history = copy.deepcopy(meta["history"])
        kept = list(meta["frame_epochs"])
        if self.frame_epochs[: len(kept)] != kept:  # frames from files
            self.frames, self.frame_epochs = [], []
            for epoch in kept:
                path = self._frame_path(epoch)
                if path is not None and path.is_file():
                    from PIL import Image

                    with Image.open(path) as picture:
                        self.frames.append(np.asarray(picture.convert("RGB")))
                    self.frame_epochs.append(epoch)
        else:
            del self.frames[len(kept):], self.frame_epochs[len(kept):]
        self._snapshot = (arrays, meta)

    def _frame_path(self, epoch: int) -> Path | None:
        return None if self.folder is None else self.folder / "frames" / f"epoch_{epoch:04d}.png"

    def save_checkpoint(self) -> Path | None:
        """Write the current state to ``folder/checkpoint.npz`` (atomically) and keep it in memory."""
        state = self._state()
        path = self.checkpoint_path
        if path is not None:
            try:
                write_checkpoint(path, *state, format=FORMAT)
            except OSError as err:
                raise CheckpointError(_("Could not write the checkpoint {path}: {reason}; "
                                         "free some disk space or choose another folder.").format(
                    path=path, reason=err.strerror or err)) from None
        self._snapshot = state
        return path

    def resume(self, path=None) -> int:
        """Load a checkpoint (default: the folder's); returns its epoch."""
        path = Path(path) if path is not None else self.checkpoint_path
        if path is None:
            raise SettingError(_("this trainer has no folder: give the checkpoint's path, "
                                  "resume('run/checkpoint.npz')."))
        arrays, meta = read_checkpoint(path)
        # TRANSLATORS: "The checkpoint {path}" starts, and the advice ends, the sentence "{where} was written
        # for a different model …; {advice}." (or "… for a run with …").
        check_compatible(arrays, meta, _("The checkpoint {path}").format(path=path), self._variables(),
                         self._settings(), _("choose another folder, or pass resume=False to start afresh"))
        self._apply(arrays, meta)
        print(_("Resumed from {path}: epoch {epoch}, step {step}.").format(path=path, epoch=self.epoch, step=self.step))
        return self.epoch

    # --------------------------------------------------------------- pictures

    def sample(self, steps: int | None = None) -> np.ndarray:
        """The model's samples from the fixed noise (DDIM, ``frame_steps`` steps unless ``steps``)."""
        if self.sample_noise is None:
            raise SettingError(_("this trainer keeps no frames (sample_every=0): call model.sample(...) instead."))
        return self.model.sample(steps=steps or self.frame_steps, noise=self.sample_noise,
                                 labels=self.sample_labels, seed=self.seed)

    def grid(self) -> np.ndarray:
        return tile(self.sample(), self.ncols, scale=self.frame_scale)

    # --------------------------------------------------------------- training

    def _record(self, seconds: float, cpu: float, loss) -> None:
        row = {"epoch": self.epoch, "step": self.step, "seconds": seconds, "cpu_seconds": cpu, "loss": loss}
        if self.metrics is not None and (self.epoch % self.metrics_every == 0 or self._last):
            values = self.metrics(self.model)
            if not isinstance(values, dict):
                raise SettingError(_("metrics(model) must return a dict of numbers; got {kind}.").format(
                    kind=type(values).__name__))
            row.update({str(k): float(v) for k, v in values.items()})
        rows = len(self.history["epoch"])
        for key in list(self.history) + [k for k in row if k not in self.history]:
            self.history.setdefault(key, [None] * rows).append(row.get(key))
        if self.sample_every and (self.epoch % self.sample_every == 0 or self._last):
            frame = self.grid()
            path = self._frame_path(self.epoch)
            if path is not None:
                save_png(frame, path)
            self.frames.append(frame)
            self.frame_epochs.append(self.epoch)

    def train(self, epochs: int, *, on_step: Callable | None = None, seconds: float | None = None) -> dict:
        """Train until ``epochs`` epochs are done in all (resumed at 12, ``train(30)`` runs 18 more).

        ``seconds``: also stop after the epoch in which the training time (wall clock) passes this.
        ``on_step(trainer, logs)`` is called after every step. Returns ``history``; an interruption
        (KeyboardInterrupt) goes back to the last checkpoint and says so in one line.
        """
        from tqdm.auto import tqdm

        target = _positive_int(epochs, "epochs", "30")
        self._last = False
        if self._snapshot is None:
            self._record(0.0, 0.0, None)
            self.save_checkpoint()
        if self.epoch >= target or (seconds is not None and self.history["seconds"][-1] >= seconds):
            print(_("Already trained for {epochs} epochs (step {step}, {seconds:.0f} s); ask for more to "
                    "continue.").format(epochs=self.epoch, step=self.step, seconds=self.history["seconds"][-1]))
            return self.history
        bar = tqdm(total=(target - self.epoch) * self.steps_per_epoch, desc=_("training"), unit="step",
                   disable=not self.progress)
        try:
            while self.epoch < target:
                epoch = self.epoch + 1
                bar.set_description(_("epoch {epoch}/{target}").format(epoch=epoch, target=target))
                start, cpu_start = time.perf_counter(), time.process_time()
                order = self._order(epoch)
                total = 0.0
                for i in range(self.steps_per_epoch):
                    index = order[i * self.batch_size: (i + 1) * self.batch_size]
                    y = None if self.labels is None else self.labels[index]
                    logs = self.model.train_on_batch(self.images[index], y, return_dict=True)
                    total += float(logs["loss"])
                    bar.update(1)
                    if i % 10 == 0 or i == self.steps_per_epoch - 1:
                        bar.set_postfix(loss=f"{float(logs['loss']):.4f}")
                    if on_step is not None:
                        on_step(self, {"step": self.step, "epoch": epoch, "loss": float(logs["loss"])})
                wall = self.history["seconds"][-1] + time.perf_counter() - start
                cpu = self.history["cpu_seconds"][-1] + time.process_time() - cpu_start
                out_of_time = seconds is not None and wall >= seconds
                self.epoch = epoch
                self._last = epoch == target or out_of_time
                self._record(wall, cpu, total / self.steps_per_epoch)
                self.save_checkpoint()
                if out_of_time:
                    break
        except KeyboardInterrupt:
            stopped = self.step
            self._apply(*self._snapshot)
            if self.checkpoint_path is not None:
                print(_("Stopped at step {stopped}; the last checkpoint (epoch {epoch}, step {step}) is in "
                        "{path}; run the cell again to continue from there.").format(
                    stopped=stopped, epoch=self.epoch, step=self.step, path=self.checkpoint_path))
            else:
                print(_("Stopped at step {stopped}; the last checkpoint (epoch {epoch}, step {step}) is in "
                        "memory; run the cell again to continue from there.").format(
                    stopped=stopped, epoch=self.epoch, step=self.step))
        finally:
            bar.close()
        return self.history

    # --------------------------------------------------------------- results

    def series(self, key: str) -> tuple[list, list]:
        """(epochs, values) of one history entry, without the epochs where it has no value."""
        if key not in self.history:
            raise SettingError(_("the history has no {key!r}; it has {keys}.").format(
                key=key, keys=", ".join(repr(k) for k in self.history)))
        pairs = [(e, v) for e, v in zip(self.history["epoch"], self.history[key]) if v is not None]
        return [e for e, _unused in pairs], [v for _unused, v in pairs]

    def save_gif(self, path=None, *, fps: float = 5.0, hold: float = 1.5) -> Path:
        """The frames as an animated GIF (default ``folder/progress.gif``)."""
        if path is None:
            if self.folder is None:
                raise SettingError(_("this trainer has no folder: give a path, save_gif('progress.gif')."))
            path = self.folder / "progress.gif"
        return save_gif(self.frames, path, fps=fps, hold=hold)

    def __repr__(self):
        where = f", folder={str(self.folder)!r}" if self.folder is not None else ""
        return (f"DiffusionTrainer(epoch={self.epoch}, step={self.step}, {len(self.images)} images, "
                f"batch_size={self.batch_size}{where})")
