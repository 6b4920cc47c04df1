#!/usr/bin/env python3
"""The mistakes learners make most, each made for real, with the course's one-sentence answer.

The instructor's guide (``book/instructors.md``) shows, for each mistake, what the learner did, the
sentence the course prints, and what to say. The sentences are not copied by hand: each mistake
below is a small wrong function (or call) run against the real check or the real library, and
``python -m classroom.mistakes --write book/instructors.md`` puts what they print between the
guide's ``<!-- mistakes:start -->`` and ``<!-- mistakes:end -->`` lines. tests/test_instructors.py
runs them again and fails when a message has changed and the guide has not.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import re
import sys
from pathlib import Path

import numpy as np

START, END = "<!-- mistakes:start -->", "<!-- mistakes:end -->"


def _uphill(pixels, gradient, learning_rate):
    return np.clip(pixels + learning_rate * gradient, 0, 1).astype(np.float32)


def to_float_image(pixels):  # the learner's name for it
    (pixels / 255).astype(np.float32)


def _gram_unnormalised(features):
    flat = features.reshape(-1, features.shape[-1])
    return (flat.T @ flat).astype(np.float32)


def _true_convolution(image, kernel):
    from scipy.signal import convolve2d

    return convolve2d(image, kernel, mode="valid").astype(np.float32)


def _style_gram_divided(features, target_gram):
    h, w, c = features.shape
    flat = features.reshape(-1, c)
    gram = flat.T @ flat / (h * w)
    return np.sum((gram - target_gram) ** 2) / (4 * c**2 * (h * w) ** 2)


def _tv_roll(image, kind):
    square = np.abs if kind == "l1" else np.square
    return float(square(image - np.roll(image, 1, 0)).sum() + square(image - np.roll(image, 1, 1)).sum())


def _naive_discriminator_loss(real_logits, fake_logits):
    sigmoid = lambda x: 1 / (1 + np.exp(-x))  # noqa: E731
    with np.errstate(all="ignore"):
        return float(-np.mean(np.log(sigmoid(real_logits))) - np.mean(np.log(1 - sigmoid(fake_logits))))


def _slerp_without_the_line(z0, z1, t):
    with np.errstate(all="ignore"):
        omega = np.arccos(z0 @ z1 / (np.linalg.norm(z0) * np.linalg.norm(z1)))
        return (np.sin((1 - t) * omega) * z0 + np.sin(t * omega) * z1) / np.sin(omega)


def _batch_norm(x, eps=1e-5):
    return (x - x.mean(axis=(0, 1, 2), keepdims=True)) / np.sqrt(x.var(axis=(0, 1, 2), keepdims=True) + eps)


def _check(module: str, label: str, function):
    def run():
        from importlib import import_module

        exercise = getattr(import_module(f"course_utils.checks.{module}"), label)
        exercise(function)
    return run


def _call(expression: str):
    def run():
        from course_utils import data, images, transfer  # noqa: F401 - used by the expressions

        eval(expression)
    return run


#: (notebook, what the learner did, how to make the mistake, what to say)
MISTAKES = [
    ("00", "forgets to `return` the result (or leaves the body empty)", _check("nb00", "q1", to_float_image),
     "Nothing is wrong yet: the check waits. Point at the last line of their function."),
    ("00", "converts to float but forgets to divide by 255", _check("nb00", "q1", lambda p: p.astype(np.float32)),
     "Images are numbers from 0 to 1 everywhere in the course; `uint8` files store 0 to 255."),
    ("00", "divides by 255 but returns float64", _check("nb00", "q1", lambda p: p / 255),
     "NumPy promotes to float64; TensorFlow and the course work in float32. `.astype(np.float32)`."),
    ("01", "slides the kernel with `scipy.signal.convolve2d`", _check("nb01", "q1", _true_convolution),
     "Mathematicians' convolution flips the kernel; deep learning's is a correlation. Both are fine, "
     "but only one matches `tf.nn.conv2d`."),
    ("02", "forgets to divide the Gram matrix by H·W", _check("nb02", "q1", _gram_unnormalised),
     "The idea is right. Ask why a bigger picture should not give a bigger style."),
    ("03", "normalises the Gram matrix although the target is not normalised",
     _check("nb03", "q1", _style_gram_divided),
     "Gatys' 1/(4N²M²) already holds the M²: dividing again shrinks the loss by M² more."),
    ("03", "uses `np.roll` for the differences between neighbours", _check("nb03", "q2", _tv_roll),
     "np.roll wraps around the border; slices do not. Draw a 3×3 picture on the board."),
    ("04", "adds the gradient instead of subtracting it", _check("nb04", "q1", _uphill),
     "The gradient points uphill; descent goes the other way."),
    ("05", "writes the cross-entropy with `np.log(sigmoid(l))`", _check("nb05", "q1", _naive_discriminator_loss),
     "Try `1 / (1 + np.exp(-40.0))` in a cell: it prints 1.0 exactly. That is why losses are written "
     "from logits."),
    ("06", "writes slerp without the case where the vectors are parallel",
     _check("nb06", "q2", _slerp_without_the_line),
     "Formulas that divide need their limit case; here it is the straight line."),
    ("07", "normalises over the batch as well", _check("nb07", "q1", _batch_norm),
     "Batch norm mixes pictures; a style network must not (one photo's statistics are its style)."),
    ("any", "mistypes a photo's name", _call('data.content("astronot")'),
     "`data.catalogue()` in notebook 00 lists every picture by name."),
    ("any", "loads a photo of their own with a wrong path", _call('images.load("my_photo.jpg")'),
     "Relative paths start in the notebook's folder; drag the file into JupyterLab's file browser first."),
    ("any", "asks for an optimiser the course does not have",
     _call('transfer.stylize(data.content("chelsea", 32), data.style("swirl", 32), steps=1, optimizer="sgd")'),
     "The course has L-BFGS, Adam and plain gradient descent (`gd`)."),
]


def message(run) -> str:
    """What the course says for one mistake: the raised sentence, or the printed line."""
    from course_utils.errors import CourseError

    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed):
            run()
    except (CourseError, ValueError, TypeError) as err:
        text = str(err)
    else:
        text = printed.getvalue().strip()
    text = text.split(" (on input ")[0].split(" Stuck? ")[0].replace(os.getcwd(), "<the notebook's folder>")
    return text if text.endswith(("?", ".")) else text + "."


def table() -> str:
    """The guide's section: one row per mistake, with the course's sentence as it prints it now."""
    rows = ["| notebook | the learner… | the course says | what to say |", "|---|---|---|---|"]
    for notebook, what, run, say in MISTAKES:
        said = message(run).replace("|", "\\|")
        rows.append(f"| {notebook} | {what} | {said} | {say} |")
    return "\n".join(rows)


def masked(text: str) -> str:
    """``text`` with numbers replaced, for comparing messages whose random inputs differ."""
    return re.sub(r"\d+(\.\d+)?(e[-+]?\d+)?", "#", text)


def replace_section(guide: str, section: str) -> str:
    if START not in guide or END not in guide:
        raise ValueError(f"the guide has no {START} ... {END} lines")
    head, rest = guide.split(START, 1)
    return head + START + "\n" + section + "\n" + END + rest.split(END, 1)[1]


def current_section(guide: str) -> str:
    return guide.split(START, 1)[1].split(END, 1)[0].strip()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m classroom.mistakes", description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", type=Path, help="the guide whose mistakes section to rewrite")
    args = parser.parse_args(argv)
    section = table()
    if args.write:
        args.write.write_text(replace_section(args.write.read_text(encoding="utf-8"), section), encoding="utf-8")
        print(f"{args.write}: the mistakes section is up to date ({len(MISTAKES)} mistakes).")
    else:
        print(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
