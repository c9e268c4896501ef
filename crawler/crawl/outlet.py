"""An outlet's crawl: its config, read from its own file only, and the Scrapy settings that
follow from it (applied by the outlet spider when it is created)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from crawler.crawl.browser.spider import render_settings
from crawler.outlets import OutletConfig
from crawler.outlets.loader import load_outlet


def outlet_settings(outlet: OutletConfig) -> dict[str, Any]:
    """Scrapy settings that follow from an outlet's config."""
    pol, lim = outlet.politeness, outlet.limits
    settings: dict[str, Any] = {
        "AKHBAR_OUTLET": outlet.id,
        "ROBOTSTXT_OBEY": pol.obey_robots,
        "DOWNLOAD_DELAY": pol.delay,
        "CONCURRENT_REQUESTS_PER_DOMAIN": pol.concurrency,
        # The engine never has more requests in the downloader than this, which is what
        # holds the per-host concurrency: with a delay of 0, Scrapy 2.19's downloader slot
        # starts every request queued in it at once (a request counts as transferring only
        # once its download task runs), pages and their requisites alike.
        "CONCURRENT_REQUESTS": max(pol.concurrency, 1),
        "CLOSESPIDER_TIMEOUT": int(lim.max_duration.total_seconds()),
        "CLOSESPIDER_PAGECOUNT": lim.max_pages,
        "DOWNLOAD_MAXSIZE": lim.max_response_size,
    }
    if pol.user_agent:
        settings["USER_AGENT"] = pol.user_agent
    settings.update(render_settings(outlet))
    return settings


def find_outlet(config_dir: Path, outlet_id: str) -> OutletConfig:
    """The outlet's config, read from its own file only: a crawl never reads (or waits on,
    or fails for) another outlet's file."""
    return load_outlet(config_dir, outlet_id)
