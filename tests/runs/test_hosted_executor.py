"""The ``shared`` executor (crawler.runs.hosted.HostedExecutor): runs started, stopped and
finished through one shared crawl process, as the run owner sees them; live figures in the
catalog while a run crawls there."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.catalog import Run
from crawler.context import AkhbarContext, open_context
from crawler.demosite import DemoSite
from crawler.runs import RunBook, RunOwner
from crawler.runs.hosted import LOST, RAISED, HostedExecutor, HostedHandle
from crawler.runs.states import CANCELLED, FAILED, SUCCEEDED
from tests.crawl.host_support import free_port
from tests.scheduler.helpers import SlowSite, outlet_yaml
from tests.support import write_demo_config

DEMO = ["demo_en", "demo_ar", "demo_fa"]


def _ctx(tmp: Path) -> AkhbarContext:
    return open_context(tmp / "config", tmp / "data", env={})


def _slow_ctx(tmp: Path, site: SlowSite, outlets: list[str]) -> AkhbarContext:
    (tmp / "config" / "outlets").mkdir(parents=True)
    for oid in outlets:
        (tmp / "config" / "outlets" / f"{oid}.yaml").write_text(
            outlet_yaml(oid, site.base_url), encoding="utf-8")
    return _ctx(tmp)


@pytest.fixture
def executors() -> Iterator[list[HostedExecutor]]:
    made: list[HostedExecutor] = []
    yield made
    for executor in made:
        process = executor.process
        if process is not None and process.alive():
            process.kill("the test is over")
        executor.close(5)


def _row(ctx: AkhbarContext, run_id: str) -> Run:
    with ctx.catalog.session() as session:
        row = session.get(Run, run_id)
        assert row is not None
        return row


def test_the_owner_runs_three_outlets_in_one_shared_process(
        tmp_path: Path, executors: list[HostedExecutor]) -> None:
    with DemoSite(port=free_port()) as site:
        write_demo_config(tmp_path / "config", site.base_url, DEMO)
        ctx = _ctx(tmp_path)
        executor = HostedExecutor(ctx)
        executors.append(executor)
        owner = RunOwner(ctx, executor, serves_queue=False, max_running=3)
        runs = [owner.enqueue(outlet, "manual") for outlet in DEMO]
        owner.run_until_done([r.id for r in runs])
        process = executor.process
        assert process is not None
        owner.stop()  # nothing runs: the executor lets the shared process exit
    assert process.exit_code == 0 and not process.alive()
    rows = [_row(ctx, r.id) for r in runs]
    assert {r.status for r in rows} == {SUCCEEDED}, [(r.status, r.reason) for r in rows]
    assert {r.pid for r in rows} == {process.pid}
    for row in rows:
        assert row.pages > 0 and row.articles_new > 0 and row.bytes_received > 0
        assert row.warc_file and row.warc_file.startswith(row.outlet_id + "/")
        assert (ctx.warcs_dir / row.warc_file).exists()
    ctx.close()


def test_a_graceful_stop_ends_one_run_and_not_the_others(
        tmp_path: Path, executors: list[HostedExecutor]) -> None:
    outlets = ["slow_a", "slow_b"]
    with SlowSite(delay=0.2, pages=12) as site:
        ctx = _slow_ctx(tmp_path, site, outlets)
        executor = HostedExecutor(ctx)
        executors.append(executor)
        book = RunBook(ctx.catalog)
        runs = [book.enqueue(oid, "manual") for oid in outlets]
        handles = {h.outlet: h for h in (executor.start(run) for run in runs)}
        stopped, other = handles["slow_b"], handles["slow_a"]
        assert stopped.pid == other.pid and stopped.poll() is None
        _wait(lambda: stopped.started and any("/slow_b/a/" in hit for hit in site.hits))
        stopped.cancel_requested = True
        stopped.stop()
        assert stopped.wait(60) == 0 and stopped.reason == "shutdown"
        assert other.poll() is None  # still crawling
        assert other.wait(120) == 0 and other.reason == "finished"
        outcomes = {h.outlet: book.finish(h, h.poll()) for h in handles.values()}
    assert outcomes["slow_b"].status == CANCELLED
    assert outcomes["slow_a"].status == SUCCEEDED
    assert _row(ctx, other.run_id).pages == 13
    assert not list(ctx.warcs_dir.rglob("*.open"))
    ctx.close()


def test_a_forced_stop_kills_the_shared_process_and_every_run_in_it(
        tmp_path: Path, executors: list[HostedExecutor]) -> None:
    outlets = ["slow_a", "slow_b"]
    with SlowSite(delay=0.3, pages=40) as site:
        ctx = _slow_ctx(tmp_path, site, outlets)
        executor = HostedExecutor(ctx)
        executors.append(executor)
        book = RunBook(ctx.catalog)
        handles = [executor.start(book.enqueue(oid, "manual")) for oid in outlets]
        _wait(lambda: all(h.started for h in handles))
        first = executor.process
        assert first is not None
        handles[0].stop(force=True)
        assert [h.wait(30) for h in handles] == [LOST, LOST]
        assert not first.alive()
        outcome = book.finish(handles[1], handles[1].poll())
        assert outcome.status == FAILED and "shared crawl process" in (outcome.reason or "")
        # The next run gets a new shared process.
        again = executor.start(book.enqueue("slow_b", "manual"))
        assert again.pid != handles[1].pid
        again.stop()
        assert again.wait(60) == 0
    ctx.close()


def test_a_run_whose_outlet_vanished_fails_alone(
        tmp_path: Path, executors: list[HostedExecutor]) -> None:
    with DemoSite(port=free_port()) as site:
        write_demo_config(tmp_path / "config", site.base_url, ["demo_en", "demo_fa"])
        ctx = _ctx(tmp_path)
        executor = HostedExecutor(ctx)
        executors.append(executor)
        book = RunBook(ctx.catalog)
        good = executor.start(book.enqueue("demo_en", "manual"))
        (tmp_path / "config" / "outlets" / "demo_fa.yaml").unlink()
        bad = executor.start(book.enqueue("demo_fa", "manual"))
        assert bad.wait(60) == RAISED and good.wait(60) == 0
    failed, ok = book.finish(bad, bad.poll()), book.finish(good, good.poll())
    assert failed.status == FAILED and "demo_fa" in (failed.reason or ""), failed.reason
    assert ok.status == SUCCEEDED
    ctx.close()


def test_live_figures_reach_the_catalog_while_the_run_crawls(
        tmp_path: Path, executors: list[HostedExecutor]) -> None:
    with SlowSite(delay=0.3, pages=30) as site:
        ctx = _slow_ctx(tmp_path, site, ["slow"])
        executor = HostedExecutor(ctx)
        executors.append(executor)
        book = RunBook(ctx.catalog)
        handle: HostedHandle = executor.start(book.enqueue("slow", "manual"))
        live: Run | None = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and handle.poll() is None:
            row = _row(ctx, handle.run_id)
            if row.pages > 0 and row.progress_at is not None and row.warc_file:
                live = row
                break
            time.sleep(0.2)
        assert handle.poll() is None, "the run ended before its figures were seen"
        assert live is not None, "no live figures while the run crawled"
        assert (ctx.warcs_dir / f"{live.warc_file}.open").exists()  # being written
        handle.stop()
        assert handle.wait(60) == 0
    ctx.close()


def _wait(predicate: object, timeout: float = 60) -> None:
    assert callable(predicate)
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("timed out")
