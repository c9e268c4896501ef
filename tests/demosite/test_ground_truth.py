"""The ground truth itself: sizes, languages, editions and the details the crawl tests rely on."""

from __future__ import annotations

import re
from collections import Counter

from crawler.demosite import OUTLETS, expected_articles
from crawler.demosite.model import load_content

ZWNJ = "\u200c"


def test_outlets_listing() -> None:
    assert [o["id"] for o in OUTLETS] == ["demo_en", "demo_ar", "demo_ar1256", "demo_fa"]
    for outlet in OUTLETS:
        assert outlet["path_prefix"] == f"/{outlet['id']}"
        assert outlet["name"] and outlet["languages"]


def test_edition_one_sizes_and_shapes() -> None:
    articles = expected_articles(1)
    per_outlet = Counter(a.outlet for a in articles)
    assert set(per_outlet) == {o["id"] for o in OUTLETS}
    assert all(6 <= n <= 8 for n in per_outlet.values()), per_outlet
    allow = re.compile(r"^/demo_[a-z0-9]+/\d{4}/\d{2}/[^/]+/$")
    for article in articles:
        assert allow.match(article.path), article.path
        paragraphs = article.text.split("\n")
        assert 3 <= len(paragraphs) <= 6, article.path
        assert 80 <= len(article.text.split()) <= 250, article.path
        assert re.fullmatch(r"2026-11-\d{2}", article.published or "")
        assert article.encoding == ("windows-1256" if article.outlet == "demo_ar1256" else "utf-8")
        assert "lorem" not in article.text.lower()


def test_languages_and_scripts() -> None:
    for article in expected_articles(1):
        if article.language == "en":
            assert re.search(r"[A-Za-z]{4}", article.title)
        else:
            assert re.search(r"[\u0600-\u06ff]{3}", article.title)
    fa = [a for a in expected_articles(1) if a.language == "fa"]
    assert all(ZWNJ in a.text for a in fa)
    assert any(f"می{ZWNJ}" in a.text for a in fa)


def test_english_article_with_persian_footer_line() -> None:
    english = [a for a in expected_articles(1) if a.outlet == "demo_en"]
    persian_letters = re.compile(r"[\u06a9\u06af\u06cc\u067e]")  # ک گ ی پ: not in Arabic
    footers = [a for a in english if persian_letters.search(a.text.split("\n")[-1])]
    assert len(footers) == 1
    assert ZWNJ in footers[0].text.split("\n")[-1]


def test_hijri_only_articles_exist() -> None:
    fa = next(o for o in load_content().outlets if o.id == "demo_fa")
    assert sum(a.date_style == "hijri" for a in fa.articles) >= 2


def test_edition_two_changes() -> None:
    one = {a.path: a for a in expected_articles(1)}
    two = {a.path: a for a in expected_articles(2)}
    added = set(two) - set(one)
    assert set(one) <= set(two)
    assert Counter(two[p].outlet for p in added) == Counter({o["id"]: 1 for o in OUTLETS})
    assert all(two[p].since == 2 for p in added)
    changed = {p for p in one if one[p].text != two[p].text}
    assert {two[p].language for p in changed} == {"en", "ar", "fa"}
    assert len(changed) == 3
    assert changed == {p for p in one if two[p].revised == 2}
    assert all(one[p].title == two[p].title for p in one)


def test_scaled_content_for_benchmarks() -> None:
    from crawler.demosite import scaled_content

    big = scaled_content(5)
    base = expected_articles(1)
    scaled = expected_articles(1, content=big)
    assert len(scaled) == 5 * len(base)
    assert len({a.path for a in scaled}) == len(scaled)
