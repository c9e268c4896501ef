"""``python -m crawler.crawl.crawlproc crawl outlet -a outlet=<id> [-s KEY=VALUE ...]``: one run
in a crawl process of its own (the ``process`` executor, and ``scrapy crawl`` by hand); the
same as ``scrapy crawl ...``, with the extraction workers started first.

A worker spends ~0.4 s of CPU importing trafilatura, lxml and langdetect's profiles before it
can take a page; the crawl process spends ~0.9 s importing Scrapy, Twisted and SQLAlchemy
before it fetches one. The worker processes are started here, before Scrapy is imported, and
do those imports when the first page reaches the pool (:meth:`WorkerPool.warm`): after the
crawl's first requests, not on the same cores at the same time as its start. The pool is
handed to :class:`crawler.crawl.pipelines.ExtractionPipeline` in the ``AKHBAR_EXTRACT_POOL``
setting, and closed here when the crawl is over.

Several runs in one process (and one pool for all of them) is :mod:`crawler.crawl.host`.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from crawler.crawl import gcpolicy

if TYPE_CHECKING:
    from crawler.crawl.workers import WorkerPool


def _setting(argv: list[str], key: str, default: int) -> int:
    """The last ``-s KEY=VALUE`` (or ``--set``) for ``key`` in ``argv``, as an int."""
    value = _text_setting(argv, key)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        return default  # Scrapy's own settings handling reports it


def _text_setting(argv: list[str], key: str) -> str | None:
    """The last ``-s KEY=VALUE`` (or ``--set``) for ``key`` in ``argv``."""
    value: str | None = None
    for flag, arg in zip(argv, argv[1:], strict=False):
        if flag in ("-s", "--set") and arg.startswith(key + "="):
            value = arg.split("=", 1)[1]
    return value


def start_workers(argv: list[str]) -> WorkerPool | None:
    """The pool the crawl's extraction pipeline will use, if the command is a crawl with
    workers (``AKHBAR_EXTRACT_WORKERS``, as the pipeline reads it)."""
    if not argv or argv[0] != "crawl":
        return None
    # Imported here, not at the top: this module is the process's __main__, which every
    # spawned extraction worker imports again; the workers need neither (no cycle is hidden).
    from crawler.crawl import settings
    from crawler.crawl.workers import extraction_pool

    workers = _setting(argv, "AKHBAR_EXTRACT_WORKERS", settings.AKHBAR_EXTRACT_WORKERS)
    nice = _setting(argv, "AKHBAR_EXTRACT_NICE", settings.AKHBAR_EXTRACT_NICE)
    return extraction_pool(workers, nice)


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    pool = start_workers(args)
    try:
        from scrapy.cmdline import execute
        from scrapy.utils.project import get_project_settings

        from crawler.crawl.runlog import quiet_settings_dumps

        settings = get_project_settings()
        quiet_settings_dumps(_text_setting(args, "LOG_LEVEL") or settings.get("LOG_LEVEL"))
        # Given in the environment, not on the command line, where anyone could read it.
        if os.environ.get("AKHBAR_DATABASE_URL"):
            settings.set("AKHBAR_DATABASE_URL", os.environ["AKHBAR_DATABASE_URL"],
                         priority="cmdline")
        if pool is not None:
            settings.set("AKHBAR_EXTRACT_POOL", pool, priority="cmdline")
        gcpolicy.tune()
        execute(["scrapy", *args], settings)  # exits
    finally:
        if pool is not None:
            pool.close()


if __name__ == "__main__":
    main()
