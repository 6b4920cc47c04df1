"""One figure style for the whole course, and labelled grids of images.

::

    plotting.show_grid({"photo": content, "style": style, "result": result})
    fig = plotting.grid_figure([a, b], titles=["before", "after"], ncols=2)

Figures are made with :class:`matplotlib.figure.Figure` directly, not through
pyplot, so they never pile up in pyplot's list of open figures and no display
is needed (tests run headless). :func:`show_grid` displays the figure in
Jupyter/IPython and then closes it.
"""

from __future__ import annotations

import os
from io import BytesIO

import matplotlib
import numpy as np
from matplotlib.figure import Figure
from PIL import Image

from . import fonts, validate
from ._io import atomic_path
from .errors import ImageError, SettingError
from .grids import grid_shape
from .images import OUTPUT_TOLERANCE, as_numpy, to_float_rgb, load
from .i18n import _

__all__ = ["use_course_style", "grid_figure", "show_grid", "show", "curves_figure", "show_curves",
           "squares_figure", "progress_figure", "show_figure", "png_bytes", "close"]

_DEFAULT_NCOLS = 4

_STYLE = {
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "font.size": 11,
    "axes.titlesize": 11,
    "figure.titlesize": 13,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "image.origin": "upper",
}


def use_course_style() -> None:
    """Set the course's few matplotlib defaults (dpi 100, font size 11, no top/right spines).

    Images are drawn with anti-aliased interpolation, so that a large picture
    shrunk into a small panel does not shimmer. Safe to call many times.
    """
    matplotlib.rcParams.update(_STYLE)
    fonts.use_language_fonts()  # Chinese labels: Noto Sans CJK SC after the course's font (course_utils/fonts.py)
    for interpolation in ("auto", "antialiased"):  # "antialiased" was renamed "auto" in Matplotlib 3.10
        try:
            matplotlib.rcParams["image.interpolation"] = interpolation
            return
        except ValueError:
            continue


# ------------------------------------------------------------------ checking input


def _as_items(images, titles) -> tuple[list, list]:
    """(list of images, list of titles) from a list, a dict, or a batch array."""
    if isinstance(images, dict):
        if titles is not None:
            raise ImageError(_("Give titles either as the keys of the dict of images or as titles=, not both."))
        titles = [str(key) for key in images]
        images = list(images.values())
    elif isinstance(images, (list, tuple)):
        images = list(images)
    elif hasattr(images, "shape") and len(getattr(images, "shape", ())) == 4:
        images = list(as_numpy(images, _("the batch of images")))  # (N, H, W, C): one panel each
    else:
        images = [images]
    if not images:
        raise ImageError(_("There are no images to show: the list is empty."))
    if titles is None:
        titles = [None] * len(images)
    elif isinstance(titles, str) or len(titles) != len(images):
        count = 1 if isinstance(titles, str) else len(titles)
        raise ImageError(_("Got {images} images but {titles} titles; give one title per image (or None).").format(
            images=len(images), titles=count))
    return images, [None if t is None else str(t) for t in titles]


def _panel_data(image, what: str):
    """(array, is_2d): a float RGB image, or a 2-D array of any range shown with a colour map."""
    if isinstance(image, (str, os.PathLike, Image.Image)):
        return load(image), False
    arr = as_numpy(image, what)
    if arr.ndim == 2:
        if arr.dtype.kind not in "biuf" or arr.size == 0:
            raise ImageError(_("{what} has shape {shape} and dtype {dtype}; expected numbers.").format(
                what=what, shape=arr.shape, dtype=arr.dtype))
        return arr.astype(np.float32), True
    return to_float_rgb(arr, what, OUTPUT_TOLERANCE), False


def _check_positive(value, name: str) -> None:
    validate.number(value, name, f"{name}=3", above=0)


def _grid_shape(count: int, ncols) -> tuple[int, int]:
    return grid_shape(count, min(count, _DEFAULT_NCOLS) if ncols is None else ncols)


def _row_height(panels, panel_size: float) -> float:
    """Panel height: the tallest aspect ratio among the panels, within reason."""
    ratio = max(arr.shape[0] / arr.shape[1] for arr, _unused in panels)
    return panel_size * min(max(ratio, 0.25), 3.0)


# ----------------------------------------------------------------------- drawing


def _draw_panel(fig: Figure, ax, arr, is_2d: bool, title, cmap, colorbar: bool) -> None:
    if is_2d:
        shown = ax.imshow(arr, cmap=cmap)
        if colorbar:
            fig.colorbar(shown, ax=ax, fraction=0.046, pad=0.04)
    else:
        ax.imshow(arr, vmin=0.0, vmax=1.0)
    ax.set_axis_off()
    if title:
        ax.set_title(title)


def grid_figure(images, titles=None, *, ncols=None, suptitle=None, panel_size=3.0,
                cmap="gray", colorbar=False) -> Figure:
    """A figure with one labelled panel per image.

    Parameters
    ----------
    images : list, tuple or dict
        Images in the course's format (float (H, W, 3) in [0, 1]; batches of
        one (1, H, W, 3), uint8, tf.Tensors, file paths and PIL images work
        too). A dict maps titles to images. 2-D arrays (feature maps, Gram
        matrices ...) are shown with the colour map ``cmap`` over their own
        range of values.
    titles : list of str, optional
        One title per image (None for no title), shown above each panel.
    ncols : int, optional
        Panels per row; by default up to 4.
    suptitle : str, optional
        A title for the whole figure.
    panel_size : float, optional
        Width of one panel in inches.
    cmap : str, optional
        Colour map for 2-D arrays.
    colorbar : bool, optional
        Add a colour bar beside every 2-D panel.

    Returns
    -------
    matplotlib.figure.Figure
        Not registered with pyplot: nothing to close unless you want to.

    Raises
    ------
    ImageError
        For an empty list, a number of titles that does not match, or an
        entry that is not an image.
    """
    use_course_style()
    images, titles = _as_items(images, titles)
    _check_positive(panel_size, "panel_size")
    panels = [_panel_data(image, _("Image {index} of the grid").format(index=i)) for i, image in enumerate(images)]
    nrows, ncols = _grid_shape(len(panels), ncols)
    height = nrows * _row_height(panels, panel_size) + (0.4 if suptitle else 0.0)
    fig = Figure(figsize=(ncols * panel_size, height), layout="constrained")
    for index, ((arr, is_2d), title) in enumerate(zip(panels, titles)):
        ax = fig.add_subplot(nrows, ncols, index + 1)
        _draw_panel(fig, ax, arr, is_2d, title, cmap, colorbar)
    if suptitle:
        fig.suptitle(str(suptitle))
    return fig


def _display(fig: Figure) -> None:
    """Show ``fig`` in IPython/Jupyter; elsewhere do nothing."""
    try:
        from IPython import get_ipython
        from IPython.display import Image as PNG, display
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:
        return
    formatter = shell.display_formatter.formatters.get("image/png")
    try:
        formatter.lookup(fig)  # the inline backend renders figures itself
    except (KeyError, AttributeError):
        display(PNG(data=png_bytes(fig)))
        return
    display(fig)


def png_bytes(fig: Figure) -> bytes:
    """The figure rendered as PNG file contents (for display handles and widgets)."""
    buffer = BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def _check_png_path(path) -> None:
    if not isinstance(path, (str, os.PathLike)) or not os.fspath(path).lower().endswith(".png"):
        raise SettingError(_("save_to must be a file name ending in .png, like save_to='grid.png'; "
                             "got {path!r}.").format(path=path))


def _save_png(fig: Figure, path) -> None:
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png")


def close(fig: Figure) -> None:
    """Release the figure (and remove it from pyplot, should it be registered there)."""
    import sys

    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close(fig)
    fig.clear()


def show_grid(images, titles=None, *, ncols=None, suptitle=None, panel_size=3.0,
              cmap="gray", colorbar=False, save_to=None) -> None:
    """Build :func:`grid_figure`, display it (in Jupyter/IPython), then close it.

    Takes the same arguments as :func:`grid_figure`, plus ``save_to``: a path
    ending in ``.png`` where the figure is also saved (atomically). Outside
    IPython nothing is displayed. Returns None, so a notebook cell does not
    print the figure twice.
    """
    if save_to is not None:
        _check_png_path(save_to)
    fig = grid_figure(images, titles, ncols=ncols, suptitle=suptitle, panel_size=panel_size,
                      cmap=cmap, colorbar=colorbar)
    show_figure(fig, save_to)


def show(image, title=None, *, panel_size=5.0, cmap="gray", colorbar=False, save_to=None) -> None:
    """Display one image (course format, 2-D array, path or PIL image) with an optional title."""
    show_grid([image], None if title is None else [title], panel_size=panel_size,
              cmap=cmap, colorbar=colorbar, save_to=save_to)


# ------------------------------------------------------------------ line charts
def show_figure(fig: Figure, save_to=None) -> None:
    """Display a figure (in Jupyter/IPython), optionally save it to a .png path, then close it."""
    try:
        if save_to is not None:
            _check_png_path(save_to)
            _save_png(fig, save_to)
        _display(fig)
    finally:
        close(fig)


def curves_figure(series: dict, *, xlabel: str | None = None, ylabel: str | None = None, title=None,
                  logy: bool = False, x=None, size=(6.0, 3.5)) -> Figure:
    """One labelled line per entry of ``series`` (name -> list of values).

    ``xlabel`` and ``ylabel`` default to "step" and "loss" (in the learner's language). ``x`` gives
    shared x values (e.g. seconds) — a list, or a dict with one list
    per name; by default 1, 2, 3 ... ``logy`` draws the y axis on a log scale,
    which suits losses that fall by orders of magnitude.
    """
    use_course_style()
    if not isinstance(series, dict) or not series:
        raise SettingError(_("series must be a dict of name -> list of values, with at least one entry."))
    fig = Figure(figsize=size, layout="constrained")
    ax = fig.add_subplot()
    for name, values in series.items():
        values = np.asarray(values, dtype=float).ravel()
        xs = x.get(name) if isinstance(x, dict) else x
        xs = np.arange(1, len(values) + 1) if xs is None else np.asarray(xs, dtype=float).ravel()
        if len(xs) != len(values):
            raise SettingError(_("series {name!r} has {values} values but {xs} x values; give one x per "
                                 "value.").format(name=name, values=len(values), xs=len(xs)))
        ax.plot(xs, values, label=str(name), marker="o" if len(values) <= 20 else None, markersize=3)
    if logy:
        ax.set_yscale("log")
    if all(float(v).is_integer() for line in ax.lines for v in line.get_xdata()):
        from matplotlib.ticker import MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # steps, epochs, blocks: no 2.5
    ax.set_xlabel(_("step") if xlabel is None else xlabel)
    ax.set_ylabel(_("loss") if ylabel is None else ylabel)
    ax.grid(alpha=0.3)
    if len(series) > 1:
        ax.legend(frameon=False)
    if title:
        ax.set_title(str(title))
    return fig


def show_curves(series: dict, *, xlabel: str | None = None, ylabel: str | None = None, title=None, logy: bool = False,
                x=None, size=(6.0, 3.5), save_to=None) -> None:
    """Display :func:`curves_figure` (and save it to ``save_to``, a .png path), then close it."""
    show_figure(curves_figure(series, xlabel=xlabel, ylabel=ylabel, title=title, logy=logy, x=x, size=size),
                 save_to)


def squares_figure(image, sizes: dict, *, title=None, panel_size: float = 5.0) -> Figure:
    """``image`` with centred squares of the given sides in pixels (label -> side), e.g. receptive fields."""
    use_course_style()
    arr, is_2d = _panel_data(image, _("the image"))
    height, width = arr.shape[:2]
    fig = Figure(figsize=(panel_size + 2.4, panel_size * height / width + (0.5 if title else 0.2)),
                 layout="constrained")  # room on the right for the legend
    ax = fig.add_subplot()
    _draw_panel(fig, ax, arr, is_2d, title, "gray", False)
    colours = matplotlib.colormaps["viridis"](np.linspace(0.0, 0.9, max(len(sizes), 1)))
    from matplotlib.patches import Rectangle

    for colour, (label, side) in zip(colours, sizes.items()):
        side = float(side)
        ax.add_patch(Rectangle(((width - side) / 2 - 0.5, (height - side) / 2 - 0.5), side, side, fill=False,
                               edgecolor=colour, linewidth=2,
                               label=_("{label}: {side:g} px").format(label=label, side=side)))
    ax.set_xlim(-0.5, width - 0.5)
    ax.set_ylim(height - 0.5, -0.5)
    if sizes:
        ax.legend(loc="center left", bbox_to_anchor=(1.02, 0.5), frameon=False)
    return fig


def _loss_name(name) -> str:
    """A loss term's name as a legend shows it (in the learner's language): "total", "content", "style", "tv"."""
    names = {
        # TRANSLATORS: the terms of a loss, as a legend names them
        "total": _("total"),
        "content": _("content"),
        "style": _("style"),
        # TRANSLATORS: the total variation term of a loss, in a legend
        "tv": _("tv"),
    }
    return names.get(name, str(name))


def progress_figure(image, history: dict, *, title=None, panel_size: float = 3.5) -> Figure:
    """The picture being optimised beside its loss curves: what a live preview shows.

    ``history`` maps a loss term ("total", "content", "style", "tv" ...) to its
    values so far, and may hold "step": the step number of each value (by
    default 1, 2, 3 ...). The curves are drawn on a log scale, each term
    divided by its largest value, so terms of very different sizes share one
    axis; the legend gives the latest unscaled values.
    """
    use_course_style()
    arr, is_2d = _panel_data(image, _("the image"))
    series = {k: np.asarray(v, dtype=float).ravel() for k, v in history.items() if k != "step"}
    if not series:
        raise SettingError(_("history has no loss values; give a dict like "
                             "{{'total': [...], 'style': [...]}}.").format())
    steps = history.get("step")
    height, width = arr.shape[:2]
    fig = Figure(figsize=(panel_size * width / height + panel_size * 1.5 + 0.4, panel_size + 0.5),
                 layout="constrained")
    left, right = fig.subplots(1, 2, width_ratios=[width / height, 1.5])
    _draw_panel(fig, left, arr, is_2d, title, "gray", False)
    for name, values in series.items():
        xs = np.arange(1, len(values) + 1) if steps is None else np.asarray(steps, dtype=float)[:len(values)]
        largest = values.max() if len(values) and values.max() > 0 else 1.0
        label = _loss_name(name)
        right.plot(xs, values / largest, label=f"{label} {values[-1]:.3g}" if len(values) else label,
                   marker="o" if len(values) <= 20 else None, markersize=3)
    right.set_yscale("log", nonpositive="mask")  # a content loss starts at 0 from the photo
    right.set_xlabel(_("step"))
    right.set_ylabel(_("loss ÷ its largest value"))
    right.grid(alpha=0.3)
    right.legend(frameon=False, fontsize=9)
    return fig
