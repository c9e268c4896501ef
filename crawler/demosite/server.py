"""The demo news site: one HTTP server on 127.0.0.1 serving every demo outlet under its prefix."""

from __future__ import annotations

import gzip
import hashlib
import logging
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qs, urlsplit

from . import assets
from .jsnews import JS_OUTLET_ID, TRACKER_PATH, JsResponse, respond_js, tracker
from .model import Outlet, SiteContent, load_content
from .render import Renderer

logger = logging.getLogger(__name__)

ROBOTS_TXT = "User-agent: *\nDisallow: /*/private/\n"
_ARTICLE = re.compile(r"^/(\d{4})/(\d{2})/([^/]+)/$")
_TEXT_TYPES = ("text/", "application/xml", "application/rss+xml", "application/atom+xml")
RequestRecord = tuple[str, str, dict[str, str]]


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    last_modified: datetime | None = None
    validators: bool = False  # send ETag (and honour conditional requests)


class DemoSite:
    """The demo site, served from a background thread.

    >>> with DemoSite() as site:  # doctest: +SKIP
    ...     urllib.request.urlopen(site.base_url + "/demo_en/")
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, edition: int = 1,
                 content: SiteContent | None = None) -> None:
        self.host = host
        self.port = port
        self.content = content or load_content()
        self._edition = 1
        self.set_edition(edition)
        self._lock = threading.Lock()
        self._requests: list[RequestRecord] = []
        self._flaky_served: set[str] = set()
        self._cache: dict[tuple[object, ...], Response] = {}
        #: Seconds demo_js's JSON endpoint waits before answering (tests of slow pages).
        self.js_api_delay = 0.0
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> DemoSite:
        if self._server is not None:
            return self
        self._server = _Server((self.host, self.port), _Handler, self)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
            name=f"demosite:{self.port}", daemon=True)
        self._thread.start()
        logger.info("demo site serving %s (edition %d)", self.base_url, self._edition)
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted (used by ``python -m``)."""
        self._server = _Server((self.host, self.port), _Handler, self)
        self.port = self._server.server_address[1]
        logger.info("demo site serving %s/ (edition %d); Ctrl-C stops", self.base_url,
                    self._edition)
        try:
            self._server.serve_forever(poll_interval=0.2)
        finally:
            self._server.server_close()
            self._server = None

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> DemoSite:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    # -- state -----------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def edition(self) -> int:
        return self._edition

    def set_edition(self, edition: int) -> None:
        if edition < 1:
            raise ValueError(f"edition must be 1 or more, got {edition}")
        self._edition = edition

    @property
    def requests(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._requests)

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    def record(self, method: str, path: str, headers: dict[str, str]) -> None:
        with self._lock:
            self._requests.append((method, path, headers))

    def first_hit(self, key: str) -> bool:
        with self._lock:
            if key in self._flaky_served:
                return False
            self._flaky_served.add(key)
            return True

    # -- routing ---------------------------------------------------------------------------
    def respond(self, raw_path: str) -> Response:
        parts = urlsplit(raw_path)
        path = parts.path
        if path == "/robots.txt":
            return Response(200, ROBOTS_TXT.encode(), "text/plain; charset=utf-8")
        if path == "/":
            links = "".join(
                f'<li><a href="/{o.id}/">{o.name}</a></li>' for o in self.content.outlets)
            html = f"<!DOCTYPE html><html lang=en><title>akhbar demo</title><ul>{links}</ul></html>"
            return Response(200, html.encode(), validators=True)
        segments = path.split("/", 2)
        if path == TRACKER_PATH or segments[1] == JS_OUTLET_ID:
            rest = "/" + segments[2] if len(segments) > 2 else ""
            if rest.startswith("/api/") and self.js_api_delay > 0:
                time.sleep(self.js_api_delay)  # this request's own thread
            js = tracker() if path == TRACKER_PATH else respond_js(rest, self.base_url, self.port)
            return self._js(js)
        outlet = self.content.outlet(segments[1])
        if outlet is None:
            return Response(404, b"<!DOCTYPE html><title>404</title><h1>Not found</h1>")
        rest = "/" + segments[2] if len(segments) > 2 else ""
        return self._outlet_response(outlet, rest, parse_qs(parts.query))

    def _outlet_response(self, outlet: Outlet, rest: str, query: dict[str, list[str]]) -> Response:
        edition = self._edition
        renderer = Renderer(outlet, self.base_url)
        root = renderer.root
        if rest == "":
            return Response(301, headers={"Location": f"{root}/"})
        if rest.startswith("/private/"):
            return self._html(outlet, renderer.private(outlet.prefix + rest))
        match = _ARTICLE.match(rest)
        if match and rest.endswith(".pdf/"):
            return Response(200, assets.pdf(), "application/pdf", validators=True)
        if match:
            year, month, slug = match.groups()
            article = outlet.find(year, month, slug, edition)
            if article is None:
                return self._html(outlet, renderer.error(404), 404)
            if article.flaky and self.first_hit(outlet.prefix + rest):
                return self._html(outlet, renderer.error(500), 500)
            revision = article.revision_for(edition)
            key = (self.base_url, outlet.id, article.slug, revision.edition if revision else 0)
            cached = self._cache.get(key)
            if cached is None:
                cached = self._html(outlet, renderer.article(article, edition))
                cached.last_modified = article.modified(edition)
                self._cache[key] = cached
            return cached
        if rest == "/":
            return self._html(outlet, renderer.home(edition))
        if rest == "/category/news/":
            try:
                page = int(query.get("page", ["1"])[0])
            except ValueError:
                page = 0
            if not 1 <= page <= renderer.page_count(edition):
                return self._html(outlet, renderer.error(404), 404)
            return self._html(outlet, renderer.listing(edition, page))
        xml = {
            "/feed.xml": renderer.feed,
            "/sitemap_index.xml": renderer.sitemap_index,
            "/sitemap-articles.xml": renderer.sitemap_articles,
            "/sitemap-news.xml": renderer.sitemap_news,
        }.get(rest)
        if xml is not None:
            kind = "application/atom+xml" if rest == "/feed.xml" and outlet.feed_format == "atom" \
                else "application/rss+xml" if rest == "/feed.xml" else "application/xml"
            return Response(200, xml(edition).encode("utf-8"), f"{kind}; charset=utf-8",
                            validators=True)
        for kind, render in (("tag", renderer.tag), ("author", renderer.author)):
            prefix = f"/{kind}/"
            if rest.startswith(prefix) and rest.endswith("/"):
                html = render(rest[len(prefix):-1], edition)
                if html is not None:
                    return self._html(outlet, html)
        if rest.startswith("/old/"):
            slug = rest[len("/old/"):].strip("/")
            target = next((a for a in outlet.live_articles(edition) if a.slug == slug), None)
            if target is not None:
                return Response(301, headers={"Location": renderer.url(target)})
        if rest in ("/loop/a/", "/loop/b/"):
            other = "b" if rest == "/loop/a/" else "a"
            return Response(302, headers={"Location": f"{root}/loop/{other}/"})
        if rest.startswith("/images/") and rest.endswith(".png"):
            return Response(200, assets.image(rest[len("/images/"):]), "image/png",
                            validators=True)
        if rest.startswith("/assets/") and rest[len("/assets/"):] in assets.STYLESHEETS:
            css = assets.STYLESHEETS[rest[len("/assets/"):]]
            return Response(200, css.encode(), "text/css; charset=utf-8", validators=True)
        if rest == "/assets/fonts/demo-sans.woff2":
            return Response(200, assets.font(), "font/woff2", validators=True)
        return self._html(outlet, renderer.error(404), 404)

    @staticmethod
    def _js(js: JsResponse) -> Response:
        return Response(js.status, js.body, js.content_type, validators=js.status == 200)

    @staticmethod
    def _html(outlet: Outlet, html: str, status: int = 200) -> Response:
        if outlet.encoding == "utf-8":
            return Response(status, html.encode("utf-8"), "text/html; charset=utf-8",
                            validators=status == 200)
        # The legacy outlet declares its charset only in the page's <meta http-equiv>.
        return Response(status, html.encode(outlet.encoding), "text/html",
                        validators=status == 200)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler],
                 site: DemoSite) -> None:
        self.site = site
        super().__init__(address, handler)


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:24] + '"'


def _not_modified(headers: dict[str, str], etag: str, last_modified: datetime | None) -> bool:
    if_none_match = headers.get("If-None-Match")
    if if_none_match is not None:
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        return "*" in tags or etag in tags
    since = headers.get("If-Modified-Since")
    if since and last_modified is not None:
        try:
            return last_modified.replace(microsecond=0) <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
    return False


def _accepts_gzip(value: str) -> bool:
    for token in value.split(","):
        name, _, params = token.strip().partition(";")
        if name.strip().lower() in ("gzip", "*"):
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    server_version = "AkhbarDemo/1.0"

    def do_GET(self) -> None:
        self._serve(send_body=True)

    def do_HEAD(self) -> None:
        self._serve(send_body=False)

    def _serve(self, send_body: bool) -> None:
        site = self.server.site
        headers = {k: v for k, v in self.headers.items()}
        site.record(self.command, self.path, headers)
        try:
            response = site.respond(self.path)
        except Exception:  # a bug in the demo must show up as a 500, not a dropped connection
            logger.exception("demo site failed on %s", self.path)
            response = Response(500, b"internal error", "text/plain; charset=utf-8")
        status, body = response.status, response.body
        out_headers = {"Content-Type": response.content_type, **response.headers}
        if response.validators:
            etag = _etag(body)
            out_headers["ETag"] = etag
            if response.last_modified is not None:
                out_headers["Last-Modified"] = format_datetime(
                    response.last_modified.astimezone(UTC), usegmt=True)
            if _not_modified(headers, etag, response.last_modified):
                status, body = 304, b""
                del out_headers["Content-Type"]
        if body and response.content_type.startswith(_TEXT_TYPES):
            out_headers["Vary"] = "Accept-Encoding"
            if _accepts_gzip(self.headers.get("Accept-Encoding", "")):
                body = gzip.compress(body, mtime=0)  # mtime=0: same bytes on every request
                out_headers["Content-Encoding"] = "gzip"
        self.send_response(status)
        for name, value in out_headers.items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body and status != 304:
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (stdlib signature)
        logger.info("%s %s", self.address_string(), format % args)
