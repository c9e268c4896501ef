"""The tagger's answer: a page's primary language, its shares and its parts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

UNDETERMINED = "und"
# A language is a page's secondary only if it holds at least this share of the page.
SECONDARY_MIN_SHARE = 0.02


ARABIC_SCRIPT_LANGUAGES = frozenset({"ar", "fa", "ur", "ps", "ckb", "sd", "ug"})


def script_of(lang: str) -> str:
    """The scripts this archive tells apart for a secondary language: Arabic's and others."""
    return "arabic" if lang in ARABIC_SCRIPT_LANGUAGES else "other"


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
    #: The language of the longest line written in another script than the primary language,
    #: when it is a sentence rather than a menu item (set by the tagger).
    other_script: str | None = None

    @property
    def secondary(self) -> str | None:
        """The second language with a share of at least 2%, else the largest one written in
        another script than the primary: a one-line Arabic footer on an English page is a
        second language however short (its script is sure evidence, where a short Latin
        line inside English prose may be a name). See ``other_script``."""
        ranked = sorted(self.shares.items(), key=lambda item: (-item[1], item[0]))
        for lang, share in ranked:
            if lang != self.lang and share >= SECONDARY_MIN_SHARE:
                return lang
        return self.other_script if self.other_script != self.lang else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "lang": self.lang,
            "confidence": round(self.confidence, 4),
            "secondary": self.secondary,
            "shares": {lang: round(share, 4) for lang, share in self.shares.items()},
            "parts": [part.to_dict() for part in self.parts],
        }
