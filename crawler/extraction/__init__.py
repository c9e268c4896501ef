"""Article extraction for akhbar: decode an HTML response, pull out its main text and metadata.

Pure functions (no Scrapy, no network)::

    is_html(content_type, body_head) -> bool
    decode_html(body, content_type) -> (text, encoding)
    extract_article(body, url, content_type=None) -> ExtractedArticle | None
"""

from ._article import ExtractedArticle, extract_article
from ._encoding import decode_html, is_html

__all__ = ["ExtractedArticle", "decode_html", "extract_article", "is_html"]
