"""How fast does the course's DCGAN train? Against the TensorFlow DCGAN tutorial, in one process.

    .venv/bin/python benchmarks/gan_speed.py                # ~12 minutes on a 2-core CPU
    .venv/bin/python benchmarks/gan_speed.py --write        # ... and put the results in benchmarks/README.md
    .venv/bin/python benchmarks/gan_speed.py --budget 20 --steps 3 --repeats 1   # a quick try
    .venv/bin/python benchmarks/gan_speed.py --data mnist   # MNIST (downloaded once) instead of the bundled digits

Three training steps, all at batch 256 on 28×28 digits:

- **the tutorial**: the TensorFlow DCGAN tutorial's ``train_step`` re-implemented faithfully — its generator
  (dense 7·7·256, transposed convolutions 128 / 64 / 1 with 5×5 kernels, batch normalisation, LeakyReLU,
  tanh), its discriminator (5×5 convolutions 64 / 128 of stride 2, LeakyReLU, dropout 0.3, one dense
  unit), binary cross-entropy from logits, Adam(1e-4) for each, noise of 100, a ``tf.function`` step with
  two gradient tapes, batches from a shuffled ``tf.data`` pipeline;
- **the course's step on the tutorial's networks**: :class:`course_utils.gan.GAN` (``fit``) with the same
  networks and optimisers, so only the step's implementation differs;
- **the course's DCGAN**: the course's own networks (:mod:`course_utils.gan.dcgan`, 4×4 kernels, no
  stride-1 layer, latent 64) and optimisers (Adam 2e-4, β1 0.5) with :class:`~course_utils.gan.GAN`.

Speed is the median of ``--repeats`` timings of ``--steps`` steps each, taken in turn (A, B, C, A, B,
C, ...) after a warm-up, so that a slow moment of the machine hits all three alike. A timing runs from
the start of the first step to the end of the last: the set-up of a ``fit`` call or of the tutorial's
loop (a fraction of a second, paid once per call) is left out of both. Quality: the
tutorial and the course's DCGAN are each trained from scratch for ``--budget`` seconds of wall time,
then compared by the FID-like score (Fréchet distance of a small digit classifier's features,
notebook 06's :class:`course_utils.gan.judge.DigitJudge`; lower is better) and class coverage of
``--samples`` generated digits against the real ones.
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import sys
import time

import numpy as np

from course_utils import data
from course_utils._tf import keras, tf
from course_utils.gan import GAN, dcgan
from course_utils.gan.judge import DigitJudge
from common import machine, write_readme

NOISE_DIM = 100  # the tutorial's


# ----------------------------------------------------------------------------- the tutorial
def tutorial_generator() -> keras.Model:
    L = keras.layers
    return keras.Sequential([
        keras.Input((NOISE_DIM,)),
        L.Dense(7 * 7 * 256, use_bias=False), L.BatchNormalization(), L.LeakyReLU(),
        L.Reshape((7, 7, 256)),
        L.Conv2DTranspose(128, 5, strides=1, padding="same", use_bias=False), L.BatchNormalization(), L.LeakyReLU(),
        L.Conv2DTranspose(64, 5, strides=2, padding="same", use_bias=False), L.BatchNormalization(), L.LeakyReLU(),
        L.Conv2DTranspose(1, 5, strides=2, padding="same", use_bias=False, activation="tanh"),
    ], name="tutorial_generator")


def tutorial_discriminator() -> keras.Model:
    L = keras.layers
    return keras.Sequential([
        keras.Input((28, 28, 1)),
        L.Conv2D(64, 5, strides=2, padding="same"), L.LeakyReLU(), L.Dropout(0.3),
        L.Conv2D(128, 5, strides=2, padding="same"), L.LeakyReLU(), L.Dropout(0.3),
        L.Flatten(), L.Dense(1),
    ], name="tutorial_discriminator")


class Tutorial:
    """The tutorial's networks, losses, optimisers and ``train_step``."""

    def __init__(self, batch_size: int):
        self.batch_size = batch_size
        self.generator, self.discriminator = tutorial_generator(), tutorial_discriminator()
        self.cross_entropy = keras.losses.BinaryCrossentropy(from_logits=True)
        self.generator_optimizer = keras.optimizers.Adam(1e-4)
        self.discriminator_optimizer = keras.optimizers.Adam(1e-4)
        self.train_step = tf.function(self._train_step)

    def _train_step(self, images):
        noise = tf.random.normal([self.batch_size, NOISE_DIM])
        with tf.GradientTape() as gen_tape, tf.GradientTape() as disc_tape:
            generated_images = self.generator(noise, training=True)
            real_output = self.discriminator(images, training=True)
            fake_output = self.discriminator(generated_images, training=True)
            gen_loss = self.cross_entropy(tf.ones_like(fake_output), fake_output)
            disc_loss = (self.cross_entropy(tf.ones_like(real_output), real_output)
                         + self.cross_entropy(tf.zeros_like(fake_output), fake_output))
        gen_vars, disc_vars = self.generator.trainable_variables, self.discriminator.trainable_variables
        self.generator_optimizer.apply_gradients(zip(gen_tape.gradient(gen_loss, gen_vars), gen_vars))
        self.discriminator_optimizer.apply_gradients(zip(disc_tape.gradient(disc_loss, disc_vars), disc_vars))
        return gen_loss, disc_loss

    def train(self, dataset, steps: int) -> float:
        """Run ``steps`` steps; return their seconds (the iterator's set-up not included)."""
        batches = iter(dataset)
        start = time.perf_counter()
        for _ in range(steps):
            self.train_step(next(batches))
        return time.perf_counter() - start

    def train_for(self, dataset, budget: float) -> int:
        """Train for ``budget`` seconds (the first step, with its tracing, counts); return the steps done."""
        batches, start, steps = iter(dataset), time.perf_counter(), 0
        while time.perf_counter() - start < budget:
            self.train_step(next(batches))
            steps += 1
        return steps

    def sample(self, n: int, seed: int) -> np.ndarray:
        noise = tf.random.stateless_normal([n, NOISE_DIM], seed=[seed, 0])
        return self.generator(noise, training=False).numpy()


class Course:
    """A :class:`~course_utils.gan.GAN` trained with ``fit``, on the tutorial's networks or the course's."""

    def __init__(self, own_networks: bool):
        if own_networks:
            self.model = GAN(dcgan.generator(28), dcgan.discriminator(28), seed=0)
            self.model.compile()  # the course's Adam(2e-4, beta_1=0.5)
        else:
            self.model = GAN(tutorial_generator(), tutorial_discriminator(), seed=0)
            self.model.compile(keras.optimizers.Adam(1e-4), keras.optimizers.Adam(1e-4))

    def train(self, dataset, steps: int) -> float:
        """Run ``steps`` steps with ``fit``; return their seconds (``fit``'s set-up not included)."""
        clock = StepClock()
        self.model.fit(dataset, steps_per_epoch=steps, epochs=1, verbose=0, shuffle=False, callbacks=[clock])
        return clock.seconds

    def train_for(self, dataset, budget: float) -> int:
        """Train for ``budget`` seconds (the first step, with its tracing, counts); return the steps done."""
        before = int(self.model.steps.numpy())
        self.model.fit(dataset, steps_per_epoch=10 ** 9, epochs=1, verbose=0, shuffle=False,
                       callbacks=[StopAfter(budget)])
        return int(self.model.steps.numpy()) - before


    def sample(self, n: int, seed: int) -> np.ndarray:
        noise = tf.random.stateless_normal([n, self.model.latent_dim], seed=[seed, 0])
        return self.model.generate(noise).numpy()


class StepClock(keras.callbacks.Callback):
    """The time from the start of ``fit``'s first step to the end of its last one."""

    def on_train_batch_begin(self, batch, logs=None):
        if batch == 0:
            self.start = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        self.seconds = time.perf_counter() - self.start


class StopAfter(keras.callbacks.Callback):
    """Ends ``fit`` after the first batch that finishes past ``seconds``."""

    def __init__(self, seconds: float):
        super().__init__()
        self.seconds = seconds

    def on_train_begin(self, logs=None):
        self.start = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        if time.perf_counter() - self.start >= self.seconds:
            self.model.stop_training = True


# ----------------------------------------------------------------------------- measuring
def batches(images: np.ndarray, batch_size: int, seed: int):
    """The tutorial's input pipeline: shuffled, batched (repeated here, for step counts beyond an epoch)."""
    dataset = tf.data.Dataset.from_tensor_slices(images).shuffle(len(images), seed=seed)
    return dataset.repeat().batch(batch_size, drop_remainder=True).prefetch(2)


def step_speed(contenders: dict, images, batch_size: int, steps: int, repeats: int) -> dict:
    """Seconds per step of each contender: the median of ``repeats`` interleaved timings."""
    data = batches(images, batch_size, seed=0)
    for trainer in contenders.values():  # warm-up: tracing and graph optimisation, not timed
        trainer.train(data, 2)
    times = {name: [] for name in contenders}
    for _ in range(repeats):
        for name, trainer in contenders.items():
            times[name].append(trainer.train(data, steps) / steps)
    return {name: statistics.median(t) for name, t in times.items()}


# ----------------------------------------------------------------------------- report
def report(args, n_images, speed, quality_rows, judge, n_features, reference) -> str:
    tutorial = speed["tutorial"]
    rows = [
        ("machine", machine()),
        ("date", datetime.date.today().isoformat()),
        ("data", f"{args.data}: {n_images} digits at 28×28, batch {args.batch}"),
    ]
    for name, label in (("tutorial", "the tutorial's `train_step`"),
                        ("course_step", "the course's `GAN.fit` step, the tutorial's networks"),
                        ("course", "the course's DCGAN (`GAN.fit`, `dcgan` networks)")):
        rows.append((f"speed: {label}", f"{speed[name]:.3f} s/step, **{args.batch / speed[name]:.0f} images/s** "
                                        f"({tutorial / speed[name]:.2f}× the tutorial)"))
    rows.append(("FID-like of real digits against other real digits (the floor)", f"{reference:.3g}"))
    for name, label in (("tutorial", "the tutorial"), ("course", "the course's DCGAN")):
        r = quality_rows[name]
        rows.append((f"after {args.budget:g} s of training: {label}",
                     f"{r['steps']} steps; FID-like **{r['fid_like']:.3g}**, {r['coverage']} of 10 classes"))
    rows.append(("judge", f"`gan.judge.DigitJudge` (notebook 06's), test accuracy {judge.test_accuracy:.1%}; "
                          f"{n_features} features; {args.samples} generated digits "
                          f"against all {n_images} real ones"))
    lines = ["| what | measured |", "|---|---|"] + [f"| {a} | {b} |" for a, b in rows]
    lines += ["", f"Command: `python benchmarks/gan_speed.py {' '.join(sys.argv[1:])}`".rstrip()]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default="sklearn", choices=["sklearn", "mnist", "fashion_mnist"],
                        help="the training digits (default: scikit-learn's, offline)")
    parser.add_argument("--batch", type=int, default=256, help="batch size (default 256, the tutorial's)")
    parser.add_argument("--steps", type=int, default=10, help="steps per speed timing (default 10)")
    parser.add_argument("--repeats", type=int, default=5, help="interleaved timings per step (default 5)")
    parser.add_argument("--budget", type=float, default=240.0, help="seconds of training for the quality race (default 240)")
    parser.add_argument("--samples", type=int, default=1000, help="generated digits to score (default 1000)")
    parser.add_argument("--judge-epochs", type=int, default=15, help="epochs of the judging classifier (default 15)")
    parser.add_argument("--write", action="store_true", help="write the results into benchmarks/README.md")
    args = parser.parse_args(argv)
    keras.utils.set_random_seed(0)
    images, labels = data.digits(28, args.data, value_range=(-1, 1))
    print(f"{machine()}\n{len(images)} {args.data} digits; speed: {args.repeats} × {args.steps} steps each ...",
          flush=True)
    contenders = {"tutorial": Tutorial(args.batch), "course_step": Course(own_networks=False),
                  "course": Course(own_networks=True)}
    speed = step_speed(contenders, images, args.batch, args.steps, args.repeats)
    print("  " + ", ".join(f"{k} {v:.3f} s/step" for k, v in speed.items()), flush=True)

    print(f"judge: a small CNN on the real digits ({args.judge_epochs} epochs) ...", flush=True)
    judge = DigitJudge.train(images, labels, epochs=args.judge_epochs, progress=False)
    reference = judge.floor(images, samples=args.samples)
    real_features = judge.features(images)
    quality_rows = {}
    for name, trainer in (("tutorial", Tutorial(args.batch)), ("course", Course(own_networks=True))):
        print(f"{name}: {args.budget:g} s of training ...", flush=True)
        steps = trainer.train_for(batches(images, args.batch, seed=1), args.budget)
        scores = judge.score(trainer.sample(args.samples, seed=2), real_features=real_features)
        quality_rows[name] = {"steps": steps, "fid_like": scores.fid_like, "coverage": scores.coverage.covered}
        print(f"  {steps} steps, FID-like {quality_rows[name]['fid_like']:.3g}, "
              f"{quality_rows[name]['coverage']} classes", flush=True)
    table = report(args, len(images), speed, quality_rows, judge, real_features.shape[1], reference)
    print(table)
    if args.write:
        write_readme("gan-speed", table)
        print("written to benchmarks/README.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
