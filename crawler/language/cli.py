"""Stream processing behind ``akhbar detect-lang`` (the click command only delegates here).

``jsonl`` (default): each input line is a JSON object ``{"id": ..., "text": ...}``
(optionally ``"hints": [...]`` and ``"html_lang": "..."``); each output line is
``{"id", "lang", "confidence", "secondary", "shares", "parts"}``. A line that is not
such an object gets ``{"id": null, "line": N, "error": "..."}`` and the stream goes on.
Blank input lines are skipped.

``text``: each input line is a text; each output line is its language tag (``und``
for a blank line), so output line N answers input line N.
"""

from __future__ import annotations

import json
import logging
from typing import Any, TextIO

from .tagger import tag_languages

logger = logging.getLogger(__name__)

FORMATS = ("jsonl", "text")


def detect_lang_stream(inp: TextIO, out: TextIO, fmt: str = "jsonl") -> int:
    """Tag every line of ``inp`` and write one answer per line to ``out``.

    Returns the exit status: 0 if every line was answered, 1 if any line got an
    error object. Raises ``ValueError`` for an unknown ``fmt``.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    failed = 0
    for number, line in enumerate(inp, start=1):
        if fmt == "text":
            out.write(tag_languages(line.rstrip("\r\n")).lang + "\n")
            out.flush()
            continue
        if not line.strip():
            continue
        try:
            answer = _answer(json.loads(line))
        except (ValueError, TypeError) as exc:
            failed += 1
            logger.debug("detect-lang: line %d: %s", number, exc)
            answer = {"id": _id_of(line), "line": number, "error": f"line {number}: {exc}"}
        out.write(json.dumps(answer, ensure_ascii=False) + "\n")
        out.flush()
    return 1 if failed else 0


def _answer(record: Any) -> dict[str, Any]:
    if not isinstance(record, dict):
        raise TypeError(f"expected a JSON object, got {type(record).__name__}")
    text = record.get("text")
    if not isinstance(text, str):
        raise TypeError('"text" must be a string')
    hints = record.get("hints") or ()
    if not isinstance(hints, list | tuple) or not all(isinstance(h, str) for h in hints):
        raise TypeError('"hints" must be a list of language codes')
    html_lang = record.get("html_lang")
    if html_lang is not None and not isinstance(html_lang, str):
        raise TypeError('"html_lang" must be a string')
    result = tag_languages(text, hints=hints, html_lang=html_lang)
    data = result.to_dict()
    return {
        "id": record.get("id"),
        "lang": data["lang"],
        "confidence": data["confidence"],
        "secondary": result.secondary,
        "shares": data["shares"],
        "parts": data["parts"],
    }


def _id_of(line: str) -> Any:
    """The id of a line that was valid JSON but not a valid record, else None."""
    try:
        record = json.loads(line)
    except ValueError:
        return None
    return record.get("id") if isinstance(record, dict) else None
