"""Tests of course_utils.downloads against a real HTTP server on 127.0.0.1.

No mocks of the network layer: a ThreadingHTTPServer serves a temporary folder,
an unreachable address is a closed local port, and a timeout is a local socket
that accepts connections but never answers.
"""

from __future__ import annotations

import hashlib
import socket
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from course_utils import downloads, images
from course_utils.errors import CourseError, DownloadError, SettingError

pytestmark = pytest.mark.network


# ----------------------------------------------------------------------- fixtures


def write_jpeg(path: Path, width: int = 40, height: int = 30) -> str:
    """Write a small real JPEG (a colour gradient) and return its sha256."""
    y, x = np.mgrid[0:height, 0:width]
    rgb = np.stack([x * 255 // width, y * 255 // height, np.full_like(x, 128)], axis=-1).astype(np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(rgb).save(path, format="JPEG", quality=90)
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def silent_port():
    """A port on 127.0.0.1 that accepts connections but never answers."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    s.listen(8)
    yield s.getsockname()[1]
    s.close()


# -------------------------------------------------------------------------- tests


def test_right_hash_downloads_a_loadable_image(cache, server):
    digest = write_jpeg(server.root / "picture.jpg")
    path = downloads.fetch(f"{server.url}/picture.jpg", sha256=digest)
    assert path == cache / "downloads" / "picture.jpg"
    assert downloads.sha256_of(path) == digest
    image = images.load(path)
    assert image.shape == (30, 40, 3) and image.dtype == np.float32
    assert 0.0 <= image.min() and image.max() <= 1.0
    assert server.requests == ["/picture.jpg"]


def test_second_call_is_served_from_the_cache_without_network(cache, server):
    digest = write_jpeg(server.root / "picture.jpg")
    url = f"{server.url}/picture.jpg"
    first = downloads.fetch(url, sha256=digest, subdir="pictures")
    server.stop()  # from now on any network access would fail
    second = downloads.fetch(url, sha256=digest, subdir="pictures")
    assert second == first and second.is_file()
    assert server.requests == ["/picture.jpg"]


def test_wrong_hash_is_reported_and_the_bad_file_removed(cache, server):
    write_jpeg(server.root / "picture.jpg")
    url = f"{server.url}/picture.jpg"
    with pytest.raises(DownloadError) as info:
        downloads.fetch(url, sha256="0" * 64)
    message = str(info.value)
    assert "sha256" in message and url in message
    assert info.value.__cause__ is None and info.value.__suppress_context__  # one line, no chained traceback
    assert not (cache / "downloads" / "picture.jpg").exists()
    assert list((cache / "downloads").iterdir()) == []  # no partial files left either


def test_damaged_cached_file_is_replaced_by_a_fresh_download(cache, server):
    digest = write_jpeg(server.root / "picture.jpg")
    damaged = cache / "downloads" / "picture.jpg"
    damaged.parent.mkdir(parents=True)
    damaged.write_bytes(b"half a picture")
    path = downloads.fetch(f"{server.url}/picture.jpg", sha256=digest)
    assert downloads.sha256_of(path) == digest


def test_damaged_cached_file_offline_is_removed_and_reported(cache, closed_port):
    damaged = cache / "downloads" / "picture.jpg"
    damaged.parent.mkdir(parents=True)
    damaged.write_bytes(b"half a picture")
    with pytest.raises(DownloadError, match="network"):
        downloads.fetch(f"http://127.0.0.1:{closed_port}/picture.jpg", sha256="a" * 64)
    assert not damaged.exists()


def test_http_404_is_reported(cache, server):
    with pytest.raises(DownloadError) as info:
        downloads.fetch(f"{server.url}/missing.jpg", sha256="a" * 64)
    message = str(info.value)
    assert "404" in message and "Not Found" in message and "missing.jpg" in message
    assert not (cache / "downloads" / "missing.jpg").exists()


def test_unreachable_host_is_reported_as_no_network(cache, closed_port):
    with pytest.raises(DownloadError) as info:
        downloads.fetch(f"http://127.0.0.1:{closed_port}/picture.jpg")
    message = str(info.value)
    assert "no network connection" in message and "picture.jpg" in message and "127.0.0.1" in message
    assert "connect to the internet" in message
    assert isinstance(info.value, CourseError) and isinstance(info.value, OSError)
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_alternative_finishes_the_sentence(cache, closed_port):
    with pytest.raises(DownloadError, match=r"or use the bundled one instead\.$"):
        downloads.fetch(f"http://127.0.0.1:{closed_port}/a.jpg", alternative="use the bundled one instead")


def test_silent_server_times_out(cache, silent_port):
    before = socket.getdefaulttimeout()
    with pytest.raises(DownloadError) as info:
        downloads.fetch(f"http://127.0.0.1:{silent_port}/picture.jpg", timeout=0.5)
    assert "no network connection" in str(info.value) and "0.5 seconds" in str(info.value)
    assert socket.getdefaulttimeout() == before  # the global default is restored


def test_timeout_is_restored_after_success(cache, server):
    write_jpeg(server.root / "picture.jpg")
    before = socket.getdefaulttimeout()
    downloads.fetch(f"{server.url}/picture.jpg", timeout=3)
    assert socket.getdefaulttimeout() == before


def test_default_file_name_is_made_safe(cache, server):
    write_jpeg(server.root / "My Picture (1).jpg")
    path = downloads.fetch(f"{server.url}/My%20Picture%20(1).jpg?download=1")
    assert path.name == "My_Picture_1_.jpg"
    assert path.parent == cache / "downloads"


def test_explicit_name_and_uppercase_hash(cache, server):
    digest = write_jpeg(server.root / "picture.jpg")
    path = downloads.fetch(f"{server.url}/picture.jpg", fname="renamed.jpg", sha256=digest.upper())
    assert path == cache / "downloads" / "renamed.jpg"


def test_file_url_from_a_usb_stick(cache, tmp_path):
    digest = write_jpeg(tmp_path / "stick" / "picture.jpg")
    path = downloads.fetch((tmp_path / "stick" / "picture.jpg").as_uri(), sha256=digest)
    assert path == cache / "downloads" / "picture.jpg"
    with pytest.raises(DownloadError, match="no such file"):
        downloads.fetch((tmp_path / "stick" / "other.jpg").as_uri())


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"sha256": "abc"}, SettingError),
        ({"sha256": "g" * 64}, SettingError),
        ({"sha256": 123}, SettingError),
        ({"fname": "../escape.jpg"}, SettingError),
        ({"fname": ""}, SettingError),
        ({"fname": 3}, SettingError),
        ({"subdir": "../outside"}, SettingError),
        ({"subdir": "/abs"}, SettingError),
        ({"timeout": 0}, SettingError),
        ({"timeout": True}, SettingError),
        ({"timeout": float("nan")}, SettingError),
        ({"alternative": 5}, SettingError),
    ],
)
def test_bad_arguments_are_refused_before_any_network_access(cache, closed_port, kwargs, error):
    with pytest.raises(error):
        downloads.fetch(f"http://127.0.0.1:{closed_port}/picture.jpg", **kwargs)


@pytest.mark.parametrize("url", ["ftp://example.org/a.jpg", "picture.jpg", "http:///a.jpg", "http://127.0.0.1/"])
def test_bad_urls_are_refused(cache, url):
    with pytest.raises(SettingError):
        downloads.fetch(url)


def test_url_must_be_a_string(cache):
    with pytest.raises(SettingError, match="url must be a web address"):
        downloads.fetch(Path("/tmp/picture.jpg"))
