"""Checking WARC files and repairing the ones a killed crawl left open."""

from __future__ import annotations

import logging
import os
import re
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from .errors import ArchiveError
from .model import ArchiveRecord, Problem
from .reader import GZIP_MAGIC, iter_members, parse_member
from .writer import OPEN_SUFFIX

try:
    import fcntl
except ImportError:  # pragma: no cover - non-POSIX
    fcntl = None  # type: ignore[assignment]

logger = logging.getLogger(__name__)

__all__ = ["iter_sound_records", "recover_open_files", "verify_file"]

_RECORD_ID_RX = re.compile(rb"WARC-Record-ID:\s*(<[^>\r\n]*>)", re.IGNORECASE)
_SCAN_CHUNK = 1 << 16


def verify_file(path: Path) -> list[Problem]:
    """Re-read every record of a gzip-per-record WARC and return what is wrong with it.

    Checks gzip framing and CRCs, that each member holds exactly one whole WARC record, and
    block/payload digests (warcio's ``check_digests``, as ``warcio check`` does). After a
    damaged member it resynchronises on the next valid member, so one flipped byte costs
    one record. An empty list means the file is sound.
    """
    path = Path(path)
    problems: list[Problem] = []
    try:
        fh = open(path, "rb")  # noqa: SIM115
    except OSError as exc:
        return [Problem(0, None, f"cannot read file: {exc.strerror or exc}")]
    with fh:
        if fh.read(2) not in (GZIP_MAGIC, b""):
            return [Problem(0, None, "not a gzip-per-record WARC")]

        def damaged(offset: int, data: bytes, message: str) -> None:
            problems.append(Problem(offset, _salvage_id(data), message))

        for offset, _length, record in iter_sound_records(fh, damaged):
            problems.extend(Problem(offset, record.record_id, text)
                            for text in record.digest_problems)
    return problems


def iter_sound_records(
    fh: BinaryIO, on_damage: Callable[[int, bytes, str], None]
) -> Iterator[tuple[int, int, ArchiveRecord]]:
    """``(offset, length, record)`` for every readable record of a gzip-per-record WARC.

    A damaged member is reported to ``on_damage(offset, member bytes, message)`` and skipped:
    reading resynchronises on the next valid member, so one flipped byte costs one record.
    """
    start: int | None = 0
    while start is not None:
        resume: int | None = None
        for member in iter_members(fh, start):
            if member.error:
                on_damage(member.offset, member.data, member.error)
                if not member.truncated:
                    resume = _resync(fh, member.offset + 1)
                break
            try:
                record = parse_member(member.data, where=f"offset {member.offset}")
            except ArchiveError as exc:
                on_damage(member.offset, member.data, str(exc))
                continue
            yield member.offset, len(member.data), record
        start = resume


def _salvage_id(data: bytes) -> str | None:
    """Pull the WARC-Record-ID out of whatever part of a damaged member still inflates."""
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
    out = b""
    try:
        for i in range(0, len(data), 256):
            out += inflater.decompress(data[i : i + 256])
            if len(out) > 4096:
                break
    except zlib.error:
        pass
    match = _RECORD_ID_RX.search(out)
    return match.group(1).decode("ascii", "replace") if match else None


def _resync(fh: BinaryIO, start: int) -> int | None:
    """Offset of the next whole gzip member at or after ``start``, if any."""
    pos = start
    while True:
        fh.seek(pos)
        block = fh.read(_SCAN_CHUNK + 2)
        if len(block) < 3:
            return None
        idx = block.find(GZIP_MAGIC + b"\x08")
        if idx < 0:
            pos += _SCAN_CHUNK
            continue
        candidate = pos + idx
        first = next(iter_members(fh, candidate), None)
        if first is not None and first.error is None:
            return candidate
        pos = candidate + 1


def recover_open_files(root: Path) -> list[str]:
    """Make every ``*.warc.gz.open`` under ``root`` a valid WARC again.

    Each file is cut after its last complete gzip member (one whole record) and renamed to
    its final name; files without a single complete record are removed. Files still locked
    by a live writer are skipped. Returns the final paths, relative to ``root``.
    """
    root = Path(root)
    recovered: list[str] = []
    for open_path in sorted(root.rglob("*.warc.gz" + OPEN_SUFFIX)):
        final = open_path.with_name(open_path.name[: -len(OPEN_SUFFIX)])
        result = _recover_one(open_path, final)
        if result:
            recovered.append(final.relative_to(root).as_posix())
    return recovered


def _recover_one(open_path: Path, final: Path) -> bool:
    with open(open_path, "r+b") as fh:
        if fcntl is not None:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                logger.info("%s is still being written; not recovering it", open_path)
                return False
        end = 0
        for member in iter_members(fh):
            if member.error:
                break
            end = member.offset + len(member.data)
        size = os.fstat(fh.fileno()).st_size
        if end < size:
            logger.warning(
                "%s: cutting %d bytes after the last complete record (offset %d)",
                open_path,
                size - end,
                end,
            )
            fh.truncate(end)
        fh.flush()
        os.fsync(fh.fileno())
    if end == 0:
        logger.warning("%s holds no complete record; removing it", open_path)
        open_path.unlink()
        return False
    if final.exists():
        raise ArchiveError(f"cannot recover {open_path}: {final} already exists")
    os.replace(open_path, final)
    logger.info("recovered %s", final)
    return True
