"""How fast is the course's style transfer? Against the TensorFlow tutorial's recipe, over several pairs, in one process.

    .venv/bin/python benchmarks/style_transfer_speed.py            # 4+ pairs, 256 px, 1000 tutorial steps (~40 min)
    .venv/bin/python benchmarks/style_transfer_speed.py --write    # ... and put the results in benchmarks/README.md
    .venv/bin/python benchmarks/style_transfer_speed.py --size 128 --steps 300 --lever f32,bf16,bf16+bounds
    .venv/bin/python benchmarks/style_transfer_speed.py --pairs photo.jpg:painting.jpg,coffee:starry_night

Both methods minimise the same objective on the same photo and painting: the tutorial's
(content from block5_conv2, style from the first conv of each block, weights 1e4 / 1e-2 / 30,
total variation as ``tf.image.total_variation``), checked to agree on the starting image.

- The baseline is the tutorial's code, re-implemented faithfully: a Keras model with the
  style and content outputs, ``tf.function`` step with ``GradientTape``, Adam (lr 0.02,
  beta_1 0.99, epsilon 0.1), clip to [0, 1], ``--steps`` steps from the photo, float32.
- The course is :func:`course_utils.transfer.optimize` (L-BFGS) with its defaults, or with
  the settings of a *lever* (``--lever``, several separated by commas, each run on every
  pair). Its picture is re-evaluated, clipped to [0, 1], in float32 on the tutorial's own
  loss whenever its own loss comes near the target; only that counts as "reached" (the time
  the checks take is not counted). It stops when reached, or when it has used as much time
  as the tutorial did.

Pairs are ``photo:painting``, each a course name (``chelsea``, ``swirl``, ``starry_night`` ...),
a file path or a URL. By default: four of the course's photos with the course's four styles, and
the famous paintings when they are cached or a classroom mirror is set (``COURSE_PAINTINGS_URL``).

Reported per pair and as the median: the tutorial's time and final loss, the course's time to
that loss (and evaluations), the ratio, the loss of each after a fifth of the tutorial's time;
and the seconds and GFLOP/s of one evaluation of the course's objective in float32 and bfloat16
against one large ``tf.nn.conv2d`` in the same precision.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

from course_utils import data, images, models, precision, transfer  # noqa: E402
from course_utils._tf import keras, tf  # noqa: E402
from common import README, machine, write_readme  # noqa: E402

CONTENT_LAYERS = ("block5_conv2",)
STYLE_LAYERS = models.STYLE_LAYERS  # block1_conv1 ... block5_conv1, as in the tutorial
WEIGHTS = {"content": 1e4, "style": 1e-2, "tv": 30.0}
COURSE_PAIRS = ("chelsea:swirl", "astronaut:mosaic", "coffee:composition", "rocket:pointillism")
PAINTING_PAIRS = ("chelsea:starry_night", "astronaut:the_scream", "coffee:shipwreck")
#: the course's own loss must be this close to the target before the float32 check is made
NEAR = 1.03


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
        self.compiled_loss = tf.function(self.loss)

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

    def judge(self, image: np.ndarray) -> float:
        """The tutorial's float32 loss of a picture, clipped to [0, 1] as a picture is."""
        return float(self.compiled_loss(tf.constant(np.clip(image, 0.0, 1.0)[None].astype(np.float32))))

    @tf.function
    def train_step(self, image):
        with tf.GradientTape() as tape:
            loss = self.loss(image)
        self.optimizer.apply_gradients([(tape.gradient(loss, image), image)])
        image.assign(tf.clip_by_value(image, 0.0, 1.0))
        return loss


def run_baseline(recipe: TutorialRecipe, content, steps: int) -> dict:
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
    return {"seconds": seconds, "final_loss": recipe.judge(image.numpy()[0]), "per_step": seconds / steps,
            "start_loss": recipe.judge(content), "trace": np.array(trace)}


def loss_at(trace: np.ndarray, seconds: float) -> float:
    """The last loss recorded at or before ``seconds`` (the first one if none)."""
    index = max(int(np.searchsorted(trace[:, 0], seconds, side="right")) - 1, 0)
    return float(trace[index, 1])


# ----------------------------------------------------------------------------- levers
def parse_lever(text: str) -> dict:
    """A lever's settings from its name: ``default`` or tokens joined by ``+``:
    ``f32`` / ``bf16`` (the convolutions' precision), ``course`` / ``scipy`` (whose L-BFGS),
    ``clip`` / ``bounds`` (how scipy's keeps the pixels in [0, 1]; implies ``scipy``),
    ``mN`` (L-BFGS's history), ``finishF`` (the share of steps after which bfloat16 hands over to
    float32), ``struggleF`` (hand over when the last steps needed more than F evaluations each;
    ``struggle99`` never does), ``c2fN`` (N steps at half the size first), ``rms`` / ``scalar`` (L-BFGS's
    first guess of the inverse Hessian: one scale per pixel or one for all)."""
    settings = {"precision": None, "solver": transfer.LBFGS_SOLVER, "bounds": transfer.LBFGS_BOUNDS,
                "history": transfer.LBFGS_HISTORY, "finish": transfer.FLOAT32_FINISH,
                "struggle": transfer.STRUGGLE_EVALUATIONS, "coarse": 0, "scaling": transfer.LBFGS_SCALING}
    if text == "default":
        return settings
    for token in text.split("+"):
        if token in ("f32", "bf16"):
            settings["precision"] = {"f32": "float32", "bf16": "bfloat16"}[token]
        elif token in ("clip", "bounds"):
            settings["bounds"], settings["solver"] = token, "scipy"
        elif token in ("scipy", "course"):
            settings["solver"] = token
        elif token.startswith("m") and token[1:].isdigit():
            settings["history"] = int(token[1:])
        elif token.startswith("finish"):
            settings["finish"] = float(token[6:])
        elif token.startswith("struggle"):
            settings["struggle"] = float(token[8:])
        elif token in transfer.LBFGS_SCALINGS:
            settings["scaling"] = token
        elif token.startswith("c2f") and token[3:].isdigit():
            settings["coarse"] = int(token[3:])
        else:
            raise SystemExit(f"unknown lever {token!r} in {text!r}; use default, f32, bf16, clip, bounds, mN, "
                             "finishF, struggleF, c2fN, rms or scalar, joined with +")
    return settings


@contextlib.contextmanager
def lever_settings(settings: dict):
    names = ("LBFGS_SOLVER", "LBFGS_BOUNDS", "LBFGS_HISTORY", "FLOAT32_FINISH", "STRUGGLE_EVALUATIONS",
             "LBFGS_SCALING")
    saved = [getattr(transfer, name) for name in names]
    for name, key in zip(names, ("solver", "bounds", "history", "finish", "struggle", "scaling")):
        setattr(transfer, name, settings[key])
    try:
        yield
    finally:
        for name, value in zip(names, saved):
            setattr(transfer, name, value)


# ----------------------------------------------------------------------------- the course
class _Stop(Exception):
    pass


def course_objective(vgg, content, style, precision_name=None):
    return transfer.Objective(content, style, content_layers=CONTENT_LAYERS, style_layers=STYLE_LAYERS,
                              content_weight=WEIGHTS["content"], style_weight=WEIGHTS["style"],
                              tv_weight=WEIGHTS["tv"], base=vgg, precision=precision_name)


class Counting:
    """An objective that counts its evaluations."""

    def __init__(self, objective):
        self.objective, self.dtype, self.calls = objective, objective.dtype, 0

    def value_and_grad(self, batch, dtype=None):
        self.calls += 1
        return self.objective.value_and_grad(batch, dtype)


def run_course(vgg, recipe: TutorialRecipe, content, style, target: float, budget: float, settings: dict) -> dict:
    objective = Counting(course_objective(vgg, content, style, settings["precision"]))
    objective.value_and_grad(content[None])  # trace the compiled step(s) before the clock starts
    objective.value_and_grad(content[None], "float32")
    objective.calls = 0
    coarse = None
    if settings["coarse"]:
        size = max(content.shape[:2]) // 2
        small_photo = images.load(content, size=size)
        small_style = images.load(style, size=max(16, max(style.shape[:2]) // 2))
        coarse = Counting(course_objective(vgg, small_photo, small_style, settings["precision"]))
        coarse.value_and_grad(small_photo[None])
        coarse.value_and_grad(small_photo[None], "float32")
        coarse.calls = 0
    state = {"paused": 0.0, "reached": None, "fifth": None, "previous": (0.0, content), "steps": 0}
    trace = []
    began = time.perf_counter()

    def now():
        return time.perf_counter() - began - state["paused"]

    def check(image):
        pause = time.perf_counter()
        value = recipe.judge(image)
        state["paused"] += time.perf_counter() - pause
        return value

    def watch(step, image, parts):
        t = now()
        state["steps"] += 1
        own = sum(objective.objective.weights[k] * parts[k] for k in parts)
        trace.append((t, own))
        if state["fifth"] is None and t > budget / 5:
            state["fifth"] = check(state["previous"][1])
        state["previous"] = (t, image.copy())
        if own <= target * NEAR and check(image) <= target:
            state["reached"] = t
            raise _Stop
        if t > budget:
            raise _Stop

    with lever_settings(settings):
        start = content
        if coarse is not None:
            small = transfer.optimize(coarse, small_photo, steps=settings["coarse"], progress=False)
            # the coarse change, upsampled, on top of the photo's own detail
            start = np.clip(content + images.resize(small.image - small_photo, content.shape[:2]), 0.0, 1.0)
        try:
            transfer.optimize(objective, start, steps=100_000, progress=False, callback=watch, callback_every=1)
        except _Stop:
            pass
    if state["fifth"] is None:
        state["fifth"] = check(state["previous"][1])
    return {"seconds": state["reached"], "steps": state["steps"], "evaluations": objective.calls,
            "coarse_evaluations": coarse.calls if coarse else 0, "final_loss": check(state["previous"][1]),
            "per_eval": now() / max(objective.calls, 1), "fifth": state["fifth"], "trace": np.array(trace)}


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
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        fn()
        times.append(time.perf_counter() - began)
    return float(np.median(times))


def throughput(vgg, content, style, repeats: int = 5) -> dict:
    out = {}
    flops = 2 * conv_flops(vgg, content.shape[0], content.shape[1], CONTENT_LAYERS[0])  # forward + input gradient
    objective = course_objective(vgg, content, style, "float32")
    batch = tf.constant(content[None])
    for dtype in ("float32", "bfloat16"):
        x = tf.cast(tf.random.normal((1, 64, 64, 256)), dtype)
        k = tf.cast(tf.random.normal((3, 3, 256, 256)), dtype)
        conv = tf.function(lambda x=x, k=k: tf.nn.conv2d(x, k, 1, "SAME"))
        conv_seconds = timed(lambda: conv().numpy(), 20)
        seconds = timed(lambda: objective.value_and_grad(batch, dtype)[0].numpy(), repeats)
        out[dtype] = {"conv_gflops": 2.0 * 64 * 64 * 9 * 256 * 256 / conv_seconds / 1e9, "seconds": seconds,
                      "gflop": flops / 1e9, "gflops": flops / seconds / 1e9}
    return out


# ----------------------------------------------------------------------------- pairs
def default_pairs() -> list[str]:
    pairs = list(COURSE_PAIRS)
    mirror = os.environ.get(data.PAINTINGS_URL_ENV, "").strip()
    for pair in PAINTING_PAIRS:
        painting = pair.split(":")[1]
        if mirror or data._painting_cached(painting):
            pairs.append(pair)
    return pairs


def split_pair(text: str) -> tuple[str, str]:
    # a URL has ':' of its own: split at the ':' that is followed by neither '//' nor a digit (a port)
    for index, char in enumerate(text):
        if char == ":" and not text[index + 1:].startswith("//") and not text[index + 1:index + 2].isdigit() \
                and index > 1:  # not a Windows drive letter
            return text[:index], text[index + 1:]
    raise SystemExit(f"{text!r} is not a pair; write photo:painting, like chelsea:swirl")


# ----------------------------------------------------------------------------- report
def _ratio(row) -> float:
    return row["base"]["seconds"] / row["course"]["seconds"] if row["course"]["seconds"] else 0.0


def report(args, rows: list, levers: list, speed, loads: list) -> str:
    lines = [f"Machine: {machine()}. Date: {datetime.date.today().isoformat()}. {args.size} px longest side, "
             f"the tutorial's {args.steps} Adam steps. Load average (1 min) during the runs: "
             f"{min(loads):.2f}–{max(loads):.2f}.", ""]
    for lever in levers:
        mine = [r for r in rows if r["lever"] == lever]
        lines += [f"**Course: `{lever}`**" + (f" (the default: {default_description()})" if lever == "default" else ""),
                  "",
                  "| pair | tutorial: time, final loss | course: time to that loss (evaluations) | speed-up | "
                  "loss after a fifth of the tutorial's time: tutorial, course |",
                  "|---|---|---|---|---|"]
        for r in mine:
            b, c = r["base"], r["course"]
            reached = (f"{c['seconds']:.1f} s ({c['evaluations']}"
                       + (f" + {c['coarse_evaluations']} at half size" if c["coarse_evaluations"] else "") + ")"
                       if c["seconds"] else f"not reached: {c['final_loss']:.4g} after {c['evaluations']}")
            lines.append(f"| {r['pair']} | {b['seconds']:.1f} s, {b['final_loss']:.4g} | {reached} | "
                         f"{'**%.2f×**' % _ratio(r) if c['seconds'] else '< 1×'} | "
                         f"{loss_at(b['trace'], b['seconds'] / 5):.3g}, {c['fifth']:.3g} |")
        ratios = [_ratio(r) for r in mine]
        lines += [f"| **median** | | | **{np.median(ratios):.2f}×** (lowest {min(ratios):.2f}×) | |", ""]
    if speed:
        lines += ["One evaluation of the course's objective (loss and gradient, "
                  f"{rows[0]['shape'][1]}×{rows[0]['shape'][0]} px) against one large `tf.nn.conv2d` "
                  "(64×64×256 → 256, 3×3):", "",
                  "| precision | one evaluation | its convolutions | GFLOP/s | one large conv2d | share |",
                  "|---|---|---|---|---|---|"]
        for dtype, s in speed.items():
            lines.append(f"| {dtype} | {s['seconds']:.3f} s | {s['gflop']:.1f} GFLOP | {s['gflops']:.0f} GFLOP/s | "
                         f"{s['conv_gflops']:.0f} GFLOP/s | {s['gflops'] / s['conv_gflops']:.0%} |")
        lines.append("")
    lines.append(f"Command: `python benchmarks/style_transfer_speed.py {' '.join(sys.argv[1:])}`".rstrip())
    return "\n".join(lines)


def default_description() -> str:
    return (f"convolutions in {precision.compute_dtype()} on this machine, pixels kept in [0, 1] by "
            f"{'projection' if transfer.LBFGS_SOLVER == 'course' else repr(transfer.LBFGS_BOUNDS)}, "
            f"{transfer.LBFGS_SOLVER}'s L-BFGS with history {transfer.LBFGS_HISTORY}"
            + (", one scale per pixel (rms)" if transfer.LBFGS_SOLVER == "course" and transfer.LBFGS_SCALING == "rms"
               else ""))


def load1() -> float:
    try:
        return os.getloadavg()[0]
    except OSError:
        return float("nan")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=256, help="longest side in pixels (default 256)")
    parser.add_argument("--steps", type=int, default=1000, help="the tutorial's Adam steps (default 1000)")
    parser.add_argument("--pairs", default=None,
                        help="photo:painting pairs separated by commas (names, paths or URLs); default: "
                             + ", ".join(COURSE_PAIRS) + ", and the paintings' pairs when available")
    parser.add_argument("--lever", default="default",
                        help="the course's settings to race, separated by commas (default: the course's defaults); "
                             "see parse_lever")
    parser.add_argument("--no-throughput", action="store_true", help="skip the one-evaluation measurement")
    parser.add_argument("--baselines", default=None,
                        help="a .npz file to keep the tutorial's runs in and reuse them from (for screening levers)")
    parser.add_argument("--write", action="store_true", help="write the results into benchmarks/README.md")
    args = parser.parse_args(argv)
    levers = args.lever.split(",")
    settings = {lever: parse_lever(lever) for lever in levers}
    pairs = args.pairs.split(",") if args.pairs else default_pairs()
    vgg = models.vgg19(verbose=False)
    print(machine(), flush=True)
    rows, loads = [], [load1()]
    for pair in pairs:
        photo_name, style_name = split_pair(pair)
        content, style = data.load_any(photo_name, args.size), data.load_any(style_name, args.size)
        recipe = TutorialRecipe(vgg, content, style)
        course_start = float(course_objective(vgg, content, style, "float32").value_and_grad(content[None])[0])
        key = f"{pair}|{args.size}|{args.steps}"
        stored = dict(np.load(args.baselines, allow_pickle=True)) if args.baselines and os.path.exists(
            args.baselines) else {}
        if key in stored:
            base = stored[key].item()
            print(f"{pair}: the tutorial's run from {args.baselines}", flush=True)
        else:
            print(f"{pair}: tutorial, {args.steps} steps at {args.size} px ...", flush=True)
            base = run_baseline(recipe, content, args.steps)
            if args.baselines:
                stored[key] = np.array(base, dtype=object)
                np.savez(args.baselines, **stored)
        if not np.isclose(base["start_loss"], course_start, rtol=1e-4):
            raise SystemExit(f"the two objectives differ on the photo ({base['start_loss']:.6g} vs "
                             f"{course_start:.6g}); the comparison would be meaningless")
        print(f"  {base['seconds']:.1f} s, final loss {base['final_loss']:.4g} (load {load1():.2f})", flush=True)
        loads.append(load1())
        for lever in levers:
            course = run_course(vgg, recipe, content, style, base["final_loss"], base["seconds"], settings[lever])
            loads.append(load1())
            row = {"pair": pair.replace(":", " + "), "lever": lever, "base": base, "course": course,
                   "shape": content.shape}
            rows.append(row)
            print(f"  {lever}: " + (f"{course['seconds']:.1f} s, {_ratio(row):.2f}×" if course["seconds"] else
                                    f"not reached ({course['final_loss']:.4g})")
                  + f", {course['evaluations']} evaluations ({course['per_eval']:.3f} s each), {course['steps']} "
                    f"iterations; after a fifth: {course['fifth']:.3g} (load {load1():.2f})", flush=True)
    speed = None
    if not args.no_throughput:
        print("one evaluation ...", flush=True)
        first_photo, first_style = split_pair(pairs[0])
        speed = throughput(vgg, data.load_any(first_photo, args.size), data.load_any(first_style, args.size))
    table = report(args, rows, levers, speed, loads)
    print(table)
    if args.write:
        write_readme("style-transfer-speed", table)
        print(f"written to {README}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
