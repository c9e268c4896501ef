"""Each WARC record as its own gzip member, at a compression level chosen per record."""

from __future__ import annotations

import zlib
from typing import IO

from warcio.recordloader import ArcWarcRecord
from warcio.warcwriter import WARCWriter

__all__ = ["GZIP_LEVEL", "GZIP_LEVEL_COMPRESSED_BODY", "GZIP_LEVEL_METADATA",
           "LevelledWarcWriter", "gzip_member"]

# warcio compresses every record at zlib level 9. Level 6 gives WARC files within ~2% of that
# size at a third of the CPU on plain HTML; a body that arrived compressed (Content-Encoding)
# does not shrink at any level, so it is stored (level 0: ~1% larger files, no deflate CPU).
GZIP_LEVEL = 6
GZIP_LEVEL_COMPRESSED_BODY = 0
# Metadata records (the extracted text as JSON, a third of the crawl's deflate CPU at level
# 6) use a fast level: level 2 takes half the CPU of 6 for metadata ~13% larger (~1.5% of a
# WARC of articles); level 1 is no faster and larger.
GZIP_LEVEL_METADATA = 2

# deflate looks back at most its window less MIN_LOOKAHEAD (262) bytes.
_LOOKAHEAD = 262
_MIN_BITS = 9


def _window_bits(size: int) -> int:
    """The smallest window (9-15 bits) that holds a record of ``size`` bytes whole."""
    return min(zlib.MAX_WBITS, max(_MIN_BITS, (size + _LOOKAHEAD).bit_length()))


def gzip_member(data: bytes, level: int) -> bytes:
    """``data`` as one gzip member (RFC 1952; what ``gzip.decompress`` and warcio read).

    zlib's state at its defaults (a 32 KB window, a 32K-entry hash table: ~256 KB allocated,
    the hash table cleared) cost more than compressing most records: a request record is
    ~0.5 KB, and a stored body (level 0) needs neither. The window and the hash table are
    sized to the record, so the same matches are in reach: output as small as with the
    defaults (a few bytes more for a stored body, in smaller stored blocks).
    """
    bits = _window_bits(len(data))
    # Stored: no matches are looked for, the smallest state will do. Otherwise a hash table
    # of as many entries as the window (zlib's default ratio: memLevel 8 for 15 bits).
    mem_level = 1 if level == 0 else max(1, bits - 7)
    compressor = zlib.compressobj(level, zlib.DEFLATED, bits + 16, mem_level)
    return compressor.compress(data) + compressor.flush()


class _Collected:
    """What warcio writes of one record, kept to be compressed whole."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, buff: bytes) -> None:
        self.parts.append(buff)

    def flush(self) -> None:
        pass


class LevelledWarcWriter(WARCWriter):
    """warcio's WARCWriter, gzip per record, with the compression level chosen per record.

    A record is compressed whole, then written with one ``write`` and flushed: one system
    call a record, where warcio's gzip wrapper wrote as deflate gave output.
    """

    out: IO[bytes]

    def __init__(self, filebuf: IO[bytes], warc_version: str) -> None:
        super().__init__(filebuf, gzip=False, warc_version=warc_version)

    def write_record(self, record: ArcWarcRecord, params: object = None) -> None:
        http = record.http_headers
        coding = http.get_header("Content-Encoding", "") if http is not None else ""
        encoded = coding.strip().lower() not in ("", "identity")
        level = (
            GZIP_LEVEL_METADATA if record.rec_type == "metadata"
            else GZIP_LEVEL_COMPRESSED_BODY if encoded
            else GZIP_LEVEL
        )
        collected = _Collected()
        self._write_warc_record(collected, record)
        self.out.write(gzip_member(b"".join(collected.parts), level))
        self.out.flush()
