"""The kit's famous paintings, end to end without the internet.

The real paintings cannot be fetched here (no internet), so the catalogue is pointed at three
small real JPEGs with their own sha256, served by a real HTTP server on 127.0.0.1 as a classroom
mirror (``COURSE_PAINTINGS_URL``). The kit's own code fetches them into ``kit/paintings``; then a
laptop with an empty cache and no network at all (the mirror closed) copies them from the kit,
from its folder and from ``make serve-kit``'s server, and ``data.painting`` loads them, checked
against their sha256.
"""

from __future__ import annotations

import functools
import hashlib
import http.server
import json
import threading

import numpy as np
import pytest
from PIL import Image

from classroom import kit as kit_module
from classroom import serve
from course_utils import data
from course_utils.errors import DownloadError


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


def _serve(server):
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return thread


def _stop(server, thread):
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def catalogue(tmp_path, monkeypatch):
    """Three paintings of a few kilobytes each, in place of the real ones, and a mirror that serves them."""
    folder = tmp_path / "mirror"
    folder.mkdir()
    paintings = {}
    for index, name in enumerate(("starry_night", "the_scream", "shipwreck")):
        y, x = np.mgrid[0:40, 0:56]
        rgb = np.stack([(x * 4 + 60 * index) % 256, np.full_like(x, 40 * index), y * 6], axis=-1).astype(np.uint8)
        file = f"{name}.jpg"
        Image.fromarray(rgb).save(folder / file, format="JPEG", quality=90)
        paintings[name] = {"file": file, "url": f"https://example.invalid/{file}",
                           "sha256": hashlib.sha256((folder / file).read_bytes()).hexdigest(), "licence": "test"}
    monkeypatch.setattr(data, "PAINTINGS", paintings)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    thread = _serve(server)
    monkeypatch.setenv(data.PAINTINGS_URL_ENV, f"http://127.0.0.1:{server.server_address[1]}/")
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path / "instructor-cache"))
    yield paintings, server
    _stop(server, thread)


def _laptop(tmp_path, monkeypatch, closed_port, name):
    """A learner's machine: an empty cache of its own and every address for paintings unreachable."""
    cache = tmp_path / name
    monkeypatch.setenv("COURSE_CACHE_DIR", str(cache))
    monkeypatch.setenv(data.PAINTINGS_URL_ENV, f"http://127.0.0.1:{closed_port}/")
    return cache


def test_the_kit_carries_the_paintings_to_a_laptop_without_network(catalogue, tmp_path, monkeypatch, closed_port):
    paintings, mirror = catalogue
    kit = tmp_path / "kit"
    kit.mkdir()
    logged = []
    copied = kit_module.copy_paintings(kit, log=logged.append)
    assert sorted(copied["included"]) == sorted(p["file"] for p in paintings.values())
    assert copied["not_fetched"] == {} and "paintings: 3 of 3" in logged[0]
    for info in paintings.values():
        assert hashlib.sha256((kit / "paintings" / info["file"]).read_bytes()).hexdigest() == info["sha256"]
    # the part of the manifest install_cache reads (make kit writes the whole of it)
    (kit / kit_module.MANIFEST).write_text(json.dumps({"cache_files": [], "paintings": copied}))
    mirror.shutdown()  # from here on, no mirror and no internet

    cache = _laptop(tmp_path, monkeypatch, closed_port, "laptop-cache")
    with pytest.raises(DownloadError):  # really offline: without the kit the painting cannot be had
        data.painting("starry_night")
    assert sorted(kit_module.install_cache(str(kit), log=logged.append)) == sorted(
        "paintings/" + p["file"] for p in paintings.values())
    for name, info in paintings.items():
        assert data.painting_path(name) == cache / "paintings" / info["file"]
        picture = data.painting(name, size=28)
        assert picture.shape == (20, 28, 3) and picture.dtype == np.float32
    assert kit_module.install_cache(str(kit), log=logged.append) == []  # a second time: already there

    # the same from the instructor's laptop over HTTP (make serve-kit)
    (kit / "simple").mkdir()
    (kit / "simple" / "index.html").write_text("<html></html>")  # serve-kit wants the package index's page
    server = serve.make_server(kit, "127.0.0.1", 0)
    thread = _serve(server)
    try:
        cache = _laptop(tmp_path, monkeypatch, closed_port, "second-laptop-cache")
        address = f"http://127.0.0.1:{server.server_address[1]}"
        assert len(kit_module.install_cache(address, log=logged.append)) == 3
        assert data.painting("the_scream", size=28).shape == (20, 28, 3)
        assert (cache / "paintings" / "the_scream.jpg").is_file()
    finally:
        _stop(server, thread)


def test_a_painting_that_cannot_be_fetched_is_named_in_the_kit_and_the_rest_are_kept(catalogue, tmp_path):
    paintings, _mirror = catalogue
    paintings["shipwreck"]["sha256"] = "0" * 64  # the mirror's file is not the one the course expects
    kit = tmp_path / "kit"
    kit.mkdir()
    copied = kit_module.copy_paintings(kit, log=lambda line: None)
    assert sorted(copied["included"]) == ["starry_night.jpg", "the_scream.jpg"]
    assert list(copied["not_fetched"]) == ["shipwreck"]
    assert "\n" not in copied["not_fetched"]["shipwreck"] and copied["not_fetched"]["shipwreck"]
    assert not (kit / "paintings" / "shipwreck.jpg").exists()
