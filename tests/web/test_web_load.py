"""No request can stall the service: with catastrophic-regex filters and large searches in
flight on a real uvicorn, /healthz keeps answering and a thread of the process (standing in
for the scheduler and the dispatcher, which share it) keeps running. With Python's
backtracking ``re`` the filter below holds the GIL for hours on a URL of 30 characters. And
with every request slot held, the real scheduler fires a job and the dispatcher crawls it."""

from __future__ import annotations

import multiprocessing
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from crawler.api import create_app
from crawler.auth import Role
from crawler.auth.capacity import DEFAULT_SLOTS as RequestSlotsDefault
from crawler.scheduler.jobs import job_id
from crawler.scheduler.service import SchedulerService
from tests.auth.support import add_user
from tests.scheduler.helpers import SlowSite, make_ctx, outlet_yaml, runs_of, wait_for
from tests.web.conftest import WebArchive, serving

CATASTROPHIC = "url:((.+)+)+$x"
#: How long the service may take to answer /healthz, or let another thread run, while
#: loaded; generous for a machine whose two cores are busy, hours short of a stall.
MAX_HEALTHZ_SECONDS = 5.0
MAX_TICK_GAP_SECONDS = 2.0


class Ticker(threading.Thread):
    """Notes the largest gap between its wake-ups (every 20 ms when nothing holds it)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.stop = threading.Event()
        self.largest_gap = 0.0

    def run(self) -> None:
        last = time.monotonic()
        while not self.stop.wait(0.02):
            now = time.monotonic()
            self.largest_gap = max(self.largest_gap, now - last)
            last = now


def test_healthz_answers_while_slow_requests_run(server: str, web_archive: WebArchive,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    token = add_user(web_archive.ctx, Role.ADMIN)[1]
    headers = {"Authorization": f"Bearer {token}"}
    evil = {"url": web_archive.base_url + "/", "match": "prefix", "filter": CATASTROPHIC}
    heavy = {"text": "true", "limit": "1000"}
    ticker = Ticker()
    ticker.start()
    with httpx.Client(base_url=server, headers=headers, timeout=120) as client, \
            ThreadPoolExecutor(max_workers=12) as pool:
        started = time.monotonic()
        loads = [pool.submit(client.get, "/captures", params=evil) for _ in range(3)]
        loads += [pool.submit(client.get, "/articles", params=heavy) for _ in range(9)]
        health_times = []
        while not all(f.done() for f in loads) or len(health_times) < 3:
            t0 = time.monotonic()
            answer = client.get("/healthz", timeout=MAX_HEALTHZ_SECONDS * 4)
            health_times.append(time.monotonic() - t0)
            assert answer.status_code == 200 and answer.json()["status"] == "ok"
            assert time.monotonic() - started < 120, "the loads did not finish in 2 minutes"
        results = [f.result() for f in loads]
    ticker.stop.set()
    ticker.join()
    assert [r.status_code for r in results] == [200] * 12
    assert all(r.json() == [] for r in results[:3]), "no URL ends with x"
    assert all(len(r.json()) > 10 for r in results[3:])
    with capsys.disabled():
        print(f"\n/healthz under load: {len(health_times)} answers, slowest "
              f"{max(health_times):.3f} s; loads done in {time.monotonic() - started:.1f} s; "
              f"largest gap of another thread {ticker.largest_gap:.3f} s")
    assert max(health_times) < MAX_HEALTHZ_SECONDS, health_times
    assert ticker.largest_gap < MAX_TICK_GAP_SECONDS, ticker.largest_gap


def test_the_catastrophic_filter_would_stall_python_re(web_archive: WebArchive) -> None:
    """The control: the same filter over the same URL under Python's ``re`` with a timeout
    (in a child process, killed at the deadline) does not finish, so the test above can
    fail."""
    url = web_archive.base_url + "/demo_fa/2026/11/"
    child = multiprocessing.get_context("spawn").Process(
        target=re.search, args=(CATASTROPHIC.split(":", 1)[1], url))
    child.start()
    child.join(3)
    still_running = child.is_alive()
    child.kill()
    child.join()
    assert still_running, "Python's re finished: the load test above proves nothing"


def test_healthz_answers_when_more_requests_wait_than_there_are_threads(
        web_archive: WebArchive) -> None:
    """60 requests that hold their worker thread (more than anyio's 40): the service runs 32
    at a time, the rest wait without a thread, and /healthz still gets one."""
    app = create_app(web_archive.scheduler)
    release = threading.Event()
    inside = []
    lock = threading.Lock()

    @app.get("/test-slow")
    def slow() -> dict[str, bool]:  # a stand-in for a long export or search
        with lock:
            inside.append(1)
        return {"released": release.wait(60)}

    token = add_user(web_archive.ctx, Role.OPS)[1]
    with serving(app) as base, httpx.Client(base_url=base, timeout=90) as client, \
            ThreadPoolExecutor(max_workers=60) as pool:
        try:
            slow_calls = [pool.submit(client.get, "/test-slow") for _ in range(60)]
            deadline = time.monotonic() + 30
            while len(inside) < RequestSlotsDefault and time.monotonic() < deadline:
                time.sleep(0.02)
            assert len(inside) == RequestSlotsDefault, "the slow requests did not all start"
            health = client.get("/healthz", headers={"Authorization": f"Bearer {token}"},
                                timeout=MAX_HEALTHZ_SECONDS)
            assert health.status_code == 200
            assert len(inside) == RequestSlotsDefault, "the others wait for a slot"
        finally:
            release.set()
        assert all(f.result().json() == {"released": True} for f in slow_calls)
    assert len(inside) == 60


def test_the_scheduler_and_dispatcher_run_while_every_request_slot_is_held(
        tmp_path: Path) -> None:
    """A real service (APScheduler's thread, the dispatcher, a real crawl): with more slow
    requests in flight than the service runs at once, a scheduled job still fires, its run
    is dispatched and crawled to the end, before any slow request is let go."""
    (tmp_path / "config" / "outlets").mkdir(parents=True)
    with SlowSite(delay=0, pages=2) as site:
        (tmp_path / "config" / "outlets" / "cairo_news.yaml").write_text(
            outlet_yaml("cairo_news", site.base_url, schedule="0 0 1 1 *"))
        ctx = make_ctx(tmp_path)
        service = SchedulerService(ctx)
        service.start(dispatch=True)
        app = create_app(service)
        release = threading.Event()
        inside: list[int] = []

        @app.get("/test-slow")
        def slow() -> dict[str, bool]:  # a stand-in for a long export or search
            inside.append(1)
            return {"released": release.wait(90)}

        add_user(ctx, Role.OPS)
        try:
            with serving(app) as base, httpx.Client(base_url=base, timeout=120) as client, \
                    ThreadPoolExecutor(max_workers=RequestSlotsDefault + 8) as pool:
                held = [pool.submit(client.get, "/test-slow")
                        for _ in range(RequestSlotsDefault + 8)]
                assert wait_for(lambda: len(inside) == RequestSlotsDefault, 30)
                service.scheduler.modify_job(job_id("cairo_news"),
                                             next_run_time=datetime.now(UTC))
                ended = wait_for(lambda: any(r.status == "succeeded"
                                             for r in runs_of(ctx, "cairo_news")), 90)
                still_held = not any(f.done() for f in held)
                release.set()
                assert [f.result().status_code for f in held] == [200] * len(held)
        finally:
            release.set()
            service.stop()
            ctx.close()
    runs = runs_of(ctx, "cairo_news")
    assert ended, [(r.status, r.reason) for r in runs]
    assert still_held, "the run ended while the slow requests were still held"
    assert runs[0].trigger == "schedule" and runs[0].articles_new == 2
