"""Limits that hold in a real crawl (a crawl process against sites on 127.0.0.1):
max_duration is a hard bound, and a 5xx storm with Retry-After backs the host off."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from crawler.runs.judge import judge
from tests.spiders.sites import BlackHole, Site, outlet_file, reply, run_crawl

MAX_DURATION = 5


def test_max_duration_bounds_a_crawl_of_a_host_that_never_answers(tmp_path: Path) -> None:
    # robots.txt, then the listing: each would wait DOWNLOAD_TIMEOUT (30 s) and be retried
    # three times, for two minutes and more (issue 15: 157 s for max_duration 60 s).
    with BlackHole() as hole:
        outlet_file(tmp_path / "config", "hole", hole.base_url,
                    f"limits: {{max_duration: {MAX_DURATION}s}}\n"
                    "politeness: {delay: 0, obey_robots: true}\n")
        result = run_crawl(tmp_path, "hole")
    assert result.returncode == 0, result.log[-3000:]
    # The promise is max_duration + 30 s, start-up of the crawl process included.
    assert result.seconds < MAX_DURATION + 30, result.log[-3000:]
    assert "time limit" in result.log


def _storm(handler: BaseHTTPRequestHandler) -> None:
    if handler.path == "/list/":
        links = "".join(f'<a href="/a/{n}/">story {n}</a>' for n in range(40))
        reply(handler, 200, f"<html><body>{links}</body></html>".encode(),
              Content_Type="text/html")
    elif handler.path == "/robots.txt":
        reply(handler, 404, b"")
    else:
        reply(handler, 503, b"overloaded", Retry_After="3600")


def test_a_5xx_storm_backs_the_host_off(tmp_path: Path) -> None:
    with Site(_storm) as site:
        outlet_file(tmp_path / "config", "storm", site.base_url,
                    "limits: {max_duration: 8s}\n"
                    "politeness: {delay: 0, concurrency: 4}\n")
        result = run_crawl(tmp_path, "storm")
    articles = [path for _, path in site.hits if path.startswith("/a/")]
    # Without the back-off: ~85 requests in 25 s (four retries of each of 40 articles).
    assert 2 <= len(articles) <= 12, (len(articles), result.log[-3000:])
    assert "errors in a row" in result.log
    assert result.seconds < 8 + 30
    # Every article failed: the run's verdict (crawler/runs/judge.py) is not a success.
    stats = json.loads((tmp_path / "data" / "runs" / "test-storm.stats.json").read_text())
    assert stats["akhbar/articles/failed"] == 40
    verdict = judge(result.returncode, stats, cancelled=False, timed_out=False,
                    stderr_path=tmp_path / "no-stderr")
    assert verdict.status != "succeeded", verdict
