#!/usr/bin/env python3
"""The Chinese edition's notebooks from the English ones plus gettext catalogues (one source, no drift).

Each English notebook ``notebooks/NN_name.ipynb`` has a catalogue
``book/locale/<language>/notebooks/NN_name.po`` whose messages are its markdown cells, whole, in order:
the English cell is the ``msgid``, its translation the ``msgstr``. ``update`` brings the catalogues in line
with the English notebooks: a new cell gets an empty entry, a changed cell keeps its old translation
marked *fuzzy* (out of date) with the old English beside it (``#| msgid``), a removed cell's entry is
dropped. ``generate`` writes ``notebooks/<language>/NN_name.ipynb``: the English notebook with every markdown
cell replaced by its up-to-date translation (an untranslated or fuzzy cell stays English, and ``check``
says so), the Colab badge pointing at the translated notebook, links that leave ``notebooks/`` one
folder deeper, and ``%env COURSE_LANG=<language>`` as the first line of the set-up cell; every other code
cell is the English one, unchanged. ``check`` lists what is stale and exits with status 1 if anything is.

    python book/translate.py update            # after editing an English notebook (make translations)
    python book/translate.py generate          # after updating a catalogue (make zh)
    python book/translate.py check             # what is out of date, untranslated or not regenerated
"""

from __future__ import annotations

import argparse
import io
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
LOCALE = ROOT / "book" / "locale"
LANGUAGES = ("zh_CN",)
PROJECT = "AI painting with TensorFlow"
LANGUAGE_NAMES = {"zh_CN": "Simplified Chinese"}
# The set-up cell (the first code cell that installs the course in Colab) gets this line first.
SETUP_MARKER = "google.colab"
# A Colab badge's address: .../github/<repo>/blob/<branch>/notebooks/[<language>/]NN_name.ipynb. A fork
# (`make set-repo`) changes repo and branch in the English cells; entries are matched whatever they say.
COLAB_NOTEBOOK = re.compile(r"(https://colab\.research\.google\.com/github/[^\s)\"']+?/blob/[^\s)\"']+?/notebooks/)"
                            r"(?:[A-Za-z_]+/)?(\d\d_[A-Za-z0-9_]+\.ipynb)")
# An address of the course's repository (a fork's after `make set-repo`), as in classroom/set_repo.py:
# github.com/<repo>[/blob/<branch>] and Colab's colab.research.google.com/github/<repo>[/blob/<branch>].
REPO_URL = re.compile(r"(https://colab\.research\.google\.com/github/|https://github\.com/)"
                      r"([A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+)(/blob/[A-Za-z0-9._-]+)?")
# Links and image sources that leave notebooks/ ("../README.md", "../data/…") in Markdown and in HTML.
UP_LINK = re.compile(r"(\]\(\s*<?|\b(?:src|href)\s*=\s*[\"'])\.\./")


def english_notebooks(notebooks: Path = NOTEBOOKS) -> list[Path]:
    return sorted(notebooks.glob("[0-9][0-9]_*.ipynb"))


def catalogue_path(notebook: Path, language: str, locale: Path = LOCALE) -> Path:
    return locale / language / "notebooks" / f"{notebook.stem}.po"


def translated_path(notebook: Path, language: str) -> Path:
    """Where the translated notebook goes: ``notebooks/<language>/`` beside the English one."""
    return notebook.parent / language / notebook.name


def language_line(language: str) -> str:
    return f"%env COURSE_LANG={language}\n"


def read_notebook(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def notebook_text(nb: dict) -> str:
    """The course's layout of a notebook file (as the English ones are stored)."""
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def source_lines(text: str) -> list[str]:
    """A cell's ``source`` as nbformat stores it: a list of lines, each but the last ending in a newline."""
    return text.splitlines(keepends=True)


def markdown_cells(notebook: Path) -> list[tuple[int, str, str]]:
    """(index, cell id, source) of every non-empty markdown cell of ``notebook``."""
    cells = read_notebook(notebook)["cells"]
    return [(i, cell.get("id", ""), "".join(cell["source"])) for i, cell in enumerate(cells)
            if cell["cell_type"] == "markdown" and "".join(cell["source"]).strip()]


# ----------------------------------------------------------------------------- catalogues


def template(notebook: Path) -> Catalog:
    """A catalogue with one empty entry per markdown cell of ``notebook``."""
    catalog = Catalog(project=PROJECT, fuzzy=False)
    for index, cell_id, source in markdown_cells(notebook):
        catalog.add(source, auto_comments=[f"cell {index} ({cell_id})"], context=None)
    return catalog


_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')


def _previous_ids(text: str) -> dict[str, list[str]]:
    """msgid -> the old English (``#| msgid``) of each fuzzy entry in a catalogue's text.

    Babel writes the old English of a multi-line message as several strings on one ``#| msgid`` line and
    does not read it back; this reads that form and GNU gettext's (``#| msgid ""`` then ``#| "…"`` lines).
    """
    from babel.messages.pofile import unescape

    found = {}
    for block in text.split("\n\n"):
        previous, current, part = [], [], None
        for line in block.splitlines():
            if line.startswith("#| msgid "):
                part = previous
                line = line[len("#| msgid "):]
            elif line.startswith("#| \"") and part is previous:
                line = line[3:]
            elif line.startswith("msgid "):
                part = current
                line = line[len("msgid "):]
            elif line.startswith("\"") and part is current:
                pass
            else:
                part = None if not line.startswith("#|") else part
                continue
            part.extend(unescape(f'"{m}"') for m in _QUOTED.findall(line))
        if previous and current:
            found["".join(current)] = ["".join(previous)]
    return found


def _messages_in(block: str) -> list[str]:
    """The msgid of a catalogue entry's text (a list of one, or empty for a block without one)."""
    from babel.messages.pofile import unescape

    parts, current = [], None
    for line in block.splitlines():
        if line.startswith("msgid "):
            current = [unescape(f'"{m}"') for m in _QUOTED.findall(line[len("msgid "):])]
        elif line.startswith('"') and current is not None:
            current += [unescape(f'"{m}"') for m in _QUOTED.findall(line)]
        elif current is not None:
            parts.append("".join(current))
            current = None
    if current is not None:
        parts.append("".join(current))
    return parts


def read_catalogue(path: Path) -> Catalog:
    with open(path, "rb") as handle:
        catalog = read_po(handle)
    for msgid, previous in _previous_ids(path.read_text(encoding="utf-8")).items():
        message = catalog.get(msgid)
        if message is not None and not message.previous_id:
            message.previous_id = previous
    for message in catalog:  # Babel keeps the `#| "…"` lines it cannot read as translator comments
        message.user_comments = [c for c in message.user_comments if not c.startswith("|")]
    return catalog


def header(notebook: Path, language: str) -> str:
    """The catalogue's header: what it is, for which notebook; no dates, so that a re-run changes nothing."""
    name = LANGUAGE_NAMES.get(language, language)
    return (
        f"# {name} translation of the markdown cells of notebooks/{notebook.name},\n"
        f"# part of the course \"{PROJECT}\".\n"
        "# One entry per cell, the whole English cell as its msgid. After editing the English notebook run\n"
        "# `make translations` (book/translate.py update); after translating, `make zh`.\n"
        "# This file is distributed under the same licence as the course (MIT).\n"
        "#\n"
        'msgid ""\n'
        'msgstr ""\n'
        f'"Project-Id-Version: {PROJECT}\\n"\n'
        f'"Language: {language}\\n"\n'
        f'"Language-Team: {name} ({language}), the course\'s translators\\n"\n'
        '"Plural-Forms: nplurals=1; plural=0;\\n"\n'
        '"MIME-Version: 1.0\\n"\n'
        '"Content-Type: text/plain; charset=utf-8\\n"\n'
        '"Content-Transfer-Encoding: 8bit\\n"\n'
        '"X-Generated-By: book/translate.py\\n"\n'
    )


def catalogue_text(catalog: Catalog, notebook: Path, language: str) -> str:
    """The file ``catalog`` is written as: Babel's entries under the course's own header."""
    from babel.messages.pofile import normalize

    buffer = io.BytesIO()
    # Babel would wrap the old English of a fuzzy entry as a comment, cutting its strings; write it as
    # GNU gettext does instead: `#| msgid ""` then one `#| "…"` line per line of the old cell.
    write_po(buffer, catalog, width=100, include_previous=False, omit_header=True)
    previous = {m.id: m.previous_id[0] for m in catalog if m.id and m.fuzzy and m.previous_id}
    blocks = []
    for block in buffer.getvalue().decode("utf-8").split("\n\n"):
        msgid = next(iter(_messages_in(block)), None)
        if msgid in previous:
            lines = normalize(previous[msgid], width=100).splitlines()
            old = "\n".join([f"#| msgid {lines[0]}"] + [f"#| {line}" for line in lines[1:]])
            if block.startswith("msgid "):
                block = f"{old}\n{block}"
            else:  # after the entry's comments and flags, right before its msgid
                head, sep, rest = block.partition("\nmsgid ")
                block = f"{head}\n{old}{sep}{rest}"
        blocks.append(block)
    return header(notebook, language) + "\n" + "\n\n".join(blocks)


def updated_catalogue(notebook: Path, language: str, locale: Path = LOCALE) -> Catalog:
    """The catalogue of ``notebook`` as it should be: its file brought in line with the English cells."""
    path = catalogue_path(notebook, language, locale)
    fresh = template(notebook)
    catalog = read_catalogue(path) if path.exists() else Catalog(project=PROJECT, locale=language, fuzzy=False)
    _follow_badges(catalog, fresh)
    # Babel forgets the old English of an entry that was already fuzzy; keep it for the translator.
    previous = {m.id: m.previous_id for m in catalog if m.id and m.fuzzy and m.previous_id}
    catalog.update(fresh, no_fuzzy_matching=False, update_header_comment=False, update_creation_date=False)
    for message in catalog:
        if message.id and message.fuzzy and not message.previous_id and message.id in previous:
            message.previous_id = previous[message.id]
        if message.id and not message.string and message.fuzzy:
            message.flags.discard("fuzzy")  # an empty entry is untranslated, not out of date
    catalog.obsolete.clear()  # a removed cell's translation goes (fuzzy matching has used it already)
    catalog.locale = language
    return catalog


def _follow_badges(catalog: Catalog, fresh: Catalog) -> None:
    """Give an entry whose English differs from a cell only in the course's addresses that cell's text.

    After ``make set-repo`` the badges and links name the fork: the entry keeps its translation (its own
    addresses rewritten the same way) and does not go fuzzy, since nothing a translator wrote has changed.
    """
    wanted = {badge_free(m.id): m.id for m in fresh if m.id}
    for message in list(catalog):
        if not message.id or fresh.get(message.id) is not None:
            continue
        new_id = wanted.get(badge_free(message.id))
        if new_id is None or catalog.get(new_id) is not None:
            continue
        string = follow_urls(message.string, message.id, new_id)
        catalog.delete(message.id)
        catalog.add(new_id, string, flags=message.flags, auto_comments=message.auto_comments,
                    user_comments=message.user_comments, previous_id=message.previous_id)


def update(language: str, notebooks: Path = NOTEBOOKS, locale: Path = LOCALE) -> list[Path]:
    """Bring every catalogue of ``language`` in line with its English notebook; return the files written."""
    written = []
    for notebook in english_notebooks(notebooks):
        path = catalogue_path(notebook, language, locale)
        text = catalogue_text(updated_catalogue(notebook, language, locale), notebook, language)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".po.tmp")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(path)
            written.append(path)
    return written


# ----------------------------------------------------------------------------- notebooks


def badge_free(text: str) -> str:
    """``text`` without the repository and branch in its addresses of the course (what matching compares)."""
    return REPO_URL.sub(lambda m: m.group(1) + "<repo>" + ("/blob/<branch>" if m.group(3) else ""), text)


def follow_urls(translation: str, old: str, new: str) -> str:
    """``translation`` of the English ``old``, with the course's addresses as the English ``new`` has them.

    ``old`` and ``new`` differ at most in repository and branch (``badge_free`` makes them equal).
    """
    pairs = {a.group(0): b.group(0) for a, b in zip(REPO_URL.finditer(old), REPO_URL.finditer(new))
             if a.group(0) != b.group(0)}
    for before in sorted(pairs, key=len, reverse=True):  # a longer address first: it holds a shorter one
        translation = translation.replace(before, pairs[before])
    return translation


def translations(catalog: Catalog) -> dict[str, object]:
    """English cell (badge-free) -> its entry, for the entries that are translated and up to date."""
    return {badge_free(m.id): m for m in catalog if m.id and m.string and not m.fuzzy}


def find_entry(catalog: Catalog, source: str):
    """The entry of the English cell ``source``, its Colab badge's repository and branch notwithstanding."""
    message = catalog.get(source)
    if message is None:
        key = badge_free(source)
        message = next((m for m in catalog if m.id and badge_free(m.id) == key), None)
    return message


def localise_markdown(text: str, language: str, english: str = "") -> str:
    """A markdown cell as the translated notebook shows it: badge at the translated notebook, deeper links.

    The badge's repository and branch are those of the English cell ``english`` (a fork's, after
    ``make set-repo``), whatever the translation says.
    """
    prefixes = {m.group(2): m.group(1) for m in COLAB_NOTEBOOK.finditer(english)}
    text = COLAB_NOTEBOOK.sub(lambda m: f"{prefixes.get(m.group(2), m.group(1))}{language}/{m.group(2)}", text)
    return UP_LINK.sub(lambda m: f"{m.group(1)}../../", text)


def is_setup_cell(cell: dict) -> bool:
    return cell["cell_type"] == "code" and SETUP_MARKER in "".join(cell["source"])


def translated_notebook(notebook: Path, catalog: Catalog, language: str) -> dict:
    """``notebook`` with its markdown cells translated from ``catalog`` and the language set in its set-up cell."""
    nb = read_notebook(notebook)
    done = translations(catalog)
    setup_seen = False
    for cell in nb["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            entry = done.get(badge_free(source))
            text = follow_urls(entry.string, entry.id, source) if entry is not None else source
            cell["source"] = source_lines(localise_markdown(text, language, source))
        elif cell["cell_type"] == "code":
            if not setup_seen and is_setup_cell(cell):
                setup_seen = True
                cell["source"] = source_lines(language_line(language) + source)
            cell["outputs"] = []
            cell["execution_count"] = None
    if not setup_seen:
        raise SystemExit(f"{notebook.name} has no set-up cell (a code cell with {SETUP_MARKER!r}) "
                         "to set the language in")
    return nb


def generated_text(notebook: Path, language: str, locale: Path = LOCALE) -> str:
    """The translated notebook's file, from the English notebook and its catalogue as they are now."""
    path = catalogue_path(notebook, language, locale)
    catalog = read_catalogue(path) if path.exists() else Catalog(locale=language)
    return notebook_text(translated_notebook(notebook, catalog, language))


def generate(language: str, notebooks: Path = NOTEBOOKS, locale: Path = LOCALE) -> list[Path]:
    """Write ``notebooks/<language>/NN_name.ipynb`` for every English notebook; return the files changed.

    A translated notebook whose English one is gone is removed.
    """
    written = []
    english = english_notebooks(notebooks)
    for notebook in english:
        target = translated_path(notebook, language)
        text = generated_text(notebook, language, locale)
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(".ipynb.tmp")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(target)
            written.append(target)
    names = {notebook.name for notebook in english}
    for extra in sorted((notebooks / language).glob("*.ipynb")):
        if extra.name not in names:
            extra.unlink()
            written.append(extra)
    return written


# ----------------------------------------------------------------------------- what is stale


@dataclass
class Staleness:
    """What stands between the catalogues and notebooks of one language and an up-to-date edition."""

    outdated_catalogues: list[str] = field(default_factory=list)  # `update` would change them
    obsolete: list[str] = field(default_factory=list)  # entries of removed cells still in a file
    untranslated: list[str] = field(default_factory=list)  # "NN_name.ipynb cell 3: first line"
    fuzzy: list[str] = field(default_factory=list)
    outdated_notebooks: list[str] = field(default_factory=list)  # `generate` would change them

    def problems(self) -> list[str]:
        parts = [
            ("catalogues not in line with their English notebooks (run `make translations`)",
             self.outdated_catalogues),
            ("obsolete entries (cells no longer in the English notebook; run `make translations`)", self.obsolete),
            ("untranslated cells", self.untranslated),
            ("fuzzy cells: the English changed, the translation must be checked and its fuzzy flag removed",
             self.fuzzy),
            ("translated notebooks that differ from what `make zh` would write", self.outdated_notebooks),
        ]
        return [f"{title}:\n" + "\n".join(f"  {item}" for item in items) for title, items in parts if items]


def _first_line(text: str) -> str:
    line = next((line for line in text.splitlines() if line.strip() and "colab-badge" not in line), "")
    return line if len(line) <= 70 else line[:67] + "..."


def staleness(language: str, notebooks: Path = NOTEBOOKS, locale: Path = LOCALE) -> Staleness:
    found = Staleness()
    for notebook in english_notebooks(notebooks):
        path = catalogue_path(notebook, language, locale)
        rel = path.relative_to(locale.parent) if path.is_relative_to(locale.parent) else path
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current is None:
            found.outdated_catalogues.append(f"{rel} (missing)")
        else:
            written = read_catalogue(path)
            found.obsolete += [f"{rel}: {_first_line(msgid if isinstance(msgid, str) else msgid[0])}"
                               for msgid in written.obsolete]
        catalog = updated_catalogue(notebook, language, locale)
        if current is not None and catalogue_text(catalog, notebook, language) != current:
            found.outdated_catalogues.append(str(rel))
        for index, _cell_id, source in markdown_cells(notebook):
            message = find_entry(catalog, source)
            where = f"{notebook.name} cell {index}: {_first_line(source)}"
            if message is None or not message.string:
                found.untranslated.append(where)
            elif message.fuzzy:
                found.fuzzy.append(where)
        target = translated_path(notebook, language)
        expected = generated_text(notebook, language, locale)
        if not target.exists() or target.read_text(encoding="utf-8") != expected:
            found.outdated_notebooks.append(str(target.relative_to(notebooks.parent)))
    names = {notebook.name for notebook in english_notebooks(notebooks)}
    found.outdated_notebooks += [f"{path.relative_to(notebooks.parent)} (no English notebook)"
                                 for path in sorted((notebooks / language).glob("*.ipynb")) if path.name not in names]
    return found


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["update", "generate", "check"])
    parser.add_argument("--language", default="zh_CN", choices=LANGUAGES)
    parser.add_argument("--notebooks", type=Path, default=NOTEBOOKS, help="the English notebooks' folder")
    parser.add_argument("--locale", type=Path, default=LOCALE, help="the catalogues' folder (book/locale)")
    args = parser.parse_args(argv)
    folders = (args.notebooks.resolve(), args.locale.resolve())
    shown = lambda path: path.relative_to(ROOT) if path.is_relative_to(ROOT) else path  # noqa: E731
    if args.command == "update":
        for path in update(args.language, *folders):
            print(f"updated {shown(path)}")
    elif args.command == "generate":
        for path in generate(args.language, *folders):
            print(f"wrote {shown(path)}" if path.exists() else f"removed {shown(path)}")
    else:
        problems = staleness(args.language, *folders).problems()
        if problems:
            print("\n".join(problems))
            return 1
        print(f"The {args.language} catalogues and notebooks are complete and up to date.")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
