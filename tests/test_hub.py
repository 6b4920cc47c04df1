"""The class's JupyterHub, for real: `make hub` on 127.0.0.1, two learners, notebook 00 in each.

The hub is the README's command (`make hub`, with its address and ports given) and its shipped
configuration (classroom/hub/jupyterhub_config.py): the workshop's shared password, each
learner's server as this user in a folder of their own (the local spawner; a real server uses
the Littlest JupyterHub's systemd spawner). Both learners log in through the hub's REST API
(a token requested with their name and the shared password), start their servers through it,
open notebook 00 from their own copy through their server's contents API and run it, cell by
cell, in a kernel of their own over the kernel's websocket, in quick mode. Then:

- each learner's painting landed in their own ``notebooks/outputs/`` and nowhere else;
- the shared cache is unchanged, file by file, and each learner's cache holds links into it;
- TensorFlow's threads were limited in their kernels;
- stopping the hub stops every process it started, and every port it used is closed.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests

from conftest import ROOT, free_port

pytestmark = [pytest.mark.slow, pytest.mark.network]

PASSWORD = "paint-together-42"
LEARNERS = ("alice", "bob")
KEEP_THIS_VENV = ["-o", str(Path(sys.prefix) / ".course-installed")]


def _snapshot(folder: Path) -> dict:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _port_open(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _listening_ports(processes) -> set[int]:
    """Every TCP port on which one of ``processes`` listens."""
    import psutil

    ports = set()
    for process in processes:
        try:
            connections = process.net_connections(kind="tcp")
        except psutil.Error:
            continue
        ports |= {c.laddr.port for c in connections if c.status == psutil.CONN_LISTEN}
    return ports


class Hub:
    """`make hub` in a session of its own, on free ports of 127.0.0.1."""

    def __init__(self, state: Path, log: Path):
        self.port, self.api_port, self.proxy_api_port = free_port(), free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self._out = open(log, "w")
        env = dict(os.environ, COURSE_HUB_QUICK="1", TF_CPP_MIN_LOG_LEVEL="2")
        env.pop("MPLBACKEND", None)
        env.pop("COURSE_CACHE_DIR", None)
        command = ["make", "--no-print-directory", *KEEP_THIS_VENV, "hub", f"VENV={sys.prefix}", "HUB_IP=127.0.0.1",
                   f"HUB_PORT={self.port}", f"HUB_API_PORT={self.api_port}",
                   f"HUB_PROXY_API_PORT={self.proxy_api_port}", f"HUB_STATE={state}", f"HUB_PASSWORD={PASSWORD}",
                   f"HUB_USERS={' '.join(LEARNERS)}", "HUB_THREADS=1"]
        self.process = subprocess.Popen(command, cwd=ROOT, stdout=self._out, stderr=subprocess.STDOUT, env=env,
                                        start_new_session=True)
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self._out.close()
                pytest.fail(f"make hub stopped at start-up; its log:\n{log.read_text()[-4000:]}")
            try:
                if requests.get(f"{self.url}/hub/api", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.5)
        self.stop()
        pytest.fail(f"the hub did not answer within 300 s; its log:\n{log.read_text()[-4000:]}")

    def processes(self):
        import psutil

        try:
            return [psutil.Process(self.process.pid), *psutil.Process(self.process.pid).children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def stop(self) -> list:
        """SIGTERM to the hub (it stops the learners' servers and its proxy); every process it had must go."""
        import psutil

        started = self.processes()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        gone, alive = psutil.wait_procs(started, timeout=60)
        for process in alive:
            process.kill()
        self.process.wait(timeout=10)
        self._out.close()
        return alive


def _log_in(hub: Hub, name: str) -> requests.Session:
    """A token for ``name`` through the hub's API, with the shared password; a session that sends it."""
    reply = requests.post(f"{hub.url}/hub/api/users/{name}/tokens", timeout=30,
                          json={"auth": {"username": name, "password": PASSWORD}, "note": "test_hub"})
    assert reply.status_code in (200, 201), reply.text
    session = requests.Session()
    session.headers["Authorization"] = f"token {reply.json()['token']}"
    wrong = requests.post(f"{hub.url}/hub/api/users/{name}/tokens", timeout=30,
                          json={"auth": {"username": name, "password": "not-the-password"}})
    assert wrong.status_code == 403, "a wrong password must not give a token"
    return session


def _start_server(hub: Hub, session: requests.Session, name: str) -> dict:
    reply = session.post(f"{hub.url}/hub/api/users/{name}/server", timeout=60)
    assert reply.status_code in (201, 202), reply.text
    start = time.monotonic()
    while time.monotonic() < start + 180:
        model = session.get(f"{hub.url}/hub/api/users/{name}", timeout=30).json()
        server = model.get("servers", {}).get("")
        if server and server.get("ready"):
            return server
        if not server and time.monotonic() > start + 15:
            break  # the spawn failed: the hub dropped the server
        time.sleep(1)
    pytest.fail(f"{name}'s server did not start; the hub's log:\n{hub.log.read_text()[-4000:]}")


def _run_notebook(hub: Hub, session: requests.Session, name: str, path: str) -> list[str]:
    """Run each code cell of the learner's notebook in a new kernel of theirs; return the text outputs."""
    import websocket

    base = f"{hub.url}/user/{name}/api"
    notebook = session.get(f"{base}/contents/{path}", params={"content": 1}, timeout=60)
    assert notebook.status_code == 200, notebook.text
    cells = [c for c in notebook.json()["content"]["cells"] if c["cell_type"] == "code"]
    opened = session.post(f"{base}/sessions", json={"path": path, "type": "notebook", "name": path,
                                                   "kernel": {"name": "python3"}}, timeout=120)
    assert opened.status_code == 201, opened.text
    kernel = opened.json()["kernel"]["id"]
    socket_url = f"ws://127.0.0.1:{hub.port}/user/{name}/api/kernels/{kernel}/channels"
    ws = websocket.create_connection(socket_url, header=[f"Authorization: {session.headers['Authorization']}"],
                                     timeout=600)
    texts = []
    probe = "import os; print('THREADS', os.environ.get('TF_NUM_INTRAOP_THREADS'), os.getcwd())"
    try:
        for index, source in enumerate([*("".join(c["source"]) for c in cells), probe]):
            msg_id = uuid.uuid4().hex
            ws.send(json.dumps({"header": {"msg_id": msg_id, "msg_type": "execute_request", "username": name,
                                           "session": uuid.uuid4().hex, "version": "5.3"},
                                "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
                                "content": {"code": source, "silent": False, "store_history": True,
                                            "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}}))
            reply = None
            idle = False
            while reply is None or not idle:
                message = json.loads(ws.recv())
                if message.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                kind = message["msg_type"]
                if kind == "stream":
                    texts.append(message["content"]["text"])
                elif kind == "error":
                    pytest.fail(f"{name}'s notebook {path} failed in code cell {index + 1}: "
                                f"{message['content']['ename']}: {message['content']['evalue']}")
                elif kind == "status" and message["content"]["execution_state"] == "idle":
                    idle = True
                elif kind == "execute_reply":
                    reply = message["content"]
            assert reply["status"] == "ok", reply
    finally:
        ws.close()
        session.delete(f"{base}/sessions/{opened.json()['id']}", timeout=60)
    return texts


def test_two_learners_on_the_hub_each_run_notebook_00_in_their_own_folder(tmp_path):
    state = tmp_path / "hub"
    shared_cache = state / "cache"
    repository_outputs = ROOT / "notebooks" / "outputs"
    before_outputs = _snapshot(repository_outputs) if repository_outputs.exists() else {}
    hub = Hub(state, tmp_path / "hub.log")
    stopped_cleanly = False
    try:
        before_cache = _snapshot(shared_cache)
        assert "vgg19/vgg19_notop.weights.h5" in before_cache, "make hub prepares the shared cache first"
        sessions = {name: _log_in(hub, name) for name in LEARNERS}
        servers = {name: _start_server(hub, sessions[name], name) for name in LEARNERS}
        outputs = {name: _run_notebook(hub, sessions[name], name, "00_setup_and_tour.ipynb") for name in LEARNERS}
        assert all(server["ready"] for server in servers.values())
        listening = _listening_ports(hub.processes())
        for name in LEARNERS:
            home = state / "users" / name
            said = "".join(outputs[name])
            assert "not attempted yet" in said and "Traceback" not in said, said[-2000:]
            assert f"THREADS 1 {home / 'notebooks'}" in said, "the kernel runs in the learner's notebooks, 1 thread"
            painting = home / "notebooks" / "outputs" / "my_first_painting.png"
            assert painting.is_file(), f"{name}'s painting should be in their own outputs/"
            own_cache = home / ".cache" / "ai-painting-course"
            link = own_cache / "vgg19" / "vgg19_notop.weights.h5"
            assert link.is_symlink() and link.resolve() == (shared_cache / "vgg19" / "vgg19_notop.weights.h5").resolve()
            assert (home / "notebooks" / "07_fast_style_transfer.ipynb").is_file(), "every notebook is copied"
            assert (home / "notebooks" / "zh_CN" / "00_setup_and_tour.ipynb").is_file(), "the Chinese edition too"
        assert _snapshot(shared_cache) == before_cache, "nobody wrote to the shared cache"
        current = _snapshot(repository_outputs) if repository_outputs.exists() else {}
        assert current == before_outputs, "the course's own notebooks/outputs/ was not touched"
    finally:
        left = hub.stop()
        stopped_cleanly = not left
    assert stopped_cleanly, f"processes left after the hub stopped: {left}"
    assert {hub.port, hub.api_port, hub.proxy_api_port} <= listening, "the hub listened where make hub said"
    assert len(listening) >= 5, f"the proxy, the hub and two learners' servers listen; found {sorted(listening)}"
    open_ports = [port for port in sorted(listening) if _port_open(port)]
    assert not open_ports, f"ports still open after the hub stopped: {open_ports}"
