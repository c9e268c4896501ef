"""Read records back: one by offset/length, or every record of a file.

Member boundaries are found with zlib directly, so a file cut mid-record (a crawl that
was killed) is read up to its last complete record instead of yielding a short one.
"""

from __future__ import annotations

import io
import logging
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeadersParserException

from .errors import ArchiveError, DigestMismatch, RecordNotFound
from .model import ArchiveRecord

logger = logging.getLogger(__name__)

__all__ = ["iter_records", "read_record"]

GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 1 << 16
_PARSE_ERRORS = (
    ArchiveLoadFailed,
    StatusAndHeadersParserException,
    zlib.error,
    EOFError,
    ValueError,
    TypeError,
    IndexError,
)


@dataclass(frozen=True)
class Member:
    """One gzip member found in a file (``error`` set when it is not a whole, valid member)."""

    offset: int
    data: bytes
    error: str | None = None
    truncated: bool = False


def iter_members(fh: BinaryIO, start: int = 0) -> Iterator[Member]:
    """Yield each gzip member from ``start``; the last one carries the error, if any."""
    fh.seek(start)
    offset = start
    pending = b""
    while True:
        if not pending:
            pending = fh.read(_CHUNK)
            if not pending:
                return
        inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
        parts: list[bytes] = []
        data, pending = pending, b""
        try:
            while True:
                inflater.decompress(data)  # output is not needed, only the boundary
                if inflater.eof:
                    used = len(data) - len(inflater.unused_data)
                    parts.append(data[:used])
                    pending = inflater.unused_data
                    break
                parts.append(data)
                data = fh.read(_CHUNK)
                if not data:
                    yield Member(
                        offset, b"".join(parts), "incomplete gzip member (file cut)", truncated=True
                    )
                    return
        except zlib.error as exc:
            yield Member(offset, b"".join(parts) + data, f"gzip error: {exc}")
            return
        member = b"".join(parts)
        yield Member(offset, member)
        offset += len(member)


def parse_member(data: bytes, *, where: str) -> ArchiveRecord:
    """Parse exactly one WARC record from ``data`` (one gzip member or an uncompressed record)."""
    it = ArchiveIterator(io.BytesIO(data), check_digests=True)
    try:
        try:
            record = next(it)
        except StopIteration:
            raise RecordNotFound(f"{where}: no WARC record there") from None
        raw = record.raw_stream.read()
        short_by = getattr(record.raw_stream, "limit", 0)
        length = it.get_record_length()
    except RecordNotFound:
        raise
    except _PARSE_ERRORS as exc:
        raise RecordNotFound(f"{where}: not a WARC record ({exc})") from exc
    finally:
        it.close()
    if short_by:
        raise RecordNotFound(f"{where}: record is {short_by} bytes shorter than its Content-Length")
    if length != len(data):
        raise RecordNotFound(f"{where}: the bytes hold a record of {length} bytes, not {len(data)}")
    problems = tuple(record.digest_checker.problems) if record.digest_checker else ()
    return ArchiveRecord(
        rec_type=record.rec_type,
        headers=record.rec_headers,
        http_headers=record.http_headers,
        raw_payload=raw,
        digest_problems=problems,
    )


def read_record(path: Path, offset: int, length: int) -> ArchiveRecord:
    """Read the record stored at ``offset`` (``length`` bytes) of a WARC file.

    Raises :class:`RecordNotFound` when the file is missing or the range is not exactly one
    record, :class:`DigestMismatch` when the record's digests do not match its bytes.
    """
    where = f"{path}@{offset}+{length}"
    if offset < 0 or length <= 0:
        raise RecordNotFound(f"{where}: offset must be >= 0 and length > 0")
    try:
        with open(path, "rb") as fh:
            fh.seek(offset)
            data = fh.read(length)
    except OSError as exc:
        raise RecordNotFound(f"{where}: cannot read file ({exc.strerror or exc})") from exc
    if len(data) != length:
        raise RecordNotFound(f"{where}: file ends after {len(data)} bytes of the record")
    if data.startswith(GZIP_MAGIC):
        # Reject a range that starts mid-member or ends inside or past one.
        members = list(iter_members(io.BytesIO(data)))
        if len(members) != 1 or members[0].error:
            detail = members[0].error if members and members[0].error else "not one gzip member"
            raise RecordNotFound(f"{where}: {detail}")
    record = parse_member(data, where=where)
    if record.digest_problems:
        raise DigestMismatch(f"{where} {record.record_id}: " + "; ".join(record.digest_problems))
    return record


def iter_records(path: Path) -> Iterator[tuple[int, int, ArchiveRecord]]:
    """Yield ``(offset, length, record)`` for every record of a WARC file.

    A file cut mid-record (an ``.open`` file of a killed crawl) ends cleanly at its last
    complete record; the cut is logged as a warning with its offset. Any other damage
    raises :class:`ArchiveError` naming the offset. Digests are not enforced here (use
    :func:`archive.verify_file`); each record carries ``digest_problems``.
    """
    try:
        fh = open(path, "rb")  # noqa: SIM115 - closed in finally; generator
    except OSError as exc:
        raise RecordNotFound(f"{path}: cannot read file ({exc.strerror or exc})") from exc
    try:
        head = fh.read(2)
        if head and head != GZIP_MAGIC:
            yield from _iter_uncompressed(fh, path)
            return
        for member in iter_members(fh):
            if member.truncated:
                logger.warning(
                    "%s: file cut at offset %d (%d bytes of an incomplete record ignored)",
                    path,
                    member.offset,
                    len(member.data),
                )
                return
            if member.error:
                raise ArchiveError(f"{path}: offset {member.offset}: {member.error}")
            record = parse_member(member.data, where=f"{path}@{member.offset}")
            yield member.offset, len(member.data), record
    finally:
        fh.close()


def _iter_uncompressed(fh: BinaryIO, path: Path) -> Iterator[tuple[int, int, ArchiveRecord]]:
    """Plain (non-gzip) WARCs from other tools: delegate framing to warcio."""
    fh.seek(0)
    it = ArchiveIterator(fh, check_digests=True)
    try:
        for record in it:
            raw = record.raw_stream.read()
            offset, length = it.get_record_offset(), it.get_record_length()
            problems = tuple(record.digest_checker.problems) if record.digest_checker else ()
            yield (
                offset,
                length,
                ArchiveRecord(
                    record.rec_type, record.rec_headers, record.http_headers, raw, problems
                ),
            )
    except _PARSE_ERRORS as exc:
        raise ArchiveError(f"{path}: unreadable record ({exc})") from exc
    finally:
        it.close()
