"""Tests of course_utils.plotting: labelled image grids that never leak figures."""

from __future__ import annotations

import os

import matplotlib
import numpy as np
import pytest
from PIL import Image

matplotlib.use("Agg")  # conftest.py sets MPLBACKEND=Agg too; this keeps the file runnable alone
import matplotlib.pyplot as plt  # noqa: E402

from course_utils import plotting  # noqa: E402
from course_utils.errors import ImageError, SettingError  # noqa: E402


def _images(count, height=12, width=16):
    rng = np.random.default_rng(0)
    return [rng.random((height, width, 3)).astype(np.float32) for _ in range(count)]


def _panels(fig):
    """Axes that show an image (colour bars excluded)."""
    return [ax for ax in fig.axes if ax.images and ax.get_label() != "<colorbar>"]


@pytest.fixture
def captured(monkeypatch):
    """Figures made by show_grid, and the titles they had when they were displayed."""
    record = {"figures": [], "displayed": []}
    real_grid_figure = plotting.grid_figure

    def grid_figure(*args, **kwargs):
        fig = real_grid_figure(*args, **kwargs)
        record["figures"].append(fig)
        return fig

    def display(fig):
        record["displayed"].append([ax.get_title() for ax in fig.axes])

    monkeypatch.setattr(plotting, "grid_figure", grid_figure)
    monkeypatch.setattr(plotting, "_display", display)
    return record


# --------------------------------------------------------------------- grid_figure


def test_one_panel_per_image_with_titles():
    fig = plotting.grid_figure(_images(3), ["photo", "style", "result"])
    panels = _panels(fig)
    assert len(panels) == 3 == len(fig.axes)
    assert [ax.get_title() for ax in panels] == ["photo", "style", "result"]
    assert all(not ax.axison for ax in panels)


def test_dict_keys_become_titles_and_suptitle():
    fig = plotting.grid_figure({"content": _images(1)[0], "style": _images(1)[0]}, suptitle="Inputs")
    assert [ax.get_title() for ax in fig.axes] == ["content", "style"]
    assert fig.get_suptitle() == "Inputs"


def test_titles_may_be_missing_or_none():
    fig = plotting.grid_figure(_images(2), [None, "second"])
    assert [ax.get_title() for ax in fig.axes] == ["", "second"]
    assert [ax.get_title() for ax in plotting.grid_figure(_images(2)).axes] == ["", ""]


@pytest.mark.parametrize(
    ("count", "ncols", "rows", "cols"), [(5, 2, 3, 2), (3, None, 1, 3), (9, None, 3, 4), (2, 5, 1, 2)]
)
def test_grid_layout(count, ncols, rows, cols):
    fig = plotting.grid_figure(_images(count), ncols=ncols)
    assert len(fig.axes) == count
    geometry = fig.axes[0].get_subplotspec().get_geometry()
    assert geometry[:2] == (rows, cols)
    width, _ = fig.get_size_inches()
    assert width == pytest.approx(cols * 3.0)


def test_panel_size_sets_the_figure_size():
    fig = plotting.grid_figure(_images(2, height=10, width=20), ncols=2, panel_size=2.0)
    np.testing.assert_allclose(fig.get_size_inches(), [4.0, 1.0])


def test_image_data_is_shown_in_the_course_format():
    from course_utils._tf import tf

    photo = _images(1)[0]
    as_uint8 = (photo * 255).round().astype(np.uint8)
    fig = plotting.grid_figure([photo, photo[np.newaxis], tf.constant(photo), as_uint8, Image.fromarray(as_uint8)])
    for ax in fig.axes:
        shown = np.asarray(ax.images[0].get_array())
        assert shown.shape == (12, 16, 3)
        np.testing.assert_allclose(shown, photo, atol=1 / 255)


def test_file_paths_are_loaded(tmp_path):
    path = tmp_path / "photo.png"
    Image.fromarray(np.zeros((4, 6, 3), np.uint8)).save(path)
    fig = plotting.grid_figure([path, str(path)])
    assert [ax.images[0].get_array().shape for ax in fig.axes] == [(4, 6, 3)] * 2


def test_a_batch_array_gives_one_panel_per_image():
    batch = np.stack(_images(3))
    assert len(plotting.grid_figure(batch).axes) == 3


def test_2d_arrays_use_the_colour_map_and_an_optional_colorbar():
    feature_map = np.random.default_rng(1).normal(size=(8, 8)) * 40  # any range of values
    fig = plotting.grid_figure([feature_map, _images(1)[0]], ["feature", "photo"], cmap="viridis", colorbar=True)
    assert len(_panels(fig)) == 2
    assert len(fig.axes) == 3  # one colour bar, for the 2-D panel only
    shown = fig.axes[0].images[0]
    assert shown.get_cmap().name == "viridis"
    assert shown.get_clim() == pytest.approx((feature_map.min(), feature_map.max()))
    assert plotting.grid_figure([feature_map]).axes[0].images[0].get_cmap().name == "gray"


def test_empty_list_is_an_error():
    with pytest.raises(ImageError, match="no images"):
        plotting.grid_figure([])


def test_title_count_mismatch_is_an_error():
    with pytest.raises(ImageError, match="3 images but 2 titles"):
        plotting.grid_figure(_images(3), ["a", "b"])
    with pytest.raises(ImageError, match="not both"):
        plotting.grid_figure({"a": _images(1)[0]}, titles=["b"])


@pytest.mark.parametrize("bad", [np.zeros(5), np.full((4, 4, 3), 255.0), np.zeros((4, 4, 3), complex)])
def test_an_entry_that_is_not_an_image_is_an_error(bad):
    with pytest.raises(ImageError, match="Image 1 of the grid"):
        plotting.grid_figure([_images(1)[0], bad])


@pytest.mark.parametrize(("name", "value"), [("ncols", 0), ("ncols", 1.5), ("panel_size", 0), ("panel_size", "big")])
def test_bad_layout_arguments(name, value):
    with pytest.raises(SettingError, match=name):
        plotting.grid_figure(_images(2), **{name: value})


def test_grid_figure_does_not_register_with_pyplot():
    before = plt.get_fignums()
    plotting.grid_figure(_images(2))
    assert plt.get_fignums() == before


def test_use_course_style_sets_rc_params():
    matplotlib.rcParams["axes.spines.top"] = True
    plotting.use_course_style()
    assert matplotlib.rcParams["axes.spines.top"] is False
    assert matplotlib.rcParams["axes.spines.right"] is False
    assert matplotlib.rcParams["figure.dpi"] == 100
    assert matplotlib.rcParams["image.interpolation"] in ("auto", "antialiased")


# ------------------------------------------------------------------ show_grid, show


def test_show_grid_displays_then_closes(captured):
    before = plt.get_fignums()
    assert plotting.show_grid(_images(2), ["left", "right"]) is None
    assert captured["displayed"] == [["left", "right"]]
    assert plt.get_fignums() == before
    assert captured["figures"][0].axes == []  # released after display


def test_show_single_image_with_title(captured):
    assert plotting.show(_images(1)[0], "the result") is None
    assert captured["displayed"] == [["the result"]]
    assert captured["figures"][0].get_size_inches()[0] == pytest.approx(5.0)


def test_show_grid_closes_the_figure_even_if_display_fails(monkeypatch, captured):
    def broken(fig):
        raise RuntimeError("display failed")

    monkeypatch.setattr(plotting, "_display", broken)
    with pytest.raises(RuntimeError):
        plotting.show_grid(_images(1))
    assert captured["figures"][0].axes == []


def test_show_grid_save_to_writes_a_png_atomically(tmp_path, captured):
    path = tmp_path / "figures" / "grid.png"
    plotting.show_grid(_images(3), ["a", "b", "c"], suptitle="three", save_to=path)
    with Image.open(path) as saved:
        assert saved.format == "PNG"
        assert saved.size == (900, 265)  # 3 panels 3 in wide, 0.75 x 3 in tall, + 0.4 in suptitle, 100 dpi
    assert os.listdir(path.parent) == ["grid.png"]


def test_save_to_must_be_a_png(tmp_path, captured):
    with pytest.raises(SettingError, match=r"\.png"):
        plotting.show_grid(_images(1), save_to=tmp_path / "grid.jpg")
    assert captured["figures"] == []  # refused before any figure was made
    assert list(tmp_path.iterdir()) == []


def test_show_grid_outside_ipython_shows_nothing_and_leaks_nothing():
    before = plt.get_fignums()
    plotting.show_grid(_images(2))  # the real _display: no IPython shell in pytest
    plotting.show(np.zeros((4, 4)))
    assert plt.get_fignums() == before


class _FakeFormatter:
    def __init__(self, knows_figures):
        self.knows_figures = knows_figures

    def lookup(self, obj):
        if not self.knows_figures:
            raise KeyError(type(obj))
        return repr


class _FakeShell:
    def __init__(self, knows_figures):
        self.display_formatter = type("F", (), {"formatters": {"image/png": _FakeFormatter(knows_figures)}})()


@pytest.mark.parametrize("knows_figures", [True, False])
def test_display_in_ipython(monkeypatch, knows_figures):
    import IPython
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython, "get_ipython", lambda: _FakeShell(knows_figures))
    monkeypatch.setattr(IPython.display, "display", lambda obj: shown.append(obj))
    fig = plotting.grid_figure(_images(1))
    plotting._display(fig)
    assert len(shown) == 1
    if knows_figures:
        assert shown[0] is fig  # the inline backend renders it
    else:
        assert isinstance(shown[0], IPython.display.Image)  # rendered to PNG ourselves
        assert shown[0].data.startswith(b"\x89PNG")


def test_curves_figure_labels_every_series():
    fig = plotting.curves_figure({"adam": [3, 2, 1], "lbfgs": [3, 1, 0.5]}, xlabel="seconds", ylabel="loss",
                                 title="t", logy=True, x={"adam": [0, 1, 2], "lbfgs": [0, 2, 4]})
    ax = fig.axes[0]
    assert [line.get_label() for line in ax.lines] == ["adam", "lbfgs"]
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "seconds" and ax.get_title() == "t"
    assert list(ax.lines[1].get_xdata()) == [0, 2, 4]
    with pytest.raises(ValueError, match="has 3 values but 2 x values"):
        plotting.curves_figure({"a": [1, 2, 3]}, x=[1, 2])
    with pytest.raises(ValueError, match="series must be a dict"):
        plotting.curves_figure({})


def test_show_curves_saves_and_closes(tmp_path):
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    plotting.show_curves({"loss": [1, 0.5]}, save_to=tmp_path / "c.png")
    assert (tmp_path / "c.png").read_bytes().startswith(b"\x89PNG") and plt.get_fignums() == before


def test_squares_figure_draws_centred_squares():
    image = np.zeros((40, 60, 3), np.float32)
    fig = plotting.squares_figure(image, {"a": 10, "b": 30}, title="fields")
    patches = fig.axes[0].patches
    assert [p.get_width() for p in patches] == [10, 30]
    assert patches[0].get_xy() == pytest.approx((24.5, 14.5))
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["a: 10 px", "b: 30 px"]


def test_progress_figure_shows_the_picture_and_scaled_curves():
    history = {"step": [10, 20, 30], "content": [0.0, 2.0, 3.0], "style": [100.0, 10.0, 1.0]}
    fig = plotting.progress_figure(np.zeros((20, 30, 3), np.float32), history, title="step 30")
    picture, curves = fig.axes
    assert picture.get_title() == "step 30"
    assert [line.get_label() for line in curves.get_lines()] == ["content 3", "style 1"]
    np.testing.assert_allclose(curves.get_lines()[1].get_ydata(), [1.0, 0.1, 0.01])
    np.testing.assert_allclose(curves.get_lines()[0].get_xdata(), [10, 20, 30])
    assert curves.get_yscale() == "log"
    with pytest.raises(ValueError, match="history has no loss values"):
        plotting.progress_figure(np.zeros((4, 4, 3)), {"step": [1]})
