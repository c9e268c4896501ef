"""Packaging WARC files as a WACZ (what ReplayWeb.page opens), with webrecorder's ``wacz``.

The ``wacz`` package indexes the WARCs itself (compressed CDXJ, ``indexes/index.cdx.gz`` and
``index.idx``), copies them under ``archive/``, writes ``datapackage.json`` with hashes, and
takes the page list we pass (``pages/pages.jsonl``).
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .errors import ArchiveError

logger = logging.getLogger(__name__)

__all__ = ["create_wacz", "validate_wacz"]


def create_wacz(output: Path, warcs: Iterable[Path], pages: Iterable[Mapping[str, Any]], *,
                title: str | None = None, description: str | None = None) -> Path:
    """Write ``output`` from WARC files and pages (``url``, ``ts`` ISO date of its capture,
    ``title``; optional ``text``). WARC base names must be unique (akhbar's are)."""
    from wacz.main import main as wacz_main

    paths = [str(p) for p in warcs]
    if not paths:
        raise ArchiveError("no WARC files to package")
    if len({Path(p).name for p in paths}) != len(paths):
        raise ArchiveError("two WARC files share a name; a WACZ stores them by name")
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        page_file = Path(tmp) / "pages.jsonl"
        with page_file.open("w", encoding="utf-8") as fh:
            rows = [dict(page) for page in pages]
            fh.write(json.dumps({"format": "json-pages-1.0", "id": "pages",
                                 "title": title or "Pages",
                                 "hasText": any(r.get("text") for r in rows)}) + "\n")
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        args = ["create", "-o", str(output), "-p", str(page_file)]
        if title:
            args += ["--title", title]
        if description:
            args += ["--desc", description]
        rc = _quietly(wacz_main, args + paths)
    if rc not in (None, 0):
        raise ArchiveError(f"wacz create failed for {output} (exit {rc})")
    return output


def validate_wacz(path: Path) -> bool:
    """The ``wacz validate`` checks: required files, datapackage, paths and hashes."""
    from wacz.main import main as wacz_main

    return _quietly(wacz_main, ["validate", "-f", str(path)]) == 0


def _quietly(func: Any, args: list[str]) -> Any:
    # The wacz package reports progress with print(); keep it off our stdout.
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        result = func(args)
    for line in buffer.getvalue().splitlines():
        logger.debug("wacz: %s", line)
    return result
