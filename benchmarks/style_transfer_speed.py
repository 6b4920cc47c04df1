"""How fast is the course's style transfer? Against the TensorFlow tutorial's recipe, in one process.

    .venv/bin/python benchmarks/style_transfer_speed.py            # 256 px, 1000 tutorial steps (~10 min on 2 cores)
    .venv/bin/python benchmarks/style_transfer_speed.py --write    # ... and put the results in benchmarks/README.md
    .venv/bin/python benchmarks/style_transfer_speed.py --size 64 --steps 20   # a quick try

Both methods minimise the same objective on the same photo and painting: the tutorial's
(content from block5_conv2, style from the first conv of each block, weights 1e4 / 1e-2 / 30,
total variation as ``tf.image.total_variation``), checked to agree on the starting image.

- The baseline is the tutorial's code, re-implemented faithfully: a Keras model with the
  style and content outputs, ``tf.function`` step with ``GradientTape``, Adam (lr 0.02,
  beta_1 0.99, epsilon 0.1), clip to [0, 1], ``--steps`` steps from the photo.
- The course's default is :func:`course_utils.transfer.optimize` with L-BFGS, stopped as soon
  as its loss is at or below the baseline's final loss (or when it has used as much time as
  the baseline did).

Reported: the baseline's wall time and final loss, the course's time to reach that loss and
the ratio; seconds per step of each; the achieved GFLOP/s of one VGG19 forward + backward pass
(convolutions only, counted from the layer shapes) against the GFLOP/s of one large
``tf.nn.conv2d`` measured in the same run.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

from course_utils import data, models, transfer  # noqa: E402
from course_utils._tf import keras, tf  # noqa: E402
from common import README, machine, write_readme  # noqa: E402

CONTENT_LAYERS = ("block5_conv2",)
STYLE_LAYERS = models.STYLE_LAYERS  # block1_conv1 ... block5_conv1, as in the tutorial
WEIGHTS = {"content": 1e4, "style": 1e-2, "tv": 30.0}


# ----------------------------------------------------------------------------- the tutorial
class TutorialRecipe:
    """The TensorFlow style-transfer tutorial's model, loss and training step."""

    def __init__(self, vgg: keras.Model, content: np.ndarray, style: np.ndarray):
        names = list(STYLE_LAYERS) + list(CONTENT_LAYERS)
        self.model = keras.Model(vgg.input, [vgg.get_layer(n).output for n in names])
        self.model.trainable = False
        self.style_targets = self._outputs(tf.constant(style[None]))[0]
        self.content_targets = self._outputs(tf.constant(content[None]))[1]
        self.optimizer = keras.optimizers.Adam(learning_rate=0.02, beta_1=0.99, epsilon=1e-1)

    @staticmethod
    def _gram(x):
        result = tf.einsum("bijc,bijd->bcd", x, x)
        shape = tf.shape(x)
        return result / tf.cast(shape[1] * shape[2], tf.float32)

    def _outputs(self, image):
        outputs = self.model(keras.applications.vgg19.preprocess_input(image * 255.0))
        count = len(STYLE_LAYERS)
        return [self._gram(o) for o in outputs[:count]], list(outputs[count:])

    def loss(self, image):
        styles, contents = self._outputs(image)
        style = tf.add_n([tf.reduce_mean((s - t) ** 2) for s, t in zip(styles, self.style_targets)])
        content = tf.add_n([tf.reduce_mean((c - t) ** 2) for c, t in zip(contents, self.content_targets)])
        return (WEIGHTS["style"] * style / len(STYLE_LAYERS) + WEIGHTS["content"] * content / len(CONTENT_LAYERS)
                + WEIGHTS["tv"] * tf.image.total_variation(image)[0])

    @tf.function
    def train_step(self, image):
        with tf.GradientTape() as tape:
            loss = self.loss(image)
        self.optimizer.apply_gradients([(tape.gradient(loss, image), image)])
        image.assign(tf.clip_by_value(image, 0.0, 1.0))
        return loss


def run_baseline(vgg, content, style, steps: int) -> dict:
    recipe = TutorialRecipe(vgg, content, style)
    image = tf.Variable(content[None])
    recipe.train_step(image)  # trace and compile once, then start again from the photo
    image.assign(content[None])
    for variable in recipe.optimizer.variables:  # fresh Adam state (keeping its learning rate)
        if "learning_rate" not in variable.path:
            variable.assign(tf.zeros_like(variable))
    trace = []
    began = time.perf_counter()
    for _ in range(steps):
        loss = float(recipe.train_step(image).numpy())  # the loss before this step's update
        trace.append((time.perf_counter() - began, loss))
    seconds = time.perf_counter() - began
    return {"seconds": seconds, "final_loss": float(recipe.loss(image)), "per_step": seconds / steps,
            "start_loss": float(recipe.loss(tf.constant(content[None]))), "trace": np.array(trace)}


def loss_at(trace: np.ndarray, seconds: float) -> float:
    """The last loss recorded at or before ``seconds`` (the first one if none)."""
    index = max(int(np.searchsorted(trace[:, 0], seconds, side="right")) - 1, 0)
    return float(trace[index, 1])


# ----------------------------------------------------------------------------- the course
class _Reached(Exception):
    pass


def run_course(vgg, content, style, target: float, budget: float) -> dict:
    objective = transfer.Objective(content, style, content_layers=CONTENT_LAYERS, style_layers=STYLE_LAYERS,
                                   content_weight=WEIGHTS["content"], style_weight=WEIGHTS["style"],
                                   tv_weight=WEIGHTS["tv"], base=vgg)
    start_loss = float(objective.value_and_grad(content[None])[0])  # also traces the compiled step
    trace = []
    began = time.perf_counter()

    def watch(step, image, parts):
        total = sum(objective.weights[k] * parts[k] for k in parts)
        trace.append((time.perf_counter() - began, total))
        if total <= target or trace[-1][0] > budget:
            raise _Reached

    try:
        transfer.optimize(objective, content, steps=100_000, optimizer="lbfgs", progress=False,
                          callback=watch, callback_every=1)
    except _Reached:
        pass
    times, losses = np.array(trace).T
    hit = np.nonzero(losses <= target)[0]
    return {"start_loss": start_loss, "steps": len(trace), "per_step": times[-1] / len(trace),
            "seconds": float(times[hit[0]]) if len(hit) else None, "final_loss": float(losses[-1]),
            "trace": np.array(trace)}


# ----------------------------------------------------------------------------- throughput
def conv_flops(vgg, height: int, width: int, deepest: str) -> float:
    """Multiply-adds x 2 of VGG19's convolutions up to ``deepest``, on a height x width image."""
    flops = 0.0
    for layer in vgg.layers:
        if isinstance(layer, keras.layers.MaxPooling2D):
            height, width = height // 2, width // 2
        elif isinstance(layer, keras.layers.Conv2D):
            kh, kw, cin, cout = layer.kernel.shape
            flops += 2.0 * height * width * kh * kw * cin * cout
        if layer.name == deepest:
            break
    return flops


def timed(fn, repeats: int) -> float:
    fn()
    began = time.perf_counter()
    for _ in range(repeats):
        fn()
    return (time.perf_counter() - began) / repeats


def throughput(vgg, content) -> dict:
    x = tf.random.normal((1, 64, 64, 256))
    k = tf.random.normal((3, 3, 256, 256))
    conv = tf.function(lambda: tf.nn.conv2d(x, k, 1, "SAME"))
    conv_seconds = timed(lambda: conv().numpy(), 20)
    conv_gflops = 2.0 * 64 * 64 * 9 * 256 * 256 / conv_seconds / 1e9
    extractor = models.feature_extractor(STYLE_LAYERS + CONTENT_LAYERS, vgg)
    batch = tf.constant(content[None])

    @tf.function
    def forward_backward():
        with tf.GradientTape() as tape:
            tape.watch(batch)
            total = tf.add_n([tf.reduce_sum(v) for v in extractor(batch).values()])
        return tape.gradient(total, batch)

    pass_seconds = timed(lambda: forward_backward().numpy(), 5)
    # the backward pass computes gradients for the input only (the weights are constants):
    # about as many operations as the forward pass
    flops = 2 * conv_flops(vgg, content.shape[0], content.shape[1], CONTENT_LAYERS[0])
    return {"conv_gflops": conv_gflops, "pass_seconds": pass_seconds, "pass_gflop": flops / 1e9,
            "pass_gflops": flops / pass_seconds / 1e9}


# ----------------------------------------------------------------------------- report
def report(args, base, course, speed) -> str:
    reached = course["seconds"] is not None
    ratio = base["seconds"] / course["seconds"] if reached else None
    rows = [
        ("machine", machine()),
        ("date", datetime.date.today().isoformat()),
        ("pictures", f"{args.content} + {args.style}, {args.size} px longest side"),
        ("same objective", f"start loss {base['start_loss']:.6g} (tutorial) vs {course['start_loss']:.6g} (course)"),
        ("baseline: tutorial Adam", f"{args.steps} steps in {base['seconds']:.1f} s ({base['per_step']:.3f} s/step), "
                                    f"final loss {base['final_loss']:.4g}"),
        ("course: L-BFGS", (f"reached {base['final_loss']:.4g} after {course['steps']} steps in "
                            f"{course['seconds']:.1f} s ({course['per_step']:.3f} s/step)") if reached else
         (f"did not reach it: {course['final_loss']:.4g} after {course['steps']} steps, "
          f"{course['per_step']:.3f} s/step")),
        ("speed-up (baseline time / course time)", f"**{ratio:.2f}×**" if reached else "—"),
        (f"loss after a fifth of the baseline's time ({base['seconds'] / 5:.0f} s)",
         f"tutorial {loss_at(base['trace'], base['seconds'] / 5):.4g}, "
         f"course {loss_at(course['trace'], base['seconds'] / 5):.4g}"),
        ("one VGG19 forward + backward pass", f"{speed['pass_seconds']:.3f} s, {speed['pass_gflop']:.1f} GFLOP, "
                                              f"{speed['pass_gflops']:.1f} GFLOP/s"),
        ("one large `tf.nn.conv2d` (64×64×256 → 256, 3×3)", f"{speed['conv_gflops']:.1f} GFLOP/s"),
        ("the pass's share of conv throughput", f"{speed['pass_gflops'] / speed['conv_gflops']:.0%}"),
    ]
    lines = ["| what | measured |", "|---|---|"] + [f"| {a} | {b} |" for a, b in rows]
    lines.append("")
    lines.append(f"Command: `python benchmarks/style_transfer_speed.py {' '.join(sys.argv[1:])}`".rstrip())
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=256, help="longest side in pixels (default 256)")
    parser.add_argument("--steps", type=int, default=1000, help="the tutorial's Adam steps (default 1000)")
    parser.add_argument("--content", default="chelsea", help="a course photo (default chelsea)")
    parser.add_argument("--style", default="swirl", help="a course style (default swirl)")
    parser.add_argument("--write", action="store_true", help="write the results into benchmarks/README.md")
    args = parser.parse_args(argv)
    vgg = models.vgg19(verbose=False)
    content, style = data.content(args.content, args.size), data.style(args.style, args.size)
    print(f"{machine()}\nbaseline: the tutorial's Adam, {args.steps} steps at {args.size} px ...", flush=True)
    base = run_baseline(vgg, content, style, args.steps)
    print(f"  {base['seconds']:.1f} s, final loss {base['final_loss']:.4g}\ncourse: L-BFGS to that loss ...",
          flush=True)
    course = run_course(vgg, content, style, base["final_loss"], budget=base["seconds"])
    if not np.isclose(base["start_loss"], course["start_loss"], rtol=1e-4):
        raise SystemExit(f"the two objectives differ on the photo ({base['start_loss']:.6g} vs "
                         f"{course['start_loss']:.6g}); the comparison would be meaningless")
    print("throughput ...", flush=True)
    speed = throughput(vgg, content)
    table = report(args, base, course, speed)
    print(table)
    if args.write:
        write_readme("style-transfer-speed", table)
        print(f"written to {README}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
