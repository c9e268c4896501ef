"""An outlet's credentials on its requests (``auth:`` in its file; crawler.outlets.secrets).

Basic auth is Scrapy's :class:`~scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware`, fed
through the spider's ``http_user``/``http_pass``/``http_auth_domain`` (the outlet's host): the
``HTTPAUTH_*`` settings of Scrapy 2.17+ would print the password in Scrapy's "Overridden
settings" log line, and 2.13 has only the attributes. Secret headers are set by
:class:`OutletHeadersMiddleware`, which also takes them off any request to another host (a
redirect copies a request's headers wherever it leads).
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any, Self

from scrapy.exceptions import NotConfigured, ScrapyDeprecationWarning
from scrapy.http import Request
from scrapy.utils.url import url_is_from_any_domain

from crawler.outlets.secrets import OutletCredentials

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler


def give_credentials(spider: Spider, credentials: OutletCredentials | None) -> None:
    """Hand ``credentials`` to the middlewares that send them, through the spider."""
    spider.credentials = credentials  # type: ignore[attr-defined]
    if credentials is None or credentials.basic is None:
        return
    spider.http_user, spider.http_pass = credentials.basic  # type: ignore[attr-defined]
    spider.http_auth_domain = credentials.domain  # type: ignore[attr-defined]
    # 2.17+ warn that the attributes give way to settings, which are logged (see above).
    warnings.filterwarnings("ignore", message="Use the HTTPAUTH_USER",
                            category=ScrapyDeprecationWarning)


def credentials_of(spider: Spider | None) -> OutletCredentials | None:
    found = getattr(spider, "credentials", None)
    return found if isinstance(found, OutletCredentials) else None


class OutletHeadersMiddleware:
    """Sets the outlet's secret headers on requests to its host, and removes them from
    requests to any other host."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.get("AKHBAR_OUTLET"):
            raise NotConfigured("not a crawl of an outlet")
        return cls(crawler)

    def process_request(self, request: Request, spider: Any = None) -> None:
        credentials = credentials_of(self.crawler.spider)
        if credentials is None or not credentials.headers:
            return
        own_host = url_is_from_any_domain(request.url, [credentials.domain])
        for name, value in credentials.headers.items():
            if own_host:
                request.headers[name] = value
            else:
                request.headers.pop(name, None)
