"""A run-log line for every redirect a crawl follows (from -> to).

The run log's "fetched" line comes from Scrapy's ``response_received`` signal, which only the
last response of a redirect chain reaches: Scrapy's RedirectMiddleware turns each 3xx into a
new request and logs that at DEBUG. This middleware sits just below it on the downloader side
(a higher priority than RedirectMiddleware's 600), sees each 3xx answer as received and says
where it leads. Retries get their line from :mod:`crawler.crawl.retry`.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urljoin

from scrapy.http import Request, Response
from w3lib.url import safe_url_string

logger = logging.getLogger(__name__)

REDIRECT_STATUSES = (301, 302, 303, 307, 308)


def redirect_target(request: Request, response: Response) -> str | None:
    """Where a 3xx answer sends the crawl, when RedirectMiddleware will follow it."""
    if response.status not in REDIRECT_STATUSES or request.meta.get("dont_redirect"):
        return None
    if request.meta.get("handle_httpstatus_all") or \
            response.status in request.meta.get("handle_httpstatus_list", ()):
        return None
    location = response.headers.get(b"Location")
    if not location:
        return None
    return urljoin(request.url, safe_url_string(location.decode("latin-1")))


class RedirectLogMiddleware:
    """Logs "redirect 301 A -> B" (event ``redirect``) for each redirect answer."""

    def process_response(self, request: Request, response: Response,
                         spider: Any = None) -> Response:
        target = redirect_target(request, response)
        if target is not None:
            hop = len(request.meta.get("redirect_urls", ())) + 1
            logger.info("redirect %d %s -> %s", response.status, request.url, target,
                        extra={"event": "redirect", "url": request.url, "to": target,
                               "status": response.status, "hop": hop})
        return response
