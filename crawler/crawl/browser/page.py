"""What rendering one page gives, and the limits it is held to (no Playwright here: the WARC
side reads these without starting a browser)."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from crawler.crawl.browser.fetch import Fetched
from crawler.outlets.browser import BrowserSettings

#: Request meta: ``"browser"`` on an article request of a ``render: browser`` outlet.
RENDER = "akhbar_render"
#: Request meta: the :class:`RenderedPage` the browser made of it.
RENDERED = "akhbar_rendered"
#: The middleware that renders them (added to a crawl's middlewares only for such outlets, so
#: other crawls never import Playwright) and its place: after robots.txt (100), the crawl's
#: time limit (300) and the WARC capture's request side (950).
RENDER_MIDDLEWARE = "crawler.crawl.browser.middleware.BrowserRenderMiddleware"
RENDER_MIDDLEWARE_ORDER = 960


@dataclass(frozen=True)
class PageLimits:
    """What one page may do: :class:`BrowserSettings` with the outlet's own hosts."""

    max_seconds: float
    max_bytes: int
    max_requests: int
    settings: BrowserSettings
    outlet_hosts: tuple[str, ...]
    screenshot: bool = True

    @classmethod
    def of(cls, settings: BrowserSettings, outlet_hosts: list[str]) -> PageLimits:
        return cls(settings.max_time.total_seconds(), settings.max_bytes, settings.max_requests,
                   settings, tuple(outlet_hosts), settings.screenshot)

    def allows(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about"):
            return True  # made by the page itself: no request leaves the browser
        return parts.scheme in ("http", "https") and self.settings.allows(
            parts.hostname or "", list(self.outlet_hosts))


@dataclass
class RenderedPage:
    """What rendering one page gave: every exchange in the order it ended (each archived
    as it came, by the WARC capture middleware), the rendered DOM and a screenshot (unless
    the page was stopped), and why it was stopped, in words."""

    url: str
    final_url: str
    exchanges: list[Fetched] = field(default_factory=list)
    #: The exchange of the page's own document (the last hop of its redirects).
    document: Fetched | None = None
    #: Requests to hosts the outlet does not allow, aborted in the page.
    blocked: list[str] = field(default_factory=list)
    #: Requests the crawl did not make (robots.txt), with why, aborted in the page.
    refused: list[tuple[str, str]] = field(default_factory=list)
    #: Requests whose download failed, with why in words, aborted in the page.
    failed: list[tuple[str, str]] = field(default_factory=list)
    dom: bytes | None = None
    screenshot: bytes | None = None
    stopped: str | None = None
    seconds: float = 0.0

    @property
    def bytes_fetched(self) -> int:
        return sum(ex.size for ex in self.exchanges)


class PageBudget:
    """Counts a page's requests and bytes against its limits; the first limit passed gives
    the reason the page is stopped."""

    def __init__(self, limits: PageLimits) -> None:
        self.limits = limits
        self.requests = 0
        self.bytes = 0
        self.reason: str | None = None

    def admit(self) -> bool:
        """May the page make one more request?"""
        if self.reason is not None:
            return False
        if self.requests >= self.limits.max_requests:
            self.reason = (f"the page asked for more than {self.limits.max_requests} requests "
                           "(browser.max_requests)")
            return False
        self.requests += 1
        return True

    def took(self, size: int) -> bool:
        """Count ``size`` bytes received; False once the page has had more than its share."""
        self.bytes += size
        if self.bytes > self.limits.max_bytes and self.reason is None:
            self.reason = (f"the page fetched more than {self.limits.max_bytes} bytes "
                           "(browser.max_bytes)")
        return self.reason is None
