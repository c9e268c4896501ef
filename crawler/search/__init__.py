"""Full-text search over article versions, for Arabic, Persian and English alike.

- :mod:`~crawler.search.normalize`: the analyzer (folding, tokens, light stems);
- :mod:`~crawler.search.query`: the query syntax, parsed and written for each database;
- :mod:`~crawler.search.backends`: the index in SQLite FTS5 or PostgreSQL tsvector;
- :mod:`~crawler.search.index`: keeping it up to date (:func:`catch_up`, :func:`rebuild`);
- :mod:`~crawler.search.select`: the filters shared by search and export;
- :mod:`~crawler.search.survey`: how many matches a query has (counted, or estimated from
  stripes of ids), the sample its filters are checked on, and its rank window;
- :mod:`~crawler.search.results`: :func:`search`, a ranked page with snippets.
"""

from crawler.search.index import catch_up, rebuild
from crawler.search.results import SearchHit, SearchPage, matches_for, search
from crawler.search.select import ArticleQuery

__all__ = ["ArticleQuery", "SearchHit", "SearchPage", "catch_up", "matches_for", "rebuild",
           "search"]
