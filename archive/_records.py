"""Build warcio records for akhbar's exchanges (no file handling here)."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable
from datetime import UTC, datetime
from urllib.parse import urlsplit

from warcio.recordbuilder import RecordBuilder
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date

from .digest import digest_value, payload_digest
from .model import HttpExchange

WARC_VERSION = "WARC/1.1"
REVISIT_PROFILES = {
    "identical-payload-digest": "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest",
    "server-not-modified": "http://netpreserve.org/warc/1.1/revisit/server-not-modified",
}
# The body handed to us is already de-chunked; keeping the header would make replay tools
# try to de-chunk it again. warcprox and pywb rename it the same way.
ORIG_TRANSFER_ENCODING = "X-Archive-Orig-Transfer-Encoding"


def warc_date(dt: datetime) -> str:
    """ISO 8601 UTC with microseconds when non-zero (WARC/1.1 allows them)."""
    return str(datetime_to_iso_date(dt.astimezone(UTC).replace(tzinfo=None), use_micros=True))


class VerbatimHeaders(StatusAndHeaders):  # type: ignore[misc]
    """HTTP headers serialized byte for byte as received.

    warcio percent-encodes non-ASCII header values, which would change the bytes we
    archive; here each line is encoded latin-1 (the inverse of how wire bytes are decoded),
    falling back to UTF-8 for text that never came from the wire.
    """

    headers_buff: bytes | None

    def compute_headers_buffer(self, header_filter: object = None) -> None:
        # Made once, when the record's digests are (RecordFactory); warcio asks again when
        # it writes the record. Nothing changes the headers in between.
        if self.headers_buff is not None:
            return
        lines = [f"{self.protocol} {self.statusline}"]
        lines += [f"{name}: {value}" for name, value in self.headers]
        self.headers_buff = b"".join(_encode_line(line) + b"\r\n" for line in lines) + b"\r\n"


def _encode_line(line: str) -> bytes:
    line = line.replace("\r", " ").replace("\n", " ")
    try:
        return line.encode("latin-1")
    except UnicodeEncodeError:
        return line.encode("utf-8")


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


class WarcHeaders(StatusAndHeaders):  # type: ignore[misc]
    """A record's WARC headers as akhbar makes them: each name once, spelled as looked up
    (``WARC-Date``), so a look-up finds it without lower-casing every name on the way, as
    warcio does (a record's headers are looked up ~10 times as it is written and indexed).
    A name spelled otherwise is still found, case-insensitively."""

    def get_header(self, name: str, default_value: str | None = None) -> str | None:
        for key, value in self.headers:
            if key == name:
                return str(value)
        found: str | None = super().get_header(name, default_value)
        return found


def _warc_headers(
    rec_type: str, record_id: str, fields: Iterable[tuple[str, str | None]]
) -> StatusAndHeaders:
    headers = [("WARC-Type", rec_type), ("WARC-Record-ID", record_id)]
    headers += [(name, value) for name, value in fields if value]
    return WarcHeaders("", headers, protocol=WARC_VERSION)


def _add_digests(warc_headers: StatusAndHeaders, payload: str | None, block: str) -> None:
    """The digests warcio would add, in its order (``WARC-Payload-Digest`` when the record is
    made, ``WARC-Block-Digest`` when it is written), so that it writes the record as it is.
    warcio hashes the payload through a stream of 16 KB reads for each digest (a metadata
    record's block and payload, the same bytes, twice). ``payload`` None: a revisit, whose
    payload digest is the original's, already among its headers."""
    if payload is not None:
        warc_headers.add_header("WARC-Payload-Digest", payload)
    warc_headers.add_header("WARC-Block-Digest", block)


class RecordFactory:
    """Creates warcio ``ArcWarcRecord`` objects, their digests computed here as warcio would."""

    def __init__(self) -> None:
        self.builder = RecordBuilder(warc_version=WARC_VERSION)

    def warcinfo(
        self, record_id: str, date: datetime, filename: str, info: dict[str, str]
    ) -> ArcWarcRecord:
        record: ArcWarcRecord = self.builder.create_warcinfo_record(filename, info)
        record.rec_headers.replace_header("WARC-Record-ID", record_id)
        record.rec_headers.replace_header("WARC-Date", warc_date(date))
        return record

    def response(self, ex: HttpExchange, record_id: str, warcinfo_id: str) -> ArcWarcRecord:
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
        return self._http_record(ex.url, "response", headers, _response_headers(ex), ex.body)

    def request(
        self, ex: HttpExchange, record_id: str, response_id: str, warcinfo_id: str
    ) -> ArcWarcRecord:
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
        return self._http_record(ex.url, "request", headers, _request_headers(ex), ex.request_body)

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
    ) -> ArcWarcRecord:
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
        # warcio writes only the HTTP headers of a revisit and digests just those.
        return self._http_record(ex.url, "revisit", headers, _response_headers(ex), b"")

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
    ) -> ArcWarcRecord:
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
        digest = payload_digest(content)
        _add_digests(headers, digest, digest)
        record: ArcWarcRecord = self.builder.create_warc_record(
            target_uri,
            "metadata",
            payload=io.BytesIO(content),
            length=len(content),
            warc_headers=headers,
        )
        return record

    def resource(
        self,
        record_id: str,
        date: datetime,
        warcinfo_id: str,
        *,
        target_uri: str,
        concurrent_to: str | None,
        content: bytes,
        content_type: str,
        repeats: tuple[str, datetime] | None = None,
    ) -> ArcWarcRecord:
        """A ``resource``: content akhbar made itself (a rendered DOM, a screenshot), not an
        HTTP exchange; ``concurrent_to`` links it to the response it was made from. With
        ``repeats`` (the record id and date of an earlier resource of ``target_uri`` with
        the same content), an ``identical-payload-digest`` revisit of it instead."""
        fields: list[tuple[str, str | None]] = [
            ("WARC-Date", warc_date(date)),
            ("WARC-Target-URI", target_uri),
            ("WARC-Concurrent-To", concurrent_to),
            ("WARC-Warcinfo-ID", warcinfo_id),
            ("Content-Type", content_type),
        ]
        if repeats is not None:
            fields += [
                ("WARC-Profile", REVISIT_PROFILES["identical-payload-digest"]),
                ("WARC-Refers-To", repeats[0]),
                ("WARC-Refers-To-Target-URI", target_uri),
                ("WARC-Refers-To-Date", warc_date(repeats[1])),
                ("WARC-Payload-Digest", payload_digest(content)),
            ]
        kind = "resource" if repeats is None else "revisit"
        record: ArcWarcRecord = self.builder.create_warc_record(
            target_uri,
            kind,
            payload=io.BytesIO(content) if repeats is None else None,
            length=len(content) if repeats is None else 0,
            warc_headers=_warc_headers(kind, record_id, fields),
        )
        return record

    def _http_record(
        self,
        uri: str,
        rec_type: str,
        warc_headers: StatusAndHeaders,
        http_headers: StatusAndHeaders,
        body: bytes,
    ) -> ArcWarcRecord:
        http_headers.compute_headers_buffer()
        head = http_headers.headers_buff
        block = hashlib.sha1(head)
        if rec_type == "revisit":  # written without its body
            _add_digests(warc_headers, None, digest_value(block))
        else:
            block.update(body)
            _add_digests(warc_headers, payload_digest(body), digest_value(block))
        record: ArcWarcRecord = self.builder.create_warc_record(
            uri,
            rec_type,
            payload=io.BytesIO(body),
            length=len(body),
            warc_headers=warc_headers,
            http_headers=http_headers,
        )
        return record
