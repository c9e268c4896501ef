"""The alert conditions as pure functions over facts, on a given ``now``; the store's raise
once / clear on SQLite and PostgreSQL; webhook retries; low disk in alerts and /healthz."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError

from crawler.api import create_app
from crawler.catalog import Catalog, sqlite_url
from crawler.ops.alerts import (
    AlertPolicy,
    Condition,
    DiskFacts,
    EndedRun,
    Facts,
    LiveRun,
    OutletFacts,
    evaluate,
)
from crawler.ops.funnel import RunFunnel, funnel_key
from crawler.ops.store import Alert, list_alerts, reconcile
from crawler.ops.watcher import AlertWatcher
from crawler.ops.webhook import WebhookSender, WebhookSettings
from crawler.scheduler.service import SchedulerService
from tests.auth.support import client_as
from tests.ops.support import DeadHost, Receiver
from tests.scheduler.helpers import make_ctx, manual_scheduler, wait_for

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
POLICY = AlertPolicy(no_success_after=timedelta(hours=24), stalled_after=timedelta(minutes=10),
                     disk_free_min=10**9, yield_drop=0.5, yield_window=10, yield_min_runs=3)
COUNTED = RunFunnel.from_stats({funnel_key("matched"): 5, "response_received_count": 9})


def ended(n: int, status: str = "succeeded", seen: int = 10, pages: int = 9,
          funnel: RunFunnel = COUNTED, hours_ago: float = 1.0) -> EndedRun:
    return EndedRun(f"run{n}", status, "finished" if status == "succeeded" else "boom",
                    NOW - timedelta(hours=hours_ago), pages, seen, funnel)


def outlet(*runs: EndedRun, last_success: datetime | None = NOW - timedelta(hours=1),
           running: LiveRun | None = None, yield_drop: float | None = None) -> OutletFacts:
    return OutletFacts("o", NOW - timedelta(days=30), last_success, runs, running, yield_drop)


def kinds(*outlets: OutletFacts, disk: DiskFacts | None = None,
          now: datetime = NOW) -> set[str]:
    return {c.kind for c in evaluate(Facts(now, outlets, disk), POLICY)}


def test_a_healthy_outlet_raises_nothing() -> None:
    assert kinds(outlet(ended(4), ended(3), ended(2), ended(1))) == set()


def test_failed_and_timed_out_runs_until_one_succeeds() -> None:
    assert kinds(outlet(ended(2, "failed"), ended(1))) == {"run_failed"}
    assert kinds(outlet(ended(2, "timed_out"), ended(1))) == {"run_failed"}
    assert kinds(outlet(ended(3), ended(2, "failed"))) == set()


def test_pages_fetched_but_nothing_matched_is_the_redesign_case() -> None:
    nothing = RunFunnel.from_stats({funnel_key("matched"): 0, funnel_key("discovered/listing"): 80})
    assert kinds(outlet(ended(1, seen=0, funnel=nothing))) == {"no_articles_matched"}
    # No pages at all is a failed fetch, not a redesign; a run without a funnel says nothing.
    assert kinds(outlet(ended(1, seen=0, pages=0, funnel=nothing))) == set()
    assert kinds(outlet(ended(1, seen=0, funnel=RunFunnel.from_stats({})))) == set()


def test_a_yield_drop_is_relative_to_the_median_and_settable_per_outlet() -> None:
    history = [ended(n, seen=s) for n, s in [(4, 40), (3, 100), (2, 38), (1, 42)]]
    assert kinds(outlet(ended(5, seen=19), *history)) == {"yield_drop"}  # < 0.5 x 41
    assert kinds(outlet(ended(5, seen=21), *history)) == set()
    assert kinds(outlet(ended(5, seen=19), *history, yield_drop=0.4)) == set()
    assert kinds(outlet(ended(5, seen=30), *history, yield_drop=0.9)) == {"yield_drop"}
    # Too little history to judge; failed runs are no part of the median.
    assert kinds(outlet(ended(5, seen=1), *history[:2])) == set()
    assert kinds(outlet(ended(5, seen=1), ended(9, "failed", seen=0), *history[:2])) == set()


def test_no_success_within_the_limit_including_never() -> None:
    stale = outlet(ended(1, hours_ago=30), last_success=NOW - timedelta(hours=30))
    assert kinds(stale) == {"no_success"}
    assert kinds(stale, now=NOW - timedelta(hours=7)) == set()
    never = OutletFacts("o", NOW - timedelta(hours=25))
    (cond,) = evaluate(Facts(NOW, (never,)), POLICY)
    assert cond.kind == "no_success" and "no run has ever succeeded" in cond.summary
    assert evaluate(Facts(NOW, (OutletFacts("o", NOW - timedelta(hours=2)),)), POLICY) == []


def test_a_stalled_run_says_what_it_waits_on() -> None:
    live = LiveRun("r", NOW - timedelta(hours=1), 3, NOW - timedelta(minutes=11),
                   "waiting on a politeness delay of 30s between requests")
    (cond,) = evaluate(Facts(NOW, (outlet(ended(1), running=live),)), POLICY)
    assert cond.kind == "stalled" and "politeness delay of 30s" in cond.summary
    assert "11 min" in cond.summary
    assert evaluate(Facts(NOW - timedelta(minutes=2), (outlet(ended(1), running=live),)),
                    POLICY) == []


def test_low_disk() -> None:
    assert kinds(disk=DiskFacts("/data", 5 * 10**8, 10**12)) == {"disk_low"}
    assert kinds(disk=DiskFacts("/data", 2 * 10**9, 10**12)) == set()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_store_raises_once_and_clears(backend: str, tmp_path: Path,
                                          request: pytest.FixtureRequest) -> None:
    url = (sqlite_url(tmp_path / "c.sqlite") if backend == "sqlite"
           else request.getfixturevalue("pg_url"))
    catalog = Catalog(url)
    try:
        a = Condition("run_failed", "o", "critical", "o failed")
        b = Condition("disk_low", "", "critical", "disk")
        first = reconcile(catalog, [a, b], NOW)
        assert {r.key for r in first.raised} == {"run_failed:o", "disk_low:"}
        again = reconcile(catalog, [a, b], NOW + timedelta(minutes=1))
        assert again.raised == [] and again.cleared == []
        gone = reconcile(catalog, [a], NOW + timedelta(minutes=2))
        assert [r.key for r in gone.cleared] == ["disk_low:"]
        assert {r.key for r in list_alerts(catalog, open_only=True)} == {"run_failed:o"}
        back = reconcile(catalog, [a, b], NOW + timedelta(minutes=3))  # a new condition
        assert [r.key for r in back.raised] == ["disk_low:"]
        assert len(list_alerts(catalog, kind="disk_low")) == 2
        # The database itself holds one open alert per key (two evaluators at once).
        with pytest.raises(IntegrityError), catalog.session() as session:
            session.add(Alert(key="disk_low:", kind="disk_low", subject="", severity="critical",
                              summary="again", details={}, raised_at=NOW, deliveries={}))
    finally:
        catalog.dispose()


def test_webhooks_are_retried_and_sent_once(tmp_path: Path) -> None:
    catalog = Catalog(sqlite_url(tmp_path / "c.sqlite"))
    cond = Condition("run_failed", "o", "critical", "o failed")
    with Receiver(fail_first=2) as hook, DeadHost() as dead:
        settings = WebhookSettings(urls=(hook.url, dead.base_url + "/hook"), attempts=3,
                                   backoff=0.01, timeout=5)
        sender = WebhookSender(catalog, settings, now=lambda: NOW)
        reconcile(catalog, [cond], NOW)
        report = sender.deliver()
        assert [(u, e) for _, u, e in report.sent] == [(hook.url, "raised")]
        assert hook.refused == 2 and hook.events() == {("run_failed", "o", "raised"): 1}
        assert [u for _, u, _, _ in report.failed] == [dead.base_url + "/hook"]
        sender.deliver()  # the dead URL is tried again; the live one gets nothing new
        assert hook.events() == {("run_failed", "o", "raised"): 1}
        reconcile(catalog, [], NOW + timedelta(minutes=5))
        sender.deliver()
        sender.deliver()
        assert hook.events() == {("run_failed", "o", "raised"): 1,
                                 ("run_failed", "o", "cleared"): 1}
        (stored,) = list_alerts(catalog)
        assert stored.deliveries[dead.base_url + "/hook"]["attempts"] == 2
        assert "raised" not in stored.deliveries[dead.base_url + "/hook"]
    catalog.dispose()


def test_low_disk_is_an_alert_and_fails_healthz(tmp_path: Path) -> None:
    config = tmp_path / "config"
    (config / "outlets").mkdir(parents=True)
    (config / "akhbar.yaml").write_text("alerts: {disk_free_min: 1000000TB}\n")
    ctx = make_ctx(tmp_path)
    watcher = AlertWatcher(ctx)
    (cond,) = watcher.evaluate().holding
    assert cond.kind == "disk_low" and str(ctx.data_dir) in cond.summary
    service = SchedulerService(ctx, scheduler=manual_scheduler(ctx))
    service.start(dispatch=False)
    try:
        assert wait_for(service.alerts.running, 10)
        with client_as(create_app(service), ctx) as client:
            answer = client.get("/healthz")
            assert answer.status_code == 503
            body = answer.json()
            assert body["status"] == "failing" and body["checks"]["disk"]["ok"] is False
            assert body["checks"]["database"]["ok"] and body["checks"]["scheduler"]["ok"]
            assert [a["kind"] for a in client.get("/alerts").json()] == ["disk_low"]
    finally:
        service.stop()
    ctx.close()
    (config / "akhbar.yaml").write_text("alerts: {disk_free_min: 1KB}\n")
    ctx = make_ctx(tmp_path)
    assert [r.kind for r in AlertWatcher(ctx).evaluate().changes.cleared] == ["disk_low"]
    ctx.close()
