"""Parse a decoded page into the tree ``trafilatura.utils.load_html`` would give, for less CPU.

``load_html(text)`` strips characters XML forbids with a regex over the whole string, then has
lxml parse the string; lxml hands a non-ASCII string to libxml2 as UTF-16 or UCS-4, which
libxml2 converts back to UTF-8 first. Here the text is encoded to UTF-8 once (or the body is
reused when it is that encoding already), the forbidden characters are looked for in the bytes
at C speed, and the bytes are parsed with the same parser object. A page with a forbidden
character, an unencodable string or any parse that is not plainly fine goes to ``load_html``
itself, so the tree is always the one trafilatura builds.
"""

from __future__ import annotations

from itertools import product

import trafilatura
from lxml import etree
from lxml.html import (
    HtmlComment,
    HtmlElement,
    HtmlElementClassLookup,
    HtmlEntity,
    HTMLParser,
    HtmlProcessingInstruction,
    _looks_like_full_html_bytes,
    _looks_like_full_html_unicode,
    fromstring,
)
from trafilatura.utils import DOCTYPE_TAG, FAULTY_HTML, HTML_PARSER, is_dubious_html, load_html

from ._fast import VERIFIED_VERSION

# trafilatura.utils.INVALID_XML_CHARS, as UTF-8: the control characters are single bytes
# there (no multi-byte sequence holds a byte below 0x80), U+FFFE/U+FFFF are EF BF BE/EF BF BF.
# One memchr per control byte is faster than a regex or bytes.translate over the page.
_CONTROL_BYTES = tuple(bytes((c,)) for c in range(0x20) if c not in (0x09, 0x0A, 0x0D))
_NONCHARACTERS = (b"\xef\xbf\xbe", b"\xef\xbf\xbf")


def _html_classes() -> etree.ElementNamespaceClassLookup:
    """The classes ``lxml.html.HtmlElementClassLookup`` gives, looked up by libxml2's side.

    lxml.html's lookup is a Python method, called for every element a Python object is made
    for (~600 a news page through extraction: ~0.2 ms). This one is lxml's C lookup by tag
    name with the same answers: the form classes (``FormElement``, ``InputElement``...) for
    their tag names in any case (the Python lookup lowercases the name: only ASCII case
    variants lower to them), ``HtmlElement`` for every other element, and the HTML comment,
    processing instruction and entity classes."""
    lookup = etree.ElementNamespaceClassLookup(etree.ElementDefaultClassLookup(
        element=HtmlElement, comment=HtmlComment, pi=HtmlProcessingInstruction,
        entity=HtmlEntity))
    names = lookup.get_namespace(None)
    for name, cls in HtmlElementClassLookup._default_element_classes.items():
        for spelling in product(*((char.lower(), char.upper()) for char in name)):
            names["".join(spelling)] = cls
    return lookup


def _parser() -> HTMLParser:
    """trafilatura's ``HTML_PARSER`` (same options) with :func:`_html_classes`; trafilatura's
    own parser with any other release than the one these options were read from."""
    if trafilatura.__version__ != VERIFIED_VERSION:
        return HTML_PARSER
    parser = HTMLParser(collect_ids=False, default_doctype=False, encoding="utf-8",
                        remove_comments=True, remove_pis=True)
    parser.set_element_class_lookup(_html_classes())
    return parser


_PARSER = _parser()


def has_invalid_xml_chars(data: bytes) -> bool:
    """Whether UTF-8 ``data`` holds a character ``INVALID_XML_CHARS`` would remove."""
    if any(byte in data for byte in _CONTROL_BYTES):
        return True
    return b"\xef" in data and any(seq in data for seq in _NONCHARACTERS)


def _repair_structure(htmlstring: str, beginning: str) -> str:
    """``trafilatura.utils.repair_faulty_html`` after its character clean-up (a no-op here).

    Returns ``htmlstring`` itself when nothing changes, without rebuilding a copy of it."""
    if "doctype" in beginning:
        # repair_faulty_html: DOCTYPE_TAG.sub on the first line, joined back with a "\n".
        newline = htmlstring.find("\n")
        firstline = htmlstring if newline < 0 else htmlstring[:newline]
        repaired = DOCTYPE_TAG.sub("", firstline, count=1)
        if newline < 0:
            htmlstring = repaired + "\n"
        elif repaired != firstline:
            htmlstring = repaired + htmlstring[newline:]
    for line in htmlstring[:4096].splitlines()[:4]:
        if "<html" in line and line.endswith("/>"):
            htmlstring = FAULTY_HTML.sub(r"\1>", htmlstring, count=1)
            break
    return htmlstring


def parse_html(html: str, utf8: bytes | None = None) -> HtmlElement | None:
    """``trafilatura.utils.load_html(html)``. ``utf8``: ``html`` encoded as UTF-8, if at hand."""
    if utf8 is None:
        try:
            utf8 = html.encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates: only load_html knows what to do
            return load_html(html)
    if has_invalid_xml_chars(utf8):
        return load_html(html)
    beginning = html[:50].lower()
    repaired = _repair_structure(html, beginning)
    if repaired is not html:
        utf8 = repaired.encode("utf-8")
    # lxml decides "whole document or fragment" with a regex whose \s differs between str and
    # bytes (a leading U+00A0, say): where the two disagree, parse the way load_html does.
    if (_looks_like_full_html_unicode(repaired) is None) != (
        _looks_like_full_html_bytes(utf8) is None
    ):
        return load_html(html)
    try:
        tree = fromstring(utf8, parser=_PARSER)
    except Exception:  # noqa: BLE001 -- load_html has its own fallbacks and logging
        return load_html(html)
    if tree is None or len(tree) < 1 or (is_dubious_html(beginning) and len(tree) < 2):
        return load_html(html)
    return tree
