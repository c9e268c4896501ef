"""split_scripts: a line cut where it changes script, with a short lead folded in."""

from __future__ import annotations

import io

import pytest

from crawler.language import tag_languages
from crawler.language.cli import detect_lang_stream
from crawler.language.segments import split_scripts

# Issue 15: a short Latin lead before Arabic-script text killed `akhbar detect-lang`
# (the issue quotes the line elided with "…"; the second one is it whole enough to fail).
LINES = [
    "Previous: غیر قانونی … Next: ایل بی ٹی کی مخالفت کیوں؟",
    "Previous: غیر قانونی بودن اعدام‌ها در ایران … Next: ایل بی ٹی کی مخالفت کیوں؟",
    "Prev: ایل بی ٹی کی مخالفت کیوں؟ Next: ایل بی ٹی کی مخالفت کیوں؟",
]


@pytest.mark.parametrize("line", LINES)
def test_a_short_lead_is_folded_into_the_next_run(line: str) -> None:
    spans = split_scripts(line)
    assert spans[0][0] == 0
    assert spans[-1][1] == len(line)
    ends = [end for _, end in spans[:-1]]
    starts = [start for start, _ in spans[1:]]
    assert all(end <= start for end, start in zip(ends, starts, strict=True))
    assert "Previous"[:4] in line[spans[0][0] : spans[0][1]]


@pytest.mark.parametrize("line", LINES)
def test_the_line_is_tagged_whole(line: str) -> None:
    result = tag_languages(line)
    assert result.parts[0].start == 0
    assert result.parts[-1].end == len(line)


def test_detect_lang_answers_every_line() -> None:
    out = io.StringIO()
    text = "\n".join(LINES) + "\nplain English words here\n"
    assert detect_lang_stream(io.StringIO(text), out, "text") == 0
    assert len(out.getvalue().splitlines()) == len(LINES) + 1
