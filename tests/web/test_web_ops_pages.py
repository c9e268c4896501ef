"""Ops' pages over the crawled demo archive and over a small service of recorded runs: the
runs history (filters, pages), a page per outlet (schedule, paused, next run in words, its
runs, funnel, chart and alerts), never-run outlets shown, the run page's funnel and log
filtered by level, the same filter in `akhbar runs log --level` and GET /runs/{id}/log; and
what the run logs hold (a line per redirect and retry, how the run ended, no settings dumps)."""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from crawler import service
from crawler.api import create_app
from crawler.catalog import Run
from crawler.context import AkhbarContext
from crawler.crawl.runlog import iter_log
from crawler.ops.funnel import funnel_key
from crawler.scheduler.service import SchedulerService
from crawler.web.present import fmt_relative
from tests.auth.support import client_as
from tests.scheduler.helpers import AKHBAR, make_ctx, manual_scheduler, outlet_yaml
from tests.web.conftest import WebArchive

#: A reason as long as real ones get (several hosts, the pages that failed).
LONG_REASON = ("no page could be fetched: connection refused by 127.0.0.1:9999 (robots.txt "
               "and 3 pages); the server did not answer at "
               + ", ".join(f"http://127.0.0.1:9999/a-rather-long-section/{i}/" for i in range(6))
               + " and http://127.0.0.1:9999/" + "%D8%A7%D8%AE%D8%A8%D8%A7%D8%B1" * 8)


@contextmanager
def recorded_service(tmp: Path) -> Iterator[SchedulerService]:
    """A service (not dispatching) over three outlets: ``busy_en`` with 60 recorded runs (the
    newest failed with LONG_REASON), ``tehran_fa`` scheduled in Asia/Tehran and paused,
    ``quiet_en`` that never ran."""
    outlets = tmp / "config" / "outlets"
    outlets.mkdir(parents=True)
    for oid, zone in (("busy_en", "UTC"), ("tehran_fa", "Asia/Tehran"), ("quiet_en", "UTC")):
        (outlets / f"{oid}.yaml").write_text(
            outlet_yaml(oid, "http://127.0.0.1:9", timezone=zone), encoding="utf-8")
    ctx = make_ctx(tmp)
    start = datetime.now(UTC) - timedelta(days=3)
    with ctx.catalog.session() as session:
        for i in range(60):
            at = start + timedelta(hours=i)
            failed = i == 59
            session.add(Run(
                id=f"20261201T{i:06d}-busy_en-{i:06x}", outlet_id="busy_en", trigger="schedule",
                status="failed" if failed else "succeeded",
                reason=LONG_REASON if failed else "finished", queued_at=at, started_at=at,
                ended_at=at + timedelta(minutes=3), pages=0 if failed else 20 + i,
                articles_new=0 if failed else i % 7, articles_unchanged=0 if failed else 10,
                errors=4 if failed else 0,
                stats={} if failed else {funnel_key("discovered/listing"): 40,
                                         funnel_key("matched"): 12, funnel_key("fetched"): 12,
                                         "akhbar/articles/new": i % 7,
                                         "akhbar/articles/unchanged": 10,
                                         "response_received_count": 20 + i}))
    svc = SchedulerService(ctx, scheduler=manual_scheduler(ctx))
    svc.start(dispatch=False)
    svc.pause("tehran_fa")
    try:
        yield svc
    finally:
        svc.stop()
        ctx.close()


def test_history_and_outlet_pages_of_recorded_runs(tmp_path: Path) -> None:
    with recorded_service(tmp_path) as svc, client_as(create_app(svc), svc.ctx) as client:
        first = client.get("/ui/runs")
        assert first.status_code == 200
        assert "Runs 1–50 of 60" in first.text and LONG_REASON in first.text
        assert 'rel="next"' in first.text and 'rel="prev"' not in first.text
        second = client.get("/ui/runs", params={"offset": 50})
        assert "Runs 51–60 of 60" in second.text and 'rel="prev"' in second.text
        assert second.text.count('<tr class="status-') == 10
        failed = client.get("/ui/runs", params={"status": "failed", "outlet": "busy_en"})
        assert "(1 matching)" in failed.text and failed.text.count('<tr class="status-') == 1
        assert "(0 matching)" in client.get("/ui/runs", params={"outlet": "quiet_en"}).text
        bad = client.get("/ui/runs", params={"status": "exploded"})
        assert bad.status_code == 422 and "is not a run status" in bad.text

        busy = client.get("/ui/outlets/busy_en")
        assert busy.status_code == 200
        assert busy.text.count('<rect class="bar') == 30  # the last 30 runs
        assert 'class="bar bad"' in busy.text  # the failed one, in red
        assert "no funnel kept by this run" in busy.text and ">40<" in busy.text
        assert re.search(r"<strong>in \d+ (min|h)</strong>", busy.text)

        tehran = client.get("/ui/outlets/tehran_fa").text
        assert 'badge warn">paused' in tehran and "This outlet has never run" in tehran
        assert client.get("/ui/outlets/nobody").status_code == 404

        dashboard = client.get("/ui/").text
        quiet = dashboard[dashboard.index('href="/ui/outlets/quiet_en"'):]
        assert "never ran" in quiet[:600]
        paused_row = dashboard[dashboard.index('href="/ui/outlets/tehran_fa"'):]
        assert "paused" in paused_row[:300]

        outlets = client.get("/ui/outlets").text
        # The next run in words, then in UTC and in the outlet's own zone (+03:30).
        row = outlets[outlets.index("<code>busy_en</code>"):]
        assert re.search(r"<strong>in \d+ (min|h)</strong>\s*<div class=\"small\">"
                         r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", row)
        svc.resume("tehran_fa")
        outlets = client.get("/ui/outlets").text
        row = outlets[outlets.index("<code>tehran_fa</code>"):]
        assert re.search(r"UTC<br>\d{4}-\d\d-\d\d \d\d:\d\d \+03:30 Asia/Tehran", row)
        assert "never ran" in row[:3000]


def test_relative_times() -> None:
    now = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
    assert fmt_relative(now + timedelta(minutes=12), now) == "in 12 min"
    assert fmt_relative(now - timedelta(hours=3), now) == "3 h ago"
    assert fmt_relative(now + timedelta(seconds=10), now) == "now"
    assert fmt_relative(now + timedelta(days=3), now) == "in 3 days"
    assert fmt_relative(None, now) == ""


def env_of(ctx: AkhbarContext) -> dict[str, str]:
    found = {k: v for k, v in os.environ.items() if not k.startswith("AKHBAR_")}
    found.update(AKHBAR_HOME=str(ctx.data_dir), AKHBAR_CONFIG=str(ctx.config_dir))
    return found


def test_run_logs_say_each_redirect_and_retry_and_how_the_run_ended(
        web_archive: WebArchive, client: TestClient) -> None:
    ctx = web_archive.ctx
    # The first crawl: the demo site's 500 that recovers answers 500 once, to it.
    run = [r for r in service.list_runs(ctx, "demo_fa") if r.status == "succeeded"][-1]
    log_file = service.run_log_file(ctx, run)
    assert log_file is not None
    entries = list(iter_log(log_file))
    events = [e.get("event") for e in entries]
    assert not any("Overridden settings" in e["msg"] or e["msg"].startswith("Enabled ")
                   or "Dumping Scrapy stats" in e["msg"] for e in entries)
    redirect = next(e for e in entries if e.get("event") == "redirect")
    assert redirect["to"] != redirect["url"] and str(redirect["status"]).startswith("30")
    assert f"{redirect['url']} -> {redirect['to']}" in redirect["msg"]
    retry = next(e for e in entries if e.get("event") == "retry")
    assert retry["attempt"] == 1 and "HTTP 500" in retry["why"]
    assert events[-1] == "run_ended" and entries[-1]["status"] == "succeeded"

    # Filtered by level: the page, the API and the CLI give the same lines.
    warnings = [e for e in entries if e["level"] in ("WARNING", "ERROR", "CRITICAL")]
    assert warnings and len(warnings) < len(entries)
    page = client.get(f"/ui/runs/{run.id}", params={"level": "warning"})
    assert page.status_code == 200
    assert page.text.count('<tr class="level-') == len(warnings)
    assert "discovered" in page.text and "feeds " in page.text  # the funnel
    api = client.get(f"/runs/{run.id}/log", params={"level": "warning"}).json()
    assert [e["msg"] for e in api["entries"]] == [e["msg"] for e in warnings]
    assert client.get(f"/runs/{run.id}/log", params={"level": "loud"}).status_code == 422
    assert client.get(f"/runs/{run.id}").json()["funnel"]["counted"] is True
    shown = subprocess.run([str(AKHBAR), "runs", "log", run.id, "--level", "warning", "--raw"],
                           env=env_of(ctx), capture_output=True, text=True, timeout=120)
    assert shown.returncode == 0, shown.stderr
    assert [json.loads(line)["msg"] for line in shown.stdout.splitlines()] == \
        [e["msg"] for e in warnings]
