"""Training an image network on random crops of a few photos, with progress and checkpoints (notebook 07).

Notebook 07's two networks — the feed-forward style network (:mod:`course_utils.fast.feedforward`)
and the AdaIN decoder (:mod:`course_utils.fast.adain`) — learn the same way: take a batch of
random crops, push it through the network, measure a loss with VGG19, take one Adam step.
:class:`NetworkTrainer` is that loop, once, for both:

- :class:`CropSampler` cuts the batches: random squares of random photos, flipped left-right
  half the time. A batch depends only on (seed, step), so a resumed run sees the very
  batches it would have seen without stopping.
- ``loss_fn(model, batch)`` returns a dict of scalar tensors with a ``"total"`` entry (the
  one that is minimised) and any parts worth watching; every step's values go into
  ``history``.
- With ``checkpoint="outputs/07/net.npz"`` (a :mod:`course_utils.checkpoints` file) the network's and Adam's variables, the step
  and the history are written every ``save_every`` steps (atomically: the file is always
  the previous complete checkpoint or the new complete one) and read back when the
  trainer is built again, so ``train(600)`` after an interruption does only what is left.
- Interrupt the kernel (■, Ctrl-C) and :meth:`NetworkTrainer.train` returns with one line; the
  steps done so far are kept (and saved, when there is a checkpoint file).

:func:`save_model` / :func:`load_model` keep a finished network as one ``.keras`` file,
written atomically, read back with one-sentence errors.
"""

from __future__ import annotations

import copy
import time
from pathlib import Path
from typing import Callable

import numpy as np

from .. import validate
from .._io import atomic_path
from .._tf import keras, tf
from ..checkpoints import NETWORK_FORMAT, CheckpointError, assign_arrays, check_compatible, read_checkpoint, \
    variable_arrays, write_checkpoint
from ..errors import CourseError, SettingError
from ..validate import positive_int as _positive_int, seed_value as _seed
from ..i18n import _

__all__ = ["CheckpointError", "ModelFileError", "CropSampler", "NetworkTrainer", "live_preview", "save_model",
           "load_model"]


class ModelFileError(CourseError, ValueError):
    """A saved network that cannot be read; the message says what to do."""


# ------------------------------------------------------------------ batches of crops


class CropSampler:
    """Random square crops of a few pictures, as training batches.

    ``sampler(count, rng)`` returns ``count`` crops of ``size`` × ``size`` pixels,
    float32 of shape (count, size, size, 3): each from a random picture, at a random
    place, flipped left-right half the time (``flip=False`` to keep them as they are).

    Parameters
    ----------
    pictures : sequence of images in the course's format (H, W, 3), each at least
        ``size`` pixels on its shorter side.
    size : int
        The side of a crop.
    """

    def __init__(self, pictures, size: int, *, flip: bool = True):
        from ..images import to_float_rgb

        self.size = _positive_int(size, "size", "128")
        # TRANSLATORS: the subject of an error about one picture in a list, e.g. "{what} has …".
        self.pictures = [to_float_rgb(p, _("picture {number}").format(number=i)) for i, p in enumerate(pictures)]
        if not self.pictures:
            raise SettingError(_("pictures is empty; give at least one picture to cut crops from, like "
                                  "[data.content('astronaut')]."))
        for i, picture in enumerate(self.pictures):
            if min(picture.shape[:2]) < self.size:
                raise SettingError(_("picture {number} is {height}×{width} pixels, too small for "
                                      "crops of {size}; load it larger or choose size <= {largest}.").format(
                    number=i, height=picture.shape[0], width=picture.shape[1], size=self.size,
                    largest=min(picture.shape[:2])))
        self.flip = bool(flip)

    def __call__(self, count: int, rng: np.random.Generator) -> np.ndarray:
        count = _positive_int(count, "count", "4")
        batch = np.empty((count, self.size, self.size, 3), np.float32)
        for k in range(count):
            picture = self.pictures[int(rng.integers(len(self.pictures)))]
            height, width = picture.shape[:2]
            top = int(rng.integers(0, height - self.size + 1))
            left = int(rng.integers(0, width - self.size + 1))
            crop = picture[top: top + self.size, left: left + self.size]
            batch[k] = crop[:, ::-1] if self.flip and rng.random() < 0.5 else crop
        return batch

    def __repr__(self):
        return f"CropSampler({len(self.pictures)} pictures, size={self.size}, flip={self.flip})"


# ------------------------------------------------------------------ the training loop


class NetworkTrainer:
    """Adam on ``loss_fn(model, batch)`` over batches from ``sampler``, with history and checkpoints.

    Parameters
    ----------
    model : keras.Model
        The network whose trainable variables are learned (and whose variables are saved).
    loss_fn : callable
        ``loss_fn(model, batch) -> dict`` of scalar tensors with a ``"total"`` key; it is
        compiled with ``tf.function``, so write it with TensorFlow operations.
    sampler : callable
        ``sampler(batch_size, rng)`` -> a batch (an array, or a tuple of arrays), e.g. a
        :class:`CropSampler`.
    batch_size : int
    learning_rate : float
        Adam's step size.
    seed : int
        The batches of step ``s`` come from ``np.random.default_rng([seed, s])``.
    checkpoint : path, optional
        An ``.npz`` file: resumed from when it exists (and ``resume`` is true), written
        every ``save_every`` steps, at the end and when interrupted.
    progress : bool
        Show a ``tqdm`` progress bar.
    """

    def __init__(self, model, loss_fn: Callable, sampler: Callable, *, batch_size: int = 4,
                 learning_rate: float = 1e-3, seed: int = 0, checkpoint=None, resume: bool = True,
                 save_every: int = 100, progress: bool = True):
        if not isinstance(model, keras.Model):
            raise SettingError(_("model must be a keras.Model, like feedforward.transform_net(); got a "
                                  "{kind}.").format(kind=type(model).__name__))
        if not model.trainable_variables:
            raise SettingError(_("the model has no trainable variables; build it first, with keras.Input or by "
                                  "calling it on a batch."))
        if not callable(loss_fn) or not callable(sampler):
            raise SettingError(_("loss_fn and sampler must be functions, loss_fn(model, batch) and "
                                  "sampler(count, rng)."))
        learning_rate = validate.number(learning_rate, "learning_rate", "1e-3", above=0)
        self.model, self.loss_fn, self.sampler = model, loss_fn, sampler
        self.batch_size = _positive_int(batch_size, "batch_size", "4")
        self.seed = _seed(seed)
        self.save_every = _positive_int(save_every, "save_every", "100")
        self.progress = bool(progress)
        self.checkpoint = None if checkpoint is None else Path(checkpoint)
        self.optimizer = keras.optimizers.Adam(learning_rate=float(learning_rate))
        self.optimizer.build(model.trainable_variables)  # its variables exist now, so they can be saved
        self.history: dict[str, list] = {"step": [], "seconds": []}
        self._seconds = 0.0
        self._step_fn = tf.function(self._train_step, reduce_retracing=True)
        if resume and self.checkpoint is not None and self.checkpoint.is_file():
            self.resume()

    # --------------------------------------------------------------- one step

    def _train_step(self, batch):
        with tf.GradientTape() as tape:
            parts = self.loss_fn(self.model, batch)
        variables = self.model.trainable_variables
        grads = tape.gradient(parts["total"], variables)
        self.optimizer.apply_gradients(zip(grads, variables))
        return parts

    @property
    def step(self) -> int:
        """The number of steps taken so far (Adam's own counter, so it survives a checkpoint)."""
        return int(self.optimizer.iterations.numpy())

    def batch(self, step: int):
        """The batch of step ``step`` (the same every time it is asked for)."""
        return self.sampler(self.batch_size, np.random.default_rng([self.seed, int(step)]))

    # --------------------------------------------------------------- checkpoints

    def _groups(self) -> dict:
        return {"model": list(self.model.variables), "optimizer": list(self.optimizer.variables)}

    def save_checkpoint(self) -> Path | None:
        """Write the state to ``checkpoint`` (atomically); returns the path, or None without one."""
        if self.checkpoint is None:
            return None
        arrays = variable_arrays(self._groups())
        meta = {"step": self.step, "seconds": self._seconds, "history": self.history, "seed": self.seed,
                "batch_size": self.batch_size}
        return write_checkpoint(self.checkpoint, arrays, meta, format=NETWORK_FORMAT)

    def resume(self, path=None) -> int:
        """Load a checkpoint (``checkpoint`` by default) into the network and Adam; returns its step."""
        where = Path(path) if path is not None else self.checkpoint
        if where is None:
            raise SettingError(_("no checkpoint file was given; pass checkpoint='run.npz' to NetworkTrainer, "
                                  "or a path here."))
        arrays, meta = read_checkpoint(where, format=NETWORK_FORMAT)
        # TRANSLATORS: ends the sentence "run.npz was written for a different model …; {advice}."
        advice = _("choose another file, or pass resume=False to start afresh")
        check_compatible(arrays, meta, where, self._groups(), {"seed": self.seed, "batch_size": self.batch_size},
                         advice)
        assign_arrays(self._groups(), arrays)
        self.history = copy.deepcopy(meta["history"])
        self._seconds = float(meta.get("seconds", 0.0))
        return self.step

    # --------------------------------------------------------------- the loop

    def _record(self, parts: dict) -> None:
        self.history["step"].append(self.step)
        self.history["seconds"].append(round(self._seconds, 3))
        for name, value in parts.items():
            self.history.setdefault(name, []).append(float(value))

    def train(self, steps: int, *, callback: Callable | None = None, callback_every: int = 50) -> dict:
        """Train until ``steps`` steps are done in all (after resuming at step 200, ``train(600)`` runs 400 more).

        ``callback(trainer)`` is called every ``callback_every`` steps and after the last
        one, e.g. to show a live preview. Returns ``history``: ``"step"``, ``"seconds"``
        (training time so far) and each loss part, one value per step.
        """
        from tqdm.auto import tqdm

        target = _positive_int(steps, "steps", "600")
        every = _positive_int(callback_every, "callback_every", "50")
        if self.step >= target:
            print(_("Already trained for {steps} steps; ask for more steps to continue.").format(steps=self.step))
            return self.history
        bar = tqdm(total=target, initial=self.step, desc=_("training"), unit="step", disable=not self.progress)
        try:
            while self.step < target:
                batch = self.batch(self.step)
                start = time.perf_counter()
                parts = self._step_fn(batch)
                parts = {name: float(value) for name, value in parts.items()}
                self._seconds += time.perf_counter() - start
                self._record(parts)
                bar.update(1)
                if self.step % 10 == 0 or self.step == target:
                    bar.set_postfix(loss=f"{parts['total']:.4g}")
                if self.checkpoint is not None and self.step % self.save_every == 0:
                    self.save_checkpoint()
                if callback is not None and (self.step % every == 0 or self.step == target):
                    callback(self)
        except KeyboardInterrupt:
            where = self.save_checkpoint()
            if where is not None:
                print(_("Stopped at step {step} of {target}; saved in {path}; run the cell again to continue from "
                        "there.").format(step=self.step, target=target, path=where))
            else:
                print(_("Stopped at step {step} of {target}; run the cell again to continue from there.").format(
                    step=self.step, target=target))
        finally:
            bar.close()
        if self.step >= target and self.step % self.save_every:  # at a multiple of save_every it was just saved
            self.save_checkpoint()
        return self.history

    def __repr__(self):
        where = f", checkpoint={str(self.checkpoint)!r}" if self.checkpoint is not None else ""
        return f"NetworkTrainer(step={self.step}, batch_size={self.batch_size}{where})"


def live_preview(picture: Callable, title: str | None = None, *, terms=None):
    """A ``callback`` for :meth:`NetworkTrainer.train` that shows ``picture(model)`` beside the loss curves.

    Each call draws what the network makes now (for example a photo it never trains
    on) and adds the mean of each loss term since the previous call to the curves;
    in Jupyter the figure is redrawn in place (:class:`widgets.LivePreview`). ``terms``
    picks the loss terms to plot (default: every one in the history). The
    :class:`~course_utils.widgets.LivePreview` is the callback's ``preview`` attribute.
    """
    from ..widgets import LivePreview

    if not callable(picture):
        raise SettingError(_("picture must be a function of the network, like lambda net: "
                              "feedforward.stylize(net, photo)."))
    preview = LivePreview(title)
    seen = {"count": 0}

    def callback(trainer) -> None:
        history = trainer.history
        names = [k for k in history if k not in ("step", "seconds")] if terms is None else list(terms)
        start, seen["count"] = seen["count"], len(history["step"])
        parts = {name: float(np.mean(history[name][start:])) for name in names}
        preview(trainer.step, picture(trainer.model), parts)

    callback.preview = preview
    return callback


# ------------------------------------------------------------------ finished networks as files


def save_model(model, path) -> Path:
    """Save a network (architecture and weights) as one ``.keras`` file, atomically; returns the path."""
    path = Path(path)
    if path.suffix != ".keras":
        raise SettingError(_("save the network to a file ending in .keras, e.g. 'outputs/07/net.keras'; got "
                              "{path!r}.").format(path=str(path)))
    with atomic_path(path) as tmp:
        model.save(tmp)
    return path


def load_model(path) -> keras.Model:
    """A network saved by :func:`save_model` (the course's own layers included)."""
    from .layers import ReflectionPadding2D

    path = Path(path)
    if not path.is_file():
        raise ModelFileError(_("There is no saved network at {path}; train one first, or check the path.").format(
            path=path))
    try:
        return keras.saving.load_model(path, compile=False,
                                       custom_objects={"course_utils>ReflectionPadding2D": ReflectionPadding2D})
    except Exception as err:  # noqa: BLE001 - a damaged zip, a foreign file, an unknown layer ...
        reason = str(err).strip().split("\n")[0][:120] or type(err).__name__
        raise ModelFileError(_("{path} could not be read as a saved network ({kind}: {reason}); "
                                "save it again with fit.save_model, or train it again.").format(
            path=path, kind=type(err).__name__, reason=reason)) from None
