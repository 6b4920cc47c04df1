#!/usr/bin/env python3
"""The Chinese edition's notebooks from the English ones plus gettext catalogues (one source, no drift).

Each English notebook ``notebooks/NN_name.ipynb`` has a catalogue
``book/locale/<language>/notebooks/NN_name.po`` whose messages are its markdown cells, whole, in order:
the English cell is the ``msgid``, its translation the ``msgstr``. ``update`` brings the catalogues in line
with the English notebooks: a new cell gets an empty entry, a changed cell keeps its old translation
marked *fuzzy* (out of date) with the old English beside it, a removed cell's entry becomes obsolete.

    python book/translate.py update            # after editing an English notebook
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
LOCALE = ROOT / "book" / "locale"
LANGUAGES = ("zh_CN",)


def english_notebooks() -> list[Path]:
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def catalogue_path(notebook: Path, language: str) -> Path:
    return LOCALE / language / "notebooks" / f"{notebook.stem}.po"


def markdown_cells(notebook: Path) -> list[tuple[int, str, str]]:
    """(index, cell id, source) of every markdown cell of ``notebook``."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return [(i, cell.get("id", ""), "".join(cell["source"])) for i, cell in enumerate(cells)
            if cell["cell_type"] == "markdown"]


def template(notebook: Path) -> Catalog:
    """A catalogue with one empty entry per markdown cell of ``notebook``."""
    catalog = Catalog(project="AI painting with TensorFlow", fuzzy=False)
    for index, cell_id, source in markdown_cells(notebook):
        catalog.add(source, auto_comments=[f"cell {index} ({cell_id})"], context=None)
    return catalog


def read_catalogue(path: Path) -> Catalog:
    with open(path, "rb") as handle:
        return read_po(handle)


def write_catalogue(catalog: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".po.tmp")
    with open(tmp, "wb") as handle:
        write_po(handle, catalog, width=100, include_previous=False, omit_header=False)
    tmp.replace(path)


def update(language: str) -> list[Path]:
    """Bring every catalogue of ``language`` in line with its English notebook; return the files written."""
    written = []
    for notebook in english_notebooks():
        path = catalogue_path(notebook, language)
        fresh = template(notebook)
        if path.exists():
            catalog = read_catalogue(path)
            catalog.update(fresh, no_fuzzy_matching=False, update_header_comment=False, update_creation_date=False)
        else:
            catalog = Catalog(project=fresh.project, locale=language, fuzzy=False)
            catalog.update(fresh)
        catalog.locale = language
        write_catalogue(catalog, path)
        written.append(path)
    return written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["update"])
    parser.add_argument("--language", default="zh_CN", choices=LANGUAGES)
    args = parser.parse_args(argv)
    if args.command == "update":
        for path in update(args.language):
            print(path.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
