"""The extraction cascade: each fallback, the path recorded, never no text when the page has
one, and the Markdown kept beside the text."""

from __future__ import annotations

import pytest

from crawler.extraction import _cascade, extract_article

SENTENCE = ("The committee met for six hours and agreed on a draft that will go to a vote next "
            "week in the capital city of the province.")


def _page(body: str) -> bytes:
    return f"<!doctype html><html><head><title>t</title></head><body>{body}</body></html>".encode()


def _paragraphs(n: int) -> str:
    return "".join(f"<p>{i} {SENTENCE}</p>" for i in range(n))


def test_a_long_article_stops_on_the_fast_path() -> None:
    article = extract_article(_page(f"<article>{_paragraphs(20)}</article>"), "https://x.example/a")
    assert article is not None and article.extractor == "fast"


def test_where_the_replica_declines_trafilaturas_fast_path_gives_the_same_text(
        monkeypatch) -> None:
    page = _page(f"<article>{_paragraphs(20)}</article>")
    fast = extract_article(page, "https://x.example/a")
    monkeypatch.setattr(_cascade, "fast_main_text", lambda tree, url, fresh=None: None)
    article = extract_article(page, "https://x.example/a")
    assert fast is not None and article is not None
    assert article.extractor == "trafilatura-fast" and article.text == fast.text


def test_a_short_article_is_checked_by_trafilaturas_full_cascade() -> None:
    article = extract_article(_page(f"<article>{_paragraphs(3)}</article>"), "https://x.example/a")
    assert article is not None and article.extractor == "trafilatura"
    assert article.text.count(SENTENCE) == 3


def test_an_article_trafilatura_cannot_see_comes_from_readability() -> None:
    # An article marked up as an <aside>: trafilatura drops asides whole.
    article = extract_article(_page(f"<main><aside>{_paragraphs(5)}</aside></main>"),
                              "https://x.example/aside")
    assert article is not None and article.extractor == "readability"
    assert article.text.split("\n") == [f"{i} {SENTENCE}" for i in range(5)]


def test_far_less_than_the_page_shows_falls_back_to_readability() -> None:
    teaser = "<p>A short teaser line that says what the story is about today.</p>"
    body = f"<main>{teaser}<aside class='story'>{_paragraphs(8)}</aside></main>"
    article = extract_article(_page(body), "https://x.example/teaser")
    assert article is not None and article.extractor == "readability"
    assert article.text.count(SENTENCE) == 8


def test_readability_is_not_taken_when_trafilatura_has_the_article() -> None:
    # A short article on a page heavy with menus and related links stays trafilatura's.
    menu = "<nav>" + "".join(f"<a href='/{i}'>Section {i} news</a> " for i in range(60)) + "</nav>"
    article = extract_article(_page(f"{menu}<article>{_paragraphs(2)}</article>"),
                              "https://x.example/short")
    assert article is not None and article.extractor == "trafilatura"
    assert "Section 7" not in article.text


def test_when_no_extractor_finds_text_the_visible_text_is_kept(monkeypatch) -> None:
    monkeypatch.setattr(_cascade, "readability_text", lambda tree, url: "")
    body = "<main><aside><p>Oil prices fall for a third day</p></aside></main>"
    article = extract_article(_page(body), "https://x.example/b")
    assert article is not None and article.extractor == "baseline"
    assert article.text == "Oil prices fall for a third day"
    assert not article.is_article  # too short to be filed as an article


@pytest.mark.parametrize("markup", ["<script>var a = 1;</script>", "<style>p {}</style>", ""])
def test_a_body_without_visible_text_gives_none(markup: str) -> None:
    assert extract_article(_page(markup), "https://x.example/none") is None


def test_structure_is_kept_as_markdown() -> None:
    body = (f"<article><h1>Rain falls</h1>{_paragraphs(4)}<h2>What comes next</h2>"
            "<ul><li>First point of the plan</li><li>Second point of the plan</li></ul>"
            "<blockquote><p>We will not give up, said the minister.</p></blockquote>"
            "<table><tr><th>City</th><th>Rain</th></tr><tr><td>Tehran</td><td>12 mm</td></tr>"
            f"</table>{_paragraphs(4)}</article>")
    article = extract_article(_page(body), "https://x.example/md")
    assert article is not None
    lines = article.markdown.split("\n")
    assert "## What comes next" in lines and "- First point of the plan" in lines
    assert any(line.startswith("| Tehran | 12 mm |") for line in lines)
    assert "> We will not give up, said the minister." in lines
    assert "What comes next" in article.text.split("\n")  # the text stays plain
    assert not article.markdown.startswith("# Rain falls")  # the headline is the title


def test_image_captions_are_kept_in_the_markdown_not_in_the_text() -> None:
    figure = ("<figure><img src='/img/rain.jpg' alt=''><figcaption>Rain over Tehran on Monday."
              " Photo: [Reuters]</figcaption></figure>")
    teaser = ("<aside><figure><img src='/img/ad.jpg'><figcaption>Our new app</figcaption>"
              "</figure><p>Download it today</p></aside>")
    after = "".join(f"<p>{i} {SENTENCE}</p>" for i in range(2, 5))
    body = (f"<article>{_paragraphs(2)}{figure}{after}"
            "<figure><figcaption>A caption without an image</figcaption></figure>"
            f"</article>{teaser}")
    article = extract_article(_page(body), "https://x.example/news/md")
    assert article is not None
    blocks = article.markdown.split("\n\n")
    at = blocks.index("![Rain over Tehran on Monday. Photo: \\[Reuters\\]]"
                      "(<https://x.example/img/rain.jpg>)")
    assert blocks[at - 1] == f"1 {SENTENCE}" and blocks[at + 1] == f"2 {SENTENCE}"
    assert blocks[-1] == "*A caption without an image*"  # after the paragraph it followed
    assert "Our new app" not in article.markdown  # a figure outside the article
    assert "Rain over" not in article.text and "caption" not in article.text
