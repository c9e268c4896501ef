"""``python -m crawler.crawl.crawlproc crawl outlet -a outlet=<id> [-s KEY=VALUE ...]``: the crawl
process the service starts; the same as ``scrapy crawl ...``, with the extraction workers
started first.

A worker spends ~0.4 s of CPU importing trafilatura, lxml and langdetect's profiles before it
can take a page; the crawl process spends ~0.9 s importing Scrapy, Twisted and SQLAlchemy
before it fetches one. Started by the pipeline, the workers only begin once the crawl
process has done its imports. Started here, before Scrapy is imported, they load beside it,
and :class:`crawler.crawl.pipelines.ExtractionPipeline` adopts them
(:func:`crawler.crawl.workers.adopt`).
"""

from __future__ import annotations

import os
import sys


def _setting(argv: list[str], key: str, default: int) -> int:
    """The last ``-s KEY=VALUE`` (or ``--set``) for ``key`` in ``argv``, as an int."""
    value: str | None = None
    for flag, arg in zip(argv, argv[1:], strict=False):
        if flag in ("-s", "--set") and arg.startswith(key + "="):
            value = arg.split("=", 1)[1]
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        return default  # Scrapy's own settings handling reports it


def prestart_workers(argv: list[str]) -> None:
    """Start the pool the extraction pipeline will ask for, if the command is a crawl."""
    if not argv or argv[0] != "crawl":
        return
    from crawler.crawl import settings
    from crawler.crawl.workers import PROCESS_PAGE, WARM_UP, prestart

    workers = _setting(argv, "AKHBAR_EXTRACT_WORKERS", settings.AKHBAR_EXTRACT_WORKERS)
    if workers < 0:  # one per core, as the pipeline reads it
        workers = os.cpu_count() or 1
    if workers > 0:
        nice = _setting(argv, "AKHBAR_EXTRACT_NICE", settings.AKHBAR_EXTRACT_NICE)
        prestart(PROCESS_PAGE, workers, initializer=WARM_UP, nice=nice)


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    prestart_workers(args)
    from scrapy.cmdline import execute

    execute(["scrapy", *args])


if __name__ == "__main__":
    main()
