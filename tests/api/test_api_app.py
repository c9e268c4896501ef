"""The HTTP API over a service whose dispatcher is not started: routes call the service and
answer with JSON; mistakes get a status and a message saying what to do."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from crawler.api import create_app
from crawler.errors import RunNotFound
from crawler.scheduler.service import SchedulerService
from tests.auth.support import client_as
from tests.scheduler.helpers import make_ctx, manual_scheduler, outlet_yaml

BASE = "http://127.0.0.1:9"


def _client(tmp_path: Path, database_url: str | None) -> Iterator[TestClient]:
    _write_config(tmp_path)
    ctx = make_ctx(tmp_path, database_url)
    service = SchedulerService(ctx, scheduler=manual_scheduler(ctx))
    service.start(dispatch=False)
    try:
        with client_as(create_app(service), ctx) as client:
            yield client
    finally:
        service.stop()
        ctx.close()


def _write_config(tmp_path: Path) -> None:
    outlets = tmp_path / "config" / "outlets"
    outlets.mkdir(parents=True)
    (tmp_path / "config" / "akhbar.yaml").write_text("max_concurrent_crawls: 3\n")
    (outlets / "tehran_daily.yaml").write_text(
        outlet_yaml("tehran_daily", BASE, schedule="30 5 * * *", timezone="Asia/Tehran"))
    (outlets / "cairo_news.yaml").write_text(outlet_yaml("cairo_news", BASE, schedule="0 * * * *"))


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    yield from _client(tmp_path, None)


@pytest.fixture
def pg_client(tmp_path: Path, pg_url: str) -> Iterator[TestClient]:
    yield from _client(tmp_path, pg_url)


def test_health_outlets_and_schedules(client: TestClient) -> None:
    health = client.get("/healthz").json()
    assert health["status"] == "ok" and health["jobs"] == 2
    assert health["max_concurrent_crawls"] == 3
    assert [o["id"] for o in client.get("/outlets").json()["outlets"]] == [
        "cairo_news", "tehran_daily"]
    schedules = {s["outlet"]: s for s in client.get("/schedules").json()}
    tehran = schedules["tehran_daily"]
    assert tehran["cron"] == "30 5 * * *" and tehran["timezone"] == "Asia/Tehran"
    assert tehran["next_run_time"].endswith("+03:30") and not tehran["paused"]


def test_pause_resume_and_unknown_schedule(client: TestClient) -> None:
    assert client.post("/schedules/cairo_news/pause").json() == {"outlet": "cairo_news",
                                                                 "paused": True}
    schedules = {s["outlet"]: s for s in client.get("/schedules").json()}
    assert schedules["cairo_news"]["paused"] and schedules["cairo_news"]["next_run_time"] is None
    assert client.post("/schedules/cairo_news/resume").status_code == 200
    assert client.get("/schedules").json()[0]["next_run_time"] is not None
    for action in ("pause", "resume"):
        missing = client.post(f"/schedules/nowhere/{action}")
        assert missing.status_code == 404 and "has no schedule" in missing.json()["detail"]
    missing = client.post("/runs/no-such-run/cancel")
    assert missing.status_code == 404 and "no run 'no-such-run'" in missing.json()["detail"]


def test_the_scheduler_itself_refuses_what_does_not_exist(tmp_path: Path) -> None:
    """The checks live in the service layer the CLI, the API and the pages share, not in a
    route: the scheduler service says what is missing, in words for either."""
    _write_config(tmp_path)
    ctx = make_ctx(tmp_path)
    service = SchedulerService(ctx, scheduler=manual_scheduler(ctx))
    service.start(dispatch=False)
    try:
        for act in (service.pause, service.resume):
            with pytest.raises(RunNotFound, match="no schedule.*akhbar schedule list.*GET /sch"):
                act("nowhere")
        with pytest.raises(RunNotFound, match="no run 'gone'.*akhbar runs list.*GET /runs"):
            service.cancel("gone")
    finally:
        service.stop()
        ctx.close()


def test_reload_reports_a_bad_file_and_keeps_its_schedule(client: TestClient,
                                                          tmp_path: Path) -> None:
    (tmp_path / "config" / "outlets" / "cairo_news.yaml").write_text("id: cairo_news\nname: [")
    report = client.post("/schedules/reload").json()
    assert report["kept"] == ["crawl:cairo_news"] and report["unchanged"] == [
        "crawl:tehran_daily"]
    assert len(report["errors"]) == 1 and "cairo_news.yaml" in report["errors"][0]
    assert {s["outlet"] for s in client.get("/schedules").json()} == {"cairo_news",
                                                                      "tehran_daily"}


def _run_flow(client: TestClient) -> None:
    made = client.post("/runs", json={"outlet": "cairo_news"})
    assert made.status_code == 201
    run = made.json()
    assert run["status"] == "queued" and run["trigger"] == "service"
    second = client.post("/runs", json={"outlet": "cairo_news"}).json()
    assert second["status"] == "skipped" and run["id"] in second["reason"]
    listed = client.get("/runs", params={"outlet": "cairo_news"}).json()
    assert {r["id"] for r in listed} == {run["id"], second["id"]}
    assert client.get(f"/runs/{run['id']}").json()["status"] == "queued"
    cancelled = client.post(f"/runs/{run['id']}/cancel").json()
    assert cancelled["status"] == "cancelled" and cancelled["cancel_requested_at"]
    again = client.post(f"/runs/{run['id']}/cancel")
    assert again.status_code == 409 and "already ended" in again.json()["detail"]
    assert client.post("/runs", json={"outlet": "cairo_news"}).json()["status"] == "queued"


def test_runs_enqueue_overlap_and_cancel(client: TestClient) -> None:
    _run_flow(client)


@pytest.mark.postgres
def test_runs_and_schedules_on_postgresql(pg_client: TestClient) -> None:
    _run_flow(pg_client)
    assert pg_client.post("/schedules/tehran_daily/pause").status_code == 200
    assert pg_client.post("/schedules/reload").json()["unchanged"] == [
        "crawl:cairo_news", "crawl:tehran_daily"]
    paused = {s["outlet"]: s["paused"] for s in pg_client.get("/schedules").json()}
    assert paused == {"cairo_news": False, "tehran_daily": True}


def test_unknown_runs_and_outlets_are_404(client: TestClient) -> None:
    assert client.get("/runs/nope").status_code == 404
    assert client.post("/runs/nope/cancel").status_code == 404
    unknown = client.post("/runs", json={"outlet": "nowhere"})
    assert unknown.status_code == 404 and "no valid outlet" in unknown.json()["detail"]
    assert client.post("/runs", json={}).status_code == 422
