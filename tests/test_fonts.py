"""Chinese figure labels are drawn with the CJK font (course_utils/fonts.py), with no missing glyph.

A figure with a Chinese title and axis labels is rendered to PNG the way the course draws its figures
(plotting.curves_figure, which sets the course's style); matplotlib must not warn about a missing glyph,
its own fallback resolution must take the Chinese characters from Noto Sans CJK SC, and the pixels
must show real characters: two different characters drawn alone must look different (boxes do not).
"""

from __future__ import annotations

import io
import logging
import warnings

import matplotlib
import numpy as np
import pytest
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font
from PIL import Image

from course_utils import colab, fonts, plotting

TITLE, XLABEL, YLABEL = "风格损失随迭代下降", "步", "损失（对数）"


@pytest.fixture
def chinese(monkeypatch):
    monkeypatch.setenv("COURSE_LANG", "zh_CN")
    with matplotlib.rc_context():
        yield


def _render(fig) -> tuple[np.ndarray, list[str]]:
    """The figure as RGB pixels, and every warning or log record about glyphs while drawing it."""
    records: list[str] = []

    class Catch(logging.Handler):
        def emit(self, record):
            records.append(record.getMessage())

    handler = Catch(level=logging.WARNING)
    logger = logging.getLogger("matplotlib")
    logger.addHandler(handler)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            buffer = io.BytesIO()
            fig.savefig(buffer, format="png")
    finally:
        logger.removeHandler(handler)
    records += [str(w.message) for w in caught]
    pixels = np.asarray(Image.open(io.BytesIO(buffer.getvalue())).convert("RGB"))
    return pixels, [r for r in records if "glyph" in r.lower() or "font" in r.lower()]


def _font_for(char: str) -> str:
    """The font file matplotlib's per-glyph fallback takes ``char`` from, with the current settings."""
    paths = font_manager.fontManager._find_fonts_by_props(font_manager.FontProperties())
    for path in paths:
        if FT2Font(str(path)).get_char_index(ord(char)):
            return str(path)
    return "no font"


def test_the_cjk_font_ships_with_the_course():
    path = fonts.cjk_font_path()
    assert path is not None and path.is_file() and path.name == fonts.CJK_FILE, "mplfonts is a dependency"
    assert fonts.register_cjk_font() == fonts.CJK_FAMILY


def test_a_chinese_figure_has_no_missing_glyph_and_takes_them_from_the_cjk_font(chinese):
    fig = plotting.curves_figure({"风格": [3.0, 2.0, 1.5], "内容": [2.0, 1.8, 1.7]}, xlabel=XLABEL,
                                 ylabel=YLABEL, title=TITLE)
    pixels, problems = _render(fig)
    assert problems == [], problems
    assert pixels.shape[0] > 100
    assert matplotlib.rcParams["font.sans-serif"][1] == fonts.CJK_FAMILY, "after the course's font"
    assert matplotlib.rcParams["font.sans-serif"][0] != fonts.CJK_FAMILY, "Latin text keeps its font"
    assert _font_for("风") == str(fonts.cjk_font_path())
    assert _font_for("a") != str(fonts.cjk_font_path()), "Latin letters still come from the course's font"


def _one_character(char: str) -> np.ndarray:
    plotting.use_course_style()
    fig = Figure(figsize=(1.2, 1.2), dpi=100)
    fig.text(0.5, 0.5, char, fontsize=60, ha="center", va="center")
    return _render(fig)[0]


def test_chinese_characters_are_drawn_as_themselves_not_as_boxes(chinese):
    wind, grid = _one_character("风"), _one_character("格")
    for pixels in (wind, grid):
        assert (pixels < 128).any(), "something was drawn"
    # A missing glyph is drawn as the same box whatever the character; real glyphs differ.
    assert np.abs(wind.astype(int) - grid.astype(int)).sum() > 1000


def test_in_english_the_cjk_font_is_not_in_the_family(monkeypatch):
    with matplotlib.rc_context():
        monkeypatch.setenv("COURSE_LANG", "zh_CN")
        plotting.use_course_style()
        assert fonts.CJK_FAMILY in matplotlib.rcParams["font.family"]
        monkeypatch.setenv("COURSE_LANG", "en")
        plotting.use_course_style()
        assert fonts.CJK_FAMILY not in matplotlib.rcParams["font.family"]


def test_colab_setup_installs_the_font_and_babel_when_colab_lacks_them(monkeypatch):
    """In Colab course_utils comes with --no-deps; setup() installs mplfonts and Babel if they are missing."""
    present = colab._installed
    monkeypatch.setattr(colab, "_installed", lambda name: name.lower() not in {"mplfonts", "babel"} and present(name))
    missing = colab.missing_requirements()
    assert sorted(colab._requirement_name(m).lower() for m in missing) == ["babel", "mplfonts"], missing
    ran = []
    colab.setup(run=lambda command, check: ran.append(command), quiet=True)
    assert ran and {"mplfonts", "babel"} <= {colab._requirement_name(a).lower() for a in ran[0][5:]}, ran
