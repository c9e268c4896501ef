"""Scrapy's log formatter, without building the line of each response that nothing logs.

For every response Scrapy's engine asks the formatter for its "Crawled (200) <GET ...>"
record (a dict with the request's referer, flags and status) and then logs it at DEBUG, which
the engine's logger drops unless a run asks for DEBUG: ~0.3% of the shared crawl process,
making a dict for nothing. A formatter method that returns None is Scrapy's documented way of
skipping a message.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.http import Request, Response
from scrapy.logformatter import LogFormatter, LogFormatterResult

#: The logger Scrapy's engine logs the "Crawled" line with (``scrapy/core/engine.py``).
ENGINE_LOGGER = "scrapy.core.engine"


class QuietLogFormatter(LogFormatter):
    """Scrapy's :class:`LogFormatter`; its ``crawled`` record only when the engine's logger
    would log it (its DEBUG enabled), else None: the same lines either way."""

    def __init__(self) -> None:
        super().__init__()
        self.engine_log = logging.getLogger(ENGINE_LOGGER)

    def crawled(  # type: ignore[override]
        self, request: Request, response: Response, spider: Any
    ) -> LogFormatterResult | None:
        if not self.engine_log.isEnabledFor(logging.DEBUG):
            return None
        return super().crawled(request, response, spider)
