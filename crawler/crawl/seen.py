"""What a crawl has seen, in memory that does not fragment: 8-byte digests in one array.

A crawl remembers every URL it has requested, twice: the spider (so that an article is
scheduled once) and Scrapy's duplicate filter (which also catches redirects to known pages).
As a Python ``set`` each entry is an object of its own (an int, or Scrapy's 20-byte
fingerprint), allocated among the short-lived objects of the pages in flight; they pin the
interpreter's memory arenas, and the crawl process grew ~0.7 KB per article. Here the
digests live in one ``array('Q')`` hash table (open addressing, linear probing, at most
half full): 16 bytes a URL, no object per entry.

A collision of two 64-bit digests needs ~4 billion URLs to become likely.
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Iterable
from typing import Any

from scrapy.dupefilters import RFPDupeFilter
from scrapy.http import Request

_EMPTY = 0


class DigestSet:
    """A set of 64-bit unsigned ints (0 is stored as 1: the empty slot is 0)."""

    __slots__ = ("_count", "_mask", "_table")

    def __init__(self, items: Iterable[int] = (), capacity: int = 1024) -> None:
        size = 16
        while size < 2 * capacity:
            size *= 2
        self._table = array("Q", bytes(8 * size))
        self._mask = size - 1
        self._count = 0
        for item in items:
            self.add(item)

    def __len__(self) -> int:
        return self._count

    def _slot(self, key: int) -> int:
        table, mask = self._table, self._mask
        # Fibonacci hashing spreads keys whose low bits agree (digests do not, but ints may).
        i = ((key * 0x9E3779B97F4A7C15) >> 40) & mask
        while True:
            value = table[i]
            if value == key or value == _EMPTY:
                return i
            i = (i + 1) & mask

    def __contains__(self, item: object) -> bool:
        if not isinstance(item, int):
            return False
        key = item or 1
        return self._table[self._slot(key)] == key

    def add(self, item: int) -> bool:
        """Add ``item``; True if it was not there yet."""
        key = item or 1
        i = self._slot(key)
        if self._table[i] == key:
            return False
        self._table[i] = key
        self._count += 1
        if 2 * self._count > self._mask:
            self._grow()
        return True

    def _grow(self) -> None:
        old = self._table
        self._table = array("Q", bytes(16 * len(old)))
        self._mask = 2 * len(old) - 1
        table = self._table
        for key in old:
            if key != _EMPTY:
                table[self._slot(key)] = key


def url_digest(url: str) -> int:
    """The 64-bit digest a crawl remembers a URL by."""
    return int.from_bytes(hashlib.blake2b(url.encode(), digest_size=8).digest(), "big")


class CompactDupeFilter(RFPDupeFilter):
    """Scrapy's duplicate filter (same fingerprints, same ``JOBDIR`` file), remembering the
    first 8 bytes of each fingerprint in a :class:`DigestSet` instead of a set of bytes.

    Scrapy 2.19 keeps raw fingerprints in ``_fingerprints`` and writes them to
    ``requests.seen`` as length-prefixed bytes; Scrapy 2.13 to 2.18 keep hex strings in
    ``fingerprints`` and write one per line. Which one the parent set up is read off the
    instance after its ``__init__``, and the file is written in the same format.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Fingerprints read back from a JOBDIR, if any, move into the compact set.
        state = vars(self)
        self._binary_file = "_fingerprints" in state
        if self._binary_file:
            known: Iterable[bytes] = state["_fingerprints"]
            self._fingerprints = set()
        else:
            known = [bytes.fromhex(fp) for fp in state.get("fingerprints", ())]
            state["fingerprints"] = set()
        self._seen = DigestSet(int.from_bytes(fp[:8], "big") for fp in known)

    def request_seen(self, request: Request) -> bool:
        fp = self.fingerprinter.fingerprint(request)
        if not self._seen.add(int.from_bytes(fp[:8], "big")):
            return True
        if self.file:
            # A binary file since Scrapy 2.19, a text file before (typed as the installed one).
            file: Any = self.file
            file.write(len(fp).to_bytes(2, "big") + fp if self._binary_file else fp.hex() + "\n")
        return False
