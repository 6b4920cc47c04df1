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

from pathlib import Path
from typing import Callable

import numpy as np

from ..checkpoints import GAN_FORMAT
from ..epochs import EpochTrainer
from ..errors import SettingError
from ..grids import tile
from ..validate import positive_int as _positive_int, seed_value as _seed
from .dcgan import as_gan_images
from ..i18n import _

__all__ = ["GANTrainer"]


# ------------------------------------------------------------------ the trainer


class GANTrainer(EpochTrainer):
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
        ``epoch``, ``step``, ``seconds`` (training time so far), ``cpu_seconds``, ``d_loss`` and
        ``g_loss`` (the epoch's mean; None at epoch 0), and each metric (None
        where not computed). :meth:`series` gives one of them without the gaps.
    frames : list of uint8 arrays
        The grids of fixed-noise samples, one per kept epoch (see ``frame_epochs``).
    """

    FORMAT = GAN_FORMAT
    LOSSES = ("d_loss", "g_loss")
    SUBJECT = "gan"

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
        self.metrics_every = _positive_int(metrics_every, "metrics_every", "1")
        self.sample_every = _positive_int(sample_every, "sample_every", "1")
        self.progress = bool(progress)
        self.folder = None if folder is None else Path(folder)
        self.ncols = _positive_int(ncols, "ncols", "8")
        self.sample_noise, self.sample_labels = self._fixed_inputs(_positive_int(samples, "samples", "64"))
        self.frame_scale = max(1, 32 // self.images.shape[1])
        self._build_optimizers()
        self._start(resume)

    # --------------------------------------------------------------- paths and inputs

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

    def _settings(self) -> dict:
        return {"n_images": len(self.images), "batch_size": self.batch_size, "seed": self.seed,
                "gan_seed": self.gan.seed}

    def _subject(self):
        return self.gan

    def _train_batch(self, images, labels) -> dict:
        return self.gan.train_on_batch(images, labels, return_dict=True)

    def _loss_labels(self) -> dict:
        return {"d_loss": _("discriminator"), "g_loss": _("generator")}
