"""Keep zero-width joiners and directional marks through trafilatura.

trafilatura cleans every text line with ``utils.remove_control_characters``, which keeps only
characters for which ``str.isprintable()`` is true. U+200C ZERO WIDTH NON-JOINER is a format
character (category Cf), so it is dropped: Persian ``می‌خواهم`` comes out as ``میخواهم``,
a different spelling. The same happens to U+200D (joiner) and the LRM/RLM marks U+200E/U+200F.

Rather than patching trafilatura globally, we swap these characters for printable stand-ins
before parsing and swap them back in every string we return. The stand-ins are letters of the
Linear B syllabary (category Lo, printable, never found in our outlets); a page that does
contain them is left unprotected rather than corrupted.
"""

from __future__ import annotations

import re

_PROTECTED = "\u200c\u200d\u200e\u200f"
_STAND_INS = "\U00010000\U00010001\U00010002\U00010003"

# Pairs for str.replace: on a 100 KB non-ASCII page a chain of replace calls is ~50x faster
# than str.translate with a mapping, which does a dict lookup per character.
_PROTECT = tuple(zip(_PROTECTED, _STAND_INS, strict=True))
_RESTORE = tuple(zip(_STAND_INS, _PROTECTED, strict=True))
# The same characters written as character references: lxml would decode them after we looked.
_REFERENCES = re.compile(r"&(?:(zwnj|zwj|lrm|rlm)|#(820[4-7])|#x(200[c-f]));", re.IGNORECASE)
_NAMED = {"zwnj": 0, "zwj": 1, "lrm": 2, "rlm": 3}
# The same matches, case spelled out: searching with re.IGNORECASE took twice as long on a
# page with a few hundred "&" (~0.06 ms of 100 KB). No other character folds to these
# letters under IGNORECASE (checked over all of Unicode), so the two find the same.
_ANY_REFERENCE = re.compile(
    r"&(?:[zZ][wW][nN]?[jJ]|[lL][rR][mM]|[rR][lL][mM]|#820[4-7]|#[xX]200[c-fC-F]);"
)


def _stand_in(match: re.Match[str]) -> str:
    name, decimal, hexadecimal = match.groups()
    if name:
        return _STAND_INS[_NAMED[name.lower()]]
    code = int(decimal) if decimal else int(hexadecimal, 16)
    return _STAND_INS[code - 0x200C]


def protect(text: str) -> tuple[str, bool]:
    """Replace joiners/marks with stand-ins; return the text and whether it was changed."""
    raw = any(char in text for char in _PROTECTED)
    references = "&" in text and _ANY_REFERENCE.search(text) is not None
    if not (raw or references) or any(char in text for char in _STAND_INS):
        return text, False
    if raw:
        for mark, stand_in in _PROTECT:
            text = text.replace(mark, stand_in)
    if references:
        text = _REFERENCES.sub(_stand_in, text)
    return text, True


def restore(text: str) -> str:
    """Undo :func:`protect` on one output string."""
    for stand_in, mark in _RESTORE:
        text = text.replace(stand_in, mark)
    return text
