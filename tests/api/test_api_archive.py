"""The archive's standard APIs over a real demo crawl and recrawl: the CDX server as pywb's
remote index source and wayback tools call it, Memento TimeMaps and TimeGate as Memento
clients (RFC 7089) read them."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
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

FIELDS = ["urlkey", "timestamp", "url", "mime", "status", "digest", "length", "offset",
          "filename"]


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, str, str]]:
    """A client, the demo site's base URL and one article's URL (captured twice)."""
    root: Path = tmp_path_factory.mktemp("api-archive")
    with DemoSite(port=0) as site:
        write_demo_config(root / "config", site.base_url, ["demo_en"])
        ctx = open_context(root / "config", root / "data", env={})
        targets, _ = service.pick_outlets(ctx, [], prefix="demo_")
        assert service.crawl(ctx, targets).ok
        site.set_edition(2)
        assert service.crawl(ctx, targets).ok
        base = site.base_url
    article = next(a for a in expected_articles(2) if a.outlet == "demo_en" and a.since == 1)
    sched = SchedulerService(ctx, scheduler=manual_scheduler(ctx))
    sched.start(dispatch=False)
    try:
        with client_as(create_app(sched), ctx, "researcher") as client:
            yield client, base, canonicalize(base + article.path)
    finally:
        sched.stop()
        ctx.close()


def ndjson(text: str) -> list[dict[str, str]]:
    return [json.loads(line) for line in text.splitlines()]


def test_cdx_json_lines_as_pywb_reads_them(api: tuple[TestClient, str, str]) -> None:
    client, _, url = api
    answer = client.get("/cdx", params={"url": url, "output": "json"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith(
        "application/x-ndjson")
    lines = ndjson(answer.text)
    assert len(lines) == 2 and all(list(line) == FIELDS for line in lines)
    assert lines[0]["timestamp"] < lines[1]["timestamp"] and lines[0]["url"] == url
    # pywb's remote CDX source: closest first, at most N, JSON.
    closest = client.get("/cdx", params={"url": url, "closest": lines[1]["timestamp"],
                                         "sort": "closest", "limit": "1", "output": "json"})
    assert [x["timestamp"] for x in ndjson(closest.text)] == [lines[1]["timestamp"]]
    reverse = ndjson(client.get("/cdx", params={"url": url, "sort": "reverse",
                                                "output": "json"}).text)
    assert reverse == lines[::-1]
    plain = client.get("/cdx", params={"url": url}).text.splitlines()
    assert plain[0].startswith(f"{lines[0]['urlkey']} {lines[0]['timestamp']} {{")


def test_cdx_match_types_wildcards_fl_collapse_limit(api: tuple[TestClient, str, str]) -> None:
    client, base, _ = api
    host = base.split("://", 1)[1]
    star = ndjson(client.get("/cdx", params={"url": f"{host}/*", "output": "json"}).text)
    prefix = ndjson(client.get("/cdx", params={"url": host + "/", "matchType": "prefix",
                                               "output": "json"}).text)
    by_host = ndjson(client.get("/cdx", params={"url": base, "matchType": "host",
                                                "output": "json"}).text)
    assert len(star) > 10 and star == prefix == by_host
    keys = [x["urlkey"] for x in star]
    assert keys == sorted(keys)
    fl = client.get("/cdx", params={"url": f"{host}/*", "fl": "timestamp,status"}).text
    assert all(re.fullmatch(r"\d{14} (\d{3}|-)", line) for line in fl.splitlines())
    one_each = ndjson(client.get("/cdx", params={"url": f"{host}/*", "collapse": "urlkey",
                                                 "output": "json"}).text)
    assert [x["urlkey"] for x in one_each] == sorted(set(keys))
    first_two = ndjson(client.get("/cdx", params={"url": f"{host}/*", "limit": "2",
                                                  "output": "json"}).text)
    last_one = ndjson(client.get("/cdx", params={"url": f"{host}/*", "limit": "-1",
                                                 "output": "json"}).text)
    assert first_two == star[:2] and last_one == star[-1:]
    html = ndjson(client.get("/cdx", params={"url": f"{host}/*", "output": "json",
                                             "filter": "~mime:html"}).text)
    assert html and all("html" in x["mime"] for x in html)


@pytest.mark.parametrize(("params", "parameter"), [
    ({"matchType": "everything"}, "matchType"), ({"fl": "urlkey,size"}, "fl"),
    ({"collapse": "size"}, "collapse"), ({"sort": "random"}, "sort"),
    ({"sort": "closest"}, "closest"), ({"output": "xml"}, "output"),
    ({"from": "last tuesday"}, "from"),
])
def test_cdx_bad_parameters_are_named(api: tuple[TestClient, str, str],
                                      params: dict[str, str], parameter: str) -> None:
    client, _, url = api
    answer = client.get("/cdx", params={"url": url, **params})
    assert answer.status_code == 422 and answer.json()["detail"].startswith(f"{parameter}: ")
    misplaced = client.get("/cdx", params={"url": "exa*mple.com"})
    assert misplaced.status_code == 422 and misplaced.json()["detail"].startswith("url: ")


def test_timemap_link_and_json(api: tuple[TestClient, str, str]) -> None:
    client, _, url = api
    stamps = [x["timestamp"] for x in ndjson(client.get("/cdx", params={
        "url": url, "output": "json"}).text)]
    answer = client.get(f"/timemap/link/{url}")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/link-format")
    entries = re.findall(r'<([^>]+)>; rel="([^"]+)"(?:; [^,]*datetime="([^"]+)")?', answer.text)
    rels = [rel for _, rel, _ in entries]
    assert rels[:3] == ["original", "self", "timegate"]
    assert rels[3:] == ["first memento", "last memento"]
    assert entries[0][0] == url and entries[2][0].endswith(f"/timegate/{url}")
    assert [parsedate_to_datetime(when).strftime("%Y%m%d%H%M%S")
            for _, rel, when in entries[3:]] == stamps
    as_json = client.get(f"/timemap/json/{url}").json()
    assert as_json["original_uri"] == url and len(as_json["mementos"]["list"]) == 2
    assert client.get("/timemap/link/http://nowhere.example/").status_code == 404
    # Not a URL at all (found by schemathesis: a 500 from surt): a 404 that says so.
    for path in ("/timemap/link/%0D", "/timemap/json/%20", "/timegate/%0A", "/cdx?url=%0D"):
        answer = client.get(path)
        assert answer.status_code == 404, (path, answer.text)
        assert "not a URL" in answer.text, (path, answer.text)


def test_timegate_follows_accept_datetime(api: tuple[TestClient, str, str]) -> None:
    client, _, url = api
    stamps = [x["timestamp"] for x in ndjson(client.get("/cdx", params={
        "url": url, "output": "json"}).text)]
    latest = client.get(f"/timegate/{url}", follow_redirects=False)
    assert latest.status_code == 302 and latest.headers["vary"] == "accept-datetime"
    assert f"/memento/{stamps[-1]}/" in latest.headers["location"]
    long_ago = format_datetime(datetime(2001, 1, 1, tzinfo=UTC), usegmt=True)
    first = client.get(f"/timegate/{url}", headers={"Accept-Datetime": long_ago},
                       follow_redirects=False)
    assert f"/memento/{stamps[0]}/" in first.headers["location"]
    assert 'rel="original"' in first.headers["link"] and 'rel="timemap"' in first.headers["link"]
    bad = client.get(f"/timegate/{url}", headers={"Accept-Datetime": "soon"})
    assert bad.status_code == 422 and "Accept-Datetime" in bad.json()["detail"]

    memento = client.get(first.headers["location"])
    assert memento.status_code == 200 and "html" in memento.headers["content-type"]
    when = parsedate_to_datetime(memento.headers["memento-datetime"])
    assert when.strftime("%Y%m%d%H%M%S") == stamps[0]
    assert f'<{url}>; rel="original"' in memento.headers["link"]
    assert memento.headers["content-security-policy"].startswith("sandbox")
    near = client.get(f"/memento/{stamps[0][:8]}/{url}", follow_redirects=False)
    assert near.status_code == 302 and "/memento/" in near.headers["location"]


def test_captures_takes_the_cdx_parameters(api: tuple[TestClient, str, str]) -> None:
    client, base, url = api
    host = base.split("://", 1)[1]
    star = client.get("/captures", params={"url": f"{host}/*"})
    assert star.status_code == 200 and len(star.json()) > 10  # was [] with 200
    assert star.json() == client.get("/captures", params={"url": base,
                                                          "matchType": "host"}).json()
    picked = client.get("/captures", params={"url": url, "fl": "timestamp,status",
                                             "sort": "reverse"}).json()
    assert [list(x) for x in picked] == [["timestamp", "status"]] * 2
    assert picked[0]["timestamp"] > picked[1]["timestamp"]
    daily = client.get("/captures", params={"url": url, "collapse": "timestamp:8"}).json()
    assert len(daily) == len({x["timestamp"][:8] for x in picked}) < len(picked) + 1
    lines = client.get("/captures", params={"url": url, "output": "cdxj"}).text.splitlines()
    assert len(lines) == 2 and lines[0].split(" ", 2)[1] == picked[1]["timestamp"]


def test_every_capture_served_says_when_and_links_its_timegate(
        api: tuple[TestClient, str, str]) -> None:
    client, _, url = api
    stamps = [x["timestamp"] for x in client.get("/captures", params={"url": url}).json()]
    for route in ("/captures/raw", "/ui/capture/body"):
        served = client.get(route, params={"url": url, "at": stamps[0]})
        assert served.status_code == 200, route
        when = parsedate_to_datetime(served.headers["memento-datetime"])
        assert when.strftime("%Y%m%d%H%M%S") == stamps[0]
        assert f'<{url}>; rel="original"' in served.headers["link"]
        assert f'/timegate/{url}>; rel="timegate"' in served.headers["link"]


def test_docs_work_offline(api: tuple[TestClient, str, str]) -> None:
    client, _, _ = api
    for page in ("/docs",):
        html = client.get(page)
        assert html.status_code == 200, page
        sources = re.findall(r'(?:src|href)="([^"]+)"', html.text)
        assert sources and not [s for s in sources if "://" in s], sources
        for source in sources:
            asset = client.get(source)
            assert asset.status_code == 200 and len(asset.content) > 100, source
