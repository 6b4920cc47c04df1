"""Chinese in the course's figures: a CJK font that works offline and in Colab.

matplotlib's own font (DejaVu Sans) has no Chinese characters: a title such as "风格损失" would come out
as boxes, with a "Glyph … missing from font(s) DejaVu Sans" warning. The course therefore ships, through
its dependency ``mplfonts``, the Noto Sans CJK SC font (a file inside that package: nothing is downloaded
when a figure is drawn). :func:`use_language_fonts` registers it with matplotlib and, when
``config.language()`` is ``"zh_CN"``, puts it right after the course's usual font, so that Latin letters,
digits and symbols keep their usual look and each Chinese character is taken from Noto Sans CJK SC
(matplotlib >= 3.6 falls back font by font for every glyph). :func:`course_utils.plotting.use_course_style`
calls it before every figure the course draws, so a language switched at run time takes effect at once.

    from course_utils import fonts
    fonts.use_language_fonts()          # what plotting does for you
    fonts.cjk_font_path()               # .../mplfonts/fonts/NotoSansCJKsc-Regular.otf
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

import matplotlib

from . import config

__all__ = ["CJK_FAMILY", "cjk_font_path", "register_cjk_font", "use_language_fonts"]

CJK_PACKAGE = "mplfonts"
CJK_FILE = "NotoSansCJKsc-Regular.otf"
CJK_FAMILY = "Noto Sans CJK SC"
# The languages whose text needs the CJK font.
_CJK_LANGUAGES = ("zh_CN",)


def cjk_font_path() -> Path | None:
    """The Noto Sans CJK SC file inside the installed ``mplfonts`` package, or None if it is not there."""
    try:
        path = resources.files(CJK_PACKAGE) / "fonts" / CJK_FILE
    except ModuleNotFoundError:
        return None
    path = Path(str(path))
    return path if path.is_file() else None


@functools.lru_cache(maxsize=None)
def _register(path: str) -> str:
    from matplotlib import font_manager

    font_manager.fontManager.addfont(path)
    return font_manager.FontProperties(fname=path).get_name()


def register_cjk_font() -> str | None:
    """Add the CJK font to matplotlib's font list (once); return its family name, or None without mplfonts."""
    path = cjk_font_path()
    return None if path is None else _register(str(path))


def use_language_fonts() -> None:
    """Set matplotlib's fonts for ``config.language()``: the CJK font as the fallback for Chinese.

    In Chinese ``font.sans-serif`` becomes the course's font, then Noto Sans CJK SC, then the rest, and
    ``font.family`` lists Noto Sans CJK SC after ``sans-serif`` (matplotlib falls back along
    ``font.family``). In English the CJK font is taken out of ``font.family`` again. Without ``mplfonts``
    nothing changes: Chinese would be drawn as boxes, and matplotlib says so in a warning.
    """
    rc = matplotlib.rcParams
    family = [name for name in _as_list(rc["font.family"]) if name != CJK_FAMILY] or ["sans-serif"]
    if config.language() not in _CJK_LANGUAGES:
        if family != _as_list(rc["font.family"]):
            rc["font.family"] = family
        return
    name = register_cjk_font()
    if name is None:
        return
    sans = [font for font in rc["font.sans-serif"] if font != name]
    rc["font.sans-serif"] = sans[:1] + [name] + sans[1:]
    rc["font.family"] = family + [name]


def _as_list(value) -> list[str]:
    return [value] if isinstance(value, str) else list(value)
