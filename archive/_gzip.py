"""Each WARC record as its own gzip member, at a compression level chosen per record."""

from __future__ import annotations

import zlib
from typing import IO

from warcio.recordloader import ArcWarcRecord
from warcio.warcwriter import WARCWriter

__all__ = ["GZIP_LEVEL", "GZIP_LEVEL_COMPRESSED_BODY", "GZIP_LEVEL_METADATA",
           "LevelledWarcWriter"]

# warcio compresses every record at zlib level 9. Level 6 gives WARC files within ~2% of that
# size at a third of the CPU on plain HTML; a body that arrived compressed (Content-Encoding)
# does not shrink at any level, so it is stored (level 0: ~1% larger files, no deflate CPU).
GZIP_LEVEL = 6
GZIP_LEVEL_COMPRESSED_BODY = 0
# Metadata records (the extracted text as JSON, a third of the crawl's deflate CPU at level
# 6) use a fast level: level 2 takes half the CPU of 6 for metadata ~13% larger (~1.5% of a
# WARC of articles); level 1 is no faster and larger.
GZIP_LEVEL_METADATA = 2


class _GzipMember:
    """One gzip member around one record (what warcio's GzippingWrapper does, at our level)."""

    def __init__(self, out: IO[bytes], level: int) -> None:
        self.out = out
        self.compressor = zlib.compressobj(level, zlib.DEFLATED, zlib.MAX_WBITS + 16)

    def write(self, buff: bytes) -> None:
        self.out.write(self.compressor.compress(buff))

    def flush(self) -> None:
        self.out.write(self.compressor.flush())
        self.out.flush()


class LevelledWarcWriter(WARCWriter):
    """warcio's WARCWriter, gzip per record, with the compression level chosen per record."""

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
        # warcio flushes its output once at the end of each record: that closes the member.
        self._write_warc_record(_GzipMember(self.out, level), record)
