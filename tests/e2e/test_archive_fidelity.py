"""The archive as the source of truth, on a real crawl and recrawl of the demo site: the CDXJ
index, `captures`, `show` (raw bytes, text, revisits), `diff`, `reindex` into an empty
catalog, `verify` and `export-wacz`."""

from __future__ import annotations

import gzip
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import delete, select
from warcio.archiveiterator import ArchiveIterator

from crawler import service
from crawler.catalog import Article, ArticleVersion, Capture
from crawler.cli.main import cli
from crawler.context import AkhbarContext, open_context
from crawler.demosite import DemoSite, expected_articles
from crawler.errors import ArchiveLookupError, CatalogError
from crawler.urls import canonicalize
from tests.support import write_demo_config


@dataclass
class Archive:
    root: Path
    ctx: AkhbarContext
    base: str

    def cli(self, *args: str, db: str | None = None) -> Result:
        """Run `akhbar ARGS`; akhbar's own errors come back in ``result.exception`` (``main``
        turns them into a message and exit status 2)."""
        from crawler.cli import commands  # noqa: F401  (registers the commands)

        env = {"AKHBAR_DATABASE_URL": db or self.ctx.database_url}
        return CliRunner().invoke(cli, ["--config", str(self.root / "config"), "--home",
                                        str(self.ctx.data_dir), *args], env=env)

    def url(self, path: str) -> str:
        return canonicalize(self.base + path)


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    root = tmp_path_factory.mktemp("fidelity")
    with DemoSite(port=0) as site:
        write_demo_config(root / "config", site.base_url)
        ctx = open_context(root / "config", root / "data",
                           database_url=f"sqlite:///{root / 'catalog.sqlite'}", env={})
        targets, _ = service.pick_outlets(ctx, [], prefix="demo_")
        assert service.crawl(ctx, targets).ok
        site.set_edition(2)
        assert service.crawl(ctx, targets).ok
        base = site.base_url
    return Archive(root, ctx, base)


def changed_paths() -> list[str]:
    return [a.path for a in expected_articles(2) if a.since == 1 and a.revised == 2]


def unchanged_paths() -> list[str]:
    return [a.path for a in expected_articles(2) if a.since == 1 and a.revised != 2]


def warc_records(ctx: AkhbarContext) -> list[tuple[str, int, Any]]:
    out = []
    for path in sorted(ctx.warcs_dir.rglob("*.warc.gz")):
        with path.open("rb") as fh:
            it = ArchiveIterator(fh)
            for rec in it:
                if rec.rec_type in ("response", "revisit"):
                    rec.raw_stream.read()
                    out.append((path.relative_to(ctx.warcs_dir).as_posix(),
                                it.get_record_offset(), rec))
    return out


def catalog_snapshot(ctx: AkhbarContext) -> dict[str, Any]:
    with ctx.catalog.session() as session:
        captures = sorted(
            (c.warc_record_id, c.url, c.warc_file, c.warc_offset, c.warc_length, c.status,
             c.record_type, c.payload_digest, c.run_id, c.outlet_id, c.etag, c.last_modified,
             c.content_type, c.captured_at.replace(tzinfo=None).isoformat())
            for c in session.scalars(select(Capture)))
        articles = {}
        for art in session.scalars(select(Article)):
            versions = [
                (v.version, v.text, v.title, v.author, v.language, v.language_confidence,
                 v.languages, v.published, v.published_source, v.description, v.encoding,
                 v.html_lang, v.fetched_url, v.captured_at.replace(tzinfo=None).isoformat())
                for v in session.scalars(select(ArticleVersion)
                                         .where(ArticleVersion.article_id == art.id)
                                         .order_by(ArticleVersion.version))]
            articles[art.url] = (art.outlet_id, art.latest_version, art.language, art.published,
                                 art.first_seen.replace(tzinfo=None).isoformat(),
                                 art.last_seen.replace(tzinfo=None).isoformat(), versions)
    return {"captures": captures, "articles": articles}


# -- the index ----------------------------------------------------------------------------
def test_index_was_kept_up_to_date_by_the_crawls(archive: Archive) -> None:
    records = warc_records(archive.ctx)
    index_files = sorted(p.name for p in (archive.ctx.data_dir / "index").glob("*.cdxj"))
    assert index_files == ["demo_ar.cdxj", "demo_ar1256.cdxj", "demo_en.cdxj", "demo_fa.cdxj"]
    lines = list(service.find_captures(archive.ctx, service.CaptureQuery(
        archive.base + "/", match_type="host")))
    assert {(ln.filename, ln.offset) for ln in lines} == {(f, o) for f, o, _ in records}
    for name in index_files:
        raw = (archive.ctx.data_dir / "index" / name).read_text("utf-8").splitlines()
        assert raw == sorted(raw)


def test_captures_lists_each_capture_with_cdx_parameters(archive: Archive) -> None:
    url = archive.url(changed_paths()[0])
    both = service.find_captures(archive.ctx, service.CaptureQuery(url))
    assert [ln.status for ln in both] == [200, 200] and both[0].timestamp < both[1].timestamp
    first, second = both[0].timestamp, both[1].timestamp
    only_first = service.CaptureQuery(url, to=first)
    assert service.find_captures(archive.ctx, only_first) == both[:1]
    assert service.find_captures(archive.ctx, service.CaptureQuery(url, from_=second)) == both[1:]
    assert service.find_captures(archive.ctx, service.CaptureQuery(url, limit=-1)) == both[1:]
    nearest = service.find_captures(archive.ctx, service.CaptureQuery(url, closest=first))
    assert nearest[0] == both[0]

    same = archive.url(unchanged_paths()[0])
    kinds = [ln.mime for ln in service.find_captures(archive.ctx, service.CaptureQuery(same))]
    assert kinds[0].startswith("text/html") and kinds[1] == "warc/revisit"

    result = archive.cli("captures", archive.base + "/demo_fa/", "--match", "prefix",
                         "--filter", "status:200", "--filter", "!mime:warc/revisit",
                         "--output", "json", "--fl", "url,status")
    assert result.exit_code == 0, result.output
    import json

    rows = [json.loads(x) for x in result.output.splitlines()]
    assert rows and all(r["url"].startswith(archive.base + "/demo_fa/") for r in rows)
    assert {r["status"] for r in rows} == {"200"}
    assert archive.cli("captures", archive.base + "/nothing-here").exit_code == 1


# -- show ---------------------------------------------------------------------------------
def test_show_raw_is_the_archived_payload_byte_for_byte(archive: Archive) -> None:
    wanted = {archive.url(a.path) for a in expected_articles(1) if a.encoding == "windows-1256"}
    checked = 0
    for _, _, rec in warc_records(archive.ctx):
        url = rec.rec_headers.get_header("WARC-Target-URI")
        if rec.rec_type != "response" or url not in wanted:
            continue
        ts = rec.rec_headers.get_header("WARC-Date")
        result = archive.cli("show", url, "--at", ts, "--raw")
        assert result.exit_code == 0
        shown = service.show_capture(archive.ctx, url, ts)
        assert result.stdout_bytes == shown.raw_payload
        body = gzip.decompress(result.stdout_bytes) if result.stdout_bytes[:2] == b"\x1f\x8b" \
            else result.stdout_bytes
        assert "windows-1256" in body.decode("cp1256")
        checked += 1
    assert checked >= 2


def test_show_resolves_a_revisit_to_the_payload_it_refers_to(archive: Archive) -> None:
    url = archive.url(unchanged_paths()[0])
    first, latest = service.find_captures(archive.ctx, service.CaptureQuery(url))
    shown = service.show_capture(archive.ctx, url)
    assert shown.is_revisit and shown.capture == latest
    assert shown.payload_capture == first
    original = service.show_capture(archive.ctx, url, first.timestamp)
    assert not original.is_revisit and shown.raw_payload == original.raw_payload
    headers = archive.cli("show", url, "--headers")
    assert "WARC-Type: revisit" in headers.output and "304 Not Modified" in headers.output
    text = archive.cli("show", url, "--text")
    assert text.exit_code == 0 and "version:" in text.output
    lines = {line.split(":", 1)[0]: line.split(":", 1)[1].strip()
             for line in text.output.splitlines() if ":" in line}
    assert lines["extractor"] in {"fast", "trafilatura-fast", "trafilatura", "readability",
                                  "baseline"}


def test_show_text_at_a_time_gives_that_version(archive: Archive) -> None:
    url = archive.url(changed_paths()[0])
    first, second = service.find_captures(archive.ctx, service.CaptureQuery(url))
    old = service.show_capture(archive.ctx, url, first.timestamp, with_text=True).article
    new = service.show_capture(archive.ctx, url, with_text=True).article
    assert old and new and (old["version"], new["version"]) == (1, 2)
    assert old["text"] != new["text"]
    result = archive.cli("show", url, "--at", first.timestamp, "--text")
    assert result.exit_code == 0 and old["text"] in result.output
    missing = archive.cli("show", archive.base + "/nothing-here")
    assert isinstance(missing.exception, ArchiveLookupError)
    assert "no capture" in str(missing.exception)


# -- diff ---------------------------------------------------------------------------------
def test_diff_shows_what_changed_between_versions(archive: Archive) -> None:
    url = archive.url(changed_paths()[0])
    result = service.diff_versions(archive.ctx, url)
    assert (result.old_version, result.new_version) == (1, 2) and result.changed
    removed = [x for x in result.diff.splitlines() if x.startswith("-") and x[:3] != "---"]
    added = [x for x in result.diff.splitlines() if x.startswith("+") and x[:3] != "+++"]
    assert removed and added
    out = archive.cli("diff", url, "--from", "1", "--to", "2")
    assert out.exit_code == 0 and out.output == result.diff
    lone = archive.cli("diff", archive.url(unchanged_paths()[0]))
    assert isinstance(lone.exception, ArchiveLookupError)
    assert "no version 0" in str(lone.exception)


# -- reindex ------------------------------------------------------------------------------
def test_reindex_into_an_empty_sqlite_catalog_gives_the_same_catalog(
        archive: Archive, tmp_path: Path) -> None:
    before = catalog_snapshot(archive.ctx)
    index_before = {p.name: p.read_text("utf-8")
                    for p in (archive.ctx.data_dir / "index").glob("*.cdxj")}
    url = f"sqlite:///{tmp_path / 'rebuilt.sqlite'}"
    result = archive.cli("reindex", db=url)
    assert result.exit_code == 0, result.output
    rebuilt = open_context(archive.root / "config", archive.ctx.data_dir, database_url=url,
                           env={})
    after = catalog_snapshot(rebuilt)
    assert after["articles"] == before["articles"]
    assert after["captures"] == before["captures"]
    assert len(before["articles"]) == len(expected_articles(2))
    assert {p.name: p.read_text("utf-8")
            for p in (archive.ctx.data_dir / "index").glob("*.cdxj")} == index_before
    again = archive.cli("reindex", db=url)
    assert isinstance(again.exception, CatalogError) and "--replace" in str(again.exception)
    assert archive.cli("reindex", "--replace", db=url).exit_code == 0
    assert catalog_snapshot(rebuilt)["articles"] == before["articles"]
    rebuilt.close()


@pytest.mark.postgres
def test_reindex_into_postgresql_gives_the_same_articles(archive: Archive, pg_url: str) -> None:
    before = catalog_snapshot(archive.ctx)
    ctx = open_context(archive.root / "config", archive.ctx.data_dir, database_url=pg_url,
                       env={})
    report = service.reindex(ctx)
    assert not report.problems
    after = catalog_snapshot(ctx)
    ctx.close()
    assert after == before


# -- verify -------------------------------------------------------------------------------
@pytest.fixture
def copy(archive: Archive, tmp_path: Path) -> Archive:
    """A throwaway copy of the archive and its catalog, to damage."""
    shutil.copytree(archive.ctx.data_dir, tmp_path / "data")
    import sqlite3

    # the backup API, since a plain copy would miss what is still in the WAL file
    with sqlite3.connect(archive.root / "catalog.sqlite") as src, \
            sqlite3.connect(tmp_path / "catalog.sqlite") as dst:
        src.backup(dst)
    ctx = open_context(archive.root / "config", tmp_path / "data",
                       database_url=f"sqlite:///{tmp_path / 'catalog.sqlite'}", env={})
    return Archive(archive.root, ctx, archive.base)


def test_verify_passes_on_a_sound_archive(archive: Archive) -> None:
    result = archive.cli("verify")
    assert result.exit_code == 0, result.output
    assert "no problem" in result.output


def test_verify_names_the_file_and_record_of_a_corrupted_byte(copy: Archive) -> None:
    url = copy.url(changed_paths()[0])
    target = service.find_captures(copy.ctx, service.CaptureQuery(url, limit=1))[0]
    with copy.ctx.catalog.session() as session:
        record_id = session.scalars(select(Capture.warc_record_id).where(
            Capture.warc_file == target.filename, Capture.warc_offset == target.offset)).one()
    path = copy.ctx.warcs_dir / target.filename
    data = bytearray(path.read_bytes())
    data[target.offset + target.length // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    result = copy.cli("verify")
    assert result.exit_code == 1
    bad = [line for line in result.output.splitlines() if line.startswith("CORRUPT")]
    assert bad and target.filename in bad[0] and record_id in bad[0]
    assert f"offset {target.offset}" in bad[0]
    # the records after the damaged one are still found
    assert not [line for line in result.output.splitlines() if line.startswith("MISSING")]


def test_verify_reports_missing_extra_and_open(copy: Archive) -> None:
    with copy.ctx.catalog.session() as session:
        gone = session.scalars(select(Capture).where(Capture.record_type == "revisit")).first()
        assert gone is not None
        session.execute(delete(Capture).where(Capture.id == gone.id))
        other = session.scalars(select(Capture.warc_file).where(
            Capture.warc_file != gone.warc_file).distinct()).first()
    assert other is not None
    (copy.ctx.warcs_dir / other).unlink()
    (copy.ctx.warcs_dir / "demo_en" / "stray.warc.gz.open").write_bytes(b"")
    report = service.verify(copy.ctx)
    kinds = {(p.kind, p.file, p.record_id if p.kind == "extra" else None)
             for p in report.problems}
    assert ("extra", gone.warc_file, gone.warc_record_id) in kinds
    assert ("missing", other, None) in kinds
    assert ("open", "demo_en/stray.warc.gz.open", None) in kinds
    assert not report.ok


# -- sharing ------------------------------------------------------------------------------
def test_export_wacz_packages_an_outlet(archive: Archive, tmp_path: Path) -> None:
    import zipfile

    from archive.wacz import validate_wacz

    out = tmp_path / "ar1256.wacz"
    result = archive.cli("export-wacz", "--outlet", "demo_ar1256", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert validate_wacz(out)
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        pages = zf.read("pages/pages.jsonl").decode("utf-8").splitlines()
    assert "datapackage.json" in names and "indexes/index.cdx.gz" in names
    assert sum(n.startswith("archive/") for n in names) == 2  # both crawls' WARCs
    n_versions = sum(1 for a in expected_articles(2) if a.outlet == "demo_ar1256") + \
        sum(1 for a in expected_articles(2) if a.outlet == "demo_ar1256" and a.since == 1
            and a.revised == 2)
    assert len(pages) == 1 + n_versions
    empty = archive.cli("export-wacz", "--outlet", "demo_ar1256", "--from", "2100-01-01",
                        "-o", str(tmp_path / "none.wacz"))
    assert isinstance(empty.exception, ArchiveLookupError)
    assert "no captures" in str(empty.exception)
