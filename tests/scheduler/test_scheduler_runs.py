"""The dispatcher with real `scrapy crawl` child processes: the concurrency cap, the overlap
rule, runs stopped at max_duration or by a cancel (their WARC files closed and valid), and
runs left behind by a service that went away."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest

from archive import iter_records, verify_file
from crawler.catalog import Run
from crawler.catalog.outlets import sync_outlets
from crawler.context import AkhbarContext
from crawler.crawl.extensions import run_paths
from crawler.demosite import DemoSite
from crawler.outlets import load_outlets
from crawler.runs import (
    CommandFor,
    OwnerTimings,
    ProcessExecutor,
    RunBook,
    RunOwner,
    crawl_command,
    this_host,
)
from crawler.scheduler.service import SchedulerService
from tests.scheduler.helpers import (
    SlowSite,
    manual_scheduler,
    outlet_yaml,
    runs_of,
    wait_for,
    warc_files,
)
from tests.support import write_demo_config


@pytest.fixture(scope="module")
def demo_site() -> Iterator[DemoSite]:
    with DemoSite(port=0) as site:
        yield site


@pytest.fixture
def slow_site() -> Iterator[SlowSite]:
    with SlowSite(delay=0.7, pages=40, hang=60) as site:
        yield site


def dispatcher_for(ctx: AkhbarContext, max_running: int | None = None,
                   command: CommandFor = crawl_command,
                   clock: Callable[[], float] = time.monotonic, **kw: float) -> RunOwner:
    """The service's run owner, driven by the test's own ticks."""
    outlets = load_outlets(ctx.config_dir)
    assert outlets.ok, outlets.errors
    sync_outlets(ctx.catalog, outlets.outlets.values())
    owner = RunOwner(ctx, ProcessExecutor(ctx, detach=True, command=command),
                     serves_queue=True, max_running=max_running,
                     timings=OwnerTimings(poll_interval=0.1, **kw), clock=clock)
    owner.set_outlets(outlets.outlets)
    return owner


def enqueue_run(ctx: AkhbarContext, outlet: str, trigger: str):  # type: ignore[no-untyped-def]
    return RunBook(ctx.catalog).enqueue(outlet, trigger)


def request_cancel(ctx: AkhbarContext, run_id: str):  # type: ignore[no-untyped-def]
    return RunBook(ctx.catalog).request_cancel(run_id)


def assert_warcs_valid(ctx: AkhbarContext, outlet: str) -> int:
    closed, still_open = warc_files(ctx, outlet)
    assert closed and not still_open
    responses = 0
    for path in closed:
        assert verify_file(path) == [], path
        responses += sum(1 for _, _, rec in iter_records(path) if rec.rec_type == "response")
    return responses


def fetched(ctx: AkhbarContext, run_id: str) -> int:
    log, _ = run_paths(ctx.data_dir, run_id)
    if not log.exists():
        return 0
    return sum('"event": "fetched"' in line for line in log.read_text().splitlines())


def test_the_cap_holds_with_more_due_outlets_than_slots(ctx: AkhbarContext,
                                                       demo_site: DemoSite) -> None:
    write_demo_config(ctx.config_dir, demo_site.base_url, ["demo_en", "demo_fa", "demo_ar"])
    disp = dispatcher_for(ctx, max_running=2)
    for oid in ("demo_en", "demo_fa", "demo_ar"):
        assert enqueue_run(ctx, oid, "schedule").status == "queued"
    most_running, saw_waiting = 0, False

    def observe() -> None:
        nonlocal most_running, saw_waiting
        disp.tick()
        states = [r.status for r in runs_of(ctx)]
        most_running = max(most_running, states.count("running"))
        saw_waiting |= states.count("running") == 2 and "queued" in states
        # a trigger while demo_en has a run is refused, and says why
        if len(runs_of(ctx, "demo_en")) == 1:
            again = enqueue_run(ctx, "demo_en", "schedule")
            assert again.status == "skipped" and "still" in (again.reason or "")

    assert wait_for(lambda: disp.idle() and not any(
        r.status == "queued" for r in runs_of(ctx)), 240, 0.1, observe)
    assert most_running == 2 and saw_waiting
    real = [r for r in runs_of(ctx) if r.status != "skipped"]
    assert sorted(r.outlet_id for r in real) == ["demo_ar", "demo_en", "demo_fa"]
    assert all(r.status == "succeeded" and r.exit_code == 0 for r in real), [
        (r.outlet_id, r.status, r.reason) for r in real]
    assert [r.status for r in runs_of(ctx, "demo_en")] == ["succeeded", "skipped"]


def test_a_run_past_max_duration_stops_itself_and_its_warc_is_closed(
        ctx: AkhbarContext, slow_site: SlowSite) -> None:
    # 40 pages of 0.7 s each: far more than its max_duration of 3 s allows. The promise is
    # that a run ends within max_duration + 30 s whatever it waits on; the owner's own bound
    # here is that too (overrun_grace + kill_after), but the crawl stops itself first.
    (ctx.config_dir / "outlets" / "slow.yaml").write_text(
        outlet_yaml("slow", slow_site.base_url, max_duration="3s"), encoding="utf-8")
    disp = dispatcher_for(ctx, overrun_grace=25, kill_after=5)
    run = enqueue_run(ctx, "slow", "schedule")
    assert wait_for(lambda: disp.idle() and bool(disp.outcomes), 180, 0.1, disp.tick)
    (done,) = runs_of(ctx, "slow")
    assert done.id == run.id and done.status == "timed_out", done.reason
    assert done.reason == "stopped at the outlet's max_duration"  # by itself, not its owner
    assert done.exit_code == 0 and done.ended_at and done.started_at
    assert (done.ended_at - done.started_at) < timedelta(seconds=3 + 30)
    assert 0 < assert_warcs_valid(ctx, "slow") < 40


def test_a_stuck_run_is_stopped_then_killed_and_its_warc_closed(
        ctx: AkhbarContext, slow_site: SlowSite) -> None:
    # The owner's clock is the test's: it passes the deadline only once the crawl has
    # archived its listing page and is stuck in the download that hangs (a busy machine
    # cannot make it miss that moment).
    (ctx.config_dir / "outlets" / "hang.yaml").write_text(
        outlet_yaml("hang", slow_site.base_url, max_duration="10m"), encoding="utf-8")
    now = [0.0]
    disp = dispatcher_for(ctx, overrun_grace=0.5, kill_after=1.5, clock=lambda: now[0])
    run = enqueue_run(ctx, "hang", "schedule")
    assert wait_for(lambda: fetched(ctx, run.id) >= 1 and any(
        "/a/hang-" in hit for hit in slow_site.hits), 180, 0.1, disp.tick)
    now[0] += 601  # past max_duration + overrun_grace: a graceful stop is sent
    disp.tick()
    now[0] += 2  # past kill_after: the crawl, still waiting on its download, is killed
    assert wait_for(lambda: disp.idle() and bool(disp.outcomes), 120, 0.1, disp.tick)
    (done,) = runs_of(ctx, "hang")
    assert done.status == "timed_out" and "stopped by its owner" in (done.reason or "")
    assert done.exit_code == -9
    assert assert_warcs_valid(ctx, "hang") >= 1  # the listing page, archived before the hang


# A crawl that ignores SIGINT, after writing one whole WARC record and half of another.
DEAF_CRAWL = """
import io, signal, sys, time
from pathlib import Path
from warcio.warcwriter import WARCWriter
signal.signal(signal.SIGINT, signal.SIG_IGN)
path = Path(sys.argv[1])
path.parent.mkdir(parents=True, exist_ok=True)
with path.open("wb") as fh:
    writer = WARCWriter(fh, gzip=True, warc_version="WARC/1.1")
    writer.write_record(writer.create_warcinfo_record(path.name[:-5], {"software": "test"}))
    fh.write(b"\\x1f\\x8b\\x08\\x00half a record")
    fh.flush()
    time.sleep(60)
"""


def test_a_crawl_deaf_to_sigint_is_killed_and_its_open_warc_closed(
        ctx: AkhbarContext) -> None:
    (ctx.config_dir / "outlets" / "deaf.yaml").write_text(
        outlet_yaml("deaf", "http://127.0.0.1:9", max_duration="1s"), encoding="utf-8")
    open_warc = ctx.warcs_dir / "deaf" / "2026" / "01" / "deaf-1.warc.gz.open"
    disp = dispatcher_for(ctx, overrun_grace=0.2, kill_after=0.5,
                          command=lambda _ctx, _outlet, run_id: [
                              sys.executable, "-c", DEAF_CRAWL, str(open_warc), run_id])
    enqueue_run(ctx, "deaf", "schedule")
    assert wait_for(lambda: disp.idle() and bool(disp.outcomes), 120, 0.1, disp.tick)
    (done,) = runs_of(ctx, "deaf")
    assert done.status == "timed_out" and done.exit_code == -9, (done.status, done.reason)
    assert not open_warc.exists()
    assert assert_warcs_valid(ctx, "deaf") == 0  # closed after its one whole record
    (closed,) = warc_files(ctx, "deaf")[0]
    assert [rec.rec_type for _, _, rec in iter_records(closed)] == ["warcinfo"]


def test_a_cancelled_run_stops_gracefully_and_leaves_a_valid_warc(
        ctx: AkhbarContext, slow_site: SlowSite) -> None:
    (ctx.config_dir / "outlets" / "slow.yaml").write_text(
        outlet_yaml("slow", slow_site.base_url, max_duration="10m"), encoding="utf-8")
    disp = dispatcher_for(ctx, kill_after=20)
    run = enqueue_run(ctx, "slow", "service")
    assert wait_for(lambda: fetched(ctx, run.id) >= 3, 180, 0.1, disp.tick)
    assert request_cancel(ctx, run.id).status == "running"
    assert wait_for(disp.idle, 120, 0.1, disp.tick)
    (done,) = runs_of(ctx, "slow")
    assert done.status == "cancelled" and done.exit_code == 0, done.reason
    assert done.cancel_requested_at is not None
    assert 3 <= assert_warcs_valid(ctx, "slow") < 40


def test_cancelling_a_queued_run_means_it_never_starts(ctx: AkhbarContext) -> None:
    (ctx.config_dir / "outlets" / "never.yaml").write_text(
        outlet_yaml("never", "http://127.0.0.1:9"), encoding="utf-8")
    disp = dispatcher_for(ctx)
    run = enqueue_run(ctx, "never", "service")
    assert request_cancel(ctx, run.id).status == "cancelled"
    disp.tick()
    assert disp.idle() and [r.status for r in runs_of(ctx)] == ["cancelled"]


def _running_row(ctx: AkhbarContext, outlet: str, run_id: str, pid: int) -> None:
    with ctx.catalog.session() as session:
        session.add(Run(id=run_id, outlet_id=outlet, trigger="schedule", status="running",
                        queued_at=datetime.now(UTC), started_at=datetime.now(UTC), pid=pid,
                        host=this_host(), stats={}))


def test_on_start_a_dead_run_is_failed_and_a_live_one_adopted_never_restarted(
        ctx: AkhbarContext) -> None:
    (ctx.config_dir / "outlets" / "kept.yaml").write_text(
        outlet_yaml("kept", "http://127.0.0.1:9"), encoding="utf-8")
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    _running_row(ctx, "kept", "20260101T000000-kept-dead00", gone.pid)
    # A crawl that outlived the previous service: its command line names its run id.
    live_id = "20260101T000001-kept-live00"
    _, stats_path = run_paths(ctx.data_dir, live_id)
    stats_path.parent.mkdir(parents=True, exist_ok=True)
    child = subprocess.Popen([sys.executable, "-c", "import sys, time; time.sleep(1.5); "
                              "open(sys.argv[2], 'w').write(sys.argv[3])", live_id,
                              str(stats_path), json.dumps({"finish_reason": "finished",
                                                           "response_received_count": 4})])
    _running_row(ctx, "kept", live_id, child.pid)
    svc = SchedulerService(ctx, scheduler=manual_scheduler(ctx), runs=RunOwner(
        ctx, ProcessExecutor(ctx, detach=True), serves_queue=True,
        timings=OwnerTimings(poll_interval=0.1)))
    svc.start()
    try:
        dead = {r.id: r for r in runs_of(ctx)}["20260101T000000-kept-dead00"]
        assert dead.status == "failed"
        assert "without a record of how (killed or crashed)" in (dead.reason or "")
        assert list(svc.runs.running) == [live_id]
        assert svc.run_now("kept").status == "skipped"  # still its run: no second one
        assert wait_for(lambda: {r.id: r for r in runs_of(ctx)}[live_id].status
                        != "running", 60)
    finally:
        svc.stop()
        child.wait()
    live = {r.id: r for r in runs_of(ctx)}[live_id]
    assert live.status == "succeeded" and live.pages == 4 and live.pid == child.pid
    assert not [r for r in runs_of(ctx) if r.status in ("queued", "running")]
