"""trafilatura's Markdown of an extraction (``xml.xmltotxt(body, True)``), for less CPU.

``xmltotxt`` with formatting first rewrites every text and tail of a copy of the body with
``_escape_and_convert_math``, which splits each on a regex for LaTeX math spans. That regex
has no literal prefix and starts with a lookbehind, so ``re`` tries it at every character:
on a news article it was a third of the Markdown's cost (~0.3 ms of a worker's ~9). Both
kinds of math span start with a backslash, so a text without one has none, and the split
would give it back whole: such a text goes straight to the prose escaping
(``_escape_inline_specials``), the rest to ``_escape_and_convert_math`` as before.
Everything else is trafilatura's own code, in its order.

Used only with the trafilatura release :mod:`._fast` was checked against and while the
functions it calls are there; otherwise :func:`markdown` is ``xmltotxt(body, True)``.
"""

from __future__ import annotations

from copy import deepcopy
from html import unescape
from typing import Any

import trafilatura
from trafilatura import xml as trafilatura_xml
from trafilatura.utils import sanitize
from trafilatura.xml import xmltotxt

from ._fast import VERIFIED_VERSION

_NEEDED = ("_escape_and_convert_math", "_escape_inline_specials", "_collapse_emphasis",
           "_merge_adjacent_hi", "_strip_block_whitespace", "process_element", "HI_FORMATTING")
ENABLED = trafilatura.__version__ == VERIFIED_VERSION and all(
    hasattr(trafilatura_xml, name) for name in _NEEDED)


def _escaped(text: str) -> str:
    if "\\" not in text:  # no math span: _MATH_SPAN_RE.split(text) would be [text]
        return trafilatura_xml._escape_inline_specials(text)  # type: ignore[no-any-return]
    return trafilatura_xml._escape_and_convert_math(text)  # type: ignore[no-any-return]


def _escape_tree(element: Any) -> None:
    """``xml._escape_and_convert_math_tree``, the texts without a backslash taken the short
    way."""
    if element.tag == "code" or (
        element.tag == "hi"
        and trafilatura_xml.HI_FORMATTING.get(element.get("rend") or "") == "`"
    ):
        return
    if element.text:
        element.text = _escaped(element.text)
    for child in element:
        _escape_tree(child)
        if child.tail:
            child.tail = _escaped(child.tail)


def markdown(body: Any) -> str:
    """``trafilatura.xml.xmltotxt(body, True)``; ``body`` is left as it was."""
    if not ENABLED or body is None:
        return xmltotxt(body, True)
    returnlist: list[str] = []
    copied = deepcopy(body)
    _escape_tree(copied)
    trafilatura_xml._collapse_emphasis(copied)
    trafilatura_xml._merge_adjacent_hi(copied)
    trafilatura_xml._strip_block_whitespace(copied)
    trafilatura_xml.process_element(copied, returnlist, True)
    return unescape(sanitize("".join(returnlist), True) or "")
