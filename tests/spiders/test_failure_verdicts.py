"""A failed run says why in words, naming each host (host:port) and how many of its
requests failed each way (crawler/crawl/outcomes.py, crawler/runs/judge.py): real crawls of
hosts on 127.0.0.1 that refuse, hang, speak no TLS, answer 404 and 500, and a host name
that cannot be resolved (a label longer than DNS allows: it fails on this machine, no query
leaves it)."""

from __future__ import annotations

import json
import socket
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from crawler.runs.judge import Verdict, judge
from tests.spiders.sites import BlackHole, Site, reply, run_crawl

UNRESOLVABLE = "a" * 64 + ".invalid"
ARTICLE = b"<html><body><article><p>" + b"A story told at length. " * 40 + \
    b"</p></article></body></html>"


def _broken(h: BaseHTTPRequestHandler) -> None:
    reply(h, 500 if h.path == "/robots.txt" else 404, b"no")


def _robots_down(h: BaseHTTPRequestHandler) -> None:
    if h.path == "/robots.txt":
        reply(h, 503, b"down")
    elif h.path == "/list/":
        reply(h, 200, b'<html><body><a href="/a/1/">one</a></body></html>',
              Content_Type="text/html")
    else:
        reply(h, 200, ARTICLE, Content_Type="text/html")


def crawl(tmp: Path, listings: list[str]) -> Verdict:
    outlets = tmp / "config" / "outlets"
    outlets.mkdir(parents=True)
    (outlets / "broken.yaml").write_text(
        f"id: broken\nname: Broken\nhomepage: {listings[0]}\nlanguages: [en]\n"
        f"discovery: {{listings: {json.dumps(listings)}}}\n"
        "articles: {allow: ['/a/']}\npoliteness: {delay: 0}\n", encoding="utf-8")
    done = run_crawl(tmp, "broken", DOWNLOAD_TIMEOUT=2, RETRY_TIMES=1, AKHBAR_RETRY_BACKOFF=0.1)
    stats = json.loads((tmp / "data" / "runs" / "test-broken.stats.json").read_text())
    return judge(done.returncode, stats, cancelled=False, timed_out=False,
                 stderr_path=tmp / "no-stderr")


def test_each_way_a_fetch_fails_is_said_by_host_and_count(tmp_path: Path) -> None:
    dead = socket.socket()  # bound, never listening: every connection refused
    dead.bind(("127.0.0.1", 0))
    refused = f"127.0.0.1:{dead.getsockname()[1]}"
    with dead, BlackHole() as hole, Site(_broken) as broken, Site(_broken) as plain:
        hung, answers = hole.base_url[7:], broken.base_url[7:]
        no_tls = plain.base_url[7:]
        verdict = crawl(tmp_path, [f"http://{refused}/list/", f"http://{hung}/list/",
                                   f"http://{answers}/list/", f"https://{no_tls}/list/",
                                   f"http://{UNRESOLVABLE}/list/"])
    assert verdict.status == "failed"
    reason = verdict.reason or ""
    assert reason.startswith("no page could be fetched: "), reason
    said = set(reason.removeprefix("no page could be fetched: ").split("; "))
    assert said == {
        f"connection refused by {refused} (robots.txt and 1 page)",
        f"timed out waiting for {hung} (robots.txt and 1 page)",
        f"TLS handshake failed with {no_tls} (robots.txt and 1 page)",
        f"no address found for the host name {UNRESOLVABLE} (robots.txt and 1 page)",
        f"HTTP 404 Not Found from {answers} (1 page)",
        f"HTTP 500 Internal Server Error from {answers} (robots.txt)",
    }, reason


def test_a_robots_txt_that_fails_is_said_in_a_run_that_succeeded(tmp_path: Path) -> None:
    with Site(_robots_down) as site:
        verdict = crawl(tmp_path, [f"{site.base_url}/list/"])
    host = site.base_url[7:]
    assert verdict == Verdict("succeeded", (
        "finished, but robots.txt could not be fetched: HTTP 503 Service Unavailable from "
        f"{host}; every page of that host was allowed")), verdict
