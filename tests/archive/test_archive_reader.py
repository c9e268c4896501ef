"""read_record and iter_records: by offset/length, decoding, errors, cut files."""

from __future__ import annotations

import gzip
import logging
from collections.abc import Callable
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive import (
    ArchiveError,
    DigestMismatch,
    HttpExchange,
    RecordNotFound,
    RotatingWarcWriter,
    WarcRecordRef,
    iter_records,
    read_record,
)

FINAL = "demo_fa/2026/11/demo_fa-20261129003012345-00000-testhost.warc.gz"


@pytest.fixture
def written(
    make_writer: Callable[..., RotatingWarcWriter], samples: dict[str, HttpExchange], tmp_path: Path
) -> tuple[Path, dict[str, WarcRecordRef]]:
    with make_writer() as writer:
        refs = {name: writer.write_exchange(ex) for name, ex in samples.items()}
    return tmp_path / FINAL, refs


def test_read_record_matches_archive_iterator(
    written: tuple[Path, dict[str, WarcRecordRef]], samples: dict[str, HttpExchange]
) -> None:
    path, refs = written
    with open(path, "rb") as fh:
        via_warcio = {
            rec.rec_headers["WARC-Record-ID"]: rec.raw_stream.read() for rec in ArchiveIterator(fh)
        }
    for name, ref in refs.items():
        rec = read_record(path, ref.offset, ref.length)
        assert rec.rec_type == "response"
        assert rec.record_id == ref.record_id
        assert rec.raw_payload == samples[name].body == via_warcio[ref.record_id]
        assert rec.http_status == samples[name].status
        assert rec.target_uri == samples[name].url
        assert rec.date == samples[name].fetched_at
        assert rec.headers["WARC-Payload-Digest"] == ref.payload_digest


def test_decoded_payload(
    written: tuple[Path, dict[str, WarcRecordRef]], samples: dict[str, HttpExchange]
) -> None:
    path, refs = written
    gz = read_record(path, refs["gzip"].offset, refs["gzip"].length)
    assert gz.raw_payload.startswith(b"\x1f\x8b")  # stored as received
    assert gz.decoded_payload() == gzip.decompress(samples["gzip"].body)
    assert "خبرهای امروز" in gz.decoded_payload().decode("utf-8")
    ar = read_record(path, refs["cp1256"].offset, refs["cp1256"].length)
    assert ar.decoded_payload() == ar.raw_payload
    assert "أخبار اليوم" in ar.raw_payload.decode("windows-1256")
    assert ar.http_headers is not None and ar.http_headers.statusline.strip() == "200"
    chunked = read_record(path, refs["chunked"].offset, refs["chunked"].length)
    assert chunked.decoded_payload() == samples["chunked"].body


@pytest.mark.parametrize("delta_offset,delta_length", [(1, 0), (0, -1), (0, 1), (-5, 5)])
def test_read_record_rejects_wrong_ranges(
    written: tuple[Path, dict[str, WarcRecordRef]], delta_offset: int, delta_length: int
) -> None:
    path, refs = written
    ref = refs["error"]
    with pytest.raises(ArchiveError):
        read_record(path, ref.offset + delta_offset, ref.length + delta_length)


def test_read_record_spanning_two_records_rejected(
    written: tuple[Path, dict[str, WarcRecordRef]],
) -> None:
    path, refs = written
    ref = refs["gzip"]
    with pytest.raises(RecordNotFound):
        read_record(path, 0, ref.offset + ref.length)


def test_read_record_missing_file_and_past_end(
    tmp_path: Path,
    written: tuple[Path, dict[str, WarcRecordRef]],
) -> None:
    path, _ = written
    with pytest.raises(RecordNotFound, match="cannot read"):
        read_record(tmp_path / "nope.warc.gz", 0, 10)
    with pytest.raises(RecordNotFound):
        read_record(path, path.stat().st_size + 10, 100)
    with pytest.raises(RecordNotFound):
        read_record(path, -1, 100)


def test_read_record_digest_mismatch(
    written: tuple[Path, dict[str, WarcRecordRef]], tamper: Callable[[Path, WarcRecordRef], int]
) -> None:
    path, refs = written
    ref = refs["error"]
    new_length = tamper(path, ref)
    with pytest.raises(DigestMismatch, match="digest failed"):
        read_record(path, ref.offset, new_length)


def test_iter_records_yields_every_record(written: tuple[Path, dict[str, WarcRecordRef]]) -> None:
    path, refs = written
    rows = list(iter_records(path))
    assert [r.rec_type for _, _, r in rows] == ["warcinfo"] + ["response", "request"] * 5
    offsets = [(o, n) for o, n, r in rows if r.rec_type == "response"]
    assert offsets == [(ref.offset, ref.length) for ref in refs.values()]
    assert rows[-1][0] + rows[-1][1] == path.stat().st_size
    assert all(not r.digest_problems for _, _, r in rows)


def test_iter_records_stops_at_cut(
    written: tuple[Path, dict[str, WarcRecordRef]], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path, refs = written
    ref = refs["redirect"]
    cut = tmp_path / "cut.warc.gz.open"
    cut.write_bytes(path.read_bytes()[: ref.offset + ref.length // 2])
    with caplog.at_level(logging.WARNING, logger="archive"):
        rows = list(iter_records(cut))
    assert rows[-1][0] + rows[-1][1] == ref.offset  # last complete record ends where cut began
    assert [r.rec_type for _, _, r in rows][-2:] == ["response", "request"]
    assert f"offset {ref.offset}" in caplog.text


def test_iter_records_raises_on_damage(written: tuple[Path, dict[str, WarcRecordRef]]) -> None:
    path, refs = written
    data = bytearray(path.read_bytes())
    data[refs["chunked"].offset + 40] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ArchiveError, match=f"offset {refs['chunked'].offset}"):
        list(iter_records(path))
