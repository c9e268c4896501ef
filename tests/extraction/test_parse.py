"""parse_html builds the tree trafilatura's load_html builds, on every kind of input."""

from __future__ import annotations

import pytest
from lxml import etree
from trafilatura.utils import INVALID_XML_CHARS, load_html, repair_faulty_html

from crawler.extraction import _article, extract_article
from crawler.extraction._parse import _repair_structure, has_invalid_xml_chars, parse_html

from .conftest import FIXTURES

PAGE = (
    "<!DOCTYPE html>\n<html lang='fa'><head><title>t</title></head><body><article>"
    + "<p>وزارت نیرو اعلام کرد که ذخایر آب سدهای تهران به پایین‌ترین سطح رسیده است.</p>" * 30
    + "</article></body></html>"
)


def _dump(tree: etree._Element | None) -> object:
    if tree is None:
        return None
    return (
        etree.tostring(tree.getroottree(), encoding="unicode"),
        tree.getroottree().docinfo.doctype,
        [(e.tag, dict(e.attrib), e.text, e.tail) for e in tree.iter()],
    )


CASES = [
    PAGE,
    PAGE.replace("</p>", "\x01\x0b</p>", 3),  # control characters XML forbids
    PAGE.replace("<p>", "<p>\x00", 2),
    PAGE.replace("</p>", "\ufffe\uffff</p>", 2),
    PAGE.replace("</p>", "\x1f</p>") + "\x0c",
    PAGE.replace("</p>", "\t\r</p>", 2),  # allowed
    PAGE.replace("<!DOCTYPE html>", '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN" '
                 '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">'),
    PAGE.replace("<!DOCTYPE html>\n", "<!DOCTYPE html>"),  # no newline at all
    PAGE.replace("<!DOCTYPE html>\n", '<!DOCTYPE html SYSTEM "a/b">'),
    "<html/>\n<body><p>x</p></body>",
    '<?xml version="1.0" encoding="utf-8"?>' + PAGE,
    "<?xml version='1.0'?>" + PAGE,
    "\xa0" + PAGE,  # str and bytes regexes disagree on "full document"
    "\u3000<html><body><p>x</p></body></html>",
    "<p>a fragment</p><p>of two</p>",
    "<div>only</div>",
    "x",
    "",
    "   ",
    "<html><body><p>a\ud800b</p></body></html>",  # a lone surrogate
    "<html><head><meta charset='windows-1256'></head><body><p>العربية</p></body></html>",
    '<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'
    "</head><body><p>café العربية</p></body></html>",
    "<html><head><meta charset='utf-16'></head><body><p>née</p></body></html>",
    "<html><body><p>&#1;&#x0b;&zwnj;&#xfffe;</p></body></html>",
    "<html>" + "<div>" * 300 + "deep",
]


@pytest.mark.parametrize("html", CASES)
def test_the_tree_is_load_htmls(html: str) -> None:
    expected = _dump(load_html(html))
    assert _dump(parse_html(html)) == expected
    try:
        utf8 = html.encode("utf-8")
    except UnicodeEncodeError:
        return
    assert _dump(parse_html(html, utf8)) == expected


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.html")), ids=lambda p: p.name)
def test_fixture_trees_are_load_htmls(path) -> None:
    html = path.read_bytes().decode("utf-8", "replace")
    assert _dump(parse_html(html)) == _dump(load_html(html))


def test_invalid_characters_are_found_in_the_bytes() -> None:
    chars = [chr(c) for c in range(0x250)] + ["\ufffd", "\ufffe", "\uffff", "\u200c", "\U00010000"]
    for char in chars:
        text = f"ab{char}cd"
        expected = INVALID_XML_CHARS.search(text) is not None
        assert has_invalid_xml_chars(text.encode("utf-8")) is expected, repr(char)


@pytest.mark.parametrize("html", [c for c in CASES if not INVALID_XML_CHARS.search(c)])
def test_structure_repair_is_trafilaturas(html: str) -> None:
    beginning = html[:50].lower()
    assert _repair_structure(html, beginning) == repair_faulty_html(html, beginning)


@pytest.mark.parametrize("html", CASES[:5])
def test_pages_with_invalid_xml_characters_give_the_same_article(html, monkeypatch) -> None:
    body = html.encode("utf-8", "surrogatepass")
    fast = extract_article(body, "https://x.example/a", "text/html; charset=utf-8")
    monkeypatch.setattr(_article, "parse_html", lambda text, utf8=None: load_html(text))
    slow = extract_article(body, "https://x.example/a", "text/html; charset=utf-8")
    assert fast is not None and slow is not None
    assert fast == slow
    assert "\x01" not in fast.text and "\ufffe" not in fast.text


def test_element_classes_are_lxml_htmls() -> None:
    """parse_html's C class lookup gives each element the class lxml.html's lookup gives:
    the form classes by tag name in any case, HtmlElement for the rest."""
    page = ("<html><body><form><input name=a><label>l</label><select><option>o</option>"
            "</select><textarea>t</textarea></form><p>text <b>bold</b></p></body></html>")
    ours = parse_html(page)
    theirs = load_html(page)
    assert ours is not None and theirs is not None
    assert [type(e) for e in ours.iter()] == [type(e) for e in theirs.iter()]
    assert type(ours.find(".//form")).__name__ == "FormElement"
    # A renamed element gets its new name's class when lxml makes its Python object again.
    for tree in (ours, theirs):
        tree.find(".//p").tag = "INPUT"
    assert [type(e).__name__ for e in ours.iter()] == [type(e).__name__ for e in theirs.iter()]
