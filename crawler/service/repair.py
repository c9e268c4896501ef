"""`akhbar verify --repair`: bring the catalog and the index back in line with the WARC files
after a crash, without touching what is already right.

In order: the runs of owners that died are ended (with their reason); ``.open`` WARC files no
live crawl holds are cut after their last whole record and closed; every capture in a WARC
file that the catalog lacks is added, and every response whose article the catalog lacks gets
it from its metadata record, replayed in capture order through the crawl's own catalog
functions (as `akhbar reindex` does, but only for what is missing); the CDXJ index files are
rewritten when anything was added.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy import select

from crawler.catalog import ArticleVersion, Capture
from crawler.catalog.records import PreviousCapture
from crawler.catalog.writer import touch_unchanged, upsert_article
from crawler.context import AkhbarContext
from crawler.runs import RunBook, reap, recover_warcs
from crawler.service.rebuild import (
    ARTICLE_TYPES,
    _article,
    _capture_row,
    _scan,
    rebuild_index,
    warc_files,
)

logger = logging.getLogger(__name__)


@dataclass
class RepairReport:
    runs_ended: list[str] = field(default_factory=list)
    warcs_closed: list[str] = field(default_factory=list)
    captures_added: int = 0
    articles_added: int = 0
    versions_added: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.runs_ended or self.warcs_closed or self.captures_added
                    or self.articles_added or self.versions_added)


def repair(ctx: AkhbarContext) -> RepairReport:
    report = RepairReport()
    reaped = reap(ctx, RunBook(ctx.catalog), None, adopt=False)
    report.runs_ended = [o.run_id for o in reaped.ended] + reaped.failed
    if ctx.warcs_dir.is_dir():
        for outlet_dir in sorted(p for p in ctx.warcs_dir.iterdir() if p.is_dir()):
            report.warcs_closed += recover_warcs(ctx, outlet_dir.name)
    with ctx.catalog.session() as session:
        known = {(c.warc_file, c.warc_offset): c for c in session.scalars(select(Capture))}
        with_version = set(session.scalars(select(ArticleVersion.capture_id)))
        versions_before = len(with_version)
        scans = [_scan(ctx.warcs_dir, rel) for rel in warc_files(ctx)]
        report.problems = [f"{s.rel}: {s.error}" for s in scans if s.error]
        metadata = {rid: data for s in scans for rid, data in s.metadata.items()}
        missing = sorted(((_capture_row(s, off, n, rec), rec, s.outlet) for s in scans
                          for off, n, rec in s.captures
                          if (s.rel, off) not in known or _lacks_article(
                              known[(s.rel, off)], with_version, metadata)),
                         key=lambda x: (x[0].captured_at, x[0].warc_file, x[0].warc_offset))
        for fresh, rec, outlet in missing:
            row = known.get((fresh.warc_file, fresh.warc_offset))
            if row is None:
                session.add(fresh)
                session.flush()
                row = fresh
                report.captures_added += 1
            article = _article(metadata.get(row.warc_record_id), row) \
                if row.record_type in ARTICLE_TYPES else None
            if article is not None:
                outcome = upsert_article(session, outlet, article, row.id, row.url,
                                         row.captured_at)
                report.articles_added += outcome == "new"
                report.versions_added += outcome == "changed"
            elif row.record_type == "revisit":
                refers = rec.headers.get_header("WARC-Refers-To")
                if refers:
                    touch_unchanged(session, PreviousCapture(row.url, refers, row.captured_at,
                                                             "", None, None), row.captured_at)
            session.flush()
        logger.info("repair: %d capture(s), %d article(s) added (%d versions before)",
                    report.captures_added, report.articles_added, versions_before)
    if report.captures_added or report.warcs_closed:
        rebuild_index(ctx)
    return report


def _lacks_article(row: Capture, with_version: set[int | None],
                   metadata: dict[str, dict[str, object]]) -> bool:
    """A response whose metadata record holds an article the catalog does not have."""
    return (row.record_type in ARTICLE_TYPES and row.id not in with_version
            and row.warc_record_id in metadata)
