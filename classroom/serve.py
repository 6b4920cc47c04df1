#!/usr/bin/env python3
"""``make serve-kit``: the instructor's laptop as the classroom's package index, paintings mirror and book.

Serves a kit folder (``make kit``) over HTTP with Python's standard ``http.server``: the kit
already holds a PEP 503 "simple" package index (``simple/<project>/index.html``, each link with
its sha256), so pip needs nothing more than static files. Learners on the same network run::

    make lab COURSE_INDEX=http://<this laptop>:8080/simple

which makes pip install from ``/simple/``, the course copy the converted VGG19 weights from
``/cache/`` and fetch the famous paintings from ``/paintings/`` (``COURSE_PAINTINGS_URL``).
The book is at ``/book/``. Only the kit folder is served, read-only (GET and HEAD).

Each request is logged as one line (address, path, status), so the instructor sees who is installing.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import signal
import socket
import sys
from pathlib import Path

from .kit import KitError, MANIFEST, read_manifest


class KitHandler(http.server.SimpleHTTPRequestHandler):
    """Static files from the kit; one short log line per request."""

    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass

    def log_request(self, code="-", size="-"):
        status = getattr(code, "value", code)
        print(f"{self.client_address[0]} {self.command} {self.path} {status}", flush=True)


def addresses() -> list[str]:
    """This machine's addresses on the local network, best first (for the start-up message)."""
    found = []
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("10.255.255.255", 1))  # no packet is sent: it only picks the outgoing interface
            found.append(probe.getsockname()[0])
    except OSError:
        pass
    try:
        found += [info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)]
    except OSError:
        pass
    return [address for address in dict.fromkeys(found) if not address.startswith("127.")]


def make_server(kit: Path, host: str, port: int) -> http.server.ThreadingHTTPServer:
    """A threaded HTTP server for ``kit`` on ``host:port`` (not started)."""
    read_manifest(kit)
    if not (kit / "simple" / "index.html").is_file():
        raise KitError(f"{kit} has no package index (simple/index.html); build the kit again with make kit")
    handler = functools.partial(KitHandler, directory=str(kit))
    try:
        server = http.server.ThreadingHTTPServer((host, port), handler)
    except OSError as err:
        raise KitError(f"cannot listen on {host}:{port} ({err.strerror}); choose another port with PORT=...") from None
    server.daemon_threads = True
    return server


def _stop(signum, frame):
    raise KeyboardInterrupt  # SIGTERM stops the server as Ctrl+C does


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m classroom.serve", description=__doc__.split("\n\n")[0])
    parser.add_argument("--kit", type=Path, required=True)
    parser.add_argument("--host", default="0.0.0.0", help="0.0.0.0: every network of this machine")
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args(argv)
    try:
        server = make_server(args.kit.resolve(), args.host, args.port)
    except KitError as err:
        print(f"make serve-kit: {err}.", file=sys.stderr)
        return 2
    port = server.server_address[1]
    shown = [args.host] if args.host not in ("0.0.0.0", "") else (addresses() or ["<this laptop's address>"])
    print(f"Serving the classroom kit {args.kit} on {args.host}:{port} ({MANIFEST}, simple/, paintings/, book/).",
          flush=True)
    for address in shown:
        print(f"  learners: make lab COURSE_INDEX=http://{address}:{port}/simple    the book: "
              f"http://{address}:{port}/book/", flush=True)
    print("Press Ctrl+C to stop.", flush=True)
    signal.signal(signal.SIGTERM, _stop)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    print("Stopped serving the kit.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
