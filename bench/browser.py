"""Time and bytes of one article page rendered in Chromium (render: browser) against a
plain fetch of the same page, on the demo site: ``python -m bench.browser``.

Plain: one GET of the page (what Scrapy fetches). Rendered: the page in a fresh browser
context until it settles, with its DOM and screenshot (what a browser outlet archives), in
an already started browser; the browser's start is printed apart."""

from __future__ import annotations

import asyncio
import statistics
import time

import httpx

from crawler.crawl.browser.capture import PageLimits
from crawler.crawl.browser.session import BrowserSession
from crawler.demosite import DemoSite, expected_articles, load_js_outlet
from crawler.outlets.browser import BrowserSettings


def plain(urls: list[str]) -> tuple[float, float]:
    times, sizes = [], []
    with httpx.Client() as client:
        for url in urls:
            start = time.perf_counter()
            body = client.get(url).content
            times.append(time.perf_counter() - start)
            sizes.append(len(body))
    return statistics.median(times), statistics.mean(sizes)


async def rendered(urls: list[str]) -> tuple[float, float, float, float, float]:
    session = BrowserSession("bench", "akhbar-bench", concurrency=1)
    limits = PageLimits.of(BrowserSettings(), ["127.0.0.1"])
    start = time.perf_counter()
    await session.render(urls[0], limits)  # starts the browser
    launch = time.perf_counter() - start  # the first page, with the browser's start
    times, fetched, dom, shot = [], [], [], []
    for url in urls:
        page = await session.render(url, limits)
        assert page.stopped is None, page.stopped
        times.append(page.seconds)
        fetched.append(page.bytes_fetched)
        dom.append(len(page.dom or b""))
        shot.append(len(page.screenshot or b""))
    await session.close()
    return (launch, statistics.median(times), statistics.mean(fetched), statistics.mean(dom),
            statistics.mean(shot))


def main() -> None:
    with DemoSite(port=0) as site:
        fa = [site.base_url + a.path for a in expected_articles() if a.outlet == "demo_fa"]
        js = [site.base_url + a.path for a in load_js_outlet().articles]
        for name, urls in (("demo_fa (server-rendered)", fa), ("demo_js (JavaScript)", js)):
            p_time, p_size = plain(urls)
            launch, r_time, fetched, dom, shot = asyncio.run(rendered(urls))
            print(f"{name}: {len(urls)} pages")
            print(f"  plain fetch : {p_time * 1000:7.1f} ms/page  {p_size / 1024:6.1f} KB/page")
            print(f"  browser     : {r_time * 1000:7.1f} ms/page  {fetched / 1024:6.1f} KB fetched"
                  f" + {dom / 1024:.1f} KB DOM + {shot / 1024:.1f} KB screenshot per page"
                  f" (first page, browser start included: {launch:.1f} s)")


if __name__ == "__main__":
    main()
