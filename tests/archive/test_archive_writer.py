"""RotatingWarcWriter: layout, records, digests, links, rotation, warcio compatibility."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import subprocess
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive import ArchiveError, HttpExchange, RotatingWarcWriter, WarcRecordRef
from archive._gzip import gzip_member
from archive.writer import _uuid4

FINAL = "demo_fa/2026/11/demo_fa-20261129003012345-00000-testhost.warc.gz"


def sha1_b32(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


def read_all(path: Path) -> list[tuple[int, int, object, bytes]]:
    """(offset, length, record, raw payload) for each record, via warcio alone."""
    out = []
    with open(path, "rb") as fh:
        it = ArchiveIterator(fh)
        for rec in it:
            payload = rec.raw_stream.read()
            out.append((it.get_record_offset(), it.get_record_length(), rec, payload))
    return out


def write_samples(
    writer: RotatingWarcWriter, samples: dict[str, HttpExchange]
) -> dict[str, WarcRecordRef]:
    return {name: writer.write_exchange(ex) for name, ex in samples.items()}


def test_layout_open_suffix_and_rename(
    make_writer: Callable[..., RotatingWarcWriter], samples: dict[str, HttpExchange], tmp_path: Path
) -> None:
    writer = make_writer()
    ref = writer.write_exchange(samples["gzip"])
    assert ref.warc_file == FINAL
    assert writer.files == [FINAL]
    assert (tmp_path / (FINAL + ".open")).is_file()
    assert not (tmp_path / FINAL).exists()
    assert writer.close() == [FINAL]
    assert (tmp_path / FINAL).is_file()
    assert not (tmp_path / (FINAL + ".open")).exists()
    with pytest.raises(ArchiveError):
        writer.write_exchange(samples["gzip"])


def test_host_is_sanitized(
    make_writer: Callable[..., RotatingWarcWriter], samples: dict[str, HttpExchange]
) -> None:
    with make_writer(host="my host_01/x") as writer:
        ref = writer.write_exchange(samples["error"])
    assert ref.warc_file.endswith("-00000-my-host-01-x.warc.gz")


def test_records_read_back_byte_for_byte(
    make_writer: Callable[..., RotatingWarcWriter], samples: dict[str, HttpExchange], tmp_path: Path
) -> None:
    with make_writer() as writer:
        refs = write_samples(writer, samples)
    records = read_all(tmp_path / FINAL)
    by_offset = {offset: (length, rec, payload) for offset, length, rec, payload in records}

    assert records[0][2].rec_type == "warcinfo"  # type: ignore[attr-defined]
    for name, ex in samples.items():
        ref = refs[name]
        length, rec, payload = by_offset[ref.offset]
        assert length == ref.length
        assert rec.rec_type == "response"  # type: ignore[attr-defined]
        assert payload == ex.body, name
        headers = rec.rec_headers  # type: ignore[attr-defined]
        assert headers["WARC-Record-ID"] == ref.record_id
        assert headers["WARC-Target-URI"] == ex.url
        assert headers["WARC-IP-Address"] == "127.0.0.1"
        assert headers["WARC-Date"] == "2026-11-29T00:31:05.123456Z"
        assert headers["WARC-Payload-Digest"] == sha1_b32(ex.body) == ref.payload_digest
        assert headers["WARC-Block-Digest"].startswith("sha1:")
        assert rec.http_headers.get_statuscode() == str(ex.status)  # type: ignore[attr-defined]
        assert ref.date == ex.fetched_at


def test_request_concurrent_to_response(
    make_writer: Callable[..., RotatingWarcWriter], samples: dict[str, HttpExchange], tmp_path: Path
) -> None:
    with make_writer() as writer:
        refs = write_samples(writer, samples)
    records = read_all(tmp_path / FINAL)
    requests = [rec for _, _, rec, _ in records if rec.rec_type == "request"]  # type: ignore
    links = {r.rec_headers["WARC-Concurrent-To"]: r for r in requests}
    assert set(links) == {ref.record_id for ref in refs.values()}
    req = links[refs["chunked"].record_id]
    assert req.http_headers.protocol == "GET"
    assert req.http_headers.statusline == "/en/2?page=1 HTTP/1.1"
    assert req.http_headers["Host"] == "news.example"
    assert req.http_headers["User-Agent"] == "akhbar-test/1.0"
    assert req.rec_headers["WARC-Target-URI"] == samples["chunked"].url


def test_http_headers_as_received_but_chunked_renamed(
    make_writer: Callable[..., RotatingWarcWriter], samples: dict[str, HttpExchange], tmp_path: Path
) -> None:
    with make_writer() as writer:
        refs = write_samples(writer, samples)
    by_offset = {o: rec for o, _, rec, _ in read_all(tmp_path / FINAL)}
    chunked = by_offset[refs["chunked"].offset].http_headers  # type: ignore[attr-defined]
    assert chunked.get_header("Transfer-Encoding") is None
    assert chunked.get_header("X-Archive-Orig-Transfer-Encoding") == "chunked"
    gz = by_offset[refs["gzip"].offset].http_headers  # type: ignore[attr-defined]
    assert gz.headers == samples["gzip"].response_headers  # order and duplicates kept
    redirect = by_offset[refs["redirect"].offset].http_headers  # type: ignore[attr-defined]
    assert redirect.statusline == "301 Moved Permanently"
    assert redirect["Location"] == "https://news.example/new"


def test_header_block_is_exact_bytes(
    make_writer: Callable[..., RotatingWarcWriter],
    make_exchange: Callable[..., HttpExchange],
    tmp_path: Path,
) -> None:
    # A non-ASCII header arriving as latin-1-decoded bytes must be stored unchanged,
    # not percent-encoded.
    raw_value = 'attachment; filename="خبر.html"'.encode().decode("latin-1")
    ex = make_exchange("https://news.example/x", b"x", headers=[("Content-Disposition", raw_value)])
    with make_writer() as writer:
        ref = writer.write_exchange(ex)
    data = (tmp_path / FINAL).read_bytes()[ref.offset : ref.offset + ref.length]
    block = gzip.decompress(data)
    expected = (
        'HTTP/1.1 200 OK\r\nContent-Disposition: attachment; filename="خبر.html"\r\n\r\nx'
    ).encode()
    assert expected in block


def test_warcinfo_first_in_every_file(
    make_writer: Callable[..., RotatingWarcWriter], samples: dict[str, HttpExchange], tmp_path: Path
) -> None:
    with make_writer(warcinfo={"operator": "akhbar tests", "robots": "ignore"}) as writer:
        write_samples(writer, samples)
    records = read_all(tmp_path / FINAL)
    _, _, info, payload = records[0]
    assert info.rec_type == "warcinfo"  # type: ignore[attr-defined]
    assert info.rec_headers["WARC-Filename"] == Path(FINAL).name  # type: ignore[attr-defined]
    assert info.rec_headers["WARC-Date"] == "2026-11-29T00:30:12.345678Z"  # type: ignore
    fields = dict(line.split(": ", 1) for line in payload.decode().splitlines() if line)
    assert fields["software"].startswith("akhbar/") and " warcio/1." in fields["software"]
    assert fields["format"] == "WARC File Format 1.1"
    assert fields["conformsTo"].startswith("http://iipc.github.io/warc-specifications/")
    assert fields["isPartOf"] == fields["outlet"] == "demo_fa"
    assert fields["run-id"] == "run-1"
    assert fields["robots"] == "ignore"
    assert fields["operator"] == "akhbar tests"
    info_id = info.rec_headers["WARC-Record-ID"]  # type: ignore[attr-defined]
    assert all(
        rec.rec_headers["WARC-Warcinfo-ID"] == info_id  # type: ignore[attr-defined]
        for _, _, rec, _ in records[1:]
    )


def test_warcio_check_and_index_agree(
    make_writer: Callable[..., RotatingWarcWriter],
    samples: dict[str, HttpExchange],
    tmp_path: Path,
    warcio_cli: Callable[..., subprocess.CompletedProcess[str]],
) -> None:
    with make_writer() as writer:
        refs = write_samples(writer, samples)
    path = tmp_path / FINAL
    check = warcio_cli("check", "-v", str(path))
    assert check.returncode == 0, check.stdout + check.stderr
    assert "digest pass" in check.stdout and "fail" not in check.stdout
    index = warcio_cli("index", "-f", "offset,length,warc-type,warc-record-id", str(path))
    assert index.returncode == 0, index.stderr
    rows = [json.loads(line) for line in index.stdout.splitlines()]
    responses = {
        r["warc-record-id"]: (int(r["offset"]), int(r["length"]))
        for r in rows
        if r["warc-type"] == "response"
    }
    assert responses == {ref.record_id: (ref.offset, ref.length) for ref in refs.values()}
    assert [r["warc-type"] for r in rows[:3]] == ["warcinfo", "response", "request"]


def test_rotation_keeps_exchange_together(
    make_writer: Callable[..., RotatingWarcWriter],
    samples: dict[str, HttpExchange],
    tmp_path: Path,
    warcio_cli: Callable[..., subprocess.CompletedProcess[str]],
) -> None:
    writer = make_writer(max_size=1200)
    refs = [writer.write_exchange(ex) for ex in samples.values()]
    files = writer.close()
    assert len(files) >= 3
    assert [f.split("-")[-2] for f in files] == [f"{i:05d}" for i in range(len(files))]
    assert not list(tmp_path.rglob("*.open"))
    seen_responses = 0
    for rel in files:
        path = tmp_path / rel
        records = read_all(path)
        types = [rec.rec_type for _, _, rec, _ in records]  # type: ignore[attr-defined]
        assert types[0] == "warcinfo" and types.count("warcinfo") == 1
        assert types.count("response") == types.count("request") >= 1
        seen_responses += types.count("response")
        assert warcio_cli("check", str(path)).returncode == 0
    assert seen_responses == len(refs)
    assert {ref.warc_file for ref in refs} <= set(files)


def test_output_is_deterministic(
    make_writer: Callable[..., RotatingWarcWriter], samples: dict[str, HttpExchange], tmp_path: Path
) -> None:
    blobs = []
    for run in ("a", "b"):
        with make_writer(root=tmp_path / run) as writer:
            write_samples(writer, samples)
        blobs.append((tmp_path / run / FINAL).read_bytes())
    assert blobs[0] == blobs[1]


def test_revisit_records(
    make_writer: Callable[..., RotatingWarcWriter],
    make_exchange: Callable[..., HttpExchange],
    samples: dict[str, HttpExchange],
    tmp_path: Path,
    warcio_cli: Callable[..., subprocess.CompletedProcess[str]],
) -> None:
    later = datetime(2026, 11, 30, 6, 0, 0, tzinfo=UTC)
    first = samples["gzip"]
    again = make_exchange(first.url, first.body, headers=first.response_headers, fetched_at=later)
    not_modified = make_exchange(
        first.url,
        b"",
        status=304,
        reason="Not Modified",
        headers=[("ETag", '"v1"')],
        fetched_at=later,
    )
    with make_writer() as writer:
        orig = writer.write_exchange(first)
        rev = writer.write_revisit(
            again,
            refers_to_uri=first.url,
            refers_to_date=first.fetched_at,
            refers_to_record_id=orig.record_id,
            payload_digest=orig.payload_digest,
        )
        rev304 = writer.write_revisit(
            not_modified,
            refers_to_uri=first.url,
            refers_to_date=first.fetched_at,
            refers_to_record_id=None,
            payload_digest=orig.payload_digest,
            profile="server-not-modified",
        )
    assert rev.record_type == rev304.record_type == "revisit"
    assert rev.payload_digest == orig.payload_digest
    by_offset = {o: (rec, payload) for o, _, rec, payload in read_all(tmp_path / FINAL)}
    rec, payload = by_offset[rev.offset]
    headers = rec.rec_headers  # type: ignore[attr-defined]
    assert payload == b""
    assert headers["WARC-Profile"] == (
        "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
    )
    assert headers["WARC-Refers-To-Target-URI"] == first.url
    assert headers["WARC-Refers-To-Date"] == "2026-11-29T00:31:05.123456Z"
    assert headers["WARC-Refers-To"] == orig.record_id
    assert headers["WARC-Payload-Digest"] == orig.payload_digest
    assert headers["WARC-Date"] == "2026-11-30T06:00:00Z"
    assert rec.http_headers["Content-Encoding"] == "gzip"  # type: ignore[attr-defined]
    rec304, _ = by_offset[rev304.offset]
    assert rec304.rec_headers["WARC-Profile"] == (  # type: ignore[attr-defined]
        "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
    )
    assert rec304.http_headers.get_statuscode() == "304"  # type: ignore[attr-defined]
    assert rec304.rec_headers.get_header("WARC-Refers-To") is None  # type: ignore
    check = warcio_cli("check", "-v", str(tmp_path / FINAL))
    assert check.returncode == 0, check.stdout
    assert "not checked (revisit)" in check.stdout


def test_metadata_record(
    make_writer: Callable[..., RotatingWarcWriter],
    samples: dict[str, HttpExchange],
    tmp_path: Path,
    warcio_cli: Callable[..., subprocess.CompletedProcess[str]],
) -> None:
    content = json.dumps({"lang": "fa", "text": "خبرهای امروز"}, ensure_ascii=False).encode()
    with make_writer() as writer:
        resp = writer.write_exchange(samples["gzip"])
        meta = writer.write_metadata(
            target_uri=samples["gzip"].url, concurrent_to=resp.record_id, content=content
        )
    assert meta.record_type == "metadata"
    assert meta.date == datetime(2026, 11, 29, 0, 30, 12, 345678, tzinfo=UTC)
    by_offset = {o: (rec, payload) for o, _, rec, payload in read_all(tmp_path / FINAL)}
    rec, payload = by_offset[meta.offset]
    assert payload == content
    assert rec.rec_headers["WARC-Concurrent-To"] == resp.record_id  # type: ignore
    assert rec.rec_headers["Content-Type"] == "application/json"  # type: ignore
    assert rec.rec_headers["WARC-Payload-Digest"] == meta.payload_digest  # type: ignore
    assert warcio_cli("check", str(tmp_path / FINAL)).returncode == 0


def test_bad_arguments_rejected(tmp_path: Path, make_exchange: Callable[..., HttpExchange]) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        make_exchange("https://x.example/", b"", fetched_at=datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="outlet"):
        RotatingWarcWriter(tmp_path, "../evil", run_id="r")
    with pytest.raises(ValueError, match="max_size"):
        RotatingWarcWriter(tmp_path, "demo", run_id="r", max_size=0)


def test_compression_level_per_record(
    make_writer: Callable[..., RotatingWarcWriter],
    samples: dict[str, HttpExchange],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Metadata at a fast level, a body that came compressed stored, the rest at level 6."""
    import zlib

    from archive import _gzip as writer_module

    levels: list[int] = []
    real = zlib.compressobj

    def spy(level: int = -1, *args: object) -> object:
        levels.append(level)
        return real(level, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(writer_module.zlib, "compressobj", spy)
    with make_writer() as writer:
        writer.write_exchange(samples["redirect"])  # opens the file: warcinfo first
        levels.clear()
        writer.write_exchange(samples["gzip"])
        gzip_levels, levels[:] = list(levels), []
        resp = writer.write_exchange(samples["cp1256"])
        plain_levels, levels[:] = list(levels), []
        writer.write_metadata(target_uri="http://news.test/a", content=b"{}",
                              concurrent_to=resp.record_id)
    # (response, request) for each exchange
    assert gzip_levels == [writer_module.GZIP_LEVEL_COMPRESSED_BODY, writer_module.GZIP_LEVEL]
    assert plain_levels == [writer_module.GZIP_LEVEL, writer_module.GZIP_LEVEL]
    assert levels == [writer_module.GZIP_LEVEL_METADATA]


def test_digests_verified_by_warcio(
    make_writer: Callable[..., RotatingWarcWriter], samples: dict[str, HttpExchange], tmp_path: Path
) -> None:
    """The digests computed by the record factory (not warcio) are the ones warcio checks,
    for every kind of record, and each record is one gzip member of the whole record."""
    with make_writer() as writer:
        refs = write_samples(writer, samples)
        ref = refs["gzip"]
        writer.write_revisit(samples["gzip"], refers_to_uri=ref.warc_file,
                             refers_to_date=ref.date, refers_to_record_id=ref.record_id,
                             payload_digest=ref.payload_digest)
        writer.write_metadata(target_uri=samples["gzip"].url, concurrent_to=ref.record_id,
                              content=json.dumps({"text": "سلام " * 500}).encode())
    kinds = set()
    with open(tmp_path / FINAL, "rb") as fh:
        for rec in ArchiveIterator(fh, check_digests="raise"):
            rec.content_stream().read()
            kinds.add(rec.rec_type)
    assert kinds == {"warcinfo", "response", "request", "revisit", "metadata"}
    data = (tmp_path / FINAL).read_bytes()
    start = refs["gzip"].offset
    member = data[start:start + refs["gzip"].length]
    assert gzip.decompress(member).startswith(b"WARC/1.1\r\nWARC-Type: response\r\n")


@pytest.mark.parametrize("size", [0, 1, 250, 251, 300, 5000, 40_000, 200_000])
@pytest.mark.parametrize("level", [0, 2, 6])
def test_gzip_member_sized_window(size: int, level: int) -> None:
    data = bytes((k * 7 + k // 13) % 251 for k in range(size))
    member = gzip_member(data, level)
    assert gzip.decompress(member) == data
    # as small as zlib's defaults give (a stored body: a few bytes of block headers more)
    assert len(member) <= len(gzip.compress(data, level, mtime=0)) + 8 * (size // 4000 + 1)


def test_record_ids_are_random_uuids() -> None:
    ids = {_uuid4() for _ in range(2000)}
    assert len(ids) == 2000
    for text in ids:
        parsed = uuid.UUID(text)
        assert str(parsed) == text
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122
