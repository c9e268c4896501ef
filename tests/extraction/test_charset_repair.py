"""A page declared UTF-8 whose bytes are windows-1256 is repaired, and the repair logged."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from crawler.extraction import decode_html, extract_article

FIXTURES = Path(__file__).parent / "fixtures"
CP1256 = (FIXTURES / "ar_cp1256.html").read_bytes()
UTF8 = (FIXTURES / "ar_cp1256.utf8.html").read_bytes()


@pytest.mark.parametrize("declared", ["header", "meta"])
def test_windows_1256_declared_utf8_is_decoded_as_windows_1256(
    declared: str, caplog: pytest.LogCaptureFixture
) -> None:
    body = CP1256 if declared == "header" else CP1256.replace(b"windows-1256", b"utf-8")
    content_type = "text/html; charset=utf-8" if declared == "header" else "text/html"
    with caplog.at_level(logging.INFO, logger="crawler.extraction"):
        text, encoding = decode_html(body, content_type, "http://news.test/a/")
    assert encoding == "cp1256"
    assert "\ufffd" not in text
    assert "\u0627" in text  # alef: Arabic letters, not mojibake
    repairs = [r for r in caplog.records if getattr(r, "event", None) == "charset_repaired"]
    assert len(repairs) == 1 and repairs[0].levelno == logging.WARNING
    assert "http://news.test/a/" in repairs[0].getMessage()
    assert "declared UTF-8" in repairs[0].getMessage()


def test_the_repaired_article_text_is_arabic_not_replacement_characters() -> None:
    article = extract_article(CP1256, "http://news.test/a/", "text/html; charset=utf-8")
    assert article is not None
    assert "\ufffd" not in article.text
    assert sum("\u0600" <= ch <= "\u06ff" for ch in article.text) > 100


def test_a_stray_byte_in_a_utf8_page_is_replaced_not_repaired(
    caplog: pytest.LogCaptureFixture,
) -> None:
    body = UTF8[:500] + b"\x93" + UTF8[500:]
    with caplog.at_level(logging.INFO, logger="crawler.extraction"):
        text, encoding = decode_html(body, "text/html; charset=utf-8", "http://news.test/b/")
    assert encoding == "utf-8"
    assert text.count("\ufffd") == 1
    events = [getattr(r, "event", None) for r in caplog.records]
    assert "charset_replaced" in events and "charset_repaired" not in events
