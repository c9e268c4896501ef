"""Which language an Arabic-script block is in: letters and words langdetect does not weigh.

Two steps. First the languages with letters of their own (Urdu, Pashto, Sorani
Kurdish, Sindhi, Uyghur) are recognised by how dense those letters are, so they
never come out as Persian or Arabic. Then Arabic and Persian are told apart by
a score in log-odds (positive: Persian) built from

* letters: Persian پ چ ژ گ, the zero-width non-joiner, ۀ and Persian digits;
  Arabic ة ى أ إ, vowel marks and Arabic-Indic digits;
* the keyboard: Persian ک/ی against Arabic ك/ي. It is weighed lightly, because
  Iranian outlets type Arabic with Persian ی/ک and older Persian sites type
  with Arabic ي/ك;
* words, compared after folding those keyboard variants: است, را, از, که...
  against في, على, التي, قد... and Arabic's attached article (وال, بال...).

Tanwin-fath (as in Persian حتماً) and the hamza of the Persian ezafe are not
Arabic evidence. The caller adds langdetect's answer when the score is small.
"""

from __future__ import annotations

import re
from collections.abc import Set
from dataclasses import dataclass
from functools import reduce
from itertools import chain
from operator import add

# Letters that only one of these languages writes; shared ones list every user.
OWN_LETTERS: dict[str, str] = {
    "ur": "ٹڈڑںےہۂۃ",
    "ps": "ټډړږښځڅڼۍګ",
    "ckb": "ێڵڕ",
    "sd": "ڪٻڀٺٽٿڄڃڇڊڌڍڏڙڦڱڳ۾",
    "ug": "ۇۈۋ",
}
# Letters shared by several of them, with the part each user takes.
SHARED_LETTERS: dict[str, dict[str, float]] = {
    "ې": {"ps": 0.7, "ug": 0.3},
    "ھ": {"ur": 0.4, "ckb": 0.3, "sd": 0.15, "ug": 0.15},
    "ۆ": {"ckb": 0.7, "ug": 0.3},
    "ە": {"ckb": 0.7, "ug": 0.3},
}
# Function words for the same languages (their letters usually decide first).
OWN_WORDS: dict[str, frozenset[str]] = {
    "ur": frozenset(
        "ہے ہیں کے کی کا نے سے کو اور یہ وہ تھا تھی تھے گیا گئی کہا بھی لیے ساتھ".split()
    ),
    "ps": frozenset("د په چې کې ته دې سره وو دي شوي کړي وايي او دا".split()),
    "ckb": frozenset("لە بە کە ئەو ئەم بۆ دەکات لەگەڵ هەروەها".split()),
}

_TASHKEEL_AR = "\u064c\u064d\u064e\u064f\u0650\u0652"  # tanwin damm/kasr, short vowels, sukun
_FOLD = str.maketrans(
    {
        "ي": "ی",
        "ى": "ی",
        "ك": "ک",
        "أ": "ا",
        "إ": "ا",
        "ٱ": "ا",
        "ۀ": "ه",
        "\u200c": " ",
        "\u0640": None,
        **{chr(c): None for c in range(0x064B, 0x0660)},
        "\u0670": None,
    }
)
# The same folding as str.translate(_FOLD), done with str.replace and one regex: on Arabic
# script text that is several times faster (translate looks up a dict per character). No
# replacement produces a character that another one replaces or deletes, so the order is free.
_FOLD_PAIRS = tuple(
    (source, target)
    for source, target in (
        (chr(k), v) for k, v in _FOLD.items() if isinstance(v, str)
    )
)
_FOLD_DELETE = re.compile(
    "[" + "".join(re.escape(chr(k)) for k, v in _FOLD.items() if v is None) + "]+"
)
_WORD_RE = re.compile(r"[\u0621-\u063a\u0641-\u064a\u0671-\u06d3\u06d5]+")
_PERSIAN_DIGITS_RE = re.compile(r"[\u06f0-\u06f9]+")
_ARABIC_DIGITS_RE = re.compile(r"[\u0660-\u0669]+")
# Most blocks have neither (see _runs).
_PERSIAN_DIGITS = tuple("\u06f0\u06f1\u06f2\u06f3\u06f4\u06f5\u06f6\u06f7\u06f8\u06f9")
_ARABIC_DIGITS = tuple("\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669")


def _runs(pattern: re.Pattern[str], chars: tuple[str, ...], text: str,
          present: Set[str]) -> int:
    """``len(pattern.findall(text))`` for a pattern matching runs of ``chars``; ``present``
    holds (at least) every one of ``chars`` that ``text`` holds."""
    return 0 if present.isdisjoint(chars) else len(pattern.findall(text))


# Weights in log-odds, positive for Persian. Words are in folded form (ی ک ا).
_LETTER_WEIGHTS: dict[str, float] = {
    "پ": 1.5,
    "چ": 1.5,
    "ژ": 1.5,
    "گ": 1.5,
    "\u200c": 1.5,
    "ۀ": 1.5,
    "\u0654": 0.5,
    "ة": -1.5,
    "ى": -0.8,
    "أ": -0.7,
    "إ": -0.8,
    "ؤ": -0.5,
    "\u0651": -0.3,
    "\u0670": -0.3,
    **{mark: -0.8 for mark in _TASHKEEL_AR},
}
_WORD_WEIGHTS: dict[str, float] = {
    **dict.fromkeys(
        "است را از که این برای های ها شده شود کرد کرده کند کنند بود بوده خود یک نیز "
        "اگر وی باید گفت گفته دارد داد هستند نیست اند شد آن آنها همچنین چنین اینکه "
        "زیرا بیشتر امروز دو سه چند همه هیچ شما ایشان خواهد نمی می ولی تاکنون "
        "کشور کشورهای مردم توسط سوی درباره بسیار هنوز دیگر پس چون "
        # verbs and news words Arabic does not write (or writes otherwise: دولة, مليون)
        "شدند کردند دارند داشت داشته بودند شوند کنیم کنید گرفت گرفته رسید رسیده "
        "دولت وزارت جمهوری سازمان استان شهرستان هزار میلیون میلیارد دلار درصد تومان "
        "نفر حمله امسال دیروز فردا پارسال".split(),
        1.5,
    ),
    **dict.fromkeys("در با تا بر هر سال هفته روز ملی تیم بازار ساعت نشست".split(), 1.0),
    **dict.fromkeys("و به".split(), 0.4),
    **dict.fromkeys(
        "فی عن ان التی الذی الذین اللذین هذا هذه ذلک تلک کان کانت لم لن مع "
        "قال وقال انه انها منذ ثم هناک یکون تکون لیس لقد وفی فیما اذا بان "
        "لها له بها الیه علیها الی خلال وکان ولم وهو وهی هو هی لدی حول یوم امس "
        "ایضا ملیون ملیار دولار".split(),
        -1.5,
    ),
    **dict.fromkeys("علی لا الا عام حیث کما الف امریکا".split(), -0.8),
    "من": -0.5,
}
# Weight of one Arabic article (ال...) and of the keyboard balance (see module doc).
ARTICLE_WEIGHT = -1.5
KEYBOARD_WEIGHT = 1.2
# Arabic's article glued to a conjunction or preposition; Persian words that look so.
_AR_PREFIXES = ("وال", "بال", "فال", "کال", "لل")
_NOT_AR_PREFIXED = frozenset("بالا بالای بالاتر بالاترین والا کالا کالاها کالای للی".split())
# Persian words (or halves of words split at the non-joiner) that begin with ال.
_NOT_AR_ARTICLE = frozenset(
    "الان البته الگو الهام الزام الزامی الکترونیک الکترونیکی المپیک المللی الملل "
    "الله اللهی الهی الحاق الویت السلام الجزایر الماس العاده الاسلام المقدس "
    "الدین الملک النهرین الکل الکلی الخصوص الحال الزحمه العمل الاجرا السلطنه "
    "الدوله الوزرا التحصیل المعارف".split()
)


def fold(text: str) -> str:
    """Fold keyboard variants, hamza forms and the non-joiner; drop vowel marks and tatweel."""
    for source, target in _FOLD_PAIRS:
        if source in text:
            text = text.replace(source, target)
    return _FOLD_DELETE.sub("", text)


def _token_steps(token: str) -> tuple[float, ...]:
    """What one (folded) word adds to the Arabic/Persian score: the increments in the order
    the rules add them (so sums stay bit-for-bit the same; each is one cue of evidence), ()
    for a word that is no cue."""
    steps: list[float] = []
    word_weight = _WORD_WEIGHTS.get(token)
    if word_weight is not None:
        steps.append(word_weight)
    elif len(token) > 3 and token.startswith("ال") and token not in _NOT_AR_ARTICLE:
        steps.append(ARTICLE_WEIGHT)
    elif len(token) > 4 and token.startswith(_AR_PREFIXES) and token not in _NOT_AR_PREFIXED:
        steps.append(-1.0)
    if token.endswith(("شناسی", "شناس")) and len(token) > 6:
        # Persian's "-logy/-logist" compounds (هواشناسی, کارشناس): no Arabic word ends so.
        steps.append(1.5)
    return tuple(steps)


class _StepsCache(dict[str, tuple[float, ...]]):
    """Each word's :func:`_token_steps`, worked out on its first lookup: ``cache[token]``
    (dict's own C lookup, ``map``-able) calls ``__missing__`` only for a word not seen yet.
    Words repeat a lot across a crawl; the cache is cleared when it grows past ``limit``."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def __missing__(self, token: str) -> tuple[float, ...]:
        if len(self) >= self.limit:
            self.clear()
        steps = self[token] = _token_steps(token)
        return steps


_TOKEN_STEPS = _StepsCache(50_000)


@dataclass(frozen=True)
class ArabicScriptVerdict:
    """The outcome of the letter and word analysis of one block."""

    lang: str | None  # a language with letters of its own, when one was found
    own_confidence: float  # confidence in ``lang``
    fa_vs_ar: float  # log-odds, positive for Persian, for the Arabic/Persian decision
    evidence: int  # how many cues went into fa_vs_ar


_ALL_OWN_LETTERS = frozenset("".join(OWN_LETTERS.values()) + "".join(SHARED_LETTERS))
_OWN_LETTERS_RE = re.compile("[" + "".join(sorted(_ALL_OWN_LETTERS)) + "]")
# The characters analyse() counts one by one, found in one scan: the weighed letters, the
# letters of the languages of their own, both sets of digits. (Not the keyboard's four forms:
# ی is one letter in twelve of a Persian text, and str.count is cheaper for them.)
_COUNTED = frozenset([*_LETTER_WEIGHTS, *_ALL_OWN_LETTERS, *_PERSIAN_DIGITS, *_ARABIC_DIGITS])
_COUNTED_RE = re.compile("[" + "".join(map(re.escape, sorted(_COUNTED))) + "]")


def _own_language(text: str, letters: int, tokens: list[str]) -> tuple[str | None, float]:
    if _OWN_LETTERS_RE.search(text) is None:
        # No letter of a language of its own: the word hits below only add to letter counts.
        return None, 0.0
    words = set(tokens)
    counts: dict[str, float] = {}
    for lang, own in OWN_LETTERS.items():
        n = float(sum(text.count(ch) for ch in own))
        if n:
            counts[lang] = n
    for ch, users in SHARED_LETTERS.items():
        n = text.count(ch)
        if n:
            for lang, part in users.items():
                counts[lang] = counts.get(lang, 0.0) + n * part
    for lang, vocabulary in OWN_WORDS.items():
        hits = len(words & vocabulary)
        if hits and lang in counts:
            counts[lang] += hits
    if not counts:
        return None, 0.0
    lang, n = max(counts.items(), key=lambda item: (item[1], item[0]))
    density = n / max(letters, 1)
    # A Persian or Arabic text may quote a name in another alphabet: one letter in
    # forty is far more than a quoted name and far less than a sentence of Pashto.
    if density < 0.025 or n < (1 if letters < 30 else 2):
        return None, 0.0
    return lang, min(0.99, 0.7 + density * 4)


def analyse(text: str, letters: int) -> ArabicScriptVerdict:
    """Analyse one block whose letters are mostly Arabic script."""
    folded = fold(text)
    tokens = _WORD_RE.findall(folded)
    # Which of the characters counted one by one the text holds, from one scan.
    present = set(_COUNTED_RE.findall(text))
    if present.isdisjoint(_ALL_OWN_LETTERS):
        # No letter of a language of its own (what _own_language checks first).
        own, own_confidence = None, 0.0
    else:
        own, own_confidence = _own_language(text, letters, tokens)

    score = 0.0
    evidence = 0
    # The weighed letters the text holds, in _LETTER_WEIGHTS' order: the same additions.
    for ch in filter(present.__contains__, _LETTER_WEIGHTS):
        n = text.count(ch)
        score += _LETTER_WEIGHTS[ch] * min(n, 4)
        evidence += n
    # The keyboard (one cue, however many ی/ک or ي/ك): only the balance of forms counts.
    persian_forms = text.count("ی") + text.count("ک")
    arabic_forms = text.count("ي") + text.count("ك")
    if persian_forms + arabic_forms:
        score += KEYBOARD_WEIGHT * (persian_forms - arabic_forms) / (persian_forms + arabic_forms)
        evidence += 1
    n_persian_digits = _runs(_PERSIAN_DIGITS_RE, _PERSIAN_DIGITS, text, present)
    n_arabic_digits = _runs(_ARABIC_DIGITS_RE, _ARABIC_DIGITS, text, present)
    score += 0.8 * min(n_persian_digits, 3) - 0.8 * min(n_arabic_digits, 3)
    evidence += n_persian_digits + n_arabic_digits
    # The words' steps in token order, looked up and added in C: reduce(add, steps, score) is
    # `for step in steps: score += step`, the same float additions in the same order.
    hits = list(filter(None, map(_TOKEN_STEPS.__getitem__, tokens)))
    if hits:
        evidence += sum(map(len, hits))
        score = reduce(add, chain.from_iterable(hits), score)
    return ArabicScriptVerdict(own, own_confidence, score, evidence)
