"""No request can stall the service: with catastrophic-regex filters and large searches in
flight on a real uvicorn, /healthz keeps answering and a thread of the process (standing in
for the scheduler and the dispatcher, which share it) keeps running. With Python's
backtracking ``re`` the filter below holds the GIL for hours on a URL of 30 characters."""

from __future__ import annotations

import multiprocessing
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from crawler.api import create_app
from crawler.auth import Role
from crawler.auth.capacity import DEFAULT_SLOTS as RequestSlotsDefault
from tests.auth.support import add_user
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
