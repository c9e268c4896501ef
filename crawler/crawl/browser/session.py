"""One headless Chromium for one run: started on the first page to render, closed when the
run's spider closes.

It runs on the asyncio loop of Scrapy's reactor (Twisted's asyncio reactor), as
scrapy-playwright does on Linux: Playwright's calls are awaited by the render middleware's
coroutine, with no thread of its own.

Chromium is Debian's (``/usr/bin/chromium``), never a downloaded build. It is started with
``--host-resolver-rules=MAP * ~NOTFOUND``: the browser process itself can resolve no host,
so nothing it does on its own (updates, safe browsing, a page's WebSocket) leaves the
machine; every request of a page is made by the crawl's downloader through the route handler
(:mod:`.capture`, :mod:`.fetch`), for hosts the outlet allows only. A
``--akhbar-run=<run id>`` switch (ignored by Chromium) marks the run's browser processes,
so a leak can be found by it.

If the crawl process is killed, Playwright's driver sees its pipe close and ends the
browser; Chromium also ends when its DevTools pipe closes.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from playwright.async_api import Browser, Playwright, async_playwright
from playwright.async_api import Error as PlaywrightError

from crawler.crawl.browser.capture import Fetch, PageLimits, RenderedPage, render_page
from crawler.crawl.browser.chromium import BrowserUnavailable, find_chromium

logger = logging.getLogger(__name__)

class BrowserSession:
    """Chromium for one run, with at most ``concurrency`` pages open at once."""

    def __init__(self, run_id: str, user_agent: str, concurrency: int,
                 executable: str = "", extra_args: tuple[str, ...] = ()) -> None:
        self.run_id = run_id
        self.user_agent = user_agent
        self.executable = executable
        self.extra_args = extra_args
        self._slots = asyncio.Semaphore(max(1, concurrency))
        self._starting: asyncio.Lock | None = None
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self.closed = False

    def launch_args(self) -> list[str]:
        return ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--host-resolver-rules=MAP * ~NOTFOUND", f"--akhbar-run={self.run_id}",
                *self.extra_args]

    async def _browser_ready(self) -> Browser:
        if self._starting is None:
            self._starting = asyncio.Lock()
        async with self._starting:
            if self.closed:
                raise BrowserUnavailable("the run is ending; its browser is closed")
            if self._browser is None or not self._browser.is_connected():
                path = find_chromium(self.executable)
                playwright = self._playwright or await async_playwright().start()
                self._playwright = playwright
                try:
                    self._browser = await playwright.chromium.launch(
                        executable_path=path, args=self.launch_args(), headless=True)
                except PlaywrightError as exc:
                    raise BrowserUnavailable(
                        f"could not start {path}: {exc.message.splitlines()[0]}") from exc
                logger.info("started %s for run %s", path, self.run_id,
                            extra={"event": "browser_started"})
            return self._browser

    async def render(self, url: str, limits: PageLimits, fetch: Fetch,
                     cancelled: Callable[[], bool] = lambda: False) -> RenderedPage:
        async with self._slots:
            browser = await self._browser_ready()
            return await render_page(browser, url, limits, self.user_agent, fetch, cancelled)

    async def close(self) -> None:
        """Close the browser and Playwright's driver (and so every Chromium process)."""
        self.closed = True
        browser, self._browser = self._browser, None
        playwright, self._playwright = self._playwright, None
        if browser is not None:
            try:
                await browser.close()
            except PlaywrightError:
                logger.debug("browser already gone", exc_info=True)
        if playwright is not None:
            await playwright.stop()
            logger.info("closed the browser of run %s", self.run_id,
                        extra={"event": "browser_closed"})
