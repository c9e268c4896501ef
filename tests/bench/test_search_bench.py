"""Smoke test of the search benchmark at N=90, on SQLite and PostgreSQL: the report is
filled and sane."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.search.__main__ import measure, report
from crawler.catalog import sqlite_url


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_search_bench_reports_rates_and_latencies(backend: str, tmp_path: Path,
                                                  request: pytest.FixtureRequest) -> None:
    url = (sqlite_url(tmp_path / "bench.sqlite") if backend == "sqlite"
           else request.getfixturevalue("pg_url"))
    figures = measure(url, 90, 5)
    assert figures["articles"] == 90 and figures["index_rate"] > 0
    for kind in ("word", "phrase", "filtered"):
        assert 0 < figures[f"{kind}_p50"] <= figures[f"{kind}_p95"] < 5000
    text = report(backend, figures)
    assert text.startswith(f"{backend}: 90 articles") and "p95" in text
