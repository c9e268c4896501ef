"""Cut a line where it changes script for a whole clause: an English line quoting a
Persian sentence becomes two segments, each tagged alone. A name or a brand in the
other script (fewer than three words or twelve letters) stays inside its line."""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import islice

MIN_RUN_WORDS = 3
MIN_RUN_LETTERS = 12

_LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f]")
_ARABIC_LETTER = re.compile(r"[\u0621-\u064a\u0671-\u06d3\u06d5\u0750-\u077f]")
_TOKEN_RE = re.compile(r"\S+")


@dataclass
class _Run:
    start: int
    end: int
    script: str
    words: int
    letters: int

    @property
    def too_short(self) -> bool:
        return self.words < MIN_RUN_WORDS or self.letters < MIN_RUN_LETTERS


def _script(token: str) -> tuple[str | None, int]:
    latin = len(_LATIN_LETTER.findall(token))
    arabic = len(_ARABIC_LETTER.findall(token))
    if not latin and not arabic:
        return None, 0
    return ("arabic", arabic) if arabic >= latin else ("latin", latin)


def has_two_scripts(text: str) -> bool:
    """Cheap test: could ``text`` hold clauses in both Latin and Arabic script?"""
    if text.isascii():  # no Arabic letter
        return False
    return _at_least(_LATIN_LETTER, text, MIN_RUN_LETTERS) and _at_least(
        _ARABIC_LETTER, text, MIN_RUN_LETTERS
    )


def _at_least(pattern: re.Pattern[str], text: str, n: int) -> bool:
    # Stops at the n-th match instead of listing every letter of a long line.
    return next(islice(pattern.finditer(text), n - 1, None), None) is not None


def split_scripts(text: str) -> list[tuple[int, int]]:
    """Spans ``(start, end)`` of ``text``, one per run of one script long enough to tag."""
    runs: list[_Run] = []
    lead: int | None = None  # where leading digits or punctuation began
    for match in _TOKEN_RE.finditer(text):
        script, letters = _script(match.group())
        if script is None:  # digits, punctuation: they join the run they follow
            if runs:
                runs[-1].end = match.end()
            elif lead is None:
                lead = match.start()
        elif runs and runs[-1].script == script:
            runs[-1].end = match.end()
            runs[-1].words += 1
            runs[-1].letters += letters
        else:
            start = lead if lead is not None and not runs else match.start()
            runs.append(_Run(start, match.end(), script, 1, letters))
    if len(runs) <= 1:
        return [(0, len(text))] if text.strip() else []

    # Fold runs too short to tag alone into the run before, joining same-script runs.
    merged: list[_Run] = []
    for run in runs:
        if merged and (run.too_short or merged[-1].script == run.script):
            last = merged[-1]
            last.end = run.end
            last.words += run.words
            if last.script == run.script:
                last.letters += run.letters
        else:
            merged.append(run)
    if len(merged) > 1 and merged[0].too_short:
        # Two statements: in `merged[1].start = merged.pop(0).start` the right side runs
        # first, and with two runs left there is no merged[1] any more.
        lead_run = merged.pop(0)
        merged[0].start = lead_run.start
    return [(run.start, run.end) for run in merged]
