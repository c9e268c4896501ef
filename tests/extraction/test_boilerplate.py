"""Boilerplate an outlet repeats inside its article markup is not in the text: by rule, or
learned from the lines its articles repeat."""

from __future__ import annotations

import pytest

from crawler.extraction import RepeatedLines, extract_article
from crawler.extraction._boilerplate import is_boilerplate_line, strip_boilerplate
from crawler.extraction._repeats import FORGET_EVERY, line_key, strip_repeated

PROSE = ("The committee met for six hours and agreed on a draft that will go to a vote next "
         "week in the capital city of the province.")
BLURB = ("The Tehran Ledger is an independent news organisation. Our journalism is funded by "
         "our readers and we answer to no government or party.")


@pytest.mark.parametrize("line", [
    "Read also: Oil prices fall for a third day", "Share This Article", "- Related stories",
    "Subscribe to our daily newsletter and get the top stories in your inbox every morning.",
    "اقرأ أيضاً: وزراء الخارجية العرب يبحثون خطة الإعمار", "شارك هذا المقال",
    "اشترك في نشرتنا البريدية اليومية لتصلك أهم الأخبار كل صباح.",
    "بیشتر بخوانید: بازار مسکن تهران آرام‌تر شد", "این مطلب را به اشتراک بگذارید",
    "در خبرنامه روزانه ما عضو شوید تا مهم‌ترین خبرها هر صبح به دستتان برسد.",
])
def test_boxes_and_links_are_boilerplate(line: str) -> None:
    assert is_boilerplate_line(line)


@pytest.mark.parametrize("line", [
    PROSE, "Share prices rose in Tehran on Monday", "Print media is in decline, he said.",
    "Read also the minister's letter, which runs to " + "forty pages of detail " * 15,
])
def test_prose_is_not(line: str) -> None:
    assert not is_boilerplate_line(line)


def test_the_outlets_blurb_closing_the_article_goes() -> None:
    text = f"{PROSE}\n{PROSE}\n{BLURB}"
    assert strip_boilerplate(text, "The Tehran Ledger") == f"{PROSE}\n{PROSE}"
    assert strip_boilerplate(text, None) == text  # without a site name it cannot be told
    mid = f"{PROSE}\n{BLURB}\n{PROSE}"
    assert strip_boilerplate(mid, "The Tehran Ledger") == mid  # only the closing line


def test_a_page_of_nothing_but_boilerplate_keeps_its_text() -> None:
    assert strip_boilerplate("Share This Article\nRead more", None) == (
        "Share This Article\nRead more")


def test_extracted_text_and_markdown_lose_the_boxes() -> None:
    body = "".join(f"<p>{i} {PROSE}</p>" for i in range(3))
    page = (f'<html><head><meta property="og:site_name" content="The Tehran Ledger"></head>'
            f'<body><article><div class="entry-content">{body}'
            f"<p><strong>Read also: Oil prices fall for a third day</strong></p>{body}"
            "<div class='nl'><p>Subscribe to our daily newsletter and get the top stories.</p>"
            f"</div><p>Share This Article</p><p>{BLURB}</p></div></article></body></html>")
    article = extract_article(page.encode(), "https://ledger.example/a")
    assert article is not None
    for kept in (article.text, article.markdown):
        assert PROSE in kept and "Read also" not in kept and "newsletter" not in kept
        assert "Share This Article" not in kept and "independent news" not in kept
    assert article.boilerplate[-2:] == ["Share This Article", BLURB]  # recorded as removed


def test_lines_repeated_across_an_outlets_articles_are_learned() -> None:
    promo = "Get the Ledger app: breaking alerts from Tabriz, free on every phone."
    repeats = RepeatedLines()
    for n in range(2):
        repeats.add(f"a{n}", [f"{n} {PROSE}", promo, "| --- | --- |", "2026"])
    repeats.add("a1", [promo])  # the same article again is not counted twice
    assert not repeats.learned
    repeats.add("a2", [f"2 {PROSE}", f"- {promo}"])  # Markdown's marks do not count
    assert repeats.learned == {line_key(promo)} and line_key("| --- | --- |") is None
    for n in range(3, 30):  # prose shared by 3 articles of 30 is not boilerplate
        repeats.add(f"a{n}", [PROSE if n < 6 else f"{n} {PROSE}", promo])
    assert repeats.learned == {line_key(promo)}


def test_lines_seen_once_are_forgotten_and_boilerplate_is_still_learned() -> None:
    promo = "Get the Ledger app: breaking alerts from Tabriz, free on every phone."
    repeats = RepeatedLines()
    for n in range(3 * FORGET_EVERY):
        repeats.add(f"a{n}", [f"{n} {PROSE}", promo] if n % 2 else [f"{n} {PROSE}"])
    assert repeats.learned == {line_key(promo)}
    assert len(repeats.counts) < FORGET_EVERY + 1, "the counts do not grow with the crawl"


def test_learned_lines_leave_text_and_markdown_and_are_recorded() -> None:
    promo = "Get the Ledger app: breaking alerts from Tabriz, free on every phone."
    body = "".join(f"<p>{i} {PROSE}</p>" for i in range(3))
    page = f"<html><body><article>{body}<p><b>{promo}</b></p>{body}</article></body></html>"
    plain = extract_article(page.encode(), "https://ledger.example/a")
    assert plain is not None and promo in plain.text and plain.boilerplate == []
    learned = extract_article(page.encode(), "https://ledger.example/a",
                              repeated=frozenset({line_key(promo)}))
    assert learned is not None and learned.boilerplate == [promo]
    assert promo not in learned.text and promo not in learned.markdown
    assert learned.text == plain.text.replace(f"{promo}\n", "")
    assert strip_repeated(promo, frozenset({line_key(promo)})) == (promo, [])  # nothing left
