"""What differs between the Scrapy releases akhbar supports (see ``scrapy`` in pyproject.toml).

Scrapy 2.13 passes ``spider`` to every downloader-middleware method and its own middlewares
require it; later releases deprecate the argument and warn when it is given. akhbar's
subclasses take it optionally and hand it on only to a parent method that still requires it.
The check reads the parent's signature (not a version number), so a release in between is
handled by what it actually declares.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from typing import Any

from scrapy.utils.defer import deferred_from_coro

logger = logging.getLogger(__name__)


def needs_spider(method: Callable[..., Any]) -> bool:
    """Whether ``method`` (a Scrapy middleware method) requires its ``spider`` argument."""
    try:
        parameter = inspect.signature(method).parameters.get("spider")
    except (TypeError, ValueError):  # no signature to read: pass it, as old Scrapy did
        return True
    return parameter is not None and parameter.default is inspect.Parameter.empty



def close_spider(crawler: Any, reason: str) -> None:
    """Ask the engine to close the crawl's spider with ``reason`` (its WARC files close).
    Scrapy 2.14 added ``close_spider_async``; 2.13 has ``close_spider(spider, reason)``."""
    engine = crawler.engine
    closer = getattr(engine, "close_spider_async", None)
    if closer is not None:
        deferred_from_coro(closer(reason=reason)).addErrback(_log_close_failure)
    else:
        engine.close_spider(crawler.spider, reason).addErrback(_log_close_failure)


def _log_close_failure(failure: Any) -> None:
    logger.error("could not close the spider: %s", failure.getErrorMessage())
