"""Page requisites found in HTML and CSS, the outlet's policy and a page's caps
(crawler.crawl.requisites), and the ``capture:`` settings of an outlet file."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from crawler.crawl.requisites import (
    PageBudget,
    RequisiteFetcher,
    RequisitePolicy,
    css_requisites,
    html_requisites,
)
from crawler.crawl.seen import DigestSet
from crawler.outlets.schema import Capture

PAGE = """<!DOCTYPE html><html><head>
<link rel="stylesheet" href="/assets/site.css"><link rel="icon" href="/favicon.ico">
<link rel="alternate" type="application/rss+xml" href="/feed.xml">
<link rel="preload" as="font" href="/f.woff2"><link rel="preload" as="document" href="/x">
<style>@import "print.css"; .hero { background: url('img/hero.jpg') }</style>
<script src="https://cdn.news.example/app.js"></script></head><body>
<img src="a.png" srcset="a-1x.png 1x, a-2x.png 2x">
<picture><source srcset="wide.webp 1600w, narrow.webp 800w"><img src="fallback.png"></picture>
<img class="lazy" data-src="/lazy.png" src="data:image/gif;base64,R0lGOD">
<div style="background-image: url(/bg.png)"></div>
<a href="/other-article/">not a requisite</a><img src="#nothing"><img src="a.png">
</body></html>"""


def test_every_kind_of_requisite_is_found_once_in_page_order() -> None:
    found = html_requisites(PAGE, "https://news.example/2026/11/story/")
    assert found == [
        "https://news.example/assets/site.css",
        "https://news.example/favicon.ico",
        "https://news.example/f.woff2",
        "https://news.example/2026/11/story/print.css",
        "https://news.example/2026/11/story/img/hero.jpg",
        "https://cdn.news.example/app.js",
        "https://news.example/2026/11/story/a.png",
        "https://news.example/2026/11/story/a-1x.png",
        "https://news.example/2026/11/story/a-2x.png",
        "https://news.example/2026/11/story/wide.webp",
        "https://news.example/2026/11/story/narrow.webp",
        "https://news.example/2026/11/story/fallback.png",
        "https://news.example/lazy.png",
        "https://news.example/bg.png",
    ]


def test_base_href_is_honoured() -> None:
    page = '<html><head><base href="https://static.news.example/v2/"></head>' \
           '<body><img src="logo.png"></body></html>'
    assert html_requisites(page, "https://news.example/a/") == [
        "https://static.news.example/v2/logo.png"]


def test_stylesheet_imports_and_urls_relative_to_the_stylesheet() -> None:
    css = """/* url(commented.png) */ @import url("theme.css"); @import 'print.css' print;
    @font-face { src: url(fonts/a.woff2) format("woff2"), url("data:font/woff;base64,AA"); }
    body { background: url( '../img/bg.png' ) }"""
    assert css_requisites(css, "https://news.example/assets/site.css") == [
        "https://news.example/assets/print.css",
        "https://news.example/assets/theme.css",
        "https://news.example/assets/fonts/a.woff2",
        "https://news.example/img/bg.png",
    ]


def test_garbage_finds_nothing_and_raises_nothing() -> None:
    assert html_requisites("", "https://news.example/") == []
    assert html_requisites("\x00\x01<<<", "https://news.example/") == []
    assert css_requisites("url(", "https://news.example/a.css") == []


def test_the_policy_follows_the_outlet_hosts_its_cdn_or_every_host() -> None:
    hosts = ["news.example"]
    same = RequisitePolicy.of(Capture(extra_hosts=["cdn.example.net"]), hosts)
    assert same.allows("https://www.news.example/a.png")
    assert same.allows("https://cdn.example.net/a.png")
    assert not same.allows("https://tracker.example.org/p.gif")
    assert RequisitePolicy.of(Capture(requisites="all"), hosts).allows("https://x.org/a.png")
    none = RequisitePolicy.of(Capture(requisites="none"), hosts)
    assert not none.enabled and not none.allows("https://news.example/a.png")


def test_a_page_budget_caps_count_and_bytes() -> None:
    budget = PageBudget(count=2, size=100)
    assert budget.take() and budget.take() and not budget.take()
    budget = PageBudget(count=10, size=100)
    assert budget.take()
    budget.spend(150)
    assert not budget.take(), "no more once the page's bytes are spent"


def test_a_pages_budget_lasts_until_its_last_requisite_is_done() -> None:
    fetcher = RequisiteFetcher(RequisitePolicy.of(Capture(), ["news.example"]), DigestSet(),
                               10_000_000)
    page = "https://news.example/2026/01/a/"
    found = ["https://news.example/a.png", "https://news.example/b.css", "https://x.org/t.gif"]
    requests = fetcher.for_urls(page, found, print, print)
    assert [r.url for r in requests] == ["https://news.example/a.png",
                                         "https://news.example/b.css"]
    fetcher.done(requests[0].meta)
    assert page in fetcher.budgets, "b.css may still import more on the page's budget"
    fetcher.done(requests[1].meta)
    assert fetcher.budgets == {}, "a crawl keeps no budget per page it has finished"
    assert fetcher.for_urls(page + "b/", found[:1], print, print) == []
    assert fetcher.budgets == {}, "nor one for a page that asked for nothing new"


@pytest.mark.parametrize("field, value, words", [
    ("requisites", "some", "same-site"),
    ("extra_hosts", ["https://cdn.example.net/"], "not a host name"),
    ("max_per_page", 0, "greater than or equal to 1"),
])
def test_bad_capture_settings_say_what_is_allowed(field: str, value: object, words: str) -> None:
    with pytest.raises(ValidationError) as err:
        Capture(**{field: value})
    assert words in str(err.value)
