"""The course's messages in the learner's language: English by default, Simplified Chinese on request.

Every sentence the course says to a learner (a check's verdict, a one-sentence error, a progress
label, a figure's title) is written in English inside ``_()``::

    from .i18n import _
    raise SettingError(_("steps must be a positive whole number, got {steps!r}").format(steps=steps))

``_`` looks the English text up in the gettext catalogues of :func:`language` (the one switch:
``COURSE_LANG=zh_CN``, or ``config.set_language("zh_CN")``, which is this module's ``set_language``) and returns the translation, or the
English text itself when the language is English or a message has no translation yet. Placeholders
stay in ``{name}`` form, so the translation may put them in another order.

The catalogues are gettext ``.po`` files in ``course_utils/locale/<language>/LC_MESSAGES/``, one per
part of the course (all files of a language are read together), read with Babel. Entries marked
fuzzy (out of date with their English) are not used; ``tests/test_i18n.py`` fails while any exist.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

#: Where the catalogues live: ``locale/<language>/LC_MESSAGES/*.po``.
LOCALE_DIR = Path(__file__).resolve().parent / "locale"


#: The environment variable that chooses the language of the course's messages and figures.
LANGUAGE_VARIABLE = "COURSE_LANG"

#: The languages the course speaks: English (the default) and Simplified Chinese.
LANGUAGES = ("en", "zh_CN")

_LANGUAGE_ALIASES = {"en": "en", "zh": "zh_CN", "zh_cn": "zh_CN", "zh_hans": "zh_CN", "zh_hans_cn": "zh_CN"}


def _normalise_language(value: str) -> str | None:
    key = str(value).strip().split(".", 1)[0].replace("-", "_").lower()  # "zh-CN", "zh_CN.UTF-8" ...
    if key.startswith("en"):
        return "en"
    return _LANGUAGE_ALIASES.get(key)


def language() -> str:
    """The language of the course's messages, checks and figure labels: ``"en"`` or ``"zh_CN"``.

    Read from ``COURSE_LANG`` on every call (this is the one place it is read), so that
    ``%env COURSE_LANG=zh_CN`` in a notebook, or :func:`set_language`, takes effect at once.
    An unset or unknown value means English.
    """
    return _normalise_language(os.environ.get(LANGUAGE_VARIABLE, "")) or "en"


def set_language(value: str) -> None:
    """Speak ``value`` (``"en"`` or ``"zh_CN"``; ``"zh"`` and ``"zh-CN"`` work too) from now on."""
    chosen = _normalise_language(value)
    if chosen is None:
        from .errors import SettingError

        raise SettingError(_("language must be one of {languages}, got {value!r}.").format(
            languages=", ".join(LANGUAGES), value=value))
    os.environ[LANGUAGE_VARIABLE] = chosen


def catalogue_files(language: str) -> list[Path]:
    """The ``.po`` files of ``language``, in a fixed order."""
    return sorted((LOCALE_DIR / language / "LC_MESSAGES").glob("*.po"))


@lru_cache(maxsize=None)
def catalogue(language: str) -> dict[str, str]:
    """English message -> translation, for every translated, up-to-date entry of ``language``."""
    if language == "en":
        return {}
    from babel.messages.pofile import read_po

    table: dict[str, str] = {}
    for path in catalogue_files(language):
        with open(path, "rb") as handle:
            for message in read_po(handle):
                if message.id and isinstance(message.id, str) and message.string and not message.fuzzy:
                    table[message.id] = message.string
    return table


def gettext(message: str) -> str:
    """``message`` in the course's current language (the English itself when there is no translation)."""
    current = language()
    if current == "en":
        return message
    return catalogue(current).get(message, message)


#: The usual gettext name, so that tools (Babel's extractor) find every message.
_ = gettext
