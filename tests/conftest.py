"""Shared test set-up: no display, quiet TensorFlow, the VGG19 model built once, a real local HTTP server."""

import functools
import http.server
import os
import socket
import threading
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import pytest  # noqa: E402


def kernel_environment(**settings: str) -> dict:
    """The environment for a Jupyter kernel the tests start: this one plus ``settings``, without the
    tests' ``MPLBACKEND=Agg``, which would keep figures out of the notebook."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", **settings)
    env.pop("MPLBACKEND", None)
    return env


@pytest.fixture(scope="session")
def vgg():
    """The course's VGG19 from the default cache (``make test`` prepares it first)."""
    from course_utils import models

    return models.vgg19(verbose=False)


def passes(exercise, learner, **kwargs) -> int:
    """Run an exercise check on ``learner``; return how many times the check called it (its trials)."""
    calls = []

    def counted(*args):
        calls.append(args)
        return learner(*args)

    counted.__name__ = getattr(learner, "__name__", "counted")
    exercise(counted, **kwargs)
    return len(calls)


def fails_with(exercise, wrong, message) -> str:
    """Run an exercise check on a wrong function; the failure is one sentence matching ``message``."""
    from course_utils.checks import CheckFailed

    with pytest.raises(CheckFailed, match=message) as err:
        exercise(wrong)
    assert "\n" not in str(err.value)
    return str(err.value)


# ------------------------------------------------- a real HTTP server on 127.0.0.1 (no network mocks)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files from a folder, records each request, prints nothing."""

    def do_GET(self):  # noqa: N802 - the name http.server expects
        self.server.requests.append(self.path)
        super().do_GET()

    def log_message(self, format, *args):  # noqa: A002 - signature of the base class
        pass


class LocalServer:
    """A real HTTP server on 127.0.0.1 in a background thread."""

    def __init__(self, root: Path):
        self.root = root
        handler = functools.partial(_QuietHandler, directory=str(root))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.httpd.requests = []
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.running = True

    @property
    def requests(self) -> list[str]:
        return self.httpd.requests

    def stop(self) -> None:
        if self.running:
            self.running = False
            self.httpd.shutdown()
            self.httpd.server_close()
            self.thread.join(timeout=5)


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    """The course's cache folder, moved into the test's temporary folder."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("COURSE_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def server(tmp_path):
    """A local HTTP server serving tmp_path/www; shut down after the test."""
    root = tmp_path / "www"
    root.mkdir()
    srv = LocalServer(root)
    yield srv
    srv.stop()


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 nobody listens on: connecting is refused at once."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item (``item.rep_call``), so fixtures can tell a failure."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
