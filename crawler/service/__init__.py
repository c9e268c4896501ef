"""The service functions. The CLI, the HTTP API, the web pages and the scheduler call these;
none of them has logic of its own. One module per job; this package re-exports them."""

from crawler.service.crawls import (
    ArticleQuery,
    CrawlReport,
    RunSummary,
    article_record,
    crawl,
    get_run,
    iter_articles,
    list_runs,
    outlets,
    pick_outlets,
    run_record,
    run_summary,
    sync_outlets,
)

__all__ = [
    "ArticleQuery",
    "CrawlReport",
    "RunSummary",
    "article_record",
    "crawl",
    "get_run",
    "iter_articles",
    "list_runs",
    "outlets",
    "pick_outlets",
    "run_record",
    "run_summary",
    "sync_outlets",
]
