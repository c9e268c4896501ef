"""Plain value types shared by the writer and the reader."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from warcio.bufferedreaders import BufferedReader, ChunkedDataReader
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import iso_date_to_datetime

__all__ = ["ArchiveRecord", "HttpExchange", "Problem", "WarcRecordRef"]


@dataclass(frozen=True)
class HttpExchange:
    """One HTTP request and its response, exactly as they crossed the wire.

    Header values are ``str``; bytes received on the wire should be decoded as latin-1
    (as ``http.client`` does) so the writer can reproduce them byte for byte.
    """

    url: str
    method: str
    request_headers: list[tuple[str, str]]
    request_body: bytes
    status: int
    reason: str
    protocol: str
    response_headers: list[tuple[str, str]]
    body: bytes
    fetched_at: datetime
    ip_address: str | None = None

    def __post_init__(self) -> None:
        if self.fetched_at.tzinfo is None or self.fetched_at.utcoffset() is None:
            raise ValueError(f"fetched_at must be timezone-aware (got {self.fetched_at!r})")
        if not 100 <= self.status <= 999:
            raise ValueError(f"HTTP status must be a 3-digit code (got {self.status!r})")


@dataclass(frozen=True)
class WarcRecordRef:
    """Where one record lives: enough to read it back with :func:`archive.read_record`."""

    warc_file: str
    offset: int
    length: int
    record_id: str
    payload_digest: str
    record_type: str
    date: datetime


@dataclass(frozen=True)
class Problem:
    """One defect found by :func:`archive.verify_file`."""

    offset: int
    record_id: str | None
    message: str

    def __str__(self) -> str:
        rid = self.record_id or "-"
        return f"offset {self.offset} {rid}: {self.message}"


_STATUS_RX = re.compile(r"^\s*(\d{3})")


@dataclass(frozen=True)
class ArchiveRecord:
    """A WARC record read back from disk, payload fully loaded.

    ``headers`` are the WARC headers and ``http_headers`` the HTTP ones (both warcio
    ``StatusAndHeaders``: case-insensitive ``get``/``[]``/``in``, ``.headers`` list in order).
    ``raw_payload`` is the HTTP entity body as stored (never content-decoded); for records
    without HTTP headers (warcinfo, metadata) it is the whole block.
    """

    rec_type: str
    headers: StatusAndHeaders
    http_headers: StatusAndHeaders | None
    raw_payload: bytes
    digest_problems: tuple[str, ...] = field(default=())

    @property
    def record_id(self) -> str | None:
        value: str | None = self.headers.get_header("WARC-Record-ID")
        return value

    @property
    def target_uri(self) -> str | None:
        value: str | None = self.headers.get_header("WARC-Target-URI")
        return value

    @property
    def date(self) -> datetime | None:
        value = self.headers.get_header("WARC-Date")
        if not value:
            return None
        parsed: datetime = iso_date_to_datetime(value, tz_aware=True)
        return parsed.astimezone(UTC)

    @property
    def http_status(self) -> int | None:
        if self.http_headers is None or self.rec_type not in ("response", "revisit"):
            return None
        match = _STATUS_RX.match(self.http_headers.statusline or "")
        return int(match.group(1)) if match else None

    def decoded_payload(self) -> bytes:
        """The payload with its Content-Encoding (gzip, deflate, br) undone.

        Also de-chunks a payload stored with a literal ``Transfer-Encoding: chunked``
        header (other tools' WARCs); akhbar's own writer never stores one.
        """
        if self.http_headers is None:
            return self.raw_payload
        encoding = (self.http_headers.get_header("Content-Encoding") or "").strip().lower()
        if encoding in ("", "identity") or encoding not in (
            BufferedReader.get_supported_decompressors()
        ):
            encoding = ""
        stream = io.BytesIO(self.raw_payload)
        transfer = (self.http_headers.get_header("Transfer-Encoding") or "").lower()
        reader: BufferedReader
        if "chunked" in transfer:
            reader = ChunkedDataReader(stream, decomp_type=encoding or None)
        elif encoding:
            reader = BufferedReader(stream, decomp_type=encoding)
        else:
            return self.raw_payload
        out = io.BytesIO()
        while True:
            chunk = reader.read(65536)
            if not chunk:
                break
            out.write(chunk)
        return out.getvalue()
