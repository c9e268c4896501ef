"""The catalog: what was archived, where in which WARC file, and what was extracted."""

from crawler.catalog.db import Catalog, make_engine, migrate, sqlite_url
from crawler.catalog.models import Article, ArticleVersion, Base, Capture, Outlet, Run

__all__ = [
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
