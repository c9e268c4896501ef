"""Indexing what a killed crawl left: its recovered file and the files it had rotated."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

from archive import recover_open_files
from archive.cdxj import cdxj_lines, index_unindexed_files, index_warc_files, indexed_files
from tests.support import run_writer


def _crawl(root: Path, run_id: str, end: str) -> None:
    run_writer(root, run_id, 7, end)


def _killed_and_recovered(root: Path) -> list[str]:
    """A killed crawl's files (three rotated, one recovered), relative to ``root``."""
    _crawl(root, "killed", "kill")
    recover_open_files(root)
    return _files(root)


def _files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.warc.gz"))


def test_recovery_indexes_the_rotated_files_of_a_killed_crawl_once(
    tmp_path: Path
) -> None:
    root, index = tmp_path / "warcs", tmp_path / "index"
    _crawl(root, "finished", "close")  # an earlier crawl, indexed as it ended
    earlier = _files(root)
    assert len(earlier) == 4 and indexed_files(index / "demo_fa.cdxj") == set(earlier)
    _crawl(root, "killed", "kill")
    assert len(list(root.rglob("*.open"))) == 1
    recovered = recover_open_files(root / "demo_fa")
    assert len(recovered) == 1
    killed = sorted(set(_files(root)) - set(earlier))
    assert len(killed) == 4  # three rotated (closed) and the recovered one

    assert index_unindexed_files(index, root, "demo_fa", check=True) == killed
    text = (index / "demo_fa.cdxj").read_text("utf-8")
    everything = [root / name for name in _files(root)]
    assert text == "".join(cdxj_lines(everything, root))  # each line once
    assert len(text.splitlines()) == 14

    mtime = (index / "demo_fa.cdxj").stat().st_mtime_ns
    assert index_unindexed_files(index, root, "demo_fa", check=True) == []
    assert index_unindexed_files(index, root, "demo_fa") == []
    assert (index / "demo_fa.cdxj").stat().st_mtime_ns == mtime


def test_without_check_only_files_newer_than_the_index_send_it_to_be_read(
    tmp_path: Path
) -> None:
    root, index = tmp_path / "warcs", tmp_path / "index"
    files = _killed_and_recovered(root)
    index_warc_files(index, root, files[:1])
    index_file = index / "demo_fa.cdxj"
    since = index_file.stat().st_mtime_ns
    for name in files:  # as if the index had been written after all of them were closed
        os.utime(root / name, ns=(since - 10**9, since - 10**9))
    assert index_unindexed_files(index, root, "demo_fa") == []
    os.utime(root / files[2], ns=(since + 10**9, since + 10**9))
    assert index_unindexed_files(index, root, "demo_fa") == files[1:]
    assert index_file.read_text("utf-8") == "".join(cdxj_lines([root / f for f in files], root))


def test_a_file_that_cannot_be_indexed_does_not_keep_the_others_out(
    tmp_path: Path
) -> None:
    root, index = tmp_path / "warcs", tmp_path / "index"
    files = _killed_and_recovered(root)
    bad = "demo_fa/2026/bad.warc.gz"
    (root / bad).parent.mkdir(parents=True, exist_ok=True)
    (root / bad).write_bytes(gzip.compress(b"HELLO/1.1\r\n\r\n"))  # cdxj-indexer raises
    assert index_unindexed_files(index, root, "demo_fa") == files
    assert indexed_files(index / "demo_fa.cdxj") == set(files)


def test_indexed_files_reads_each_lines_filename(tmp_path: Path) -> None:
    index = tmp_path / "x.cdxj"
    assert indexed_files(index) == set()
    index.write_text(
        'com,example)/ 20260101000000 {"url": "http://example.com/", "filename": "a/1.warc.gz"}\n'
        'com,example)/ 20260101000001 {"url": "http://example.com/?q=\\"filename\\": \\"x\\"", '
        '"filename": "a/\\u062e.warc.gz", "offset": "10"}\n'
        'com,example)/b 20260101000002 {"filename":"a/3.warc.gz","url":"http://example.com/b"}\n'
        "\n",
        encoding="utf-8",
    )
    assert indexed_files(index) == {"a/1.warc.gz", "a/\u062e.warc.gz", "a/3.warc.gz"}
