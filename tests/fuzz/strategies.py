"""Shared hypothesis settings and text strategies for the fuzz tests of akhbar's pure cores."""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

#: Modest counts: the suite runs on two busy cores. deadline=None because a busy machine
#: makes single examples slow, which is not a failure.
FUZZ = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
SLOW_FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

_ARABIC_SCRIPT = st.characters(min_codepoint=0x0600, max_codepoint=0x06FF)
_PERSIAN_DIGITS = st.sampled_from("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩")
_LATIN = st.characters(min_codepoint=0x20, max_codepoint=0x24F)
_MARKS = st.sampled_from(["\u200c", "\u200f", "\u200e", "\ufeff", "\ufffd", "…", "؟", "،", "\t"])

#: Words of Latin, Arabic-script and mixed letters, digits and marks.
WORD = st.one_of(
    st.text(_LATIN, min_size=1, max_size=12),
    st.text(_ARABIC_SCRIPT, min_size=1, max_size=12),
    st.text(st.one_of(_LATIN, _ARABIC_SCRIPT, _PERSIAN_DIGITS, _MARKS), min_size=1, max_size=8),
)
SEPARATOR = st.sampled_from([" ", "  ", "\n", "\n\n", " \n ", "\r\n", "\t", "\u00a0"])

#: Lines mixing scripts as real pages do (a Latin lead, Persian clauses, numbers), and
#: arbitrary unicode, control characters and surrogate-free noise.
MIXED_TEXT = st.one_of(
    st.lists(st.tuples(WORD, SEPARATOR), max_size=60).map(
        lambda pairs: "".join(w + s for w, s in pairs)
    ),
    st.text(max_size=300),
)
