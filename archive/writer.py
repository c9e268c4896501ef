"""RotatingWarcWriter: gzip-per-record WARC/1.1 files, rotated by size, crash-safe."""

from __future__ import annotations

import logging
import os
import re
import socket
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING

from warcio.recordloader import ArcWarcRecord

from ._gzip import CompressedBlock, LevelledWarcWriter
from ._records import RecordFactory
from .errors import ArchiveError, WarcWriteError
from .model import HttpExchange, WarcRecordRef

if TYPE_CHECKING:
    from .linesink import CdxjLineSink

try:  # advisory lock so recovery never truncates a file a live writer still owns
    import fcntl
except ImportError:  # pragma: no cover - non-POSIX
    fcntl = None  # type: ignore[assignment]

logger = logging.getLogger(__name__)

__all__ = ["OPEN_SUFFIX", "RotatingWarcWriter", "sanitize_host"]

OPEN_SUFFIX = ".open"
CONFORMS_TO = "http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"
_OUTLET_RX = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def sanitize_host(host: str) -> str:
    """Keep a host name usable as the last part of a WARC file name."""
    return re.sub(r"[^A-Za-z0-9.-]", "-", host).strip(".-") or "localhost"


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "unknown"


def _uuid4() -> str:
    """A random (version 4) UUID's text, as ``str(uuid.uuid4())`` gives it, at a quarter of
    its cost (three a page: its response, its request and its metadata)."""
    h = os.urandom(16).hex()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"


def _software() -> str:
    return f"akhbar/{_version('akhbar')} warcio/{_version('warcio')}"


class _OpenWarc:
    """The file currently being written and the bookkeeping that goes with it."""

    def __init__(self, fh: IO[bytes], final_rel: str, open_path: Path, warcinfo_id: str) -> None:
        self.fh = fh
        self.final_rel = final_rel
        self.open_path = open_path
        self.warcinfo_id = warcinfo_id
        self.writer = LevelledWarcWriter(fh, warc_version="1.1")


class RotatingWarcWriter:
    """Writes exchanges to ``<root>/<outlet>/<YYYY>/<MM>/<outlet>-<ts>-<serial>-<host>.warc.gz``.

    Every record is its own gzip member and is flushed as soon as it is written, so a
    killed process leaves ``*.warc.gz.open`` files holding only whole members up to the
    last completed record (see :func:`archive.recover_open_files`). A file is renamed to
    its final name when it is closed: on rotation (once it has reached ``max_size`` after
    an exchange) and on :meth:`close`. Not for sharing between processes; one writer per
    crawl process.

    With a ``line_sink`` (:class:`archive.linesink.CdxjLineSink`) the CDXJ index lines of the
    records are made as they are written.
    """

    def __init__(
        self,
        root: Path,
        outlet: str,
        *,
        run_id: str,
        max_size: int = 1_000_000_000,
        host: str | None = None,
        warcinfo: dict[str, str] | None = None,
        clock: Callable[[], datetime] = _utc_now,
        id_factory: Callable[[], str] | None = None,
        line_sink: CdxjLineSink | None = None,
    ) -> None:
        if not _OUTLET_RX.match(outlet):
            raise ValueError(
                f"outlet id {outlet!r} is not usable in a file name "
                "(letters, digits, '_', '.', '-')"
            )
        if max_size <= 0:
            raise ValueError(f"max_size must be positive (got {max_size})")
        self.root = Path(root)
        self.outlet = outlet
        self.run_id = run_id
        self.max_size = max_size
        self.host = sanitize_host(host or socket.gethostname())
        self.extra_warcinfo = dict(warcinfo or {})
        self._clock = clock
        self._id_factory = id_factory
        self.line_sink = line_sink
        self._factory = RecordFactory()
        self._current: _OpenWarc | None = None
        self._files: list[str] = []
        self._serial = 0
        self._closed = False
        self._lock = threading.Lock()

    # -- public API -------------------------------------------------------------------
    @property
    def files(self) -> list[str]:
        """Final relative paths of every file this writer has started (current one included)."""
        return list(self._files)

    @property
    def current_file(self) -> str | None:
        """Final relative path of the file being written, if any."""
        return self._current.final_rel if self._current else None

    def write_exchange(self, ex: HttpExchange) -> WarcRecordRef:
        """Write a ``response`` then its ``request``; return the response's location."""
        with self._lock:
            warc = self._ensure_open()
            resp_id = self._new_id()
            response = self._factory.response(ex, resp_id, warc.warcinfo_id)
            ref = self._write(warc, response)
            request = self._factory.request(ex, self._new_id(), resp_id, warc.warcinfo_id)
            self._write(warc, request)
            self._maybe_rotate()
            return ref

    def write_revisit(
        self,
        ex: HttpExchange,
        *,
        refers_to_uri: str,
        refers_to_date: datetime,
        refers_to_record_id: str | None,
        payload_digest: str,
        profile: str = "identical-payload-digest",
    ) -> WarcRecordRef:
        """Write a ``revisit`` (HTTP headers only) and its ``request``.

        ``profile`` is ``identical-payload-digest`` (same body as an earlier capture) or
        ``server-not-modified`` (a 304), or a full profile URI.
        """
        with self._lock:
            warc = self._ensure_open()
            rev_id = self._new_id()
            revisit = self._factory.revisit(
                ex,
                rev_id,
                warc.warcinfo_id,
                refers_to_uri=refers_to_uri,
                refers_to_date=refers_to_date,
                refers_to_record_id=refers_to_record_id,
                payload_digest=payload_digest,
                profile=profile,
            )
            ref = self._write(warc, revisit)
            self._write(warc, self._factory.request(ex, self._new_id(), rev_id, warc.warcinfo_id))
            self._maybe_rotate()
            return ref

    def write_metadata(
        self,
        *,
        target_uri: str,
        concurrent_to: str,
        content: bytes | CompressedBlock,
        content_type: str = "application/json",
    ) -> WarcRecordRef:
        """Write a ``metadata`` record about the record ``concurrent_to`` (its record id).
        ``content`` may come deflated already (:func:`archive.compress_block`)."""
        block, data = (content, content.content) if isinstance(content, CompressedBlock) else (
            None, content)
        with self._lock:
            warc = self._ensure_open()
            record = self._factory.metadata(
                self._new_id(),
                self._clock(),
                warc.warcinfo_id,
                target_uri=target_uri,
                concurrent_to=concurrent_to,
                content=data,
                content_type=content_type,
            )
            ref = self._write(warc, record, block)
            self._maybe_rotate()
            return ref

    def write_resource(
        self,
        *,
        target_uri: str,
        content: bytes,
        content_type: str,
        concurrent_to: str | None = None,
        date: datetime | None = None,
        repeats: tuple[str, datetime] | None = None,
    ) -> WarcRecordRef:
        """Write a ``resource`` record (e.g. a page's rendered DOM or its screenshot), linked
        to the record ``concurrent_to`` when given; a revisit of the resource ``repeats``
        (its record id and date) when that one has the same content."""
        with self._lock:
            warc = self._ensure_open()
            record = self._factory.resource(
                self._new_id(),
                date or self._clock(),
                warc.warcinfo_id,
                target_uri=target_uri,
                concurrent_to=concurrent_to,
                content=content,
                content_type=content_type,
                repeats=repeats,
            )
            ref = self._write(warc, record)
            self._maybe_rotate()
            return ref

    def close(self) -> list[str]:
        """Close and rename the open file; return the final paths of all files written."""
        with self._lock:
            self._close_current()
            self._closed = True
            return list(self._files)

    def __enter__(self) -> RotatingWarcWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- internals --------------------------------------------------------------------
    def _new_id(self) -> str:
        raw = self._id_factory() if self._id_factory else _uuid4()
        return raw if raw.startswith("<") else f"<urn:uuid:{raw}>"

    def _write(self, warc: _OpenWarc, record: ArcWarcRecord,
               block: CompressedBlock | None = None) -> WarcRecordRef:
        offset = warc.fh.tell()
        try:
            # Flushes the gzip member and the file.
            if block is None:
                warc.writer.write_record(record)
            else:
                warc.writer.write_record_with(record, block)
        except Exception as exc:
            # Never leave half a member before the next record (e.g. disk full).
            self._discard_partial(warc, offset)
            if isinstance(exc, OSError):
                raise WarcWriteError(exc.errno, f"cannot write to {warc.open_path}: "
                                     f"{exc.strerror or exc}") from exc
            raise
        length = warc.fh.tell() - offset
        if self.line_sink is not None:
            self.line_sink.add(record, offset, length)
        headers = record.rec_headers
        date = datetime.fromisoformat(headers.get_header("WARC-Date").replace("Z", "+00:00"))
        return WarcRecordRef(
            warc_file=warc.final_rel,
            offset=offset,
            length=length,
            record_id=headers.get_header("WARC-Record-ID"),
            payload_digest=headers.get_header("WARC-Payload-Digest") or "",
            record_type=record.rec_type,
            date=date,
        )

    @staticmethod
    def _discard_partial(warc: _OpenWarc, offset: int) -> None:
        try:
            warc.fh.seek(offset)
            warc.fh.truncate()
            warc.fh.flush()
        except OSError:
            logger.exception("could not cut partial record from %s", warc.open_path)

    def _maybe_rotate(self) -> None:
        if self._current is not None and self._current.fh.tell() >= self.max_size:
            self._close_current()

    def _ensure_open(self) -> _OpenWarc:
        if self._closed:
            raise ArchiveError(f"writer for {self.outlet!r} is closed")
        if self._current is None:
            self._current = self._open_next()
        return self._current

    def _open_next(self) -> _OpenWarc:
        now = self._clock().astimezone(UTC)
        stamp = now.strftime("%Y%m%d%H%M%S") + f"{now.microsecond // 1000:03d}"
        folder = Path(self.outlet, f"{now:%Y}", f"{now:%m}")
        (self.root / folder).mkdir(parents=True, exist_ok=True)
        while True:
            name = f"{self.outlet}-{stamp}-{self._serial:05d}-{self.host}.warc.gz"
            self._serial += 1
            final = self.root / folder / name
            open_path = final.with_name(name + OPEN_SUFFIX)
            if final.exists():
                continue
            try:
                fh = open(open_path, "xb")  # noqa: SIM115 - kept open across calls
            except FileExistsError:
                continue
            except OSError as exc:
                raise WarcWriteError(exc.errno, f"cannot create {open_path}: "
                                     f"{exc.strerror or exc}") from exc
            break
        if fcntl is not None:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        rel = (folder / name).as_posix()
        warcinfo_id = self._new_id()
        warc = _OpenWarc(fh, rel, open_path, warcinfo_id)
        if self.line_sink is not None:
            self.line_sink.open_file(rel, open_path.parent)
        record = self._factory.warcinfo(warcinfo_id, now, name, self._warcinfo_fields())
        try:
            self._write(warc, record)
        except BaseException:
            # Not even its warcinfo fits (a full disk): the file holds nothing, and nothing
            # would close it (it never became the current file), so it goes now. Otherwise
            # every later write opens one more, each still locked by this live process,
            # so recovery could close none of them.
            self._abandon(warc)
            raise
        self._files.append(rel)
        logger.info("opened WARC %s", open_path)
        return warc

    def _warcinfo_fields(self) -> dict[str, str]:
        fields = {
            "software": _software(),
            "format": "WARC File Format 1.1",
            "conformsTo": CONFORMS_TO,
            "isPartOf": self.outlet,
            "outlet": self.outlet,
            "run-id": self.run_id,
            "hostname": self.host,
            "robots": "obey",
        }
        fields.update(self.extra_warcinfo)
        return fields

    def _abandon(self, warc: _OpenWarc) -> None:
        try:
            warc.fh.close()
        except OSError:
            pass
        warc.open_path.unlink(missing_ok=True)  # its index lines go with the next open_file

    def _close_current(self) -> None:
        warc = self._current
        if warc is None:
            return
        self._current = None
        try:
            warc.fh.flush()
            os.fsync(warc.fh.fileno())
        finally:
            warc.fh.close()  # also releases the flock
        final = self.root / warc.final_rel
        os.replace(warc.open_path, final)
        if self.line_sink is not None:
            self.line_sink.close_file(warc.final_rel)
        logger.info("closed WARC %s (%d bytes)", final, final.stat().st_size)
