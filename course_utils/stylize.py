"""Paint a photo in the style of one or more pictures, from the command line.

For people who just want a picture::

    python -m course_utils.stylize chelsea swirl -o cat.png
    python -m course_utils.stylize holiday.jpg swirl mosaic --style-weights 0.7 0.3 -o holiday_art.png
    python -m course_utils.stylize holiday.jpg starry_night --preserve-colors luminance -o out.jpg

CONTENT and STYLE are image files or names from the course's catalogue (photos
such as ``chelsea``, the course's styles such as ``swirl``, paintings such as
``starry_night``; see :func:`course_utils.data.load_any`). Several styles are
blended (see :class:`course_utils.transfer.Objective`). The picture is written
atomically, and an existing file is only replaced with ``--force``.

Exit status: 0 when the picture was saved; 2 for a bad option (a ``--size`` too
large for this machine's memory included, see :mod:`course_utils.memory`), an
image that cannot be read and an output name that cannot be used (one line
``error: ...`` on stderr, written before any slow work starts); 1 when the work
itself fails (no VGG19 weights, for example); 130 when interrupted.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

from . import data, images, memory
from .errors import CourseError

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

# The choices and defaults of course_utils.transfer, repeated here so that --help and
# the refusals answer at once, without importing TensorFlow (tests keep them equal).
OPTIMIZERS = ("lbfgs", "adam", "gd")
INITS = ("content", "style", "noise")
PRESERVE_COLORS = ("luminance", "histogram")
DEFAULT_WEIGHTS = {"content": 1e4, "style": 1e-2, "tv": 30.0}

#: VGG19 pools four times before its deepest layers the transfer uses, so each side needs 16 pixels.
MIN_SIDE = 16


class _UsageError(Exception):
    """A bad command line; the message is one sentence for ``error: ...``."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad option gives one ``error:`` line (no usage block) and exit status 2."""

    def error(self, message):
        raise _UsageError(f"{message}; run with --help to see the options")


def _number(convert, minimum, kind: str, example: str, maximum=None):
    """An argparse ``type``: ``convert`` the text and refuse anything below ``minimum``, above
    ``maximum`` (if given) or not finite."""
    def parse(text: str):
        try:
            value = convert(text)
        except ValueError:
            value = None
        if value is None or not math.isfinite(value) or value < minimum or (maximum is not None and value > maximum):
            bounds = f"at least {minimum}" if maximum is None else f"from {minimum} to {maximum}"
            raise argparse.ArgumentTypeError(f"expected {kind} {bounds}, like {example}, got {text!r}")
        return value
    return parse


_positive_int = _number(int, 1, "a whole number", "100")
_seed = _number(int, 0, "a whole number", "42")
_weight = _number(float, 0, "a number", "0.5 or 1e-2")
_scale = _number(float, 0.05, "a number", "0.5 or 2", maximum=8)


def _prog() -> str:
    name = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else ""
    return name if name.startswith("course-") else "python -m course_utils.stylize"


def build_parser() -> argparse.ArgumentParser:
    """The command line of ``python -m course_utils.stylize`` (see the module docstring)."""
    parser = _Parser(prog=_prog(), description=__doc__.split("\n")[0],
                     epilog="Names: photos " + ", ".join(data.CONTENT_PHOTOS) + "; styles " + ", ".join(data.STYLES)
                     + "; paintings (downloaded once) " + ", ".join(data.PAINTINGS) + ".")
    parser.add_argument("content", metavar="CONTENT", help="the photo: an image file or a course photo name")
    parser.add_argument("styles", metavar="STYLE", nargs="+",
                        help="one or more style images (files or course names); several are blended")
    parser.add_argument("-o", "--output", metavar="OUT", required=True, type=Path,
                        help="where to save the picture (.png, .jpg ...); its folder must exist")
    parser.add_argument("--size", type=_positive_int, default=384,
                        help="longest side of the picture in pixels; styles are loaded at this size too (default: 384)")
    parser.add_argument("--steps", type=_positive_int, default=100, help="optimisation steps (default: 100)")
    parser.add_argument("--optimizer", choices=OPTIMIZERS, default="lbfgs", help="default: lbfgs")
    parser.add_argument("--content-weight", type=_weight, default=DEFAULT_WEIGHTS["content"],
                        help=f"how much the photo's content counts (default: {DEFAULT_WEIGHTS['content']:g})")
    parser.add_argument("--style-weight", type=_weight, default=DEFAULT_WEIGHTS["style"],
                        help=f"how much the style counts (default: {DEFAULT_WEIGHTS['style']:g})")
    parser.add_argument("--tv-weight", type=_weight, default=DEFAULT_WEIGHTS["tv"],
                        help=f"how much smoothness counts (default: {DEFAULT_WEIGHTS['tv']:g})")
    parser.add_argument("--init", choices=INITS, default="content",
                        help="start from the photo, the (first) style image or noise (default: content)")
    parser.add_argument("--preserve-colors", choices=PRESERVE_COLORS, default=None,
                        help="keep the photo's colours: 'luminance' recolours the result, 'histogram' recolours "
                             "the styles first (default: the styles' colours)")
    parser.add_argument("--style-scale", type=_scale, default=None,
                        help="size of the style images relative to the photo: below 1 gives finer strokes, "
                             "above 1 broader ones (default: the style loaded at --size)")
    parser.add_argument("--style-weights", metavar="W", type=_weight, nargs="+", default=None,
                        help="with several styles, how much each counts, one number per STYLE (default: equal)")
    parser.add_argument("--seed", type=_seed, default=0, help="random seed, for --init noise (default: 0)")
    parser.add_argument("--force", action="store_true", help="overwrite OUT if it exists")
    parser.add_argument("--quiet", action="store_true", help="print nothing but errors")
    return parser


def _sentence(message) -> str:
    """One line that ends in a full stop."""
    text = " ".join(str(message).split()).rstrip(".")
    return (text or "something went wrong") + "."


def _check_style_weights(args) -> None:
    if args.style_weights is None:
        return
    if len(args.style_weights) != len(args.styles):
        raise _UsageError(f"--style-weights has {len(args.style_weights)} number(s) for {len(args.styles)} "
                          "style image(s); give exactly one weight per STYLE")
    if sum(args.style_weights) <= 0:
        raise _UsageError("--style-weights are all 0; give at least one style a positive weight")


def _check_output(path: Path, force: bool) -> Path:
    """Refuse, before any work, an output that cannot or must not be written."""
    path = path.expanduser()
    if path.is_dir():
        raise _UsageError(f"'{path}' is a folder; give a file name such as '{path / 'out.png'}'")
    try:
        images.save_format(path)  # the same rule images.save applies
    except CourseError as err:
        raise _UsageError(str(err)) from None
    if not path.parent.is_dir():
        raise _UsageError(f"the folder '{path.parent}' does not exist; create it first or save somewhere else")
    if path.exists() and not force:
        raise _UsageError(f"'{path}' already exists; pass --force to overwrite it, or choose another name")
    return path


def _load(name: str, size: int, role: str):
    image = data.load_any(name, size=size)
    height, width = image.shape[:2]
    if min(height, width) < MIN_SIDE:
        raise _UsageError(f"the {role} {name!r} is only {width} x {height} pixels at --size {size}, and VGG19 "
                          f"needs at least {MIN_SIDE} on each side; use a larger --size")
    return image


def _prepare(args):
    """Everything that can be refused quickly: (output path, content, styles)."""
    _check_style_weights(args)
    output = _check_output(args.output, args.force)
    try:
        memory.check_size(args.size, "transfer", option="--size {}")  # before a picture of that size is made
        content = _load(args.content, args.size, "photo")
        styles = [_load(name, args.size, "style image") for name in args.styles]
    except CourseError as err:  # too big for memory, a missing, unreadable or unknown image, a failed download
        raise _UsageError(str(err)) from None
    return output, content, styles


def _run(args, output: Path, content, styles, began: float) -> None:
    from . import config, models, transfer  # TensorFlow: only once the arguments are known to be good

    config.seed(args.seed)
    models.vgg19(verbose=not args.quiet)
    result = transfer.stylize(
        content, styles, steps=args.steps, optimizer=args.optimizer, init=args.init,
        content_weight=args.content_weight, style_weight=args.style_weight, tv_weight=args.tv_weight,
        style_weights=args.style_weights, preserve_colors=args.preserve_colors, style_scale=args.style_scale,
        seed=args.seed,
        progress=not args.quiet and sys.stderr.isatty())
    if output.exists() and not args.force:  # appeared while we were painting
        raise _UsageError(f"'{output}' appeared while painting; pass --force to overwrite it, or choose another name")
    images.save(result.image, output)
    if not args.quiet:
        height, width = result.image.shape[:2]
        print(f"Saved {output} ({width} x {height} pixels, {args.steps} {args.optimizer} steps) "
              f"in {time.perf_counter() - began:.1f} s ({result.seconds:.1f} s painting).")


def main(argv=None) -> int:
    """Run the command with ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    began = time.perf_counter()
    try:
        try:
            args = build_parser().parse_args(argv)
        except SystemExit as done:  # --help
            return done.code if isinstance(done.code, int) else EXIT_OK
        output, content, styles = _prepare(args)
        _run(args, output, content, styles, began)
    except _UsageError as err:
        print(f"error: {_sentence(err)}", file=sys.stderr)
        return EXIT_USAGE
    except (CourseError, ValueError) as err:  # e.g. no VGG19 weights, or a file that cannot be written
        code = EXIT_USAGE if isinstance(err, ValueError) else EXIT_FAILED
        print(f"error: {_sentence(err)}", file=sys.stderr)
        return code
    except KeyboardInterrupt:
        print("error: interrupted; nothing was saved.", file=sys.stderr)
        return EXIT_INTERRUPTED
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
