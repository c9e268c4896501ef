"""What flows between the crawl's components."""

from __future__ import annotations

from dataclasses import dataclass

from crawler.catalog.records import CaptureInfo, PreviousCapture, TaggedArticle

__all__ = ["CaptureInfo", "PageItem", "PreviousCapture", "TaggedArticle"]


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
    #: The article extracted from it (by the extraction pipeline), if any.
    extracted: TaggedArticle | None = None
    #: The page repeats its last capture (304 or same payload): nothing to extract.
    unchanged: bool = False
