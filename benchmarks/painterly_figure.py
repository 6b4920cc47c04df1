"""What `course-stylize` paints: the tutorial's recipe, the command's old default and its new one, side by side.

    .venv/bin/python benchmarks/painterly_figure.py                 # 3 pairs, about 30 minutes on a 2-core CPU
    .venv/bin/python benchmarks/painterly_figure.py --quick         # tiny sizes, a one-minute try
    .venv/bin/python benchmarks/painterly_figure.py --reuse         # redraw the figure from the saved pictures

For each pair (a course photo and a course style), three recipes run through the command itself
(:func:`course_utils.stylize.main`, in this one process, VGG19 loaded once):

- **the TensorFlow tutorial's recipe**: its objective, Adam (learning rate 0.02, beta_1 0.99, epsilon 0.1),
  1000 steps from the photo, at 256 px as in ``benchmarks/style_transfer_speed.py``
  (``--objective tutorial --optimizer adam --steps 1000 --size 256``);
- **the old default** of the command: the tutorial's objective, 100 L-BFGS steps at 384 px
  (``--objective tutorial``);
- **the new default**: the painterly objective, coarse-to-fine to 512 px (no options).

Each picture is saved in ``--work`` (default ``/tmp/painterly_figure``), with its seconds, and measured
at 256 px against the painting (relative Gram distance at every style layer,
:func:`course_utils.losses.gram_distance`) and against the photo (relative distance of the
block4_conv2 and block5_conv2 features). The table is printed in Markdown; the figure (one row per
pair: photo, painting, the three pictures with their seconds) is written to ``--output``
(default ``book/_static/painterly.png``), reduced to 256 colours to stay small.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PAIRS = (("chelsea", "swirl"), ("astronaut", "mosaic"), ("coffee", "pointillism"))
MEASURE_SIZE = 256
CONTENT_LAYERS = ("block4_conv2", "block5_conv2")


def recipes(quick: bool, tutorial_steps: int = 1000) -> dict:
    """name -> (label, the command's options)."""
    if quick:
        return {"tutorial": ("the tutorial's recipe\n(Adam, 20 steps, 48 px)",
                             ["--objective", "tutorial", "--optimizer", "adam", "--steps", "20", "--size", "48"]),
                "old": ("old default\n(tutorial's loss, L-BFGS 6 steps, 64 px)",
                        ["--objective", "tutorial", "--steps", "6", "--size", "64"]),
                "new": ("new default\n(painterly, 64 px)", ["--steps", "9", "--size", "64"])}
    steps = "1000 steps" if tutorial_steps == 1000 else f"{tutorial_steps} of its 1000 steps"
    return {"tutorial": (f"the tutorial's recipe\nAdam, {steps}\n256 px",
                         ["--objective", "tutorial", "--optimizer", "adam", "--steps", str(tutorial_steps),
                          "--size", "256"]),
            "old": ("old default: tutorial's loss\nL-BFGS, 100 steps\n384 px", ["--objective", "tutorial"]),
            "new": ("new default: painterly\nL-BFGS, 100 + 50 steps\n256 px, then 512 px", [])}


def paint(work: Path, pairs, quick: bool, reuse: bool, tutorial_steps: int) -> dict:
    """Run every recipe on every pair (or read what an earlier run saved); returns the seconds:
    key -> {"wall": seconds on the clock, "cpu": this process's CPU seconds}."""
    from course_utils import models, stylize

    work.mkdir(parents=True, exist_ok=True)
    times_file = work / "seconds.json"
    seconds = json.loads(times_file.read_text()) if times_file.exists() else {}
    models.vgg19(verbose=False)  # once, outside the timings
    for content, style in pairs:
        for name, (_, options) in recipes(quick, tutorial_steps).items():
            key = f"{content}_{style}_{name}"
            target = work / f"{key}.png"
            if reuse and target.exists() and key in seconds:
                continue
            began, cpu = time.perf_counter(), time.process_time()
            code = stylize.main([content, style, *options, "--force", "--quiet", "-o", str(target)])
            if code != 0:
                raise SystemExit(f"course-stylize {content} {style} {' '.join(options)} failed ({code})")
            seconds[key] = {"wall": time.perf_counter() - began, "cpu": time.process_time() - cpu}
            times_file.write_text(json.dumps(seconds, indent=1))
            print(f"{key}: {seconds[key]['wall']:.1f} s, {seconds[key]['cpu']:.1f} CPU s", flush=True)
    return seconds


def measure(work: Path, pairs, quick: bool) -> list[dict]:
    """Per picture: Gram distance to the painting at each style layer, feature distance to the photo."""
    from course_utils import data, images, losses, models
    from course_utils._tf import tf

    size = 48 if quick else MEASURE_SIZE
    meter = models.feature_extractor(models.STYLE_LAYERS + CONTENT_LAYERS)
    rows = []
    for content, style in pairs:
        photo = data.content(content, size)
        painting = data.style(style, size)
        mine_photo, mine_painting = meter(photo[None]), meter(painting[None])
        pictures = {"photo": photo}
        pictures.update({name: images.resize(images.load(work / f"{content}_{style}_{name}.png"), photo.shape[:2])
                         for name in recipes(quick)})
        for name, picture in pictures.items():
            features = meter(picture[None])
            row = {"pair": f"{content} + {style}", "picture": name}
            for layer in models.STYLE_LAYERS:
                row[layer] = float(losses.gram_distance(losses.gram_matrix(features[layer])[0],
                                                        losses.gram_matrix(mine_painting[layer])[0]))
            for layer in CONTENT_LAYERS:
                row[f"photo {layer}"] = float(tf.norm(features[layer] - mine_photo[layer])
                                              / tf.norm(mine_photo[layer]))
            rows.append(row)
    return rows


def table(rows, seconds) -> str:
    from course_utils import models

    head = ["pair", "picture", "seconds", "CPU seconds"] + [f"Gram {n.split('_')[0][5:]}" for n in models.STYLE_LAYERS] \
        + [f"photo {n.replace('block', '').replace('_conv', '.')}" for n in CONTENT_LAYERS]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in rows:
        key = f"{row['pair'].replace(' + ', '_')}_{row['picture']}"
        cells = [row["pair"], row["picture"]] + ([f"{seconds[key][k]:.0f}" for k in ("wall", "cpu")]
                                                   if key in seconds else ["", ""])
        cells += [f"{row[n]:.2f}" for n in models.STYLE_LAYERS] + [f"{row['photo ' + n]:.2f}" for n in CONTENT_LAYERS]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def figure(work: Path, pairs, seconds, output: Path, quick: bool, tutorial_steps: int, clock: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from PIL import Image

    from course_utils import _io, data, images

    columns = {"photo": "the photo", "painting": "the painting"}
    columns.update({name: label for name, (label, _) in recipes(quick, tutorial_steps).items()})
    size = 64 if quick else 256
    fig, axes = plt.subplots(len(pairs), len(columns), figsize=(2.4 * len(columns), 2.0 * len(pairs) + 1.0),
                             squeeze=False)
    for row, (content, style) in enumerate(pairs):
        pictures = {"photo": data.content(content, size), "painting": data.style(style, size)}
        pictures.update({name: images.load(work / f"{content}_{style}_{name}.png")
                         for name in recipes(quick, tutorial_steps)})
        for col, (name, label) in enumerate(columns.items()):
            ax = axes[row, col]
            ax.imshow(pictures[name], interpolation="lanczos")
            ax.set_xticks([]), ax.set_yticks([])
            key = f"{content}_{style}_{name}"
            title = label if row == 0 else ""
            if key in seconds:
                took = f"{seconds[key][clock]:.0f} s" + (" of CPU" if clock == "cpu" else "")
                title = f"{title}\n{took}" if title else took
            elif name in ("photo", "painting") and row > 0:
                title = content if name == "photo" else style
            if name in ("photo", "painting") and row == 0:
                title = f"{label}\n{content if name == 'photo' else style}"
            ax.set_title(title, fontsize=8)
    fig.tight_layout()
    with _io.atomic_path(output) as tmp:
        fig.savefig(tmp, dpi=80)
        with Image.open(tmp) as im:  # 256 colours: a fifth of the bytes, hardly visible at this size
            small = im.convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        small.save(tmp, optimize=True)
    plt.close(fig)
    print(f"wrote {output} ({output.stat().st_size / 1024:.0f} KB)")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes and few steps, to try the script")
    parser.add_argument("--reuse", action="store_true", help="keep the pictures already in --work")
    parser.add_argument("--work", type=Path, default=Path("/tmp/painterly_figure"), help="where the pictures go")
    parser.add_argument("--output", type=Path, default=ROOT / "book" / "_static" / "painterly.png")
    parser.add_argument("--tutorial-steps", type=int, default=1000,
                        help="Adam steps of the tutorial's recipe (default: its 1000)")
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                        help="the seconds the figure shows: on the clock, or this process's CPU time "
                             "(steadier on a shared machine)")
    parser.add_argument("--pairs", nargs="+", metavar="PHOTO+STYLE", default=None,
                        help="pairs such as chelsea+swirl (default: " + " ".join("+".join(p) for p in PAIRS) + ")")
    args = parser.parse_args(argv)
    pairs = [tuple(p.split("+", 1)) for p in args.pairs] if args.pairs else list(PAIRS)
    seconds = paint(args.work, pairs, args.quick, args.reuse, args.tutorial_steps)
    print(table(measure(args.work, pairs, args.quick), seconds))
    figure(args.work, pairs, seconds, args.output, args.quick, args.tutorial_steps, args.clock)
    return 0


if __name__ == "__main__":
    sys.exit(main())
