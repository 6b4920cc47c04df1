"""Paint a photo in the style of one or more pictures, from the command line.

For people who just want a picture::

    python -m course_utils.stylize chelsea swirl -o cat.png
    python -m course_utils.stylize holiday.jpg swirl mosaic --style-weights 0.7 0.3 -o holiday_art.png
    python -m course_utils.stylize holiday.jpg starry_night --preserve-colors luminance -o out.jpg
    python -m course_utils.stylize chelsea swirl --objective tutorial -o tutorial.png
    python -m course_utils.stylize chelsea swirl --size 1024 --save-every 20 -o big.png

By default the picture is painted with the *painterly* objective (every style layer
has the same say, so the painting's large strokes and palette show; see
:func:`course_utils.transfer.painterly_objective`) at 512 px, coarse-to-fine: two
thirds of the steps at half the size, the rest at full size (about two minutes on
a 2-core CPU). ``--objective tutorial`` paints as the TensorFlow tutorial does
(its layers and weights, 384 px, 100 L-BFGS steps, one size).

CONTENT and STYLE are image files or names from the course's catalogue (photos
such as ``chelsea``, the course's styles such as ``swirl``, paintings such as
``starry_night``; see :func:`course_utils.data.load_any`). Several styles are
blended (see :class:`course_utils.transfer.Objective`). The picture is written
atomically, and an existing file is only replaced with ``--force``.
``--save-every N`` saves the picture so far every N steps (same file), and
Ctrl-C saves the picture so far and says at which step it stopped.

Exit status: 0 when the picture was saved; 2 for a bad option (a ``--size`` too
large for this machine's memory included, see :mod:`course_utils.memory`), an
image that cannot be read and an output name that cannot be used (one line
``error: ...`` on stderr, written before any slow work starts); 1 when the work
itself fails (no VGG19 weights, for example); 130 when interrupted (the picture so
far saved, if a step was done).
"""

from __future__ import annotations

import argparse
import contextlib
import math
import sys
import time
from pathlib import Path

from . import data, images, memory
from .errors import CourseError
from .i18n import _

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

# The choices and defaults of course_utils.transfer, repeated here so that --help and
# the refusals answer at once, without importing TensorFlow (tests keep them equal).
OPTIMIZERS = ("lbfgs", "adam", "gd")
INITS = ("content", "style", "noise")
PRESERVE_COLORS = ("luminance", "histogram")
DEFAULT_WEIGHTS = {"content": 1e4, "style": 1e-2, "tv": 30.0}
OBJECTIVES = ("painterly", "tutorial")  # the first is the command's default
#: Size and steps of each objective when --size and --steps are not given.
DEFAULT_SIZE = {"painterly": 512, "tutorial": 384}
DEFAULT_STEPS = {"painterly": 150, "tutorial": 100}
#: The painterly objective's weights (transfer.PAINTERLY_WEIGHTS) and the share of its steps at half size.
PAINTERLY_WEIGHTS = {"content": 0.3, "style": 1.0, "tv": 0.0}
COARSE_SHARE = 2 / 3

#: VGG19 pools four times before its deepest layers the transfer uses, so each side needs 16 pixels.
MIN_SIDE = 16


class _UsageError(Exception):
    """A bad command line; the message is one sentence for ``error: ...``."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a bad option gives one ``error:`` line (no usage block) and exit status 2."""

    def error(self, message):
        raise _UsageError(_("{message}; run with --help to see the options").format(message=message))


def _number(convert, minimum, kind, example: str, maximum=None):
    """An argparse ``type``: ``convert`` the text and refuse anything below ``minimum``, above
    ``maximum`` (if given) or not finite. ``kind()`` names what is expected, in the current language."""
    def parse(text: str):
        try:
            value = convert(text)
        except ValueError:
            value = None
        if value is None or not math.isfinite(value) or value < minimum or (maximum is not None and value > maximum):
            if maximum is None:
                message = _("expected {kind} of at least {minimum}, like {example}, got {text!r}")
            else:
                message = _("expected {kind} from {minimum} to {maximum}, like {example}, got {text!r}")
            raise argparse.ArgumentTypeError(message.format(kind=kind(), minimum=minimum, maximum=maximum,
                                                            example=example, text=text))
        return value
    return parse


def _whole():
    return _("a whole number")


def _real():
    return _("a number")


_positive_int = _number(int, 1, _whole, "100")
_seed = _number(int, 0, _whole, "42")
_weight = _number(float, 0, _real, "0.5 or 1e-2")
_scale = _number(float, 0.05, _real, "0.5 or 2", maximum=8)


def _prog() -> str:
    name = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else ""
    return name if name.startswith("course-") else "python -m course_utils.stylize"


def build_parser() -> argparse.ArgumentParser:
    """The command line of ``python -m course_utils.stylize`` (see the module docstring)."""
    parser = _Parser(prog=_prog(), description=_("Paint a photo in the style of one or more pictures, from the "
                                                 "command line."),
                     epilog=_("Names: photos {photos}; styles {styles}; paintings (downloaded once) {paintings}.").format(
                         photos=", ".join(data.CONTENT_PHOTOS), styles=", ".join(data.STYLES),
                         paintings=", ".join(data.PAINTINGS)), add_help=False)
    parser.add_argument("-h", "--help", action="help", help=_("show this help message and exit"))
    parser.add_argument("content", metavar="CONTENT", help=_("the photo: an image file or a course photo name"))
    parser.add_argument("styles", metavar="STYLE", nargs="+",
                        help=_("one or more style images (files or course names); several are blended"))
    parser.add_argument("-o", "--output", metavar="OUT", required=True, type=Path,
                        help=_("where to save the picture (.png, .jpg ...); its folder must exist"))
    parser.add_argument("--objective", choices=OBJECTIVES, default=OBJECTIVES[0],
                        help=_("'painterly' gives every style layer the same say (broad strokes, the painting's "
                                "palette) and paints coarse-to-fine; 'tutorial' is the TensorFlow tutorial's loss "
                                "at one size (default: painterly)"))
    parser.add_argument("--size", type=_positive_int, default=None,
                        help=_("longest side of the picture in pixels; styles are loaded at this size too "
                                "(default: 512 painterly, 384 tutorial)"))
    parser.add_argument("--steps", type=_positive_int, default=None,
                        help=_("optimisation steps; painterly spends two thirds of them at half the size first "
                                "(default: 150 painterly, 100 tutorial)"))
    parser.add_argument("--save-every", metavar="N", type=_positive_int, default=None,
                        help=_("save the picture so far every N steps, to OUT (default: only at the end)"))
    parser.add_argument("--optimizer", choices=OPTIMIZERS, default="lbfgs", help=_("default: lbfgs"))
    parser.add_argument("--content-weight", type=_weight, default=None,
                        help=_("how much the photo's content counts (default: "
                                "{painterly:g} painterly, {tutorial:g} tutorial)").format(
                            painterly=PAINTERLY_WEIGHTS["content"], tutorial=DEFAULT_WEIGHTS["content"]))
    parser.add_argument("--style-weight", type=_weight, default=None,
                        help=_("how much the style counts (default: "
                                "{painterly:g} painterly, {tutorial:g} tutorial)").format(
                            painterly=PAINTERLY_WEIGHTS["style"], tutorial=DEFAULT_WEIGHTS["style"]))
    parser.add_argument("--tv-weight", type=_weight, default=None,
                        help=_("how much smoothness counts (default: "
                                "{painterly:g} painterly, {tutorial:g} tutorial)").format(
                            painterly=PAINTERLY_WEIGHTS["tv"], tutorial=DEFAULT_WEIGHTS["tv"]))
    parser.add_argument("--init", choices=INITS, default="content",
                        help=_("start from the photo, the (first) style image or noise (default: content)"))
    parser.add_argument("--preserve-colors", choices=PRESERVE_COLORS, default=None,
                        help=_("keep the photo's colours: 'luminance' recolours the result, 'histogram' recolours "
                                "the styles first (default: the styles' colours)"))
    parser.add_argument("--style-scale", type=_scale, default=None,
                        help=_("size of the style images relative to the photo: below 1 gives finer strokes, "
                                "above 1 broader ones (default: the style loaded at --size)"))
    parser.add_argument("--style-weights", metavar="W", type=_weight, nargs="+", default=None,
                        help=_("with several styles, how much each counts, one number per STYLE (default: equal)"))
    parser.add_argument("--seed", type=_seed, default=0, help=_("random seed, for --init noise (default: 0)"))
    parser.add_argument("--force", action="store_true", help=_("overwrite OUT if it exists"))
    parser.add_argument("--quiet", action="store_true", help=_("print nothing but errors"))
    return parser


def _full_stop() -> str:
    # TRANSLATORS: the full stop that ends the command's one-line messages (a Chinese one: 。)
    return _(".")


def _sentence(message) -> str:
    """One line that ends in a full stop."""
    text = " ".join(str(message).split()).rstrip(".。")
    return (text or _("something went wrong")) + _full_stop()


def _check_style_weights(args) -> None:
    if args.style_weights is None:
        return
    if len(args.style_weights) != len(args.styles):
        raise _UsageError(_("--style-weights has {weights} number(s) for {styles} style image(s); give exactly "
                            "one weight per STYLE").format(weights=len(args.style_weights), styles=len(args.styles)))
    if sum(args.style_weights) <= 0:
        raise _UsageError(_("--style-weights are all 0; give at least one style a positive weight"))


def _check_output(path: Path, force: bool) -> Path:
    """Refuse, before any work, an output that cannot or must not be written."""
    path = path.expanduser()
    if path.is_dir():
        raise _UsageError(_("'{path}' is a folder; give a file name such as '{example}'").format(
            path=path, example=path / "out.png"))
    try:
        images.save_format(path)  # the same rule images.save applies
    except CourseError as err:
        raise _UsageError(str(err)) from None
    if not path.parent.is_dir():
        raise _UsageError(_("the folder '{folder}' does not exist; create it first or save somewhere "
                            "else").format(folder=path.parent))
    if path.exists() and not force:
        raise _UsageError(_("'{path}' already exists; pass --force to overwrite it, or choose another name").format(path=path))
    return path


def _load(name: str, size: int, role: str):
    image = data.load_any(name, size=size)
    height, width = image.shape[:2]
    if min(height, width) < MIN_SIDE:
        if role == "photo":
            message = _("the photo {name!r} is only {width} x {height} pixels at --size {size}, and VGG19 needs at "
                        "least {least} on each side; use a larger --size")
        else:
            message = _("the style image {name!r} is only {width} x {height} pixels at --size {size}, and VGG19 "
                        "needs at least {least} on each side; use a larger --size")
        raise _UsageError(message.format(name=name, width=width, height=height, size=size, least=MIN_SIDE))
    return image


def _fill_defaults(args) -> None:
    """--size and --steps left out take the objective's."""
    if args.size is None:
        args.size = DEFAULT_SIZE[args.objective]
    if args.steps is None:
        args.steps = DEFAULT_STEPS[args.objective]


def _plan(args, shape=None) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(sizes, steps per size): painterly paints at half --size first, tutorial at --size only.

    ``shape`` is the photo's (height, width) at --size (None: square); one stage only when the
    photo at half size would be too small for VGG19 or there are too few steps to share.
    """
    coarse = args.size // 2
    height, width = shape if shape is not None else (args.size, args.size)
    if args.objective == "tutorial" or min(height, width) * coarse < MIN_SIDE * max(height, width) or args.steps < 3:
        return (args.size,), (args.steps,)
    first = max(1, round(args.steps * COARSE_SHARE))
    return (coarse, args.size), (first, args.steps - first)


def _prepare(args):
    """Everything that can be refused quickly: (output path, content, styles)."""
    _fill_defaults(args)
    _check_style_weights(args)
    output = _check_output(args.output, args.force)
    try:
        memory.check_size(args.size, "transfer", option="--size {}")  # before a picture of that size is made
        content = _load(args.content, args.size, "photo")
        styles = [_load(name, args.size, "style image") for name in args.styles]
    except CourseError as err:  # too big for memory, a missing, unreadable or unknown image, a failed download
        raise _UsageError(str(err)) from None
    return output, content, styles


class _Painting:
    """What the command has painted so far, saved to OUT when asked (every N steps, on Ctrl-C)."""

    def __init__(self, output: Path, photo, total: int, force: bool, keep_luminance: bool = False):
        self.output, self.photo, self.total, self.force = output, photo, total, force
        self.keep_luminance = keep_luminance  # --preserve-colors luminance: recolour what is saved early
        self.step, self.image, self.saved_step, self.final = 0, None, None, False

    def __call__(self, step, image, parts) -> None:  # transfer's callback, every step
        self.step, self.image = step, image

    def save(self) -> None:
        if self.saved_step is None and self.output.exists() and not self.force:  # appeared while we were painting
            raise _UsageError(_("'{output}' appeared while painting; pass --force to overwrite it, or choose "
                                "another name").format(output=self.output))
        image = self.image
        if image.shape[:2] != self.photo.shape[:2]:  # a coarse stage: at the output's size
            image = images.resize(image, self.photo.shape[:2])
        if self.keep_luminance and not self.final:  # transfer does it to the final picture only
            from . import post
            image = post.luminance_transfer(image, self.photo)
        images.save(image, self.output)  # atomically: the old file or the whole new one
        self.saved_step = self.step


def _run(args, output: Path, content, styles, began: float) -> None:
    from . import config, models, transfer  # TensorFlow: only once the arguments are known to be good

    config.seed(args.seed)
    models.vgg19(verbose=not args.quiet)
    sizes, steps = _plan(args, content.shape[:2])
    painting = _Painting(output, content, sum(steps), args.force, args.preserve_colors == "luminance")

    def callback(step, image, parts):
        painting(step, image, parts)
        if args.save_every and step % args.save_every == 0 and step < painting.total:
            painting.save()

    options = dict(optimizer=args.optimizer, init=args.init, objective=args.objective,
                   content_weight=args.content_weight, style_weight=args.style_weight, tv_weight=args.tv_weight,
                   style_weights=args.style_weights, preserve_colors=args.preserve_colors,
                   style_scale=args.style_scale, seed=args.seed, progress=not args.quiet and sys.stderr.isatty(),
                   callback=callback, callback_every=1)
    try:
        if len(sizes) == 1:
            result = transfer.stylize(content, styles, steps=steps[0], **options)
        else:
            result = transfer.coarse_to_fine(content, styles, sizes=sizes, steps=steps, **options)
        painting.step, painting.image, painting.final = painting.total, result.image, True
        painting.save()
    except KeyboardInterrupt:
        if painting.image is None:
            raise
        painting.save()
        raise _Interrupted(_("interrupted at step {step} of {total}; saved the picture so far to "
                             "{output}").format(step=painting.step, total=painting.total, output=output)) from None
    if not args.quiet:
        height, width = result.image.shape[:2]
        if len(sizes) > 1:
            said = _("Saved {output} ({width} x {height} pixels, {objective} objective, {coarse_steps} {optimizer} "
                     "steps at {coarse} px then {fine_steps} at {fine} px) in {seconds:.1f} s ({painting:.1f} s "
                     "painting).")
        else:
            said = _("Saved {output} ({width} x {height} pixels, {objective} objective, {coarse_steps} {optimizer} "
                     "steps) in {seconds:.1f} s ({painting:.1f} s painting).")
        print(said.format(output=output, width=width, height=height, objective=args.objective,
                          optimizer=args.optimizer, coarse_steps=steps[0], coarse=sizes[0],
                          fine_steps=steps[-1], fine=sizes[-1], seconds=time.perf_counter() - began,
                          painting=result.seconds))


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue without translating it now (gettext's usual ``N_``)."""
    return message


#: argparse's own words a learner meets in --help and in a refused command line, for the catalogue.
ARGPARSE_WORDS = (N_("usage: "), N_("positional arguments"), N_("options"),
                  N_("argument %(argument_name)s: %(message)s"), N_("the following arguments are required: %s"),
                  N_("unrecognized arguments: %s"), N_("expected one argument"), N_("expected at least one argument"),
                  N_("invalid choice: %(value)r (choose from %(choices)s)"), N_("invalid %(type)s value: %(value)r"),
                  N_("ambiguous option: %(option)s could match %(matches)s"))


@contextlib.contextmanager
def _argparse_speaks_the_course_language():
    """argparse translates its words with gettext; for this command, with the course's catalogue."""
    saved = argparse._
    argparse._ = _
    try:
        yield
    finally:
        argparse._ = saved


class _Interrupted(Exception):
    """Ctrl-C after some steps: the picture so far was saved; the message says where."""


def main(argv=None) -> int:
    """Run the command with ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    began = time.perf_counter()
    try:
        try:
            with _argparse_speaks_the_course_language():
                args = build_parser().parse_args(argv)
        except SystemExit as done:  # --help
            return done.code if isinstance(done.code, int) else EXIT_OK
        output, content, styles = _prepare(args)
        _run(args, output, content, styles, began)
    except _UsageError as err:
        print(_("error: {message}").format(message=_sentence(err)), file=sys.stderr)
        return EXIT_USAGE
    except (CourseError, ValueError) as err:  # e.g. no VGG19 weights, or a file that cannot be written
        code = EXIT_USAGE if isinstance(err, ValueError) else EXIT_FAILED
        print(_("error: {message}").format(message=_sentence(err)), file=sys.stderr)
        return code
    except _Interrupted as done:
        print(_sentence(done), file=sys.stderr)
        return EXIT_INTERRUPTED
    except KeyboardInterrupt:
        print(_("error: interrupted before the first step; nothing was saved."), file=sys.stderr)
        return EXIT_INTERRUPTED
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
