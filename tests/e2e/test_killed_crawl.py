"""A foreground crawl whose process is killed: the run is failed, and what it wrote is a valid,
indexed WARC (cut after its last whole record)."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

from archive import iter_records, verify_file
from archive.cdxj import cdxj_lines
from crawler import service
from crawler.catalog import Run
from crawler.context import AkhbarContext, open_context
from crawler.runs import recover_warcs
from tests.scheduler.helpers import SlowSite, outlet_yaml


def _crawl_and_kill(tmp_path: Path, *, articles: int, service_yaml: str = ""
                    ) -> tuple[AkhbarContext, service.CrawlReport]:
    """Crawl the outlet ``slow`` and SIGKILL its process once ``articles`` were asked for."""
    with SlowSite(delay=0.3, pages=60) as site:
        outlets = tmp_path / "config" / "outlets"
        outlets.mkdir(parents=True)
        (outlets / "slow.yaml").write_text(outlet_yaml("slow", site.base_url), encoding="utf-8")
        if service_yaml:
            (tmp_path / "config" / "akhbar.yaml").write_text(service_yaml, encoding="utf-8")
        ctx = open_context(tmp_path / "config", tmp_path / "data", env={})
        targets, _ = service.pick_outlets(ctx, ["slow"])
        report: list[service.CrawlReport] = []
        thread = threading.Thread(target=lambda: report.append(service.crawl(ctx, targets)))
        thread.start()
        deadline = time.monotonic() + 60
        pid = None
        while time.monotonic() < deadline:
            with ctx.catalog.session() as session:
                run = session.query(Run).filter(Run.outlet_id == "slow").first()
                pid = run.pid if run is not None else None
            if pid and len([h for h in site.hits if "/a/" in h]) >= articles:
                break
            time.sleep(0.1)
        assert pid, "the crawl did not start"
        os.kill(pid, signal.SIGKILL)
        thread.join(60)
    (outcome,) = report[0].outcomes
    # A crawl process of its own reports the signal; in the shared crawl process the run
    # learns it from the process's end (its own exit code is then unknown, -1).
    assert outcome.status == "failed", outcome.reason
    assert outcome.exit_code == -9 or "exit code -9" in (outcome.reason or ""), outcome.reason
    return ctx, report[0]


def test_a_killed_crawl_leaves_valid_indexed_warcs(tmp_path: Path) -> None:
    ctx, _ = _crawl_and_kill(tmp_path, articles=8)
    root = ctx.warcs_dir / "slow"
    assert not list(root.rglob("*.open"))
    closed = list(root.rglob("*.warc.gz"))
    assert closed
    responses = 0
    for path in closed:
        assert verify_file(path) == []
        responses += sum(1 for _, _, rec in iter_records(path) if rec.rec_type == "response")
    assert responses >= 3
    index = (ctx.data_dir / "index" / "slow.cdxj").read_text(encoding="utf-8").splitlines()
    assert len([line for line in index if '"status": "200"' in line]) >= 3


def test_a_killed_crawl_that_rotated_has_all_its_files_indexed_once(tmp_path: Path) -> None:
    # ~3 KB a file: the writer rotates every exchange or two, so the crawl has closed
    # several files (indexed only when a crawl ends) besides the one it had open.
    ctx, _ = _crawl_and_kill(tmp_path, articles=10, service_yaml="warc_max_size: 3000\n")
    root = ctx.warcs_dir / "slow"
    assert not list(root.rglob("*.open"))
    closed = sorted(root.rglob("*.warc.gz"))
    assert len(closed) >= 4, closed
    captures = set()
    for path in closed:
        assert verify_file(path) == []
        rel = path.relative_to(ctx.warcs_dir).as_posix()
        captures |= {(rel, offset) for offset, _, rec in iter_records(path)
                     if rec.rec_type == "response"}
    index_file = ctx.data_dir / "index" / "slow.cdxj"
    index = index_file.read_text(encoding="utf-8")
    # Every record of every file, each once: the lines cdxj-indexer makes of all the files.
    assert index.splitlines(keepends=True) == cdxj_lines(closed, ctx.warcs_dir)
    lines = index.splitlines()
    assert len(lines) == len(set(lines)) >= 8
    assert {(line.split('"filename": "')[1].split('"')[0],
             int(line.split('"offset": "')[1].split('"')[0])) for line in lines} == captures
    # A later recovery finds nothing left to do and leaves the index as it is.
    mtime = index_file.stat().st_mtime_ns
    assert recover_warcs(ctx, "slow") == []
    assert index_file.read_text(encoding="utf-8") == index
    assert index_file.stat().st_mtime_ns == mtime
