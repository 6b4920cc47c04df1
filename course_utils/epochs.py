"""Training epoch by epoch with pictures and checkpoints: what the GAN and diffusion trainers share.

:class:`EpochTrainer` is the loop behind notebook 06's :class:`course_utils.gan.trainer.GANTrainer`
and notebook 08's :class:`course_utils.diffusion.trainer.DiffusionTrainer`. At the end of every
epoch it

- records the epoch's mean losses, the seconds of training so far (wall clock, and the process's
  CPU time, which other programs on the machine do not inflate) and the numbers of an optional
  ``metrics`` function;
- keeps a *frame*: the model's samples for one fixed batch of noise, as a PNG in
  ``folder/frames/`` (:meth:`EpochTrainer.save_gif` makes an animation of them);
- writes a **checkpoint**, ``folder/checkpoint.npz``, atomically (:mod:`course_utils.checkpoints`),
  so that the file is always either the previous complete checkpoint or the new one.

The batches of an epoch come in an order that depends only on (seed, epoch), so a run resumed
from its checkpoint goes on exactly as if it had never stopped. Interrupting the kernel ends
:meth:`EpochTrainer.train` with one line; the model goes back to the last checkpoint.

A trainer says what is its own: the checkpoint's ``FORMAT``, the variables to save
(``_variables``), the settings a checkpoint must share (``_settings``), one training step
(``_train_batch``), the losses it reports (``LOSSES``, ``_loss_labels``) and its frame (``grid``).
"""

from __future__ import annotations

import copy
import time
from pathlib import Path
from typing import Callable

import numpy as np

from .checkpoints import CheckpointError, assign_arrays, check_compatible, read_checkpoint, variable_arrays, \
    write_checkpoint
from .errors import SettingError
from .grids import save_gif, save_png
from .i18n import _
from .validate import positive_int

__all__ = ["EpochTrainer"]


class EpochTrainer:
    """The shared loop; see the module docstring. Not used directly: a trainer of a course part
    sets the attributes below in its ``__init__`` and then calls :meth:`_start`."""

    #: the kind written into this trainer's checkpoints
    FORMAT = ""
    #: the losses a step reports (keys of ``_train_batch``'s logs), in the history as the epoch's mean
    LOSSES: tuple = ()
    #: what ``metrics`` is given, as its error message names it ("gan", "model")
    SUBJECT = "model"

    # set by the subclass: images, labels, batch_size, seed, metrics, metrics_every, sample_every,
    # progress, folder, ncols, frame_scale, sample_noise

    def _start(self, resume: bool) -> None:
        """The state of an untrained run; then the folder's checkpoint, if asked and there is one."""
        if self.metrics is not None and not callable(self.metrics):
            raise SettingError(_("metrics must be a function metrics({subject}) -> dict of numbers, or None.").format(
                subject=self.SUBJECT))
        self.steps_per_epoch = len(self.images) // self.batch_size
        self.epoch = 0
        self.history = {"epoch": [], "step": [], "seconds": [], "cpu_seconds": [], **{k: [] for k in self.LOSSES}}
        self.frames, self.frame_epochs = [], []
        self._snapshot = None  # (arrays, meta) of the last checkpoint, in memory
        self._last = False  # True while the last epoch of a train() call is being recorded
        if resume and self.checkpoint_path is not None and self.checkpoint_path.exists():
            self.resume()

    # --------------------------------------------------------------- what each trainer says

    @property
    def step(self) -> int:
        """Training steps done so far."""
        raise NotImplementedError

    def _variables(self) -> dict:
        raise NotImplementedError

    def _settings(self) -> dict:
        raise NotImplementedError

    def _subject(self):
        raise NotImplementedError

    def _train_batch(self, images, labels) -> dict:
        raise NotImplementedError

    def grid(self) -> np.ndarray:
        raise NotImplementedError

    def _loss_labels(self) -> dict:
        """What each loss's curve is called in :meth:`figure`'s legend."""
        return {key: key for key in self.LOSSES}

    # --------------------------------------------------------------- paths and state

    @property
    def checkpoint_path(self) -> Path | None:
        """``folder/checkpoint.npz``, or None without a folder."""
        return None if self.folder is None else self.folder / "checkpoint.npz"

    def _order(self, epoch: int) -> np.ndarray:
        """The order of the images in ``epoch``: a function of (seed, epoch) only."""
        return np.random.default_rng([self.seed, 2, epoch]).permutation(len(self.images))

    def _frame_path(self, epoch: int) -> Path | None:
        return None if self.folder is None else self.folder / "frames" / f"epoch_{epoch:04d}.png"

    def _state(self) -> tuple[dict, dict]:
        arrays = variable_arrays(self._variables())
        if self.sample_noise is not None:
            arrays["sample_noise"] = self.sample_noise
        meta = {"epoch": self.epoch, "step": self.step, "history": copy.deepcopy(self.history),
                "frame_epochs": list(self.frame_epochs), **self._settings()}
        return arrays, meta

    def _apply(self, arrays: dict, meta: dict) -> None:
        assign_arrays(self._variables(), arrays)
        if self.sample_noise is not None and arrays.get("sample_noise", np.empty(0)).shape == self.sample_noise.shape:
            self.sample_noise = arrays["sample_noise"].astype(np.float32)
        self.epoch = int(meta["epoch"])
        self.history = copy.deepcopy(meta["history"])
        kept = list(meta["frame_epochs"])
        if self.frame_epochs[: len(kept)] != kept:  # frames from a file: read them back if they are there
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

    def save_checkpoint(self) -> Path | None:
        """Write the current state to ``folder/checkpoint.npz`` (atomically) and keep it in memory."""
        state = self._state()
        path = self.checkpoint_path
        if path is not None:
            try:
                write_checkpoint(path, *state, format=self.FORMAT)
            except OSError as err:
                reason = err.strerror or err
                if self._snapshot is None:
                    raise CheckpointError(_("Could not write the checkpoint {path}: {reason}; "
                                             "free some disk space or choose another folder.").format(
                        path=path, reason=reason)) from None
                raise CheckpointError(_("Could not write the checkpoint {path} (the previous one, epoch {epoch}, "
                                         "is intact): {reason}; free some disk space or choose another folder.").format(
                    path=path, epoch=self._snapshot[1]["epoch"], reason=reason)) from None
        self._snapshot = state
        return path

    def resume(self, path=None) -> int:
        """Load a checkpoint (default: the folder's) into the model and its optimisers; returns its epoch."""
        path = Path(path) if path is not None else self.checkpoint_path
        if path is None:
            raise SettingError(_("this trainer has no folder: give the checkpoint's path, "
                                  "resume('run/checkpoint.npz')."))
        arrays, meta = read_checkpoint(path, format=self.FORMAT)
        # TRANSLATORS: "The checkpoint {path}" starts, and the advice ends, the sentence "{where} was written
        # for a different model …; {advice}." (or "… for a run with …").
        check_compatible(arrays, meta, _("The checkpoint {path}").format(path=path), self._variables(),
                         self._settings(), _("choose another folder, or pass resume=False to start afresh"))
        self._apply(arrays, meta)
        print(_("Resumed from {path}: epoch {epoch}, step {step}.").format(path=path, epoch=self.epoch, step=self.step))
        return self.epoch

    # --------------------------------------------------------------- training

    def _record(self, seconds: float, cpu: float, losses: dict) -> None:
        row = {"epoch": self.epoch, "step": self.step, "seconds": seconds, "cpu_seconds": cpu, **losses}
        if self.metrics is not None and (self.epoch % self.metrics_every == 0 or self._last):
            values = self.metrics(self._subject())
            if not isinstance(values, dict):
                raise SettingError(_("metrics({subject}) must return a dict of numbers; got {kind}.").format(
                    subject=self.SUBJECT, kind=type(values).__name__))
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

    def train(self, epochs: int, *, on_step: Callable | None = None, on_epoch: Callable | None = None,
              seconds: float | None = None, preview: bool = False) -> dict:
        """Train until ``epochs`` epochs are done in all (after resuming at epoch 12, ``train(30)`` runs 18 more).

        Parameters
        ----------
        epochs : int
            The total number of epochs wanted.
        on_step : callable, optional
            ``on_step(trainer, logs)`` after every step; ``logs`` has ``step``, ``epoch`` (the one in
            progress) and the step's losses.
        on_epoch : callable, optional
            ``on_epoch(trainer)`` after every epoch, once its checkpoint is written.
        seconds : float, optional
            Also stop after the epoch in which the training time (wall clock, all runs) passes this.
        preview : bool
            In Jupyter, show the latest frame and the loss curves, redrawn in place every epoch.

        Returns
        -------
        dict
            ``history``. An interruption (KeyboardInterrupt) ends the call with one printed line;
            the model, its optimisers and the history go back to the last checkpoint, so calling
            ``train`` again continues exactly from there.
        """
        from tqdm.auto import tqdm

        target = positive_int(epochs, "epochs", "30")
        self._last = False
        if self._snapshot is None:  # the untrained start: epoch 0, a frame and a first checkpoint
            self._record(0.0, 0.0, {k: None for k in self.LOSSES})
            self.save_checkpoint()
        if self.epoch >= target or (seconds is not None and self.history["seconds"][-1] >= seconds):
            print(_("Already trained for {epochs} epochs (step {step}, {seconds:.0f} s); ask for more to "
                    "continue.").format(epochs=self.epoch, step=self.step, seconds=self.history["seconds"][-1]))
            return self.history
        handle = None
        bar = tqdm(total=(target - self.epoch) * self.steps_per_epoch, desc=_("training"), unit="step",
                   disable=not self.progress)
        try:
            while self.epoch < target:
                epoch = self.epoch + 1
                bar.set_description(_("epoch {epoch}/{target}").format(epoch=epoch, target=target))
                start, cpu_start = time.perf_counter(), time.process_time()
                order = self._order(epoch)
                sums = dict.fromkeys(self.LOSSES, 0.0)
                for i in range(self.steps_per_epoch):
                    index = order[i * self.batch_size: (i + 1) * self.batch_size]
                    labels = None if self.labels is None else self.labels[index]
                    logs = {k: float(v) for k, v in self._train_batch(self.images[index], labels).items()}
                    for key in sums:
                        sums[key] += logs[key]
                    bar.update(1)
                    if i % 10 == 0 or i == self.steps_per_epoch - 1:
                        bar.set_postfix({key: f"{logs[key]:.4f}" for key in self.LOSSES})
                    if on_step is not None:
                        on_step(self, {"step": self.step, "epoch": epoch, **logs})
                wall = self.history["seconds"][-1] + time.perf_counter() - start
                cpu = (self.history.get("cpu_seconds", [0.0])[-1] or 0.0) + time.process_time() - cpu_start
                out_of_time = seconds is not None and wall >= seconds
                self.epoch = epoch
                self._last = epoch == target or out_of_time
                self._record(wall, cpu, {key: total / self.steps_per_epoch for key, total in sums.items()})
                self.save_checkpoint()
                if preview:
                    handle = self._show_preview(handle)
                if on_epoch is not None:
                    on_epoch(self)
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
                print(_("Stopped at step {stopped} and went back to the end of epoch {epoch} (step {step}); "
                        "run the cell again to continue from there.").format(
                    stopped=stopped, epoch=self.epoch, step=self.step))
        finally:
            bar.close()
        return self.history

    # --------------------------------------------------------------- results

    def series(self, key: str) -> tuple[list, list]:
        """(epochs, values) of one history entry, leaving out the epochs without a value."""
        if key not in self.history:
            raise SettingError(_("the history has no {key!r}; it has {keys}.").format(
                key=key, keys=", ".join(repr(k) for k in self.history)))
        pairs = [(e, v) for e, v in zip(self.history["epoch"], self.history[key]) if v is not None]
        return [e for e, _unused in pairs], [v for _unused, v in pairs]

    def save_gif(self, path=None, *, fps: float = 5.0, hold: float = 1.5) -> Path:
        """The frames as an animated GIF (default ``folder/progress.gif``), written atomically."""
        if path is None:
            if self.folder is None:
                raise SettingError(_("this trainer has no folder: give a path, save_gif('progress.gif')."))
            path = self.folder / "progress.gif"
        return save_gif(self.frames, path, fps=fps, hold=hold)

    def figure(self, title: str | None = None):
        """The latest frame beside the loss curves (a matplotlib Figure)."""
        from matplotlib.figure import Figure
        from matplotlib.ticker import MaxNLocator

        from .plotting import use_course_style

        use_course_style()
        fig = Figure(figsize=(9.5, 4.0), layout="constrained")
        left, right = fig.subplots(1, 2, width_ratios=[1, 1.3])
        if self.frames:
            left.imshow(self.frames[-1])
        left.set_axis_off()
        left.set_title(title or _("fixed noise after epoch {epoch}").format(
            epoch=self.frame_epochs[-1] if self.frames else 0))
        for key, name in self._loss_labels().items():
            epochs, values = self.series(key)
            right.plot(epochs, values, label=name, marker="o" if len(values) <= 20 else None, markersize=3)
        right.xaxis.set_major_locator(MaxNLocator(integer=True))
        right.set_xlabel(_("epoch"))
        right.set_ylabel(_("mean loss in the epoch"))
        right.grid(alpha=0.3)
        right.legend(frameon=False)
        return fig

    def _show_preview(self, handle):
        try:
            from IPython import get_ipython
            from IPython.display import Image, display
        except ImportError:
            return None
        if get_ipython() is None:
            return None
        from .plotting import close, png_bytes

        fig = self.figure()
        try:
            png = png_bytes(fig)
        finally:
            close(fig)
        if handle is None:
            return display(Image(data=png), display_id=True)
        handle.update(Image(data=png))
        return handle

    def __repr__(self):
        where = f", folder={str(self.folder)!r}" if self.folder is not None else ""
        return (f"{type(self).__name__}(epoch={self.epoch}, step={self.step}, {len(self.images)} images, "
                f"batch_size={self.batch_size}{where})")
