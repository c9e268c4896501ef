"""An article whose capture row reached the catalog but whose article row did not (a crawl
killed between the two batches, issue 15): `akhbar verify` names the article as missing, and
the next normal crawl, where the server would answer 304, fetches that page in full again and
brings the article back, each article once."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import delete, func, select

from crawler import service
from crawler.catalog import Article, ArticleVersion, Capture, Run
from crawler.context import AkhbarContext, open_context
from crawler.demosite import DemoSite
from tests.support import write_demo_config


def articles(ctx: AkhbarContext) -> tuple[list[str], int]:
    with ctx.catalog.session() as session:
        urls = sorted(session.scalars(select(Article.url)))
        return urls, session.scalar(select(func.count()).select_from(ArticleVersion)) or 0


def test_an_article_lost_after_its_capture_comes_back_with_the_next_crawl(
        tmp_path: Path) -> None:
    with DemoSite(port=0) as site:
        write_demo_config(tmp_path / "config", site.base_url, ["demo_en"])
        ctx = open_context(tmp_path / "config", tmp_path / "data",
                           database_url=f"sqlite:///{tmp_path / 'catalog.sqlite'}", env={})
        targets, _ = service.pick_outlets(ctx, ["demo_en"])
        assert service.crawl(ctx, targets).ok
        reference, versions = articles(ctx)
        assert len(reference) >= 3 and versions == len(reference)

        # The state a kill between the capture's batch and the article's leaves behind.
        lost = reference[1]
        with ctx.catalog.session() as session:
            article_id = session.scalars(select(Article.id).where(Article.url == lost)).one()
            capture_id = session.scalars(select(ArticleVersion.capture_id).where(
                ArticleVersion.article_id == article_id)).one()
            session.execute(delete(ArticleVersion).where(
                ArticleVersion.article_id == article_id))
            session.execute(delete(Article).where(Article.id == article_id))
            assert session.get(Capture, capture_id) is not None

        report = service.verify(ctx)
        missing = [p for p in report.problems if p.kind == "missing"]
        assert len(missing) == 1 and lost in missing[0].message, report.problems
        assert "akhbar verify --repair" in missing[0].message

        again = service.crawl(ctx, targets)
        assert again.ok
        assert articles(ctx) == (reference, versions)
        with ctx.catalog.session() as session:
            run = session.get(Run, again.outcomes[0].run_id)
            assert run is not None
            # The lost one is new again; the others were answered 304 and left as they were.
            assert run.articles_new == 1, (run.articles_new, run.articles_unchanged)
            assert run.articles_unchanged == len(reference) - 1
        assert service.verify(ctx).ok, service.verify(ctx).problems
        ctx.close()
