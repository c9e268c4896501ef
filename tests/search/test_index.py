"""The index follows the catalog: new versions are indexed by catch-up, a new analyzer or a
rebuilt catalog rebuilds it, concurrent catch-ups never index a version twice."""

from __future__ import annotations

import hashlib
import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, text

from crawler.catalog import Article, ArticleVersion, Catalog
from crawler.search import ArticleQuery, catch_up, rebuild, search
from crawler.search import backends as search_backends
from crawler.search import index as search_index
from tests.search.conftest import add_article


def indexed(catalog: Catalog) -> int:
    # FTS5 without content or column sizes cannot be scanned: count the versions' facet.
    every = ("SELECT count(*) FROM search_index WHERE search_index MATCH '{facets} : v'"
             if catalog.engine.dialect.name == "sqlite" else "SELECT count(*) FROM search_index")
    with catalog.engine.connect() as conn:
        return conn.execute(text(every)).scalar_one()


def versions(catalog: Catalog) -> int:
    with catalog.engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM article_versions")).scalar_one()


def add(catalog: Catalog, path: str, body: str) -> None:
    add_article(catalog, "demo_fa", path, "خبر تازه", body, "fa", "2026-12-01",
                datetime(2026, 12, 1, tzinfo=UTC))


def test_catch_up_indexes_only_what_is_new(catalog: Catalog) -> None:
    assert catch_up(catalog) == versions(catalog) == indexed(catalog)
    assert catch_up(catalog) == 0
    add(catalog, "/fa/new-tariffs/", "تعرفه‌های تازه‌ی گمرکی اعلام شد.")
    assert catch_up(catalog, batch=1) == 1
    # A search catches up by itself.
    add(catalog, "/fa/newer/", "نرخ کهرباییک کاهش یافت.")
    assert search(catalog, ArticleQuery(text="کهرباییک")).total == 1
    assert indexed(catalog) == versions(catalog)


def test_a_new_analyzer_rebuilds_the_index(catalog: Catalog,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    catch_up(catalog)
    monkeypatch.setattr(search_index, "ANALYZER_VERSION", search_index.ANALYZER_VERSION + 1)
    assert catch_up(catalog) == versions(catalog) == indexed(catalog)
    with catalog.engine.connect() as conn:
        state = conn.execute(text("SELECT analyzer_version FROM search_state")).scalar_one()
    assert state == search_index.ANALYZER_VERSION


def test_a_rebuilt_catalog_rebuilds_the_index(catalog: Catalog) -> None:
    catch_up(catalog)
    with catalog.session() as session:  # what `akhbar reindex --replace` does first
        session.execute(delete(ArticleVersion))
        session.execute(delete(Article))
    add(catalog, "/fa/only/", "فقط این خبر مانده است.")
    assert search(catalog, ArticleQuery(text="مسکن")).total == 0
    assert search(catalog, ArticleQuery(text="مانده")).total == 1
    assert indexed(catalog) == versions(catalog) == 1


def test_rebuild_and_concurrent_catch_ups(catalog: Catalog) -> None:
    assert rebuild(catalog) == versions(catalog)
    for n in range(30):
        body = f"زنجبیلک شماره {n} " + hashlib.sha1(str(n).encode()).hexdigest()
        add(catalog, f"/fa/report-{n}/", body)
    counts: list[int] = []
    threads = [threading.Thread(target=lambda: counts.append(catch_up(catalog, batch=4)))
               for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(counts) == 30 and indexed(catalog) == versions(catalog)
    assert search(catalog, ArticleQuery(text="زنجبیلک", limit=100)).total == 30


def test_a_large_catch_up_leaves_the_planner_statistics(catalog: Catalog) -> None:
    # On PostgreSQL a search right after a rebuild was planned without statistics of the
    # new index entries (a word at 100,000 articles: 379 ms, 58 after ANALYZE).
    if catalog.engine.dialect.name != "postgresql":
        pytest.skip("FTS5 plans its MATCH from the index itself")

    def analyzed() -> bool:
        with catalog.engine.connect() as conn:
            return conn.execute(text(
                "SELECT bool_and(last_analyze IS NOT NULL) FROM pg_stat_user_tables "
                "WHERE relname IN ('search_index', 'article_versions') "
                "AND schemaname = current_schema()")).scalar_one()

    assert catch_up(catalog, settle_after=versions(catalog) + 1) == versions(catalog)
    assert not analyzed()  # a small catch-up leaves it to autovacuum
    rebuild(catalog)
    add(catalog, "/fa/next/", "خبر دیگر")
    assert catch_up(catalog, settle_after=1) == 1
    assert analyzed()


def test_catch_up_sets_the_fts5_token_buffer_once(catalog: Catalog) -> None:
    # An index made before FTS5_HASHSIZE kept FTS5's 1 MiB default: the next catch-up sets it.
    if catalog.engine.dialect.name != "sqlite":
        pytest.skip("an FTS5 setting")

    def hashsize() -> int | None:
        with catalog.engine.connect() as conn:
            return conn.execute(text(
                "SELECT v FROM search_index_config WHERE k = 'hashsize'")).scalar()

    with catalog.engine.begin() as conn:
        conn.execute(text("INSERT INTO search_index (search_index, rank) "
                          "VALUES ('hashsize', 1048576)"))
    assert hashsize() == 1048576
    assert catch_up(catalog) == versions(catalog)
    assert hashsize() == search_backends.FTS5_HASHSIZE
    assert catch_up(catalog) == 0 and hashsize() == search_backends.FTS5_HASHSIZE
