"""The shared crawl process (crawler.crawl.host): several runs crawled at once in one process
with one pool of extraction workers, each run keeping its own log, stats, WARC files and
catalog rows; a stop, a crash or a signal takes only what it should."""

from __future__ import annotations

import gzip
import os
import re
import signal
import time
from pathlib import Path

import psutil
import pytest
from sqlalchemy import func, select

from crawler.catalog import Capture, Catalog
from crawler.crawl.hostproto import (
    ProtocolError,
    Refused,
    RunEnded,
    RunStarted,
    StartRun,
    StopRun,
    parse_command,
    parse_event,
)
from crawler.demosite import DemoSite
from tests.crawl.host_support import (
    Host,
    catalog_url,
    free_port,
    log_entries,
    run_settings,
    stats_of,
)
from tests.scheduler.helpers import SlowSite, outlet_yaml
from tests.support import write_demo_config

DEMO = ["demo_en", "demo_ar", "demo_fa"]


# -- the protocol ---------------------------------------------------------------------------
def test_commands_and_events_are_typed_json_lines() -> None:
    start = StartRun(run_id="r1", outlet="demo_en", settings={"LOG_LEVEL": "INFO"})
    assert parse_command(start.to_line()) == start
    assert parse_command(b'{"op": "stop", "run_id": "r1"}') == StopRun(run_id="r1")
    ended = RunEnded(run_id="r1", outlet="demo_en", reason="finished")
    assert parse_event(ended.to_line()) == ended
    for bad in (b"not json", b'{"op": "pause", "run_id": "r1"}', b'{"op": "stop"}',
                b'{"op": "start", "run_id": "r1", "outlet": "x", "settings": {"A": 1}}',
                b'{"op": "stop", "run_id": "r1", "force": true}'):
        with pytest.raises(ProtocolError):
            parse_command(bad)


# -- real crawls of the demo site ------------------------------------------------------------
def test_three_runs_at_once_share_one_pool_and_keep_their_own_outputs(tmp_path: Path) -> None:
    config, data = tmp_path / "config", tmp_path / "data"
    db = catalog_url(data)
    with DemoSite(port=free_port()) as site:
        write_demo_config(config, site.base_url, DEMO)
        host = Host(data)
        try:
            workers = set(host.ready.workers)
            assert len(workers) == (os.cpu_count() or 1)
            for outlet in DEMO:
                host.start(f"run-{outlet}", outlet, run_settings(config, data, db,
                                                                 f"run-{outlet}"))
            # While they crawl, the host's only workers are its one pool's.
            seen_workers: set[int] = set()
            started: set[str] = set()
            deadline = time.monotonic() + 120
            ended: dict[str, RunEnded] = {}
            while len(ended) < len(DEMO) and time.monotonic() < deadline:
                seen_workers |= _workers_of(host)
                event = host.next_event(0.05) if not host.events.empty() else None
                if isinstance(event, RunStarted):
                    started.add(event.run_id)
                elif isinstance(event, RunEnded):
                    ended[event.run_id] = event
                time.sleep(0.02)
            assert seen_workers == workers
            host.close_input()
            assert host.process.wait(30) == 0
        finally:
            host.stop()
    assert started == set(ended) == {f"run-{o}" for o in DEMO}
    assert all(e.reason == "finished" and e.error is None for e in ended.values()), ended
    catalog = Catalog(db)
    try:
        for outlet in DEMO:
            _check_own_outputs(data, catalog, outlet, f"run-{outlet}")
    finally:
        catalog.dispose()
    assert not any(psutil.pid_exists(pid) and psutil.Process(pid).status() != "zombie"
                   for pid in workers)


def _workers_of(host: Host) -> set[int]:
    """The host's worker processes (multiprocessing's resource tracker is not one)."""
    found = set()
    for proc in host.children():
        try:
            if "spawn_main" in " ".join(proc.cmdline()):
                found.add(proc.pid)
        except psutil.Error:
            continue
    return found


def _check_own_outputs(data: Path, catalog: Catalog, outlet: str, run_id: str) -> None:
    entries = log_entries(data, run_id)
    assert entries and all(e["run_id"] == run_id and e["outlet"] == outlet for e in entries)
    # Every URL its log names is one of its outlet's pages (or the site's robots.txt).
    urls = {e["url"] for e in entries if e.get("url")}
    assert urls and all(f"/{outlet}/" in u or u.endswith("/robots.txt") for u in urls), urls
    events = [e.get("event") for e in entries]
    assert events.count("finished") == 1 and "article" in events
    stats = stats_of(data, run_id)
    assert stats["finish_reason"] == "finished"
    assert stats["response_received_count"] == events.count("fetched")
    assert stats["akhbar/articles/new"] == sum(
        1 for e in entries if e.get("event") == "article" and e.get("outcome") == "new")
    # Its log counts are its own records', not the process's: no more than its stderr (which
    # has its every record, from before Scrapy counts them), no fewer than its JSON log.
    stderr = (data / "runs" / f"{run_id}.stderr").read_text(encoding="utf-8")
    for level in ("WARNING", "ERROR"):
        printed = len(re.findall(rf"^\S+ \S+ \[[^\]]+\] {level}: ", stderr, re.M))
        logged = sum(1 for e in entries if e["level"] == level)
        assert logged <= stats.get(f"log_count/{level}", 0) <= printed, (level, stats)
    # Its WARC files: closed, in its outlet's directory, naming its run.
    root = data / "warcs" / outlet
    assert not list(root.rglob("*.open"))
    warcs = list(root.rglob("*.warc.gz"))
    assert warcs
    for path in warcs:
        with gzip.open(path, "rb") as fh:
            assert f"run-id: {run_id}".encode() in fh.read(4000)
    with catalog.session() as session:
        rows = session.execute(select(Capture.outlet_id, func.count()).where(
            Capture.run_id == run_id).group_by(Capture.outlet_id)).all()
    assert [outlet for outlet, _ in rows] == [outlet] and rows[0][1] > 0


def _slow_config(config: Path, base_url: str, outlets: list[str]) -> None:
    (config / "outlets").mkdir(parents=True, exist_ok=True)
    for oid in outlets:
        (config / "outlets" / f"{oid}.yaml").write_text(outlet_yaml(oid, base_url),
                                                       encoding="utf-8")


def _articles_fetched(site: SlowSite, outlet: str) -> int:
    return sum(1 for hit in list(site.hits) if hit.startswith(f"/{outlet}/a/"))


def test_a_stop_closes_one_run_and_leaves_the_others_to_their_end(tmp_path: Path) -> None:
    config, data = tmp_path / "config", tmp_path / "data"
    db = catalog_url(data)
    outlets = ["slow_a", "slow_b", "slow_c"]
    with SlowSite(delay=0.15, pages=14) as site:
        _slow_config(config, site.base_url, outlets)
        host = Host(data)
        try:
            for oid in outlets:
                host.start(f"run-{oid}", oid, run_settings(config, data, db, f"run-{oid}"))
            for oid in outlets:
                host.wait_for(RunStarted, f"run-{oid}")
            deadline = time.monotonic() + 30
            while _articles_fetched(site, "slow_b") < 3 and time.monotonic() < deadline:
                time.sleep(0.05)
            host.send(StopRun(run_id="run-slow_b"))
            stopped = host.wait_for(RunEnded, "run-slow_b")
            assert stopped.reason == "shutdown" and stopped.error is None
            # The stopped run's pipeline leaves the pool (not its own) to the others.
            assert host.process.poll() is None
            assert _workers_of(host) == set(host.ready.workers)
            others = host.ended(["run-slow_a", "run-slow_c"])
            host.close_input()
            assert host.process.wait(30) == 0
        finally:
            host.stop()
    for oid in ("slow_a", "slow_c"):
        assert others[f"run-{oid}"].reason == "finished"
        # Every page (the listing and its 14 stories), every story extracted.
        stats = stats_of(data, f"run-{oid}")
        assert stats["response_received_count"] == 15 and stats["akhbar/articles/new"] == 14
    stats = stats_of(data, "run-slow_b")
    assert stats["finish_reason"] == "shutdown" and stats["response_received_count"] < 15
    assert not list((data / "warcs").rglob("*.open"))
    assert list((data / "warcs" / "slow_b").rglob("*.warc.gz"))


def test_a_run_that_raises_ends_alone(tmp_path: Path) -> None:
    config, data = tmp_path / "config", tmp_path / "data"
    db = catalog_url(data)
    with DemoSite(port=free_port()) as site:
        write_demo_config(config, site.base_url, ["demo_en", "demo_fa"])
        host = Host(data)
        try:
            host.start("run-en", "demo_en", run_settings(config, data, db, "run-en"))
            # demo_fa's file vanishes between the queueing of its run and its start.
            (config / "outlets" / "demo_fa.yaml").unlink()
            host.start("run-fa", "demo_fa", run_settings(config, data, db, "run-fa"))
            host.send(StartRun(run_id="run-en", outlet="demo_en"))  # already running here
            refused = host.wait_for(Refused)
            ended = host.ended(["run-en", "run-fa"])
            host.close_input()
            assert host.process.wait(30) == 0
        finally:
            host.stop()
    assert refused.run_id == "run-en" and "already running" in refused.error
    assert ended["run-fa"].error is not None and "demo_fa" in ended["run-fa"].error
    assert ended["run-en"].reason == "finished" and ended["run-en"].error is None
    # The failed run's own stderr tells why; the host's does not hold the other run's lines.
    assert "ConfigError" in (data / "runs" / "run-fa.stderr").read_text(encoding="utf-8")
    assert "Spider opened" in (data / "runs" / "run-en.stderr").read_text(encoding="utf-8")
    assert "Spider opened" not in host.stderr_path.read_text(encoding="utf-8")
    assert stats_of(data, "run-en")["akhbar/articles/new"] > 0


def test_the_host_exits_when_its_input_closes(tmp_path: Path) -> None:
    host = Host(tmp_path / "data", args=["--workers", "1"])
    try:
        (worker,) = host.ready.workers
        host.close_input()
        assert host.process.wait(30) == 0
    finally:
        host.stop()
    assert not psutil.pid_exists(worker) or psutil.Process(worker).status() == "zombie"
    assert host.events.get(timeout=5) is None  # nothing more was said


def test_sigterm_stops_every_run_gracefully(tmp_path: Path) -> None:
    config, data = tmp_path / "config", tmp_path / "data"
    db = catalog_url(data)
    outlets = ["slow_a", "slow_b"]
    with SlowSite(delay=0.3, pages=40) as site:
        _slow_config(config, site.base_url, outlets)
        host = Host(data, args=["--workers", "1"])
        try:
            for oid in outlets:
                host.start(f"run-{oid}", oid, run_settings(config, data, db, f"run-{oid}"))
            for oid in outlets:
                host.wait_for(RunStarted, f"run-{oid}")
            deadline = time.monotonic() + 30
            while min(_articles_fetched(site, o) for o in outlets) < 2 and \
                    time.monotonic() < deadline:
                time.sleep(0.05)
            host.process.send_signal(signal.SIGTERM)
            ended = host.ended([f"run-{o}" for o in outlets])
            assert host.process.wait(30) == 0  # its input is still open: the signal ended it
        finally:
            host.stop()
    for oid in outlets:
        assert ended[f"run-{oid}"].reason == "shutdown"
        assert stats_of(data, f"run-{oid}")["finish_reason"] == "shutdown"
        assert list((data / "warcs" / oid).rglob("*.warc.gz"))
    assert not list((data / "warcs").rglob("*.open"))


def test_a_run_ends_even_when_its_files_cannot_be_closed() -> None:
    """A full disk refuses the last lines of a run's stderr: the run still ends (its owner
    would otherwise wait for ever, and the process would never exit)."""
    import io
    import logging
    import threading
    from contextvars import Context
    from types import SimpleNamespace
    from typing import Any, cast

    from crawler.crawl.hostruns import Host as SharedHost
    from crawler.crawl.hostruns import HostedRun

    class FullDisk(logging.Handler):
        def close(self) -> None:
            raise OSError(28, "No space left on device")

    events = io.BytesIO()
    host = SharedHost.__new__(SharedHost)
    host.events, host.runs, host.input_closed, host.shutting_down = events, {}, False, False
    host._events_lock, host._events_open = threading.Lock(), True
    crawler = cast(Any, SimpleNamespace())  # no stats, no extensions: it never opened
    run = HostedRun("r1", "demo_en", crawler, Context(), FullDisk(), lambda _run: None)
    host.runs["r1"] = run
    host._ended(None, run)
    assert parse_event(events.getvalue()) == RunEnded(run_id="r1", outlet="demo_en")
    assert not host.runs
