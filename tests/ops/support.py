"""A webhook receiver on 127.0.0.1 (ports 18600-18699) that records every JSON POST, and a
picker of free ports in that range."""

from __future__ import annotations

import json
import random
import socket
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.scheduler.helpers import send_html

PORTS = range(18600, 18700)


def free_port() -> int:
    """A port of the range nobody listens on now, tried in random order so that two calls
    before either binds seldom pick the same (callers bind at once)."""
    for port in random.sample(PORTS, len(PORTS)):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 18600-18699")


class Receiver:
    """Records the bodies POSTed to it. ``fail_first``: answer that many requests 500 first
    (to see the sender retry)."""

    def __init__(self, fail_first: int = 0) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.refused = 0
        self.fail_first = fail_first
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802 - the http.server API
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    if receiver.refused < receiver.fail_first:
                        receiver.refused += 1
                        self.send_response(500)
                        self.end_headers()
                        return
                    receiver.bodies.append(json.loads(body))
                self.send_response(204)
                self.end_headers()

        for _ in range(5):
            try:
                self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
                break
            except OSError:  # taken between the check and the bind
                continue
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def events(self) -> Counter[tuple[str, str, str]]:
        """(kind, outlet, event) -> how many times it came."""
        with self.lock:
            return Counter((b["alert"]["kind"], b["alert"]["outlet"] or "", b["event"])
                           for b in self.bodies)

    def ids(self) -> Counter[str]:
        with self.lock:
            return Counter(b["id"] for b in self.bodies)


class DeadHost:
    """A 127.0.0.1 port held bound but never listening: every connection is refused, and no
    other process can start listening there while the test runs."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.base_url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def __enter__(self) -> DeadHost:
        return self

    def __exit__(self, *exc: object) -> None:
        self.sock.close()


class NewsSite:
    """A news site on 127.0.0.1: ``/<outlet>/`` lists ``pages`` articles ``/<outlet>/a/<i>/``,
    whose text names the site's ``edition`` (bump it and every article has changed), answered
    at once, or after ``hang`` seconds for an outlet whose id starts with "hang"."""

    def __init__(self, pages: int = 10, hang: float = 120.0) -> None:
        self.pages, self.hang, self.edition = pages, hang, 1
        self.stopping = threading.Event()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - the http.server API
                parts = self.path.strip("/").split("/")
                oid = parts[0]
                if len(parts) == 1 and oid and oid != "robots.txt":
                    links = "".join(f'<a href="/{oid}/a/{i}/">story {i}</a>\n'
                                    for i in range(site.pages))
                    self._send(f"<html><head><title>{oid}</title></head><body>{links}"
                               "</body></html>")
                elif len(parts) == 3 and parts[1] == "a":
                    if oid.startswith("hang"):
                        site.stopping.wait(site.hang)
                    words = " ".join([f"Edition {site.edition} of story {parts[2]} tells what "
                                      "the archive keeps."] * 20)
                    self._send(f"<html><head><title>Story {parts[2]}</title></head><body>"
                               f"<article><h1>Story {parts[2]}</h1><p>{words}</p></article>"
                               "</body></html>")
                else:
                    self.send_error(404)

            def _send(self, html: str) -> None:
                send_html(self, html)

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> NewsSite:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()
