"""CDXJ index lines, sorted per-collection index files, and CDX-API-style range lookups."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from pathlib import Path

import pytest

from archive import RotatingWarcWriter
from archive.cdxj import (
    CdxjLine,
    add_to_index,
    cdxj_lines,
    index_warc_files,
    iter_index,
    search_range,
    url_key,
)
from tests.archive.conftest import FETCHED, exchange, make_ids

URLS = [
    "http://news.example.com/fa/2026/11/naft/",
    "http://news.example.com/fa/2026/11/bazar/",
    "http://www.example.com/en/2026/11/port/",
    "http://example.com/",
    "http://sub.example.com/x",
    "http://example.org/other",
]


def write_warc(root: Path, outlet: str, urls: list[str], minutes: int = 0) -> str:
    with RotatingWarcWriter(root, outlet, run_id="r1", host="test",
                            id_factory=make_ids()) as writer:
        for i, url in enumerate(urls):
            ex = exchange(url, f"<p>{url}</p>".encode(),
                          fetched_at=FETCHED + timedelta(minutes=minutes, seconds=i))
            ref = writer.write_exchange(ex)
            writer.write_metadata(target_uri=url, concurrent_to=ref.record_id, content=b"{}")
        ex = exchange(urls[0], b"", status=304, reason="Not Modified", headers=[],
                      fetched_at=FETCHED + timedelta(minutes=minutes, seconds=59))
        writer.write_revisit(ex, refers_to_uri=urls[0], refers_to_date=FETCHED,
                             refers_to_record_id=None, payload_digest="sha1:X",
                             profile="server-not-modified")
    return writer.files[0]


def test_lines_are_pywb_cdxj_for_responses_and_revisits_only(tmp_path: Path) -> None:
    rel = write_warc(tmp_path, "demo", URLS[:2])
    lines = [CdxjLine.parse(x) for x in cdxj_lines([tmp_path / rel], tmp_path)]
    assert len(lines) == 3  # two responses and one revisit; no request, warcinfo, metadata
    assert [ln.urlkey for ln in lines] == sorted(ln.urlkey for ln in lines)
    first = next(ln for ln in lines if ln.url == URLS[1])
    assert first.urlkey == "com,example,news)/fa/2026/11/bazar"
    assert first.timestamp == "20261129003106"
    assert first.filename == rel  # relative to the WARC root, as pywb's archive_paths needs
    assert first.status == 200 and first.mime == "text/html" and first.digest.startswith("sha1:")
    revisit = next(ln for ln in lines if ln.is_revisit)
    assert revisit.status == 304 and revisit.url == URLS[0]
    with (tmp_path / rel).open("rb") as fh:  # offset/length frame one gzip member
        fh.seek(first.offset)
        assert fh.read(2) == b"\x1f\x8b"


def test_merge_keeps_file_sorted_and_is_idempotent(tmp_path: Path) -> None:
    a = write_warc(tmp_path / "w", "demo", URLS[:3])
    b = write_warc(tmp_path / "w", "demo", URLS[3:], minutes=5)
    index = tmp_path / "index"
    index_warc_files(index, tmp_path / "w", [a])
    counts = index_warc_files(index, tmp_path / "w", [b])
    again = index_warc_files(index, tmp_path / "w", [a, b])
    raw = (index / "demo.cdxj").read_text("utf-8").splitlines()
    assert raw == sorted(raw)
    assert counts == again == {"demo": len(raw)} and len(raw) == 3 + 1 + 3 + 1
    assert not list(index.glob("*.tmp"))


def test_concurrent_merges_lose_no_line(tmp_path: Path) -> None:
    files = [write_warc(tmp_path / "w", "demo", [f"http://a.example/{i}/"], minutes=i)
             for i in range(6)]
    lines = [cdxj_lines([tmp_path / "w" / f], tmp_path / "w") for f in files]
    index = tmp_path / "demo.cdxj"
    threads = [threading.Thread(target=add_to_index, args=(index, ls)) for ls in lines]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(index.read_text("utf-8").splitlines()) == sum(len(ls) for ls in lines)


@pytest.mark.parametrize(("url", "match", "expected"), [
    # the same ranges as pywb.utils.canonicalize.calc_search_range
    ("http://example.com/path/file.html", "exact",
     ("com,example)/path/file.html ", "com,example)/path/file.html!")),
    ("http://example.com/path/file.html", "prefix",
     ("com,example)/path/file.html", "com,example)/path/file.htmm")),
    ("http://example.com/path/", "prefix", ("com,example)/path/", "com,example)/path0")),
    ("http://example.com/path/file.html", "host", ("com,example)/", "com,example*")),
    ("http://example.com/path/file.html", "domain", ("com,example)/", "com,example-")),
])
def test_search_ranges(url: str, match: str, expected: tuple[str, str]) -> None:
    assert search_range(url, match) == expected


def test_search_range_rejects_unknown_match_type() -> None:
    with pytest.raises(ValueError, match="match type"):
        search_range("http://example.com/", "regex")


def test_lookups_over_a_directory_of_indexes(tmp_path: Path) -> None:
    index = tmp_path / "index"
    index_warc_files(index, tmp_path / "w", [write_warc(tmp_path / "w", "one", URLS[:3])])
    index_warc_files(index, tmp_path / "w", [write_warc(tmp_path / "w", "two", URLS[3:])])

    def urls(url: str, match: str) -> list[str]:
        return [ln.url for ln in iter_index(index, *search_range(url, match))]

    assert urls(URLS[0], "exact") == [URLS[0], URLS[0]]  # response + revisit
    assert urls("https://EXAMPLE.com/", "exact") == [URLS[3]] * 2  # SURT canonicalises
    assert set(urls("http://news.example.com/fa/", "prefix")) == set(URLS[:2])
    # www. is dropped by SURT, so www.example.com belongs to host example.com
    assert set(urls("http://example.com/", "host")) == {URLS[2], URLS[3]}
    assert set(urls("http://example.com/", "domain")) == set(URLS[:5])
    assert urls("http://nothing.example.net/", "domain") == []
    keys = [ln.urlkey for ln in iter_index(index, "", "\U0010ffff")]
    assert keys == sorted(keys) and len(keys) == 8


def test_binary_search_over_a_large_index(tmp_path: Path) -> None:
    index = tmp_path / "big.cdxj"
    lines = [f"{url_key(f'http://e.example/{i:05d}')} 20261129000000 "
             f"{json.dumps({'url': f'http://e.example/{i:05d}', 'filename': 'f', 'offset': i})}\n"
             for i in range(5000)]
    add_to_index(index, lines)
    for i in (0, 1, 2499, 4999):
        got = list(iter_index(index, *search_range(f"http://e.example/{i:05d}", "exact")))
        assert [ln.offset for ln in got] == [i]
    assert list(iter_index(index, *search_range("http://e.example/zzz", "exact"))) == []
