"""A catalog searched before migration 0007 (no facets, FTS5 with column sizes) is searched
after it: the migration empties the index and the next search indexes every version again,
facets included."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import text

from crawler.catalog import Catalog, sqlite_url
from crawler.catalog.db import MIGRATIONS_DIR, make_engine
from crawler.search import ArticleQuery, search
from crawler.search.normalize import ANALYZER_VERSION


def upgrade(url: str, revision: str) -> None:
    engine = make_engine(url)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    finally:
        engine.dispose()


WORDS = [("fa", "تحریم"), ("ar", "تحريم")]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_an_index_made_before_0007_is_made_again(backend: str, tmp_path: Path,
                                                 request: pytest.FixtureRequest) -> None:
    url = (sqlite_url(tmp_path / "c.sqlite") if backend == "sqlite"
           else request.getfixturevalue("pg_url"))
    upgrade(url, "0006")
    engine = make_engine(url)
    when = datetime(2026, 11, 1, tzinfo=UTC)
    with engine.begin() as conn:  # two versions, and a state saying they are indexed
        for n, (lang, word) in enumerate(WORDS, 1):
            conn.execute(text(
                "INSERT INTO articles (id, outlet_id, url, first_seen, last_seen, "
                "latest_version, language, published) VALUES (:n, :o, :u, :t, :t, 1, :l, "
                "'2026-11-01')"), {"n": n, "o": f"demo_{lang}", "u": f"http://x.test/{n}",
                                   "t": when, "l": lang})
            conn.execute(text(
                "INSERT INTO article_versions (id, article_id, version, captured_at, "
                "fetched_url, title, text, text_digest, language, languages) VALUES "
                "(:n, :n, 1, :t, :u, 'خبر', :w, :d, :l, '{}')"),
                {"n": n, "t": when, "u": f"http://x.test/{n}", "w": f"متن {word}",
                 "d": f"digest{n}", "l": lang})
        conn.execute(text("UPDATE search_state SET analyzer_version = :a, last_version_id = 2, "
                          "last_digest = 'digest2'"), {"a": ANALYZER_VERSION})
    engine.dispose()
    catalog = Catalog(url)  # migrates to the head
    try:
        assert search(catalog, ArticleQuery(text="تحریم")).total == 2
        hits = search(catalog, ArticleQuery(text="تحریم", lang="ar")).hits
        assert [h.url for h in hits] == ["http://x.test/2"]
    finally:
        catalog.dispose()
