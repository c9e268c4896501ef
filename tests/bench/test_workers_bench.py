"""Smoke test of `python -m bench.workers` at its smallest (2 outlets of 2 articles, one slot
a worker), so that the benchmark of #17 cannot rot: both rounds run every run to success
and print their figures."""

from __future__ import annotations

import os
import re

import pytest

from bench.workers import __main__ as bench
from tests.runs.cluster.brokers import redis_answers


def test_the_workers_benchmark_runs_at_its_smallest(capsys: pytest.CaptureFixture[str]) -> None:
    if not redis_answers(6379):
        pytest.skip("bench.workers uses the Redis on 127.0.0.1:6379 (database 12)")
    if os.environ.get("AKHBAR_TEST_PG", bench.PG_URL) != bench.PG_URL:
        pytest.skip(f"bench.workers uses the PostgreSQL at {bench.PG_URL}")
    bench.main(["--outlets", "2", "--pages", "2", "--delay", "0", "--slots", "1"])
    out = capsys.readouterr().out
    for n in (1, 2):
        assert re.search(rf"^{n} worker\(s\) x 1 slot\(s\): 2 runs \(2 succeeded\), 4 articles "
                         r"in [\d.]+ s: [\d.]+ articles/s$", out, re.M), out
    assert "two workers / one: " in out, out
