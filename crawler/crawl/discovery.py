"""What an outlet's feeds and sitemaps list: article URLs, or child sitemaps. A feed or
sitemap that is not one is said so in words (and lists nothing); the spider decides what
to fetch."""

from __future__ import annotations

import logging

from scrapy.http import Response, TextResponse
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap

logger = logging.getLogger(__name__)


def feed_links(response: Response) -> list[str]:
    """The links of an RSS or Atom feed, absolute, in feed order."""
    if not isinstance(response, TextResponse):
        logger.warning(
            "feed is not text: %s",
            response.url,
            extra={"event": "bad_feed", "url": response.url},
        )
        return []
    sel = response.selector
    sel.remove_namespaces()
    urls = sel.xpath("//item/link/text()").getall()
    urls += sel.xpath("//entry/link[not(@rel) or @rel='alternate']/@href").getall()
    urls = [response.urljoin(u.strip()) for u in urls if u.strip()]
    if not urls:
        logger.warning(
            "feed lists no links: %s",
            response.url,
            extra={"event": "empty_feed", "url": response.url},
        )
    return urls


def read_sitemap(response: Response, max_size: int) -> Sitemap | None:
    """The sitemap (gzipped or not), or None when the body is not one."""
    body = response.body
    if body[:2] == b"\x1f\x8b":
        body = gunzip(body, max_size=max_size)
    try:
        return Sitemap(body)
    except Exception as exc:  # lxml raises several kinds on garbage
        logger.warning(
            "not a sitemap: %s (%s)",
            response.url,
            exc,
            extra={"event": "bad_sitemap", "url": response.url},
        )
        return None
