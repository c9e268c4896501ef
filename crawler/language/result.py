"""The tagger's answer: a page's primary language, its shares and its parts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

UNDETERMINED = "und"
# A language is a page's secondary only if it holds at least this share of the page.
SECONDARY_MIN_SHARE = 0.02


@dataclass
class LanguagePart:
    """One paragraph or block (or a run of adjacent ones in the same language).

    ``start``/``end`` are character offsets into the text that was tagged.
    """

    start: int
    end: int
    lang: str
    confidence: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "lang": self.lang,
            "confidence": round(self.confidence, 4),
        }


@dataclass
class LanguageResult:
    """What :func:`crawler.language.tag_languages` found in a text.

    ``shares`` maps each determined language to its share of the text (see
    ``tagger.py`` for how a share is weighed); undetermined parts are not in it.
    """

    lang: str
    confidence: float
    shares: dict[str, float] = field(default_factory=dict)
    parts: list[LanguagePart] = field(default_factory=list)

    @property
    def secondary(self) -> str | None:
        """The second language with a share of at least 2%, if any."""
        ranked = sorted(self.shares.items(), key=lambda item: (-item[1], item[0]))
        for lang, share in ranked:
            if lang != self.lang and share >= SECONDARY_MIN_SHARE:
                return lang
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "lang": self.lang,
            "confidence": round(self.confidence, 4),
            "secondary": self.secondary,
            "shares": {lang: round(share, 4) for lang, share in self.shares.items()},
            "parts": [part.to_dict() for part in self.parts],
        }
