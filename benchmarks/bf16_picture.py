"""Does bfloat16 change the picture? The course's L-BFGS, 150 steps at 256 px, in float32 and in bfloat16, side by side.

    .venv/bin/python benchmarks/bf16_picture.py     # prints the differences, writes /tmp/q/visible_<photo>.png

The third panel of each picture is 0.5 + 4 x (float32 - bfloat16): where the two differ, amplified.
"""
import os
os.makedirs("/tmp/q", exist_ok=True)
import sys, numpy as np
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import style_transfer_speed as b
from course_utils import data, models, transfer, images
from skimage.metrics import structural_similarity as ssim
vgg = models.vgg19(verbose=False)
out = {}
for pair in ("chelsea:swirl", "astronaut:mosaic"):
    p, s = pair.split(":")
    c, st = data.load_any(p, 256), data.load_any(s, 256)
    res = {}
    for prec in ("float32", "bfloat16"):
        obj = b.course_objective(vgg, c, st, prec)
        r = transfer.optimize(obj, c, steps=150, progress=False)
        res[prec] = r.image
    a, bb = res["float32"], res["bfloat16"]
    d = np.abs(a - bb)
    moved = np.abs(a - c).mean()
    print(pair, f"mean |f32-bf16| {d.mean():.4f} (0-1 scale; {d.mean()*255:.1f}/255), 99th pct {np.percentile(d, 99)*255:.1f}/255, "
          f"SSIM {ssim(a, bb, channel_axis=-1, data_range=1.0):.3f}; the change from the photo itself: mean {moved*255:.1f}/255, "
          f"SSIM photo vs f32 {ssim(c, a, channel_axis=-1, data_range=1.0):.3f}", flush=True)
    images.save(np.concatenate([a, bb, np.clip(0.5 + 4 * (a - bb), 0, 1)], axis=1), f"/tmp/q/visible_{p}.png")
