"""Fuzzing the language tagger: no exception escapes, and its parts cover the input.

"Cover" is the tagger's contract with the pages that show an article by part: parts are in
order, inside the text, never empty and never overlapping; every character that is not
whitespace lies in a part, and only whitespace (the line breaks between blocks) lies between.
"""

from __future__ import annotations

import io

from hypothesis import example, given
from hypothesis import strategies as st

from crawler.language import LanguageResult, tag_languages
from crawler.language.cli import detect_lang_stream
from crawler.language.segments import split_scripts
from tests.fuzz.strategies import FUZZ, MIXED_TEXT

HINTS = st.lists(st.sampled_from(["en", "ar", "fa", "ur", "fa-IR", "", "zz", "EN_us"]), max_size=3)
PREV_NEXT = "Previous: غیر قانونی بودن اعدام‌ها در ایران … Next: ایل بی ٹی کی مخالفت کیوں؟"


def assert_covers(text: str, result: LanguageResult) -> None:
    pos = 0
    for part in result.parts:
        assert pos <= part.start < part.end <= len(text), (part, pos, len(text))
        assert not text[pos : part.start].strip(), f"uncovered text before {part}"
        assert 0.0 <= part.confidence <= 1.0
        pos = part.end
    assert not text[pos:].strip(), "uncovered text after the last part"
    assert all(0.0 <= share <= 1.0 + 1e-9 for share in result.shares.values())
    if result.shares:
        assert abs(sum(result.shares.values()) - 1.0) < 1e-6


@FUZZ
@given(MIXED_TEXT, HINTS, st.one_of(st.none(), st.sampled_from(["fa", "ar-SA", "en", "", "x"])))
@example(PREV_NEXT, [], None)
@example("Prev: ایل بی ٹی کی مخالفت کیوں؟ Next: ایل بی ٹی کی مخالفت کیوں؟", ["fa"], "fa")
def test_tagger_parts_cover_the_whole_input(
    text: str, hints: list[str], html_lang: str | None
) -> None:
    result = tag_languages(text, hints, html_lang)
    assert_covers(text, result)
    assert result.to_dict()["lang"] == result.lang


@FUZZ
@given(MIXED_TEXT)
@example(PREV_NEXT)
def test_split_scripts_spans_are_in_order_and_cover_the_line(text: str) -> None:
    line = text.replace("\n", " ").strip()
    spans = split_scripts(line)
    pos = 0
    for start, end in spans:
        assert pos <= start < end <= len(line)
        assert not line[pos:start].strip()
        pos = end
    assert not line[pos:].strip()


@FUZZ
@given(st.lists(MIXED_TEXT, min_size=1, max_size=5))
def test_detect_lang_text_format_answers_every_line(texts: list[str]) -> None:
    lines = [t.replace("\r", " ").replace("\n", " ") for t in texts]
    # str.splitlines (which the answer is read with) also cuts at \x0b, \x1c, \u2028 ...
    lines = [" ".join(line.splitlines()) for line in lines]
    out = io.StringIO()
    assert detect_lang_stream(io.StringIO("\n".join(lines) + "\n"), out, "text") == 0
    assert len(out.getvalue().split("\n")) == len(lines) + 1
