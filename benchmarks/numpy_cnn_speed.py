"""Notebook 01's NumPy operations and small CNN: fast enough to use interactively?

Notebook 01 convolves photos by hand with ``cnn.conv2d`` (a learner moves a slider and waits for
the picture) and trains ``cnn.small_cnn`` on the bundled digits. In one process this script times:

- ``cnn.conv2d`` on a grey image of each size, "valid" and "same" padding, against a plain Python
  double loop over output positions (the way the operation is first written down); the ratio is how
  much the course's vectorised version saves;
- one call of ``cnn.train_small_cnn`` on the digits (10 epochs), as notebook 01 runs it.

Each time is the median of ``--repeats`` calls after a warm-up call (``compare.seconds_per_image``).

    .venv/bin/python benchmarks/numpy_cnn_speed.py            # about a minute on a 2-core CPU
    .venv/bin/python benchmarks/numpy_cnn_speed.py --write    # ... and put the table in README.md
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402

from common import machine, write_readme  # noqa: E402
from course_utils import cnn, data  # noqa: E402
from course_utils.fast import compare  # noqa: E402


def loop_conv2d(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """"Valid" cross-correlation of a 2-D image, one output position at a time (the baseline)."""
    kh, kw = kernel.shape
    out = np.empty((image.shape[0] - kh + 1, image.shape[1] - kw + 1), np.float32)
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.sum(image[i:i + kh, j:j + kw] * kernel)
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[64, 128, 256], help="image sides in pixels")
    parser.add_argument("--repeats", type=int, default=3, help="timed calls per measurement (median)")
    parser.add_argument("--train", action=argparse.BooleanOptionalAction, default=True,
                        help="also time one training of the small digit CNN")
    parser.add_argument("--write", action="store_true", help="put the table into benchmarks/README.md")
    args = parser.parse_args(argv)

    kernel = cnn.KERNELS["sobel_x"]
    rows = [("machine", machine()), ("date", datetime.date.today().isoformat())]
    for size in args.sizes:
        image = np.random.default_rng(size).random((size, size), dtype=np.float32)
        np.testing.assert_allclose(cnn.conv2d(image, kernel), loop_conv2d(image, kernel), rtol=1e-4, atol=1e-4)
        course = {padding: compare.seconds_per_image(lambda p=padding: cnn.conv2d(image, kernel, padding=p),
                                                     repeats=args.repeats)
                  for padding in ("valid", "same")}
        loop = compare.seconds_per_image(loop_conv2d, image, kernel, repeats=args.repeats)
        rows.append((f"{size}×{size} px, 3×3 kernel: `cnn.conv2d`",
                     f"valid {course['valid'] * 1e3:.2f} ms, same {course['same'] * 1e3:.2f} ms; "
                     f"the Python loop {loop * 1e3:.1f} ms (**{loop / course['valid']:.0f}×** slower)"))
    if args.train:
        images, labels = data.digits()
        seconds = compare.seconds_per_image(lambda: cnn.train_small_cnn(images, labels, progress=False),
                                            repeats=1, warmup=0)
        rows.append(("`cnn.train_small_cnn` on the digits (10 epochs)", f"{seconds:.1f} s"))
    table = "| what | measured |\n|---|---|\n" + "\n".join(f"| {a} | {b} |" for a, b in rows)
    table += "\n\nCommand: `python benchmarks/numpy_cnn_speed.py --write`"
    print(table)
    if args.write:
        write_readme("numpy-cnn-speed", table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
