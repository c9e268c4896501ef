"""verify_file and recover_open_files."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

from archive import (
    HttpExchange,
    RotatingWarcWriter,
    WarcRecordRef,
    iter_records,
    recover_open_files,
    verify_file,
)

FINAL = "demo_fa/2026/11/demo_fa-20261129003012345-00000-testhost.warc.gz"


def test_verify_clean_file(
    make_writer: Callable[..., RotatingWarcWriter], samples: dict[str, HttpExchange], tmp_path: Path
) -> None:
    with make_writer() as writer:
        for ex in samples.values():
            writer.write_exchange(ex)
    assert verify_file(tmp_path / FINAL) == []


def test_verify_finds_one_flipped_byte(
    make_writer: Callable[..., RotatingWarcWriter], samples: dict[str, HttpExchange], tmp_path: Path
) -> None:
    with make_writer() as writer:
        refs = [writer.write_exchange(ex) for ex in samples.values()]
    target = refs[2]
    path = tmp_path / FINAL
    data = bytearray(path.read_bytes())
    data[target.offset + target.length - 12] ^= 0x01  # inside the compressed data
    path.write_bytes(bytes(data))
    problems = verify_file(path)
    assert len(problems) == 1
    assert problems[0].offset == target.offset
    assert problems[0].record_id in (target.record_id, None)
    assert "gzip" in problems[0].message or "digest" in problems[0].message


def test_verify_reports_digest_mismatch_with_record_id(
    make_writer: Callable[..., RotatingWarcWriter],
    samples: dict[str, HttpExchange],
    tmp_path: Path,
    tamper: Callable[[Path, WarcRecordRef], int],
    warcio_cli: Callable[..., subprocess.CompletedProcess[str]],
) -> None:
    with make_writer() as writer:
        refs = [writer.write_exchange(ex) for ex in samples.values()]
    path = tmp_path / FINAL
    tamper(path, refs[0])
    problems = verify_file(path)
    assert {p.record_id for p in problems} == {refs[0].record_id}
    assert all(p.offset == refs[0].offset for p in problems)
    assert any("payload digest failed" in p.message for p in problems)
    assert warcio_cli("check", str(path)).returncode == 1


def test_verify_missing_and_foreign_files(tmp_path: Path) -> None:
    assert verify_file(tmp_path / "missing.warc.gz")[0].message.startswith("cannot read")
    other = tmp_path / "notes.txt"
    other.write_text("hello")
    assert verify_file(other)[0].message == "not a gzip-per-record WARC"


CRASHING_CRAWL = textwrap.dedent("""
    import os, sys
    from datetime import datetime, timezone
    from pathlib import Path
    from archive import HttpExchange, RotatingWarcWriter
    w = RotatingWarcWriter(Path(sys.argv[1]), "demo_fa", run_id="crash", host="testhost",
                           clock=lambda: datetime(2026, 11, 29, 0, 30, 12, 345678,
                                                  tzinfo=timezone.utc))
    for i in range(3):
        w.write_exchange(HttpExchange(
            url=f"https://news.example/{i}", method="GET", request_headers=[],
            request_body=b"", status=200, reason="OK", protocol="HTTP/1.1",
            response_headers=[("Content-Type", "text/plain")], body=os.urandom(3000),
            fetched_at=datetime.now(timezone.utc)))
    os._exit(9)  # killed: no close(), no rename
""")


def test_recover_killed_crawl(
    project_root: Path, tmp_path: Path, warcio_cli: Callable[..., subprocess.CompletedProcess[str]]
) -> None:
    subprocess.run(
        [sys.executable, "-c", CRASHING_CRAWL, str(tmp_path)],
        check=False,
        timeout=60,
        cwd=project_root,
    )
    open_path = tmp_path / (FINAL + ".open")
    assert open_path.is_file()
    # Whatever was written before the kill is already whole records.
    assert len(list(iter_records(open_path))) == 7
    # Simulate dying mid-record: cut the file inside the last request record.
    data = open_path.read_bytes()
    open_path.write_bytes(data[:-100])
    assert recover_open_files(tmp_path) == [FINAL]
    final = tmp_path / FINAL
    assert not open_path.exists() and final.is_file()
    rows = list(iter_records(final))
    assert [r.rec_type for _, _, r in rows] == ["warcinfo"] + ["response", "request"] * 2 + [
        "response"
    ]
    assert final.stat().st_size == rows[-1][0] + rows[-1][1]
    assert verify_file(final) == []
    assert warcio_cli("check", str(final)).returncode == 0


def test_recover_skips_live_writer_and_drops_empty(
    make_writer: Callable[..., RotatingWarcWriter], samples: dict[str, HttpExchange], tmp_path: Path
) -> None:
    writer = make_writer(root=tmp_path / "live")
    writer.write_exchange(samples["error"])
    assert recover_open_files(tmp_path / "live") == []  # still locked by the writer
    assert (tmp_path / "live" / (FINAL + ".open")).exists()
    writer.close()

    empty = tmp_path / "dead" / "x" / "2026" / "11" / "x-20261129003012345-00000-h.warc.gz.open"
    empty.parent.mkdir(parents=True)
    empty.write_bytes(b"\x1f\x8b\x08\x00")  # died inside the first member
    assert recover_open_files(tmp_path / "dead") == []
    assert not empty.exists()
