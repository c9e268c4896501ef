from __future__ import annotations

from crawler.extraction._joiners import protect, restore

WORD = "می\u200cخواهم"


def test_round_trip_keeps_every_mark() -> None:
    text = f"{WORD} \u200d\u200e\u200f"
    protected, changed = protect(text)
    assert changed
    assert protected.isprintable()  # what trafilatura keeps
    assert not any(mark in protected for mark in "\u200c\u200d\u200e\u200f")
    assert restore(protected) == text


def test_text_without_marks_is_untouched() -> None:
    assert protect("plain text") == ("plain text", False)


def test_page_containing_stand_ins_is_left_alone() -> None:
    text = f"{WORD} \U00010000"
    assert protect(text) == (text, False)


def test_character_references_are_protected_too() -> None:
    text = "<p>می&zwnj;خواهم می&#8204;روم می&#x200C;شود &RLM;</p>"
    protected, changed = protect(text)
    assert changed
    assert "&" not in protected
    assert restore(protected) == "<p>می\u200cخواهم می\u200cروم می\u200cشود \u200f</p>"
