"""The outlets table: a mirror of the valid outlet files, for joins and the pages; what an
outlet's recent articles say about it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import select

from crawler.catalog.db import Catalog
from crawler.catalog.models import Outlet
from crawler.outlets import OutletConfig


def sync_outlets(catalog: Catalog, configs: Iterable[OutletConfig]) -> None:
    """Mirror the outlet configs into the catalog's outlets table."""
    stamp = datetime.now(UTC)
    with catalog.session() as session:
        for cfg in configs:
            row = session.get(Outlet, cfg.id) or Outlet(id=cfg.id)
            row.name, row.homepage, row.languages = cfg.name, str(cfg.homepage), list(cfg.languages)
            row.enabled, row.config_hash, row.updated_at = cfg.enabled, cfg.config_hash, stamp
            session.add(row)


def recent_article_lines(
    catalog: Catalog, outlet_id: str, limit: int
) -> list[tuple[str, list[str]]]:
    """The outlet's ``limit`` most recently seen articles: each one's URL and the lines of its
    latest version, the text's and those removed from it as boilerplate (what an outlet's
    repeated lines are learned from: crawler.extraction.RepeatedLines)."""
    # A crawl's writer has them already; a run's owner syncs the outlets without them
    # (crawler.catalog.models says why).
    from crawler.catalog.archived import Article, ArticleVersion

    query = (
        select(Article.url, ArticleVersion.text, ArticleVersion.boilerplate)
        .join(ArticleVersion, (ArticleVersion.article_id == Article.id)
              & (ArticleVersion.version == Article.latest_version))
        .where(Article.outlet_id == outlet_id)
        .order_by(Article.last_seen.desc())
        .limit(limit)
    )
    with catalog.session() as session:
        return [(url, [*text.split("\n"), *(removed or [])])
                for url, text, removed in session.execute(query)]
