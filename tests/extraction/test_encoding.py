from __future__ import annotations

import codecs

import pytest

from crawler.extraction import decode_html, is_html

ARABIC = "أعلنت وزارة الموارد المائية العراقية عن خطة طارئة لمواجهة موجة الجفاف"


@pytest.mark.parametrize(
    ("content_type", "head", "expected"),
    [
        ("text/html", b"", True),
        ("text/html; charset=windows-1256", b"", True),
        ("Application/XHTML+XML", b"", True),
        ("application/pdf", b"<!doctype html>", False),
        ("text/plain", b"<html>", False),
        ("application/json", b"{}", False),
        (None, b"<!DOCTYPE html>\n<html>", True),
        (None, b"  \n<HTML lang='ar'>", True),
        ("", b"<html>", True),
        (None, codecs.BOM_UTF8 + b"<!doctype html>", True),
        (None, b'<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml">', True),
        (None, b"<!-- cached -->\n<!DOCTYPE html>", True),
        (None, b"%PDF-1.4\n", False),
        (None, b"", False),
    ],
)
def test_is_html(content_type: str | None, head: bytes, expected: bool) -> None:
    assert is_html(content_type, head) is expected


def test_cp1256_declared_only_in_meta_http_equiv(fixture_bytes) -> None:
    body = fixture_bytes("ar_cp1256.html")
    expected = fixture_bytes("ar_cp1256.utf8.html").decode("utf-8")
    text, encoding = decode_html(body, "text/html")
    assert encoding == "cp1256"
    assert text == expected


def test_bom_wins_and_is_stripped(fixture_bytes) -> None:
    body = fixture_bytes("ar_utf8_bom.html")
    # A wrong header must not override the byte order mark.
    text, encoding = decode_html(body, "text/html; charset=iso-8859-1")
    assert encoding == "utf-8"
    assert text.startswith("<!doctype html>")
    assert "انطلاق معرض القاهرة الدولي للكتاب" in text


def test_header_charset_beats_meta() -> None:
    body = f'<html><head><meta charset="utf-8"></head><body>{ARABIC}</body></html>'.encode("cp1256")
    text, encoding = decode_html(body, "text/html; charset=windows-1256")
    assert encoding == "cp1256"
    assert ARABIC in text


@pytest.mark.parametrize("label", ["iso-8859-6", "ISO-8859-6", "arabic"])
def test_iso_8859_6_alias(label: str) -> None:
    body = f'<html><head><meta charset="{label}"></head><body>{ARABIC}</body></html>'
    text, encoding = decode_html(body.encode("iso8859-6"), None)
    assert encoding == "iso8859-6"
    assert ARABIC in text


def test_latin1_label_means_windows_1252() -> None:
    body = '<meta charset="iso-8859-1"><p>caf\u00e9 \u201cquoted\u201d</p>'.encode("cp1252")
    text, encoding = decode_html(body, None)
    assert encoding == "cp1252"
    assert "caf\u00e9 \u201cquoted\u201d" in text


def test_latin1_label_on_utf8_page_decodes_as_utf8() -> None:
    body = f'<meta charset="latin-1"><p>{ARABIC}</p>'.encode()
    text, encoding = decode_html(body, "text/html; charset=ISO-8859-1")
    assert encoding == "utf-8"
    assert ARABIC in text


def test_undeclared_utf8() -> None:
    body = f"<html><body><p>{ARABIC} می\u200cخواهم</p></body></html>".encode()
    assert decode_html(body, None) == (body.decode("utf-8"), "utf-8")


def test_undeclared_cp1256_is_detected() -> None:
    paragraph = " ".join([ARABIC] * 8)
    body = f"<html><body><p>{paragraph}</p></body></html>".encode("cp1256")
    text, encoding = decode_html(body, "text/html")
    assert paragraph in text, encoding


def test_undecodable_bytes_never_raise() -> None:
    text, encoding = decode_html(
        b"<html>\xff\xfe\x00garbage\x81</html>", "text/html; charset=utf-8"
    )
    assert encoding == "utf-8"
    assert "\ufffd" in text


def test_unknown_label_falls_through() -> None:
    text, encoding = decode_html(
        b'<meta charset="no-such-charset"><p>plain</p>', "text/html; charset=bogus"
    )
    assert encoding == "utf-8"
    assert "plain" in text
