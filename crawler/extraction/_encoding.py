"""Recognise HTML responses and decode their bytes to text.

Decoding follows the order a browser uses (BOM, HTTP header, ``<meta>`` declaration, sniffing)
and leans on :mod:`w3lib.encoding`, which already maps labels the WHATWG way
("latin-1"/"iso-8859-1"/"ascii" -> windows-1252, "windows-1256" -> cp1256, ...).
"""

from __future__ import annotations

import logging

from charset_normalizer import from_bytes
from w3lib.encoding import (
    html_body_declared_encoding,
    http_content_type_encoding,
    read_bom,
    resolve_encoding,
    to_unicode,
)

logger = logging.getLogger(__name__)

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})

# Single-byte western labels that servers and CMS templates put on pages by default: when
# the bytes are in fact valid UTF-8 with non-ASCII text (an Arabic or Persian page behind a
# "charset=iso-8859-1" header), decoding as windows-1252 would only produce mojibake.
_DEFAULT_WESTERN = frozenset({"cp1252", "iso8859-15"})

# Charset sniffing is the slow path; a prefix is enough to tell encodings apart.
_DETECT_BYTES = 64 * 1024


def is_html(content_type: str | None, body_head: bytes) -> bool:
    """Whether a response is HTML: by its media type, or by sniffing when the type is missing."""
    if content_type:
        mime = content_type.split(";", 1)[0].strip().lower()
        if mime:
            return mime in HTML_TYPES
    head = body_head[:1024]
    bom_encoding, bom = read_bom(head)
    if bom_encoding is not None and bom is not None:
        head = head[len(bom) :].decode(bom_encoding, "ignore").encode("ascii", "ignore")
    head = head.lstrip().lower()
    if head.startswith(b"<?xml"):
        head = head.partition(b"?>")[2].lstrip()
    while head.startswith(b"<!--"):
        head = head.partition(b"-->")[2].lstrip()
    return head.startswith((b"<!doctype html", b"<html"))


def decode_html(
    body: bytes, content_type: str | None, url: str | None = None
) -> tuple[str, str]:
    """Decode an HTML body; return ``(text, encoding used)``.

    Order: BOM, HTTP header charset, ``<meta>`` charset in the first 4 KB, detection
    (strict UTF-8 first, then charset-normalizer), and UTF-8 with replacement characters.
    A page declared UTF-8 whose bytes are not (an Arabic page saved as windows-1256 under a
    UTF-8 template) is repaired: decoded as detected, with a warning naming ``url``.
    """
    bom_encoding, bom = read_bom(body)
    if bom_encoding is not None and bom is not None:
        return to_unicode(body[len(bom) :], bom_encoding), bom_encoding

    encoding = http_content_type_encoding(content_type)
    if encoding is None:
        encoding = html_body_declared_encoding(body)
        # A page whose <meta> can be read as ASCII is not UTF-16/32 (WHATWG: use UTF-8).
        if encoding is not None and encoding.startswith(("utf-16", "utf-32")):
            encoding = "utf-8"
    if encoding in _DEFAULT_WESTERN and not body.isascii() and _is_utf8(body):
        logger.debug("declared %s but the body is UTF-8; decoding as UTF-8", encoding)
        encoding = "utf-8"
    if encoding == "utf-8" and not body.isascii():
        try:
            # What to_unicode gives when the bytes are valid: decoded once, not checked first.
            return body.decode("utf-8"), encoding
        except UnicodeDecodeError:
            encoding = _repaired_utf8(body, url) or encoding
    if encoding is None:
        encoding = _detect(body)
    elif encoding in {"utf-16", "utf-32"}:
        encoding += "-be"
    return to_unicode(body, encoding), encoding


def _repaired_utf8(body: bytes, url: str | None) -> str | None:
    """The encoding of a body declared UTF-8 that is not, or None to keep UTF-8.

    A few stray bytes in a UTF-8 page (a pasted Windows quote) are replaced, not a reason to
    decode the whole page otherwise: the repair needs one byte in a thousand (at least four)
    to be invalid, and the detector to name another encoding."""
    head = body[:_DETECT_BYTES]
    invalid = head.decode("utf-8", "replace").count("\ufffd") - head.count(b"\xef\xbf\xbd")
    if invalid < max(4, len(head) // 1000):
        logger.info(
            "%d byte(s) not UTF-8 in a page declared UTF-8, replaced: %s", invalid, url or "-",
            extra={"event": "charset_replaced", "url": url, "count": invalid},
        )
        return None
    detected = _detect(body)
    if detected == "utf-8":
        return None
    logger.warning(
        "charset repaired: %s is declared UTF-8 but is not (%d invalid bytes); decoded as %s",
        url or "a page", invalid, detected,
        extra={"event": "charset_repaired", "url": url, "declared": "utf-8",
               "used": detected, "invalid_bytes": invalid},
    )
    return detected


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _detect(body: bytes) -> str:
    if _is_utf8(body):
        return "utf-8"
    best = from_bytes(body[:_DETECT_BYTES]).best()
    if best is not None:
        resolved = resolve_encoding(best.encoding)
        if resolved is not None:
            return resolved
    return "utf-8"
