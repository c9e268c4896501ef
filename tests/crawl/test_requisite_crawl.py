"""Page requisites in a real crawl (a child crawl process against a site on 127.0.0.1): a
page's requisite bytes never pass ``capture.max_page_bytes``, although all of its images are
asked for at once; and the outlet's concurrency holds for the crawl's own requests (pages and
requisites) with no delay, which Scrapy 2.19's downloader slot alone does not ensure."""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from tests.spiders.sites import Site, outlet_file, reply, run_crawl

PAGES = 2
IMAGES = 6
IMAGE_SIZE = 40_000
CHUNKS = 4
#: Two images fit (80,000 bytes), a third would not (120,000).
CAP = 100_000
CONCURRENCY = 2


class Busy:
    """The most requests the site was answering at once."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.now = 0
        self.most = 0

    def __enter__(self) -> None:
        with self.lock:
            self.now += 1
            self.most = max(self.most, self.now)

    def __exit__(self, *exc: object) -> None:
        with self.lock:
            self.now -= 1


def _site(busy: Busy) -> Site:
    def handle(h: BaseHTTPRequestHandler) -> None:
        with busy:
            if h.path == "/list/":
                links = "".join(f'<a href="/a/{n}/">{n}</a>' for n in range(PAGES))
                reply(h, 200, f"<html><body>{links}</body></html>".encode(),
                      Content_Type="text/html")
            elif h.path.startswith("/a/"):
                n = h.path.strip("/").split("/")[-1]
                images = "".join(f'<img src="/img/{n}-{i}.png">' for i in range(IMAGES))
                body = f"<html><body><h1>Story {n}</h1>{images}</body></html>".encode()
                time.sleep(0.1)  # a page, too, is seen answering beside others
                reply(h, 200, body, Content_Type="text/html")
            elif h.path.startswith("/img/"):
                _image(h)
            else:
                reply(h, 404, b"")

    return Site(handle)


def _image(h: BaseHTTPRequestHandler) -> None:
    """An image sent in slow chunks, so a page's images are in flight together."""
    h.send_response(200)
    h.send_header("Content-Type", "image/png")
    h.send_header("Content-Length", str(IMAGE_SIZE))
    h.end_headers()
    chunk = b"\x89" * (IMAGE_SIZE // CHUNKS)
    try:
        for _ in range(CHUNKS):
            h.wfile.write(chunk)
            h.wfile.flush()
            time.sleep(0.05)
    except OSError:  # the crawl stopped the download
        h.close_connection = True


def _crawl(tmp_path: Path, busy: Busy, capture: str) -> dict[str, int]:
    """Crawl the site; the bytes of images archived, by page."""
    with _site(busy) as site:
        outlet_file(tmp_path / "config", "caps", site.base_url,
                    f"politeness: {{obey_robots: false, delay: 0, concurrency: {CONCURRENCY}}}\n"
                    + capture)
        result = run_crawl(tmp_path, "caps")
    assert result.returncode == 0, result.log[-3000:]
    archived: dict[str, int] = defaultdict(int)
    for path in (tmp_path / "data" / "warcs").rglob("*.warc.gz"):
        with path.open("rb") as fh:
            for rec in ArchiveIterator(fh):
                uri = rec.rec_headers.get_header("WARC-Target-URI") or ""
                if rec.rec_type == "response" and "/img/" in uri:
                    page = uri.rsplit("/", 1)[-1].split("-")[0]
                    archived[page] += len(rec.content_stream().read())
    assert sorted(archived) == [str(n) for n in range(PAGES)], archived
    (tmp_path / "log.txt").write_text(result.log, encoding="utf-8")
    return archived


def test_a_pages_requisite_bytes_stay_within_its_cap(tmp_path: Path) -> None:
    """All six images of a page start at once (two at a time); the third to arrive
    overdraws the page's bytes and is stopped, and so is every one after it."""
    archived = _crawl(tmp_path, Busy(), f"capture: {{max_page_bytes: {CAP}}}\n")
    for page, size in archived.items():
        assert IMAGE_SIZE <= size <= CAP, (page, size)
    log = (tmp_path / "log.txt").read_text(encoding="utf-8")
    assert "reached capture.max_page_bytes" in log


def test_the_outlets_concurrency_holds_for_pages_and_requisites_with_no_delay(
        tmp_path: Path) -> None:
    """No download is stopped here (the site would count a stopped one as busy until it
    noticed). With CONCURRENT_REQUESTS left at 16, the site saw 9 at once."""
    busy = Busy()
    archived = _crawl(tmp_path, busy, "")
    assert all(size == IMAGES * IMAGE_SIZE for size in archived.values()), archived
    assert busy.most == CONCURRENCY, "the outlet's concurrency used, and never passed"
