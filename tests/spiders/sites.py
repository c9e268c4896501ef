"""Hostile sites for crawl tests, served on 127.0.0.1 (ports 18300-18399 only)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

PORTS = range(18300, 18400)


def bind_in_range() -> socket.socket:
    """A listening socket on the first free port of :data:`PORTS`."""
    for port in PORTS:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            sock.close()
            continue
        sock.listen(64)
        return sock
    raise RuntimeError("no free port in 18300-18399")


class BlackHole:
    """Accepts connections and never answers a byte (a host that hangs)."""

    def __init__(self) -> None:
        self.sock = bind_in_range()
        self.port = self.sock.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.held: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def _accept(self) -> None:
        self.sock.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.held.append(conn)

    def __enter__(self) -> BlackHole:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)
        for conn in self.held:
            conn.close()
        self.sock.close()


Handler = Callable[[BaseHTTPRequestHandler], None]


@dataclass
class Site:
    """A threaded HTTP server whose every GET is answered by ``handle``; ``hits`` lists the
    paths asked for, with the monotonic time of each."""

    handle: Handler
    hits: list[tuple[float, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        site = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                site.hits.append((time.monotonic(), self.path))
                site.handle(self)

            def log_message(self, *args: Any) -> None:
                pass

        sock = bind_in_range()
        self.server = ThreadingHTTPServer(("127.0.0.1", sock.getsockname()[1]), _Handler,
                                          bind_and_activate=False)
        self.server.socket.close()
        self.server.socket = sock
        self.server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Site:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def reply(handler: BaseHTTPRequestHandler, status: int, body: bytes, **headers: str) -> None:
    handler.send_response(status)
    handler.send_header("Content-Length", str(len(body)))
    for name, value in headers.items():
        handler.send_header(name.replace("_", "-"), value)
    handler.end_headers()
    handler.wfile.write(body)


def outlet_file(config: Path, outlet_id: str, base_url: str, extra: str = "") -> None:
    outlets = config / "outlets"
    outlets.mkdir(parents=True, exist_ok=True)
    (outlets / f"{outlet_id}.yaml").write_text(
        f"id: {outlet_id}\nname: Test\nhomepage: {base_url}/\nlanguages: [en]\n"
        f"discovery: {{listings: [{base_url}/list/]}}\n"
        "articles: {allow: ['/a/']}\n" + extra,
        encoding="utf-8",
    )


@dataclass
class CrawlResult:
    returncode: int
    seconds: float
    log: str


def run_crawl(tmp: Path, outlet_id: str, timeout: float = 240, **settings: Any) -> CrawlResult:
    """One crawl in a child process, as the run manager starts it (crawlproc), without a
    catalog; returns how it ended, how long it took and its JSON-lines run log."""
    data = tmp / "data"
    run_id = f"test-{outlet_id}"
    values = {"AKHBAR_CONFIG_DIR": str(tmp / "config"), "AKHBAR_DATA_DIR": str(data),
              "AKHBAR_RUN_ID": run_id, "AKHBAR_EXTRACT_WORKERS": "0", "LOG_LEVEL": "INFO",
              **{k: str(v) for k, v in settings.items()}}
    cmd = [sys.executable, "-m", "crawler.crawl.crawlproc", "crawl", "outlet",
           "-a", f"outlet={outlet_id}"]
    for key, value in values.items():
        cmd += ["-s", f"{key}={value}"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("AKHBAR_")}
    env["SCRAPY_SETTINGS_MODULE"] = "crawler.crawl.settings"
    started = time.monotonic()
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout,
                          cwd=Path(__file__).resolve().parents[2])
    seconds = time.monotonic() - started
    logs = sorted((data / "runs").glob("*.log")) if (data / "runs").is_dir() else []
    log = "".join(p.read_text(encoding="utf-8") for p in logs) + done.stderr
    return CrawlResult(done.returncode, seconds, log)
