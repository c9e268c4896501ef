from __future__ import annotations

import logging

import pytest

from crawler.extraction import ExtractedArticle, extract_article

ZWNJ = "\u200c"
EN_URL = (
    "https://irangate.example/2024/12/staying-or-leaving-americas-issue-in-iraq/?utm_source=feed"
)


@pytest.fixture
def english(fixture_bytes) -> ExtractedArticle:
    article = extract_article(fixture_bytes("en_article.html"), EN_URL, "text/html; charset=UTF-8")
    assert article is not None
    return article


def test_english_text_is_the_body_and_only_the_body(english: ExtractedArticle, paragraphs) -> None:
    body = paragraphs("en_article.paragraphs.txt")
    lines = english.text.split("\n")
    for paragraph in body:
        assert paragraph in lines
    for boilerplate in (
        "Iran News Desk",  # navigation
        "Share This Article",
        "Share on Telegram",
        "Related Posts",
        "Readers in Basra",  # comments
        "Leave a Reply",
        "Every media institution",  # footer
        "All rights reserved",
        "Subscribe to our newsletter",
    ):
        assert boilerplate not in english.text


def test_english_metadata(english: ExtractedArticle) -> None:
    assert english.url == EN_URL
    assert (
        english.canonical_url
        == "https://irangate.example/2024/12/staying-or-leaving-americas-issue-in-iraq/"
    )
    assert english.title == "Staying or Leaving: America’s Issue in Iraq"
    assert english.author == "Sara Karimi"
    assert english.published == "2024-12-22T09:30:00+03:30"
    assert english.published_source == "json-ld"
    assert english.modified == "2024-12-23T11:05:12+03:30"
    assert english.description == "Staying or leaving is America’s issue in Iraq."
    assert english.html_lang == "en"
    assert english.encoding == "utf-8"
    assert english.is_article is True
    assert english.links is None


def test_to_dict_has_every_field(english: ExtractedArticle) -> None:
    data = english.to_dict()
    assert list(data) == [
        "url", "canonical_url", "title", "author", "published", "published_source", "modified",
        "description", "text", "html_lang", "encoding", "is_article", "links", "authors",
        "lead_image", "section", "keywords", "tags", "sources", "extractor", "markdown",
        "boilerplate",
    ]  # fmt: skip
    assert data["text"] == english.text


def test_arabic_windows_1256(fixture_bytes, paragraphs) -> None:
    article = extract_article(
        fixture_bytes("ar_cp1256.html"), "https://alrafidain.example/news/drought", "text/html"
    )
    assert article is not None
    assert article.encoding == "cp1256"
    lines = article.text.split("\n")
    for paragraph in paragraphs("ar_cp1256.paragraphs.txt"):
        assert paragraph in lines  # a layout table must not glue paragraphs together
    for boilerplate in ("الأكثر قراءة", "جميع الحقوق محفوظة", "شارك الخبر", "أخبار العراق"):
        assert boilerplate not in article.text
    assert article.title == "خطة طارئة لمواجهة الجفاف في جنوب العراق"
    assert article.author == "قسم الأخبار المحلية"
    assert (article.published, article.published_source) == ("2024-11-17T10:42:00+03:00", "meta")
    assert article.canonical_url == "https://alrafidain.example/news/2024/11/17/drought-plan.html"
    assert article.html_lang == "ar"


def test_arabic_utf8_with_bom(fixture_bytes, paragraphs) -> None:
    article = extract_article(
        fixture_bytes("ar_utf8_bom.html"), "https://alnil.example/culture/book-fair", None
    )
    assert article is not None
    assert article.encoding == "utf-8"
    assert article.text.split("\n")[-4:] == paragraphs("ar_utf8_bom.paragraphs.txt")
    assert "الزحام" not in article.text  # a reader's comment
    assert article.title == "انطلاق معرض القاهرة الدولي للكتاب بمشاركة ألف دار نشر"
    assert article.author == "منى عبد الرحمن"
    assert (article.published, article.published_source) == ("2025-01-23", "json-ld")


def test_persian_keeps_zero_width_non_joiners(fixture_bytes, paragraphs) -> None:
    body = paragraphs("fa_zwnj_solar.paragraphs.txt")
    article = extract_article(
        fixture_bytes("fa_zwnj_solar.html"), "https://parsnegar.example/fa/news/84213/slug"
    )
    assert article is not None
    assert "می\u200cخواهم" in article.text
    assert "میخواهم" not in article.text
    assert article.text.split("\n") == body
    assert article.text.count(ZWNJ) == sum(p.count(ZWNJ) for p in body) > 0
    assert (
        article.title == "کاهش نرخ تورم و ادامه\u200cی سیاست\u200cهای انقباضی"
    )  # ZWNJ kept, suffix gone
    assert article.html_lang == "fa"


def test_persian_solar_hijri_byline_is_the_date(fixture_bytes) -> None:
    article = extract_article(
        fixture_bytes("fa_zwnj_solar.html"), "https://parsnegar.example/fa/news/84213/slug"
    )
    assert article is not None
    assert (article.published, article.published_source) == ("2024-11-18", "byline-solar-hijri")


def test_json_ld_date_beats_a_date_in_the_body(fixture_bytes) -> None:
    article = extract_article(
        fixture_bytes("date_conflict.html"), "https://gulfledger.example/business/port-strike-ends"
    )
    assert article is not None
    assert "2025-01-01" in article.text
    assert (article.published, article.published_source) == ("2024-06-15T07:20:00+00:00", "json-ld")
    assert article.author == "Leila Haddad"
    assert article.title == "Port workers end strike after wage deal"
    assert (
        article.canonical_url == "https://gulfledger.example/business/port-strike-ends"
    )  # from og:url


def test_listing_page_is_not_an_article(fixture_bytes) -> None:
    article = extract_article(
        fixture_bytes("listing.html"), "https://tehranchronicle.example/latest/"
    )
    assert article is not None
    assert article.is_article is False
    assert article.published is None  # no guessing from the teasers' links
    assert article.title == "Latest news"


def test_malformed_html_does_not_raise(fixture_bytes) -> None:
    article = extract_article(fixture_bytes("malformed.html"), "https://broken.example/page")
    assert article is not None
    assert "Residents of the northern district reported water shortages" in article.text
    assert "promised compensation for affected households" in article.text


def test_pdf_is_not_html(fixture_bytes) -> None:
    body = fixture_bytes("not_html.pdf")
    assert extract_article(body, "https://x.example/report.pdf", "application/pdf") is None
    assert extract_article(body, "https://x.example/report.pdf", None) is None


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"<html></html>",
        b"<!doctype html><html><head><title>t</title></head><body></body></html>",
        b"<html>" + b"<div>" * 5000 + b"deep",
        b"<html><body>\x00\x00\x00</body></html>",
        b'<html><head><script type="application/ld+json">{"@type": [broken</script></head>'
        b"<body></body></html>",
    ],
)
def test_pages_without_main_text_give_none(body: bytes) -> None:
    assert extract_article(body, "https://x.example/empty", "text/html") is None


def test_a_failing_trafilatura_falls_back_to_readability(monkeypatch, caplog, fixture_bytes):
    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("crawler.extraction._cascade.bare_extraction", explode)
    monkeypatch.setattr("crawler.extraction._cascade.fast_main_text", explode)
    with caplog.at_level(logging.WARNING, logger="crawler.extraction"):
        article = extract_article(fixture_bytes("en_article.html"), "https://x.example/boom")
    assert article is not None and article.extractor == "readability"
    assert "Two members of the coordination framework" in article.text
    assert "https://x.example/boom" in caplog.text


def test_failures_are_logged_with_the_url(monkeypatch, caplog, fixture_bytes) -> None:
    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("crawler.extraction._article.read_page_metadata", explode)
    with caplog.at_level(logging.WARNING, logger="crawler.extraction"):
        assert extract_article(fixture_bytes("en_article.html"), "https://x.example/boom") is None
    assert "https://x.example/boom" in caplog.text


def _page(head: str, body: str) -> bytes:
    paragraph = (
        "The committee met for six hours and agreed on a draft that will go to a vote next week. "
        * 4
    )
    return (
        f"<!doctype html><html><head>{head}</head>"
        f"<body>{body}<article><p>{paragraph}</p></article></body></html>"
    ).encode()


@pytest.mark.parametrize(
    ("head", "body", "published", "source"),
    [
        (
            '<meta property="article:published_time" content="2024-05-02T10:00:00+02:00">',
            "",
            "2024-05-02T10:00:00+02:00",
            "meta",
        ),
        ('<meta itemprop="datePublished" content="2024-05-03">', "", "2024-05-03", "meta"),
        (
            "",
            '<article><time datetime="2024-05-04T08:00:00Z">4 May</time></article>',
            "2024-05-04T08:00:00+00:00",
            "time-element",
        ),
        ("", '<div class="post-date">نشر في ٤ أيار ٢٠٢٤</div>', "2024-05-04", "byline"),
        (
            '<script type="application/ld+json">[{"@type": "WebPage"}, {"@graph": '
            '[{"@type": "BlogPosting", "datePublished": "2024-05-05"}]}]</script>'
            '<meta property="article:published_time" content="2024-05-06">',
            "",
            "2024-05-05",
            "json-ld",
        ),
    ],
)
def test_date_sources(head: str, body: str, published: str, source: str) -> None:
    article = extract_article(_page(head, body), "https://x.example/2023/01/01/story")
    assert article is not None
    assert (article.published, article.published_source) == (published, source)


def test_trafilatura_date_is_the_last_resort() -> None:
    article = extract_article(_page("", ""), "https://x.example/2023/01/17/story")
    assert article is not None
    assert (article.published, article.published_source) == ("2023-01-17", "trafilatura")


def test_author_list_and_site_prefix() -> None:
    head = (
        "<title>Gulf Ledger | Budget vote delayed</title>"
        '<meta property="og:site_name" content="Gulf Ledger">'
        '<script type="application/ld+json">'
        '{"@type": "NewsArticle", "author": [{"name": "A. One"}, "B. Two"]}</script>'
    )
    article = extract_article(_page(head, ""), "https://x.example/s")
    assert article is not None
    assert article.author == "A. One, B. Two"
    assert article.title == "Budget vote delayed"


def test_broken_json_ld_is_skipped() -> None:
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": broken</script>'
        '<meta property="og:title" content="Fine">'
    )
    article = extract_article(_page(head, ""), "https://x.example/s")
    assert article is not None
    assert article.title == "Fine"


def test_zwnj_written_as_character_reference_survives() -> None:
    paragraph = "من می&zwnj;خواهم این گزارش را بخوانم و کتاب&#8204;ها را مرتب کنم. " * 6
    body = f'<html lang="fa"><body><article><p>{paragraph}</p></article></body></html>'
    article = extract_article(body.encode(), "https://x.example/fa/1")
    assert article is not None
    assert article.text.count("می\u200cخواهم") == 6
    assert article.text.count("کتاب\u200cها") == 6


def test_a_section_front_takes_no_date_from_its_teasers() -> None:
    teasers = "".join(
        f"<article><h2><a href='/s/{i}'>Story {i} of the day</a></h2><p>{'Summary words. ' * 12}"
        f"</p><time datetime='2026-11-1{i}'>Nov 1{i}</time></article>" for i in range(4))
    front = extract_article(f"<html><body><main><h1>Economy</h1>{teasers}</main></body></html>"
                            .encode(), "https://x.example/economy/")
    assert front is not None and front.published is None
    story = (f"<html><body><article><h1>Oil falls</h1><time datetime='2026-10-02'>Oct 2</time>"
             f"<p>{'Oil prices fell on Monday. ' * 20}</p></article>{teasers}</body></html>")
    article = extract_article(story.encode(), "https://x.example/oil")
    assert article is not None and article.published == "2026-10-02"
