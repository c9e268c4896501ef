"""Smoke test of the crawl benchmark: the generated site and the harness at N=30."""

from __future__ import annotations

import gzip
import json
import re
import shutil
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.crawl import render
from bench.crawl.model import ARTICLE_PATH, Site, SiteSpec
from bench.crawl.serving import SiteProcess, load_check

N = 30


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SiteProcess]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AKHBAR_BENCH_CACHE", str(tmp_path_factory.mktemp("bench-cache")))
        with SiteProcess(SiteSpec(N)) as running:
            yield running


def _get(url: str, gzip_ok: bool = False) -> tuple[dict[str, str], bytes]:
    req = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"} if gzip_ok else {})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return {k.lower(): v for k, v in resp.headers.items()}, resp.read()


def test_generation_is_deterministic_and_heavy() -> None:
    a, b = Site(SiteSpec(N)), Site(SiteSpec(N))
    assert [r.path for r in a.articles] == [r.path for r in b.articles]
    pages = [render.article_html(a, ref) for ref in a.articles]
    assert pages == [render.article_html(b, ref) for ref in b.articles]
    assert all(40 * 1024 <= len(p) <= 150 * 1024 for p in pages)
    assert {ref.lang for ref in a.articles} == {"en", "ar", "fa"}
    assert render.article_html(Site(SiteSpec(N, seed=7)), a.articles[0]) != pages[0]


def test_site_serves_pages_feeds_and_sitemaps(site: SiteProcess) -> None:
    headers, body = _get(site.base_url + "/fa/news/", gzip_ok=True)
    assert headers["content-encoding"] == "gzip"
    assert 'dir="rtl"' in gzip.decompress(body).decode()
    _, index = _get(site.base_url + "/sitemap_index.xml")
    sitemaps = re.findall(r"<loc>([^<]+)</loc>", index.decode())
    urls = [u for sm in sitemaps for u in re.findall(r"<loc>([^<]+)</loc>", _get(sm)[1].decode())]
    articles = {u for u in urls if ARTICLE_PATH.match(u.removeprefix(site.base_url))}
    assert len(articles) == N
    _, page = _get(sorted(articles)[0])
    assert 40 * 1024 <= len(page) <= 150 * 1024
    assert b"application/ld+json" in page
    _, feed = _get(site.base_url + "/ar/feed.xml")
    assert feed.count(b"<item>") == N // 3
    with pytest.raises(urllib.error.HTTPError):
        _get(site.base_url + "/nowhere/")


def test_site_is_fast_on_loopback(site: SiteProcess) -> None:
    check = load_check(site, seconds=0.5, connections=4)
    assert check.requests > 50
    assert check.server_cpu_ms_per_request < 2.0  # i.e. > 500 req/s on one core


@pytest.mark.skipif(shutil.which("wget") is None, reason="wget is not installed")
def test_harness_runs_all_three_runners(tmp_path: Path, site: SiteProcess) -> None:
    from bench.crawl.__main__ import main

    out = tmp_path / "latest.json"
    assert main(["--n", str(N), "--sample", "5", "--server-check", "0.3",
                 "--output", str(out)]) == 0
    record = json.loads(out.read_text(encoding="utf-8"))
    by = {r["runner"]: r for r in record["runners"]}
    assert set(by) == {"akhbar", "wget", "naive"}
    assert by["akhbar"]["count"] == N and by["naive"]["count"] == N
    assert by["wget"]["details"]["articles_archived"] == N
    assert all(r["measurement"]["peak_rss_mb"] > 0 and r["measurement"]["cpu_s"] > 0
               for r in record["runners"])
    assert set(record["ratios"]) == {"akhbar/wget", "akhbar/naive"}
    assert set(record["stages"]["stages"]) >= {"extraction", "language", "link_extraction"}
    # Memory over the run, by quarter: four figures for the crawl process and the workers.
    quarters = by["akhbar"]["measurement"]["rss_mb_by_quarter"]
    assert len(quarters["crawl"]) == 4 and max(quarters["crawl"]) > 0
    assert max(quarters["workers"]) > 0
    assert "peak RSS MB in each quarter of the run: akhbar crawl " in record["text"]
