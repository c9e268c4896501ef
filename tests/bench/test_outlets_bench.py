"""The crawl benchmark's many-outlets mode at tiny N: two outlets, twenty articles."""

from __future__ import annotations

import json
import shutil
import sys
import urllib.request
from pathlib import Path

import pytest

from bench.crawl.measure import run_measured
from bench.crawl.multisite import OutletsSiteProcess, OutletsSpec

N = 20


@pytest.fixture(autouse=True)
def _cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AKHBAR_BENCH_CACHE", str(tmp_path_factory.getbasetemp() / "bench-cache"))


def test_articles_are_split_over_distinct_outlets() -> None:
    sites = OutletsSpec(N, 3).sites()
    assert [s.n for s in sites] == [7, 7, 6]
    assert len({s.seed for s in sites}) == 3  # no two outlets share a text


def test_one_server_serves_each_outlet_on_its_own_port() -> None:
    with OutletsSiteProcess(OutletsSpec(N, 2)) as site:
        assert len(set(site.base_urls)) == 2
        assert all(18200 <= int(b.rsplit(":", 1)[1]) <= 18299 for b in site.base_urls)
        assert site.mark()["first_request_at"] is None
        robots = [urllib.request.urlopen(b + "/robots.txt", timeout=10).read().decode()
                  for b in site.base_urls]
        # Each outlet's robots.txt names its own sitemap; the counters are shared.
        assert all(f"Sitemap: {b}/sitemap_index.xml" in r
                   for b, r in zip(site.base_urls, robots, strict=True))
        stats = site.stats()
        assert stats["requests"] == 2 and stats["first_request_at"] is not None


def test_reaper_counts_a_process_that_left_its_parent(tmp_path: Path) -> None:
    # The child starts a grandchild in its own session and exits without waiting for it; the
    # grandchild burns CPU afterwards. Without the reaper its CPU would not be counted (nobody
    # waits for it) and it would leave the sampled tree.
    script = (
        "import subprocess, sys, time\n"
        "subprocess.Popen([sys.executable, '-c', 'import time\\nt = time.process_time()\\n"
        "while time.process_time() - t < 0.6: pass'], start_new_session=True)\n"
        "time.sleep(0.5)\n"
    )
    m = run_measured([sys.executable, "-c", script], reaper=True, cwd=Path.cwd())
    assert m.returncode == 0
    assert m.cpu_s >= 0.55
    assert m.processes_seen >= 2 and m.peak_rss_mb > 0
    assert m.lingering == 0 and m.started_at > 0


@pytest.mark.skipif(shutil.which("wget") is None, reason="wget is not installed")
def test_outlets_mode_reports_akhbar_and_wget(tmp_path: Path) -> None:
    from bench.crawl.__main__ import main

    out = tmp_path / "outlets.json"
    assert main(["--outlets", "2", "--n", str(N), "--output", str(out)]) == 0
    record = json.loads(out.read_text(encoding="utf-8"))
    assert record["outlets"] == 2 and record["articles"] == N
    akhbar, wget = record["akhbar"], record["wget"]
    # Every article of every outlet archived, by both.
    assert akhbar["count"] == N and akhbar["ok"]
    assert wget["details"]["articles_archived"] == N and wget["ok"]
    assert [(r["outlet"], r["status"]) for r in record["outlet_runs"]] == [
        ("bench_outlet_1", "succeeded"), ("bench_outlet_2", "succeeded")]
    assert sum(r["articles_new"] for r in record["outlet_runs"]) == N
    m = akhbar["measurement"]
    # The tree: the akhbar parent, a crawl process per outlet and extraction workers.
    assert {"akhbar", "crawl", "workers"} <= set(m["peak_rss_mb_by_role"])
    assert m["processes_seen"] >= 4
    assert m["peak_rss_mb"] >= m["largest_process_mb"] > 0
    assert 0 < m["peak_pss_mb"] <= m["peak_rss_mb"]
    assert m["peak_rss_mb"] >= max(m["peak_rss_mb_by_role"].values())
    assert m["cpu_s"] >= sum(m["cpu_by_role"].values()) * 0.9 > 0
    assert len(m["rss_mb_by_quarter"]["all"]) == 4
    # Start-up, fetching and the tail fit in the wall time.
    assert 0 < akhbar["first_request_s"] < akhbar["last_request_s"] <= m["wall_s"]
    assert akhbar["requests"] >= N and wget["requests"] >= wget["count"] > N
    assert akhbar["per_second"] > 0 and akhbar["cpu_ms_per_unit"] > 0
    assert record["ratio_akhbar_wget"] > 0
    assert record["effective_concurrent"] >= 1 and record["concurrent"] is None
    text = record["text"]
    assert "akhbar/wget = " in text and "targets (issue 11): " in text
    assert "bench_outlet_2  succeeded" in text
