"""The course's catalogue of pictures: every notebook gets its images from here.

Three kinds of picture, all returned in the course's image format (``float32``,
shape (H, W, 3), values in [0, 1]; ``size`` is passed on to :func:`images.load`):

- **content photos** bundled with scikit-image, so they work offline everywhere::

      data.content("astronaut", size=256)

- **the course's own styles**, drawn by :mod:`course_utils.art`; committed as
  ``data/styles/<name>.png`` in the repository, and drawn once into the cache
  where that folder is absent (a plain ``pip install`` in Colab). Always offline::

      data.style("swirl")

- **famous paintings** in the public domain, downloaded on first use, checked
  against their sha256 and kept in the cache, so they work offline afterwards::

      data.painting("starry_night")

:func:`load_any` accepts any catalogue name or else a path or URL, and
:func:`catalogue` lists everything (for a table in notebook 00).

One more set, not pictures of the course's format: **handwritten digits** (:func:`digits`),
the small grey images notebook 01's CNN and notebook 06's GANs learn from: scikit-learn's
bundled 8×8 digits (offline), or MNIST / Fashion-MNIST downloaded once.

Classroom mirror: set ``COURSE_PAINTINGS_URL`` to a base address (``http://``,
``https://`` or ``file://``) that serves the painting files under their usual
names (``starry_night.jpg`` ...); the file name is appended to it, for example
``COURSE_PAINTINGS_URL=http://192.168.1.10:8000/paintings`` makes the course
download ``http://192.168.1.10:8000/paintings/starry_night.jpg``. The checksum is
still verified, so the mirror must serve the very same files.
"""

from __future__ import annotations

import difflib
import gzip
import os
from pathlib import Path

import numpy as np

from . import art, config, downloads, images, validate
from .errors import DownloadError, ImageError, SettingError
from .i18n import _

__all__ = [
    "CONTENT_PHOTOS",
    "STYLES",
    "PAINTINGS",
    "PAINTINGS_URL_ENV",
    "content",
    "content_names",
    "style",
    "style_path",
    "painting",
    "painting_path",
    "load_any",
    "catalogue",
    "DIGIT_SOURCES",
    "digits",
]

# ------------------------------------------------------------------ content photos

# Each description is a message of its own, looked up when it is shown (in the learner's language).
_CONTENT_DESCRIPTIONS = {
    "astronaut": lambda: _("Astronaut Eileen Collins, portrait photo (NASA, 512x512)"),
    "chelsea": lambda: _("Chelsea the cat, close-up with fur texture (451x300)"),
    "coffee": lambda: _("A cup of coffee on a wooden table (600x400)"),
    "rocket": lambda: _("Falcon 9 rocket launch (SpaceX, 640x427)"),
    "camera": lambda: _("A photographer with a camera, black and white (512x512)"),
    "hubble_deep_field": lambda: _("Hubble eXtreme Deep Field: galaxies in deep space (NASA, 1000x872)"),
}

#: Photos shipped inside scikit-image (no download needed): name -> description (in the language
#: chosen when ``course_utils`` was imported; :func:`catalogue` uses the current one).
#: Only images whose files are in the scikit-image wheel itself are listed; others
#: (``eagle``, ``lily`` ...) are fetched from the internet by scikit-image.
CONTENT_PHOTOS: dict[str, str] = {name: describe() for name, describe in _CONTENT_DESCRIPTIONS.items()}

# The scikit-image function behind each name.
_SKIMAGE_LOADERS = {name: name for name in CONTENT_PHOTOS}

# ----------------------------------------------------------------------- styles

#: The course's own style images (see :mod:`course_utils.art`), all available offline.
STYLES: tuple[str, ...] = tuple(art.STYLES)

_STYLE_DESCRIPTIONS = {
    "swirl": lambda: _("Thick brush strokes along a swirling flow (after Van Gogh's night skies)"),
    "mosaic": lambda: _("Stained-glass rose window: glass cells held by dark lead lines"),
    "composition": lambda: _("Circles, bars and lines on textured paper (after Kandinsky and Mondrian)"),
    "pointillism": lambda: _("A landscape painted in small dots of colour (after Seurat)"),
}

#: Size and seed the committed ``data/styles/*.png`` are drawn with (``make styles``).
_STYLE_SIZE = 512
_STYLE_SEED = 0

# -------------------------------------------------------------------- paintings

#: Environment variable: a base URL that replaces the paintings' usual address.
PAINTINGS_URL_ENV = "COURSE_PAINTINGS_URL"

_NEURAL_STYLE = "https://raw.githubusercontent.com/jcjohnson/neural-style/master/examples/inputs"

#: Public-domain paintings, downloaded on first use: name -> title, artist, year,
#: file, url, sha256, licence.
PAINTINGS: dict[str, dict] = {
    "starry_night": {
        "title": "The Starry Night",
        "artist": "Vincent van Gogh",
        "year": 1889,
        "file": "starry_night.jpg",
        "url": f"{_NEURAL_STYLE}/starry_night.jpg",
        "sha256": "0592ab0f7b51b3ce72608a95e53880bd93971e5b48f93a0ce8dfd3cbccf3d098",
        "licence": "public domain",
    },
    "the_scream": {
        "title": "The Scream",
        "artist": "Edvard Munch",
        "year": 1893,
        "file": "the_scream.jpg",
        "url": f"{_NEURAL_STYLE}/the_scream.jpg",
        "sha256": "f3075cddeb974a9ee1d6418f7f33fd05185a7ac7dcb4288bd2805d499a9dcaee",
        "licence": "public domain",
    },
    "shipwreck": {
        "title": "The Shipwreck",
        "artist": "J. M. W. Turner",
        "year": 1805,
        "file": "shipwreck.jpg",
        "url": f"{_NEURAL_STYLE}/shipwreck.jpg",
        "sha256": "4f7cf34e3cd4a5daaf3f421f059ca9a01aaa2a3afd7243d6670c9c8bc001a213",
        "licence": "public domain",
    },
}

# The paintings' titles as the catalogue shows them (in the learner's language).
_PAINTING_TITLES = {
    "starry_night": lambda: _("The Starry Night"),
    "the_scream": lambda: _("The Scream"),
    "shipwreck": lambda: _("The Shipwreck"),
}

_PAINTINGS_SUBDIR = "paintings"
_DOWNLOAD_TIMEOUT = 30.0

# ---------------------------------------------------------------------- helpers


def _key(name, what: str) -> str:
    """Normalise a catalogue name: 'Starry Night' and 'starry-night' mean 'starry_night'."""
    if not isinstance(name, str):
        raise SettingError(_("The {what} name must be a string, like 'astronaut'; got a {kind}.").format(
            what=what, kind=type(name).__name__))
    return "_".join(name.strip().lower().replace("-", " ").split())


def _either(items) -> str:
    """'a', 'b' or 'c': the last two joined by "or"."""
    items = list(items)
    if len(items) == 1:
        return items[0]
    # TRANSLATORS: the end of a list of choices, "'a', 'b' or 'c'"; {first} is "'a', 'b'"
    return _("{first} or {last}").format(first=", ".join(items[:-1]), last=items[-1])


def _quoted(names) -> str:
    return _either(f"'{n}'" for n in names)


def _unknown(name: str, what: str, valid) -> ImageError:
    close = difflib.get_close_matches(_key(name, what), list(valid), n=1)
    if close:
        return ImageError(_("There is no {what} called {name!r} (did you mean '{close}'?); "
                            "choose one of {names}.").format(what=what, name=name, close=close[0],
                                                             names=_quoted(valid)))
    return ImageError(_("There is no {what} called {name!r}; choose one of {names}.").format(
        what=what, name=name, names=_quoted(valid)))


def _pick(name, what: str, valid) -> str:
    key = _key(name, what)
    if key not in valid:
        raise _unknown(name, what, valid)
    return key


# ------------------------------------------------------------------ content photos


def content_names() -> list[str]:
    """The names of the bundled content photos, e.g. ``['astronaut', 'chelsea', ...]``."""
    return list(CONTENT_PHOTOS)


def content(name: str, size=None) -> np.ndarray:
    """A content photo bundled with scikit-image, in the course's image format.

    ``name`` is one of :data:`CONTENT_PHOTOS` (``data.content_names()``); ``size``
    is passed on to :func:`images.load`. Works offline. Black-and-white photos
    come back with three equal colour channels.
    """
    # TRANSLATORS: a kind of picture, as in "There is no {what} called 'x'"
    key = _pick(name, _("content photo"), CONTENT_PHOTOS)
    import skimage.data

    try:
        array = np.asarray(getattr(skimage.data, _SKIMAGE_LOADERS[key])())
    except Exception as exc:  # noqa: BLE001 - e.g. an older scikit-image that downloads it
        raise ImageError(
            _("scikit-image could not provide the photo {key!r} ({kind}: {exc}); use another one of "
              "{names}, or a picture of your own with images.load(path).").format(
                  key=key, kind=type(exc).__name__, exc=exc, names=_quoted(CONTENT_PHOTOS))
        ) from None
    return images.load(array, size=size)  # black-and-white (H, W) becomes three equal channels


# ----------------------------------------------------------------------- styles


def style_path(name: str) -> Path:
    """The PNG file of one of the course's own styles (always available offline).

    In a checkout of the repository this is ``data/styles/<name>.png``. Where that
    file is absent (a non-editable install, as in Colab), the style is drawn once
    with ``art.make(name, size=512, seed=0)`` and saved (atomically) to
    ``config.cache_dir()/styles/<name>.png``; later calls return that file.
    """
    # TRANSLATORS: a kind of picture, as in "There is no {what} called 'x'"
    key = _pick(name, _("style"), STYLES)
    root = config.project_root()
    if root is not None:
        committed = Path(root) / "data" / "styles" / f"{key}.png"
        if committed.is_file():
            return committed
    cached = config.cache_dir() / "styles" / f"{key}.png"
    if not cached.is_file():
        images.save(art.make(key, size=_STYLE_SIZE, seed=_STYLE_SEED), cached)
    return cached


def style(name: str, size=None) -> np.ndarray:
    """One of the course's own style images, in the course's image format.

    ``name`` is one of :data:`STYLES`; ``size`` is passed on to :func:`images.load`.
    """
    return images.load(style_path(name), size=size)


# -------------------------------------------------------------------- paintings


def _painting_url(key: str) -> str:
    """The painting's usual URL, or the classroom mirror's from ``COURSE_PAINTINGS_URL``."""
    info = PAINTINGS[key]
    base = os.environ.get(PAINTINGS_URL_ENV, "").strip()
    if not base:
        return info["url"]
    if not base.lower().startswith(("http://", "https://", "file://")):
        raise DownloadError(
            _("{variable} is set to {base!r}, which is not an address starting with http://, https:// "
              "or file://; fix it (for example http://192.168.1.10:8000/paintings) or unset it to use "
              "the internet.").format(variable=PAINTINGS_URL_ENV, base=base)
        )
    return base.rstrip("/") + "/" + info["file"]


def _offline_styles() -> str:
    """The styles as learners call them: data.style('swirl'), 'mosaic', ... or 'pointillism'."""
    return _either([f"data.style('{STYLES[0]}')"] + [f"'{s}'" for s in STYLES[1:]])


def painting_path(name: str) -> Path:
    """The local file of a famous painting, downloaded (and checked) on first use.

    ``name`` is one of :data:`PAINTINGS`. The file is kept in
    ``config.cache_dir()/paintings/`` and verified against its sha256 every time,
    so after one successful download it works offline. The address can be
    replaced by a classroom mirror with ``COURSE_PAINTINGS_URL`` (see the module
    docstring). Offline before the first download, this raises a
    :class:`DownloadError` that names the course's own styles to use instead.
    """
    # TRANSLATORS: a kind of picture, as in "There is no {what} called 'x'"
    key = _pick(name, _("painting"), PAINTINGS)
    info = PAINTINGS[key]
    return downloads.fetch(
        _painting_url(key),
        fname=info["file"],
        sha256=info["sha256"],
        subdir=_PAINTINGS_SUBDIR,
        timeout=_DOWNLOAD_TIMEOUT,
        # TRANSLATORS: ends "... run this again, or {alternative}."
        alternative=_("use one of the course's own styles instead, which work offline: {styles}").format(
            styles=_offline_styles()),
    )


def painting(name: str, size=None) -> np.ndarray:
    """A famous public-domain painting, in the course's image format.

    Downloaded on first use (see :func:`painting_path`); ``size`` is passed on to
    :func:`images.load`.
    """
    return images.load(painting_path(name), size=size)


def _painting_cached(key: str) -> bool:
    """True if the painting is already in the cache with the right checksum."""
    path = config.cache_dir() / _PAINTINGS_SUBDIR / PAINTINGS[key]["file"]
    try:
        return path.is_file() and downloads.sha256_of(path) == PAINTINGS[key]["sha256"].lower()
    except OSError:
        return False


# ------------------------------------------------------------------ all together


def _kind_of(key: str) -> str | None:
    if key in CONTENT_PHOTOS:
        return "content"
    if key in STYLES:
        return "style"
    if key in PAINTINGS:
        return "painting"
    return None


def load_any(name_or_path, size=None) -> np.ndarray:
    """Load a catalogue picture by name, or else any image :func:`images.load` reads.

    ``name_or_path`` may be a content photo (``'astronaut'``), a style
    (``'swirl'``), a painting (``'starry_night'``), a file path, an http(s) URL, or
    an array or PIL image. A string that is none of these raises an
    :class:`ImageError` that lists the catalogue's names.
    """
    if isinstance(name_or_path, str):
        text = name_or_path.strip()
        # TRANSLATORS: as in "The {what} name must be a string"
        key = _key(text, _("picture")) if text else ""
        kind = _kind_of(key)
        if kind == "content":
            return content(key, size=size)
        if kind == "style":
            return style(key, size=size)
        if kind == "painting":
            return painting(key, size=size)
        is_url = text.lower().startswith(("http://", "https://"))
        if not is_url and not Path(text).expanduser().is_file():
            names = list(CONTENT_PHOTOS) + list(STYLES) + list(PAINTINGS)
            close = difflib.get_close_matches(key, names, n=1)
            fields = dict(name=name_or_path, photos=", ".join(CONTENT_PHOTOS), styles=", ".join(STYLES),
                          paintings=", ".join(PAINTINGS))
            if close:
                raise ImageError(
                    _("{name!r} is neither an image file nor a picture in the course's catalogue (did you mean "
                      "'{close}'?); use a path or URL, a content photo ({photos}), a style ({styles}) or a "
                      "painting ({paintings}).").format(close=close[0], **fields))
            raise ImageError(
                _("{name!r} is neither an image file nor a picture in the course's catalogue; use a path or URL, "
                  "a content photo ({photos}), a style ({styles}) or a painting ({paintings}).").format(**fields))
        if not is_url:
            name_or_path = str(Path(text).expanduser())
    elif isinstance(name_or_path, os.PathLike):
        path = Path(name_or_path).expanduser()
        if not path.is_file():
            raise ImageError(_("There is no image file at {path!r}; check the path.").format(path=str(path)))
        name_or_path = path
    return images.load(name_or_path, size=size)


def catalogue() -> list[dict]:
    """Every picture of the catalogue, one dict per row, for a table in notebook 00.

    Keys: ``kind`` ('content', 'style' or 'painting'), ``name``, ``description``,
    ``offline`` (True if it can be loaded now without a network: content photos and
    styles always, paintings once downloaded), and ``code`` (how to load it).
    """
    rows = [
        {"kind": "content", "name": n, "description": describe(), "offline": True, "code": f"data.content('{n}')"}
        for n, describe in _CONTENT_DESCRIPTIONS.items()
    ]
    for n in STYLES:
        rows.append({
            "kind": "style",
            "name": n,
            "description": _STYLE_DESCRIPTIONS[n]() if n in _STYLE_DESCRIPTIONS
            else _("The course's own style image, drawn in code"),
            "offline": True,
            "code": f"data.style('{n}')",
        })
    for n, info in PAINTINGS.items():
        rows.append({
            "kind": "painting",
            "name": n,
            # TRANSLATORS: a painting in the catalogue: "Vincent van Gogh, The Starry Night (1889), public domain"
            "description": _("{artist}, {title} ({year}), {licence}").format(
                artist=info["artist"], title=_PAINTING_TITLES[n]() if n in _PAINTING_TITLES else info["title"],
                year=info["year"],
                licence=_("public domain") if info["licence"] == "public domain" else info["licence"]),
            "offline": _painting_cached(n),
            "code": f"data.painting('{n}')",
        })
    return rows


# ------------------------------------------------------------------ handwritten digits

#: Where :func:`digits` gets its images.
DIGIT_SOURCES = ("sklearn", "mnist", "fashion_mnist")

_KERAS_DATASETS = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
_MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
_FASHION_FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz")


def _idx(path) -> np.ndarray:
    """Read one gzipped IDX file (the MNIST family's format)."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims))
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * dims).reshape(shape)


def _download_digits(source: str, base_url: str):
    # TRANSLATORS: ends "... run this again, or {alternative}."
    alternative = _("use source='sklearn', the digits that come with scikit-learn (no download)")
    if source == "mnist":
        path = downloads.fetch(base_url + "mnist.npz", sha256=_MNIST_SHA256 if base_url == _KERAS_DATASETS else None,
                               subdir="datasets", alternative=alternative)
        with np.load(path, allow_pickle=False) as f:
            return f["x_train"], f["y_train"]
    images_path, labels_path = (downloads.fetch(base_url + name, fname=f"fashion-{name}", subdir="datasets",
                                                alternative=alternative) for name in _FASHION_FILES)
    return _idx(images_path), _idx(labels_path)


def digits(size: int = 16, source: str = "sklearn", *, limit: int | None = None, value_range=(0, 1),
           base_url: str = _KERAS_DATASETS) -> tuple[np.ndarray, np.ndarray]:
    """Handwritten digits (or clothes) as grey images, with their labels: the course's one digits loader.

    Parameters
    ----------
    size : int
        Side of the returned images in pixels (bilinear resizing, anti-aliased when shrinking).
    source : "sklearn", "mnist" or "fashion_mnist"
        ``"sklearn"``: the 1,797 8×8 digits bundled with scikit-learn, always available.
        ``"mnist"`` (60,000 digits, 28×28) and ``"fashion_mnist"`` (60,000 clothes) are
        downloaded once into the course's cache; without a network they raise
        :class:`~course_utils.errors.DownloadError` saying so.
    limit : int, optional
        Keep only the first ``limit`` images (quick experiments).
    value_range : (0, 1) or (-1, 1)
        (0, 1), the default, for a classifier (notebook 01); (-1, 1), a generator's tanh
        range, for a GAN (notebook 06).
    base_url : str, optional
        Where the MNIST files are served (the Keras datasets bucket by default).

    Returns
    -------
    images : float32 (N, size, size, 1), white strokes on black
    labels : int64 (N,), the digit (or garment) each image shows, 0 to 9
    """
    size = validate.positive_int(size, "size", "size=16")
    source = validate.choice(source, DIGIT_SOURCES, "source")
    value_range = tuple(value_range) if isinstance(value_range, (tuple, list)) else value_range
    if value_range not in ((0, 1), (-1, 1)):
        raise SettingError(_("value_range must be (0, 1) or (-1, 1), like value_range=(-1, 1) for a GAN; "
                             "got {value_range!r}.").format(value_range=value_range))
    if source == "sklearn":
        from sklearn.datasets import load_digits

        bunch = load_digits()
        pixels, labels = bunch.images / 16.0, bunch.target  # the originals hold 0..16
    else:
        pixels, labels = _download_digits(source, base_url)
        pixels = pixels / 255.0
    if limit is not None:
        limit = validate.positive_int(limit, "limit", "limit=1000")
        pixels, labels = pixels[:limit], labels[:limit]
    stack = np.moveaxis(np.asarray(pixels, np.float32), 0, -1)  # (h, w, N): all digits resized at once
    pixels = np.moveaxis(images.resize(stack, (size, size), edges="edge"), -1, 0)
    if value_range == (-1, 1):
        pixels = pixels * 2.0 - 1.0
    return pixels.astype(np.float32)[..., np.newaxis], np.asarray(labels, np.int64)
