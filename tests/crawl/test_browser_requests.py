"""What a browser-rendered page asks for is asked by the crawl: a real crawl drives Debian's
chromium against a site on 127.0.0.1 behind a login (basic auth and a secret header), whose
article pages are filled in by a script from a JSON endpoint and load images, a script that
robots.txt disallows, and an image from the outlet's CDN (the same server as ``localhost``).
The credentials go with the page's requests to the outlet's host only, robots.txt keeps the
disallowed script unfetched, the outlet's concurrency of 1 holds for the page's requests
too, and the WARC holds a redaction instead of each credential. A recrawl whose page shell
is unchanged but whose article (its JSON) changed keeps the shell as a revisit and records
the article's new version."""

from __future__ import annotations

import base64
import gzip
import json
import secrets
import shutil
import threading
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler import service
from crawler.context import open_context
from tests.spiders.sites import Site, reply

pytestmark = pytest.mark.skipif(
    shutil.which("chromium") is None and shutil.which("chromium-browser") is None,
    reason="chromium is not installed (apt-get install chromium)")

ARTICLES = ("one", "two")
IMAGES = 3
APP_JS = b"""
fetch("/news/api/" + document.body.dataset.slug + ".json").then(r => r.json()).then(a => {
  const box = document.createElement("article");
  box.innerHTML = "<h1></h1><p></p>";
  box.querySelector("h1").textContent = a.title;
  box.querySelector("p").textContent = a.text;
  document.body.append(box);
});
"""
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhg"
                       "GAWjR9awAAAABJRU5ErkJggg==")


class Watch:
    """What the site saw: each request's host, path and headers; the most image requests
    it was working on at once (before answering any of them)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.seen: list[tuple[str, str, dict[str, str]]] = []
        self.busy = 0
        self.most = 0

    def saw(self, host: str, path: str, headers: dict[str, str]) -> None:
        with self.lock:
            self.seen.append((host, path, headers))

    def work(self) -> None:
        with self.lock:
            self.busy += 1
            self.most = max(self.most, self.busy)
        time.sleep(0.2)  # long enough for the page's images to overlap, were they let
        with self.lock:
            self.busy -= 1


def _site(watch: Watch, basic: str, key: str, edition: list[str]) -> Site:
    def handle(h: BaseHTTPRequestHandler) -> None:
        host = h.headers.get("Host", "").split(":")[0]
        watch.saw(host, h.path, dict(h.headers.items()))
        answer(h, host)

    def answer(h: BaseHTTPRequestHandler, host: str) -> None:
        port = h.server.server_address[1]
        if h.path == "/robots.txt":
            reply(h, 200, b"User-agent: *\nDisallow: /news/private/\n")
            return
        if host == "localhost":  # the CDN: no login
            reply(h, 200, PNG, Content_Type="image/png")
            return
        if h.headers.get("Authorization") != basic or h.headers.get("X-Api-Key") != key:
            reply(h, 401, b"login needed", WWW_Authenticate='Basic realm="news"')
            return
        slug = h.path.strip("/").split("/")[-1].removesuffix(".json")
        if h.path == "/news/":
            links = "".join(f'<a href="/news/a/{s}/">{s}</a>' for s in ARTICLES)
            reply(h, 200, f"<html><body>{links}</body></html>".encode(),
                  Content_Type="text/html")
        elif h.path.startswith("/news/a/"):
            images = "".join(f'<img src="/news/img/{slug}-{i}.png">' for i in range(IMAGES))
            page = (f'<html><head><title>shell</title><script defer src="/news/app.js"></script>'
                    f'<script src="/news/private/track.js"></script></head>'
                    f'<body data-slug="{slug}">{images}'
                    f'<img src="http://localhost:{port}/cdn/{slug}.png"></body></html>')
            reply(h, 200, page.encode(), Content_Type="text/html")
        elif h.path == "/news/app.js":
            reply(h, 200, APP_JS, Content_Type="text/javascript")
        elif h.path.startswith("/news/api/"):
            told = edition[0] if slug == "one" else "once"
            text = " ".join([f"The {slug} story, as its readers saw it {told} logged in."] * 20)
            reply(h, 200, json.dumps({"title": f"Story {slug}", "text": text}).encode(),
                  Content_Type="application/json")
        elif h.path.startswith("/news/img/"):
            watch.work()
            reply(h, 200, PNG, Content_Type="image/png")
        else:
            reply(h, 404, b"")

    return Site(handle)


def test_a_pages_requests_obey_robots_politeness_and_carry_credentials_home_only(
        tmp_path: Path) -> None:
    password, key = f"pw-{secrets.token_hex(6)}", f"key-{secrets.token_hex(6)}"
    basic = "Basic " + base64.b64encode(f"reader:{password}".encode()).decode()
    config, data = tmp_path / "config", tmp_path / "data"
    (config / "outlets").mkdir(parents=True)
    env = {"AKHBAR_CONFIG": str(config), "AKHBAR_HOME": str(data),
           "AKHBAR_SECRET_NEWS_LOGIN": f"reader:{password}", "AKHBAR_SECRET_NEWS_KEY": key,
           "AKHBAR_EXTRACT_WORKERS": "0"}
    watch = Watch()
    edition = ["once"]
    with _site(watch, basic, key, edition) as site:
        (config / "outlets" / "authjs.yaml").write_text(
            f"id: authjs\nname: Auth JS\nhomepage: {site.base_url}/news/\nlanguages: [en]\n"
            f"discovery: {{listings: [{site.base_url}/news/]}}\n"
            "articles: {allow: ['/news/a/']}\nlimits: {max_depth: 1}\n"
            "politeness: {obey_robots: true, delay: 0, concurrency: 1}\n"
            "auth: {basic: NEWS_LOGIN, headers: {X-Api-Key: NEWS_KEY}}\n"
            "render: browser\nbrowser: {allow_hosts: [localhost], screenshot: false}\n",
            encoding="utf-8")
        ctx = open_context(env=env)
        targets, _ = service.pick_outlets(ctx, ["authjs"])
        report = service.crawl(ctx, targets)
        # The same HTML shell, a changed article in its JSON: a new version all the same.
        edition[0] = "again"
        first = set((data / "warcs").rglob("*.warc.gz"))
        again = service.crawl(ctx, targets).outcomes[0]
    assert again.status == "succeeded", again
    assert again.stats.get("akhbar/articles/changed") == 1, again.stats
    assert again.stats.get("akhbar/articles/unchanged") == 1, again.stats
    shells = [r.rec_headers.get_header("WARC-Type")
              for path in set((data / "warcs").rglob("*.warc.gz")) - first
              for r in ArchiveIterator(path.open("rb"))
              if r.rec_headers.get_header("WARC-Target-URI", "").startswith("http")
              and r.rec_headers.get_header("WARC-Target-URI", "").endswith("/news/a/one/")
              and r.rec_type in ("response", "revisit")]
    assert shells == ["revisit"], shells
    verified = service.verify(ctx)
    assert verified.ok, [str(p) for p in verified.problems]
    outcome = report.outcomes[0]
    assert outcome.status == "succeeded", outcome
    texts = {a["title"]: a["text"] for a in service.iter_articles(ctx, service.ArticleQuery())}
    assert set(texts) == {f"Story {s}" for s in ARTICLES}, "the logged-in XHR filled them in"
    assert "saw it again logged in" in texts["Story one"]

    paths = [path for _, path, _ in watch.seen]
    assert not [p for p in paths if p.startswith("/news/private/")], "robots.txt said no"
    log = (data / "runs" / f"{outcome.run_id}.log").read_text(encoding="utf-8")
    refused = [e for e in map(json.loads, log.splitlines()) if e.get("event") == "browser_refused"]
    assert {e["url"] for e in refused} == {f"{site.base_url}/news/private/track.js"}, refused
    assert all("robots.txt" in e["reason"] for e in refused), refused
    assert sum(p.startswith("/news/img/") for p in paths) == 2 * IMAGES * len(ARTICLES)
    # concurrency: 1 holds for what the browser asks: one image at a time
    assert watch.most == 1, watch.most
    own = [h for host, p, h in watch.seen if host == "127.0.0.1" and p != "/robots.txt"]
    cdn = [(p, h) for host, p, h in watch.seen if host == "localhost"]
    assert {p for p, _ in cdn} >= {f"/cdn/{s}.png" for s in ARTICLES}
    assert all(h.get("Authorization") == basic and h.get("X-Api-Key") == key for h in own)
    for _, headers in cdn:
        assert "Authorization" not in headers and "X-Api-Key" not in headers, headers

    warc_text = b""
    requests = []
    for path in sorted((data / "warcs").rglob("*.warc.gz")):
        warc_text += gzip.decompress(path.read_bytes())
        with path.open("rb") as stream:
            requests += [r.http_headers for r in ArchiveIterator(stream)
                         if r.rec_type == "request"]
    api = [h for h in requests if "/news/api/" in h.statusline]
    assert api and all(h.get_header("X-Api-Key") == "[redacted by akhbar: secret NEWS_KEY]"
                       for h in api)
    assert password.encode() not in warc_text and key.encode() not in warc_text
