"""Metadata beyond title and date: every author, lead image, section, keywords, tags, the
canonical URL and the modified date (zone kept), each with where it came from."""

from __future__ import annotations

import json

import pytest

from crawler.extraction import extract_article
from crawler.extraction._fields import split_names

BODY = "<article><h1>Rain falls</h1>" + "".join(
    f"<p>{i} The committee met for six hours and agreed on a draft that will go to a vote.</p>"
    for i in range(6)) + "</article>"


def _page(head: str, body: str = BODY) -> bytes:
    return f"<!doctype html><html><head>{head}</head><body>{body}</body></html>".encode()


def test_json_ld_fields_and_their_sources() -> None:
    node = {"@context": "https://schema.org", "@graph": [{"@type": "WebSite", "name": "Site"}, {
        "@type": "NewsArticle", "headline": "Rain falls",
        "author": [{"@type": "Person", "name": "مریم رضایی"}, {"@type": "Person",
                                                               "name": "Ali Karimi"}],
        "datePublished": "2026-11-19T09:30:00+03:30", "dateModified": "2026-11-20T01:05:00+03:30",
        "image": [{"@type": "ImageObject", "url": "/img/lead.jpg"}], "articleSection": "سیاسی",
        "keywords": "نفت, بازار، تهران"}]}
    head = (f'<script type="application/ld+json">{json.dumps(node)}</script>'
            '<link rel="canonical" href="/politics/rain">'
            '<meta property="og:image" content="https://cdn.example/og.jpg">'
            '<meta property="article:tag" content="Rain">'
            '<meta property="article:tag" content="Tehran">')
    a = extract_article(_page(head), "https://news.example/politics/rain?utm=x")
    assert a is not None
    assert a.authors == ["مریم رضایی", "Ali Karimi"] and a.author == "مریم رضایی, Ali Karimi"
    assert a.published == "2026-11-19T09:30:00+03:30"
    assert a.modified == "2026-11-20T01:05:00+03:30"  # the page's own zone
    assert a.lead_image == "https://news.example/img/lead.jpg"  # JSON-LD over og:image
    assert a.section == "سیاسی"
    assert a.keywords == ["نفت", "بازار", "تهران"] and a.tags == ["Rain", "Tehran"]
    assert a.canonical_url == "https://news.example/politics/rain"
    assert a.sources == {
        "title": "json-ld", "authors": "json-ld", "published": "json-ld", "modified": "json-ld",
        "lead_image": "json-ld", "section": "json-ld", "keywords": "json-ld",
        "tags": "meta:article:tag", "canonical_url": "link:canonical"}


def test_meta_fields_when_there_is_no_json_ld() -> None:
    head = ('<meta property="og:title" content="Rain falls">'
            '<meta property="article:author" content="Sara Karimi">'
            '<meta property="article:author" content="John Miller">'
            '<meta property="article:modified_time" content="2026-11-20T10:00:00-05:00">'
            '<meta property="article:section" content="World">'
            '<meta name="keywords" content="rain, floods">'
            '<meta name="twitter:image" content="https://cdn.example/t.jpg">'
            '<meta property="og:url" content="https://news.example/rain">')
    a = extract_article(_page(head), "https://news.example/rain?x=1")
    assert a is not None
    assert a.authors == ["Sara Karimi", "John Miller"]
    assert a.modified == "2026-11-20T10:00:00-05:00" and a.section == "World"
    assert a.keywords == ["rain", "floods"] and a.tags == []
    assert a.lead_image == "https://cdn.example/t.jpg"
    assert a.canonical_url == "https://news.example/rain"
    assert a.sources["authors"] == "meta:article:author"
    assert a.sources["lead_image"] == "meta:twitter:image"
    assert a.sources["canonical_url"] == "meta:og:url" and a.sources["title"] == "meta:og:title"
    assert "modified" not in {k for k, v in a.sources.items() if v == "json-ld"}


def test_links_marked_author_and_tag() -> None:
    body = ('<header><a rel="author" href="/by/1">Leila Ahmadi</a> and '
            '<a rel="author" href="/by/2">Omar Haddad</a></header>' + BODY
            + '<div><a rel="tag" href="/t/1">Floods</a><a rel="tag" href="/t/2">Iran</a></div>')
    a = extract_article(_page("<title>Rain falls</title>", body), "https://news.example/rain")
    assert a is not None
    assert a.authors == ["Leila Ahmadi", "Omar Haddad"] and a.sources["authors"] == "rel-author"
    assert a.tags == ["Floods", "Iran"] and a.sources["tags"] == "rel-tag"
    assert a.lead_image is None and a.section is None and "lead_image" not in a.sources


def test_a_page_without_metadata_has_none_invented() -> None:
    # htmldate would read "© 2026" in the footer as 2026-01-01.
    a = extract_article(_page("<title>Rain falls - Site</title>",
                              BODY + "<footer>© 2026 Site</footer>"), "https://news.example/r")
    assert a is not None
    assert (a.published, a.modified, a.authors, a.lead_image, a.section) == (
        None, None, [], None, None)


@pytest.mark.parametrize(("raw", "names"), [
    ("By Sara Karimi and John Miller", ["Sara Karimi", "John Miller"]),
    ("Sara Karimi, John Miller; Leila Ahmadi", ["Sara Karimi", "John Miller", "Leila Ahmadi"]),
    ("بقلم أحمد السعدي، ليلى حسن", ["أحمد السعدي", "ليلى حسن"]),
    ("https://facebook.com/someone", []),
    ("", []),
])
def test_split_names(raw: str, names: list[str]) -> None:
    assert split_names(raw) == names
