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

from pathlib import Path
from typing import Callable

import numpy as np

from ..checkpoints import CheckpointError, read_checkpoint as _read_checkpoint
from ..epochs import EpochTrainer
from ..errors import SettingError
from ..grids import tile
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


class DiffusionTrainer(EpochTrainer):
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

    FORMAT = FORMAT
    LOSSES = ("loss",)
    SUBJECT = "model"

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
        self.metrics = metrics
        self.metrics_every = _positive_int(metrics_every, "metrics_every", "1")
        if isinstance(sample_every, bool) or not isinstance(sample_every, (int, np.integer)) or sample_every < 0:
            raise SettingError(_("sample_every must be a whole number >= 0, like 1; got {sample_every!r}.").format(
                sample_every=sample_every))
        self.sample_every = int(sample_every)
        self.frame_steps = _positive_int(frame_steps, "frame_steps", "20")
        self.progress = bool(progress)
        self.folder = None if folder is None else Path(folder)
        self.ncols = _positive_int(ncols, "ncols", "8")
        samples = _positive_int(samples, "samples", "64")
        if model.conditional:
            self.sample_labels = np.repeat(np.arange(model.n_classes), self.ncols).astype(np.int32)
            samples = len(self.sample_labels)
        else:
            self.sample_labels = None
        self.sample_noise = model.noise(samples, seed=self.seed) if self.sample_every else None
        self.frame_scale = max(1, 32 // self.images.shape[1]) if self.images.ndim == 4 else 1
        self._start(resume)

    # --------------------------------------------------------------- paths and state

    @property
    def step(self) -> int:
        return int(self.model.steps.numpy())

    def _variables(self) -> dict:
        m = self.model
        return {"network": list(m.network.variables), "ema_network": list(m.ema_network.variables),
                "optimizer": list(m.noise_optimizer.variables), "steps": [m.steps]}

    def _settings(self) -> dict:
        m = self.model
        return {"n_images": len(self.images), "batch_size": self.batch_size, "seed": self.seed,
                "model_seed": m.seed, **m.schedule.as_meta()}

    def _subject(self):
        return self.model

    def _train_batch(self, images, labels) -> dict:
        return self.model.train_on_batch(images, labels, return_dict=True)

    def _loss_labels(self) -> dict:
        return {"loss": _("noise prediction (mean squared error)")}

    # --------------------------------------------------------------- pictures

    def sample(self, steps: int | None = None) -> np.ndarray:
        """The model's samples from the fixed noise (DDIM, ``frame_steps`` steps unless ``steps``)."""
        if self.sample_noise is None:
            raise SettingError(_("this trainer keeps no frames (sample_every=0): call model.sample(...) instead."))
        return self.model.sample(steps=steps or self.frame_steps, noise=self.sample_noise,
                                 labels=self.sample_labels, seed=self.seed)

    def grid(self) -> np.ndarray:
        return tile(self.sample(), self.ncols, scale=self.frame_scale)
