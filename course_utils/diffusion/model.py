"""A diffusion model as a Keras 3 model: ``train_step`` teaches a network to predict the noise; samplers undo it.

:class:`Diffusion` holds a noise-predicting network (:mod:`.nets`), its exponential moving average
(EMA) and a :class:`~.schedule.Schedule`. One training step (Ho et al. 2020, Algorithm 1):

1. pick a time ``t`` uniformly from 0 ... T-1 and standard normal noise ``eps`` for each picture;
2. noise the pictures to that time in one go, ``x_t = sqrt(alpha_bar[t]) x0 + sqrt(1 - alpha_bar[t]) eps``;
3. move the network's weights to make ``||eps - network(x_t, t)||²`` smaller (Adam);
4. move the EMA copy a little towards the new weights.

Everything random in a step is drawn from the model's seed and its step counter
(``tf.random.stateless_*``), so a run resumed from a checkpoint goes on exactly as if it had not
stopped. A class-conditional model replaces each label by "no label" (``n_classes``) with
probability ``label_dropout``, so that the same network is also the unconditional model that
classifier-free guidance (Ho & Salimans 2022) needs.

Sampling (:meth:`Diffusion.sample`) starts from pure noise at time T-1 and applies
:func:`~.schedule.ddim_step` with the **same schedule the network was trained with**, at the
times :meth:`~.schedule.Schedule.timesteps` picks: ``eta=1`` is DDPM's ancestral sampler, ``eta=0``
DDIM's deterministic one. The EMA network is used unless ``ema=False``.
"""

from __future__ import annotations

import numpy as np

from .._tf import keras, tf
from ..errors import SettingError
from . import schedule as _schedule
from .schedule import Schedule
from ..validate import number, positive_int as _positive_int, seed_value
from ..i18n import _

__all__ = ["Diffusion", "guided_noise"]


def guided_noise(eps_conditional, eps_unconditional, scale: float):
    """Classifier-free guidance: ``eps_u + scale · (eps_c - eps_u)``.

    ``scale = 0`` is the unconditional model, 1 the conditional one, above 1 pushes further in the
    direction that the label adds (Ho & Salimans write it ``(1 + w) eps_c - w eps_u``, with ``w = scale - 1``).
    """
    return eps_unconditional + scale * (eps_conditional - eps_unconditional)


def _number(value, name: str, example: str, low: float = 0.0, high: float | None = None) -> float:
    return number(value, name, example, minimum=low, maximum=high)


class Diffusion(keras.Model):
    """A noise-predicting network, its EMA copy and the schedule it is trained on.

    Parameters
    ----------
    network : keras.Model
        ``[x_t, t]`` (or ``[x_t, t, labels]`` with ``n_classes``) → predicted noise, shaped like ``x_t``;
        see :func:`.nets.unet` and :func:`.nets.mlp`.
    schedule : Schedule or "cosine" / "linear"
        The noise schedule (default: cosine over 1000 steps).
    n_classes : int, optional
        A class-conditional model: ``fit(images, labels)``; label ``n_classes`` is "no label".
    label_dropout : float
        Share of training labels replaced by "no label" (classifier-free guidance; Ho & Salimans use 0.1–0.2).
    ema : float
        Decay of the weights' moving average. Early in a run the average would still be mostly the
        random start, so the decay used at step ``n`` is ``min(ema, (1 + n) / (10 + n))``.
    seed : int
        Seeds the times, the noise and the label dropout of every step.
    """

    def __init__(self, network, schedule="cosine", *, n_classes: int | None = None, label_dropout: float = 0.1,
                 ema: float = 0.999, seed: int = 0, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(network, keras.Model):
            raise SettingError(_("network must be a keras.Model that predicts the noise, like nets.unet(); "
                                  "got {kind}.").format(kind=type(network).__name__))
        self.network = network
        self.schedule = _schedule.make(schedule) if isinstance(schedule, str) else schedule
        if not isinstance(self.schedule, Schedule):
            raise SettingError(_("schedule must be 'cosine', 'linear' or a diffusion.schedule.Schedule."))
        expects_label = len(network.inputs) == 3
        if n_classes is not None:
            n_classes = _positive_int(n_classes, "n_classes", "10")
        if expects_label != (n_classes is not None):
            raise SettingError(_("give n_classes exactly when the network takes labels "
                                  "(nets.unet(..., n_classes=10))."))
        self.n_classes = n_classes
        self.label_dropout = _number(label_dropout, "label_dropout", "0.1", 0.0, 1.0)
        self.ema_decay = _number(ema, "ema", "0.999", 0.0, 1.0)
        self.seed = seed_value(seed)
        self.ema_network = keras.models.clone_model(network)
        self.ema_network.set_weights(network.get_weights())
        shape = tuple(int(d) if d is not None else None for d in network.inputs[0].shape[1:])
        size = getattr(network, "image_size", None)  # nets.unet: convolutional, trained at this size
        if size is not None and len(shape) == 3:
            shape = (int(size), int(size), shape[-1])
        self.sample_shape = shape
        # The step counter: a weight of the model, so checkpoints keep it.
        self.steps = self.add_weight(shape=(), dtype="int64", initializer="zeros", trainable=False, name="steps")
        self._alpha_bars = tf.constant(self.schedule.alpha_bars, tf.float32)
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self._predictors = {}

    @property
    def conditional(self) -> bool:
        return self.n_classes is not None

    @property
    def null_label(self) -> int | None:
        """The label that means "no label" (``n_classes``), or None for an unconditional model."""
        return self.n_classes

    def compile(self, optimizer=None, **kwargs):
        """Adam(1e-3) with the gradient's norm clipped at 1, unless another ``optimizer`` is given."""
        super().compile(**kwargs)
        if not tf.config.list_physical_devices("GPU"):  # as gan.GAN: the fused CPU kernels were slower
            tf.config.optimizer.set_experimental_options({"remapping": False})
        self.noise_optimizer = optimizer or keras.optimizers.Adam(1e-3, global_clipnorm=1.0)
        if not self.noise_optimizer.built:
            self.noise_optimizer.build(self.network.trainable_variables)

    @property
    def metrics(self):
        return [self.loss_tracker]

    def call(self, inputs, training=False):
        return self.network(inputs, training=training)

    # --------------------------------------------------------------- one step

    def _seed(self, salt: int):
        return tf.stack([tf.constant(self.seed, tf.int64), self.steps * 8 + salt])

    def train_step(self, data):
        x0, labels, _unused = keras.utils.unpack_x_y_sample_weight(data)
        x0 = tf.convert_to_tensor(x0, tf.float32)
        batch = tf.shape(x0)[0]
        t = tf.random.stateless_uniform([batch], self._seed(1), 0, self.schedule.steps, dtype=tf.int32)
        eps = tf.random.stateless_normal(tf.shape(x0), self._seed(2))
        a = tf.reshape(tf.gather(self._alpha_bars, t), [-1] + [1] * (len(x0.shape) - 1))
        x_t = tf.sqrt(a) * x0 + tf.sqrt(1.0 - a) * eps
        inputs = [x_t, t]
        if self.conditional:
            if labels is None:
                raise SettingError(_("this model is class-conditional: train it with fit(images, labels)."))
            drop = tf.random.stateless_uniform([batch], self._seed(3)) < self.label_dropout
            inputs.append(tf.where(drop, tf.fill([batch], self.n_classes), tf.cast(labels, tf.int32)))
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(self.network(inputs, training=True) - eps))
        variables = self.network.trainable_variables
        self.noise_optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
        n = tf.cast(self.steps, tf.float32)
        decay = tf.minimum(self.ema_decay, (1.0 + n) / (10.0 + n))
        for average, weight in zip(self.ema_network.weights, self.network.weights):
            average.assign(decay * average + (1.0 - decay) * weight)
        self.steps.assign_add(1)
        self.loss_tracker.update_state(loss)
        return {"loss": self.loss_tracker.result()}

    # --------------------------------------------------------------- predicting the noise

    def _predictor(self, ema: bool):
        if ema not in self._predictors:
            network = self.ema_network if ema else self.network

            @tf.function(reduce_retracing=True)
            def predict(inputs):
                return network(inputs, training=False)

            self._predictors[ema] = predict
        return self._predictors[ema]

    def _labels(self, labels, n: int):
        if not self.conditional:
            if labels is not None:
                raise SettingError(_("this model is unconditional: leave labels=None."))
            return None
        if labels is None:
            return np.full(n, self.n_classes, np.int32)
        y = np.broadcast_to(np.asarray(labels), (n,))
        if y.dtype.kind not in "iu" or y.min() < 0 or y.max() > self.n_classes:
            raise SettingError(_("labels must be whole numbers from 0 to {largest} "
                                  "(or {n_classes}, 'no label'); got {found}.").format(
                largest=self.n_classes - 1, n_classes=self.n_classes, found=np.unique(y)[:5].tolist()))
        return y.astype(np.int32)

    def predict_noise(self, x_t, t, labels=None, *, guidance: float = 1.0, ema: bool = True,
                      batch_size: int = 512) -> np.ndarray:
        """The network's noise prediction for ``x_t`` at times ``t`` (one int or one per sample), float64.

        With labels and ``guidance != 1``, the conditional and the unconditional prediction are combined
        by :func:`guided_noise` (both from one call of the network on a batch twice as large).
        """
        x_t = np.asarray(x_t, np.float32)
        n = len(x_t)
        t = np.broadcast_to(np.asarray(t, np.int32), (n,))
        y = self._labels(labels, n)
        guided = y is not None and guidance != 1.0 and labels is not None
        predict = self._predictor(ema)
        out = []
        for i in range(0, n, batch_size):
            xb, tb = x_t[i: i + batch_size], t[i: i + batch_size]
            if y is None:
                out.append(predict([xb, tb]).numpy())
            elif not guided:
                out.append(predict([xb, tb, y[i: i + batch_size]]).numpy())
            else:
                yb = y[i: i + batch_size]
                both = predict([np.concatenate([xb, xb]), np.concatenate([tb, tb]),
                                np.concatenate([yb, np.full_like(yb, self.n_classes)])]).numpy()
                out.append(guided_noise(both[: len(xb)].astype(np.float64), both[len(xb):].astype(np.float64),
                                        guidance))
        return np.concatenate(out).astype(np.float64)

    # --------------------------------------------------------------- sampling

    def noise(self, n: int, seed: int = 0, shape=None) -> np.ndarray:
        """Standard normal starting points (n, *sample shape) from ``seed``; ``shape`` for larger pictures."""
        n = _positive_int(n, "n", "64")
        shape = tuple(shape) if shape is not None else self.sample_shape
        if any(d is None for d in shape):
            raise SettingError(_("this network takes pictures of any size: give shape=(height, width, channels)."))
        return np.random.default_rng([int(seed), 8]).standard_normal((n,) + shape)

    def sample(self, n: int | None = None, steps: int = 50, *, eta: float = 0.0, labels=None, guidance: float = 1.0,
               clip: float | None = 1.0, seed: int = 0, noise=None, start: int | None = None, ema: bool = True,
               keep: int = 0, progress: bool = False, description: str | None = None):
        """Pictures (or points) from noise, in ``steps`` steps of the training schedule.

        Parameters
        ----------
        n : int
            How many (or give ``noise``, the starting points, yourself).
        steps : int
            Network evaluations: 1 ... T; the times are ``schedule.timesteps(steps)``.
        eta : float
            0: DDIM, deterministic. 1: DDPM's ancestral sampler (fresh noise at every step).
        labels : int or array, optional
            Class-conditional models: the class asked for (one, or one per sample); None: no label.
        guidance : float
            Classifier-free guidance scale (see :func:`guided_noise`); 1 is the plain conditional model.
        clip : float or None
            Clip each estimate of the clean picture to [-clip, clip] (the data's range); None: don't.
        seed : int
            Seeds the starting noise and (for ``eta > 0``) the noise of every step.
        start : int, optional
            Begin at this time instead of T-1, from ``noise`` taken as ``x_start`` (image-to-image, SDEdit).
        keep : int
            Also return ``keep`` snapshots of the way: (times, x_t, x0_hat) at evenly spaced steps.

        Returns
        -------
        float32 array of samples; with ``keep``, also a list of ``(t, x_t, x0_hat)``.
        """
        # TRANSLATORS: examples in "eta must be a number >= 0 and <= 1, like {example}; …" (and for clip).
        eta = _number(eta, "eta", _("0 (DDIM) or 1 (DDPM)"), 0.0, 1.0)
        guidance = _number(guidance, "guidance", "3.0", 0.0, 100.0)
        if clip is not None:
            clip = _number(clip, "clip", _("1.0 (or None)"), 1e-6)
        x = self.noise(n, seed) if noise is None else np.asarray(noise, np.float64).copy()
        if start is None:
            times = self.schedule.timesteps(steps)
        else:
            start = int(start)
            if not 0 <= start < self.schedule.steps:
                raise SettingError(_("start must be a time from 0 to {largest}; got {start}.").format(
                    largest=self.schedule.steps - 1, start=start))
            steps = _positive_int(steps, "steps", "50")
            times = np.unique(np.round(np.linspace(0, start, min(steps, start + 1))).astype(np.int64))[::-1]
        rng = np.random.default_rng([int(seed), 9])
        y = None if labels is None else self._labels(labels, len(x))
        keep_at = set(np.round(np.linspace(0, len(times) - 1, keep)).astype(int).tolist()) if keep else set()
        path = []
        from tqdm.auto import tqdm

        for i in tqdm(range(len(times)), desc=description or _("sampling"), unit="step", disable=not progress,
                      leave=False):
            t = int(times[i])
            s = int(times[i + 1]) if i + 1 < len(times) else -1
            eps = self.predict_noise(x, t, y, guidance=guidance, ema=ema)
            fresh = rng.standard_normal(x.shape) if eta else None
            x_prev, x0 = _schedule.ddim_step(self.schedule, x, np.full(len(x), t), np.full(len(x), s), eps,
                                              eta=eta, noise=fresh, clip=clip)
            if i in keep_at:
                path.append((t, x.astype(np.float32), x0.astype(np.float32)))
            x = x_prev
        out = x.astype(np.float32)
        if clip is not None:
            out = np.clip(out, -clip, clip)
        return (out, path) if keep else out

    def img2img(self, images, strength: float, steps: int = 50, *, seed: int = 0, labels=None,
                clip: float | None = 1.0) -> np.ndarray:
        """SDEdit (Meng et al. 2021): noise ``images`` (in [-1, 1]) to ``strength`` of the way, then denoise.

        ``strength`` 0 gives the images back; 1 forgets them (a fresh sample). In between, the
        coarse layout survives the noise and the model paints the detail in what it has learnt.
        """
        strength = _number(strength, "strength", "0.5", 0.0, 1.0)
        x0 = np.asarray(images, np.float64)
        if strength == 0.0:
            return x0.astype(np.float32)
        start = int(round(strength * (self.schedule.steps - 1)))
        noise = np.random.default_rng([int(seed), 10]).standard_normal(x0.shape)
        x_start = _schedule.q_sample(self.schedule, x0, np.full(len(x0), start), noise)
        steps = max(1, int(round(steps * strength)))
        return self.sample(steps=steps, noise=x_start, start=start, seed=seed, labels=labels, clip=clip)

    def __repr__(self):
        kind = f"{self.n_classes} classes" if self.conditional else "unconditional"
        return (f"Diffusion({self.network.name}, {self.network.count_params():,} weights, {self.schedule!r}, "
                f"{kind}, step {int(self.steps.numpy())})")
