"""Interactive figures: drawn without a front end, redrawn when a control moves."""

import numpy as np
import pytest

from course_utils import plotting, widgets


def draw_square(size, colour, bright=False):
    image = np.zeros((size, size, 3), np.float32)
    image[..., {"red": 0, "green": 1}[colour]] = 1.0 if bright else 0.5
    return plotting.grid_figure([image], [f"{colour} {size}"])


def test_figure_is_drawn_once_with_the_first_values():
    fig = widgets.InteractiveFigure(draw_square, {"size": (4, 16), "colour": ["red", "green"], "bright": False})
    assert fig.values == {"size": 4, "colour": "red", "bright": False}
    assert fig.png.startswith(b"\x89PNG") and fig.error is None
    assert set(fig.controls) == {"size", "colour", "bright"}
    assert type(fig.controls["size"]).__name__ == "IntSlider" and not fig.controls["size"].continuous_update
    assert type(fig.controls["colour"]).__name__ == "Dropdown"


def test_moving_a_control_redraws_the_picture():
    fig = widgets.InteractiveFigure(draw_square, {"size": (4, 16), "colour": ["red", "green"]}, {"size": 8})
    first = fig.png
    fig.controls["colour"].value = "green"  # what the learner's click does
    assert fig.values["colour"] == "green" and fig.png != first
    second = fig.png
    fig.update(size=12)  # the same from code; the slider follows
    assert fig.controls["size"].value == 12 and fig.png != second


def test_a_choice_that_cannot_be_drawn_keeps_the_last_picture_and_says_why():
    def draw(n):
        if n > 3:
            raise ValueError("n must be at most 3 here")
        return draw_square(4 + n, "red")

    fig = widgets.InteractiveFigure(draw, {"n": (0, 5)})
    before = fig.png
    fig.update(n=5)
    assert fig.error == "n must be at most 3 here" and fig.png == before
    assert "n must be at most 3" in fig._status.value
    fig.update(n=1)
    assert fig.error is None and fig._status.value == "" and fig.png != before


@pytest.mark.parametrize("controls, values, message", [
    ({"n": ()}, None, r"must be \(min, max\) or \(min, max, step\)"),
    ({"n": (5, 1)}, None, "min 5 is larger than max 1"),
    ({"n": []}, None, "empty list of options"),
    ({"n": (0, 3)}, {"m": 1}, "values names no control 'm'"),
])
def test_bad_controls(controls, values, message):
    with pytest.raises(ValueError, match=message):
        widgets.InteractiveFigure(lambda **kw: draw_square(4, "red"), controls, values)


def test_bad_update():
    fig = widgets.InteractiveFigure(draw_square, {"size": (4, 16), "colour": ["red", "green"]})
    with pytest.raises(ValueError, match=r"'blue' is not a choice for 'colour': give one of \['red', 'green'\]"):
        fig.update(colour="blue")
    with pytest.raises(ValueError, match="no control named 'shape'"):
        fig.update(shape="round")


@pytest.mark.slow
def test_feature_explorer_shows_top_channels_and_one_channel(vgg):
    rng = np.random.default_rng(0)
    pictures = {"noise": rng.uniform(size=(48, 40, 3)).astype(np.float32),
                "ramp": np.tile(np.linspace(0, 1, 40, dtype=np.float32)[None, :, None], (48, 1, 3))}
    fig = widgets.feature_explorer(pictures, ["block1_conv1", "block2_conv1"], k=4, base=vgg, show=False)
    shots = {fig.png}
    for change in ({"layer": "block2_conv1"}, {"picture": "ramp"}, {"view": "one channel"},
                   {"channel": 100}, {"channel": 500}):
        fig.update(**change)
        assert fig.error is None
        shots.add(fig.png)
    assert len(shots) == 6, "every change gives a different picture"


@pytest.mark.slow
def test_feature_explorer_slider_ends_at_the_layers_last_channel(vgg):
    picture = {"noise": np.random.default_rng(1).uniform(size=(32, 32, 3)).astype(np.float32)}
    fig = widgets.feature_explorer(picture, ["block1_conv1", "block2_conv1"], base=vgg, show=False)
    slider = fig.controls["channel"]
    assert (slider.min, slider.max) == (0, 63), "block1_conv1 has 64 channels"
    fig.controls["layer"].value = "block2_conv1"  # what choosing it in the menu does
    assert slider.max == 127
    slider.value = 120
    fig.controls["layer"].value = "block1_conv1"
    assert (slider.max, slider.value, fig.values["channel"]) == (63, 63, 63), "the slider and figure agree"
    assert fig.error is None


# ------------------------------------------------------------------ live preview and the playground
class _Handle:
    def __init__(self, log):
        self.log = log

    def update(self, obj):
        self.log.append(("update", obj))


def test_live_preview_displays_once_then_updates_in_place(monkeypatch):
    import IPython
    import IPython.display

    log = []
    monkeypatch.setattr(IPython, "get_ipython", lambda: object())
    monkeypatch.setattr(IPython.display, "display",
                        lambda obj, display_id=None: log.append(("display", display_id)) or _Handle(log))
    preview = widgets.LivePreview("test")
    image = np.zeros((12, 16, 3), np.float32)
    for step in (10, 20, 30):
        preview(step, image + step / 40, {"content": 0.0 if step == 10 else step, "style": 100.0 / step})
    assert [entry[0] for entry in log] == ["display", "update", "update"] and log[0][1] is True
    assert preview.history == {"step": [10, 20, 30], "content": [0.0, 20.0, 30.0],
                               "style": [10.0, 5.0, 100.0 / 30]}
    assert preview.png.startswith(b"\x89PNG")


def test_live_preview_outside_ipython_keeps_the_history():
    preview = widgets.LivePreview()
    preview(1, np.ones((8, 8, 3), np.float32), {"total": 3.0})
    assert preview.history == {"step": [1], "total": [3.0]} and preview.png.startswith(b"\x89PNG")


@pytest.mark.slow
def test_live_preview_follows_a_real_run(vgg):
    from course_utils import transfer

    rng = np.random.default_rng(0)
    content, style = rng.uniform(size=(32, 40, 3)).astype(np.float32), rng.uniform(size=(32, 32, 3)).astype(np.float32)
    preview = widgets.LivePreview()
    transfer.stylize(content, style, steps=4, optimizer="adam", progress=False, callback=preview, callback_every=2,
                     objective=transfer.Objective(content, style, base=vgg))
    assert preview.history["step"] == [2, 4] and set(preview.history) == {"step", "content", "style", "tv"}


@pytest.mark.slow
def test_transfer_playground_runs_a_transfer_per_change(vgg):
    rng = np.random.default_rng(1)
    photos = {"noise": rng.uniform(size=(40, 48, 3)).astype(np.float32)}
    styles = {"a": rng.uniform(size=(32, 32, 3)).astype(np.float32) ** 2,
              "b": rng.uniform(size=(32, 32, 3)).astype(np.float32) ** 0.5}
    fig = widgets.transfer_playground(photos, styles, sizes=(32, 40), steps=2, max_steps=5, base=vgg, show=False)
    assert fig.values["steps"] == 2 and fig.values["style_weight"] == 1e-2 and fig.error is None
    shots = {fig.png}
    for change in ({"style": "b"}, {"optimizer": "adam"}, {"size": 40}, {"preserve_colors": "luminance"}):
        fig.update(**change)
        assert fig.error is None
        shots.add(fig.png)
    assert len(shots) == 5
    with pytest.raises(ValueError, match="at least one photo and one style"):
        widgets.transfer_playground({}, styles, base=vgg, show=False)
