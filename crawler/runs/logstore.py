"""Run logs in the catalog, so that every host sees every worker's logs.

A crawl writes its log as JSON lines to a file (``runs/<run-id>.log``: written at once, kept
through a crash). :func:`ship_log` copies what the file gained since the last copy into the
catalog, as a chunk of whole lines that starts at the byte offset where the last one ended:
the crawl does it with its live figures (every few seconds) and once more as it closes, and
the run's owner after it wrote how the run ended. Offsets are the file's own, so a reader
follows a run from either source with one offset (``GET /runs/{id}/log?offset=``).

Two shippers at once (a crawl's last tick and its owner) cannot copy a line twice: a chunk
is unique by (run, start), and the one that loses the insert leaves its lines to the next.
"""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import (
    BigInteger,
    Engine,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    insert,
    select,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from crawler.catalog.models import Base

logger = logging.getLogger(__name__)

#: The most one ship copies (the next copies the rest).
CHUNK_MAX = 4 << 20


class RunLogChunk(Base):
    __tablename__ = "run_log_chunks"
    __table_args__ = (UniqueConstraint("run_id", "start", name="uq_run_log_chunks_start"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(String(80))  # looked up by the unique (run, start)
    #: Byte offsets in the run's log file: [start, end).
    start: Mapped[int] = mapped_column(BigInteger)
    end: Mapped[int] = mapped_column(BigInteger)
    lines: Mapped[str] = mapped_column(Text)


def shipped_to(engine: Engine, run_id: str) -> int:
    """Where the catalog's copy of a run's log ends (0: nothing copied)."""
    with engine.connect() as conn:
        return int(conn.scalar(select(func.max(RunLogChunk.end))
                               .where(RunLogChunk.run_id == run_id)) or 0)


def ship_log(engine: Engine, run_id: str, path: Path, *, all_of_it: bool = False) -> int:
    """Copy the whole lines the log file gained since the catalog's copy ends; returns the
    bytes copied. ``all_of_it``: go on until the file's last whole line (the owner, at the
    end), not one :data:`CHUNK_MAX` only."""
    copied = 0
    while True:
        start = shipped_to(engine, run_id)
        try:
            with path.open("rb") as fh:
                fh.seek(start)
                data = fh.read(CHUNK_MAX)
        except OSError:  # not on this host (another's data directory), or gone
            return copied
        data = data[:data.rfind(b"\n") + 1]
        if not data:
            return copied
        try:
            with engine.begin() as conn:
                conn.execute(insert(RunLogChunk).values(
                    run_id=run_id, start=start, end=start + len(data),
                    lines=data.decode("utf-8", errors="replace")))
        except IntegrityError:  # another shipper copied from there first
            return copied
        copied += len(data)
        if not all_of_it:
            return copied


def read_shipped(engine: Engine, run_id: str, offset: int = 0) -> tuple[bytes, int] | None:
    """The catalog's copy of a run's log from byte ``offset`` on, and where it ends; None
    when the catalog holds none of it."""
    with engine.connect() as conn:
        rows = conn.execute(select(RunLogChunk.start, RunLogChunk.end, RunLogChunk.lines)
                            .where(RunLogChunk.run_id == run_id, RunLogChunk.end > offset)
                            .order_by(RunLogChunk.start)).all()
        if not rows:
            end = conn.scalar(select(func.max(RunLogChunk.end))
                              .where(RunLogChunk.run_id == run_id))
            return None if end is None else (b"", max(offset, int(end)))
    data = b"".join(lines.encode("utf-8") for _, _, lines in rows)
    first = rows[0][0]
    return data[max(0, offset - first):], int(rows[-1][1])


def tail_shipped(engine: Engine, run_id: str, size: int) -> bytes:
    """The whole lines of about the last ``size`` bytes of the catalog's copy."""
    start = max(0, shipped_to(engine, run_id) - size)
    found = read_shipped(engine, run_id, start)
    data = found[0] if found else b""
    return data[data.find(b"\n") + 1:] if start else data
