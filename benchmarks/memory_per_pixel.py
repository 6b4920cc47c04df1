"""Bytes of memory per pixel for each kind of work the course does with a picture.

``course_utils.memory`` refuses a size that would not fit in this machine's memory, from an estimate:
bytes per pixel of the picture for each kind of work (loading, the optimisation loop, each network's
forward pass) plus a fixed part. This script measures those numbers with real runs, so that the
estimate can be checked or measured again after a change (the numbers used are written down in
``course_utils/memory.py``).

Each measurement runs in a fresh process: it first does the same work on a tiny picture (so that
TensorFlow, the weights and the compiled functions are already in memory), notes the peak resident
memory, does the work at the size asked for and notes the peak again. The growth, divided by the
picture's pixels, is the bytes per pixel; two sizes per kind show whether it is proportional.

    .venv/bin/python benchmarks/memory_per_pixel.py              # about 3 minutes on a 2-core CPU
    .venv/bin/python benchmarks/memory_per_pixel.py transfer     # one kind of work
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

#: kind of work -> the sizes (longest side, pixels) it is measured at.
SIZES = {
    "load": (2000, 4000),
    "resize": (2000, 4000),
    "features": (512, 1024),
    "transfer": (384, 768),
    "feedforward": (512, 1024),
    "adain": (512, 1024),
    "magenta": (1024, 2048),
}
WARM_UP = 48


def _peak() -> int:
    """Peak resident memory of this process so far, in bytes (Linux reports KiB)."""
    value = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return value if sys.platform == "darwin" else value * 1024


def _work(kind: str):
    """A function size -> (pixels of the picture worked on) that does ``kind`` of work once."""
    import numpy as np

    from course_utils import data, images

    if kind == "load":
        folder = tempfile.mkdtemp()
        path = os.path.join(folder, "small.png")
        images.save(data.content("astronaut", size=64), path)
        return lambda size: int(np.prod(images.load(path, size=size).shape[:2]))
    if kind == "resize":
        small = data.content("astronaut", size=64)
        return lambda size: int(np.prod(images.load(small, size=size).shape[:2]))
    photo = data.content("astronaut")  # 512 x 512: square, like the style, so pixels are the same for both
    if kind == "features":
        from course_utils import models

        extractor = models.feature_extractor(models.STYLE_LAYERS + ("block5_conv2",))

        def features(size):
            picture = images.load(photo, size=size)
            extractor(images.to_batch(picture))
            return picture.shape[0] * picture.shape[1]
        return features
    if kind == "transfer":
        from course_utils import transfer

        def paint(size):
            picture = images.load(photo, size=size)
            transfer.stylize(picture, data.style("swirl", size=size), steps=3, progress=False)
            return picture.shape[0] * picture.shape[1]
        return paint
    style = data.style("swirl", size=256)
    if kind == "feedforward":
        from course_utils.fast import feedforward
        net = feedforward.transform_net()
        stylize = lambda picture: feedforward.stylize(net, picture)  # noqa: E731
    elif kind == "adain":
        from course_utils.fast import adain
        model = adain.AdaINModel()
        stylize = lambda picture: model.stylize(picture, style)  # noqa: E731
    elif kind == "magenta":
        from course_utils.fast import magenta
        stylize = lambda picture: magenta.stylize(picture, style)  # noqa: E731
    else:
        raise SystemExit(f"unknown kind of work {kind!r}; choose from {', '.join(SIZES)}")

    def run(size):
        picture = images.load(photo, size=size)
        stylize(picture)
        return picture.shape[0] * picture.shape[1]
    return run


def child(kind: str, size: int) -> None:
    work = _work(kind)
    work(WARM_UP)
    before = _peak()
    pixels = work(size)
    print(json.dumps({"kind": kind, "size": size, "pixels": pixels, "growth": _peak() - before, "peak": _peak()}))


def measure(kind: str, size: int) -> dict:
    done = subprocess.run([sys.executable, os.path.abspath(__file__), "--child", kind, str(size)],
                          capture_output=True, text=True, env={**os.environ, "COURSE_MEMORY_GB": "1000"})
    if done.returncode != 0:
        raise SystemExit(f"{kind} at {size} px failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("kinds", nargs="*", default=list(SIZES), help=f"kinds of work (default: {' '.join(SIZES)})")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child[0], int(args.child[1]))
        return 0
    print("| work | size | pixels | growth of the peak | bytes per pixel |")
    print("|---|---|---|---|---|")
    for kind in args.kinds:
        for size in SIZES[kind]:
            row = measure(kind, size)
            print(f"| {kind} | {size} | {row['pixels']:,} | {row['growth'] / 1e6:,.0f} MB | "
                  f"{row['growth'] / row['pixels']:,.0f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
