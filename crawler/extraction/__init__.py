"""Article extraction for akhbar: decode an HTML response, pull out its main text and metadata.

Pure functions (no Scrapy, no network)::

    is_html(content_type, body_head) -> bool
    decode_html(body, content_type) -> (text, encoding)
    extract_article(body, url, content_type=None, repeated=frozenset()) -> ExtractedArticle | None
    RepeatedLines: an outlet's boilerplate, learned from the lines its articles repeat
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._encoding import decode_html, is_html
from ._repeats import RepeatedLines, text_keys

if TYPE_CHECKING:
    from ._article import ExtractedArticle, extract_article

__all__ = ["ExtractedArticle", "RepeatedLines", "decode_html", "extract_article", "is_html",
           "text_keys"]


def __getattr__(name: str) -> Any:
    # trafilatura is imported on first use: the crawl process only needs is_html, the
    # extraction workers need the rest.
    if name in ("ExtractedArticle", "extract_article"):
        from . import _article

        return getattr(_article, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
