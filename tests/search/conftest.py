"""Catalogs on SQLite and PostgreSQL holding the demo site's articles (English, Arabic,
Persian), edition 1 then edition 2 (new versions of the articles it revised), for search and
export tests. Rows go straight into the catalog's tables: the catalog writer is not what
these tests are about."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, select, update

from crawler.catalog import Article, ArticleVersion, Catalog, sqlite_url
from crawler.demosite import expected_articles

T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
BASE = "http://demo.test"


def add_article(catalog: Catalog, outlet: str, path: str, title: str, text: str,
                language: str, published: str | None, seen: datetime,
                author: str | None = None) -> None:
    """Record an article as seen at ``seen``: a new one, a new version when its text
    changed, or only seen again."""
    url = BASE + path
    digest = hashlib.sha256(text.encode()).hexdigest()
    with catalog.engine.begin() as conn:
        row = conn.execute(select(Article.id, Article.latest_version)
                           .where(Article.url == url)).first()
        if row is None:
            article_id = conn.execute(insert(Article).values(
                outlet_id=outlet, url=url, first_seen=seen, last_seen=seen, latest_version=1,
                language=language, published=published)).inserted_primary_key[0]
            version = 1
        else:
            article_id, latest = row
            old = conn.execute(select(ArticleVersion.text_digest).where(
                ArticleVersion.article_id == article_id,
                ArticleVersion.version == latest)).scalar_one()
            conn.execute(update(Article).where(Article.id == article_id)
                         .values(last_seen=seen))
            if old == digest:
                return
            version = latest + 1
            conn.execute(update(Article).where(Article.id == article_id)
                         .values(latest_version=version))
        values: dict[str, Any] = {
            "article_id": article_id, "version": version, "captured_at": seen,
            "fetched_url": url, "title": title, "author": author, "published": published,
            "text": text, "text_digest": digest, "language": language, "languages": {}}
        conn.execute(insert(ArticleVersion).values(**values))


def fill(catalog: Catalog) -> None:
    """Edition 1 of the demo site, then edition 2 a day later."""
    for edition in (1, 2):
        seen = T0 + timedelta(days=edition - 1)
        for a in expected_articles(edition):
            add_article(catalog, a.outlet, a.path, a.title, a.text, a.language, a.published,
                        seen, a.author)


@pytest.fixture(params=["sqlite", "postgresql"])
def catalog(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Catalog]:
    """A demo catalog on each database (a fresh one per test)."""
    url = (sqlite_url(tmp_path / "catalog.sqlite") if request.param == "sqlite"
           else request.getfixturevalue("pg_url"))
    cat = Catalog(url)
    fill(cat)
    try:
        yield cat
    finally:
        cat.dispose()
