"""bench.crawl.worker_cost at a tiny size: it reports the workers' CPU per article, and a dump
of its results compares equal to the same code's next run (the check a faster worker must
pass) and unequal to a changed one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.crawl.worker_cost import main


def test_dump_then_compare(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("AKHBAR_BENCH_CACHE", str(tmp_path / "cache"))
    dump = tmp_path / "before.jsonl"
    assert main(["--n", "12", "--outlets", "2", "--repeat", "1", "--dump", str(dump)]) == 0
    out = capsys.readouterr().out
    assert "worker CPU ms/article over 12 articles" in out
    records = [json.loads(line) for line in dump.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 12
    assert all(r["error"] is None and r["article"]["text"] and r["requisites"] for r in records)
    assert {r["article"]["language"] for r in records} >= {"en"}

    assert main(["--n", "12", "--outlets", "2", "--repeat", "0", "--compare", str(dump)]) == 0
    assert "12 of 12 results identical" in capsys.readouterr().out

    records[3]["article"]["title"] = "changed"
    dump.write_text("".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n"
                            for r in records), encoding="utf-8")
    assert main(["--n", "12", "--outlets", "2", "--repeat", "0", "--compare", str(dump)]) == 1
    out = capsys.readouterr().out
    assert "11 of 12 results identical" in out and "(article fields: title)" in out
