"""The demo site over HTTP, fetched with urllib from a server on a random port."""

from __future__ import annotations

import gzip
import html
import json
import re
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from email.message import Message
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from persiantools.digits import fa_to_en
from persiantools.jdatetime import JalaliDate

from crawler.demosite import OUTLETS, ROBOTS_TXT, DemoSite, ExpectedArticle, expected_articles

OUTLET_IDS = [str(o["id"]) for o in OUTLETS]
NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
      "news": "http://www.google.com/schemas/sitemap-news/0.9",
      "atom": "http://www.w3.org/2005/Atom"}


@dataclass
class Fetched:
    status: int
    headers: Message
    body: bytes


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def fetch(url: str, headers: dict[str, str] | None = None) -> Fetched:
    """GET without following redirects and without raising on error statuses."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with _opener.open(request, timeout=10) as response:
            return Fetched(response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        return Fetched(error.code, error.headers, error.read())


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.links.append(href)


def links_of(body: bytes, encoding: str = "utf-8") -> list[str]:
    parser = _Links()
    parser.feed(body.decode(encoding))
    return parser.links


def article_body(page: str) -> str:
    block = re.search(r'<div class="article-body">(.*?)</div>', page, re.S)
    assert block, "no article body"
    return "\n".join(html.unescape(p) for p in re.findall(r"<p>(.*?)</p>", block.group(1), re.S))


def feed_links(root: ET.Element) -> list[str]:
    if root.tag == f"{{{NS['atom']}}}feed":
        return [e.get("href", "") for e in root.iterfind("atom:entry/atom:link", NS)]
    return [e.text or "" for e in root.iterfind("channel/item/link")]


def discovered_paths(site: DemoSite, outlet: str) -> set[str]:
    """Article paths reachable from the outlet's feed, sitemaps and paginated listing."""
    root = f"{site.base_url}/{outlet}"
    urls = feed_links(ET.fromstring(fetch(f"{root}/feed.xml").body))
    index = ET.fromstring(fetch(f"{root}/sitemap_index.xml").body)
    for loc in index.iterfind("sm:sitemap/sm:loc", NS):
        sitemap = ET.fromstring(fetch(loc.text or "").body)
        urls += [u.text or "" for u in sitemap.iterfind("sm:url/sm:loc", NS)]
    page_url: str | None = f"{root}/category/news/"
    encoding = "cp1256" if outlet == "demo_ar1256" else "utf-8"
    while page_url:
        page = fetch(page_url).body
        links = links_of(page, encoding)
        urls += links
        following = re.search(r'<a rel="next" href="([^"]+)"', page.decode(encoding))
        page_url = html.unescape(following.group(1)) if following else None
    allow = re.compile(rf"^/{outlet}/\d{{4}}/\d{{2}}/[^/]+/$")
    return {urlsplit(u).path for u in urls if allow.match(urlsplit(u).path)}


def by_outlet(edition: int, outlet: str) -> list[ExpectedArticle]:
    return [a for a in expected_articles(edition) if a.outlet == outlet]


def test_robots_txt(site: DemoSite) -> None:
    got = fetch(f"{site.base_url}/robots.txt")
    assert got.status == 200
    assert got.body.decode() == ROBOTS_TXT == "User-agent: *\nDisallow: /*/private/\n"


@pytest.mark.parametrize("outlet", OUTLET_IDS)
def test_feed_and_sitemaps_parse(site: DemoSite, outlet: str) -> None:
    root = f"{site.base_url}/{outlet}"
    feed = ET.fromstring(fetch(f"{root}/feed.xml").body)
    expected_tag = f"{{{NS['atom']}}}feed" if outlet == "demo_ar" else "rss"
    assert feed.tag == expected_tag
    links = feed_links(feed)
    assert 0 < len(links) < len(by_outlet(1, outlet))  # some, not all
    assert any("utm_source=rss&utm_medium=feed" in u for u in links)
    index = ET.fromstring(fetch(f"{root}/sitemap_index.xml").body)
    locs = [e.text for e in index.iterfind("sm:sitemap/sm:loc", NS)]
    assert locs == [f"{root}/sitemap-articles.xml", f"{root}/sitemap-news.xml"]
    news = ET.fromstring(fetch(f"{root}/sitemap-news.xml").body)
    assert news.findall("sm:url/news:news/news:publication_date", NS)


@pytest.mark.parametrize("outlet", OUTLET_IDS)
def test_homepage_links(site: DemoSite, outlet: str) -> None:
    got = fetch(f"{site.base_url}/{outlet}/")
    encoding = "cp1256" if outlet == "demo_ar1256" else "utf-8"
    paths = {urlsplit(u).path for u in links_of(got.body, encoding)}
    prefix = f"/{outlet}"
    for needed in ("/category/news/", "/private/leak/", "/private/2026/11/secret/",
                   "/2026/11/missing-article/", "/loop/a/", "/2026/11/annual-report.pdf/"):
        assert prefix + needed in paths
    assert any(p.startswith(prefix + "/tag/") for p in paths)
    assert any(p.startswith(prefix + "/old/") for p in paths)
    assert any("utm_source=twitter&utm_campaign=x#comments" in u
               for u in links_of(got.body, encoding))
    lang = "fa" if outlet == "demo_fa" else "en" if outlet == "demo_en" else "ar"
    head = got.body.decode(encoding)[:200]
    assert f'lang="{lang}"' in head
    assert ('dir="rtl"' in head) == (lang != "en")


@pytest.mark.parametrize("edition", [1, 2])
@pytest.mark.parametrize("outlet", OUTLET_IDS)
def test_every_article_is_discoverable(outlet: str, edition: int) -> None:
    with DemoSite(edition=edition) as site:
        found = discovered_paths(site, outlet)
    assert {a.path for a in by_outlet(edition, outlet)} <= found
    assert f"/{outlet}/2026/11/missing-article/" in found  # the broken link is there too


def test_article_pages_match_ground_truth(site: DemoSite) -> None:
    for article in expected_articles(1):
        got = fetch(site.base_url + article.path)
        if got.status == 500:  # the flaky article fails once per server
            got = fetch(site.base_url + article.path)
        assert got.status == 200, article.path
        page = got.body.decode("cp1256" if article.encoding == "windows-1256" else "utf-8")
        assert article_body(page) == article.text
        assert f'<link rel="canonical" href="{site.base_url}{article.path}">' in page
        headline = re.search(r'<h1 class="headline">(.*?)</h1>', page)
        assert headline and html.unescape(headline.group(1)) == article.title
        assert 'property="og:title"' in page
        assert page.count('class="comment"') in (2, 3)
        if article.author:
            assert f'<meta name="author" content="{html.escape(article.author)}">' in page


def test_dates_in_pages(site: DemoSite) -> None:
    styles = {"jsonld": 0, "meta": 0, "hijri": 0}
    for article in expected_articles(1):
        got = fetch(site.base_url + article.path)
        if got.status == 500:
            got = fetch(site.base_url + article.path)
        page = got.body.decode("cp1256" if article.encoding == "windows-1256" else "utf-8")
        ld = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
        meta = re.search(r'property="article:published_time" content="([^"]+)"', page)
        if ld:
            data = json.loads(ld.group(1))
            assert data["@type"] == "NewsArticle" and data["headline"] == article.title
            assert data["datePublished"][:10] == article.published
            styles["jsonld"] += 1
        elif meta:
            assert meta.group(1)[:10] == article.published
            styles["meta"] += 1
        else:
            assert article.language == "fa" and "<time" not in page
            byline = re.search(r"[۰-۹]{4}/[۰-۹]{2}/[۰-۹]{2}", page)
            assert byline
            year, month, day = (int(x) for x in fa_to_en(byline.group(0)).split("/"))
            assert JalaliDate(year, month, day).to_gregorian().isoformat() == article.published
            styles["hijri"] += 1
    assert styles["jsonld"] > styles["meta"] > 0 and styles["hijri"] >= 2


def test_windows_1256_outlet(site: DemoSite) -> None:
    article = by_outlet(1, "demo_ar1256")[0]
    got = fetch(site.base_url + article.path)
    assert got.headers["Content-Type"] == "text/html"
    with pytest.raises(UnicodeDecodeError):
        got.body.decode("utf-8")
    page = got.body.decode("cp1256")
    assert '<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">' in page
    assert "<meta charset" not in page
    for paragraph in article.text.split("\n"):
        assert paragraph in page
    assert 'dir="rtl"' in page


def test_gzip_when_asked(site: DemoSite) -> None:
    url = site.base_url + by_outlet(1, "demo_fa")[0].path
    plain = fetch(url)
    zipped = fetch(url, {"Accept-Encoding": "gzip, deflate"})
    assert "Content-Encoding" not in plain.headers
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert zipped.body[:2] == b"\x1f\x8b"
    assert gzip.decompress(zipped.body) == plain.body
    assert int(zipped.headers["Content-Length"]) == len(zipped.body)
    assert fetch(url, {"Accept-Encoding": "gzip"}).body == zipped.body  # stable bytes


def test_conditional_requests(site: DemoSite) -> None:
    url = site.base_url + by_outlet(1, "demo_en")[0].path
    first = fetch(url)
    etag, last_modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert etag and last_modified and fetch(url).headers["ETag"] == etag
    assert fetch(url, {"If-None-Match": etag}).status == 304
    assert fetch(url, {"If-None-Match": '"other"'}).status == 200
    assert fetch(url, {"If-Modified-Since": last_modified}).status == 304
    assert fetch(url, {"If-Modified-Since": "Mon, 02 Nov 2026 00:00:00 GMT"}).status == 200


def test_flaky_article_fails_once_per_server() -> None:
    for server_run in range(2):
        with DemoSite() as site:
            paths = [a.path for a in expected_articles(1)]
            statuses = {p: fetch(site.base_url + p).status for p in paths}
            flaky = [p for p, status in statuses.items() if status == 500]
            assert len(flaky) == len(OUTLET_IDS), server_run
            assert all(fetch(site.base_url + p).status == 200 for p in flaky)


def test_broken_things(site: DemoSite) -> None:
    for outlet in OUTLET_IDS:
        root = f"{site.base_url}/{outlet}"
        assert fetch(f"{root}/2026/11/missing-article/").status == 404
        a, b = fetch(f"{root}/loop/a/"), fetch(f"{root}/loop/b/")
        assert (a.status, a.headers["Location"]) == (302, f"{root}/loop/b/")
        assert (b.status, b.headers["Location"]) == (302, f"{root}/loop/a/")
        home = fetch(f"{root}/").body.decode("cp1256" if outlet == "demo_ar1256" else "utf-8")
        old = re.search(r'href="([^"]*/old/[^"]+)"', home)
        assert old
        moved = fetch(old.group(1))
        assert moved.status == 301
        assert moved.headers["Location"].removeprefix(site.base_url) in {
            x.path for x in by_outlet(1, outlet)}
        pdf = fetch(f"{root}/2026/11/annual-report.pdf/")
        assert pdf.headers["Content-Type"] == "application/pdf" and pdf.body.startswith(b"%PDF-")
        png = fetch(f"{root}/images/front-page.png")
        assert png.headers["Content-Type"] == "image/png" and png.body.startswith(b"\x89PNG")
        article = by_outlet(1, outlet)[0].path
        tracked = fetch(f"{site.base_url}{article}?utm_source=twitter&utm_campaign=x")
        assert tracked.status == 200
        assert f'href="{site.base_url}{article}"' in tracked.body.decode(
            "cp1256" if outlet == "demo_ar1256" else "utf-8")
        article_page = fetch(f"{site.base_url}{article}").body
        assert b"/private/leak/" in article_page and b"/private/2026/11/secret/" in article_page


def test_editions_change_only_announced_articles() -> None:
    with DemoSite() as site:
        def etags(paths: list[str]) -> dict[str, str]:
            result = {}
            for path in paths:
                got = fetch(site.base_url + path)
                if got.status == 500:
                    got = fetch(site.base_url + path)
                result[path] = got.headers["ETag"]
            return result

        old_paths = [a.path for a in expected_articles(1)]
        before = etags(old_paths)
        site.set_edition(2)
        after = etags(old_paths)
        changed = {p for p in old_paths if before[p] != after[p]}
        announced = {a.path for a in expected_articles(2) if a.revised == 2 and a.since == 1}
        assert changed == announced and len(changed) == 3
        for article in expected_articles(2):
            page = fetch(site.base_url + article.path)
            encoding = "cp1256" if article.encoding == "windows-1256" else "utf-8"
            assert article_body(page.body.decode(encoding)) == article.text
        for outlet in OUTLET_IDS:
            new = [a for a in by_outlet(2, outlet) if a.since == 2]
            assert len(new) == 1
            root = f"{site.base_url}/{outlet}"
            encoding = "cp1256" if outlet == "demo_ar1256" else "utf-8"
            for url in (f"{root}/feed.xml", f"{root}/sitemap-articles.xml",
                        f"{root}/category/news/"):
                assert new[0].path in fetch(url).body.decode(encoding), url
        site.set_edition(1)
        assert fetch(site.base_url + expected_articles(2)[0].path).status in (200, 404)
        assert etags(old_paths) == before


def test_requests_are_recorded() -> None:
    with DemoSite() as site:
        fetch(f"{site.base_url}/robots.txt", {"User-Agent": "akhbar-test"})
        fetch(f"{site.base_url}/demo_en/?x=1")
        assert [(m, p) for m, p, _ in site.requests] == [("GET", "/robots.txt"),
                                                        ("GET", "/demo_en/?x=1")]
        assert site.requests[0][2]["User-Agent"] == "akhbar-test"
        site.clear_requests()
        assert site.requests == []
        assert urlsplit(site.base_url).port == site.port != 0
    with pytest.raises(OSError):
        fetch(f"{site.base_url}/robots.txt")
