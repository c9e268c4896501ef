"""Records built without warcio's RecordBuilder/WARCWriter are the bytes those would write;
the compression level of each record; an exchange is written whole or not at all."""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from warcio.recordbuilder import RecordBuilder
from warcio.warcwriter import BufferWARCWriter

from archive import ArchiveError, HttpExchange, RotatingWarcWriter, iter_records, payload_digest
from archive import writer as writer_module
from archive._records import (
    RecordFactory,
    WarcRecord,
    _request_headers,
    _response_headers,
    _warc_headers,
    warc_date,
)
from archive.linesink import CdxjLineSink
from tests.archive.conftest import FETCHED, FIXED_NOW, exchange

MakeWriter = Callable[..., RotatingWarcWriter]


def _warcio_bytes(record: Any) -> bytes:
    out = BufferWARCWriter(gzip=False, warc_version="1.1")
    out.write_record(record)
    return bytes(out.get_contents())


def _ours(record: WarcRecord) -> bytes:
    return b"".join(record.to_bytes())


def _warcio_http(ex: HttpExchange, rec_type: str, fields: list[tuple[str, str | None]],
                 body: bytes) -> Any:
    builder = RecordBuilder(warc_version="WARC/1.1")
    http = _request_headers(ex) if rec_type == "request" else _response_headers(ex)
    return builder.create_warc_record(ex.url, rec_type, payload=io.BytesIO(body),
                                      length=len(body), http_headers=http,
                                      warc_headers=_warc_headers(rec_type, "<urn:x:1>", fields))


def _exchanges(samples: dict[str, HttpExchange]) -> list[HttpExchange]:
    post = HttpExchange(**{**exchange("https://news.example/form?q=1", b"ok").__dict__,
                           "method": "POST", "request_body": "a=ب&b=2".encode()})
    odd = exchange("https://news.example/fa/خبر", "خبر".encode(), reason="",
                   headers=[("X-Odd", "caf\xe9"), ("X-U", "خبر"), ("X-Split", "a\r\nb")])
    return [*samples.values(), post, odd]


def test_http_records_are_what_warcio_writes(samples: dict[str, HttpExchange]) -> None:
    factory = RecordFactory()
    for ex in _exchanges(samples):
        date = warc_date(ex.fetched_at)
        ours = factory.response(ex, "<urn:x:1>", "<urn:x:w>")
        ref = _warcio_http(ex, "response", [("WARC-Date", date), ("WARC-Target-URI", ex.url),
                                            ("WARC-IP-Address", ex.ip_address),
                                            ("WARC-Warcinfo-ID", "<urn:x:w>")], ex.body)
        assert _ours(ours) == _warcio_bytes(ref)
        given = factory.response(ex, "<urn:x:1>", "<urn:x:w>", payload_digest(ex.body))
        assert _ours(given) == _ours(ours)
        ours = factory.request(ex, "<urn:x:1>", "<urn:x:r>", "<urn:x:w>")
        ref = _warcio_http(ex, "request", [("WARC-Date", date), ("WARC-Target-URI", ex.url),
                                           ("WARC-Concurrent-To", "<urn:x:r>"),
                                           ("WARC-Warcinfo-ID", "<urn:x:w>")], ex.request_body)
        assert _ours(ours) == _warcio_bytes(ref)
        ours = factory.revisit(ex, "<urn:x:1>", "<urn:x:w>", refers_to_uri=ex.url,
                               refers_to_date=FETCHED, refers_to_record_id=None,
                               payload_digest="sha1:ABC", profile="identical-payload-digest")
        profile = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
        ref = _warcio_http(ex, "revisit", [
            ("WARC-Date", date), ("WARC-Target-URI", ex.url), ("WARC-IP-Address", ex.ip_address),
            ("WARC-Warcinfo-ID", "<urn:x:w>"), ("WARC-Profile", profile),
            ("WARC-Refers-To-Target-URI", ex.url), ("WARC-Refers-To-Date", warc_date(FETCHED)),
            ("WARC-Payload-Digest", "sha1:ABC")], b"")
        assert _ours(ours) == _warcio_bytes(ref)


@pytest.mark.parametrize("content_type", ["application/json", ""])
def test_metadata_and_warcinfo_records_are_what_warcio_writes(content_type: str) -> None:
    factory = RecordFactory()
    content = '{"text": "خبرهای امروز"}'.encode()
    ours = factory.metadata("<urn:x:1>", FIXED_NOW, "<urn:x:w>", target_uri="https://n.example/",
                            concurrent_to="<urn:x:r>", content=content,
                            content_type=content_type)
    fields = [("WARC-Date", warc_date(FIXED_NOW)), ("WARC-Target-URI", "https://n.example/"),
              ("WARC-Concurrent-To", "<urn:x:r>"), ("WARC-Warcinfo-ID", "<urn:x:w>"),
              ("Content-Type", content_type)]
    ref = RecordBuilder(warc_version="WARC/1.1").create_warc_record(
        "https://n.example/", "metadata", payload=io.BytesIO(content), length=len(content),
        warc_headers=_warc_headers("metadata", "<urn:x:1>", fields))
    assert _ours(ours) == _warcio_bytes(ref)

    info = {"software": "akhbar/1", "hostname": "h", "empty": "", "outlet": "خبر"}
    ours = factory.warcinfo("<urn:x:1>", FIXED_NOW, "f.warc.gz", info)
    ref = RecordBuilder(warc_version="WARC/1.1").create_warcinfo_record("f.warc.gz", info)
    ref.rec_headers.replace_header("WARC-Record-ID", "<urn:x:1>")
    ref.rec_headers.replace_header("WARC-Date", warc_date(FIXED_NOW))
    assert _ours(ours) == _warcio_bytes(ref)


def test_compression_levels(make_writer: MakeWriter, samples: dict[str, HttpExchange],
                            tmp_path: Path) -> None:
    assert writer_module.GZIP_LEVEL_METADATA == 2 and writer_module.GZIP_LEVEL == 6
    with make_writer() as writer:
        stored = writer.write_exchange(samples["gzip"])  # Content-Encoding: gzip
        plain = writer.write_exchange(samples["error"])
        meta = writer.write_metadata(target_uri="https://n.example/", concurrent_to="<urn:x>",
                                     content=b'{"text": "' + b"news " * 400 + b'"}')
    data = (tmp_path / stored.warc_file).read_bytes()
    body = samples["gzip"].body
    assert body in data[stored.offset:stored.offset + stored.length]  # stored as it came
    assert body not in data[plain.offset:plain.offset + plain.length]
    member = data[meta.offset:meta.offset + meta.length]
    fast = zlib.compressobj(2, zlib.DEFLATED, 31)
    assert member == fast.compress(gzip.decompress(member)) + fast.flush()


class _FailingFile:
    """A WARC file handle whose ``fail_at``-th write fails as a full disk does."""

    def __init__(self, fh: Any, fail_at: int) -> None:
        self.fh, self.fail_at, self.writes = fh, fail_at, 0

    def write(self, data: bytes) -> int:
        self.writes += 1
        if self.writes == self.fail_at:
            self.fh.write(data[: len(data) // 2])
            raise OSError(28, "No space left on device")
        return int(self.fh.write(data))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.fh, name)


def test_a_failed_exchange_leaves_neither_record_nor_index_line(
    make_writer: MakeWriter, samples: dict[str, HttpExchange], tmp_path: Path
) -> None:
    sink = CdxjLineSink()
    writer = make_writer(line_sink=sink)
    writer.write_exchange(samples["gzip"])
    warc = writer._current
    assert warc is not None
    real = warc.fh
    warc.fh = _FailingFile(real, fail_at=2)  # the request record, after its response
    with pytest.raises(ArchiveError, match="No space left"):
        writer.write_exchange(samples["error"])
    warc.fh = real
    writer.write_exchange(samples["chunked"])
    files = writer.close()
    kinds = [(rec.rec_type, rec.target_uri)
             for _, _, rec in iter_records(tmp_path / files[0])]
    urls = {samples["gzip"].url, samples["chunked"].url}
    assert kinds[0][0] == "warcinfo" and len(kinds) == 5
    assert {url for _, url in kinds[1:]} == urls
    sink.merge_into(tmp_path / "index", tmp_path, files)
    index = (tmp_path / "index" / "demo_fa.cdxj").read_text("utf-8")
    assert len(index.splitlines()) == 2 and samples["error"].url not in index


def test_the_payload_digest_given_is_the_one_written(
    make_writer: MakeWriter, samples: dict[str, HttpExchange]
) -> None:
    ex = samples["gzip"]
    with make_writer() as writer:
        ref = writer.write_exchange(ex, payload_digest=payload_digest(ex.body))
    assert ref.payload_digest == payload_digest(ex.body)
    assert datetime.fromisoformat(warc_date(ex.fetched_at).replace("Z", "+00:00")) == ref.date
    assert ref.date.tzinfo is not None and ref.date.astimezone(UTC) == ex.fetched_at
