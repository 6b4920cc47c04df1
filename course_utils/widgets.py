"""Figures with controls: move a slider, the picture is redrawn in place.

The figure is an ordinary output of the cell (a PNG with a display id), not part
of a widget, so it is there wherever the notebook is read: in JupyterLab and
Colab, in the course's rendered book, in the tests, and in a front end without
widget support. When the notebook runs in a kernel with ipywidgets, controls are
shown above it, and changing one redraws the same output. ::

    def draw(layer, channel):
        return plotting.grid_figure(...)

    widgets.interactive_figure(draw, {"layer": ["block1_conv1", "block3_conv1"],
                                      "channel": (0, 63)})

Controls are written the way ``ipywidgets.interact`` writes them: a list gives a
drop-down menu, ``(min, max)`` or ``(min, max, step)`` a slider (integer or
float, after the numbers), ``True``/``False`` a check box, and a ready-made
widget is used as it is. Sliders redraw when released, not while dragged,
because the pictures behind them take a moment to compute.
"""

from __future__ import annotations

import numbers
from typing import Callable

from . import plotting
from .errors import CourseError, SettingError
from .i18n import _

__all__ = ["InteractiveFigure", "interactive_figure", "LivePreview", "feature_explorer", "transfer_playground"]


def _ipywidgets():
    try:
        import ipywidgets
    except ImportError:  # the figure still works; only the controls are missing
        return None
    return ipywidgets


def _in_kernel() -> bool:
    """True inside a Jupyter kernel (where widgets can be shown), False in scripts and tests."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def _is_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _initial(spec):
    """The starting value of a control spec (first option, lowest slider position ...)."""
    if isinstance(spec, bool):
        return spec
    if isinstance(spec, list):
        first = spec[0]
        return first[1] if isinstance(first, tuple) and len(first) == 2 else first
    if isinstance(spec, tuple):
        return spec[0]
    return getattr(spec, "value", spec)


def _check_spec(name: str, spec) -> None:
    if isinstance(spec, list) and not spec:
        raise SettingError(_("control {name!r} has an empty list of options; give at least one.").format(name=name))
    if isinstance(spec, tuple):
        if len(spec) not in (2, 3) or not all(_is_number(v) for v in spec):
            raise SettingError(_("control {name!r} must be (min, max) or (min, max, step) numbers, "
                                 "got {spec!r}.").format(name=name, spec=spec))
        if spec[1] < spec[0]:
            raise SettingError(_("control {name!r}: min {low} is larger than max {high}.").format(
                name=name, low=spec[0], high=spec[1]))


def _label(name: str) -> str:
    """The label a control shows: the course's own control names in the learner's language, others as they are."""
    labels = {
        # TRANSLATORS: the labels of the course's controls (feature explorer, style-transfer playground)
        "picture": _("picture"),
        "layer": _("layer"),
        "view": _("view"),
        "channel": _("channel"),
        "photo": _("photo"),
        "style": _("style"),
        "size": _("size"),
        "steps": _("steps"),
        "style_weight": _("style weight"),
        "optimizer": _("optimizer"),
        "preserve_colors": _("preserve colors"),
    }
    return labels.get(name, name.replace("_", " "))


def _make_widget(ipywidgets, name: str, spec, value):
    """An ipywidgets control for ``spec``, or None when ``spec`` is a fixed value."""
    label = _label(name)
    if isinstance(spec, ipywidgets.Widget):
        return spec
    if isinstance(spec, bool):
        return ipywidgets.Checkbox(value=value, description=label)
    if isinstance(spec, list):
        return ipywidgets.Dropdown(options=spec, value=value, description=label)
    if isinstance(spec, tuple):
        low, high = spec[0], spec[1]
        integer = all(isinstance(v, numbers.Integral) for v in spec)
        step = spec[2] if len(spec) == 3 else (1 if integer else (high - low) / 100)
        slider = ipywidgets.IntSlider if integer else ipywidgets.FloatSlider
        return slider(min=low, max=high, step=step, value=value, description=label, continuous_update=False)
    return None


def _show_png(png: bytes, handle=None):
    """Display PNG bytes as a new output with a display id, or replace the output of ``handle``.

    Returns the handle, for the next replacement.
    """
    from IPython.display import Image, display

    if handle is None:
        return display(Image(data=png), display_id=True)
    handle.update(Image(data=png))
    return handle


class InteractiveFigure:
    """A figure drawn by ``draw(**values)``, redrawn whenever a value changes.

    Attributes
    ----------
    values : dict
        The values the figure was last drawn with.
    controls : dict
        name -> ipywidgets control (empty when ipywidgets is not installed).
    png : bytes
        The last picture, as PNG file contents.
    error : str or None
        The last redraw's error message (the previous picture then stays).
    """

    def __init__(self, draw: Callable, controls: dict, values: dict | None = None):
        if not callable(draw):
            raise SettingError(_("draw must be a function that returns a matplotlib figure, got {draw!r}.").format(
                draw=draw))
        for name, spec in controls.items():
            _check_spec(name, spec)
        self.draw = draw
        self.values = {name: _initial(spec) for name, spec in controls.items()}
        unknown = set(values or {}) - set(controls)
        if unknown:
            raise SettingError(_("values names no control {name!r}; the controls are {controls}.").format(
                name=sorted(unknown)[0], controls=sorted(controls)))
        self.values.update(values or {})
        self.error = None
        self.png = b""
        self._handle = None
        self._status = None
        self._syncing = False
        self.controls = {}
        ipywidgets = _ipywidgets()
        if ipywidgets is not None:
            for name, spec in controls.items():
                widget = _make_widget(ipywidgets, name, spec, self.values[name])
                if widget is not None:
                    self.values[name] = widget.value
                    widget.observe(self._on_change(name), names="value")
                    self.controls[name] = widget
            self._status = ipywidgets.HTML(value="")
        self._render()

    def _on_change(self, name):
        def handler(change):
            if not self._syncing:
                self.update(**{name: change["new"]})
        return handler

    def _render(self) -> None:
        fig = self.draw(**self.values)
        try:
            self.png = plotting.png_bytes(fig)
        finally:
            plotting.close(fig)

    def update(self, **changes) -> None:
        """Set some values and redraw (what moving a control does)."""
        unknown = set(changes) - set(self.values)
        if unknown:
            raise SettingError(_("no control named {name!r}; the controls are {controls}.").format(
                name=sorted(unknown)[0], controls=sorted(self.values)))
        self._syncing = True
        try:
            for name, value in changes.items():  # keep the controls in step when called from code
                widget = self.controls.get(name)
                if widget is not None and widget.value != value:
                    try:
                        widget.value = value
                    except Exception:  # traitlets' TraitError: not an option, wrong type ...
                        options = getattr(widget, "options", None)
                        if options is not None:
                            raise SettingError(_("{value!r} is not a choice for {name!r}: give one of "
                                                 "{options}.").format(value=value, name=name,
                                                                      options=list(options))) from None
                        raise SettingError(_("{value!r} is not a choice for {name!r}: give a value from {low} to "
                                             "{high}.").format(value=value, name=name, low=widget.min,
                                                               high=widget.max)) from None
        finally:
            self._syncing = False
        self.values.update(changes)
        try:
            self._render()
        except (CourseError, ValueError) as err:  # a learner's choice that cannot be drawn: say so
            self.error = str(err)
        else:
            self.error = None
            if self._handle is not None:
                _show_png(self.png, self._handle)
        if self._status is not None:
            self._status.value = "" if self.error is None else _("<b>Cannot draw this:</b> {error}").format(
                error=self.error)

    def show(self) -> "InteractiveFigure":
        """Display the controls (in a kernel) and the figure; returns self."""
        try:
            from IPython import get_ipython
            from IPython.display import display
        except ImportError:
            return self
        if get_ipython() is None:
            return self
        if self.controls and _in_kernel():
            import ipywidgets

            display(ipywidgets.VBox([ipywidgets.HBox(list(self.controls.values())), self._status]))
        self._handle = _show_png(self.png)
        return self

    def _ipython_display_(self):  # a bare `fig` at the end of a cell shows it
        self.show()


def interactive_figure(draw: Callable, controls: dict, values: dict | None = None) -> InteractiveFigure:
    """Draw ``draw(**values)`` once, display it with its controls, and return the :class:`InteractiveFigure`.

    Parameters
    ----------
    draw : function
        Called with one keyword argument per control; returns a matplotlib figure
        (closed after it is drawn).
    controls : dict
        name -> a list of options, ``(min, max[, step])``, a bool, an ipywidgets
        widget, or any other value (passed as it is, with no control).
    values : dict, optional
        Starting values, where the first option or the minimum is not wanted.
    """
    return InteractiveFigure(draw, controls, values).show()


# ------------------------------------------------------------- live preview of a long run
class LivePreview:
    """Watch an optimisation: the current picture and its loss curves, redrawn in place.

    Pass it as the ``callback`` of :func:`transfer.stylize` or :func:`transfer.optimize`;
    it is called as ``preview(step, image, parts)`` every ``callback_every`` steps. ::

        preview = widgets.LivePreview("the cat, in swirls")
        result = transfer.stylize(content, style, steps=200, callback=preview, callback_every=20)

    In Jupyter the first call displays the figure and later calls replace it (one
    output, not one per call); elsewhere nothing is shown, but ``history`` and
    ``png`` are still kept.

    Attributes
    ----------
    history : dict
        "step" -> the steps seen, and each loss term -> its values at those steps.
    png : bytes
        The last figure, as PNG file contents.
    """

    def __init__(self, title: str | None = None, *, panel_size: float = 3.5):
        self.title = title
        self.panel_size = panel_size
        self.history = {"step": []}
        self.png = b""
        self._handle = None

    def __call__(self, step: int, image, parts: dict) -> None:
        self.history["step"].append(int(step))
        for name, value in parts.items():
            self.history.setdefault(name, []).append(float(value))
        label = _("step {step}").format(step=step) if not self.title else \
            _("{title}: step {step}").format(title=self.title, step=step)
        fig = plotting.progress_figure(image, self.history, title=label, panel_size=self.panel_size)
        try:
            self.png = plotting.png_bytes(fig)
        finally:
            plotting.close(fig)
        self._show()

    def _show(self) -> None:
        try:
            from IPython import get_ipython
        except ImportError:
            return
        if get_ipython() is not None:
            self._handle = _show_png(self.png, self._handle)


# ------------------------------------------------------------- the feature explorer
def feature_explorer(pictures: dict, layers, *, k: int = 8, base=None, show: bool = True) -> InteractiveFigure:
    """Pick a picture, a VGG19 layer and a channel (or the k most active) and see the maps.

    Parameters
    ----------
    pictures : dict
        name -> image in the course's format.
    layers : sequence of str
        The VGG19 layers to choose from (e.g. the first conv of each block).
    k : int
        How many of the most active channels the "top k" view shows.
    base : keras.Model, optional
        The VGG19 to use.
    show : bool
        Display it now (True) or only build it (False, for tests).
    """
    from . import features

    if not pictures:
        raise SettingError(_("pictures is empty; give at least one, e.g. {{'cat': data.content('chelsea', 256)}}.")
                           .format())
    layers = list(layers)
    computed = {}

    def activations(name):
        if name not in computed:  # all layers of one picture in one pass, once
            computed[name] = features.layer_maps(pictures[name], layers, base=base)
        return computed[name]

    def draw(picture, layer, view, channel):
        acts = activations(picture)[layer]
        count = acts.shape[-1]
        if view == "one channel":
            channel = min(channel, count - 1)
            fields = dict(layer=layer, channel=channel, count=count)
            panels = {f"{picture}": pictures[picture],
                      _("{layer}, channel {channel} of {count}").format(**fields):
                          features.normalise_map(acts[:, :, channel])}
            return plotting.grid_figure(panels, ncols=2, panel_size=4.0, cmap="magma", colorbar=True,
                                        suptitle=_("What channel {channel} of {layer} responds to").format(**fields))
        best = features.top_channels(acts, k)
        means = acts.mean(axis=(0, 1))
        panels = {picture: pictures[picture]}
        # TRANSLATORS: a panel's title: channel 12, whose mean activation is 0.345
        panels.update({_("ch {channel} (mean {mean:.3g})").format(channel=c, mean=means[c]):
                       features.normalise_map(acts[:, :, c]) for c in best})
        return plotting.grid_figure(panels, ncols=min(5, len(panels)), panel_size=2.4, cmap="magma",
                                    suptitle=_("The {shown} most active of {count} channels in {layer} "
                                               "({height}×{width} positions)").format(
                                                   shown=len(best), count=count, layer=layer,
                                                   height=acts.shape[0], width=acts.shape[1]))

    controls = {"picture": list(pictures), "layer": layers,
                "view": [(_("top {k}").format(k=k), f"top {k}"), (_("one channel"), "one channel")],
                "channel": (0, 511)}
    figure = InteractiveFigure(draw, controls)
    slider, menu = figure.controls.get("channel"), figure.controls.get("layer")
    if slider is not None and menu is not None:
        def fit_slider(change):  # the channel slider ends at the chosen layer's last channel
            slider.max = activations(figure.values["picture"])[change["new"]].shape[-1] - 1

        menu.observe(fit_slider, names="value")
        fit_slider({"new": menu.value})
    return figure.show() if show else figure


# ------------------------------------------------------------- a small style-transfer playground
def transfer_playground(photos: dict, styles: dict, *, sizes=(64, 96, 128), max_steps: int = 60,
                        steps: int = 20, base=None, show: bool = True) -> InteractiveFigure:
    """Run a short style transfer with the settings chosen in the controls, and see it.

    Parameters
    ----------
    photos, styles : dict
        name -> image (course format or anything ``images.load`` takes).
    sizes : sequence of int
        The sizes to choose from (longest side in pixels); small ones keep a run to seconds.
    max_steps, steps : int
        The largest number of steps the slider offers, and where it starts.
    base : keras.Model, optional
        The VGG19 to use (built once and shared, if not given).
    show : bool
        Display it now (True) or only build it (False, for tests).

    Every change of a control runs a new transfer (the objective for a photo, a
    style, a size and weights is built once and reused).
    """
    from . import images, models, transfer

    if not photos or not styles:
        raise SettingError(_("give at least one photo and one style, e.g. {{'cat': data.content('chelsea')}}.")
                           .format())
    base = models.vgg19(verbose=False) if base is None else base
    objectives = {}

    def draw(photo, style, size, steps, style_weight, optimizer, preserve_colors):
        content = images.load(photos[photo], size=size)
        painting = images.load(styles[style], size=size)
        key = (photo, style, size, style_weight)
        if key not in objectives:
            objectives[key] = transfer.Objective(content, painting, style_weight=style_weight, base=base)
        result = transfer.stylize(content, painting, steps=steps, optimizer=optimizer, objective=objectives[key],
                                  progress=False,
                                  preserve_colors=None if preserve_colors == "no" else preserve_colors)
        title = _("{optimizer}, {steps} steps, {seconds:.1f} s, loss {loss:.3g}").format(
            optimizer=optimizer, steps=steps, seconds=result.seconds, loss=result.final_loss)
        return plotting.grid_figure({photo: content, style: painting, title: result.image}, ncols=3, panel_size=3.2,
                                    suptitle=_("style weight {weight:g}, {size} px").format(
                                        weight=style_weight, size=size))

    controls = {"photo": list(photos), "style": list(styles), "size": [int(v) for v in sizes],
                "steps": (1, int(max_steps)), "style_weight": [1e-3, 1e-2, 1e-1, 1.0],
                "optimizer": ["lbfgs", "adam"],
                # TRANSLATORS: the choices of "preserve colors": no, or keep the photo's colours through its luminance
                "preserve_colors": [(_("no"), "no"), (_("luminance"), "luminance")]}
    figure = InteractiveFigure(draw, controls, {"steps": int(steps), "style_weight": transfer.STYLE_WEIGHT})
    return figure.show() if show else figure
