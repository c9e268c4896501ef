"""The CPU-heavy part of a crawl: extraction and language tagging of one page.

A plain top-level function so it can run in a worker process (see ExtractionPipeline).
"""

from __future__ import annotations

import hashlib
import logging
import zlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from archive import compress_block
from crawler.catalog.records import TaggedArticle
from crawler.crawl.items import PageResult
from crawler.crawl.pagerefs import MAX_PAGE_SIZE, html_requisites, html_text, tree_requisites
from crawler.extraction import extract_article, text_keys
from crawler.language import tag_languages
from crawler.language.profiles import preload
from crawler.urls import canonicalize, host_of

if TYPE_CHECKING:
    from lxml.html import HtmlElement

    from crawler.extraction._article import TreeReader

logger = logging.getLogger(__name__)


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# A body still gzipped when the crawl left it for us (crawler.crawl.middlewares.RAW_GZIP_OK);
# no HTML document starts with these bytes.
_GZIP_MAGIC = b"\x1f\x8b"
MAX_BODY_SIZE = 64 * 1024 * 1024


class BodyTooLarge(ValueError):
    """A gzipped body decompresses to more than the allowed size."""


def gunzip_body(body: bytes, max_size: int = MAX_BODY_SIZE) -> bytes:
    """Decode a gzip body (concatenated members too), refusing more than ``max_size`` bytes."""
    out: list[bytes] = []
    size = 0
    while body[:2] == _GZIP_MAGIC:
        d = zlib.decompressobj(zlib.MAX_WBITS | 16)
        chunk = d.decompress(body, max_size - size + 1)
        size += len(chunk)
        if size > max_size or d.unconsumed_tail:
            raise BodyTooLarge(f"body larger than {max_size} bytes once decompressed")
        out.append(chunk)
        body = d.unused_data
    return b"".join(out)


def process_page(
    body: bytes,
    url: str,
    content_type: str | None,
    hints: tuple[str, ...] = (),
    max_size: int = MAX_BODY_SIZE,
    repeated: frozenset[str] = frozenset(),
    on_tree: TreeReader | None = None,
) -> TaggedArticle | None:
    """Extract and tag one page. Returns the article, or None when the page has no main
    text. Its ``canonical_url`` is the page's rel=canonical when it stays on the same host,
    else the fetched URL, canonicalised. A gzipped body is decoded first. ``repeated``: the
    outlet's learned boilerplate (crawler.extraction.RepeatedLines.learned). ``on_tree``:
    see :func:`crawler.extraction.extract_article`."""
    if body[:2] == _GZIP_MAGIC:
        body = gunzip_body(body, max_size)
    article = extract_article(body, url, content_type, repeated, on_tree)
    if article is None or not article.text.strip():
        return None
    tags = tag_languages(article.text, hints=hints, html_lang=article.html_lang)
    canonical = article.canonical_url
    if not canonical or host_of(canonical) != host_of(url):
        canonical = url
    return TaggedArticle(
        url=article.url,
        canonical_url=canonicalize(canonical),
        text=article.text,
        text_digest=text_digest(article.text),
        title=article.title,
        author=article.author,
        published=article.published,
        published_source=article.published_source,
        modified=article.modified,
        description=article.description,
        html_lang=article.html_lang,
        encoding=article.encoding,
        is_article=article.is_article,
        language=tags.lang,
        language_confidence=round(tags.confidence, 4),
        languages=tags.to_dict(),
        authors=article.authors,
        lead_image=article.lead_image,
        section=article.section,
        keywords=article.keywords,
        tags=article.tags,
        metadata_sources=article.sources,
        extractor=article.extractor,
        markdown=article.markdown,
        boilerplate=article.boilerplate,
    )


def process_page_and_requisites(
    body: bytes,
    url: str,
    content_type: str | None,
    hints: tuple[str, ...] = (),
    max_size: int = MAX_BODY_SIZE,
    repeated: frozenset[str] = frozenset(),
    requisites: bool = False,
) -> PageResult:
    """:func:`process_page`, and with ``requisites`` the page's requisites
    (:func:`crawler.crawl.pagerefs.html_requisites`) from the same decoded body. What
    extraction raises is returned (``error``), so that the requisites are not lost with it.
    A body that cannot be gunzipped here leaves the requisites to the crawl process (None),
    which reads a corrupt gzip stream as far as it goes, as Scrapy does."""
    found: list[str] | None = None
    seen: list[list[str]] = []
    on_tree: TreeReader | None = None
    if requisites and body[:2] == _GZIP_MAGIC:
        try:
            body = gunzip_body(body, max_size)
        except (BodyTooLarge, zlib.error, EOFError, ValueError):
            pass  # process_page raises for it below
        else:
            # The crawl process read at most MAX_PAGE_SIZE bytes of a page for them.
            if len(body) > MAX_PAGE_SIZE:
                found = []
            else:
                # Read from the extraction's own parse of the page (one parse, not two:
                # ~0.9 ms of a worker's ~8 an article).
                def on_tree(tree: HtmlElement, restore: Callable[[str], str]) -> None:
                    seen.append(tree_requisites(tree, url, restore))
    error: str | None = None
    article: TaggedArticle | None = None
    try:
        article = process_page(body, url, content_type, hints, max_size, repeated, on_tree)
    except Exception as exc:  # noqa: BLE001 -- reported as WorkerPool reports it
        error = f"{type(exc).__name__}: {exc}"
    if on_tree is not None:
        # A page the extraction did not parse (not HTML to it, unparseable) is parsed for
        # its requisites alone, as before.
        found = seen[0] if seen else html_requisites(html_text(content_type, body), url)
    if article is None or not article.is_article:
        return PageResult(article, found, error)
    # What the crawl process does with an article, made here (see PageResult).
    return PageResult(article, found, error, compress_block(article.to_json()),
                      text_keys(article.text, article.boilerplate))


def warm_up() -> None:
    """Load the detector's profiles and trafilatura once per worker process."""
    tag_languages("warm up the language profiles once", hints=("en",))
    preload()  # the Arabic-script profiles too, not on the first Arabic or Persian page
