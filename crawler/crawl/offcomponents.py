"""Scrapy components the crawl's settings leave out while they are off, put back for a run
that turns them on.

Scrapy imports every component its settings name, even at ``None``: so
:mod:`crawler.crawl.settings` leaves the cookie middleware and the telnet console out of the
base lists while ``COOKIES_ENABLED`` and ``TELNETCONSOLE_ENABLED`` are off (~0.1 s of a crawl
process's start). A run given ``-s COOKIES_ENABLED=True`` (or the telnet console) would then
have the setting but not the component: this add-on (Scrapy's ``ADDONS``, applied to each
crawler's settings before they are frozen) puts the component back at Scrapy's own order.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from scrapy.settings import BaseSettings
from scrapy.settings import default_settings as _scrapy_defaults


class OffComponent(NamedTuple):
    flag: str  # the setting that turns it on
    base: str  # the base list it belongs to
    path: str  # the component


#: What the settings module leaves out while its flag is off.
OFF_COMPONENTS = (
    OffComponent("COOKIES_ENABLED", "DOWNLOADER_MIDDLEWARES_BASE",
                 "scrapy.downloadermiddlewares.cookies.CookiesMiddleware"),
    OffComponent("TELNETCONSOLE_ENABLED", "EXTENSIONS_BASE",
                 "scrapy.extensions.telnet.TelnetConsole"),
)


def left_out(flags: Mapping[str, object]) -> frozenset[str]:
    """The components of :data:`OFF_COMPONENTS` whose flag is off in ``flags`` (a settings
    module's names): what that module leaves out of its base lists."""
    return frozenset(c.path for c in OFF_COMPONENTS if not flags.get(c.flag, False))


def scrapy_order(component: OffComponent) -> int:
    """The component's order in Scrapy's own base list."""
    return int(getattr(_scrapy_defaults, component.base)[component.path])


class RestoreOffComponents:
    """The add-on: each component in :data:`OFF_COMPONENTS` whose flag a run turned on is put
    back into its base list."""

    def update_settings(self, settings: BaseSettings) -> None:
        for component in OFF_COMPONENTS:
            if not settings.getbool(component.flag):
                continue
            base = settings.getdict(component.base)
            if component.path not in base:
                base[component.path] = scrapy_order(component)
                priority = settings.getpriority(component.base) or 0
                settings.set(component.base, base, priority=priority)
