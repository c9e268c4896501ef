"""The quiet log formatter makes Scrapy's "Crawled" record exactly when the engine's logger
would log it, and the same record as Scrapy's formatter."""

from __future__ import annotations

import logging

import pytest
from scrapy import Spider
from scrapy.http import Request, Response
from scrapy.logformatter import LogFormatter
from scrapy.utils.misc import load_object

from crawler.crawl import settings
from crawler.crawl.logformat import ENGINE_LOGGER, QuietLogFormatter


def _exchange() -> tuple[Request, Response, Spider]:
    request = Request("https://example.org/a", headers={"Referer": "https://example.org/"},
                      flags=["cached"])
    return request, Response(request.url, status=301, request=request, flags=["x"]), \
        Spider("o")


def test_akhbars_settings_use_it() -> None:
    assert load_object(settings.LOG_FORMATTER) is QuietLogFormatter


def test_at_debug_the_record_is_scrapys(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger=ENGINE_LOGGER)
    request, response, spider = _exchange()
    assert QuietLogFormatter().crawled(request, response, spider) == \
        LogFormatter().crawled(request, response, spider)


def test_above_debug_there_is_no_record(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=ENGINE_LOGGER)
    request, response, spider = _exchange()
    # Scrapy's record would be at DEBUG, which the engine's logger drops.
    assert LogFormatter().crawled(request, response, spider)["level"] == logging.DEBUG
    assert not logging.getLogger(ENGINE_LOGGER).isEnabledFor(logging.DEBUG)
    assert QuietLogFormatter().crawled(request, response, spider) is None
