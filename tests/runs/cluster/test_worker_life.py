"""A worker's own life: stopped with SIGTERM it stops its crawl gracefully and records it; a
run a dead worker took but never started goes back to the service's queue."""

from __future__ import annotations

import signal
from datetime import timedelta
from pathlib import Path

from crawler.catalog import Outlet, Run
from crawler.runs import RunBook, reap
from crawler.runs.cluster import RunDispatcher
from crawler.runs.records import now
from tests.runs.cluster.harness import Cluster
from tests.scheduler.helpers import SlowSite, make_ctx, outlet_yaml, runs_of, wait_for


def test_a_stopped_worker_stops_its_crawl_gracefully_and_records_it(
        redis_cluster: Cluster) -> None:
    with SlowSite(delay=0.5, pages=60) as site:
        redis_cluster.configure({"long_two": outlet_yaml("long_two", site.base_url)})
        ctx = redis_cluster.context()
        dispatcher = RunDispatcher(ctx)
        try:
            worker = redis_cluster.start_worker("host-s", slots=1)
            run = dispatcher.enqueue("long_two", "service")
            assert wait_for(lambda: runs_of(ctx)[0].pages >= 2, 90, 0.2, dispatcher.tick), \
                worker.text()[-3000:]
            worker.proc.send_signal(signal.SIGTERM)
            assert worker.proc.wait(90) == 0, worker.text()[-3000:]
            row = runs_of(ctx)[0]
            assert row.id == run.id and row.status == "cancelled", row.reason
            assert row.pages >= 2 and row.heartbeat_at is None
            warcs = ctx.warcs_dir / "long_two"
            assert list(warcs.rglob("*-host-s.warc.gz")) and not list(warcs.rglob("*.open"))
        finally:
            dispatcher.stop()
            ctx.close()


def test_a_run_taken_by_a_dead_worker_and_not_started_goes_back_to_the_queue(
        tmp_path: Path) -> None:
    (tmp_path / "config" / "outlets").mkdir(parents=True)
    ctx = make_ctx(tmp_path)
    try:
        book = RunBook(ctx.catalog)
        with ctx.catalog.session() as session:
            session.add(Outlet(id="alpha", name="alpha", homepage="http://127.0.0.1/",
                               updated_at=now()))
        run = book.enqueue("alpha", "schedule")
        with ctx.catalog.session() as session:
            row = session.get(Run, run.id)
            assert row is not None
            row.owner, row.heartbeat_at = "gone-host:4242", now() - timedelta(minutes=5)
        reaped = reap(ctx, book, None, adopt=False, stale_after=60)
        assert reaped.given_back == [run.id]
        back = book.get(run.id)
        assert back is not None and back.status == "queued" and back.owner is None
        # Back in the queue, it still holds the outlet: a second trigger is skipped.
        manual = book.enqueue("alpha", "manual")
        assert manual.status == "skipped" and run.id in (manual.reason or "")
    finally:
        ctx.close()
