"""The catalog: what was archived, where in which WARC file, and what was extracted.

The database side (SQLAlchemy) is imported on first use: an extraction worker imports
:mod:`crawler.catalog.records` (the article type it returns) without it (~20 MB a worker).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crawler.catalog.archived import Article, ArticleVersion, Capture
    from crawler.catalog.db import (
        CRAWL_CACHE_KIB,
        CRAWL_STATEMENTS,
        Catalog,
        make_engine,
        migrate,
        sqlite_url,
    )
    from crawler.catalog.models import Base, Outlet, Run

__all__ = [
    "CRAWL_CACHE_KIB",
    "CRAWL_STATEMENTS",
    "Article",
    "ArticleVersion",
    "Base",
    "Capture",
    "Catalog",
    "Outlet",
    "Run",
    "make_engine",
    "migrate",
    "sqlite_url",
]

_DB = ("CRAWL_CACHE_KIB", "CRAWL_STATEMENTS", "Catalog", "make_engine", "migrate", "sqlite_url")
_MODELS = ("Base", "Outlet", "Run")
_ARCHIVED = ("Article", "ArticleVersion", "Capture")


def __getattr__(name: str) -> Any:
    if name in _DB:
        from crawler.catalog import db

        return getattr(db, name)
    if name in _MODELS:
        from crawler.catalog import models

        return getattr(models, name)
    if name in _ARCHIVED:
        from crawler.catalog import archived

        return getattr(archived, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
