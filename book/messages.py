#!/usr/bin/env python3
"""The catalogues of ``course_utils``' own messages, kept in line with the code.

Babel's extractor finds every ``_("…")`` in ``course_utils``; each message goes to the catalogue of
the part of the package it is written in (``course_utils/checks/`` -> ``checks.po``, ``course_utils/gan/``
-> ``gan.po``, a top-level module -> ``core.po``), in
``course_utils/locale/<language>/LC_MESSAGES/``. A new message gets an empty entry, a changed one keeps
its old translation marked fuzzy, a removed one becomes obsolete (and is dropped). Entries carry no file
and line (so that editing code elsewhere in a module does not touch the catalogue).

    python book/messages.py update            # after adding or changing a message in course_utils
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "course_utils"
LOCALE = PACKAGE / "locale"
LANGUAGES = ("zh_CN",)
KEYWORDS = {"_": None, "gettext": None, "N_": None}


def part_of(filename: str) -> str:
    """The catalogue a message found in ``filename`` (relative to the package) belongs to."""
    parts = Path(filename).parts
    return parts[0] if len(parts) > 1 else "core"


def extracted() -> dict[str, Catalog]:
    """Part name -> a template catalogue of every message ``course_utils`` writes in that part."""
    templates: dict[str, Catalog] = {}
    for filename, lineno, message, comments, context in extract_from_dir(
            PACKAGE, method_map=[("**.py", "python")], keywords=KEYWORDS, comment_tags=("TRANSLATORS:",)):
        part = part_of(filename)
        catalog = templates.setdefault(part, Catalog(project="AI painting with TensorFlow", fuzzy=False))
        catalog.add(message, locations=[(f"course_utils/{filename}", lineno)], auto_comments=comments,
                    context=context)
    return templates


def catalogue_path(part: str, language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / f"{part}.po"


def update(language: str) -> list[Path]:
    written = []
    for part, template in sorted(extracted().items()):
        path = catalogue_path(part, language)
        if path.exists():
            with open(path, "rb") as handle:
                catalog = read_po(handle)
        else:
            catalog = Catalog(project=template.project, locale=language, fuzzy=False)
        catalog.update(template, no_fuzzy_matching=False, update_header_comment=False,
                       update_creation_date=False)
        catalog.obsolete.clear()
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".po.tmp")
        with open(tmp, "wb") as handle:
            write_po(handle, catalog, width=100, include_previous=False, no_location=True)
        tmp.replace(path)
        written.append(path)
    return written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["update"])
    parser.add_argument("--language", default="zh_CN", choices=LANGUAGES)
    args = parser.parse_args(argv)
    for path in update(args.language):
        print(path.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
