"""A crawl writes its run through SQLite connections with a small page cache
(CRAWL_CACHE_KIB): SQLite's default of 2,000 KiB a connection grew a crawl process with the
catalog (2.7 MB of SQLite memory at 2,000 articles, 8.2 MB at 20,000)."""

from __future__ import annotations

from pathlib import Path

from scrapy import Spider
from scrapy.utils.test import get_crawler
from sqlalchemy import Engine, text

from crawler.catalog import CRAWL_CACHE_KIB, Catalog, make_engine, sqlite_url
from crawler.crawl.pipelines import CatalogPipeline


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
    crawler = get_crawler(Spider, {"AKHBAR_DATABASE_URL": url, "AKHBAR_OUTLET": "demo_en"})
    pipe = CatalogPipeline.from_crawler(crawler)
    try:
        assert CRAWL_CACHE_KIB < 2000
        assert cache_size(pipe.writer.catalog.engine) == -CRAWL_CACHE_KIB
    finally:
        pipe.writer.catalog.dispose()
