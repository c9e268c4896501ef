"""The WARC capture of every exchange: a downloader middleware on the downloader side of
compression, redirect and cache (:class:`WarcCaptureMiddleware`), over
:class:`archive.RotatingWarcWriter`.

The other downloader middlewares of :mod:`crawler.crawl.middlewares` (lazy decompression, the
proxy) are Scrapy's with small changes; retries with backoff are :mod:`crawler.crawl.retry`,
the time limit :mod:`crawler.crawl.deadline`.
"""

from __future__ import annotations

import errno
import logging
import socket
from collections.abc import Mapping
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from scrapy import signals
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Request, Response
from scrapy.utils.httpobj import urlparse_cached

from archive import (
    CompressedBlock,
    HttpExchange,
    RotatingWarcWriter,
    WarcRecordRef,
    payload_digest,
)
from crawler.crawl import signals as akhbar_signals
from crawler.crawl.browser.fetch import BROWSER_FETCH
from crawler.crawl.browser.page import RENDERED, RenderedPage
from crawler.crawl.compat import close_spider
from crawler.crawl.credentials import credentials_of
from crawler.crawl.items import CaptureInfo, PreviousCapture, TaggedArticle
from crawler.runs.states import DISK_FULL
from crawler.storage import ArchiveStorage, storage_at

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http.headers import Headers

logger = logging.getLogger(__name__)

#: Request kinds kept as revisits when unchanged: articles, and page requisites
#: (crawler.crawl.requisites). Only articles are asked for conditionally: a requisite's
#: revisit must be "identical-payload-digest" (with the 200's headers), because replay
#: tools (pywb) play a "server-not-modified" revisit as the empty 304 it recorded, and a
#: changed page's unchanged images would not show.
REVISITED_KINDS = frozenset({"article", "requisite"})


def _header_pairs(headers: Headers) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for name, values in headers.items():
        key = name.decode("latin-1")
        for value in values:
            pairs.append((key, value.decode("latin-1")))
    return pairs


def exchange_from(request: Request, response: Response, fetched_at: datetime,
                  redactions: Mapping[str, str] | None = None) -> HttpExchange:
    """Build the archive's view of one HTTP exchange from Scrapy's objects. A request header
    named in ``redactions`` (lower case) is written with that text for its value."""
    req_headers = _header_pairs(request.headers)
    if redactions:
        req_headers = [(k, redactions.get(k.lower(), v)) for k, v in req_headers]
    if not any(k.lower() == "host" for k, _ in req_headers):
        # Scrapy's cached parse of the URL (the offsite middleware made it already).
        req_headers.insert(0, ("Host", urlparse_cached(request).netloc))
    try:
        reason = HTTPStatus(response.status).phrase
    except ValueError:
        reason = ""
    protocol = response.protocol or "HTTP/1.1"
    if protocol.lower() == "http/1.1":
        protocol = "HTTP/1.1"
    return HttpExchange(
        url=response.url,
        method=request.method,
        request_headers=req_headers,
        request_body=request.body or b"",
        status=response.status,
        reason=reason,
        protocol=protocol.upper() if protocol.lower().startswith("http/") else "HTTP/1.1",
        response_headers=_header_pairs(response.headers),
        body=response.body,
        fetched_at=fetched_at,
        ip_address=str(response.ip_address) if response.ip_address else None,
    )


def _header(ex: HttpExchange, name: str) -> str | None:
    return next((v for k, v in ex.response_headers if k.lower() == name), None)


def capture_info(
    ex: HttpExchange, ref: WarcRecordRef, refers_to: PreviousCapture | None = None
) -> CaptureInfo:
    return CaptureInfo(
        url=ex.url,
        status=ex.status,
        content_type=_header(ex, "content-type"),
        captured_at=ex.fetched_at,
        warc_file=ref.warc_file,
        warc_offset=ref.offset,
        warc_length=ref.length,
        payload_digest=ref.payload_digest,
        record_id=ref.record_id,
        record_type=ref.record_type,
        etag=_header(ex, "etag"),
        last_modified=_header(ex, "last-modified"),
        refers_to=refers_to,
    )


class WarcCaptureMiddleware:
    """Writes every request/response pair, as received, to the run's WARC files.

    Sits on the downloader side of compression, redirect and cache, so it sees compressed
    bodies and each redirect hop; it never decodes a body. The WARC work itself is done by
    :class:`archive.RotatingWarcWriter`.
    """

    def __init__(
        self,
        writer: RotatingWarcWriter,
        crawler: Crawler,
        previous: dict[str, PreviousCapture] | None = None,
        previous_requisites: dict[str, PreviousCapture] | None = None,
        previous_resources: dict[str, PreviousCapture] | None = None,
    ) -> None:
        self.writer = writer
        self.crawler = crawler
        self.capture_written = akhbar_signals.SignalSender(crawler,
                                                           akhbar_signals.capture_written)
        self.previous = previous or {}
        self.previous_requisites = previous_requisites or {}
        #: The last rendered DOM and screenshot of each page (``urn:dom:``, ``urn:view:``).
        self.previous_resources = previous_resources or {}
        self.stopping_for_disk = False
        self.storage: ArchiveStorage | None = None
        #: Whether a requisite archived now may be asked for again by this crawl: only a
        #: browser asks again (on every page). Otherwise the spider asks for each URL once,
        #: and remembering every requisite's capture grew the crawl process with its URLs.
        self.requisites_asked_again = True

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        data_dir = settings.get("AKHBAR_DATA_DIR")
        run_id = settings.get("AKHBAR_RUN_ID")
        if not data_dir or not run_id:
            raise NotConfigured("AKHBAR_DATA_DIR and AKHBAR_RUN_ID are needed to write WARC files")
        outlet = settings.get("AKHBAR_OUTLET") or "unknown"
        from archive.linesink import CdxjLineSink  # index lines made as records are written

        storage = storage_at(Path(data_dir))
        # A worker's host name (AKHBAR_HOST, else the machine's) ends each of its file names.
        host = settings.get("AKHBAR_HOST") or socket.gethostname()
        writer = RotatingWarcWriter(
            storage.warcs_dir,
            outlet,
            run_id=run_id,
            max_size=settings.getint("AKHBAR_WARC_MAX_SIZE"),
            host=host,
            warcinfo={
                "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
                "http-header-user-agent": settings.get("USER_AGENT", ""),
                "hostname": host,
            },
            line_sink=CdxjLineSink(),
        )
        database_url = settings.get("AKHBAR_DATABASE_URL")
        rendered = settings.get("AKHBAR_RENDER") == "browser"
        mw = cls(writer, crawler, *_previous_captures(database_url, outlet, rendered=rendered))
        mw.storage = storage
        mw.requisites_asked_again = rendered
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(mw.write_article_metadata, signal=akhbar_signals.article_extracted)
        return mw

    def process_request(self, request: Request, spider: Any = None) -> None:
        """Make article requests conditional on the last capture's validators (not the
        browser's: a page must be given a whole answer)."""
        if request.meta.get("akhbar_kind") != "article" or request.meta.get(BROWSER_FETCH):
            return
        prev = self.previous.get(request.url)
        if prev is None:
            return
        if prev.etag:
            request.headers.setdefault(b"If-None-Match", prev.etag.encode("latin-1"))
        if prev.last_modified:
            request.headers.setdefault(b"If-Modified-Since", prev.last_modified.encode("latin-1"))
        request.meta["handle_httpstatus_list"] = [
            *request.meta.get("handle_httpstatus_list", []),
            304,
        ]

    def process_response(
        self, request: Request, response: Response, spider: Any = None
    ) -> Response:
        rendered = request.meta.get(RENDERED)
        if isinstance(rendered, RenderedPage):
            self.write_rendered(request, rendered)
            return response
        credentials = credentials_of(self.crawler.spider)
        ex = exchange_from(request, response, datetime.now(UTC),
                           credentials.redactions if credentials else None)
        prev = (
            self._previous_of(request.meta.get("akhbar_kind")).get(request.url)
        )
        profile = None
        if prev is not None and response.status == 304:
            profile = "server-not-modified"
        elif (
            prev is not None
            and response.status == 200
            and payload_digest(response.body) == prev.payload_digest
        ):
            profile = "identical-payload-digest"
        try:
            if prev is not None and profile is not None:
                ref = self.writer.write_revisit(
                    ex,
                    refers_to_uri=prev.url,
                    refers_to_date=prev.captured_at,
                    refers_to_record_id=prev.record_id,
                    payload_digest=prev.payload_digest,
                    profile=profile,
                )
            else:
                ref = self.writer.write_exchange(ex)
                prev = None
        except OSError as exc:
            if exc.errno != errno.ENOSPC:
                raise
            self.disk_full(exc)
            raise IgnoreRequest(f"not archived, the disk is full: {request.url}") from exc
        info = capture_info(ex, ref, prev)
        request.meta["akhbar_capture"] = info
        if (prev is None and info.status == 200 and self.requisites_asked_again
                and request.meta.get("akhbar_kind") == "requisite"):
            # The next page of this crawl that asks for it (a browser asks on every page)
            # gets a revisit of this capture, not a copy.
            self.previous_requisites[info.url] = PreviousCapture(
                info.url, info.record_id, info.captured_at, info.payload_digest, info.etag,
                info.last_modified)
        stats = self.crawler.stats
        if stats is not None:
            stats.inc_value(f"akhbar/warc/{ref.record_type}")
            stats.inc_value("akhbar/warc/bytes", ref.length)
        self.capture_written.send(capture=info)
        return response

    def write_rendered(self, request: Request, page: RenderedPage) -> None:
        """Write what the browser made of one page: the rendered DOM and the screenshot as
        ``resource`` records (``urn:dom:<url>``, ``urn:view:<url>``, as Browsertrix names
        its views) linked to the page's response (or revisit) by ``WARC-Concurrent-To``,
        each with its catalog row. Every exchange of the page was archived as it came
        (:mod:`crawler.crawl.browser.fetch`). The capture the spider and the catalog get is
        the page's own response; the article's text comes from the DOM, so whether it
        changed is judged by the catalog on the text."""
        document = page.document.capture if page.document is not None else None
        request.meta["akhbar_capture"] = document
        if document is None:
            return
        for prefix, content, kind in (
            ("urn:dom:", page.dom, "text/html; charset=utf-8"),
            ("urn:view:", page.screenshot, "image/png"),
        ):
            if content is None:
                continue
            uri = prefix + page.final_url
            prev = self.previous_resources.get(uri)
            same = prev is not None and payload_digest(content) == prev.payload_digest
            try:
                ref = self.writer.write_resource(
                    target_uri=uri, content=content, content_type=kind,
                    concurrent_to=document.record_id, date=document.captured_at,
                    repeats=(prev.record_id, prev.captured_at) if same and prev else None)
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
                self.disk_full(exc)
                raise IgnoreRequest(f"not archived, the disk is full: {request.url}") from exc
            self._count(ref.record_type, ref.length)
            if not same:
                self.previous_resources[uri] = PreviousCapture(
                    uri, ref.record_id, document.captured_at, ref.payload_digest, None, None)
            info = CaptureInfo(
                url=uri, status=200, content_type=kind,
                captured_at=document.captured_at, warc_file=ref.warc_file,
                warc_offset=ref.offset, warc_length=ref.length,
                payload_digest=ref.payload_digest, record_id=ref.record_id,
                record_type=ref.record_type)
            self.capture_written.send(capture=info)

    def _count(self, record_type: str, length: int) -> None:
        stats = self.crawler.stats
        if stats is not None:
            stats.inc_value(f"akhbar/warc/{record_type}")
            stats.inc_value("akhbar/warc/bytes", length)

    def _previous_of(self, kind: str | None) -> dict[str, PreviousCapture]:
        if kind == "article":
            return self.previous
        return self.previous_requisites if kind == "requisite" else {}

    def disk_full(self, exc: OSError) -> None:
        """Stop the crawl once, with one clear line: nothing more can be archived. The WARC
        files are closed (or, if even that fails, cut after their last whole record by the
        run's owner)."""
        if self.stopping_for_disk:
            return
        self.stopping_for_disk = True
        logger.critical("the disk holding %s is full (%s): stopping the crawl; free some "
                        "space, then `akhbar verify --repair`", self.writer.root, exc.strerror,
                        extra={"event": "disk_full"})
        close_spider(self.crawler, DISK_FULL)

    def write_article_metadata(self, article: TaggedArticle, capture: CaptureInfo,
                               metadata: CompressedBlock | None = None) -> None:
        """The article's metadata record: ``metadata``, its JSON as an extraction worker
        made it (deflated), or made here."""
        try:
            self.writer.write_metadata(
                target_uri=capture.url, concurrent_to=capture.record_id,
                content=metadata if metadata is not None else article.to_json()
            )
        except OSError as exc:
            if exc.errno != errno.ENOSPC:
                raise
            self.disk_full(exc)  # the article's text stays in the catalog

    def spider_closed(self, spider: Any = None, reason: str = "") -> None:
        files = self.writer.close()
        if self.storage is not None:
            self.storage.stored(self.writer.outlet, files)
        logger.info(
            "closed %d WARC file(s)", len(files), extra={"event": "warc_closed", "files": files}
        )
        # The CDXJ index (<data>/index/<outlet>.cdxj, beside warcs/) learns of the closed
        # files now. A failure must not fail the crawl: `akhbar verify` reports unindexed
        # records and `akhbar reindex` rebuilds the index.
        try:
            _index_warc_files(self.writer, files)
        except Exception:
            logger.exception(
                "could not index %d WARC file(s); run `akhbar reindex`", len(files),
                extra={"event": "index_failed", "files": files},
            )


def _index_warc_files(writer: RotatingWarcWriter, files: list[str]) -> None:
    """Merge the index lines the writer's line sink made while writing (sorted per WARC
    file, in temporary files) into <data>/index/<outlet>.cdxj; a file the sink could not
    index exactly is read again by cdxj-indexer (see :mod:`archive.linesink`)."""
    from archive.linesink import CdxjLineSink

    sink = writer.line_sink or CdxjLineSink()  # an empty sink reads every file again
    sink.merge_into(writer.root.parent / "index", writer.root, files)


def _previous_captures(
    database_url: str | None, outlet: str, *, rendered: bool
) -> tuple[dict[str, PreviousCapture], dict[str, PreviousCapture], dict[str, PreviousCapture]]:
    """The outlet's last capture of each page, of each requisite and (``rendered``) of each
    rendered resource: read over one connection (each catalog opened costs a crawl ~4 ms of
    CPU before its first request)."""
    if not database_url:
        return {}, {}, {}
    from crawler.catalog import Catalog
    from crawler.catalog.writer import load_previous_captures

    # Migrates the schema when needed: this is the crawl's first use of the catalog.
    catalog = Catalog(database_url)
    try:
        return (load_previous_captures(catalog, outlet),
                load_previous_captures(catalog, outlet, requisites=True),
                load_previous_captures(catalog, outlet, resources=True) if rendered else {})
    finally:
        catalog.dispose()
