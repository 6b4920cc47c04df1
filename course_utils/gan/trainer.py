"""A GAN trained for many epochs on a laptop: progress as pictures, checkpoints, resuming (notebook 06).

:class:`GANTrainer` runs a :class:`~course_utils.gan.training.GAN` over a set of images, epoch
by epoch, and at the end of every epoch

- draws the generator's samples for one *fixed* batch of noise — the same noise every
  time, so the pictures show the generator changing, not the noise — and keeps the grid
  as a frame (a PNG file in ``folder/frames/``; :meth:`GANTrainer.save_gif` makes an animation with
  :func:`course_utils.grids.save_gif`);
- records both networks' mean loss over the epoch, and the numbers of an optional
  ``metrics`` function (a quality score, say);
- writes a **checkpoint** (:mod:`course_utils.checkpoints`): one file, ``folder/checkpoint.npz``, replaced atomically (written
  under a temporary name, then renamed), so that it is always either the previous complete
  checkpoint or the new complete one. It holds all a run needs to go on: both networks'
  variables (batch-normalisation statistics and dropout's random state included), both
  optimisers' variables (Adam's running moments), the step counter, the epoch, the history
  and the fixed noise.

The batches of an epoch come in an order that depends only on (seed, epoch), and the noise
of each step only on (the GAN's seed, the step) — see :class:`~course_utils.gan.training.GAN`.
So a run resumed from a checkpoint continues *exactly* as if it had never stopped.

Stopping is safe: interrupt the kernel (the ■ button, Ctrl-C), and :meth:`GANTrainer.train`
returns with one line saying where it stopped; the networks go back to the last checkpoint,
so nothing is lost but the steps since then. Run the cell again to continue. Even if the
process dies (the laptop closed, the kernel killed), the checkpoint file is whole: build
the same networks and a ``GANTrainer`` with the same ``folder`` and it resumes from there.

::

    gan = GAN(dcgan.generator(16), dcgan.discriminator(16), seed=0)
    gan.compile()
    run = GANTrainer(gan, images, folder="outputs/06/digits")   # resumes if the folder has a checkpoint
    run.train(epochs=60)                                       # 60 epochs in all, not 60 more
    run.save_gif()
"""

from __future__ import annotations

import copy
import time
from pathlib import Path
from typing import Callable

import numpy as np

from ..checkpoints import GAN_FORMAT, CheckpointError, assign_arrays, check_compatible, read_checkpoint, \
    variable_arrays, write_checkpoint
from ..errors import SettingError
from ..grids import save_gif, save_png, tile
from ..validate import positive_int as _positive_int, seed_value as _seed
from .dcgan import as_gan_images
from ..i18n import _

__all__ = ["GANTrainer"]


# ------------------------------------------------------------------ the trainer


class GANTrainer:
    """Train a compiled :class:`~course_utils.gan.training.GAN` epoch by epoch, with pictures and checkpoints.

    Parameters
    ----------
    gan : GAN
        Compiled (``gan.compile()``); if not, it is compiled with the defaults.
    images : float array (N, H, W, C) in [-1, 1]
        The real images, e.g. from ``data.digits(value_range=(-1, 1))``.
    labels : int array (N,), optional
        Class labels; needed when the GAN is conditional, ignored otherwise.
    batch_size : int
        Images per step. Each epoch has ``N // batch_size`` steps (the leftover images
        sit out that epoch; the shuffling changes every epoch).
    folder : path, optional
        Where the run keeps ``checkpoint.npz``, ``frames/epoch_NNNN.png`` and
        ``progress.gif``. Without a folder nothing is written: frames stay in
        memory and an interruption goes back to the end of the last epoch in memory.
    resume : bool
        True (default): if ``folder`` has a checkpoint, continue from it. False:
        start afresh (the folder's checkpoint is replaced at the first epoch).
    samples : int
        How many fixed-noise samples each frame shows (unconditional GANs).
    ncols : int
        Samples per row of a frame. For a conditional GAN each row is one class
        and each column one noise vector: ``n_classes × ncols`` samples.
    seed : int, optional
        Seeds the order of the batches and the fixed noise; default: the GAN's seed.
    metrics : callable, optional
        ``metrics(gan) -> dict of numbers`` (e.g. an FID-like score), called at the
        start and after every ``metrics_every`` epochs; the numbers go into ``history``.
    metrics_every : int
    sample_every : int
        Keep a frame every ... epochs (and always at the last one).
    progress : bool
        A tqdm progress bar over the steps.

    Attributes
    ----------
    history : dict of lists
        One entry per checkpoint, the first being the untrained start (epoch 0):
        ``epoch``, ``step``, ``seconds`` (training time so far), ``d_loss`` and
        ``g_loss`` (the epoch's mean; None at epoch 0), and each metric (None
        where not computed). :meth:`series` gives one of them without the gaps.
    frames : list of uint8 arrays
        The grids of fixed-noise samples, one per kept epoch (see ``frame_epochs``).
    """

    def __init__(self, gan, images, labels=None, *, batch_size: int = 64, folder=None, resume: bool = True,
                 samples: int = 64, ncols: int = 8, seed: int | None = None, metrics: Callable | None = None,
                 metrics_every: int = 1, sample_every: int = 1, progress: bool = True):
        from .training import GAN

        if not isinstance(gan, GAN):
            raise SettingError(_("gan must be a course_utils.gan.GAN (a generator and a discriminator); "
                                  "got {kind}.").format(kind=type(gan).__name__))
        if not hasattr(gan, "g_optimizer"):
            gan.compile()
        self.gan = gan
        self.images = as_gan_images(images)
        self.labels = None
        if gan.conditional:
            if labels is None:
                raise SettingError(_("this GAN is conditional: give the class of every image, "
                                      "GANTrainer(gan, images, labels)."))
            y = np.asarray(labels)
            if y.shape != (len(self.images),) or y.dtype.kind not in "iu" or y.min() < 0:
                raise SettingError(_("labels must be {count} whole numbers >= 0, one per image; "
                                      "got shape {shape} and dtype {dtype}.").format(
                    count=len(self.images), shape=y.shape, dtype=y.dtype))
            self.labels = y.astype(np.int32)
        self.batch_size = _positive_int(batch_size, "batch_size", "64")
        if self.batch_size > len(self.images):
            raise SettingError(_("batch_size {batch_size} is larger than the {count} images; "
                                  "use a smaller batch.").format(
                batch_size=self.batch_size, count=len(self.images)))
        self.seed = _seed(gan.seed if seed is None else seed)
        self.metrics = metrics
        if metrics is not None and not callable(metrics):
            raise SettingError(_("metrics must be a function metrics(gan) -> dict of numbers, or None."))
        self.metrics_every = _positive_int(metrics_every, "metrics_every", "1")
        self.sample_every = _positive_int(sample_every, "sample_every", "1")
        self.progress = bool(progress)
        self.folder = None if folder is None else Path(folder)
        self.steps_per_epoch = len(self.images) // self.batch_size
        self.ncols = _positive_int(ncols, "ncols", "8")
        self.sample_noise, self.sample_labels = self._fixed_inputs(_positive_int(samples, "samples", "64"))
        self.frame_scale = max(1, 32 // self.images.shape[1])
        self.epoch = 0
        self.history = {"epoch": [], "step": [], "seconds": [], "d_loss": [], "g_loss": []}
        self.frames, self.frame_epochs = [], []
        self._snapshot = None  # (arrays, meta) of the last checkpoint, in memory
        self._last = False  # True while the last epoch of a train() call is being recorded
        self._build_optimizers()
        if resume and self.checkpoint_path is not None and self.checkpoint_path.exists():
            self.resume()

    # --------------------------------------------------------------- paths and inputs

    @property
    def checkpoint_path(self) -> Path | None:
        """``folder/checkpoint.npz``, or None without a folder."""
        return None if self.folder is None else self.folder / "checkpoint.npz"

    @property
    def step(self) -> int:
        """Training steps done so far (the GAN's step counter)."""
        return int(self.gan.steps.numpy())

    def _fixed_inputs(self, samples: int):
        rng = np.random.default_rng([self.seed, 1])
        latent = self.gan.latent_dim
        if not self.gan.conditional:
            return rng.standard_normal((samples, latent)).astype(np.float32), None
        from .latent import class_inputs

        return class_inputs(int(self.labels.max()) + 1, self.ncols, latent, seed=self.seed)

    def _order(self, epoch: int) -> np.ndarray:
        """The order of the images in ``epoch``: a function of (seed, epoch) only."""
        return np.random.default_rng([self.seed, 2, epoch]).permutation(len(self.images))

    # --------------------------------------------------------------- samples

    def sample(self, noise=None, labels=None) -> np.ndarray:
        """The generator's images in [-1, 1] for ``noise`` (default: the fixed noise of the frames)."""
        if noise is None:
            noise, labels = self.sample_noise, self.sample_labels if labels is None else labels
        noise = np.asarray(noise, np.float32)
        if self.gan.conditional:
            if labels is None:
                raise SettingError(_("this GAN is conditional: give one class label per noise vector."))
            labels = np.broadcast_to(np.asarray(labels, np.int32), (len(noise),))
        out = []
        for start in range(0, len(noise), 256):
            batch_labels = None if labels is None else labels[start: start + 256]
            out.append(np.asarray(self.gan.generate(noise[start: start + 256], batch_labels, training=False)))
        return np.concatenate(out)

    def grid(self) -> np.ndarray:
        """The current frame: the fixed-noise samples as one uint8 picture."""
        return tile(self.sample(), self.ncols, scale=self.frame_scale)

    # --------------------------------------------------------------- state

    def _build_optimizers(self) -> None:
        """Create the optimisers' variables now (Keras creates them at the first step) so they can be saved."""
        gan = self.gan
        for optimizer, model in ((gan.g_optimizer, gan.generator), (gan.d_optimizer, gan.discriminator)):
            if not optimizer.built:
                optimizer.build(model.trainable_variables)

    def _variables(self) -> dict:
        gan = self.gan
        return {"generator": list(gan.generator.variables), "discriminator": list(gan.discriminator.variables),
                "g_optimizer": list(gan.g_optimizer.variables), "d_optimizer": list(gan.d_optimizer.variables),
                "steps": [gan.steps]}

    def _state(self) -> tuple[dict, dict]:
        arrays = variable_arrays(self._variables())
        arrays["sample_noise"] = self.sample_noise
        meta = {"epoch": self.epoch, "step": self.step, "history": copy.deepcopy(self.history),
                "frame_epochs": list(self.frame_epochs), "seed": self.seed, "batch_size": self.batch_size,
                "n_images": len(self.images), "gan_seed": self.gan.seed, "conditional": self.gan.conditional}
        return arrays, meta

    def _check_compatible(self, arrays: dict, meta: dict, where: str) -> None:
        # TRANSLATORS: ends the sentence "The checkpoint … was written for a different model …; {advice}."
        advice = _("choose another folder, or pass resume=False to start afresh")
        check_compatible(arrays, meta, where, self._variables(),
                         {"n_images": len(self.images), "batch_size": self.batch_size, "seed": self.seed,
                          "gan_seed": self.gan.seed}, advice)

    def _apply(self, arrays: dict, meta: dict) -> None:
        assign_arrays(self._variables(), arrays)
        if "sample_noise" in arrays and arrays["sample_noise"].shape == self.sample_noise.shape:
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

    def _frame_path(self, epoch: int) -> Path | None:
        return None if self.folder is None else self.folder / "frames" / f"epoch_{epoch:04d}.png"

    def save_checkpoint(self) -> Path | None:
        """Write the current state to ``folder/checkpoint.npz`` (atomically) and keep it in memory."""
        state = self._state()
        path = self.checkpoint_path
        if path is not None:
            try:
                write_checkpoint(path, *state, format=GAN_FORMAT)
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
        """Load a checkpoint (default: the folder's) into the networks and optimisers; returns its epoch."""
        path = Path(path) if path is not None else self.checkpoint_path
        if path is None:
            raise SettingError(_("this trainer has no folder: give the checkpoint's path, "
                                  "resume('run/checkpoint.npz')."))
        arrays, meta = read_checkpoint(path, format=GAN_FORMAT)
        # TRANSLATORS: starts the sentence "{where} was written for a different model …" (or "… for a run with …").
        self._check_compatible(arrays, meta, _("The checkpoint {path}").format(path=path))
        self._apply(arrays, meta)
        print(_("Resumed from {path}: epoch {epoch}, step {step}.").format(path=path, epoch=self.epoch, step=self.step))
        return self.epoch

    # --------------------------------------------------------------- training

    def _record(self, seconds: float, d_loss, g_loss) -> None:
        row = {"epoch": self.epoch, "step": self.step, "seconds": seconds, "d_loss": d_loss, "g_loss": g_loss}
        if self.metrics is not None and (self.epoch % self.metrics_every == 0 or self._last):
            values = self.metrics(self.gan)
            if not isinstance(values, dict):
                raise SettingError(_("metrics(gan) must return a dict of numbers; got {kind}.").format(
                    kind=type(values).__name__))
            row.update({str(k): float(v) for k, v in values.items()})
        rows = len(self.history["epoch"])
        for key in list(self.history) + [k for k in row if k not in self.history]:
            self.history.setdefault(key, [None] * rows).append(row.get(key))
        if self.epoch % self.sample_every == 0 or self._last:
            frame = self.grid()
            path = self._frame_path(self.epoch)
            if path is not None:
                save_png(frame, path)
            self.frames.append(frame)
            self.frame_epochs.append(self.epoch)

    def train(self, epochs: int, *, on_step: Callable | None = None, on_epoch: Callable | None = None,
              preview: bool = False) -> dict:
        """Train until ``epochs`` epochs are done in all (after resuming at epoch 12, ``train(30)`` runs 18 more).

        Parameters
        ----------
        epochs : int
            The total number of epochs wanted.
        on_step : callable, optional
            ``on_step(trainer, logs)`` after every step; ``logs`` has ``step``,
            ``epoch`` (the one in progress), ``d_loss`` and ``g_loss``.
        on_epoch : callable, optional
            ``on_epoch(trainer)`` after every epoch, once its checkpoint is written.
        preview : bool
            In Jupyter, show the latest frame and the loss curves, redrawn in place every epoch.

        Returns
        -------
        dict
            ``history``. An interruption (KeyboardInterrupt) ends the call with one
            printed line; the networks, optimisers and history go back to the last
            checkpoint, so calling ``train`` again continues exactly from there.
        """
        from tqdm.auto import tqdm

        target = _positive_int(epochs, "epochs", "30")
        self._last = False
        if self._snapshot is None:  # the untrained start: epoch 0, a frame and a first checkpoint
            self._record(0.0, None, None)
            self.save_checkpoint()
        if self.epoch >= target:
            print(_("Already trained for {epochs} epochs (step {step}); ask for more epochs to continue.").format(
                epochs=self.epoch, step=self.step))
            return self.history
        handle = None
        bar = tqdm(total=(target - self.epoch) * self.steps_per_epoch, desc=_("training"), unit="step",
                   disable=not self.progress)
        try:
            while self.epoch < target:
                epoch = self.epoch + 1
                bar.set_description(_("epoch {epoch}/{target}").format(epoch=epoch, target=target))
                start = time.perf_counter()
                order = self._order(epoch)
                d_sum = g_sum = 0.0
                for i in range(self.steps_per_epoch):
                    index = order[i * self.batch_size: (i + 1) * self.batch_size]
                    y = None if self.labels is None else self.labels[index]
                    logs = self.gan.train_on_batch(self.images[index], y, return_dict=True)
                    d_sum, g_sum = d_sum + float(logs["d_loss"]), g_sum + float(logs["g_loss"])
                    bar.update(1)
                    if i % 10 == 0 or i == self.steps_per_epoch - 1:
                        bar.set_postfix(d_loss=f"{float(logs['d_loss']):.3f}", g_loss=f"{float(logs['g_loss']):.3f}")
                    if on_step is not None:
                        on_step(self, {"step": self.step, "epoch": epoch, **{k: float(v) for k, v in logs.items()}})
                self.epoch = epoch
                self._last = epoch == target
                seconds = self.history["seconds"][-1] + time.perf_counter() - start
                self._record(seconds, d_sum / self.steps_per_epoch, g_sum / self.steps_per_epoch)
                self.save_checkpoint()
                if preview:
                    handle = self._show_preview(handle)
                if on_epoch is not None:
                    on_epoch(self)
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
        """The latest frame beside both networks' loss curves (a matplotlib Figure)."""
        from matplotlib.figure import Figure

        from ..plotting import use_course_style

        use_course_style()
        fig = Figure(figsize=(9.5, 4.0), layout="constrained")
        left, right = fig.subplots(1, 2, width_ratios=[1, 1.3])
        if self.frames:
            left.imshow(self.frames[-1])
        left.set_axis_off()
        left.set_title(title or _("fixed noise after epoch {epoch}").format(
            epoch=self.frame_epochs[-1] if self.frames else 0))
        for key, name in (("d_loss", _("discriminator")), ("g_loss", _("generator"))):
            epochs, values = self.series(key)
            right.plot(epochs, values, label=name, marker="o" if len(values) <= 20 else None, markersize=3)
        from matplotlib.ticker import MaxNLocator

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
        from ..plotting import close, png_bytes

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
        return (f"GANTrainer(epoch={self.epoch}, step={self.step}, {len(self.images)} images, "
                f"batch_size={self.batch_size}{where})")
