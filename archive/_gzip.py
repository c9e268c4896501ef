"""Each WARC record as its own gzip member, at a compression level chosen per record."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import IO

from warcio.recordloader import ArcWarcRecord
from warcio.warcwriter import WARCWriter

__all__ = ["GZIP_LEVEL", "GZIP_LEVEL_COMPRESSED_BODY", "GZIP_LEVEL_METADATA",
           "CompressedBlock", "LevelledWarcWriter", "compress_block", "gzip_member"]

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
# What zlib writes before a gzip member's deflate data: no name, no time, Unix.
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03"
# warcio ends every record with two CRLFs.
_RECORD_END = b"\r\n\r\n"


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


@dataclass(frozen=True)
class CompressedBlock:
    """A record's block (a metadata record's content) deflated beforehand, in another process:
    :func:`compress_block`. :meth:`archive.RotatingWarcWriter.write_metadata` writes its
    record as one gzip member all the same, whose deflate data is the record's headers,
    compressed as it is written, then ``deflated`` (see :func:`gzip_member_with`)."""

    content: bytes
    #: Raw deflate of ``content`` and the record's closing CRLFs: the last blocks of a member.
    deflated: bytes


def compress_block(content: bytes, level: int = GZIP_LEVEL_METADATA) -> CompressedBlock:
    """``content`` with its deflate made now (an extraction worker makes its article's
    metadata record's: ~0.13 ms an article less on the crawl process)."""
    bits = _window_bits(len(content) + len(_RECORD_END))
    compressor = zlib.compressobj(level, zlib.DEFLATED, -bits, max(1, bits - 7))
    deflated = compressor.compress(content) + compressor.compress(_RECORD_END)
    return CompressedBlock(content, deflated + compressor.flush())


def gzip_member_with(head: bytes, block: CompressedBlock, level: int) -> bytes:
    """``head + block.content + CRLF CRLF`` as one gzip member (what :func:`gzip_member`
    makes of it, but for the bytes of its deflate data): ``head`` deflated and ended with a
    sync flush (an empty stored block: byte-aligned, not the last), then ``block.deflated``,
    a stream of its own whose matches reach no further back than its own start."""
    bits = _window_bits(len(head))
    compressor = zlib.compressobj(level, zlib.DEFLATED, -bits, max(1, bits - 7))
    crc = zlib.crc32(_RECORD_END, zlib.crc32(block.content, zlib.crc32(head)))
    size = (len(head) + len(block.content) + len(_RECORD_END)) & 0xFFFFFFFF
    return b"".join((_GZIP_HEADER, compressor.compress(head),
                     compressor.flush(zlib.Z_SYNC_FLUSH), block.deflated,
                     crc.to_bytes(4, "little"), size.to_bytes(4, "little")))


def _head_before(parts: list[bytes], content: bytes) -> bytes | None:
    """What warcio wrote of a record before ``content`` when the rest of ``parts`` is
    ``content`` then CRLF CRLF; None otherwise."""
    if len(parts) < 2 or parts[-1] != _RECORD_END:
        return None
    pos, k = len(content), len(parts) - 1
    while pos > 0 and k > 1:
        k -= 1
        part = parts[k]
        # endswith on the bytes (memcmp): a memoryview compares item by item.
        if len(part) > pos or not content.endswith(part, 0, pos):
            return None
        pos -= len(part)
    return b"".join(parts[:k]) if pos == 0 else None


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

    def write_record_with(self, record: ArcWarcRecord, block: CompressedBlock) -> None:
        """:meth:`write_record` of a record whose block is ``block.content``, with its
        deflate made already (a metadata record: at GZIP_LEVEL_METADATA)."""
        collected = _Collected()
        self._write_warc_record(collected, record)
        head = _head_before(collected.parts, block.content)
        if head is None:  # not the block it was said to be: compressed here, whole
            self.out.write(gzip_member(b"".join(collected.parts), GZIP_LEVEL_METADATA))
        else:
            self.out.write(gzip_member_with(head, block, GZIP_LEVEL_METADATA))
        self.out.flush()
