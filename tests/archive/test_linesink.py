"""Index lines made while writing (archive.linesink) equal cdxj-indexer's, file for file."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from archive import HttpExchange, RotatingWarcWriter, linesink, recover_open_files
from archive.cdxj import cdxj_lines, index_warc_files
from archive.linesink import CdxjLineSink
from tests.archive.conftest import FETCHED, exchange
from tests.support import run_writer

MakeWriter = Callable[..., RotatingWarcWriter]


def _html(url: str, **kwargs: object) -> HttpExchange:
    return exchange(url, f"<p>{url}</p>".encode(), **kwargs)  # type: ignore[arg-type]


def _typed(url: str, content_type: str, name: str = "Content-Type") -> HttpExchange:
    return exchange(url, b"{}", headers=[(name, content_type), ("Content-Length", "2")])


#: Exchanges whose lines the sink makes itself.
EXACT = [
    _html("http://news.example.com/fa/2026/11/naft/"),
    _html("https://NEWS.Example.com/%D8%A7%D8%AE%D8%A8%D8%A7%D8%B1?b=2&a=1"),
    _html("https://news.example/missing", status=404, reason="Not Found"),
    exchange("http://news.example/old", b"", status=301, reason="Moved Permanently",
             headers=[("Location", "https://news.example/new"), ("Content-Length", "0")]),
    _html("https://news.example/odd-status", status=599, reason=""),
    _typed("https://news.example/t1", "  TEXT/HTML ; charset=windows-1256 "),
    _typed("https://news.example/t2", ";charset=utf-8"),
    _typed("https://news.example/t3", ""),
    _typed("https://news.example/t4", "application/json", name="content-type"),
    exchange("https://news.example/t5", b"x", headers=[("Content-Type", "a/b"),
                                                       ("Content-Type", "c/d")]),
    exchange("https://news.example/t6", b"x", headers=[]),
    # non-ASCII values elsewhere (latin-1 wire bytes, and text beyond latin-1) change nothing
    exchange("https://news.example/t7", b"x", headers=[
        ("Link", "<https://news.example/Ø§Ø®Ø¨Ø§Ø±>; rel=shortlink"),
        ("Set-Cookie", "q=خبر"), ("Content-Type", "text/html")]),
]

#: Exchanges the sink cannot be sure about: their file is read again by cdxj-indexer.
NOT_EXACT = [
    _typed("https://news.example/n1", "text/html;\tcharset=utf-8"),
    _typed("https://news.example/n2", "text/html; charset=\xe9"),
    exchange("https://news.example/n3", b"x", headers=[("X Bad", "1"), ("Content-Type", "a/b")]),
    _html("http://news.example/with space"),
    _html("ftp://news.example/file"),
]


def _crawl(writer: RotatingWarcWriter, exchanges: list[HttpExchange]) -> list[str]:
    for i, ex in enumerate(exchanges):
        ex = HttpExchange(**{**ex.__dict__, "fetched_at": FETCHED + timedelta(seconds=i)})
        ref = writer.write_exchange(ex)
        writer.write_metadata(target_uri=ex.url, concurrent_to=ref.record_id, content=b"{}")
    return writer.close()


def _expected(root: Path, files: list[str]) -> str:
    return "".join(cdxj_lines([root / name for name in files], root))


@pytest.mark.parametrize("chunk_lines", [4096, 3])
def test_lines_equal_cdxj_indexer_with_rotation_revisits_and_metadata(
    make_writer: MakeWriter, samples: dict[str, HttpExchange], tmp_path: Path,
    chunk_lines: int, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 3: every WARC's lines are sorted on disk in several chunks and merged at its close.
    monkeypatch.setattr(linesink, "CHUNK_LINES", chunk_lines)
    sink = CdxjLineSink()
    writer = make_writer(max_size=20_000, line_sink=sink)
    first = writer.write_exchange(EXACT[0])
    for profile, status in (("server-not-modified", 304), ("identical-payload-digest", 200)):
        ex = _html(EXACT[0].url, status=status, fetched_at=FETCHED + timedelta(days=1))
        writer.write_revisit(ex, refers_to_uri=first.warc_file, refers_to_date=first.date,
                             refers_to_record_id=first.record_id,
                             payload_digest=first.payload_digest, profile=profile)
    files = _crawl(writer, EXACT + list(samples.values()) * 20)
    assert len(files) > 3 and sink.covered == files  # rotated; no file needed a re-read
    index = tmp_path / "index"
    assert sink.merge_into(index, tmp_path, files) > 0
    text = (index / "demo_fa.cdxj").read_text("utf-8")
    assert text == _expected(tmp_path, files)
    assert '"mime": "warc/revisit", "status": "304"' in text
    assert '"status": "404"' in text and '"status": "301"' in text
    assert sink.covered == []  # merged and forgotten


@pytest.mark.parametrize("ex", NOT_EXACT, ids=lambda ex: ex.url)
def test_a_record_it_cannot_make_sends_its_file_to_cdxj_indexer(
    make_writer: MakeWriter, tmp_path: Path, ex: HttpExchange
) -> None:
    sink = CdxjLineSink()
    writer = make_writer(max_size=1, line_sink=sink)  # a file for each exchange, each metadata
    files = _crawl(writer, [EXACT[0], ex, EXACT[2]])
    assert len(files) == 6
    assert sink.covered == files[:2] + files[3:]
    sink.merge_into(tmp_path / "index", tmp_path, files)
    assert (tmp_path / "index" / "demo_fa.cdxj").read_text("utf-8") == _expected(tmp_path, files)


def test_revisit_without_digest_is_left_to_cdxj_indexer(
    make_writer: MakeWriter, tmp_path: Path
) -> None:
    sink = CdxjLineSink()
    writer = make_writer(line_sink=sink)
    writer.write_revisit(_html(EXACT[0].url, status=304), refers_to_uri=EXACT[0].url,
                         refers_to_date=FETCHED, refers_to_record_id=None, payload_digest="",
                         profile="server-not-modified")
    files = writer.close()
    assert sink.covered == []
    sink.merge_into(tmp_path / "index", tmp_path, files)
    assert (tmp_path / "index" / "demo_fa.cdxj").read_text("utf-8") == _expected(tmp_path, files)


def test_merges_into_an_existing_index_and_keeps_few_runs(
    make_writer: MakeWriter, tmp_path: Path
) -> None:
    earlier = _crawl(make_writer(run_id="earlier"), EXACT[:4])
    index = tmp_path / "index"
    index_warc_files(index, tmp_path, earlier)
    sink = CdxjLineSink()
    writer = make_writer(max_size=1, line_sink=sink)
    many = [_html(f"https://news.example/{i}/") for i in range(40)]
    for ex in many:
        writer.write_exchange(ex)
        assert len(sink._runs) <= 6  # merged as they pile up: few files stay open
    files = writer.close()
    assert len(files) == 40 and sorted(sink.covered) == sorted(files)
    sink.merge_into(index, tmp_path, files)
    text = (index / "demo_fa.cdxj").read_text("utf-8")
    assert text == _expected(tmp_path, earlier + files)
    sink.merge_into(index, tmp_path, files)  # again, from the files: nothing changes
    assert (index / "demo_fa.cdxj").read_text("utf-8") == text


def test_without_lines_every_file_is_read(make_writer: MakeWriter, tmp_path: Path) -> None:
    files = _crawl(make_writer(max_size=1), EXACT[:3])
    assert CdxjLineSink().merge_into(tmp_path / "index", tmp_path, files) == 3
    assert (tmp_path / "index" / "demo_fa.cdxj").read_text("utf-8") == _expected(tmp_path, files)


def test_killed_crawl_leaves_only_warcs(tmp_path: Path) -> None:
    root = tmp_path / "warcs"
    run_writer(root, "crash", 5)
    left = [p.name for p in root.rglob("*") if p.is_file()]
    assert len(left) == 3 and all(n.endswith((".warc.gz", ".warc.gz.open")) for n in left)
    recovered = recover_open_files(root)
    files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.warc.gz"))
    assert len(recovered) == 1 and len(files) == 3
    index_warc_files(tmp_path / "index", root, files)
    assert (tmp_path / "index" / "demo_fa.cdxj").read_text("utf-8") == _expected(root, files)


def test_what_it_mirrors_of_cdxj_indexer_and_warcio() -> None:
    from cdxj_indexer.main import CDXJIndexer
    from warcio.recordloader import ArcWarcRecordLoader
    from warcio.timeutils import iso_date_to_timestamp

    assert linesink._SPLIT_MIME.pattern == CDXJIndexer.RE_SPACE.pattern
    assert linesink._HTTP_SCHEMES == tuple(ArcWarcRecordLoader.HTTP_SCHEMES)
    for url in ("http://www.Example.com/a?b=1", "http://www.Example.com/A/", "not a url"):
        assert linesink.url_key(url) == CDXJIndexer.get_url_key(None, url)
    for date in ("2026-11-29T00:31:05Z", "2026-11-29T23:59:59.999999Z", "1999-01-01T00:00:00.5Z",
                 "2013-12-26T10:11:12", "2026-11-29T00:31:05.0000001Z"):
        assert linesink._timestamp(date) == iso_date_to_timestamp(date)
    for bad in ("2026-02-30T00:00:00Z", "2026-11-29T24:00:00Z"):
        with pytest.raises(ValueError):
            linesink._timestamp(bad)
