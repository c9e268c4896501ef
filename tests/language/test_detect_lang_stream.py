"""detect_lang_stream: the stream behind `akhbar detect-lang`."""

from __future__ import annotations

import io
import json

import pytest

from crawler.language.cli import detect_lang_stream


def run(text: str, fmt: str = "jsonl") -> tuple[int, list[str]]:
    out = io.StringIO()
    status = detect_lang_stream(io.StringIO(text), out, fmt)
    return status, out.getvalue().splitlines()


def test_jsonl_answers_each_record() -> None:
    records = [
        {"id": "a1", "text": "The foreign minister arrived in Baghdad on Sunday for talks."},
        {"id": 7, "text": "وزیر امور خارجه روز یکشنبه برای گفت‌وگو وارد بغداد شد."},
        {"id": None, "text": "IranGate"},
    ]
    status, lines = run("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
    assert status == 0
    answers = [json.loads(line) for line in lines]
    assert [a["id"] for a in answers] == ["a1", 7, None]
    assert [a["lang"] for a in answers] == ["en", "fa", "und"]
    assert {"id", "lang", "confidence", "parts"} <= set(answers[0])
    assert answers[1]["parts"][0]["lang"] == "fa"
    assert answers[1]["parts"][0]["start"] == 0


def test_jsonl_uses_hints_and_html_lang() -> None:
    record = {"id": 1, "text": "حسن عباس", "hints": ["ar"], "html_lang": "ar"}
    _, lines = run(json.dumps(record, ensure_ascii=False) + "\n")
    assert json.loads(lines[0])["lang"] == "ar"


def test_bad_lines_get_an_error_naming_the_line_and_the_rest_go_on() -> None:
    stream = (
        '{"id": 1, "text": "Prices of bread and rice rose again this week."}\n'
        "{not json\n"
        "\n"
        '{"id": 3, "text": 42}\n'
        '["a", "list"]\n'
        '{"id": 5, "text": "أسعار الخبز والأرز ارتفعت مجددا هذا الأسبوع"}\n'
    )
    status, lines = run(stream)
    assert status == 1
    answers = [json.loads(line) for line in lines]
    assert len(answers) == 5  # the blank line gets no answer
    assert answers[0]["lang"] == "en"
    assert answers[1]["id"] is None and answers[1]["line"] == 2
    assert "line 2" in answers[1]["error"]
    assert answers[2]["id"] == 3 and answers[2]["line"] == 4 and "text" in answers[2]["error"]
    assert answers[3]["line"] == 5
    assert answers[4]["id"] == 5 and answers[4]["lang"] == "ar"


def test_text_mode_one_tag_per_line() -> None:
    stream = (
        "Rain is expected across the north tomorrow\n"
        "باران فردا در شمال کشور پیش‌بینی می‌شود\n"
        "\n"
        "12345\n"
    )
    status, lines = run(stream, "text")
    assert status == 0
    assert lines == ["en", "fa", "und", "und"]


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="jsonl"):
        detect_lang_stream(io.StringIO(""), io.StringIO(), "xml")
