"""A crawl writes its run through SQLite connections with a small page cache
(CRAWL_CACHE_KIB) and few prepared statements kept (CRAWL_STATEMENTS): with SQLite's and the
sqlite3 module's defaults a crawl process's SQLite memory grew with the run (2.7 MB at 2,000
articles, 8.2-9.6 MB at 20,000)."""

from __future__ import annotations

import ctypes
import random
from pathlib import Path

import pytest
from scrapy import Spider
from sqlalchemy import Engine, text

from crawler.catalog import CRAWL_CACHE_KIB, CRAWL_STATEMENTS, Catalog, make_engine, sqlite_url
from crawler.crawl.pipelines import CatalogPipeline
from tests.scrapy_support import bare_crawler


def cache_size(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("PRAGMA cache_size")).scalar_one())


def test_the_page_cache_is_sqlites_default_unless_asked(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "catalog.sqlite")
    assert cache_size(make_engine(url)) == -2000
    assert cache_size(make_engine(url, cache_kib=300)) == -300
    catalog = Catalog(url, cache_kib=CRAWL_CACHE_KIB)
    try:
        assert cache_size(catalog.engine) == -CRAWL_CACHE_KIB
    finally:
        catalog.dispose()


def test_a_crawls_catalog_writer_uses_the_small_cache(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "catalog.sqlite")
    crawler = bare_crawler(Spider, {"AKHBAR_DATABASE_URL": url, "AKHBAR_OUTLET": "demo_en"})
    pipe = CatalogPipeline.from_crawler(crawler)
    try:
        assert CRAWL_CACHE_KIB < 2000
        assert cache_size(pipe.writer.catalog.engine) == -CRAWL_CACHE_KIB
    finally:
        pipe.writer.catalog.dispose()


def sqlite_memory() -> int:
    try:
        lib = ctypes.CDLL("libsqlite3.so.0")
    except OSError:
        pytest.skip("Python's sqlite3 is not the system's libsqlite3 here")
    lib.sqlite3_memory_used.restype = ctypes.c_int64
    return int(lib.sqlite3_memory_used())


def test_a_crawls_connections_keep_few_prepared_statements(tmp_path: Path) -> None:
    # A batch's IN (...) look-ups are a new statement for each number of values.
    url = sqlite_url(tmp_path / "catalog.sqlite")
    rng = random.Random(7)

    def grown(engine: Engine) -> int:
        with engine.connect() as conn:
            conn.execute(text("CREATE TABLE IF NOT EXISTS t (u TEXT PRIMARY KEY)"))
            before = sqlite_memory()
            for _ in range(100):
                n = rng.randint(50, 500)
                marks = ", ".join(f":v{i}" for i in range(n))
                conn.execute(text(f"SELECT u FROM t WHERE u IN ({marks})"),
                             {f"v{i}": str(i) for i in range(n)}).all()
            return sqlite_memory() - before

    kept = grown(make_engine(url))
    few = grown(make_engine(url, statements=CRAWL_STATEMENTS))
    assert kept > 2_000_000  # the sqlite3 module's 128, ~25 KB each
    assert few < kept / 4
