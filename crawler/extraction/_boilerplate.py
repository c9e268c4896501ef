"""Lines news sites repeat on every article, inside the article's own markup, where
trafilatura keeps them: "read also" links, share and newsletter boxes, and the outlet's blurb
about itself at the end (the seed article's "At the IranGate Analytical News Agency, our
commitment..."), in English, Arabic and Persian.

``strip_boilerplate(text, site_name)`` drops such lines (``split_boilerplate`` also says
which); the rest of the text is left as it
was, line for line. A line is only dropped when it is short (a box, a link) or, for the blurb,
when it is the last line, names the site and speaks for it.
"""

from __future__ import annotations

import re
from functools import lru_cache

# A line longer than this is prose, whatever it starts with.
MAX_BOX_LINE = 250
# Markdown's list, quote and heading marks before a line's words.
_MARKS = re.compile(r"^(?:[#>*\-+]+\s*|\d+[.)]\s+)+")
_PREFIXES = re.compile(
    r"^(?:read (?:also|more)|also read|see also|related(?: stories| articles)?\s*:|"
    r"more on this|recommended\s*:|"
    r"[اإ]قرأ (?:أيضا|أيضاً|ايضا|المزيد)|مواضيع ذات صلة|أخبار ذات صلة|"
    r"بیشتر بخوانید|بخوانید\s*:|مطالب مرتبط|اخبار مرتبط|پیشنهاد ما)",
    re.IGNORECASE,
)
_WHOLE_LINES = (
    """share this article|share this|share|share on facebook|share on twitter|print|email|
    related stories|related articles|leave a comment|advertisement|comments|tags|
    شارك هذا المقال|شارك|إعلان|اعلان|التعليقات|أضف تعليقاً|
    این مطلب را به اشتراک بگذارید|اشتراک‌گذاری|اشتراک گذاری|تبلیغات|دیدگاه خود را بنویسید|
    نظرات""".split("|")
)
_WHOLE = frozenset(" ".join(item.split()) for item in _WHOLE_LINES)
_NEWSLETTER = re.compile(
    r"subscribe to our|sign up for our|our (?:daily |weekly )?newsletter|"
    r"اشترك في (?:نشرتنا|النشرة)|نشرتنا البريدية|"
    r"در خبرنامه|عضو خبرنامه|خبرنامه (?:روزانه|ما)",
    re.IGNORECASE,
)
# The blurb speaks for the outlet: "our", "we", or it opens with the outlet's name.
_SPEAKS_FOR = re.compile(r"\b(?:our|we|us)\b", re.IGNORECASE)
MIN_BLURB = 80
# r"\n{3,}" spelled with a literal prefix: ``re`` tries a pattern that starts with a repeat at
# every character (~0.06-0.15 ms on a news article), and skips ahead to a literal prefix.
_BLANK_RUNS = re.compile(r"\n\n\n+")


def fold_blank_lines(text: str) -> str:
    """``re.sub(r"\n{3,}", "\n\n", text)``: runs of blank lines folded to one."""
    return _BLANK_RUNS.sub("\n\n", text) if "\n\n\n" in text else text


def _words(line: str) -> str:
    return " ".join(_MARKS.sub("", line.strip()).split()).strip(" .:!|·-–—")


@lru_cache(maxsize=1024)
def is_boilerplate_line(line: str) -> bool:
    """A "read also" link, a share or newsletter box, a bare "Comments" heading. Cached: the
    text and the Markdown of an article share most lines, and boilerplate repeats across
    pages."""
    words = _words(line)
    if not words or len(words) > MAX_BOX_LINE:
        return False
    return (words.casefold() in _WHOLE or bool(_PREFIXES.match(words))
            or bool(_NEWSLETTER.search(words)))


def _is_blurb(line: str, site_name: str | None) -> bool:
    words = _words(line)
    if not site_name or len(words) < MIN_BLURB or len(site_name.strip()) < 3:
        return False
    site = site_name.strip().casefold()
    folded = words.casefold()
    if site not in folded:
        return False
    return folded.startswith(site) or bool(_SPEAKS_FOR.search(words))


def split_boilerplate(text: str, site_name: str | None = None) -> tuple[str, list[str]]:
    """``text`` without its boilerplate lines (blank lines around them folded), and the lines
    dropped."""
    lines = text.split("\n")
    kept = [line for line in lines if not is_boilerplate_line(line)]
    # The outlet's blurb closes the article: only the last non-blank line is looked at.
    last = next((i for i in range(len(kept) - 1, -1, -1) if kept[i].strip()), None)
    if last is not None and last > 0 and _is_blurb(kept[last], site_name):
        del kept[last]
    if len(kept) == len(lines) or not any(line.strip() for line in kept):
        return text, []  # nothing dropped, or nothing but boilerplate: keep the page's text
    out = "\n".join(kept)
    left = set(kept)
    dropped = [line for line in lines if line.strip() and line not in left]
    return fold_blank_lines(out).strip("\n"), dropped


def strip_boilerplate(text: str, site_name: str | None = None) -> str:
    """``text`` without its boilerplate lines (blank lines around them folded)."""
    return split_boilerplate(text, site_name)[0]
