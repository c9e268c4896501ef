"""Driving the shared crawl process (``python -m crawler.crawl.host``) from a test: its events
read in a thread, commands written to it, its process tree inspected."""

from __future__ import annotations

import json
import os
import queue
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import psutil

from crawler.catalog import Catalog, sqlite_url
from crawler.crawl.hostproto import HostReady, RunEnded, StartRun, StopRun, parse_event
from tests.support import PROJECT_ROOT

#: The ports these tests serve the demo site on.
PORTS = range(18100, 18200)


def free_port() -> int:
    """A free port of :data:`PORTS` on 127.0.0.1."""
    for port in PORTS:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 18100-18199")


def catalog_url(data: Path) -> str:
    data.mkdir(parents=True, exist_ok=True)
    url = sqlite_url(data / "catalog.sqlite")
    Catalog(url).dispose()  # the schema, as the run owner's catalog makes it
    return url


def run_settings(config: Path, data: Path, db_url: str, run_id: str) -> dict[str, str]:
    return {"AKHBAR_RUN_ID": run_id, "AKHBAR_CONFIG_DIR": str(config),
            "AKHBAR_DATA_DIR": str(data), "AKHBAR_DATABASE_URL": db_url, "LOG_LEVEL": "INFO"}


def crawl_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(SCRAPY_SETTINGS_MODULE="crawler.crawl.settings", PYTHONUNBUFFERED="1",
               PYTHONPATH=str(PROJECT_ROOT))
    env.pop("AKHBAR_EXTRACT_WORKERS", None)
    env.update(extra or {})
    return env


class Host:
    """A shared crawl process started for a test; ``events`` come in through a thread."""

    def __init__(self, data: Path, *, env: dict[str, str] | None = None,
                 args: list[str] | None = None) -> None:
        self.data = data
        self.stderr_path = data / "host.stderr"
        data.mkdir(parents=True, exist_ok=True)
        with self.stderr_path.open("wb") as err:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "crawler.crawl.host", *(args or [])],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err, cwd=str(data),
                env=crawl_env(env))
        self.events: queue.Queue[Any] = queue.Queue()
        self.seen: list[Any] = []
        threading.Thread(target=self._read, daemon=True).start()
        ready = self.next_event(60)
        assert isinstance(ready, HostReady), ready
        self.ready = ready

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in iter(self.process.stdout.readline, b""):
            self.events.put(parse_event(line))
        self.events.put(None)

    def next_event(self, timeout: float = 60) -> Any:
        event = self.events.get(timeout=timeout)
        if event is not None:
            self.seen.append(event)
        return event

    def send(self, command: StartRun | StopRun) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(command.to_line())
        self.process.stdin.flush()

    def start(self, run_id: str, outlet: str, settings: dict[str, str]) -> None:
        self.send(StartRun(run_id=run_id, outlet=outlet, settings=settings))

    def wait_for(self, kind: type, run_id: str | None = None, timeout: float = 60) -> Any:
        """The next event of ``kind`` (for ``run_id``), skipping others."""
        end = time.monotonic() + timeout
        while True:
            event = self.next_event(max(0.1, end - time.monotonic()))
            if event is None:
                raise AssertionError(f"the host exited before {kind.__name__} {run_id}: "
                                     + self.stderr_tail())
            if isinstance(event, kind) and (run_id is None
                                            or getattr(event, "run_id", None) == run_id):
                return event

    def ended(self, run_ids: list[str], timeout: float = 120) -> dict[str, RunEnded]:
        ended = {e.run_id: e for e in self.seen if isinstance(e, RunEnded)}
        end = time.monotonic() + timeout
        while not set(run_ids) <= set(ended):
            event = self.wait_for(RunEnded, timeout=max(0.1, end - time.monotonic()))
            ended[event.run_id] = event
        return {run_id: ended[run_id] for run_id in run_ids}

    def close_input(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()

    def children(self) -> list[psutil.Process]:
        try:
            return psutil.Process(self.process.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return []

    def stderr_tail(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")[-3000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(10)


def log_entries(data: Path, run_id: str) -> list[dict[str, Any]]:
    path = data / "runs" / f"{run_id}.log"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def stats_of(data: Path, run_id: str) -> dict[str, Any]:
    stats: dict[str, Any] = json.loads(
        (data / "runs" / f"{run_id}.stats.json").read_text(encoding="utf-8"))
    return stats
