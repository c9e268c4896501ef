"""``tag_languages``: a text's primary language, its shares and its parts.

A text is cut into blocks at line breaks (and where a line quotes a clause in
another script); each block is tagged alone
(:mod:`.blocks`). Blocks of fewer than four words or twenty letters (menus,
bylines, "Share This Article") are tagged but weigh a tenth of their letters
and no block, so boilerplate does not outvote the body.

A language's share is half its share of the (weighed) letters and half its
share of the substantive blocks. Letters alone would let one long article
drown a whole sentence of another language (the seed article's Persian line is
1.3% of its letters); blocks alone would let a few short lines outvote a long
paragraph. The primary language is the one with the largest share.

Hints (the outlet's declared languages) and the page's ``lang`` attribute are
priors: they add log-odds to a block's close calls and break ties between
shares, but a block's own letters and words outweigh them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .blocks import PRIOR_WEIGHT, BlockTag, tag_block
from .result import UNDETERMINED, LanguagePart, LanguageResult, script_of
from .segments import has_two_scripts, split_scripts

BOILERPLATE_LETTER_WEIGHT = 0.1
# A line in another script than the page's language is its second language when it has this
# many words and letters: "All rights reserved" / "جميع الحقوق محفوظة" are, a two-word menu
# item ("تماس با ما", "Contact us") is not.
OTHER_SCRIPT_MIN_WORDS = 3
OTHER_SCRIPT_MIN_LETTERS = 15

_LINE_RE = re.compile(r"[^\n]+")
_ALIASES = {
    "per": "fa",
    "fas": "fa",
    "pes": "fa",
    "prs": "fa",
    "ara": "ar",
    "arb": "ar",
    "eng": "en",
    "pus": "ps",
    "pbt": "ps",
    "pst": "ps",
    "urd": "ur",
    "zh": "zh-cn",
    "iw": "he",
}


def normalize_lang(code: str | None) -> str | None:
    """``en-US`` -> ``en``, ``fa_IR`` -> ``fa``, ``zh-TW`` -> ``zh-tw``; ``None`` if empty."""
    if not code:
        return None
    code = code.strip().lower().replace("_", "-")
    if not code:
        return None
    if code in ("zh-tw", "zh-hk", "zh-hant"):
        return "zh-tw"
    primary = code.split("-", 1)[0]
    return _ALIASES.get(primary, primary) or None


def _priors(hints: Sequence[str], html_lang: str | None) -> dict[str, float]:
    priors: dict[str, float] = {}
    for code in [*hints, html_lang]:
        lang = normalize_lang(code)
        if lang:
            priors[lang] = priors.get(lang, 0.0) + PRIOR_WEIGHT
    return priors


def _blocks(text: str) -> list[tuple[int, int, str]]:
    """Lines, stripped, with their offsets; a line that quotes a clause in another
    script is cut in two (see :mod:`.segments`)."""
    spans = []
    for match in _LINE_RE.finditer(text):
        line = match.group()
        stripped = line.strip()
        if not stripped:
            continue
        start = match.start() + (len(line) - len(line.lstrip()))
        if has_two_scripts(stripped):
            for seg_start, seg_end in split_scripts(stripped):
                segment = stripped[seg_start:seg_end]
                spans.append((start + seg_start, start + seg_end, segment))
        else:
            spans.append((start, start + len(stripped), stripped))
    return spans


def _letter_weight(tag: BlockTag) -> float:
    return tag.letters * (1.0 if tag.substantive else BOILERPLATE_LETTER_WEIGHT)


def tag_languages(
    text: str, hints: Sequence[str] = (), html_lang: str | None = None
) -> LanguageResult:
    """Tag ``text``'s languages. ``hints``: the outlet's declared languages; ``html_lang``:
    the page's ``lang`` attribute. Both are priors, never the verdict."""
    if isinstance(hints, str):
        hints = (hints,)
    priors = _priors(hints, html_lang)
    tagged = [(start, end, tag_block(block, priors)) for start, end, block in _blocks(text)]

    letter_totals: dict[str, float] = {}
    block_totals: dict[str, float] = {}
    for _, _, tag in tagged:
        if tag.lang == UNDETERMINED:
            continue
        letter_totals[tag.lang] = letter_totals.get(tag.lang, 0.0) + _letter_weight(tag)
        if tag.substantive:
            block_totals[tag.lang] = block_totals.get(tag.lang, 0.0) + 1.0
    shares = _shares(letter_totals, block_totals)
    parts = _parts(tagged)
    if not shares:
        return LanguageResult(UNDETERMINED, 0.0, {}, parts)

    primary = max(shares, key=lambda lang: (round(shares[lang], 6), priors.get(lang, 0.0), lang))
    weights = [(_letter_weight(tag), tag.confidence) for _, _, tag in tagged if tag.lang == primary]
    total = sum(weight for weight, _ in weights)
    confidence = sum(w * c for w, c in weights) / total if total else 0.0
    return LanguageResult(primary, confidence, shares, parts, _other_script(tagged, primary))


def _other_script(tagged: list[tuple[int, int, BlockTag]], primary: str) -> str | None:
    script = script_of(primary)
    lines = [tag for _, _, tag in tagged
             if tag.lang != UNDETERMINED and script_of(tag.lang) != script
             and tag.words >= OTHER_SCRIPT_MIN_WORDS and tag.letters >= OTHER_SCRIPT_MIN_LETTERS]
    return max(lines, key=lambda tag: tag.letters).lang if lines else None


def _shares(letters: dict[str, float], blocks: dict[str, float]) -> dict[str, float]:
    letter_sum = sum(letters.values())
    if not letter_sum:
        return {}
    block_sum = sum(blocks.values())
    shares = {}
    for lang, n in letters.items():
        share = n / letter_sum
        if block_sum:
            share = 0.5 * share + 0.5 * blocks.get(lang, 0.0) / block_sum
        shares[lang] = share
    return dict(sorted(shares.items(), key=lambda item: (-item[1], item[0])))


def _parts(tagged: list[tuple[int, int, BlockTag]]) -> list[LanguagePart]:
    parts: list[LanguagePart] = []
    weights: list[int] = []
    for start, end, tag in tagged:
        if parts and parts[-1].lang == tag.lang:
            last, weight = parts[-1], weights[-1]
            merged = weight + max(tag.letters, 1)
            last.confidence = (
                last.confidence * weight + tag.confidence * max(tag.letters, 1)
            ) / merged
            last.end = end
            weights[-1] = merged
        else:
            parts.append(LanguagePart(start, end, tag.lang, tag.confidence))
            weights.append(max(tag.letters, 1))
    return parts
