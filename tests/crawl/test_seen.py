"""crawler.crawl.seen: the compact set of URL digests and Scrapy's duplicate filter over it."""

from __future__ import annotations

import random
from pathlib import Path

from scrapy.http import Request
from scrapy.utils.test import get_crawler

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
    crawler = get_crawler(settings_dict={"JOBDIR": str(tmp_path)})
    dupes = CompactDupeFilter.from_crawler(crawler)
    first = Request("http://news.test/a?x=1&y=2")
    assert not dupes.request_seen(first)
    assert dupes.request_seen(Request("http://news.test/a?y=2&x=1"))  # same canonical URL
    assert not dupes.request_seen(Request("http://news.test/a?y=2&x=1", method="POST"))
    assert not dupes.request_seen(Request("http://news.test/b"))
    dupes.close("finished")
    # A job directory is read back: what was seen stays seen.
    again = CompactDupeFilter.from_crawler(crawler)
    assert again.request_seen(first)
    assert not again.request_seen(Request("http://news.test/c"))
    again.close("finished")
    assert not again._fingerprints  # nothing kept as a set of bytes
