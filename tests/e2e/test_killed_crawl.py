"""A foreground crawl whose process is killed: the run is failed, and what it wrote is a valid,
indexed WARC (cut after its last whole record)."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

from archive import iter_records, verify_file
from crawler import service
from crawler.catalog import Run
from crawler.context import open_context
from tests.scheduler.helpers import SlowSite, outlet_yaml


def test_a_killed_crawl_leaves_valid_indexed_warcs(tmp_path: Path) -> None:
    with SlowSite(delay=0.3, pages=60) as site:
        outlets = tmp_path / "config" / "outlets"
        outlets.mkdir(parents=True)
        (outlets / "slow.yaml").write_text(outlet_yaml("slow", site.base_url), encoding="utf-8")
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
            if pid and len([h for h in site.hits if "/a/" in h]) >= 8:
                break
            time.sleep(0.1)
        assert pid, "the crawl did not start"
        os.kill(pid, signal.SIGKILL)
        thread.join(60)
    (outcome,) = report[0].outcomes
    assert outcome.status == "failed" and outcome.exit_code == -9, outcome.reason
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
