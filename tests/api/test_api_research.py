"""The researchers' routes and /metrics over a real demo crawl and recrawl."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from crawler import service
from crawler.api import create_app
from crawler.context import open_context
from crawler.demosite import DemoSite, expected_articles
from crawler.scheduler.service import SchedulerService
from crawler.urls import canonicalize
from tests.auth.support import client_as
from tests.scheduler.helpers import manual_scheduler
from tests.support import write_demo_config


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, str]]:
    root: Path = tmp_path_factory.mktemp("api-research")
    with DemoSite(port=0) as site:
        write_demo_config(root / "config", site.base_url, ["demo_en", "demo_ar1256"])
        ctx = open_context(root / "config", root / "data", env={})
        targets, _ = service.pick_outlets(ctx, [], prefix="demo_")
        assert service.crawl(ctx, targets).ok
        site.set_edition(2)
        assert service.crawl(ctx, targets).ok
        base = site.base_url
    sched = SchedulerService(ctx, scheduler=manual_scheduler(ctx))
    sched.start(dispatch=False)
    try:
        with client_as(create_app(sched), ctx) as client:
            yield client, base
    finally:
        sched.stop()
        ctx.close()


def test_articles_filter_and_history(api: tuple[TestClient, str]) -> None:
    client, base = api
    ar = client.get("/articles", params={"lang": "ar"}).json()
    want = [a for a in expected_articles(2) if a.outlet == "demo_ar1256"]
    assert len(ar) == len(want) and all("text" not in a for a in ar)
    changed = next(a for a in expected_articles(2) if a.outlet == "demo_en" and a.revised == 2
                   and a.since == 1)
    url = canonicalize(base + changed.path)
    history = client.get("/articles/by-url", params={"url": url}).json()
    assert history["version"] == 2 and [v["version"] for v in history["versions"]] == [1, 2]
    assert history["text"] == changed.text
    diff = client.get("/articles/diff", params={"url": url}).json()
    assert diff["changed"] and diff["old_version"] == 1 and diff["new_version"] == 2
    assert any(line.startswith("+") for line in diff["diff"].splitlines()[2:])


def test_captures_and_raw_payload(api: tuple[TestClient, str]) -> None:
    client, base = api
    art = next(a for a in expected_articles(1) if a.outlet == "demo_ar1256")
    url = canonicalize(base + art.path)
    caps = client.get("/captures", params={"url": url}).json()
    assert len(caps) == 2 and {c["mime"] for c in caps} >= {"warc/revisit"}
    raw = client.get("/captures/raw", params={"url": url})
    assert raw.status_code == 200
    # Archived bytes are never sniffed into HTML, nor shown in a frame or as a page.
    assert raw.headers["X-Content-Type-Options"] == "nosniff"
    assert raw.headers["Content-Type"] == "application/octet-stream"
    assert "sandbox" in raw.headers["Content-Security-Policy"]
    body = raw.content
    if raw.headers.get("x-archive-orig-content-encoding") == "gzip":
        body = gzip.decompress(body)
    assert art.text.split("\n")[0] in body.decode("cp1256")
    missing = client.get("/captures/raw", params={"url": base + "/nothing/here/"})
    assert missing.status_code == 404 and "no capture" in missing.json()["detail"]
    bad = client.get("/captures", params={"url": url, "match": "everything"})
    assert bad.status_code == 422


def test_metrics_in_prometheus_format(api: tuple[TestClient, str]) -> None:
    client, _ = api
    text = client.get("/metrics").text
    assert 'akhbar_runs_total{outlet="demo_en",status="succeeded"} 2.0' in text
    assert 'akhbar_last_run_succeeded{outlet="demo_ar1256"} 1.0' in text
    assert 'akhbar_last_run_articles_new{outlet="demo_en"} 1.0' in text
    n_ar = sum(1 for a in expected_articles(2) if a.outlet == "demo_ar1256")
    assert f'akhbar_articles{{language="ar",outlet="demo_ar1256"}} {n_ar}.0' in text
    assert "akhbar_last_success_timestamp_seconds" in text
