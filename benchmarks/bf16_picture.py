"""Does bfloat16 change the picture? The course's L-BFGS in float32 and in bfloat16, side by side.

    .venv/bin/python benchmarks/bf16_picture.py                 # 150 steps at 256 px, two pairs (~4 min)
    .venv/bin/python benchmarks/bf16_picture.py --out /tmp/bf16  # the pictures somewhere else

For each pair it prints how far apart the two pictures are (mean and 99th percentile of the pixel
difference, SSIM from scikit-image) beside how far the float32 picture moved from the photo, and
writes ``bf16_vs_f32_<photo>.png`` into ``--out`` (default: this folder): the float32 picture, the
bfloat16 one, and 0.5 + 4 × their difference (where they differ, amplified).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
from skimage.metrics import structural_similarity  # noqa: E402

from course_utils import data, images, models, transfer  # noqa: E402
from style_transfer_speed import course_objective, split_pair  # noqa: E402

HERE = Path(__file__).resolve().parent


def ssim(a, b) -> float:
    return float(structural_similarity(a, b, channel_axis=-1, data_range=1.0))


def compare(vgg, photo: str, painting: str, size: int, steps: int, out: Path) -> str:
    content, style = data.load_any(photo, size), data.load_any(painting, size)
    pictures = {dtype: transfer.optimize(course_objective(vgg, content, style, dtype), content, steps=steps,
                                         progress=False).image for dtype in ("float32", "bfloat16")}
    f32, bf16 = pictures["float32"], pictures["bfloat16"]
    difference = np.abs(f32 - bf16)
    path = images.save(np.concatenate([f32, bf16, np.clip(0.5 + 4 * (f32 - bf16), 0, 1)], axis=1),
                       out / f"bf16_vs_f32_{Path(photo).stem}.png")
    return (f"{photo}:{painting} mean |f32-bf16| {difference.mean() * 255:.1f}/255, 99th pct "
            f"{np.percentile(difference, 99) * 255:.1f}/255, SSIM {ssim(f32, bf16):.3f}; the change from the photo "
            f"itself: mean {np.abs(f32 - content).mean() * 255:.1f}/255, SSIM photo vs f32 {ssim(content, f32):.3f}"
            f" -> {path}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", default="chelsea:swirl,astronaut:mosaic", help="photo:painting pairs, by commas")
    parser.add_argument("--size", type=int, default=256, help="longest side in pixels (default 256)")
    parser.add_argument("--steps", type=int, default=150, help="L-BFGS steps of each run (default 150)")
    parser.add_argument("--out", type=Path, default=HERE, help="folder for the pictures (default: benchmarks/)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    vgg = models.vgg19(verbose=False)
    for pair in args.pairs.split(","):
        print(compare(vgg, *split_pair(pair), args.size, args.steps, args.out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
