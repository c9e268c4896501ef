"""What the outlet spider says about requests that came to nothing: failed downloads (in
words, :mod:`crawler.crawl.reasons`), pages refused by robots.txt, redirects to pages already
fetched, requisites that could not be had. Each is logged once, with an ``event``, and
counted where the run's verdict (crawler.runs.judge) needs it."""

from __future__ import annotations

import logging

from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, StopDownload
from scrapy.http import Request, Response
from twisted.python.failure import Failure

from crawler.crawl.reasons import failure_reason, size_words

logger = logging.getLogger(__name__)

ARTICLE = "article"


def report_dropped(crawler: Crawler, request: Request) -> None:
    """A request Scrapy dropped: only a redirect's is worth a word. Its target was asked for
    already, so Scrapy's duplicate filter dropped it silently; a loop is a problem on the
    site, so it says so."""
    hops = request.meta.get("redirect_urls")
    if not hops:
        return
    chain = " -> ".join([*hops, request.url])
    if request.url in hops:
        logger.warning(
            "redirect loop, not archived: %s", chain,
            extra={"event": "redirect_loop", "url": hops[0], "chain": [*hops, request.url]},
        )
        if crawler.stats is not None:
            crawler.stats.inc_value("akhbar/redirect_loops")
    else:
        logger.info(
            "redirected to a page already fetched: %s", chain,
            extra={"event": "redirect_known", "url": hops[0], "target": request.url},
        )


def report_failure(crawler: Crawler, failure: Failure, max_size: int) -> None:
    """Log why a request failed, in words, and count it (an article's as a failed
    article); a page robots.txt refused is policy, not failure."""
    request = failure.request  # type: ignore[attr-defined]
    if failure.check(IgnoreRequest) and "robots.txt" in failure.getErrorMessage():
        logger.info(
            "disallowed by robots.txt: %s",
            request.url,
            extra={"event": "robots_disallowed", "url": request.url},
        )
        return
    # HttpError carries Scrapy's response; Twisted's ResponseFailed (Scrapy 2.13) its own.
    response = getattr(failure.value, "response", None)
    status = response.status if isinstance(response, Response) else None
    reason = failure_reason(failure, max_size=max_size,
                            timeout=request.meta.get("download_timeout"))
    stats = crawler.stats
    if stats is not None:
        stats.inc_value("akhbar/requests_failed")
        if request.meta.get("akhbar_kind") == ARTICLE:
            # crawler.runs.judge: a run whose every article failed is not a success.
            stats.inc_value("akhbar/articles/failed")
    logger.warning(
        "failed: %s (%s)",
        request.url,
        reason,
        extra={
            "event": "request_failed",
            "url": request.url,
            "status": status,
            "error": failure.type.__name__ if failure.type else None,
            "reason": reason,
        },
    )


def report_requisite_failure(crawler: Crawler, failure: Failure, max_size: int,
                             max_page_bytes: int) -> None:
    """A requisite that could not be had (robots.txt, 404, too large, over its page's
    bytes) is noted, not an error of the run: its page is archived all the same."""
    request = failure.request  # type: ignore[attr-defined]
    if failure.check(StopDownload):  # crawler.crawl.requisites: counted over the caps
        reason = (f"its page's requisites reached capture.max_page_bytes "
                  f"({size_words(max_page_bytes)}); stopped, not archived")
    else:
        reason = failure_reason(
            failure, max_size=int(request.meta.get("download_maxsize", max_size)),
            timeout=request.meta.get("download_timeout"))
    try:
        stats = crawler.stats
    except RuntimeError:  # not crawling (a spider built for a unit test)
        stats = None
    if stats is not None and not failure.check(StopDownload):
        stats.inc_value("akhbar/requisites/failed")
    # One answered with an HTTP error (a missing image's 404: one per article in the bench)
    # is in the run's log already, as its "fetched" line (URL, status, kind): its line here
    # is DEBUG. Each cost ~90 us at INFO, through every handler of every run of a shared
    # crawl process (~1.7% of its CPU; bench/README.md, issue 11, round 6).
    answered = not failure.check(StopDownload) and isinstance(
        getattr(failure.value, "response", None), Response)
    logger.log(logging.DEBUG if answered else logging.INFO,
               "requisite not archived: %s (%s), for %s", request.url, reason,
               request.meta.get("akhbar_page"),
               extra={"event": "requisite_failed", "url": request.url, "reason": reason})
