"""crawler.crawl.seen: the compact set of URL digests and Scrapy's duplicate filter over it."""

from __future__ import annotations

import random
from pathlib import Path

from scrapy.dupefilters import RFPDupeFilter
from scrapy.http import Request

from crawler.crawl.seen import CompactDupeFilter, DigestSet, url_digest


def test_digest_set_behaves_like_a_set() -> None:
    rng = random.Random(7)
    keys = [rng.getrandbits(64) for _ in range(20_000)] + [1, 2**64 - 1, 5, 5]
    ours, reference = DigestSet(capacity=4), set()
    for key in keys:
        assert ours.add(key) == (key not in reference)
        reference.add(key)
    assert len(ours) == len(reference)
    assert all(key in ours for key in reference)
    assert sum(rng.getrandbits(64) in ours for _ in range(20_000)) == 0
    assert "not an int" not in ours
    # 0 is kept as 1 (0 marks an empty slot): the two are one entry.
    assert 0 in ours and not ours.add(0)


def test_digest_set_keeps_sixteen_bytes_or_less_an_entry() -> None:
    digests = DigestSet(url_digest(f"http://news.test/{n}/") for n in range(50_000))
    assert len(digests) == 50_000
    assert digests._table.itemsize * len(digests._table) <= 16 * 2 * 50_000


def test_the_duplicate_filter_drops_what_it_has_seen(tmp_path: Path) -> None:
    # Built as Scrapy's from_crawler builds it (a job directory, no debug), without a crawler:
    # Scrapy 2.13's get_crawler needs an installed reactor.
    dupes = CompactDupeFilter(str(tmp_path), False)
    first = Request("http://news.test/a?x=1&y=2")
    assert not dupes.request_seen(first)
    assert dupes.request_seen(Request("http://news.test/a?y=2&x=1"))  # same canonical URL
    assert not dupes.request_seen(Request("http://news.test/a?y=2&x=1", method="POST"))
    assert not dupes.request_seen(Request("http://news.test/b"))
    dupes.close("finished")
    # A job directory is read back: what was seen stays seen.
    again = CompactDupeFilter(str(tmp_path), False)
    assert again.request_seen(first)
    assert not again.request_seen(Request("http://news.test/c"))
    again.close("finished")
    # Nothing kept as a set of fingerprints (the attribute's name depends on the release).
    assert not vars(again).get("_fingerprints") and not vars(again).get("fingerprints")


def test_the_job_file_is_the_one_scrapy_reads_and_writes(tmp_path: Path) -> None:
    seen = [Request(f"http://news.test/{n}") for n in range(5)]
    ours = CompactDupeFilter(str(tmp_path), False)
    for request in seen[:3]:
        ours.request_seen(request)
    ours.close("finished")
    # Scrapy's own filter, of whichever release is installed, reads what ours wrote ...
    theirs = RFPDupeFilter(str(tmp_path), False)
    assert all(theirs.request_seen(request) for request in seen[:3])
    assert not theirs.request_seen(seen[3])
    theirs.close("finished")
    # ... and ours reads what it wrote.
    back = CompactDupeFilter(str(tmp_path), False)
    assert all(back.request_seen(request) for request in seen[:4])
    assert not back.request_seen(seen[4])
    back.close("finished")
