"""The outlet spider's discovery rules, on responses built in memory (no network)."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Request, Response, XmlResponse
from scrapy.settings import Settings
from twisted.python.failure import Failure

from crawler.crawl.items import PageItem
from spiders.outlet import OutletSpider

OUTLET = """
id: news_x
name: News X
homepage: http://news.test/
languages: [en]
discovery:
  feeds: [http://news.test/feed.xml]
  sitemaps: [http://news.test/sitemap.xml]
  listings: [http://news.test/list/]
articles:
  allow: ['/\\d{4}/\\d{2}/[^/]+/$']
  deny: ['/tag/']
limits: {max_articles: 3, max_depth: 1}
politeness: {delay: 0.5, concurrency: 3, obey_robots: true}
"""


@pytest.fixture
def spider(tmp_path: Path) -> OutletSpider:
    (tmp_path / "outlets").mkdir()
    (tmp_path / "outlets" / "news_x.yaml").write_text(OUTLET, encoding="utf-8")
    return OutletSpider.from_crawler(new_crawler(tmp_path), outlet="news_x")


def new_crawler(config_dir: Path) -> Crawler:
    # Not scrapy.utils.test.get_crawler: it freezes the settings the spider must still set.
    from crawler.crawl import settings as project_settings

    settings = Settings()
    settings.setmodule(project_settings, priority="project")
    settings.set("AKHBAR_CONFIG_DIR", str(config_dir))
    return Crawler(OutletSpider, settings)


def response(cls, url: str, body: str, kind: str, hops: int = 0):
    req = Request(url, meta={"akhbar_kind": kind, "akhbar_hops": hops})
    return cls(
        url=url,
        body=body.encode("utf-8"),
        request=req,
        encoding="utf-8",
        headers={"Content-Type": "text/html" if cls is HtmlResponse else "text/xml"},
    )


def test_outlet_settings_applied(spider: OutletSpider) -> None:
    s = spider.crawler.settings
    assert s.getfloat("DOWNLOAD_DELAY") == 0.5
    assert s.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 3
    assert s.get("AKHBAR_OUTLET") == "news_x"


def test_feed_links_become_canonical_article_requests(spider: OutletSpider) -> None:
    rss = """<rss><channel>
      <item><link>http://news.test/2026/11/a/?utm_source=rss</link></item>
      <item><link>http://news.test/2026/11/a/#top</link></item>
      <item><link>http://other.test/2026/11/b/</link></item>
    </channel></rss>"""
    out = list(spider.parse_feed(response(XmlResponse, "http://news.test/feed.xml", rss, "feed")))
    assert [r.url for r in out] == ["http://news.test/2026/11/a/"]
    assert out[0].meta["akhbar_kind"] == "article"


def test_atom_feed(spider: OutletSpider) -> None:
    atom = """<feed xmlns="http://www.w3.org/2005/Atom"><entry>
      <link rel="alternate" href="http://news.test/2026/11/c/"/></entry></feed>"""
    out = list(spider.parse_feed(response(XmlResponse, "http://news.test/feed.xml", atom, "feed")))
    assert [r.url for r in out] == ["http://news.test/2026/11/c/"]


def test_sitemap_index_and_urlset(spider: OutletSpider) -> None:
    index = """<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <sitemap><loc>http://news.test/sitemap-1.xml</loc></sitemap></sitemapindex>"""
    out = list(
        spider.parse_sitemap(
            response(XmlResponse, "http://news.test/sitemap.xml", index, "sitemap")
        )
    )
    assert [(r.url, r.meta["akhbar_kind"]) for r in out] == [
        ("http://news.test/sitemap-1.xml", "sitemap")
    ]
    urlset = """<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
      xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
      <url><loc>http://news.test/2026/11/d/</loc><news:news><news:title>D</news:title></news:news></url>
      </urlset>"""
    out = list(
        spider.parse_sitemap(
            response(XmlResponse, "http://news.test/sitemap-1.xml", urlset, "sitemap")
        )
    )
    assert [r.url for r in out] == ["http://news.test/2026/11/d/"]


def test_listing_follows_within_depth_and_caps_articles(spider: OutletSpider) -> None:
    links = "".join(f'<a href="/2026/11/art{i}/">a{i}</a>' for i in range(5))
    html = f"""<html><body>{links}<a href="/list/?page=2">next</a><a href="/tag/x/">tag</a>
      <a href="/tag/2026/11/denied/">denied</a></body></html>"""
    out = list(
        spider.parse_page(response(HtmlResponse, "http://news.test/list/", html, "listing", 0))
    )
    articles = [r for r in out if r.meta["akhbar_kind"] == "article"]
    listings = [r for r in out if r.meta["akhbar_kind"] == "listing"]
    assert len(articles) == 3  # max_articles
    assert {r.url for r in listings} >= {"http://news.test/list/?page=2", "http://news.test/tag/x/"}
    # One hop further is past max_depth: articles still come, listings do not.
    deeper = list(
        spider.parse_page(
            response(
                HtmlResponse,
                "http://news.test/list/?page=2",
                html + '<a href="/more/">m</a>',
                "listing",
                1,
            )
        )
    )
    assert all(r.meta["akhbar_kind"] == "article" for r in deeper)


def test_article_page_yields_an_item_and_non_html_does_not(spider: OutletSpider) -> None:
    html = "<html><body><p>text</p></body></html>"
    out = list(
        spider.parse_page(response(HtmlResponse, "http://news.test/2026/11/a/", html, "article", 1))
    )
    items = [x for x in out if isinstance(x, PageItem)]
    assert len(items) == 1 and items[0].hints == ("en",)
    req = Request(
        "http://news.test/2026/11/r.pdf/", meta={"akhbar_kind": "article", "akhbar_hops": 1}
    )
    pdf = Response(
        "http://news.test/2026/11/r.pdf/",
        body=b"%PDF-1.4",
        request=req,
        headers={"Content-Type": "application/pdf"},
    )
    assert list(spider.parse_page(pdf)) == []


def test_unknown_outlet_is_a_clear_error(tmp_path: Path) -> None:
    from crawler.errors import ConfigError

    (tmp_path / "outlets").mkdir()
    crawler = new_crawler(tmp_path)
    with pytest.raises(ConfigError, match="no outlet 'nope'"):
        OutletSpider.from_crawler(crawler, outlet="nope")


def test_article_pages_are_leaves_when_the_outlet_has_a_sitemap(spider: OutletSpider) -> None:
    html = (
        '<html><body><p>text</p><a href="/2026/11/related/">r</a><a href="/list/">l</a>'
        "</body></html>"
    )
    out = list(
        spider.parse_page(response(HtmlResponse, "http://news.test/2026/11/a/", html, "article", 0))
    )
    assert [type(x).__name__ for x in out] == ["PageItem"]
    spider.follow_article_links = True
    out = list(
        spider.parse_page(response(HtmlResponse, "http://news.test/2026/11/a/", html, "article", 0))
    )
    assert {x.url for x in out if not isinstance(x, PageItem)} == {
        "http://news.test/2026/11/related/",
        "http://news.test/list/",
    }


def test_articles_beyond_the_window_wait_for_earlier_ones(spider: OutletSpider) -> None:
    spider.article_window = 2
    urlset = (
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + "".join(f"<url><loc>http://news.test/2026/11/w{i}/</loc></url>" for i in range(3))
        + "</urlset>"
    )
    sitemap = response(XmlResponse, "http://news.test/sitemap-1.xml", urlset, "sitemap")
    first = list(spider.parse_sitemap(sitemap))
    assert [r.url for r in first] == ["http://news.test/2026/11/w0/", "http://news.test/2026/11/w1/"]
    # An article fetched is still in the window while its item waits for extraction: the
    # fetching does not run ahead of the extraction workers.
    page = response(HtmlResponse, first[0].url, "<html><body><p>t</p></body></html>", "article")
    page.request.meta.update(first[0].meta)
    out = list(spider.parse_page(page))
    assert not [x for x in out if isinstance(x, Request)]
    items = [x for x in out if not isinstance(x, Request)]
    assert [type(x).__name__ for x in items] == ["PageItem"]
    assert spider.on_item_done(object(), response=page) == []  # not a page's item
    # Its item through the pipelines: the waiting one is requested, as if straight from the
    # sitemap.
    released = spider.on_item_done(items[0], response=page)
    assert [r.url for r in released] == ["http://news.test/2026/11/w2/"]
    assert released[0].headers[b"Referer"] == b"http://news.test/sitemap-1.xml"
    assert released[0].meta["akhbar_kind"] == "article"


def test_an_article_without_an_item_leaves_the_window_at_once(spider: OutletSpider) -> None:
    spider.article_window = 1
    urlset = ('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
              + "".join(f"<url><loc>http://news.test/2026/11/n{i}/</loc></url>"
                        for i in range(3)) + "</urlset>")
    first = list(spider.parse_sitemap(
        response(XmlResponse, "http://news.test/sitemap-1.xml", urlset, "sitemap")))
    assert [r.url for r in first] == ["http://news.test/2026/11/n0/"]
    pdf = Response(first[0].url, body=b"%PDF-1.4", request=first[0],
                   headers={"Content-Type": "application/pdf"})
    # Not HTML: no item, so the next article is asked for from parse_page itself.
    assert [r.url for r in spider.parse_page(pdf)] == ["http://news.test/2026/11/n1/"]
    # parse_page raised (spider_error): the article leaves the window too.
    page = response(HtmlResponse, "http://news.test/2026/11/n1/", "<p>t</p>", "article")
    page.request.meta.update(first[0].meta)
    released = spider.on_spider_error(Failure(ValueError("boom")), response=page)
    assert [r.url for r in released] == ["http://news.test/2026/11/n2/"]


def test_leaf_article_bodies_may_stay_gzipped(spider: OutletSpider) -> None:
    import gzip

    from crawler.crawl.middlewares import RAW_GZIP_OK

    out = list(
        spider.parse_feed(
            response(
                XmlResponse,
                "http://news.test/feed.xml",
                "<rss><channel><item><link>http://news.test/2026/11/g/</link></item>"
                "</channel></rss>",
                "feed",
            )
        )
    )
    assert out[0].meta[RAW_GZIP_OK] is True
    body = gzip.compress(b"<html><body><p>text</p></body></html>")
    page = HtmlResponse(
        "http://news.test/2026/11/g/",
        body=body,
        request=out[0],
        headers={"Content-Encoding": "gzip"},
    )
    items = [x for x in spider.parse_page(page) if isinstance(x, PageItem)]
    assert len(items) == 1 and items[0].body == body


def test_child_sitemaps_are_fetched_one_at_a_time_as_articles_run_low(
    spider: OutletSpider,
) -> None:
    spider.article_window, spider.max_articles = 2, 100
    children = [f"http://news.test/sitemap-{i}.xml" for i in range(3)]
    index = (
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + "".join(f"<sitemap><loc>{url}</loc></sitemap>" for url in children)
        + "</sitemapindex>"
    )
    out = list(spider.parse_sitemap(
        response(XmlResponse, "http://news.test/sitemap.xml", index, "sitemap")))
    assert [r.url for r in out] == children[:1]  # one child, the others wait
    child = out[0]

    def urlset(n: int, start: int) -> str:
        return ('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">' + "".join(
            f"<url><loc>http://news.test/2026/11/s{i}/</loc></url>"
            for i in range(start, start + n)) + "</urlset>")

    first = response(XmlResponse, child.url, urlset(5, 0), "sitemap")
    first.request.meta.update(child.meta)
    out = list(spider.parse_sitemap(first))
    # Two articles in flight, three waiting: enough to go on, no sitemap yet.
    assert [r.meta["akhbar_kind"] for r in out] == ["article", "article"]

    def finish(request: Request) -> list[Request]:
        page = response(HtmlResponse, request.url, "<html><body><p>t</p></body></html>",
                        "article")
        page.request.meta.update(request.meta)
        out = list(spider.parse_page(page))
        assert not [x for x in out if isinstance(x, Request)]
        return spider.on_item_done(out[-1], response=page)

    released = finish(out[0])
    assert [r.meta["akhbar_kind"] for r in released] == ["article"]  # two still waiting
    released = finish(out[1])
    # One article left waiting (< the window): the next child sitemap is asked for.
    assert [r.meta["akhbar_kind"] for r in released] == ["article", "sitemap"]
    assert released[-1].url == children[1]
    # A child sitemap that is not fetched (here: robots.txt forbids it) lets the next go.
    failure = Failure(IgnoreRequest("Forbidden by robots.txt"))
    failure.request = released[-1]  # type: ignore[attr-defined]
    after_error = list(spider.on_error(failure))
    assert [r.url for r in after_error] == children[2:]


def test_the_spider_closes_when_max_articles_leaves_sitemaps_unread(
    spider: OutletSpider,
) -> None:
    from scrapy.exceptions import DontCloseSpider

    spider._sitemaps.extend([("http://news.test/sitemap-9.xml", 0)])
    spider.articles_scheduled = spider.max_articles
    spider.on_idle()  # no DontCloseSpider: nothing that waits may still be asked for
    assert not spider._sitemaps

    spider.articles_scheduled = 0
    spider._sitemaps.extend([("http://news.test/sitemap-9.xml", 0)])
    spider.crawler.engine = _Engine()  # type: ignore[assignment]
    with pytest.raises(DontCloseSpider):
        spider.on_idle()
    assert [r.url for r in spider.crawler.engine.crawled] == ["http://news.test/sitemap-9.xml"]


class _Engine:
    def __init__(self) -> None:
        self.crawled: list[Request] = []

    def crawl(self, request: Request) -> None:
        self.crawled.append(request)


def test_no_callback_is_a_generator_that_returns_a_value() -> None:
    """Scrapy's own check of this is off in the crawl (WARN_ON_GENERATOR_RETURN_VALUE: it
    parsed a callback's source for most responses); a value returned from a generator
    callback would be lost, so it is checked here once."""
    from scrapy.utils.misc import is_generator_with_return_value

    callbacks = [getattr(OutletSpider, name) for name in dir(OutletSpider)
                 if name.startswith(("parse", "on_"))]
    assert len(callbacks) >= 8
    assert not [f.__name__ for f in callbacks if is_generator_with_return_value(f)]
