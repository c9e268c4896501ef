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

_PROTECTED = "\u200c\u200d\u200e\u200f"
_STAND_INS = "\U00010000\U00010001\U00010002\U00010003"

_PROTECT = str.maketrans(_PROTECTED, _STAND_INS)
_RESTORE = str.maketrans(_STAND_INS, _PROTECTED)


def protect(text: str) -> tuple[str, bool]:
    """Replace joiners/marks with stand-ins; return the text and whether it was changed."""
    if not any(char in text for char in _PROTECTED):
        return text, False
    if any(char in text for char in _STAND_INS):
        return text, False
    return text.translate(_PROTECT), True


def restore(text: str) -> str:
    """Undo :func:`protect` on one output string."""
    return text.translate(_RESTORE)
