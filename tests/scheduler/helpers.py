"""Helpers for the scheduler and API tests: a scheduler driven by hand on a fake clock, a slow
news site on 127.0.0.1, and contexts over temporary config and data directories."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from apscheduler.executors.debug import DebugExecutor
from apscheduler.schedulers.base import BaseScheduler
from sqlalchemy import select

from crawler.catalog import Run
from crawler.context import AkhbarContext, open_context
from crawler.runs import pid_alive
from crawler.scheduler.schedules import make_jobstore


class ManualScheduler(BaseScheduler):  # type: ignore[misc]
    """An APScheduler 3 scheduler with no thread of its own: :meth:`run_due` does what the
    background thread does when it wakes, with jobs run synchronously (DebugExecutor)."""

    def wakeup(self) -> None:
        pass

    def shutdown(self, wait: bool = True) -> None:
        super().shutdown(wait)

    def run_due(self) -> None:
        self._process_jobs()


def manual_scheduler(ctx: AkhbarContext) -> ManualScheduler:
    grace = int(ctx.service.misfire_grace_time.total_seconds())
    return ManualScheduler(jobstores={"default": make_jobstore(ctx)},
                           executors={"default": DebugExecutor()},
                           job_defaults={"coalesce": True, "max_instances": 1,
                                         "misfire_grace_time": grace}, timezone=UTC)


class FakeClock:
    """Stands in for ``datetime`` in APScheduler's modules: ``now()`` is what the test says."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self, tz: Any = None) -> datetime:
        return self.at.astimezone(tz) if tz else self.at

    def __getattr__(self, name: str) -> Any:
        return getattr(datetime, name)


@contextmanager
def fake_clock(monkeypatch: Any, at: datetime) -> Iterator[FakeClock]:
    import apscheduler.executors.base as executors_base
    import apscheduler.schedulers.base as schedulers_base

    clock = FakeClock(at)
    monkeypatch.setattr(schedulers_base, "datetime", clock)
    monkeypatch.setattr(executors_base, "datetime", clock)
    yield clock


def make_ctx(tmp: Path, database_url: str | None = None) -> AkhbarContext:
    env = {"AKHBAR_CONFIG": str(tmp / "config"), "AKHBAR_HOME": str(tmp / "data")}
    if database_url:
        env["AKHBAR_DATABASE_URL"] = database_url
    return open_context(env=env)


def outlet_yaml(oid: str, base_url: str, *, schedule: str = "0 */6 * * *",
                timezone: str = "UTC", max_duration: str = "10m", extra: str = "") -> str:
    return (f"id: {oid}\nname: {oid}\nhomepage: {base_url}/{oid}/\nlanguages: [en]\n"
            f'schedule: "{schedule}"\ntimezone: {timezone}\n'
            f"discovery: {{listings: [{base_url}/{oid}/]}}\n"
            f"articles: {{allow: ['/{oid}/a/']}}\n"
            f"limits: {{max_duration: {max_duration}, max_depth: 1}}\n"
            "politeness: {obey_robots: false, delay: 0, concurrency: 1}\n" + extra)


def runs_of(ctx: AkhbarContext, outlet: str | None = None) -> list[Run]:
    with ctx.catalog.session() as session:
        query = select(Run).order_by(Run.queued_at, Run.id)
        if outlet:
            query = query.where(Run.outlet_id == outlet)
        return list(session.scalars(query))


def wait_for(predicate: Callable[[], bool], timeout: float, step: float = 0.1,
             tick: Callable[[], None] | None = None) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if tick:
            tick()
        if predicate():
            return True
        time.sleep(step)
    return False


def send_html(handler: BaseHTTPRequestHandler, html: str) -> None:
    """Answer 200 with ``html``; a crawler that went away is no error."""
    body = html.encode()
    try:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)
    except OSError:
        pass


class SlowSite:
    """A news site whose listing ``/<outlet>/`` links to ``pages`` articles, each answered
    after ``delay`` seconds (``/<outlet>/a/hang-*`` hangs for ``hang`` seconds).

    With ``held_after=N`` each outlet's first N article requests are answered and the ones
    after them are held at a gate, unanswered, until the test calls :meth:`release`: a crawl
    of the site is then provably still running, however slow the machine, until the test
    lets it end. :meth:`hold` closes the gate again; :attr:`held` counts the requests
    waiting at it."""

    def __init__(self, delay: float = 1.0, pages: int = 30, hang: float = 60.0,
                 held_after: int | None = None) -> None:
        self.delay, self.pages, self.hang = delay, pages, hang
        self.stopping = threading.Event()
        self.gate = threading.Condition()
        self.held_after = held_after  # None: the gate is open
        self.answered: dict[str, int] = {}
        self.open_for: set[str] = set()
        self.held = 0
        self.hits: list[str] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - the http.server API
                site.hits.append(self.path)
                parts = self.path.strip("/").split("/")
                if len(parts) == 1 and parts[0] and parts[0] != "robots.txt":
                    oid = parts[0]
                    links = "".join(f'<a href="/{oid}/a/{"hang-" if oid.startswith("hang") else ""}'
                                    f'{i}/">story {i}</a>\n' for i in range(site.pages))
                    self._send(f"<html><head><title>{oid}</title></head><body><h1>{oid}</h1>"
                               f"{links}</body></html>")
                elif len(parts) >= 3 and parts[1] == "a":
                    wait = site.hang if parts[2].startswith("hang") else site.delay
                    site.stopping.wait(wait)
                    site._pass_gate(parts[0])
                    words = " ".join(["The archive keeps every page it fetched."] * 30)
                    self._send(f"<html><head><title>Story {parts[2]}</title></head><body>"
                               f"<article><h1>Story {parts[2]}</h1><p>{words}</p></article>"
                               "</body></html>")
                else:
                    self.send_error(404)

            def _send(self, html: str) -> None:
                send_html(self, html)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _closed(self, outlet: str) -> bool:
        return (self.held_after is not None and outlet not in self.open_for
                and self.answered.get(outlet, 0) >= self.held_after
                and not self.stopping.is_set())

    def _pass_gate(self, outlet: str) -> None:
        with self.gate:
            if self._closed(outlet):
                self.held += 1
                self.gate.wait_for(lambda: not self._closed(outlet))
                self.held -= 1
            self.answered[outlet] = self.answered.get(outlet, 0) + 1

    def hold(self, after: int) -> None:
        """Answer ``after`` more article requests of each outlet, then hold the rest."""
        with self.gate:
            self.held_after = after
            self.answered.clear()
            self.open_for.clear()

    def release(self, outlet: str | None = None) -> None:
        """Answer what is held (of ``outlet`` only, if given) and all that comes after."""
        with self.gate:
            if outlet is None:
                self.held_after = None
            else:
                self.open_for.add(outlet)
            self.gate.notify_all()

    def __enter__(self) -> SlowSite:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.release()
        self.server.shutdown()
        self.server.server_close()


def closing(data_dir: Path, run_id: str) -> bool:
    """Has the run's crawl begun to close its spider (told to stop, or done)? Its log says
    so: then a :class:`SlowSite` may answer what it held, and no new request goes out."""
    log = data_dir / "runs" / f"{run_id}.log"
    try:
        return '"Closing spider' in log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False


def release_once_closing(site: SlowSite, data_dir: Path, run_id: str,
                         outlet: str | None = None, timeout: float = 180) -> None:
    """Let the crawl of a held :class:`SlowSite` end once it was told to stop (its graceful
    close waits for the request held at the gate): all of the site, or ``outlet``'s pages."""
    assert wait_for(lambda: closing(data_dir, run_id), timeout, 0.2), f"{run_id} never closed"
    site.release(outlet)


def warc_files(ctx: AkhbarContext, outlet: str) -> tuple[list[Path], list[Path]]:
    """The closed and the still-open WARC files of an outlet."""
    root = ctx.warcs_dir / outlet
    return sorted(root.rglob("*.warc.gz")), sorted(root.rglob("*.warc.gz.open"))


def now() -> datetime:
    return datetime.now(UTC)


AKHBAR = Path(sys.executable).with_name("akhbar")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Service:
    """`akhbar serve` in a child process, with an admin token for the API and the CLI."""

    def __init__(self, tmp: Path, port: int, *args: str) -> None:
        self.port = port
        self.args = args
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("AKHBAR_")}
        self.env.update(AKHBAR_HOME=str(tmp / "data"), AKHBAR_CONFIG=str(tmp / "config"))
        self.log = tmp / "serve.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.pids: set[int] = set()

    def start(self) -> None:
        if "AKHBAR_TOKEN" not in self.env:
            added = self.cli("users", "add", "ops", "--role", "admin")
            assert added.returncode == 0, added.stderr
            self.env["AKHBAR_TOKEN"] = added.stdout.strip()
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen([str(AKHBAR), "serve", *self.args], env=self.env,
                                         stdout=out, stderr=subprocess.STDOUT)
        assert wait_for(self._up, 120, 0.1), self.log.read_text()

    def _up(self) -> bool:
        assert self.proc is not None and self.proc.poll() is None, self.log.read_text()
        try:
            self.get("/healthz")
        except OSError:
            return False
        return True

    def close(self) -> None:
        """Stop the service (if still up) and any crawl a failed check left running."""
        if self.proc is not None and self.proc.poll() is None:
            self.stop(signal.SIGKILL)
        for pid in self.pids:
            if pid_alive(pid):
                os.kill(pid, signal.SIGKILL)

    def stop(self, sig: int = signal.SIGTERM) -> int:
        assert self.proc is not None
        self.proc.send_signal(sig)
        return self.proc.wait(120)

    def get(self, path: str) -> Any:
        return self.call("GET", path)

    def call(self, method: str, path: str, body: Any = None) -> Any:
        req = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}", method=method,
            data=None if method == "GET" else json.dumps(body or {}).encode(),
            headers={"Authorization": f"Bearer {self.env['AKHBAR_TOKEN']}",
                     "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read())

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(AKHBAR), *args], env=self.env, capture_output=True,
                              text=True, timeout=120)

    def runs(self) -> dict[str, dict[str, Any]]:
        rows = self.get("/runs?limit=100")
        for row in rows:
            if row["pid"]:
                self.pids.add(row["pid"])
        return {r["id"]: r for r in rows}
