"""Catalogs on SQLite and PostgreSQL holding the demo site's articles (English, Arabic,
Persian), written by the catalog's own upsert, for search and export tests."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crawler.catalog import Catalog, sqlite_url
from crawler.catalog.upsert import ArticleInput, upsert_articles
from crawler.demosite import expected_articles

T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
BASE = "http://demo.test"


def article_data(path: str, title: str, text: str, language: str,
                 published: str | None, author: str | None = None) -> dict[str, object]:
    return {"canonical_url": BASE + path, "title": title, "text": text,
            "text_digest": hashlib.sha256(text.encode()).hexdigest(), "language": language,
            "published": published, "author": author}


def fill(catalog: Catalog) -> None:
    """Edition 1 of the demo site, then edition 2 a day later (new versions of the articles
    it revised)."""
    for edition in (1, 2):
        seen = T0 + timedelta(days=edition - 1)
        by_outlet: dict[str, list[ArticleInput]] = {}
        for a in expected_articles(edition):
            data = article_data(a.path, a.title, a.text, a.language, a.published, a.author)
            by_outlet.setdefault(a.outlet, []).append(
                ArticleInput(data, None, BASE + a.path, seen))
        with catalog.session() as session:
            for outlet, entries in by_outlet.items():
                upsert_articles(session, outlet, entries)


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
