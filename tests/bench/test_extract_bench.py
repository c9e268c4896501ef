"""bench.extract at a tiny size: its report is filled, and akhbar's figures are the ones the
README claims (every set, non-article pages included, and every field at least plain
trafilatura's)."""

from __future__ import annotations

import re

import pytest

from bench.extract.pages import LANGS
from bench.extract.run import DESIGNS, main, prf


def test_prf_counts_words() -> None:
    assert prf("a b c", "a b c") == (1.0, 1.0, 1.0)
    p, r, f = prf("a b x y", "a b")
    assert (p, r) == (0.5, 1.0) and round(f, 3) == 0.667
    assert prf("", "a") == (0.0, 0.0, 0.0) and prf("", "") == (1.0, 1.0, 1.0)


def test_the_report_beats_plain_trafilatura(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--per-set", "1", "--check"]) == 0
    out = capsys.readouterr().out
    assert "MISSED" not in out
    rows = re.findall(r"^(\w+) (\w+)\s+(\d+)\s+([\d.]+) ([\d.]+) ([\d.]+)", out, re.M)
    assert {(lang, design) for lang, design, *_ in rows} >= {
        (lang, design) for lang in LANGS for design in DESIGNS}
    overall = next(r for r in rows if r[:2] == ("all", "all"))
    assert overall[2] == str(len(LANGS) * len(DESIGNS)) and float(overall[5]) >= 0.95
    pages = len(LANGS) * len(DESIGNS)  # articles, then forum, listing, service and product
    assert f"akhbar: empty text on 0/{pages} pages" in out
