"""Build akhbar's WARC records, complete with their digests (no file handling here).

The records are what warcio's ``RecordBuilder`` + ``WARCWriter`` make, byte for byte (same
headers in the same order, same digests), built directly: warcio digests a body by reading
it back from a stream twice, once when the record is built and again when it is written,
and adds the block digest, ``Content-Type`` and ``Content-Length`` only while writing.
Here each digest is computed once from the bytes in memory and the record is complete
when built, so the writer only serialises and compresses it (:meth:`WarcRecord.to_bytes`).
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable
from datetime import UTC, datetime
from urllib.parse import urlsplit

from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date

from .digest import sha1_digest
from .model import HttpExchange

WARC_VERSION = "WARC/1.1"
REVISIT_PROFILES = {
    "identical-payload-digest": "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest",
    "server-not-modified": "http://netpreserve.org/warc/1.1/revisit/server-not-modified",
}
# The body handed to us is already de-chunked; keeping the header would make replay tools
# try to de-chunk it again. warcprox and pywb rename it the same way.
ORIG_TRANSFER_ENCODING = "X-Archive-Orig-Transfer-Encoding"
# warcio's RecordBuilder.WARC_RECORDS: the Content-Type of a record that names none.
CONTENT_TYPES = {
    "warcinfo": "application/warc-fields",
    "response": "application/http; msgtype=response",
    "revisit": "application/http; msgtype=response",
    "request": "application/http; msgtype=request",
    "metadata": "application/warc-fields",
}
_END = b"\r\n\r\n"
_EMPTY_DIGEST = sha1_digest(hashlib.sha1(b""))  # a GET request's payload


def warc_date(dt: datetime) -> str:
    """ISO 8601 UTC with microseconds when non-zero (WARC/1.1 allows them)."""
    return str(datetime_to_iso_date(dt.astimezone(UTC).replace(tzinfo=None), use_micros=True))


class VerbatimHeaders(StatusAndHeaders):  # type: ignore[misc]
    """HTTP headers serialized byte for byte as received.

    warcio percent-encodes non-ASCII header values, which would change the bytes we
    archive; here each line is encoded latin-1 (the inverse of how wire bytes are decoded),
    falling back to UTF-8 for text that never came from the wire.
    """

    def compute_headers_buffer(self, header_filter: object = None) -> None:
        lines = [f"{self.protocol} {self.statusline}"]
        lines += [f"{name}: {value}" for name, value in self.headers]
        self.headers_buff = b"".join(_encode_line(line) + b"\r\n" for line in lines) + b"\r\n"


def _encode_line(line: str) -> bytes:
    line = line.replace("\r", " ").replace("\n", " ")
    try:
        return line.encode("latin-1")
    except UnicodeEncodeError:
        return line.encode("utf-8")


class WarcRecord(ArcWarcRecord):  # type: ignore[misc]
    """A warcio record whose WARC headers are final (digests, ``Content-Type``,
    ``Content-Length``), with the bytes of its block kept for writing."""

    def __init__(self, rec_type: str, rec_headers: StatusAndHeaders,
                 http_headers: StatusAndHeaders | None, body: bytes, content_type: str,
                 http_buff: bytes) -> None:
        length = len(http_buff) + len(body)
        super().__init__("warc", rec_type, rec_headers, io.BytesIO(body), http_headers,
                         content_type, length, payload_length=len(body))
        self.http_buff = http_buff
        self.body = body

    def to_bytes(self) -> tuple[bytes, bytes, bytes, bytes]:
        """The record as warcio writes it: WARC headers (UTF-8), HTTP headers, payload,
        and the blank lines that end it."""
        headers = self.rec_headers
        text = "".join([f"{name}: {value}\r\n" for name, value in headers.headers])
        head = f"{headers.protocol}\r\n{text}\r\n".encode()
        return head, self.http_buff, self.body, _END


def _complete(
    rec_type: str,
    headers: StatusAndHeaders,
    http: StatusAndHeaders | None,
    body: bytes,
    payload_digest: str | None = None,
) -> WarcRecord:
    """The record warcio would write: payload digest (when the headers lack one; none for
    warcinfo and revisit records), block digest, Content-Type, Content-Length, in that
    order; a revisit keeps only its HTTP headers."""
    http_buff = b""
    if http:  # warcio skips HTTP headers that are empty
        http.compute_headers_buffer()
        http_buff = http.headers_buff
    else:
        http = None
    if rec_type == "revisit":
        body = b""
    block = hashlib.sha1(http_buff)
    block.update(body)
    block_digest = sha1_digest(block)
    if rec_type not in ("warcinfo", "revisit") and not headers.get_header("WARC-Payload-Digest"):
        if payload_digest is None:  # without HTTP headers the payload is the block
            payload_digest = (
                block_digest if not http_buff
                else _EMPTY_DIGEST if not body
                else sha1_digest(hashlib.sha1(body))
            )
        headers.add_header("WARC-Payload-Digest", payload_digest)
    headers.add_header("WARC-Block-Digest", block_digest)
    content_type = headers.get_header("Content-Type") or CONTENT_TYPES[rec_type]
    headers.replace_header("Content-Type", content_type)
    headers.add_header("Content-Length", str(len(http_buff) + len(body)))
    return WarcRecord(rec_type, headers, http, body, content_type, http_buff)


def _response_headers(ex: HttpExchange) -> VerbatimHeaders:
    headers = [
        (ORIG_TRANSFER_ENCODING if name.strip().lower() == "transfer-encoding" else name, value)
        for name, value in ex.response_headers
    ]
    return VerbatimHeaders(f"{ex.status} {ex.reason}", headers, protocol=ex.protocol or "HTTP/1.1")


def _request_headers(ex: HttpExchange) -> VerbatimHeaders:
    parts = urlsplit(ex.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = list(ex.request_headers)
    # The HTTP client adds Host on the wire even when the caller's headers lack it.
    if not any(name.lower() == "host" for name, _ in headers) and parts.netloc:
        headers.insert(0, ("Host", parts.netloc.rsplit("@", 1)[-1]))
    return VerbatimHeaders(
        f"{target} {ex.protocol or 'HTTP/1.1'}", headers, protocol=ex.method.upper() or "GET"
    )


def _warc_headers(
    rec_type: str, record_id: str, fields: Iterable[tuple[str, str | None]]
) -> StatusAndHeaders:
    headers = [("WARC-Type", rec_type), ("WARC-Record-ID", record_id)]
    headers += [(name, value) for name, value in fields if value]
    return StatusAndHeaders("", headers, protocol=WARC_VERSION)


class RecordFactory:
    """Creates complete :class:`WarcRecord` objects (see the module's doc)."""

    def warcinfo(
        self, record_id: str, date: datetime, filename: str, info: dict[str, str]
    ) -> WarcRecord:
        headers = _warc_headers(
            "warcinfo", record_id, [("WARC-Filename", filename), ("WARC-Date", warc_date(date))]
        )
        body = "".join(f"{name}: {value}\r\n" for name, value in info.items() if value)
        return _complete("warcinfo", headers, None, body.encode("utf-8"))

    def response(
        self, ex: HttpExchange, record_id: str, warcinfo_id: str, payload_digest: str | None = None
    ) -> WarcRecord:
        """``payload_digest``, if given, must be :func:`archive.payload_digest` of ``ex.body``."""
        headers = _warc_headers(
            "response",
            record_id,
            [
                ("WARC-Date", warc_date(ex.fetched_at)),
                ("WARC-Target-URI", ex.url),
                ("WARC-IP-Address", ex.ip_address),
                ("WARC-Warcinfo-ID", warcinfo_id),
            ],
        )
        return _complete("response", headers, _response_headers(ex), ex.body, payload_digest)

    def request(
        self, ex: HttpExchange, record_id: str, response_id: str, warcinfo_id: str
    ) -> WarcRecord:
        headers = _warc_headers(
            "request",
            record_id,
            [
                ("WARC-Date", warc_date(ex.fetched_at)),
                ("WARC-Target-URI", ex.url),
                ("WARC-Concurrent-To", response_id),
                ("WARC-Warcinfo-ID", warcinfo_id),
            ],
        )
        return _complete("request", headers, _request_headers(ex), ex.request_body)

    def revisit(
        self,
        ex: HttpExchange,
        record_id: str,
        warcinfo_id: str,
        *,
        refers_to_uri: str,
        refers_to_date: datetime,
        refers_to_record_id: str | None,
        payload_digest: str,
        profile: str,
    ) -> WarcRecord:
        profile_uri = REVISIT_PROFILES.get(profile, profile)
        headers = _warc_headers(
            "revisit",
            record_id,
            [
                ("WARC-Date", warc_date(ex.fetched_at)),
                ("WARC-Target-URI", ex.url),
                ("WARC-IP-Address", ex.ip_address),
                ("WARC-Warcinfo-ID", warcinfo_id),
                ("WARC-Profile", profile_uri),
                ("WARC-Refers-To", refers_to_record_id),
                ("WARC-Refers-To-Target-URI", refers_to_uri),
                ("WARC-Refers-To-Date", warc_date(refers_to_date)),
                ("WARC-Payload-Digest", payload_digest),
            ],
        )
        # Only the HTTP headers of a revisit are written, and digested.
        return _complete("revisit", headers, _response_headers(ex), b"")

    def metadata(
        self,
        record_id: str,
        date: datetime,
        warcinfo_id: str,
        *,
        target_uri: str,
        concurrent_to: str,
        content: bytes,
        content_type: str,
    ) -> WarcRecord:
        headers = _warc_headers(
            "metadata",
            record_id,
            [
                ("WARC-Date", warc_date(date)),
                ("WARC-Target-URI", target_uri),
                ("WARC-Concurrent-To", concurrent_to),
                ("WARC-Warcinfo-ID", warcinfo_id),
                ("Content-Type", content_type),
            ],
        )
        # No HTTP headers: the payload is the block, one digest serves for both.
        return _complete("metadata", headers, None, content)
