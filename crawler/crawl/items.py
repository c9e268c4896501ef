"""What flows between the crawl's components."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from crawler.catalog.records import CaptureInfo, PreviousCapture

__all__ = ["CaptureInfo", "PageItem", "PreviousCapture"]


@dataclass
class PageItem:
    """A fetched page handed to the pipelines: raw (decompressed) body plus its capture."""

    url: str
    outlet: str
    status: int
    content_type: str | None
    body: bytes
    capture: CaptureInfo | None
    hints: tuple[str, ...] = ()
    extracted: dict[str, Any] = field(default_factory=dict)
    #: The page repeats its last capture (304 or same payload): nothing to extract.
    unchanged: bool = False
