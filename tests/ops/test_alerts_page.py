"""The alerts page: open alerts, cleared ones on asking, each outlet's coverage funnel; only
for roles that read runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from crawler.api import create_app
from crawler.catalog import Run
from crawler.ops.alerts import Condition
from crawler.ops.funnel import funnel_key
from crawler.ops.store import reconcile
from crawler.scheduler.service import SchedulerService
from tests.auth.support import client_as
from tests.scheduler.helpers import make_ctx, manual_scheduler, outlet_yaml


def test_the_alerts_page(tmp_path: Path) -> None:
    (tmp_path / "config" / "outlets").mkdir(parents=True)
    # Configured, so that the service's watcher (started with it) finds the condition holds.
    (tmp_path / "config" / "outlets" / "moved_en.yaml").write_text(
        outlet_yaml("moved_en", "http://127.0.0.1:9"))
    ctx = make_ctx(tmp_path)
    now = datetime.now(UTC)
    with ctx.catalog.session() as session:
        session.add(Run(id="r1", outlet_id="moved_en", trigger="manual", status="succeeded",
                        queued_at=now, started_at=now, ended_at=now, pages=28, stats={
                            funnel_key("discovered/listing"): 310, funnel_key("matched"): 0,
                            "response_received_count": 28}))
    reconcile(ctx.catalog, [
        Condition("no_articles_matched", "moved_en", "critical",
                  "moved_en: run r1 fetched 28 page(s) but no URL matched", {"run_id": "r1"}),
        Condition("disk_low", "", "critical", "0.5 GB free under /data")], now)
    reconcile(ctx.catalog, [Condition("no_articles_matched", "moved_en", "critical", "x")],
              now + timedelta(minutes=1))
    service = SchedulerService(ctx, scheduler=manual_scheduler(ctx))
    service.start(dispatch=False)
    try:
        with client_as(create_app(service), ctx) as client:
            page = client.get("/ui/alerts")
            assert page.status_code == 200
            assert "no URL matched" in page.text and 'href="/ui/runs/r1"' in page.text
            assert "0.5 GB free" not in page.text  # cleared
            assert '<td class="num bad-text">0</td>' in page.text  # matched 0 of 310
            assert ">310<" in page.text
            cleared = client.get("/ui/alerts", params={"cleared": "true", "kind": "disk_low"})
            assert "0.5 GB free" in cleared.text and "no URL matched" not in cleared.text
            assert 'href="/ui/alerts"' in client.get("/ui/").text  # in the navigation
        with client_as(create_app(service), ctx, "researcher") as client:
            assert client.get("/ui/alerts").status_code == 403
            assert client.get("/alerts").status_code == 403
    finally:
        service.stop()
        ctx.close()
