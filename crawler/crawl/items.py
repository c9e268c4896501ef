"""What flows between the crawl's components."""

from __future__ import annotations

from dataclasses import dataclass

from archive import CompressedBlock
from crawler.catalog.records import CaptureInfo, PreviousCapture, TaggedArticle

__all__ = ["CaptureInfo", "PageItem", "PageResult", "PreviousCapture", "TaggedArticle"]


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
    #: Its requisites are to be found with its extraction (a body left gzipped: the worker
    #: decodes it anyway); the spider is told what they are (``requisites_found``).
    find_requisites: bool = False


@dataclass
class PageResult:
    """What an extraction worker makes of a page (:func:`crawler.crawl.processing.
    process_page_and_requisites`)."""

    #: The article, or None when the page has no main text.
    article: TaggedArticle | None
    #: The URLs of the page's requisites, in page order, when they were asked for and the
    #: worker could read the page; None otherwise (the crawl process reads it then).
    requisites: list[str] | None = None
    #: What extraction raised (``"ValueError: ..."``), if it did.
    error: str | None = None
    #: The article's WARC metadata record's content (``article.to_json()``, deflated: see
    #: :func:`archive.compress_block`) and the keys of its lines for the outlet's learned
    #: boilerplate (:func:`crawler.extraction.text_keys`), made in the worker: ~0.4 ms an
    #: article the single-threaded crawl process no longer spends (bench/README.md, issue
    #: 11, round 6).
    metadata: CompressedBlock | None = None
    line_keys: frozenset[str] | None = None
