"""Tests of course_utils.data, the catalogue of pictures.

Content photos and styles must work offline; paintings are downloaded from a real
HTTP server on 127.0.0.1 pointed to by COURSE_PAINTINGS_URL (a classroom mirror).
"""

from __future__ import annotations

import functools
import hashlib
import http.server
import socket
import threading
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from course_utils import art, config, data, images
from course_utils.errors import CourseError, DownloadError, ImageError, SettingError

# ----------------------------------------------------------------------- fixtures


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - the name http.server expects
        self.server.requests.append(self.path)
        super().do_GET()

    def log_message(self, format, *args):  # noqa: A002
        pass


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    """A fresh course cache in the test's temporary folder, and no mirror set."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("COURSE_CACHE_DIR", str(folder))
    monkeypatch.delenv(data.PAINTINGS_URL_ENV, raising=False)
    return folder


@pytest.fixture
def mirror(tmp_path, monkeypatch, cache):
    """A classroom mirror: a real HTTP server on 127.0.0.1 serving tmp_path/mirror,
    with COURSE_PAINTINGS_URL pointing at it. Yields (folder, server)."""
    root = tmp_path / "mirror"
    root.mkdir()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(root)))
    httpd.daemon_threads = True
    httpd.requests = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv(data.PAINTINGS_URL_ENV, f"http://127.0.0.1:{httpd.server_address[1]}/paintings/")
    try:
        yield root, httpd
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture
def offline(monkeypatch, cache):
    """COURSE_PAINTINGS_URL pointing at a closed port on 127.0.0.1: no network."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv(data.PAINTINGS_URL_ENV, f"http://127.0.0.1:{port}")


def write_jpeg(path: Path, width: int = 48, height: int = 36) -> str:
    """Write a small real JPEG and return its sha256."""
    y, x = np.mgrid[0:height, 0:width]
    rgb = np.stack([x * 255 // width, np.full_like(x, 90), y * 255 // height], axis=-1).astype(np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(rgb).save(path, format="JPEG", quality=90)
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_course_image(image, shape=None):
    assert isinstance(image, np.ndarray) and image.dtype == np.float32
    assert image.ndim == 3 and image.shape[-1] == 3
    assert np.isfinite(image).all() and image.min() >= 0.0 and image.max() <= 1.0
    if shape is not None:
        assert image.shape == shape


# ------------------------------------------------------------------ content photos


@pytest.mark.parametrize("name", list(data.CONTENT_PHOTOS))
def test_content_photos_load_offline(name, offline):
    image = data.content(name)
    assert_course_image(image)
    assert image.std() > 0.05  # a real photo, not a blank
    if name == "camera":  # black and white: three equal channels
        assert np.array_equal(image[..., 0], image[..., 1])


def test_content_size_sets_the_longest_side():
    assert_course_image(data.content("chelsea", size=64), shape=(43, 64, 3))  # 451x300 photo
    assert_course_image(data.content("astronaut", size=48), shape=(48, 48, 3))


def test_content_names_and_normalised_names():
    assert data.content_names() == list(data.CONTENT_PHOTOS)
    assert {"astronaut", "chelsea", "coffee"} <= set(data.content_names())
    assert data.content("Hubble Deep Field", size=32).shape[-1] == 3


def test_unknown_content_photo_lists_the_names():
    with pytest.raises(ImageError) as info:
        data.content("astronuat")
    message = str(info.value)
    assert "did you mean 'astronaut'" in message
    assert all(name in message for name in data.CONTENT_PHOTOS)
    assert isinstance(info.value, CourseError)
    with pytest.raises(SettingError, match="name must be a string"):
        data.content(3)


# ----------------------------------------------------------------------- styles


def test_styles_come_from_art():
    assert data.STYLES == tuple(art.STYLES)
    assert {"swirl", "mosaic", "composition", "pointillism"} <= set(data.STYLES)


def test_committed_style_file_is_preferred(tmp_path, monkeypatch, cache):
    committed = tmp_path / "checkout" / "data" / "styles" / "mosaic.png"
    images.save(np.full((40, 40, 3), 0.25, np.float32), committed)
    monkeypatch.setattr(config, "project_root", lambda: tmp_path / "checkout")
    assert data.style_path("mosaic") == committed
    assert_course_image(data.style("mosaic"), shape=(40, 40, 3))
    assert not (cache / "styles").exists()


@pytest.mark.parametrize("root", ["empty checkout", "pip install"])
def test_style_is_generated_once_into_the_cache(root, tmp_path, monkeypatch, cache):
    monkeypatch.setattr(config, "project_root", lambda: tmp_path if root == "empty checkout" else None)
    calls = []
    real_make = art.make

    def counting_make(name, size=512, seed=0):
        calls.append((name, size, seed))
        return real_make(name, size=size, seed=seed)

    monkeypatch.setattr(art, "make", counting_make)
    path = data.style_path("composition")
    assert path == cache / "styles" / "composition.png"
    assert calls == [("composition", 512, 0)]
    assert_course_image(images.load(path), shape=(512, 512, 3))
    assert data.style_path("Composition") == path  # second call: the cached file, not drawn again
    assert len(calls) == 1
    assert [p.name for p in (cache / "styles").iterdir()] == ["composition.png"]  # no temporary files left


def test_unknown_style_lists_the_styles():
    with pytest.raises(ImageError) as info:
        data.style("starry_night")
    assert all(name in str(info.value) for name in data.STYLES)


# -------------------------------------------------------------------- paintings


def test_paintings_catalogue_entries():
    assert set(data.PAINTINGS) == {"starry_night", "the_scream", "shipwreck"}
    for info in data.PAINTINGS.values():
        assert {"title", "artist", "year", "url", "sha256", "file"} <= set(info)
        assert info["url"].startswith("https://raw.githubusercontent.com/jcjohnson/neural-style/")
        assert info["url"].endswith("/" + info["file"]) and len(info["sha256"]) == 64


@pytest.mark.network
def test_painting_from_mirror_with_wrong_content_gives_the_checksum_error(mirror, cache):
    root, httpd = mirror
    write_jpeg(root / "paintings" / "starry_night.jpg")  # not the real painting
    with pytest.raises(DownloadError) as info:
        data.painting("starry_night")
    assert "sha256" in str(info.value)
    assert httpd.requests == ["/paintings/starry_night.jpg"]
    assert not (cache / "paintings" / "starry_night.jpg").exists()


@pytest.mark.network
def test_painting_from_mirror_with_matching_checksum(mirror, cache, monkeypatch):
    root, httpd = mirror
    digest = write_jpeg(root / "paintings" / "starry_night.jpg")
    monkeypatch.setitem(data.PAINTINGS["starry_night"], "sha256", digest)
    assert not [row for row in data.catalogue() if row["name"] == "starry_night"][0]["offline"]
    path = data.painting_path("Starry Night")
    assert path == cache / "paintings" / "starry_night.jpg"
    assert_course_image(data.painting("starry_night"), shape=(36, 48, 3))
    assert [row for row in data.catalogue() if row["name"] == "starry_night"][0]["offline"]
    httpd.shutdown()  # offline from now on: the cached file is enough
    assert_course_image(data.load_any("starry_night"), shape=(36, 48, 3))
    assert httpd.requests == ["/paintings/starry_night.jpg"]


@pytest.mark.network
def test_offline_painting_request_names_the_bundled_styles(offline, cache):
    with pytest.raises(DownloadError) as info:
        data.painting("the_scream")
    message = str(info.value)
    assert "Could not download the_scream.jpg" in message and "no network connection" in message
    assert "data.style('swirl')" in message
    assert all(f"'{name}'" in message for name in data.STYLES)
    assert not (cache / "paintings" / "the_scream.jpg").exists()


def test_bad_mirror_address_is_reported(cache, monkeypatch):
    monkeypatch.setenv(data.PAINTINGS_URL_ENV, "192.168.1.10/paintings")
    with pytest.raises(DownloadError, match="COURSE_PAINTINGS_URL"):
        data.painting_path("shipwreck")


def test_unknown_painting_lists_the_paintings():
    with pytest.raises(ImageError) as info:
        data.painting("mona_lisa")
    assert all(name in str(info.value) for name in data.PAINTINGS)


# ------------------------------------------------------------------ all together


def test_load_any_resolves_names_paths_and_arrays(tmp_path, cache):
    assert_course_image(data.load_any("coffee", size=32))
    assert_course_image(data.load_any("swirl", size=32))
    write_jpeg(tmp_path / "mine.jpg")
    assert_course_image(data.load_any(str(tmp_path / "mine.jpg")), shape=(36, 48, 3))
    assert_course_image(data.load_any(tmp_path / "mine.jpg"), shape=(36, 48, 3))
    assert_course_image(data.load_any(np.zeros((5, 6, 3), np.uint8)), shape=(5, 6, 3))


def test_load_any_unknown_name_lists_the_catalogue(tmp_path):
    with pytest.raises(ImageError) as info:
        data.load_any("swril")
    message = str(info.value)
    assert "did you mean 'swirl'" in message
    for name in [*data.CONTENT_PHOTOS, *data.STYLES, *data.PAINTINGS]:
        assert name in message
    with pytest.raises(ImageError):
        data.load_any(tmp_path / "missing.jpg")


def test_catalogue_rows(cache):
    rows = data.catalogue()
    assert {row["kind"] for row in rows} == {"content", "style", "painting"}
    assert len(rows) == len(data.CONTENT_PHOTOS) + len(data.STYLES) + len(data.PAINTINGS)
    for row in rows:
        assert set(row) == {"kind", "name", "description", "offline", "code"}
        assert row["description"] and row["code"].startswith("data.")
        assert row["offline"] is (row["kind"] != "painting")  # fresh cache: no painting downloaded yet
