"""English and the other Latin-script languages: the words langdetect does not weigh.

langdetect reads character n-grams; on a headline of three words it guesses
("Oil prices fall" comes out Italian, "IranGate" Indonesian). Whole words are
surer: English's function words and common news words, and the function words
of the Latin-script languages an English/Arabic/Persian archive meets most.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

EN_FUNCTION = frozenset(
    """
    the of and to a in is was that for on with as by at from it its are were be been
    being has have had will would said says not but this which who whom whose they he
    his she her their them there than after about also more into over up out can could
    may might should must we our you your all some what when where while against
    between under before during since because if or an no other these those most such
    only any each both then very just how why did does do until without within through
    among upon whether though although however yet so its been ago per via told amid
    """.split()
)
# Common words of news prose; they back English up on lines too short for function words.
EN_NEWS = frozenset(
    """
    new one two three four five six seven eight nine ten first last next year years
    week month day days today people government minister president prime state states
    country countries world city police officials official report reports news talks
    deal deals war peace attack attacks killed kills dead death deaths wounded army
    military forces troops security election elections vote votes voters parliament
    party parties leader leaders court law rights women children protest protests
    economy economic market markets oil gas prices price rise rises rising fall falls
    fell rate rates bank banks trade sanctions nuclear foreign talks meeting meets
    says warns calls call urges plan plans budget crisis help aid water power energy
    health hospital school schools students university sports football cup match wins
    win won lose loses lost record high low rain storm floods flood fire quake
    earthquake drought heat weather crash plane train road border refugees migrants
    strike strikes workers jobs tax taxes inflation currency dollar exports imports
    press media journalist journalists arrested arrest released release freed prison
    opposition reform reforms ban bans support supports against amid over after new
    home house family families town village region regional national international
    global local public private company companies firm chief head spokesman spokeswoman
    agency ministry council committee commission union talks ceasefire truce missile
    drone drones strike deadline summit visit visits envoy ambassador embassy
    border crossing weekend morning evening night time times
    """.split()
)
FOREIGN_FUNCTION: dict[str, frozenset[str]] = {
    "fr": frozenset(
        "le la les des du de un une et est dans pour pas sur au aux qui que ne "
        "se ce cette sont avec par plus ont été il elle ils où leur mais à".split()
    ),
    "es": frozenset(
        "el la los las del de y en que un una por para con se no es su al lo "
        "como más pero sus ya fue han este esta entre sobre también".split()
    ),
    "de": frozenset(
        "der die das und ist nicht ein eine zu den dem des mit von sich auf für "
        "im auch es sie wird wurde bei nach aus werden hat dass".split()
    ),
    "it": frozenset(
        "il lo la gli le di del della che è e un una per con non si sono da al "
        "nel alla anche come più ha".split()
    ),
    "pt": frozenset(
        "o a os as do da dos das de e que em um uma para com não por se mais foi "
        "na no ao são pelo pela também".split()
    ),
    "nl": frozenset(
        "de het een van en in is dat op te zijn met voor niet aan er ook als door "
        "bij wordt werd naar".split()
    ),
    "tr": frozenset("ve bir bu da de için ile olarak çok daha gibi olan ama".split()),
    "id": frozenset(
        "yang dan di dari ini itu dengan untuk tidak ada dalam akan pada juga oleh sebagai".split()
    ),
    "sv": frozenset("och att det som är på för med inte av till en ett har".split()),
    # Kurmanji Kurdish (Latin script): langdetect has no profile for it and calls it tr or af.
    "kmr": frozenset(
        "û jî ji li bi ku ew ez em hûn wan wê vê hev ên yên gelek çend heye tune dike dikin "
        "kirin hatin bû ye yê ya ne bo ra re tê nav hemû".split()
    ),
}
# Each foreign function word with the languages that use it, in FOREIGN_FUNCTION's order: one
# lookup per word instead of one per language.
_FOREIGN_INDEX: dict[str, tuple[str, ...]] = {}
for _lang, _words in FOREIGN_FUNCTION.items():
    for _word in _words:
        _FOREIGN_INDEX[_word] = (*_FOREIGN_INDEX.get(_word, ()), _lang)
del _lang, _words, _word
_FOREIGN_WORDS = frozenset(_FOREIGN_INDEX)
_TOKEN_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
# The same tokens in lower-cased ASCII text, where a letter (``[^\W\d_]``) is [a-z] and there
# is no ’: a character set the regex engine tests with one bitmap lookup, not three
# Unicode category tests.
_ASCII_TOKEN_RE = re.compile(r"[a-z]+(?:'[a-z]+)?")
_KURMANJI_LETTERS = re.compile(r"[êîû]")
_NON_ASCII_LETTER_RE = re.compile(r"[\u00c0-\u024f\u1e00-\u1eff]")


@dataclass(frozen=True)
class LatinEvidence:
    """Word counts of one Latin-script block."""

    tokens: int
    en_function: int
    en_news: int
    foreign: dict[str, int] = field(default_factory=dict)
    non_ascii: int = 0

    @property
    def clearly_english(self) -> bool:
        """English function words throughout and no rival's: no need to ask langdetect."""
        rival = max(self.foreign.values(), default=0)
        return (
            self.tokens >= 5
            and self.en_function >= 2
            and self.en_function >= 0.15 * self.tokens
            and rival * 2 < self.en_function
            and self.non_ascii * 20 < self.tokens * 5
        )


def evidence(text: str) -> LatinEvidence:
    """Count the words of ``text`` that speak for English or for a rival."""
    if text.isascii():
        # Lower-casing ASCII keeps every letter a letter, one for one: the same tokens.
        tokens = _ASCII_TOKEN_RE.findall(text.lower())
        non_ascii = 0
    else:
        tokens = [token.lower().replace("’", "'") for token in _TOKEN_RE.findall(text)]
        non_ascii = len(_NON_ASCII_LETTER_RE.findall(text))
    # Each distinct token once, with its count. The word lists hold no apostrophe, so a
    # token without one is its own base and is sorted by set operations (in C); the few
    # with one ("government's") are looked at one by one.
    counts = Counter(tokens)
    distinct = counts.keys()
    count = counts.__getitem__
    # "in", "a", "is": a word English shares is evidence for no rival.
    # (frozenset.intersection walks the tokens; ``keys & frozenset`` would walk the list.)
    en_function = sum(map(count, EN_FUNCTION.intersection(distinct)))
    en_news = sum(map(count, EN_NEWS.intersection(distinct).difference(EN_FUNCTION)))
    for token in filter(_has_apostrophe, distinct):
        base = token.split("'", 1)[0]
        if base in EN_FUNCTION:
            en_function += counts[token]
        elif base in EN_NEWS:
            en_news += counts[token]
    foreign: dict[str, int] = {}
    rivals = _FOREIGN_WORDS.intersection(distinct).difference(EN_FUNCTION)
    if rivals:
        # In first-seen order of the tokens, as token by token.
        for token in filter(rivals.__contains__, distinct):
            n = counts[token]
            for lang in _FOREIGN_INDEX[token]:
                foreign[lang] = foreign.get(lang, 0) + n
    if non_ascii:
        # ê î û are Kurmanji's everyday letters (Hikûmet, nû, êvar); French and Turkish use
        # them in a few words only. Each word holding one speaks for Kurmanji.
        marked = sum(n for token, n in counts.items() if _KURMANJI_LETTERS.search(token))
        if marked:
            foreign["kmr"] = foreign.get("kmr", 0) + marked
    return LatinEvidence(len(tokens), en_function, en_news, foreign, non_ascii)


def _has_apostrophe(token: str) -> bool:
    return "'" in token
