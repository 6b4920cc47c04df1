"""Shared test set-up: no display, quiet TensorFlow, the VGG19 model built once, a real local HTTP server."""

import contextlib
import functools
import http.server
import io
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# The tests speak English unless a test asks for another language (``in_language``): a COURSE_LANG
# exported in the shell must not turn the English expectations into failures.
os.environ.pop("COURSE_LANG", None)

import numpy as np  # noqa: E402
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


@pytest.fixture(scope="module")
def pair():
    """A tiny photo (a horizontal ramp, 40 x 48) and painting (noise, 40 x 40) for the style-transfer tests."""
    rng = np.random.default_rng(0)
    content = np.clip(np.linspace(0, 1, 48)[None, :, None] * np.ones((40, 48, 3)), 0, 1).astype(np.float32)
    style = rng.uniform(size=(40, 40, 3)).astype(np.float32)
    return content, style


#: A character of the CJK Unified Ideographs block: the mark of a message that speaks Chinese.
CJK = re.compile(r"[\u4e00-\u9fff]")


@contextlib.contextmanager
def in_language(language: str):
    """Run the block with ``COURSE_LANG=language`` (what ``config.language()`` reads), restored after."""
    from course_utils import config

    before = os.environ.get(config.LANGUAGE_VARIABLE)
    os.environ[config.LANGUAGE_VARIABLE] = language
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(config.LANGUAGE_VARIABLE, None)
        else:
            os.environ[config.LANGUAGE_VARIABLE] = before


class _Recorded:
    """A learner's function that remembers what each call gave (result or exception), so that the same
    check can be run again, in another language, on exactly the same answers: some tests' wrong
    functions change with each call (None on the second call, an error after the third)."""

    def __init__(self, learner):
        self.learner, self.answers, self.replaying, self.calls = learner, [], None, 0
        self.__name__ = getattr(learner, "__name__", "recorded")

    def __call__(self, *args):
        if self.replaying is not None and self.replaying < len(self.answers):
            kind, value = self.answers[self.replaying]
            self.replaying += 1
            if kind == "raise":
                raise value
            return value
        self.calls += 1
        try:
            value = self.learner(*args)
        except BaseException as err:
            if self.replaying is None:
                self.answers.append(("raise", err))
            raise
        if self.replaying is None:
            self.answers.append(("return", value))
        return value

    def replay(self):
        self.replaying = 0
        return self


def passes(exercise, learner, **kwargs) -> int:
    """Run an exercise check on ``learner``; return how many times the check called it (its trials).

    The same check then runs again in Chinese (on the answers recorded the first time): its ✓ line
    must speak Chinese too.
    """
    recorded = _Recorded(learner)
    exercise(recorded, **kwargs)
    calls = recorded.calls
    out = io.StringIO()
    with in_language("zh_CN"), contextlib.redirect_stdout(out):
        exercise(recorded.replay(), **kwargs)
    said = out.getvalue()
    assert said.startswith("✓") and CJK.search(said) and "matches the reference" not in said, said
    return calls


def fails_with(exercise, wrong, message) -> str:
    """Run an exercise check on a wrong function; the failure is one sentence matching ``message``.

    The same check then runs again in Chinese (on the answers recorded the first time): it fails too,
    in one sentence that has Chinese in it, and what the English sentence said is wrong (the named
    mistake, between the exercise's label and "(on input") does not appear in it untranslated.
    """
    from course_utils.checks import CheckFailed

    recorded = _Recorded(wrong) if callable(wrong) else wrong
    with pytest.raises(CheckFailed, match=message) as err:
        exercise(recorded)
    english = str(err.value)
    assert "\n" not in english
    with in_language("zh_CN"), pytest.raises(CheckFailed) as err_zh:
        exercise(recorded.replay() if callable(wrong) else wrong)
    chinese = str(err_zh.value)
    assert "\n" not in chinese and CJK.search(chinese) and chinese != english, chinese
    named = re.match(r"^q\d+ \S+: (.*) \(on input ", english)
    if named:
        assert named.group(1) not in chinese, f"untranslated in {chinese!r}"
    return english


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


# ------------------------------------------------- JupyterLab on 127.0.0.1 (the browser test and `make lab`)

ROOT = Path(__file__).resolve().parent.parent

# JupyterLab settings for a clean, quiet session: no news or update pop-ups over the notebook, and
# every cell kept in the page (JupyterLab otherwise only renders the cells on screen).
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                       "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class JupyterLab:
    """A JupyterLab server of this environment on 127.0.0.1 with a random token; stopped by :meth:`stop`.

    It serves ``root``, started directly, or with ``through_make=True`` by the README's own command,
    ``make lab`` (which serves ``notebooks/``), with the server options passed in ``LAB_ARGS``. Its
    configuration, runtime, settings and workspace folders are under ``home``; its output goes to ``log``.
    """

    def __init__(self, root: Path, home: Path, log: Path, *, through_make: bool = False):
        self.root, self.port, self.token = root, free_port(), secrets.token_hex(16)
        self.url = f"http://127.0.0.1:{self.port}"
        settings = home / "lab-settings"
        for name, values in LAB_SETTINGS.items():
            (settings / name).parent.mkdir(parents=True, exist_ok=True)
            (settings / name).write_text(json.dumps(values))
        env = kernel_environment(COURSE_QUICK="1", JUPYTER_CONFIG_DIR=str(home / "config"),
                                 JUPYTER_RUNTIME_DIR=str(home / "runtime"), JUPYTERLAB_SETTINGS_DIR=str(settings),
                                 JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"))
        options = ["--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}",
                   "--ServerApp.port_retries=0", f"--IdentityProvider.token={self.token}",
                   "--ServerApp.open_browser=False"]
        if through_make:
            # this environment's venv, so that make finds it set up and only checks the weights
            command = ["make", "--no-print-directory", "lab", f"VENV={sys.prefix}", "LAB_ARGS=" + " ".join(options)]
            cwd = ROOT
        else:
            command = [sys.executable, "-m", "jupyter", "lab", *options, f"--ServerApp.root_dir={root}",
                       *(["--allow-root"] if os.geteuid() == 0 else [])]
            cwd = root
        self.log = log
        self._log_file = open(log, "w")
        # a session of its own, so that a kill reaches make's child too
        self.process = subprocess.Popen(command, stdout=self._log_file, stderr=subprocess.STDOUT, env=env, cwd=cwd,
                                        start_new_session=True)
        self._wait_until_up()

    def api(self, path: str, method: str = "GET"):
        request = urllib.request.Request(f"{self.url}{path}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def _wait_until_up(self, seconds: float = 180) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"JupyterLab stopped at start-up; its log:\n{self.log.read_text()[-3000:]}")
            try:
                self.api("/api/status")
                return
            except OSError:
                time.sleep(0.5)
        self.stop()
        pytest.fail(f"JupyterLab did not answer on {self.url} within {seconds:.0f} s; its log:\n"
                    f"{self.log.read_text()[-3000:]}")

    def stop(self) -> int | None:
        """Shut the server (and its kernels) down, kill it if it does not go; its exit status."""
        if self.process.poll() is None:
            try:
                self.api("/api/shutdown", method="POST")
            except OSError:
                pass
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self._log_file.close()
        return self.process.returncode
