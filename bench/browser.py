"""Time and bytes of one article page rendered in Chromium (render: browser) against a
plain fetch of the same page, on the demo site: ``python -m bench.browser``.

Plain: one GET of the page (what Scrapy fetches). Rendered: the page in a fresh browser
context until it settles, with its DOM and screenshot (what a browser outlet archives), in
an already started browser; the browser's start is printed apart. The page's requests are
made by httpx here (in a crawl, by Scrapy's downloader: :mod:`crawler.crawl.browser.fetch`).

Then two real crawls of demo_js (render: browser) into a fresh data directory, as
`akhbar crawl` runs them: seconds and WARC bytes of the first crawl and of a recrawl of the
unchanged site (its pages, scripts, DOMs and screenshots then revisits)."""

from __future__ import annotations

import asyncio
import functools
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from crawler import service
from crawler.context import open_context
from crawler.crawl.browser.capture import PageLimits
from crawler.crawl.browser.fetch import BrowserRequest, Fetched
from crawler.crawl.browser.session import BrowserSession
from crawler.demosite import DemoSite, expected_articles, js_outlet_yaml, load_js_outlet
from crawler.outlets.browser import BrowserSettings


async def _fetch(client: httpx.AsyncClient, req: BrowserRequest) -> Fetched:
    answer = await client.request(req.method, req.url, headers=req.headers,
                                  content=req.body or None)
    return Fetched(url=req.url, status=answer.status_code, body=answer.content,
                   headers=[(k, v) for k, v in answer.headers.multi_items()
                            if k.lower() not in ("content-encoding", "content-length",
                                                 "transfer-encoding")])


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
    client = httpx.AsyncClient()
    fetch = functools.partial(_fetch, client)
    start = time.perf_counter()
    await session.render(urls[0], limits, fetch)  # starts the browser
    launch = time.perf_counter() - start  # the first page, with the browser's start
    times, fetched, dom, shot = [], [], [], []
    for url in urls:
        page = await session.render(url, limits, fetch)
        assert page.stopped is None, page.stopped
        times.append(page.seconds)
        fetched.append(page.bytes_fetched)
        dom.append(len(page.dom or b""))
        shot.append(len(page.screenshot or b""))
    await session.close()
    await client.aclose()
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


def crawls() -> None:
    with tempfile.TemporaryDirectory() as tmp, DemoSite(port=0) as site:
        root = Path(tmp)
        (root / "config" / "outlets").mkdir(parents=True)
        (root / "config" / "outlets" / "demo_js.yaml").write_text(
            js_outlet_yaml(site.base_url), encoding="utf-8")
        ctx = open_context(root / "config", root / "data", env={})
        pages = len(load_js_outlet().articles)
        before: set[Path] = set()
        for name in ("first crawl", "recrawl"):
            targets, _ = service.pick_outlets(ctx, ["demo_js"])
            start = time.perf_counter()
            report = service.crawl(ctx, targets, trigger="bench")
            seconds = time.perf_counter() - start
            files = set(ctx.warcs_dir.rglob("*.warc.gz")) - before
            before |= files
            size = sum(f.stat().st_size for f in files)
            print(f"  {name:11} : {seconds:5.1f} s for {pages} pages (browser start included),"
                  f" {size / 1024:6.1f} KB of WARC, {report.outcomes[0].status}")


if __name__ == "__main__":
    main()
    print("demo_js crawled (render: browser):")
    crawls()
