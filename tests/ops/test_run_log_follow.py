"""`akhbar runs log --follow` follows a live run: it prints each fetch while the run is still
running, then the line saying how the run ended, and exits by itself."""

from __future__ import annotations

import json
import os
import subprocess
import threading
from pathlib import Path

from crawler import service
from crawler.catalog import Run
from crawler.context import open_context
from crawler.crawl.runlog import iter_log
from tests.scheduler.helpers import AKHBAR, SlowSite, outlet_yaml, runs_of, wait_for


def test_runs_log_follow_prints_a_live_run_until_it_ends(tmp_path: Path) -> None:
    with SlowSite(delay=1.0, pages=6) as site:
        (tmp_path / "config" / "outlets").mkdir(parents=True)
        (tmp_path / "config" / "outlets" / "slow_en.yaml").write_text(
            outlet_yaml("slow_en", site.base_url), encoding="utf-8")
        ctx = open_context(tmp_path / "config", tmp_path / "data", env={})
        targets, _ = service.pick_outlets(ctx, ["slow_en"])
        reports: list[service.CrawlReport] = []
        crawl = threading.Thread(target=lambda: reports.append(service.crawl(ctx, targets)))
        crawl.start()
        try:
            assert wait_for(lambda: any(r.status == "running" for r in runs_of(ctx)), 60)
            (run,) = runs_of(ctx)
            env = {k: v for k, v in os.environ.items() if not k.startswith("AKHBAR_")}
            env.update(AKHBAR_HOME=str(ctx.data_dir), AKHBAR_CONFIG=str(ctx.config_dir))
            follow = subprocess.Popen([str(AKHBAR), "runs", "log", run.id, "--follow", "--raw"],
                                      env=env, stdout=subprocess.PIPE, text=True)
            assert follow.stdout is not None
            lines: list[dict[str, object]] = []
            status_at_first_fetch = None
            for raw in follow.stdout:
                lines.append(json.loads(raw))
                if lines[-1].get("event") == "fetched" and status_at_first_fetch is None:
                    with ctx.catalog.session() as session:
                        row = session.get(Run, run.id)
                        status_at_first_fetch = row.status if row else None
            assert follow.wait(60) == 0
        finally:
            crawl.join(120)
        assert reports and reports[0].ok
        assert status_at_first_fetch == "running", "the first fetch was printed while it ran"
        assert lines[-1]["event"] == "run_ended" and lines[-1]["status"] == "succeeded"
        log_file = service.run_log_file(ctx, runs_of(ctx)[0])
        assert log_file is not None
        assert [e["msg"] for e in lines] == [e["msg"] for e in iter_log(log_file)]
        assert sum(1 for e in lines if e.get("event") == "fetched") == 7  # listing + 6
        ctx.close()
