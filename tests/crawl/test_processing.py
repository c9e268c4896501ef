"""process_page: extraction and tagging of one page, as run in a worker process."""

from __future__ import annotations

import gzip

import pytest

from crawler.crawl.processing import (
    BodyTooLarge,
    gunzip_body,
    process_page,
    process_page_and_requisites,
)
from crawler.extraction import RepeatedLines
from crawler.extraction._repeats import article_keys

PAGE = (
    "<html lang='en'><head><title>Rain falls on the city</title></head><body><article>"
    + "".join(
        f"<p>Paragraph {i}: the city council met on Monday to discuss the heavy rain and the "
        "flooding of several streets near the river, which closed schools.</p>"
        for i in range(20)
    )
    + "</article></body></html>"
).encode()


def test_a_gzipped_body_gives_the_same_article() -> None:
    url = "http://news.test/2026/11/rain/"
    plain = process_page(PAGE, url, "text/html; charset=utf-8", ("en",))
    zipped = process_page(gzip.compress(PAGE), url, "text/html; charset=utf-8", ("en",))
    assert plain is not None and zipped == plain


def test_gunzip_body_reads_all_members_and_keeps_to_the_limit() -> None:
    assert gunzip_body(gzip.compress(b"ab") + gzip.compress(b"cd")) == b"abcd"
    with pytest.raises(BodyTooLarge):
        gunzip_body(gzip.compress(b"x" * 10_000), max_size=1_000)


def test_warm_up_loads_the_latin_and_arabic_script_profiles() -> None:
    from crawler.crawl.processing import warm_up
    from crawler.language.profiles import loaded_profile_sets

    warm_up()
    assert {"latin", "arabic"} <= set(loaded_profile_sets())


def _metadata_json_as_before(url: str) -> bytes:
    """The metadata record the crawl wrote when process_page returned a dict (the JSON that
    WARC files written before the typed article hold)."""
    import json

    from crawler.crawl.processing import text_digest
    from crawler.extraction import extract_article
    from crawler.language import tag_languages
    from crawler.urls import canonicalize

    article = extract_article(PAGE, url, "text/html; charset=utf-8")
    assert article is not None
    tags = tag_languages(article.text, hints=("en",), html_lang=article.html_lang)
    data = article.to_dict()
    data["canonical_url"] = canonicalize(article.canonical_url or url)
    data["language"] = tags.lang
    data["language_confidence"] = round(tags.confidence, 4)
    data["languages"] = tags.to_dict()
    data["text_digest"] = text_digest(article.text)
    data.pop("links", None)
    for name in ("authors", "lead_image", "section", "keywords", "tags", "sources", "extractor",
                 "markdown", "boilerplate"):  # issue 18's fields: added beside the old ones
        data.pop(name, None)
    return json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")


def test_the_metadata_record_json_is_what_it_always_was() -> None:
    import json

    from crawler.catalog.records import TaggedArticle

    url = "http://news.test/2026/11/rain/"
    article = process_page(PAGE, url, "text/html; charset=utf-8", ("en",))
    assert isinstance(article, TaggedArticle)
    # Every key the crawl always wrote, with the same value (new keys only added beside them).
    written = json.loads(article.to_json())
    before = json.loads(_metadata_json_as_before(url))
    assert {key: written[key] for key in before} == before
    assert set(written) - set(before) == {"authors", "lead_image", "section", "keywords", "tags",
                                          "metadata_sources", "extractor", "markdown",
                                          "boilerplate"}
    # ... and reindex reads it (and an older record's JSON) back into the same article.
    assert TaggedArticle.from_dict(json.loads(article.to_json())) == article
    older = {k: v for k, v in json.loads(article.to_json()).items() if k != "url"}
    assert TaggedArticle.from_dict({**older, "links": []}).url == article.canonical_url
    with pytest.raises(KeyError, match="text_digest"):
        TaggedArticle.from_dict({"canonical_url": url, "text": "x"})


def test_the_worker_finds_the_requisites_the_crawl_process_would() -> None:
    """An article left gzipped has its requisites found by its extraction worker: the same
    URLs, in the same order, as the crawl process finds in the page; kept when extraction
    fails or finds no text; left to the crawl process (None) when the body is corrupt."""
    from crawler.crawl.processing import process_page_and_requisites
    from crawler.crawl.requisites import gzipped_page_text, html_requisites

    url = "http://news.test/2026/11/rain/"
    head = ('<link rel="stylesheet" href="/a.css"><link rel="icon" href="/i.png">'
            '<style>body { background: url(bg.png) }</style>')
    page = PAGE.replace(b"<title>", head.encode() + b"<title>").replace(
        b"</article>", b'<img src="/m/1.jpg" srcset="/m/1-2x.jpg 2x"></article>')
    ctype = "text/html; charset=utf-8"
    body = gzip.compress(page)
    text = gzipped_page_text(ctype, body)
    assert text is not None
    expected = html_requisites(text, url)
    assert len(expected) == 5

    found = process_page_and_requisites(body, url, ctype, ("en",), requisites=True)
    assert found.requisites == expected
    assert found.article == process_page(page, url, ctype, ("en",)) and found.error is None
    assert process_page_and_requisites(body, url, ctype, ("en",)).requisites is None

    no_text = gzip.compress(b'<html><head><link rel="stylesheet" href="/a.css"></head></html>')
    empty = process_page_and_requisites(no_text, url, ctype, requisites=True)
    assert empty.article is None and empty.requisites == ["http://news.test/a.css"]

    failed = process_page_and_requisites(body, url, ctype, ("en",), max_size=10,
                                         requisites=True)
    assert failed.requisites is None and failed.error is not None
    assert failed.error.startswith("BodyTooLarge: ")


def test_the_workers_requisites_read_from_the_extractions_parse_are_the_pages_own() -> None:
    """The worker reads an article's requisites from the tree its extraction parsed (one
    parse): a ``<base href>`` and a URL holding a zero-width non-joiner (which extraction
    protects while it parses) come out as the page wrote them."""
    from crawler.crawl.pagerefs import html_requisites, html_text
    from crawler.crawl.processing import process_page_and_requisites

    url = "http://news.test/fa/2026/11/story/"
    zwnj = "\u200c"
    page = PAGE.replace(b"<title>", b'<base href="/static/"><title>').replace(
        b"</article>", f'<img src="\u0645\u06cc{zwnj}\u0631\u0648\u062f.jpg">'
        f'<p>\u0645\u06cc{zwnj}\u0631\u0648\u062f</p></article>'.encode())
    ctype = "text/html; charset=utf-8"
    expected = html_requisites(html_text(ctype, page), url)
    assert expected[-1] == f"http://news.test/static/\u0645\u06cc{zwnj}\u0631\u0648\u062f.jpg"
    found = process_page_and_requisites(gzip.compress(page), url, ctype, ("fa",),
                                        requisites=True)
    assert found.requisites == expected and found.article is not None


def test_the_worker_makes_the_metadata_record_and_line_keys_the_crawl_process_made() -> None:
    """An article's metadata record JSON and the keys of its lines (for the learned
    boilerplate) come back from the worker with it: the bytes and keys the crawl process
    would make from the article; a page without an article has neither."""
    url = "http://news.test/2026/11/rain/"
    ctype = "text/html; charset=utf-8"
    found = process_page_and_requisites(gzip.compress(PAGE), url, ctype, ("en",))
    article = found.article
    assert article is not None and found.metadata is not None
    assert found.metadata.content == article.to_json()
    lines = [*article.text.split("\n"), *article.boilerplate]
    assert found.line_keys == article_keys(lines) and found.line_keys
    by_lines, by_keys = RepeatedLines(), RepeatedLines()
    for n in range(5):
        by_lines.add(f"{url}{n}", lines)
        by_keys.add_keys(f"{url}{n}", found.line_keys)
    assert by_keys == by_lines and by_keys.learned

    empty = process_page_and_requisites(gzip.compress(b"<html><body></body></html>"), url,
                                        ctype)
    assert empty.article is None and empty.metadata is None and empty.line_keys is None
