"""Metadata records whose block was deflated beforehand (in an extraction worker): the same
records, decompressed, as when the writer compresses them whole."""

from __future__ import annotations

import gzip
import json
import subprocess
import zlib
from collections.abc import Callable
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from warcio.archiveiterator import ArchiveIterator

from archive import HttpExchange, RotatingWarcWriter, compress_block
from archive._gzip import GZIP_LEVEL_METADATA, _head_before, gzip_member_with

FINAL = "demo_fa/2026/11/demo_fa-20261129003012345-00000-testhost.warc.gz"


@settings(max_examples=60, deadline=None)
@given(head=st.binary(max_size=2000), content=st.binary(max_size=70_000),
       level=st.sampled_from([0, 1, GZIP_LEVEL_METADATA, 6, 9]))
def test_a_member_with_a_block_deflated_beforehand_is_the_record(head: bytes, content: bytes,
                                                                 level: int) -> None:
    """Any bytes, either part longer than deflate's window or empty: one gzip member, read
    whole by gzip and by zlib as warcio reads it."""
    member = gzip_member_with(head, compress_block(content, level), level)
    whole = head + content + b"\r\n\r\n"
    assert gzip.decompress(member) == whole
    reader = zlib.decompressobj(zlib.MAX_WBITS + 16)
    assert reader.decompress(member) == whole and reader.eof and not reader.unused_data


def test_only_the_block_it_was_given_is_taken_for_it() -> None:
    parts = [b"WARC/1.1\r\n\r\n", b"abc", b"def", b"\r\n\r\n"]
    assert _head_before(parts, b"abcdef") == b"WARC/1.1\r\n\r\n"
    assert _head_before(parts, b"def") == b"WARC/1.1\r\n\r\nabc"
    assert _head_before(parts, b"abcdeX") is None
    assert _head_before(parts, b"xabcdef") is None
    assert _head_before([b"WARC/1.1\r\n\r\n", b"\r\n\r\n"], b"") == b"WARC/1.1\r\n\r\n"
    assert _head_before(parts[:-1], b"abcdef") is None


def test_the_warc_is_the_same_decompressed(
    make_writer: Callable[..., RotatingWarcWriter],
    samples: dict[str, HttpExchange],
    tmp_path: Path,
    warcio_cli: Callable[..., subprocess.CompletedProcess[str]],
) -> None:
    """Written with the content's deflate made beforehand or not, a WARC file holds the same
    records: decompressed byte for byte, each record one gzip member at its offset, the
    digests warcio checks."""
    contents = [json.dumps({"text": "سلام " * n, "n": n}, ensure_ascii=False).encode()
                for n in (0, 3, 500, 20_000)]
    refs = {}
    for run in ("whole", "block"):
        with make_writer(root=tmp_path / run) as writer:
            resp = writer.write_exchange(samples["gzip"])
            refs[run] = [writer.write_metadata(
                target_uri=samples["gzip"].url, concurrent_to=resp.record_id,
                content=content if run == "whole" else compress_block(content))
                for content in contents]
    whole, block = ((tmp_path / run / FINAL).read_bytes() for run in ("whole", "block"))
    assert gzip.decompress(block) == gzip.decompress(whole)
    for ref, other, content in zip(refs["block"], refs["whole"], contents, strict=True):
        assert (ref.record_id, ref.payload_digest) == (other.record_id, other.payload_digest)
        record = gzip.decompress(block[ref.offset:ref.offset + ref.length])
        assert record.startswith(b"WARC/1.1\r\nWARC-Type: metadata\r\n")
        assert record.endswith(b"\r\n\r\n" + content + b"\r\n\r\n")
    with open(tmp_path / "block" / FINAL, "rb") as fh:
        kinds = [rec.rec_type for rec in ArchiveIterator(fh, check_digests="raise")
                 if rec.content_stream().read() is not None]
    assert kinds.count("metadata") == len(contents)
    assert warcio_cli("check", str(tmp_path / "block" / FINAL)).returncode == 0
