"""Running the benchmark site in its own process, and checking that it is fast enough.

The site shares the machine's cores with the crawler under test, so its CPU time is measured
separately (:meth:`SiteProcess.cpu_seconds`) and reported next to each runner.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from types import TracebackType
from typing import Self

from .measure import process_cpu
from .model import Site, SiteSpec
from .site import MARK_PATH, STATS_PATH, build

logger = logging.getLogger(__name__)


class SiteProcess:
    """``python -m bench.crawl.site`` as a child process on a free loopback port."""

    def __init__(self, spec: SiteSpec) -> None:
        self.spec = spec
        self.proc: subprocess.Popen[str] | None = None
        self.base_url = ""
        self.base_urls: list[str] = []  # one per outlet served (one here)

    def command(self) -> list[str]:
        build(self.spec)  # in this process, so that the child starts at once
        return [sys.executable, "-m", "bench.crawl.site", "--n", str(self.spec.n),
                "--seed", str(self.spec.seed), "--port", "0"]

    def start(self, timeout: float = 600) -> Self:
        self.proc = subprocess.Popen(self.command(), stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
                                     text=True)
        assert self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        line = ""
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if line.startswith("serving "):
                self.base_urls = [w.rstrip("/") for w in line.split()[1:]
                                  if w.startswith("http://")]
                self.base_url = self.base_urls[0]
                return self
            if not line and self.proc.poll() is not None:
                break
        raise RuntimeError(f"benchmark site did not start: {line!r}")

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def cpu_seconds(self) -> float:
        return process_cpu(self.pid)

    def stats(self, path: str = STATS_PATH) -> dict[str, object]:
        with urllib.request.urlopen(self.base_url + path, timeout=10) as resp:
            data: dict[str, object] = json.loads(resp.read())
        return data

    def mark(self) -> dict[str, object]:
        """The counters now; the next page request is timed as the first of a new run."""
        return self.stats(MARK_PATH)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


@dataclass
class LoadCheck:
    requests: int
    seconds: float
    megabytes: float
    server_cpu_ms_per_request: float
    gzip: bool
    connections: int

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def to_dict(self) -> dict[str, object]:
        return {"requests": self.requests, "seconds": round(self.seconds, 2),
                "requests_per_s": round(self.per_second, 1), "MB": round(self.megabytes, 1),
                "server_cpu_ms_per_request": round(self.server_cpu_ms_per_request, 3),
                "gzip": self.gzip, "connections": self.connections}


async def _client(host: str, port: int, paths: list[str], until: float, gzip: bool,
                  counts: list[int]) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    accept = "Accept-Encoding: gzip\r\n" if gzip else ""
    k = 0
    try:
        while time.monotonic() < until:
            path = paths[k % len(paths)]
            k += 1
            writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n{accept}\r\n".encode())
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await reader.readexactly(length)
            counts[0] += 1
            counts[1] += len(head) + length
    finally:
        writer.close()


def load_check(site: SiteProcess, seconds: float = 3.0, connections: int = 8,
               gzip: bool = True) -> LoadCheck:
    """Many keep-alive GETs of random pages from this process; the server's CPU per request
    says how many requests per second one core of it could serve."""
    host, port = site.base_url.removeprefix("http://").rsplit(":", 1)
    paths = Site(site.spec).html_paths()
    random.Random(0).shuffle(paths)
    counts = [0, 0]
    cpu_before = site.cpu_seconds()
    started = time.monotonic()

    async def run() -> None:
        until = time.monotonic() + seconds
        await asyncio.gather(*(_client(host, int(port), paths[k::connections], until, gzip,
                                       counts) for k in range(connections)))

    asyncio.run(run())
    elapsed = time.monotonic() - started
    cpu = site.cpu_seconds() - cpu_before
    return LoadCheck(counts[0], elapsed, counts[1] / 2**20,
                     1000 * cpu / counts[0] if counts[0] else 0.0, gzip, connections)
