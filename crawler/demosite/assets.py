"""Small files the demo outlets serve: PNG images, a PDF report, and the stylesheets and font
a page renders with (its requisites: crawler.crawl.requisites)."""

from __future__ import annotations

import hashlib
import struct
import zlib


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(size: int = 16, rgb: tuple[int, int, int] = (17, 34, 51)) -> bytes:
    """A solid-colour RGB PNG."""
    row = b"\x00" + bytes(rgb) * size
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(row * size, 9))
        + _chunk(b"IEND", b"")
    )


def pdf(title: str = "Annual report 2026") -> bytes:
    """A one-page PDF with a line of text and a correct cross-reference table."""
    stream = f"BT /F1 18 Tf 72 720 Td ({title}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def image(name: str) -> bytes:
    """The PNG served as ``images/<name>``: a colour of its own per name, so each image has
    its own digest (the logo keeps the demo's original colour)."""
    if name == "logo.png":
        return png()
    r, g, b = hashlib.sha256(name.encode()).digest()[:3]
    return png(24, (r, g, b))


#: The demo's stylesheets: site.css imports theme.css and loads a font and a background
#: image through url(), as real news sites do.
STYLESHEETS = {
    "site.css": (
        '@import url("theme.css");\n'
        '@font-face { font-family: "DemoSans"; src: url("fonts/demo-sans.woff2") '
        'format("woff2"); font-display: swap; }\n'
        "body { font-family: DemoSans, sans-serif; background-color: #faf8f0; }\n"
        ".site-header { background-image: url('../images/masthead.png'); }\n"
        ".lead-image img { border: 2px solid #c60; }\n"
    ),
    "theme.css": (
        "/* colours of the outlet */\n"
        ".headline { color: #8b1a1a; border-bottom: 3px solid #c60; }\n"
    ),
}


def font() -> bytes:
    """Bytes served as the demo's web font (a stand-in: what matters is its fetch and
    archive, not its glyphs)."""
    return b"wOF2" + hashlib.sha256(b"DemoSans").digest() * 8
