"""Recrawls: unchanged articles become revisit records, changed ones new versions."""

from __future__ import annotations

from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler import service
from crawler.catalog import Capture
from crawler.context import open_context
from crawler.demosite import DemoSite, expected_articles
from crawler.urls import canonicalize
from tests.support import write_demo_config


def records_of_run(ctx, run_id: str) -> dict[str, list[tuple[str, dict[str, str]]]]:
    """Target URI -> [(record type, WARC headers)] for the run's WARC files, leaving out the
    5xx answers that were retried."""
    from sqlalchemy import select

    with ctx.catalog.session() as session:
        files = set(session.scalars(select(Capture.warc_file).where(Capture.run_id == run_id)))
    out: dict[str, list[tuple[str, dict[str, str]]]] = {}
    for name in files:
        with (ctx.warcs_dir / name).open("rb") as fh:
            for rec in ArchiveIterator(fh):
                if rec.rec_type in ("response", "revisit") and \
                        rec.http_headers.get_statuscode() not in ("500", "503"):
                    uri = rec.rec_headers.get_header("WARC-Target-URI")
                    out.setdefault(uri, []).append((rec.rec_type, dict(rec.rec_headers.headers)))
    return out


def run_size(ctx, run_id: str) -> int:
    from sqlalchemy import select

    with ctx.catalog.session() as session:
        files = set(session.scalars(select(Capture.warc_file).where(Capture.run_id == run_id)))
    return sum((ctx.warcs_dir / f).stat().st_size for f in files)


@pytest.fixture(scope="module")
def two_crawls(tmp_path_factory: pytest.TempPathFactory):
    root: Path = tmp_path_factory.mktemp("recrawl")
    with DemoSite(port=0) as site:
        write_demo_config(root / "config", site.base_url)
        ctx = open_context(root / "config", root / "data",
                           database_url=f"sqlite:///{root / 'c.sqlite'}", env={})
        targets, _ = service.pick_outlets(ctx, [], prefix="demo_")
        first = service.crawl(ctx, targets)
        site.set_edition(2)
        second = service.crawl(ctx, targets)
        base = site.base_url
    return ctx, first, second, base


def test_recrawl_writes_revisits_versions_and_new_articles(two_crawls) -> None:
    ctx, first, second, base = two_crawls
    assert first.ok and second.ok
    e2 = expected_articles(2)
    changed = {canonicalize(base + a.path) for a in e2 if a.since == 1 and a.revised == 2}
    new = {canonicalize(base + a.path) for a in e2 if a.since == 2}
    same = {canonicalize(base + a.path) for a in e2} - changed - new
    assert changed and new and same

    records: dict[str, list[tuple[str, dict[str, str]]]] = {}
    for outcome in second.outcomes:
        records.update(records_of_run(ctx, outcome.run_id))
    for url in same:
        kinds = [k for k, _ in records[url]]
        assert kinds == ["revisit"], (url, kinds)
        headers = records[url][0][1]
        assert headers["WARC-Refers-To-Target-URI"] == url
        assert headers["WARC-Refers-To-Date"]
        assert "server-not-modified" in headers["WARC-Profile"]
    for url in changed | new:
        assert [k for k, _ in records[url]] == ["response"], url

    got = {r["url"]: r for r in service.iter_articles(ctx, service.ArticleQuery())}
    assert set(got) == changed | new | same
    for url in changed:
        assert got[url]["version"] == 2
    for url in new | same:
        assert got[url]["version"] == 1

    totals = {"new": 0, "changed": 0, "unchanged": 0}
    for outcome in second.outcomes:
        s = service.run_summary(ctx, outcome.run_id)
        totals["new"] += s.articles_new
        totals["changed"] += s.articles_changed
        totals["unchanged"] += s.articles_unchanged
    assert totals == {"new": len(new), "changed": len(changed), "unchanged": len(same)}


def test_identical_payload_without_validators_is_a_revisit(two_crawls) -> None:
    """An outlet that sends no ETag/Last-Modified: the payload digest decides."""
    from sqlalchemy import update

    ctx, _, _, base = two_crawls
    with ctx.catalog.session() as session:
        session.execute(update(Capture).values(etag=None, last_modified=None))
    with DemoSite(port=int(base.rsplit(":", 1)[1]), edition=2):
        targets, _ = service.pick_outlets(ctx, ["demo_fa"])
        third = service.crawl(ctx, targets)
    assert third.ok
    records = records_of_run(ctx, third.outcomes[0].run_id)
    fa = [canonicalize(base + a.path) for a in expected_articles(2) if a.outlet == "demo_fa"]
    for url in fa:
        kinds = [(k, h.get("WARC-Profile", "")) for k, h in records[url]]
        assert len(kinds) == 1 and kinds[0][0] == "revisit", (url, kinds)
        assert "identical-payload-digest" in kinds[0][1]
    summary = service.run_summary(ctx, third.outcomes[0].run_id)
    assert summary.articles_unchanged == len(fa) and summary.articles_new == 0


def test_revisits_save_storage(two_crawls) -> None:
    ctx, first, second, _ = two_crawls
    before = sum(run_size(ctx, o.run_id) for o in first.outcomes)
    after = sum(run_size(ctx, o.run_id) for o in second.outcomes)
    print(f"\nWARC bytes: first crawl {before}, recrawl {after} ({after / before:.0%})")
    assert after < before


def test_recrawl_summary_counts_languages_of_unchanged_articles_too(two_crawls) -> None:
    ctx, _, second, _ = two_crawls
    for outcome in second.outcomes:
        s = service.run_summary(ctx, outcome.run_id)
        total = s.articles_new + s.articles_changed + s.articles_unchanged
        assert sum(s.languages.values()) == total, (s.outlet, s.languages, total)
