"""Rebuilding the catalog and the CDXJ index from the WARC files alone, and checking the
WARC files against both.

What reindex needs is all in the WARCs: ``response``/``revisit`` records give the captures,
each file's ``warcinfo`` the outlet and run, and the ``metadata`` record written beside each
extracted article (JSON, ``WARC-Concurrent-To`` its response) the text, metadata and
language tags. Replaying those in capture order through the same catalog functions the
crawl uses (``upsert_article``, ``touch_unchanged``) gives the same articles and versions.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select

from archive import ArchiveError, ArchiveRecord, read_record, verify_file
from archive.cdxj import INDEX_SUFFIX, cdxj_lines, iter_index, write_index
from archive.integrity import iter_sound_records
from archive.writer import OPEN_SUFFIX
from crawler.catalog import Article, ArticleVersion, Capture
from crawler.catalog.db import redact_url
from crawler.catalog.records import TaggedArticle
from crawler.catalog.writer import touch_unchanged, upsert_article
from crawler.context import AkhbarContext
from crawler.crawl.items import PreviousCapture
from crawler.errors import CatalogError
from crawler.service.archive import index_dir

try:
    import fcntl
except ImportError:  # pragma: no cover - non-POSIX
    fcntl = None  # type: ignore[assignment]

logger = logging.getLogger(__name__)

__all__ = ["ARTICLE_TYPES", "ReindexReport", "VerifyProblem", "VerifyReport", "rebuild_index",
           "reindex", "verify", "warc_files"]

#: Records with a catalog row: HTTP captures, and the resources a browser-rendered page adds
#: (its rendered DOM ``urn:dom:<url>`` and screenshot ``urn:view:<url>``).
CAPTURE_TYPES = ("response", "revisit", "resource")
#: Records an article's metadata record may be written beside: a page's response, or the
#: revisit of a browser-rendered page whose HTML shell is unchanged (its text may not be).
ARTICLE_TYPES = ("response", "revisit")


def warc_files(ctx: AkhbarContext) -> list[str]:
    """Every closed WARC file, relative to the WARC root, in name (so time) order."""
    root = ctx.warcs_dir
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.warc.gz"))


@dataclass
class _FileScan:
    """What one pass over a WARC file found."""

    rel: str
    outlet: str
    run_id: str | None = None
    captures: list[tuple[int, int, ArchiveRecord]] = field(default_factory=list)
    metadata: dict[str, dict[str, Any]] = field(default_factory=dict)
    error: str | None = None


def _sound_records(path: Path, errors: list[str]) -> Iterator[tuple[int, int, ArchiveRecord]]:
    """Every readable record of a WARC file; each damaged member is appended to ``errors``
    and stepped over, so one bad byte costs one record."""

    def damaged(offset: int, _data: bytes, message: str) -> None:
        errors.append(message if message.startswith("offset ") else f"offset {offset}: {message}")

    with open(path, "rb") as fh:
        yield from iter_sound_records(fh, damaged)


def _scan(root: Path, rel: str) -> _FileScan:
    scan = _FileScan(rel, Path(rel).parts[0])
    errors: list[str] = []
    try:
        for offset, length, record in _sound_records(root / rel, errors):
            if record.rec_type == "warcinfo":
                info = _warc_fields(record.raw_payload)
                scan.outlet = info.get("outlet", scan.outlet)
                scan.run_id = info.get("run-id", scan.run_id)
            elif record.rec_type in CAPTURE_TYPES:
                scan.captures.append((offset, length, record))
            elif record.rec_type == "metadata":
                target = record.headers.get_header("WARC-Concurrent-To")
                if target and (record.headers.get_header("Content-Type") or "").startswith(
                        "application/json"):
                    try:
                        scan.metadata[target] = json.loads(record.raw_payload)
                    except ValueError:
                        logger.warning("%s@%d: metadata is not JSON", rel, offset)
    except OSError as exc:
        errors.append(f"cannot read: {exc}")
    scan.error = "; ".join(errors) or None
    return scan


def _warc_fields(block: bytes) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in block.decode("utf-8", "replace").splitlines():
        name, sep, value = line.partition(":")
        if sep:
            out[name.strip()] = value.strip()
    return out


def _capture_row(scan: _FileScan, offset: int, length: int, rec: ArchiveRecord) -> Capture:
    http = rec.http_headers
    # A record without HTTP headers is a resource (a rendered DOM, a screenshot) or a
    # revisit of one: its own Content-Type, and 200 as the crawl records it.
    made = http is None and (rec.target_uri or "").startswith("urn:")
    get = rec.headers.get_header if made else (
        http.get_header if http is not None else (lambda _name: None))
    date = rec.date
    assert date is not None
    return Capture(
        run_id=scan.run_id, outlet_id=scan.outlet, url=rec.target_uri, captured_at=date,
        status=rec.http_status or (200 if made else 0),
        content_type=(get("Content-Type") or "")[:200] or None,
        record_type=rec.rec_type, warc_file=scan.rel, warc_offset=offset, warc_length=length,
        payload_digest=rec.headers.get_header("WARC-Payload-Digest"),
        warc_record_id=rec.record_id, etag=get("ETag"), last_modified=get("Last-Modified"),
    )


# -- reindex ------------------------------------------------------------------------------
@dataclass
class ReindexReport:
    files: int = 0
    captures: int = 0
    articles: int = 0
    versions: int = 0
    unchanged: int = 0
    index_lines: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dict(vars(self))


def reindex(ctx: AkhbarContext, *, replace: bool = False) -> ReindexReport:
    """Rebuild captures, articles, versions and language tags, and the CDXJ index, from the
    WARC files. The catalog must hold no captures or articles unless ``replace`` (which
    deletes them first; outlets and runs are kept)."""
    catalog = ctx.catalog
    with catalog.session() as session:
        held = (session.scalar(select(func.count()).select_from(Capture)) or 0) + \
            (session.scalar(select(func.count()).select_from(Article)) or 0)
        if held and not replace:
            raise CatalogError(
                f"the catalog ({redact_url(catalog.url.split('?')[0])}) already holds captures or "
                "articles; reindex into an empty database, or pass --replace to rebuild them")
        if held:
            session.execute(delete(ArticleVersion))
            session.execute(delete(Article))
            session.execute(delete(Capture))
    report = ReindexReport()
    scans = [_scan(ctx.warcs_dir, rel) for rel in warc_files(ctx)]
    report.files = len(scans)
    report.problems = [f"{s.rel}: {s.error}" for s in scans if s.error]
    metadata = {rid: data for s in scans for rid, data in s.metadata.items()}
    rows = sorted(((_capture_row(s, off, n, rec), rec, s.outlet) for s in scans
                   for off, n, rec in s.captures),
                  key=lambda x: (x[0].captured_at, x[0].warc_file, x[0].warc_offset))
    with catalog.session() as session:
        session.add_all(row for row, _, _ in rows)
        session.flush()
        report.captures = len(rows)
        for row, rec, outlet in rows:
            data = metadata.get(row.warc_record_id)
            article = _article(data, row) if row.record_type in ARTICLE_TYPES else None
            if article is not None:
                outcome = upsert_article(session, outlet, article, row.id, row.url,
                                         row.captured_at)
                report.articles += outcome == "new"
                report.versions += outcome in ("new", "changed")
                report.unchanged += outcome == "unchanged"
            elif row.record_type == "revisit":
                refers = rec.headers.get_header("WARC-Refers-To")
                if refers and touch_unchanged(
                        session, PreviousCapture(row.url, refers, row.captured_at, "", None, None),
                        row.captured_at):
                    report.unchanged += 1
            session.flush()
    report.index_lines = rebuild_index(ctx)
    logger.info("reindexed %d WARC file(s): %d captures, %d articles, %d versions",
                report.files, report.captures, report.articles, report.versions)
    return report


def _article(data: dict[str, Any] | None, row: Capture) -> TaggedArticle | None:
    """The article a metadata record's JSON holds, or None (no record, or one that is not an
    article: it is reported and left out)."""
    if data is None:
        return None
    try:
        return TaggedArticle.from_dict(data)
    except (KeyError, TypeError) as exc:
        logger.warning("%s@%d: metadata of %s is not an article (%s)", row.warc_file,
                       row.warc_offset, row.url, exc)
        return None


def rebuild_index(ctx: AkhbarContext) -> dict[str, int]:
    """Rewrite every ``<outlet>.cdxj`` from the WARC files; drop indexes of no WARC."""
    groups: dict[str, list[Path]] = defaultdict(list)
    for rel in warc_files(ctx):
        groups[Path(rel).parts[0]].append(ctx.warcs_dir / rel)
    out = index_dir(ctx)
    counts = {name: write_index(out / f"{name}{INDEX_SUFFIX}", cdxj_lines(paths, ctx.warcs_dir))
              for name, paths in sorted(groups.items())}
    for stale in out.glob("*" + INDEX_SUFFIX) if out.exists() else ():
        if stale.stem not in groups:
            stale.unlink()
    return counts


# -- verify -------------------------------------------------------------------------------
@dataclass(frozen=True)
class VerifyProblem:
    """``kind``: corrupt (bad bytes or digests), missing (the catalog or index names a file
    or record that is not there), extra (in a WARC but not in the catalog or index), open
    (a WARC file never closed)."""

    kind: str
    file: str
    offset: int | None
    record_id: str | None
    message: str

    def __str__(self) -> str:
        where = self.file + (f" offset {self.offset}" if self.offset is not None else "")
        return f"{self.kind.upper():8} {where} {self.record_id or '-'}: {self.message}"


@dataclass
class VerifyReport:
    files: int = 0
    records: int = 0
    problems: list[VerifyProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(ctx: AkhbarContext) -> VerifyReport:
    """Check every WARC file (gzip members, digests, closed) against the catalog and the
    CDXJ index; an empty ``problems`` list means all is well."""
    report = VerifyReport()
    root = ctx.warcs_dir
    for open_path in sorted(root.rglob("*.warc.gz" + OPEN_SUFFIX)):
        if not _being_written(open_path):
            report.problems.append(VerifyProblem(
                "open", open_path.relative_to(root).as_posix(), None, None,
                "never closed (its crawl was killed); `akhbar verify --repair` closes it"))
    with ctx.catalog.session() as session:
        by_file: dict[str, dict[int, Capture]] = defaultdict(dict)
        for cap in session.scalars(select(Capture)):
            by_file[cap.warc_file][cap.warc_offset] = cap
        article_urls = set(session.scalars(select(Article.url)))
        versions = list(session.execute(
            select(Capture.warc_file, Capture.warc_offset, Capture.warc_record_id,
                   ArticleVersion.text_digest)
            .join(ArticleVersion, ArticleVersion.capture_id == Capture.id)))
    indexed = {(ln.filename, ln.offset) for ln in iter_index(index_dir(ctx), "", "\U0010ffff")}
    files = warc_files(ctx)
    seen_records: set[tuple[str, int]] = set()
    metadata: dict[str, dict[str, Any]] = {}
    for rel in files:
        report.files += 1
        catalog_rows = by_file.get(rel, {})
        corrupt_at = set()
        for p in verify_file(root / rel):
            rid = p.record_id or (catalog_rows[p.offset].warc_record_id
                                  if p.offset in catalog_rows else None)
            report.problems.append(VerifyProblem("corrupt", rel, p.offset, rid, p.message))
            corrupt_at.add(p.offset)
        scan = _scan(root, rel)
        metadata.update(scan.metadata)
        report.records += len(scan.captures)
        if not catalog_rows and scan.captures:
            report.problems.append(VerifyProblem(
                "extra", rel, None, None,
                f"{len(scan.captures)} capture(s) not in the catalog; "
                "`akhbar verify --repair` adds them"))
        for offset, length, rec in scan.captures:
            seen_records.add((rel, offset))
            data = scan.metadata.get(rec.record_id or "")
            url = data.get("canonical_url") if isinstance(data, dict) else None
            if url is not None and url not in article_urls:
                article_urls.add(url)  # reported once, at its first capture
                report.problems.append(VerifyProblem(
                    "missing", rel, offset, rec.record_id,
                    f"article {url} is in this file but not in the catalog; "
                    "`akhbar verify --repair` adds it"))
            row = catalog_rows.get(offset)
            if catalog_rows and row is None:
                report.problems.append(VerifyProblem(
                    "extra", rel, offset, rec.record_id, "capture not in the catalog"))
            elif row is not None and (row.warc_record_id != rec.record_id
                                      or row.warc_length != length):
                report.problems.append(VerifyProblem(
                    "corrupt", rel, offset, rec.record_id,
                    f"the catalog has {row.warc_record_id} ({row.warc_length} bytes) here"))
            if (rel, offset) not in indexed:
                report.problems.append(VerifyProblem(
                    "extra", rel, offset, rec.record_id, "capture not in the CDXJ index"))
        if scan.error:  # the pass stopped at damage: look at what lies past it one by one
            for offset, row in catalog_rows.items():
                if offset not in corrupt_at and _readable(root / rel, offset, row.warc_length):
                    seen_records.add((rel, offset))
        for offset, row in sorted(catalog_rows.items()):
            if (rel, offset) not in seen_records and offset not in corrupt_at:
                report.problems.append(VerifyProblem(
                    "missing", rel, offset, row.warc_record_id,
                    "the catalog's capture is not a record of this file"
                    + (f" ({scan.error})" if scan.error else "")))
    on_disk = set(files)
    for rel in sorted(set(by_file) - on_disk):
        report.problems.append(VerifyProblem(
            "missing", rel, None, None,
            f"file not found; the catalog has {len(by_file[rel])} capture(s) in it"))
    for rel, offset in sorted(indexed - seen_records):
        if rel not in on_disk or not any(p.file == rel and p.offset == offset
                                         for p in report.problems):
            report.problems.append(VerifyProblem(
                "missing", rel, offset, None, "the CDXJ index names a record that is not there"))
    for rel, offset, record_id, digest in versions:
        data = metadata.get(record_id)
        if rel in on_disk and (data is None or data.get("text_digest") != digest):
            report.problems.append(VerifyProblem(
                "missing", rel, offset, record_id,
                "no metadata record with this article version's text (reindex would lose it)"))
    return report


def _readable(path: Path, offset: int, length: int) -> bool:
    try:
        read_record(path, offset, length)
    except ArchiveError:
        return False
    return True


def _being_written(path: Path) -> bool:
    if fcntl is None:  # pragma: no cover
        return False
    with open(path, "rb") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
    return False
