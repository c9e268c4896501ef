"""crawler.crawl.links.page_links finds the links Scrapy's LinkExtractor(unique=True) finds."""

from __future__ import annotations

import pytest
from scrapy.http import HtmlResponse
from scrapy.linkextractors import LinkExtractor

from crawler.crawl.links import page_links
from crawler.demosite.model import load_content
from crawler.demosite.render import Renderer
from crawler.urls import canonicalize

TRICKY = """<html><head><base href="http://ex.com/dir/"></head><body>
<a href=" a b.html ">space</a>
<a href="/fa/خبر/۱۲?q=سلام&x=1">persian path and query</a>
<a href="javascript:void(0)">js</a> <a href="mailto:a@b.c">mail</a> <a href="tel:+98">tel</a>
<a href="img.JPG">image</a> <a href="doc.pdf?x=1">pdf with query</a> <a href="v.mp4">video</a>
<a href="x.html#one">fragment</a> <a href="x.html#one">same again</a> <a href="x.html#two">other</a>
<map><area href="area.html"></map>
<a href="http://[::1">bogus host</a>
<a href="HTTP://EX.com/Up">capitals</a>
<a href="//other.org/p;par.jpg">params</a> <a href="ftp://f.org/a">ftp</a>
<a href="a|b<c>d">unsafe characters</a> <a>no href</a> <a href="">empty</a>
<a href="\tfoo\n">whitespace</a> <a href="http://münchen.de/ä">idn</a>
<a href="../up.html">up</a>
</body></html>"""


def _both(url: str, body: bytes, encoding: str) -> tuple[list[str], list[str]]:
    scrapy_links = LinkExtractor(unique=True).extract_links(
        HtmlResponse(url, body=body, encoding=encoding)
    )
    ours = page_links(HtmlResponse(url, body=body, encoding=encoding))
    return [link.url for link in scrapy_links], ours


@pytest.mark.parametrize("encoding", ["utf-8", "windows-1256"])
def test_tricky_links_as_scrapy_finds_them(encoding: str) -> None:
    body = TRICKY.encode(encoding, errors="xmlcharrefreplace")
    expected, ours = _both("http://ex.com/page", body, encoding)
    assert [canonicalize(u) for u in ours] == [canonicalize(u) for u in expected]
    assert "http://ex.com/dir/a%20b.html" in ours
    assert not any(u.startswith(("javascript:", "mailto:", "tel:")) for u in ours)
    assert not any(u.endswith(("img.JPG", "v.mp4")) for u in ours)
    # Scrapy looks at the path without its ;params, so this one is kept:
    assert "http://other.org/p;par.jpg" in ours
    assert "http://ex.com/dir/area.html" in ours
    assert len(ours) == len(set(ours))


def test_demo_site_pages_give_the_same_links() -> None:
    content = load_content()
    checked = 0
    for outlet in content.outlets:
        renderer = Renderer(outlet, "http://127.0.0.1:8765")
        pages = [renderer.home(1), renderer.listing(1, 1)]
        pages += [renderer.article(article, 1) for article in outlet.articles[:3]]
        for html in pages:
            expected, ours = _both(
                "http://127.0.0.1:8765/x/", html.encode(outlet.encoding, "xmlcharrefreplace"),
                outlet.encoding,
            )
            assert ours == expected
            checked += len(ours)
    assert checked > 50


@pytest.mark.parametrize("base", ["http://ex.com/dir/page", "https://u:p@ex.com:8443/d/",
                                  "http://münchen.de/a", "HTTP://EX.com/x"])
def test_plain_paths_joined_as_urljoin_does(base: str) -> None:
    hrefs = ["/a/b", "/a//b", "/a/./b", "/a/../b", "/.", "/..", "/", "/x.JPG", "/x.html",
             "/a-b_c~d.e/", "//other.org/p", "/a;p", "/a?q", "/a#f", "/ä", "/a b", "/a/.b"]
    body = "".join(f'<a href="{h}">x</a>' for h in hrefs).encode()
    expected, ours = _both(base, b"<html><body>" + body + b"</body></html>", "utf-8")
    assert ours == expected
