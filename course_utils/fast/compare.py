"""Measure ways of stylising a photo side by side: seconds per picture and perceptual losses.

Notebook 07 paints one photo four ways (the optimisation loop of notebooks 03 and
04, a feed-forward network, AdaIN and Magenta's arbitrary stylisation network)
and tabulates what each costs and what it achieves::

    from course_utils import transfer
    from course_utils.fast import compare, magenta
    table, pictures = compare.compare(
        {"photo": lambda c, s: c,
         "optimisation (100 steps)": lambda c, s: transfer.stylize(c, s, progress=False).image,
         "Magenta": magenta.stylize},
        content, style)
    table                                   # an HTML table in Jupyter; print(table) in a terminal
    plotting.show_grid(pictures)

- :func:`seconds_per_image` the median wall time of a call, after warm-up calls;
- :func:`perceptual_losses` the notebook-03 loss terms of one picture under a
  :class:`~course_utils.transfer.Objective` (one common yardstick for every method:
  the loss the optimisation loop itself lowers, so it favours that loop);
- :class:`Table` a small table that shows as HTML in JupyterLab, Colab and the
  book, and as aligned text in a terminal;
- :func:`compare` all of it for a dict of methods, with a progress bar.

Images are in the course's format: float32 (H, W, 3), RGB, values in [0, 1].
Bad arguments raise a :class:`CompareError` (a :class:`~course_utils.errors.SettingError`), pictures that are
not images an :class:`~course_utils.errors.ImageError`, each in one sentence.
"""

from __future__ import annotations

import html
import math
import statistics
import time
import unicodedata
from typing import Callable

import numpy as np
from tqdm.auto import tqdm

from ..errors import ImageError, SettingError
from .. import images, validate
from ..i18n import _

__all__ = ["CompareError", "seconds_per_image", "perceptual_losses", "Table", "compare", "format_seconds",
           "format_loss", "LOSS_TERMS"]

#: The loss terms :func:`perceptual_losses` returns, in the table's order.
LOSS_TERMS = ("content", "style", "tv", "total")


class CompareError(SettingError):
    """An argument of a comparison that cannot be used (a count, a method, a table's rows); a
    :class:`~course_utils.errors.SettingError` (so a ``ValueError``) too."""


# ----------------------------------------------------------------------- timing


def _count(value, name: str, low: int, example: str) -> int:
    return validate.whole_number(value, name, example, minimum=low, error=CompareError)


def _check_callable(fn, what: str) -> None:
    if not callable(fn):
        raise CompareError(_("{what} must be a function to call, like magenta.stylize; got a {kind}.").format(
            what=what, kind=type(fn).__name__))


def _timed(fn, args, repeats: int, warmup: int):
    """(wall times of the ``repeats`` timed calls, the last call's result), after ``warmup`` calls."""
    result = None
    for _unused in range(warmup):
        result = fn(*args)
    times = []
    for _unused in range(repeats):
        began = time.perf_counter()
        result = fn(*args)
        times.append(time.perf_counter() - began)
    return times, result


def seconds_per_image(fn: Callable, *args, repeats: int = 3, warmup: int = 1) -> float:
    """The median wall-clock time, in seconds, of ``fn(*args)``.

    ``fn`` is first called ``warmup`` times untimed (the first call of a network
    loads its weights, and TensorFlow traces its graphs), then ``repeats`` times
    timed with :func:`time.perf_counter`. The median of the timed calls is
    returned: one slow call (another program busy for a moment) does not move it.
    """
    _check_callable(fn, "fn")
    repeats = _count(repeats, "repeats", 1, "repeats=3")
    warmup = _count(warmup, "warmup", 0, "warmup=1")
    times, _unused = _timed(fn, args, repeats, warmup)
    return float(statistics.median(times))


# ------------------------------------------------------------------------ losses


def _check_objective(objective) -> None:
    if not (hasattr(objective, "parts") and isinstance(getattr(objective, "weights", None), dict)):
        raise CompareError(_("objective must be a transfer.Objective, like transfer.Objective(content, style); "
                              "got a {kind}.").format(kind=type(objective).__name__))


def _check_shape(shape):
    ok = isinstance(shape, (tuple, list)) and len(shape) == 2 and all(
        isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)) and v >= 1 for v in shape)
    if not ok:
        raise CompareError(_("shape must be (height, width) in pixels, like shape=content.shape[:2]; "
                             "got {shape!r}.").format(shape=shape))
    return int(shape[0]), int(shape[1])


def _content_shape_mismatch(picture: np.ndarray, objective) -> bool:
    """True if the picture's feature maps are not the size of the objective's photo's."""
    targets = getattr(objective, "content_targets", None) or {}
    if not targets:
        return False
    features = objective.extractor(images.to_batch(picture))
    return any(tuple(features[name].shape) != tuple(target.shape) for name, target in targets.items())


def perceptual_losses(image, objective, *, shape=None) -> dict:
    """The loss terms of notebook 03 for one picture, as plain floats.

    Parameters
    ----------
    image : image
        The picture to measure, in the course's format.
    objective : transfer.Objective
        Holds the photo's content features, the painting's Gram matrices and the
        weights, e.g. ``transfer.Objective(content, style)`` (the defaults of
        notebooks 03 and 04).
    shape : (height, width), optional
        The photo's size. The content loss compares feature maps position by
        position, so the picture must be the photo's size: give
        ``shape=content.shape[:2]`` and a picture of another size is resized to
        it first (anti-aliased). Without it, a picture of another size is an error.

    Returns
    -------
    dict
        ``"content"``, ``"style"``, ``"tv"``: the unweighted terms of
        ``objective.parts`` (a term the objective does not have is left out);
        ``"total"``: their sum weighted with ``objective.weights``, the number
        the optimisation loop lowers.
    """
    _check_objective(objective)
    # TRANSLATORS: the subject of an error about a picture, e.g. "{what} has …; expected numbers …".
    picture = images.as_image(image, _("The picture to measure"))
    if shape is not None:
        picture = images.resize(picture, _check_shape(shape))
    elif _content_shape_mismatch(picture, objective):
        height, width = picture.shape[:2]
        raise ImageError(_("The picture is {height} x {width} pixels, not the size of the objective's photo; "
                            "pass shape=content.shape[:2] to resize it to the photo's size.").format(
            height=height, width=width))

    parts = objective.parts(images.to_batch(picture))
    values = {name: float(parts[name]) for name in LOSS_TERMS if name in parts}
    values["total"] = float(sum(objective.weights[name] * value for name, value in values.items()))
    return values


# ------------------------------------------------------------------------- table


def format_seconds(value: float) -> str:
    """Seconds with 3 significant figures: 0.00123, 0.105, 12.3, 1230; below a millisecond 4.91e-07."""
    if value == 0 or not math.isfinite(value):
        return f"{value:g}"
    if abs(value) < 1e-3:
        return f"{value:.2e}"
    decimals = 2 - math.floor(math.log10(abs(value)))
    if decimals > 0:
        return f"{value:.{decimals}f}"
    return f"{round(value, decimals):.0f}"


def format_loss(value: float) -> str:
    """A loss in scientific notation with 3 significant figures: 1.23e+05."""
    return f"{value:.2e}"


def _format_plain(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, (bool, np.bool_, str)):
        return str(value)
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.3g}"
    return str(value)


_FORMATS = {"seconds": format_seconds, "loss": format_loss}


def _width(text: str) -> int:
    """The columns ``text`` takes in a terminal: two for a Chinese character, one for a Latin one."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool) -> str:
    fill = " " * max(0, width - _width(text))
    return fill + text if right else text + fill


def _is_number(value) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


class Table:
    """A small table: ``print(table)`` gives aligned text, Jupyter (and the book) an HTML table.

    Parameters
    ----------
    columns : list of str
        The column headings.
    rows : list of lists
        One list of values per row, one value per column: text, numbers or None
        (shown as a dash).
    formats : dict, optional
        How to write a column's numbers, by heading: ``"seconds"``
        (:func:`format_seconds`), ``"loss"`` (:func:`format_loss`) or a function
        ``value -> str``. Other numbers get 3 significant figures.
    headings : dict, optional
        The text shown above a column, by column name, when it is not the name itself
        (a translated heading, say); ``columns`` stay the names :meth:`column` takes.

    The values stay as given: ``table.rows`` and ``table.column("style loss")``
    return the numbers, not their text. Columns whose values are all numbers
    are right-aligned.
    """

    def __init__(self, columns, rows, *, formats: dict | None = None, headings: dict | None = None):
        if isinstance(columns, str) or not isinstance(columns, (list, tuple)) or not columns:
            raise CompareError(_("columns must be a list of headings, like ['method', 'seconds']."))
        self.columns = [str(c) for c in columns]
        if isinstance(rows, (str, bytes)) or not hasattr(rows, "__iter__"):
            raise CompareError(_("rows must be a list of rows, each a list with one value per column."))
        self.rows = [list(row) if isinstance(row, (list, tuple)) else row for row in rows]
        for number, row in enumerate(self.rows):
            if not isinstance(row, list):
                raise CompareError(_("Row {number} has no list of values for {columns} columns; give a list with "
                                     "one value per column (None for an empty cell).").format(
                    number=number, columns=len(self.columns)))
            if len(row) != len(self.columns):
                raise CompareError(_("Row {number} has {count} values for {columns} columns; give a list with "
                                     "one value per column (None for an empty cell).").format(
                    number=number, count=len(row), columns=len(self.columns)))
        self.formats = {}
        for column, how in (formats or {}).items():
            if column not in self.columns:
                raise CompareError(_("formats names the column {column!r}, which the table does not have; "
                                      "its columns are {columns}.").format(column=column, columns=self.columns))
            if not (callable(how) or (isinstance(how, str) and how in _FORMATS)):
                raise CompareError(_("The format of column {column!r} must be 'seconds', 'loss' or a function "
                                      "value -> text; got {how!r}.").format(column=column, how=how))
            self.formats[column] = _FORMATS.get(how, how) if isinstance(how, str) else how
        self.headings = {}
        for column, text in (headings or {}).items():
            if column not in self.columns:
                raise CompareError(_("headings names the column {column!r}, which the table does not have; "
                                     "its columns are {columns}.").format(column=column, columns=self.columns))
            self.headings[column] = str(text)

    def column(self, name: str) -> list:
        """The values of one column, top to bottom."""
        if name not in self.columns:
            raise CompareError(_("The table has no column {name!r}; its columns are {columns}.").format(
                name=name, columns=self.columns))
        index = self.columns.index(name)
        return [row[index] for row in self.rows]

    def _shown_columns(self) -> list[str]:
        return [self.headings.get(column, column) for column in self.columns]

    def _cells(self) -> list[list[str]]:
        cells = []
        for row in self.rows:
            line = []
            for column, value in zip(self.columns, row):
                how = self.formats.get(column)
                line.append(how(value) if how is not None and _is_number(value) else _format_plain(value))
            cells.append(line)
        return cells

    def _numeric(self) -> list[bool]:
        """For each column: all its values are numbers (or None), at least one is."""
        result = []
        for index in range(len(self.columns)):
            values = [row[index] for row in self.rows if row[index] is not None]
            result.append(bool(values) and all(_is_number(v) for v in values))
        return result

    def __str__(self) -> str:
        cells = self._cells()
        numeric = self._numeric()
        shown = self._shown_columns()
        widths = [max(_width(line[i]) for line in [shown] + cells) for i in range(len(self.columns))]

        def line(values):
            return "  ".join(_pad(v, w, right) for v, w, right in zip(values, widths, numeric)).rstrip()

        return "\n".join([line(shown), "  ".join("-" * w for w in widths)] + [line(v) for v in cells])

    __repr__ = __str__

    def _repr_html_(self) -> str:
        numeric = self._numeric()

        def cell(tag, text, right):
            return f'<{tag} style="text-align:{"right" if right else "left"}">{html.escape(text)}</{tag}>'

        head = "".join(cell("th", c, right) for c, right in zip(self._shown_columns(), numeric))
        body = "".join("<tr>" + "".join(cell("td", text, right) for text, right in zip(line, numeric)) + "</tr>"
                       for line in self._cells())
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


# ----------------------------------------------------------------------- compare


def compare(methods: dict, content, style, *, objective=None, repeats: int = 1, warmup: int = 1,
            progress: bool = True) -> tuple[Table, dict]:
    """Run each method on the same photo and painting; time it and score its picture.

    Parameters
    ----------
    methods : dict
        Name -> function ``fn(content, style) -> image``. Include
        ``"photo": lambda c, s: c`` for the unpainted photo as a baseline.
    content, style : images
        The photo and the painting, in the course's format, at the size to compare at.
    objective : transfer.Objective, optional
        The yardstick; by default ``transfer.Objective(content, style)`` (builds
        VGG19), with the default weights and layers of notebooks 03 and 04.
    repeats, warmup : int
        Each method is called ``warmup`` times untimed (loading weights, tracing
        graphs), then ``repeats`` times timed; the table gives the median (see
        :func:`seconds_per_image`). The defaults (1 and 1) call each method
        twice: an optimisation loop can take a minute.
    progress : bool
        Show a progress bar over the methods.

    Returns
    -------
    table : Table
        One row per method: seconds per image, then the content, style, total
        variation and total losses of :func:`perceptual_losses`.
    pictures : dict
        Name -> the method's picture resized to the photo's height and width (the
        picture that was scored; a method may return another size, e.g. a
        network that pads to a multiple of 4), ready for ``plotting.show_grid``.
    """
    if not isinstance(methods, dict) or not methods:
        raise CompareError(_("methods must be a dict of name -> function(content, style), "
                              "like {{'Magenta': magenta.stylize}}.").format())
    for name, fn in methods.items():
        # TRANSLATORS: the subject of "{what} must be a function to call, …".
        _check_callable(fn, _("The method {name!r}").format(name=name))
    repeats = _count(repeats, "repeats", 1, "repeats=1")
    warmup = _count(warmup, "warmup", 0, "warmup=1")
    # TRANSLATORS: the subjects of errors about a picture, e.g. "{what} has …; expected numbers …".
    photo, painting = images.as_image(content, _("The photo")), images.as_image(style, _("The style image"))
    if objective is None:
        from .. import transfer

        objective = transfer.Objective(photo, painting)
    else:
        _check_objective(objective)
        if _content_shape_mismatch(photo, objective):
            raise CompareError(_("The objective was built from a photo of another size than content; build it "
                                  "from this photo, transfer.Objective(content, style), or leave objective out."))
    rows, pictures = [], {}
    bar = tqdm(methods.items(), desc=_("comparing"), total=len(methods), disable=not progress, leave=False)
    try:
        for name, fn in bar:
            bar.set_postfix_str(str(name))
            times, result = _timed(fn, (photo, painting), repeats, warmup)
            # TRANSLATORS: the subject of an error about a picture, e.g. "{what} has …; expected numbers …".
            returned = _("The picture method {name!r} returned").format(name=name)
            picture = images.resize(images.as_image(result, returned), photo.shape[:2])
            losses = perceptual_losses(picture, objective, shape=photo.shape[:2])
            pictures[name] = picture
            rows.append([str(name), float(statistics.median(times))] + [losses.get(t) for t in LOSS_TERMS])
    finally:
        bar.close()
    columns = ["method", "seconds per image"] + [f"{t} loss" for t in LOSS_TERMS]
    formats = {"seconds per image": "seconds", **{f"{t} loss": "loss" for t in LOSS_TERMS}}
    # The column names stay English (code reads them: table.column("seconds per image")); what is shown is translated.
    headings = {"method": _("method"), "seconds per image": _("seconds per image"), "content loss": _("content loss"),
                "style loss": _("style loss"), "tv loss": _("tv loss"), "total loss": _("total loss")}
    return Table(columns, rows, formats=formats, headings=headings), pictures
