"""Build the generated site once (cached on disk) and serve it fast on 127.0.0.1.

``python -m bench.crawl.site --n 2000 --port 0`` prints ``serving http://127.0.0.1:PORT/``
and serves until interrupted. Pages are rendered once into one file per site (raw and gzip
bodies side by side) under the temp directory and memory-mapped; requests are answered by an
asyncio protocol with keep-alive, so the server costs well under a millisecond of CPU per
page. ``GET /__bench__/stats`` returns the request counters as JSON (no page links to it).
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import logging
import mmap
import multiprocessing
import os
import random
import shutil
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from email.utils import formatdate
from pathlib import Path

from . import render
from .model import ARTICLE_PATH, Site, SiteSpec

logger = logging.getLogger(__name__)

GENERATOR_VERSION = 1
STATS_PATH = "/__bench__/stats"
# Forgets the first request's time, so that the next request is timed as the first of a run.
MARK_PATH = "/__bench__/mark"
_LOGO = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                      "1f15c4890000000d4944415478da63f8cfc0f01f0005000201ffa1f1c4"
                      "0000000049454e44ae426082")
_HTML = "text/html; charset=utf-8"
_LAST_MODIFIED = "Fri, 20 Nov 2026 18:00:00 GMT"


def cache_dir(spec: SiteSpec) -> Path:
    root = Path(os.environ.get("AKHBAR_BENCH_CACHE", Path(tempfile.gettempdir()) / "akhbar-bench"))
    return root / f"site-{spec.key()}-g{GENERATOR_VERSION}"


def _render_chunk(args: tuple[SiteSpec, list[str]]) -> list[tuple[str, bytes, bytes]]:
    spec, paths = args
    site = _site_for(spec)
    out = []
    for path in paths:
        if ARTICLE_PATH.match(path):
            body: bytes | None = render.article_html(site, site.articles[_article_id(path)])
        else:
            body = render.page_html(site, path)
        assert body is not None, path
        out.append((path, body, gzip.compress(body, 6, mtime=0)))
    return out


_SITES: dict[SiteSpec, Site] = {}


def _site_for(spec: SiteSpec) -> Site:
    if spec not in _SITES:
        _SITES[spec] = Site(spec)
    return _SITES[spec]


def _article_id(path: str) -> int:
    return int(path.rstrip("/").rsplit("-", 1)[1])


def build(spec: SiteSpec, workers: int | None = None) -> Path:
    """Render every HTML page of ``spec`` into its cache directory (once) and return it."""
    target = cache_dir(spec)
    if (target / "index.json").exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=target.name + ".", dir=target.parent))
    started = time.monotonic()
    paths = _site_for(spec).html_paths()
    chunks = [(spec, paths[k:k + 50]) for k in range(0, len(paths), 50)]
    index: dict[str, list[int]] = {}
    workers = workers or min(2, os.cpu_count() or 1)
    with (tmp / "site.bin").open("wb") as fh:
        def append(results: list[tuple[str, bytes, bytes]]) -> None:
            for path, raw, packed in results:
                offset = fh.tell()
                fh.write(raw)
                fh.write(packed)
                index[path] = [offset, len(raw), offset + len(raw), len(packed)]

        if workers > 1 and len(chunks) > 4:
            ctx = multiprocessing.get_context("spawn")
            with ctx.Pool(workers) as pool:
                for results in pool.imap(_render_chunk, chunks):
                    append(results)
        else:
            for chunk in chunks:
                append(_render_chunk(chunk))
    (tmp / "index.json").write_text(json.dumps(index), encoding="utf-8")
    try:
        tmp.rename(target)
    except OSError:  # another process built it meanwhile
        shutil.rmtree(tmp, ignore_errors=True)
    logger.info("built %d pages in %.1fs: %s", len(index), time.monotonic() - started, target)
    return target


class SiteData:
    """The bodies a server answers with: mapped HTML pages plus XML rendered for a base URL."""

    def __init__(self, spec: SiteSpec, directory: Path) -> None:
        self.spec = spec
        self.site = _site_for(spec)
        self._fh = (directory / "site.bin").open("rb")
        self.blob = mmap.mmap(self._fh.fileno(), 0, access=mmap.ACCESS_READ)
        self.view = memoryview(self.blob)
        raw = json.loads((directory / "index.json").read_text(encoding="utf-8"))
        self.pages: dict[str, tuple[int, int, int, int]] = {k: tuple(v) for k, v in raw.items()}
        self.extra: dict[str, tuple[str, bytes, bytes]] = {}

    def set_base(self, base: str) -> None:
        docs: dict[str, tuple[str, bytes]] = {
            "/robots.txt": ("text/plain", render.robots_txt(base)),
            "/sitemap_index.xml": ("application/xml", render.sitemap_index_xml(self.site, base)),
            "/static/logo.png": ("image/png", _LOGO),
        }
        for lang in self.site.langs:
            docs[f"/{lang}/feed.xml"] = ("application/rss+xml; charset=utf-8",
                                         render.feed_xml(self.site, lang, base))
        for name in render.sitemap_names(self.site):
            body = render.sitemap_xml(self.site, name, base)
            assert body is not None
            docs[f"/sitemaps/{name}"] = ("application/xml", body)
        self.extra = {p: (ct, b, gzip.compress(b, 6, mtime=0)) for p, (ct, b) in docs.items()}

    def close(self) -> None:
        self.view.release()
        self.blob.close()
        self._fh.close()


class Counters:
    def __init__(self) -> None:
        self.requests = 0
        self.bytes = 0
        self.status: Counter[int] = Counter()
        self.gzip = 0
        self.connections = 0
        # Wall-clock time (epoch seconds) of the first page request since the last mark: a
        # crawler's start-up time is this minus the time its command was started.
        self.first_at: float | None = None
        self.last_at: float | None = None

    def to_dict(self) -> dict[str, object]:
        return {"requests": self.requests, "bytes": self.bytes, "gzip": self.gzip,
                "connections": self.connections, "status": dict(self.status),
                "first_request_at": self.first_at, "last_request_at": self.last_at,
                "pid": os.getpid()}


class _HttpProtocol(asyncio.Protocol):
    def __init__(self, data: SiteData, counters: Counters) -> None:
        self.data, self.counters = data, counters
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.counters.connections += 1

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while self.transport is not None:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(self.buffer) > 65536:
                    self.transport.close()
                return
            head, self.buffer = self.buffer[:end], self.buffer[end + 4:]
            self._answer(head)

    def _answer(self, head: bytes) -> None:
        assert self.transport is not None
        lines = head.decode("latin-1").split("\r\n")
        try:
            method, target, version = lines[0].split(" ", 2)
        except ValueError:
            self._send(400, "text/plain", b"bad request", False, False)
            return
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip().lower()
        keep = (headers.get("connection") != "close"
                and (version == "HTTP/1.1" or headers.get("connection") == "keep-alive"))
        wants_gzip = "gzip" in headers.get("accept-encoding", "")
        path = target.split("?", 1)[0].split("#", 1)[0]
        if path.startswith("http://"):
            path = "/" + path.split("/", 3)[-1]
        head_only = method == "HEAD"
        if path in (STATS_PATH, MARK_PATH):
            if path == MARK_PATH:
                self.counters.first_at = None
            stats = json.dumps(self.counters.to_dict()).encode()
            self._send(200, "application/json", stats, keep, False, count=False)
            if not keep:
                self.transport.close()
            return
        self.counters.last_at = time.time()
        if self.counters.first_at is None:
            self.counters.first_at = self.counters.last_at
        page = self.data.pages.get(path)
        if page is not None:
            off, size, gz_off, gz_size = page
            if wants_gzip:
                body = self.data.view[gz_off:gz_off + gz_size]
            else:
                body = self.data.view[off:off + size]
            self._send(200, _HTML, body, keep, wants_gzip, head_only)
        elif path in self.data.extra:
            ctype, raw, packed = self.data.extra[path]
            gz = wants_gzip and not ctype.startswith("image/")
            self._send(200, ctype, packed if gz else raw, keep, gz, head_only)
        else:
            self._send(404, _HTML, b"<html><body><h1>Not found</h1></body></html>", keep, False,
                       head_only)
        if not keep:
            self.transport.close()

    def _send(self, status: int, ctype: str, body: bytes | memoryview, keep: bool, gz: bool,
              head_only: bool = False, *, count: bool = True) -> None:
        assert self.transport is not None
        reason = {200: "OK", 400: "Bad Request", 404: "Not Found"}[status]
        extra = "Content-Encoding: gzip\r\n" if gz else ""
        head = (f"HTTP/1.1 {status} {reason}\r\nDate: {_date()}\r\nServer: akhbar-bench\r\n"
                f"Content-Type: {ctype}\r\nContent-Length: {len(body)}\r\n{extra}"
                f"Last-Modified: {_LAST_MODIFIED}\r\nVary: Accept-Encoding\r\n"
                f"Connection: {'keep-alive' if keep else 'close'}\r\n\r\n").encode("latin-1")
        self.transport.write(head)
        if not head_only:
            self.transport.write(body)
        if not count:  # the benchmark's own requests (stats, mark) are not the crawler's
            return
        c = self.counters
        c.requests += 1
        c.bytes += len(head) + (0 if head_only else len(body))
        c.status[status] += 1
        c.gzip += gz


_DATE: list[object] = [0, ""]


def _date() -> str:
    now = int(time.time())
    if _DATE[0] != now:
        _DATE[:] = [now, formatdate(now, usegmt=True)]
    return str(_DATE[1])


def port_range() -> range:
    """Where the benchmark may listen when asked for any port: ``AKHBAR_BENCH_PORTS``
    ("18200-18299" by default; "0" lets the system pick)."""
    low, _, high = os.environ.get("AKHBAR_BENCH_PORTS", "18200-18299").partition("-")
    return range(int(low), int(high or low) + 1)


async def open_server(spec: SiteSpec, counters: Counters, host: str = "127.0.0.1",
                      port: int = 0) -> tuple[asyncio.Server, SiteData, str]:
    """Listen for ``spec``'s site: the server, its bodies (close them after) and its base URL.
    Port 0 is the first free port of :func:`port_range`, tried from a random place in it."""
    data = SiteData(spec, build(spec))
    loop = asyncio.get_running_loop()
    ports = [port] if port else list(port_range())
    start = random.randrange(len(ports))
    for candidate in ports[start:] + ports[:start]:
        try:
            server = await loop.create_server(lambda: _HttpProtocol(data, counters), host,
                                              candidate, backlog=512, reuse_address=True)
            break
        except OSError:
            if candidate == ports[start - 1]:
                data.close()
                raise
    bound = server.sockets[0].getsockname()
    base = f"http://{bound[0]}:{bound[1]}"
    data.set_base(base)
    return server, data, base


async def serve(spec: SiteSpec, host: str = "127.0.0.1", port: int = 0,
                ready: asyncio.Future[str] | None = None) -> None:
    """Serve the site until cancelled; ``ready`` gets the base URL once listening."""
    server, data, base = await open_server(spec, Counters(), host, port)
    if ready is not None:
        ready.set_result(base)
    try:
        async with server:
            await server.serve_forever()
    finally:
        data.close()


def page_count(spec: SiteSpec) -> int:
    site = _site_for(spec)
    return len(site.html_paths()) + len(render.sitemap_names(site)) + len(site.langs) + 3


def iter_article_urls(spec: SiteSpec, base: str) -> Iterator[str]:
    for ref in _site_for(spec).articles:
        yield base + ref.path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.crawl.site", description=__doc__.split(
        "\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="articles (default 2000)")
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0,
                        help="0: a free port of AKHBAR_BENCH_PORTS (18200-18299)")
    parser.add_argument("--build-only", action="store_true", help="render the cache and exit")
    args = parser.parse_args(argv)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        parser.error("the benchmark site only listens on the loopback interface")
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    spec = SiteSpec(args.n, seed=args.seed)
    if args.build_only:
        print(build(spec))
        return 0

    async def run() -> None:
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[str] = loop.create_future()
        task = asyncio.ensure_future(serve(spec, args.host, args.port, ready))
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, task.cancel)
        base = await asyncio.wait_for(asyncio.shield(ready), timeout=3600)
        print(f"serving {base}/ ({spec.n} articles, {page_count(spec)} URLs)", flush=True)
        try:
            await task
        except asyncio.CancelledError:
            pass

    asyncio.run(run())
    return 0


if __name__ == "__main__":
    sys.exit(main())
