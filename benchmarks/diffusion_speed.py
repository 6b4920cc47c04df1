"""How fast does the course's diffusion model train? Against the keras.io DDIM example's recipe, in one process.

    .venv/bin/python benchmarks/diffusion_speed.py                 # ~12 minutes on a 2-core CPU
    .venv/bin/python benchmarks/diffusion_speed.py --write         # ... and put the results in benchmarks/README.md
    .venv/bin/python benchmarks/diffusion_speed.py --budget 30 --steps 3 --repeats 1   # a quick try

Two recipes, both on the course's digits (scikit-learn's, 16×16, one channel):

- **keras.io**: the Keras example "Denoising Diffusion Implicit Models" (A. Béres, 2022) re-implemented
  faithfully and brought to 16×16 grey digits: its residual U-Net (widths 32, 64, 96, 128, block depth 2,
  batch normalisation without centre and scale, swish, average pooling down, bilinear upsampling up, the
  noise variance as a 32-dimensional sinusoidal embedding with frequencies 1 to 1000 joined to the input,
  a last convolution that starts at zero), its continuous cosine-like schedule (signal rates from 0.95 to
  0.02), images normalised to mean 0 and variance 1, mean absolute error on the noise, AdamW(1e-3, weight
  decay 1e-4), EMA 0.999 and batch 64; sampled with its deterministic reverse diffusion;
- **the course**: notebook 08's :class:`course_utils.diffusion.Diffusion` (``nets.unet`` widths 16, 32, 64,
  the time as an embedding added to every block, the discrete cosine schedule with T = 1000, mean squared
  error, Adam(1e-3) with the gradient clipped, EMA 0.999 with a warm-up) at the notebook's batch of 64,
  without labels; sampled with DDIM.

Speed: images per second of training, the median of ``--repeats`` interleaved timings of ``--steps``
steps after a warm-up. Quality: each recipe trains from scratch for ``--budget`` seconds of wall time,
then ``--samples`` digits sampled with ``--sample-steps`` steps are scored by notebook 06's judge
(FID-like distance, lower is better, and class coverage).
"""

from __future__ import annotations

import argparse
import datetime
import math
import statistics
import sys
import time

import numpy as np

from course_utils._tf import keras, tf
from course_utils.diffusion import Diffusion, nets, schedule
from course_utils import data
from course_utils.gan.judge import DigitJudge
from common import machine, write_readme

# ----------------------------------------------------------------------------- the keras.io recipe
WIDTHS, BLOCK_DEPTH = [32, 64, 96, 128], 2
EMBEDDING_DIMS, EMBEDDING_MAX_FREQUENCY = 32, 1000.0
MIN_SIGNAL_RATE, MAX_SIGNAL_RATE = 0.02, 0.95
LEARNING_RATE, WEIGHT_DECAY, EMA = 1e-3, 1e-4, 0.999


class Embedding(keras.layers.Layer):
    """The example's sinusoidal embedding of the noise variance, (N, 1, 1, 1) -> (N, 1, 1, 32)."""

    def call(self, x):
        ops = keras.ops
        frequencies = ops.exp(ops.linspace(math.log(1.0), math.log(EMBEDDING_MAX_FREQUENCY), EMBEDDING_DIMS // 2))
        speeds = ops.cast(2.0 * math.pi * frequencies, "float32")
        return ops.concatenate([ops.sin(speeds * x), ops.cos(speeds * x)], axis=3)

    def compute_output_shape(self, shape):
        return shape[:3] + (EMBEDDING_DIMS,)


def residual_block(x, width):
    L = keras.layers
    residual = x if x.shape[3] == width else L.Conv2D(width, 1)(x)
    x = L.BatchNormalization(center=False, scale=False)(x)
    x = L.Conv2D(width, 3, padding="same", activation="swish")(x)
    x = L.Conv2D(width, 3, padding="same")(x)
    return L.Add()([x, residual])


def keras_io_network(image_size: int = 16, channels: int = 1) -> keras.Model:
    L = keras.layers
    images = keras.Input((image_size, image_size, channels))
    variances = keras.Input((1, 1, 1))
    e = L.UpSampling2D(size=image_size, interpolation="nearest")(Embedding()(variances))
    x = L.Concatenate()([L.Conv2D(WIDTHS[0], 1)(images), e])
    skips = []
    for width in WIDTHS[:-1]:
        for _ in range(BLOCK_DEPTH):
            x = residual_block(x, width)
            skips.append(x)
        x = L.AveragePooling2D(2)(x)
    for _ in range(BLOCK_DEPTH):
        x = residual_block(x, WIDTHS[-1])
    for width in reversed(WIDTHS[:-1]):
        x = L.UpSampling2D(2, interpolation="bilinear")(x)
        for _ in range(BLOCK_DEPTH):
            x = residual_block(L.Concatenate()([x, skips.pop()]), width)
    return keras.Model([images, variances], L.Conv2D(channels, 1, kernel_initializer="zeros")(x), name="keras_io_unet")


class KerasIO:
    """The example's model: normaliser, network, EMA network, schedule, ``train_step`` and reverse diffusion."""

    def __init__(self, images: np.ndarray, batch_size: int, seed: int = 0):
        keras.utils.set_random_seed(seed)
        self.batch_size = batch_size
        self.mean, self.std = float(images.mean()), float(images.std())  # Normalization.adapt, one channel
        self.network = keras_io_network(images.shape[1], images.shape[-1])
        self.ema_network = keras.models.clone_model(self.network)
        self.ema_network.set_weights(self.network.get_weights())
        self.optimizer = keras.optimizers.AdamW(learning_rate=LEARNING_RATE, weight_decay=WEIGHT_DECAY)
        self.train_step = tf.function(self._train_step)

    @staticmethod
    def schedule(times):
        start, end = math.acos(MAX_SIGNAL_RATE), math.acos(MIN_SIGNAL_RATE)
        angles = start + times * (end - start)
        return tf.sin(angles), tf.cos(angles)  # noise rates, signal rates

    def _train_step(self, images):
        images = (images - self.mean) / self.std
        noises = tf.random.normal(tf.shape(images))
        times = tf.random.uniform([tf.shape(images)[0], 1, 1, 1])
        noise_rates, signal_rates = self.schedule(times)
        noisy = signal_rates * images + noise_rates * noises
        with tf.GradientTape() as tape:
            predicted = self.network([noisy, noise_rates ** 2], training=True)
            loss = tf.reduce_mean(tf.abs(noises - predicted))
        variables = self.network.trainable_weights
        self.optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
        for weight, ema_weight in zip(self.network.weights, self.ema_network.weights):
            ema_weight.assign(EMA * ema_weight + (1 - EMA) * weight)
        return loss

    def sample(self, n: int, steps: int, seed: int) -> np.ndarray:
        x = tf.random.stateless_normal((n,) + tuple(self.network.inputs[0].shape[1:]), seed=[seed, 0])
        step_size = 1.0 / steps
        predict = tf.function(lambda a, b: self.ema_network([a, b], training=False))
        for step in range(steps):
            times = tf.ones((n, 1, 1, 1)) - step * step_size
            noise_rates, signal_rates = self.schedule(times)
            noises = predict(x, noise_rates ** 2)
            images = (x - noise_rates * noises) / signal_rates
            next_noise, next_signal = self.schedule(times - step_size)
            x = next_signal * images + next_noise * noises
        pixels = np.clip((images.numpy() * self.std + self.mean + 1.0) / 2.0, 0.0, 1.0)  # denormalise to [0, 1]
        return pixels * 2.0 - 1.0  # the judge's range


class Course:
    """Notebook 08's model, unconditional, trained with ``train_on_batch``."""

    def __init__(self, images: np.ndarray, batch_size: int, seed: int = 0):
        keras.utils.set_random_seed(seed)
        self.batch_size = batch_size
        self.model = Diffusion(nets.unet(images.shape[1], images.shape[-1], (16, 32, 64)), schedule.cosine(1000),
                               seed=seed)
        self.model.compile()

    def train_step(self, images):
        return self.model.train_on_batch(images, return_dict=True)["loss"]

    def sample(self, n: int, steps: int, seed: int) -> np.ndarray:
        return self.model.sample(n, steps, seed=seed)


# ----------------------------------------------------------------------------- measuring
def batches(images: np.ndarray, batch_size: int, seed: int):
    rng = np.random.default_rng(seed)
    while True:
        order = rng.permutation(len(images))
        for i in range(len(images) // batch_size):
            yield images[order[i * batch_size: (i + 1) * batch_size]]


def run_steps(contender, source, steps: int) -> float:
    start = time.perf_counter()
    for _ in range(steps):
        loss = contender.train_step(next(source))
    float(loss)  # wait for the last step
    return time.perf_counter() - start


def speed(contenders: dict, images, steps: int, repeats: int) -> dict:
    """Images per second of each contender: the median of ``repeats`` interleaved timings of ``steps`` steps."""
    sources = {name: batches(images, c.batch_size, seed=0) for name, c in contenders.items()}
    for name, c in contenders.items():
        run_steps(c, sources[name], 3)  # warm-up: tracing
    times = {name: [] for name in contenders}
    for _ in range(repeats):
        for name, c in contenders.items():
            times[name].append(run_steps(c, sources[name], steps))
    return {name: contenders[name].batch_size * steps / statistics.median(t) for name, t in times.items()}


def train_for(contender, images, budget: float) -> int:
    source, start, steps = batches(images, contender.batch_size, seed=1), time.perf_counter(), 0
    while time.perf_counter() - start < budget:
        float(contender.train_step(next(source)))
        steps += 1
    return steps


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batch", type=int, default=64, help="batch size of both (default 64, the example's)")
    parser.add_argument("--steps", type=int, default=20, help="steps per speed timing (default 20)")
    parser.add_argument("--repeats", type=int, default=5, help="interleaved timings (default 5)")
    parser.add_argument("--budget", type=float, default=240.0, help="seconds of training for the quality race")
    parser.add_argument("--samples", type=int, default=500, help="generated digits to score (default 500)")
    parser.add_argument("--sample-steps", type=int, default=20, help="sampling steps of both (default 20)")
    parser.add_argument("--judge-epochs", type=int, default=15, help="epochs of the judging classifier")
    parser.add_argument("--write", action="store_true", help="write the results into benchmarks/README.md")
    args = parser.parse_args(argv)
    images, labels = data.digits(16, value_range=(-1, 1))
    print(f"{machine()}\n{len(images)} digits at 16×16; speed: {args.repeats} × {args.steps} steps ...", flush=True)
    contenders = {"keras.io": KerasIO(images, args.batch), "course": Course(images, args.batch)}
    weights = {name: (c.network if name == "keras.io" else c.model.network).count_params()
               for name, c in contenders.items()}
    rates = speed(contenders, images, args.steps, args.repeats)
    print("  " + ", ".join(f"{k} {v:.0f} images/s" for k, v in rates.items()), flush=True)

    judge = DigitJudge.train(images, labels, epochs=args.judge_epochs, progress=False)
    real_features = judge.features(images)
    floor = judge.floor(images, samples=args.samples)
    quality = {}
    for name, make in (("keras.io", KerasIO), ("course", Course)):
        print(f"{name}: {args.budget:g} s of training ...", flush=True)
        contender = make(images, args.batch)
        steps = train_for(contender, images, args.budget)
        start = time.perf_counter()
        fake = contender.sample(args.samples, args.sample_steps, seed=2)
        per_sample = (time.perf_counter() - start) / args.samples
        score = judge.score(fake, real_features=real_features)
        quality[name] = {"steps": steps, "fid": score.fid_like, "coverage": score.coverage.covered,
                         "per_sample": per_sample}
        print(f"  {steps} steps, FID-like {score.fid_like:.3g}, {score.coverage.covered} classes", flush=True)

    rows = [("machine", machine()), ("date", datetime.date.today().isoformat()),
            ("data", f"sklearn: {len(images)} digits at 16×16, batch {args.batch}")]
    for name, label in (("keras.io", "the keras.io DDIM recipe"), ("course", "the course's `Diffusion`")):
        rows.append((f"speed: {label} ({weights[name]:,} weights)",
                     f"**{rates[name]:.0f} images/s** ({rates[name] / rates['keras.io']:.2f}× keras.io)"))
    rows.append(("FID-like of real digits against other real digits (the floor)", f"{floor:.3g}"))
    for name, label in (("keras.io", "the keras.io recipe"), ("course", "the course's model")):
        q = quality[name]
        rows.append((f"after {args.budget:g} s of training: {label}",
                     f"{q['steps']} steps; FID-like **{q['fid']:.3g}**, {q['coverage']} of 10 classes; "
                     f"{1000 * q['per_sample']:.1f} ms per sample ({args.sample_steps} DDIM steps)"))
    rows.append(("judge", f"`gan.judge.DigitJudge` (notebook 06's), test accuracy {judge.test_accuracy:.1%}; "
                          f"{args.samples} generated digits against all {len(images)} real ones"))
    table = "\n".join(["| what | measured |", "|---|---|"] + [f"| {a} | {b} |" for a, b in rows]
                      + ["", f"Command: `python benchmarks/diffusion_speed.py {' '.join(sys.argv[1:])}`".rstrip()])
    print(table)
    if args.write:
        write_readme("diffusion-speed", table)
        print("written to benchmarks/README.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
