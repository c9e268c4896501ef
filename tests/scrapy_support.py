"""A Scrapy Crawler for unit tests on every Scrapy pyproject.toml allows."""

from __future__ import annotations

from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.settings import Settings
from scrapy.statscollectors import MemoryStatsCollector


def bare_crawler(spidercls: type[Spider] = Spider,
                 settings: dict[str, Any] | None = None) -> Crawler:
    """A crawler with its settings, signals and stats, not crawling. Not
    scrapy.utils.test.get_crawler: Scrapy 2.13's needs an installed reactor."""
    crawler = Crawler(spidercls, Settings(settings or {}))
    crawler.stats = MemoryStatsCollector(crawler)
    return crawler
