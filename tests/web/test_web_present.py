"""How values are shown: direction from language tags, text split at its language parts,
snippets, times and diff rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from crawler.web.present import (
    diff_rows,
    fmt_time,
    lang_dir,
    markdown_html,
    segments,
    snippet,
    text_dir,
)


def test_direction_follows_the_language_tag() -> None:
    assert [text_dir(x) for x in ("fa", "ar", "ur", "ckb", "en", "und", None)] == [
        "rtl", "rtl", "rtl", "rtl", "ltr", "auto", "auto"]
    assert lang_dir("fa") == ' lang="fa" dir="rtl"' and lang_dir("und") == ' dir="auto"'
    assert lang_dir('x"><script>') == ' lang="x&#34;&gt;&lt;script&gt;" dir="ltr"'


def test_an_english_article_with_a_persian_footer_is_split_by_language() -> None:
    body = "Oil prices rose on Monday.\nMarkets were calm."
    footer = "تمامی حقوق محفوظ است"
    text = f"{body}\n{footer}"
    parts = {"parts": [{"start": 0, "end": len(body), "lang": "en", "confidence": 0.99},
                       {"start": len(body) + 1, "end": len(text), "lang": "fa",
                        "confidence": 0.97}]}
    got = segments(text, parts, "en")
    assert [(s.lang, s.dir, s.paragraphs) for s in got] == [
        ("en", "ltr", ["Oil prices rose on Monday.", "Markets were calm."]),
        ("fa", "rtl", [footer])]


def test_parts_that_do_not_fit_the_text_fall_back_to_the_article_language() -> None:
    got = segments("یک\nدو", {"parts": [{"start": 0, "end": 99, "lang": "ar"}]}, "fa")
    assert [(s.lang, s.paragraphs) for s in got] == [("fa", ["یک", "دو"])]
    undetermined = segments("2026\nمتن", {"parts": [{"start": 0, "end": 4, "lang": "und"},
                                                   {"start": 5, "end": 8, "lang": "fa"}]}, "fa")
    assert [(s.lang, s.paragraphs) for s in undetermined] == [("fa", ["2026", "متن"])]


def test_snippet_keeps_the_match_apart() -> None:
    text = "الف " * 100 + "بازار مسکن " + "ب " * 100
    cut = snippet(text, "بازار")
    assert cut.match == "بازار" and cut.before.startswith("…") and cut.after.endswith("…")
    assert snippet("Short text", "absent").before == "Short text"
    assert snippet("Oil Prices", "oil").match == "Oil"


def test_times_are_utc_unless_a_zone_is_given() -> None:
    assert fmt_time(datetime(2026, 11, 29, 12, 0)) == "2026-11-29 12:00 UTC"
    assert fmt_time("2026-11-29T12:00:05+00:00", seconds=True) == "2026-11-29 12:00:05 UTC"
    tehran = timezone(timedelta(hours=3, minutes=30))
    assert fmt_time(datetime(2026, 11, 29, 6, 0, tzinfo=tehran)) == "2026-11-29 06:00 +03:30"
    assert fmt_time(datetime(2026, 11, 29, tzinfo=UTC)) == "2026-11-29 00:00 UTC"
    assert fmt_time(None) == ""


def test_diff_rows() -> None:
    diff = "--- a v1\n+++ b v2\n@@ -1,2 +1,2 @@\n same\n-old\n+new\n"
    assert diff_rows(diff) == [("head", "---", "a v1"), ("head", "+++", "b v2"),
                               ("hunk", "@@", "-1,2 +1,2"), ("same", "", "same"),
                               ("del", "−", "old"), ("add", "+", "new")]


def test_markdown_figures_show_their_caption_and_load_no_outlet_image() -> None:
    html = str(markdown_html("Text.\n\n![Rain over <b>Tehran</b>](<https://x.example/a b.jpg>)"
                             "\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n> quoted"))
    assert '<span class="caption" role="figure">Rain over &lt;b&gt;Tehran&lt;/b&gt; ' in html
    assert 'href="https://x.example/a%20b.jpg"' in html and "<img" not in html
    assert "<td>1</td>" in html and "<blockquote>" in html
