"""``demo_js``: a demo outlet whose articles are written into the page by JavaScript.

An article URL serves an empty shell; its script fetches the article from a JSON endpoint
(``/demo_js/api/articles/<slug>.json``) and builds the page from it, so a plain fetch sees
no text at all and only a browser (``render: browser``) archives it. The shell also loads a
"tracker" from another host (``localhost`` instead of ``127.0.0.1``: the same server, so a
request to it would be seen), which a browser-rendered outlet must never fetch unless it
allows that host.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from . import assets

JS_OUTLET_ID = "demo_js"
CONTENT = Path(__file__).parent / "content" / f"{JS_OUTLET_ID}.json"
TRACKER_PATH = "/tracker.js"
_ARTICLE = re.compile(r"^/(\d{4})/(\d{2})/([^/]+)/$")
_API = re.compile(r"^/api/articles/([^/]+)\.json$")

APP_JS = """\
(async function () {
  const story = document.getElementById("story");
  const answer = await fetch(story.dataset.api);
  const article = await answer.json();
  document.title = article.title;
  const box = document.createElement("article");
  const h1 = document.createElement("h1");
  h1.textContent = article.title;
  const byline = document.createElement("p");
  byline.className = "byline";
  const time = document.createElement("time");
  time.dateTime = article.published;
  time.textContent = article.published.slice(0, 10);
  byline.append(article.author + " · ", time);
  box.append(h1, byline);
  for (const text of article.paragraphs) {
    const p = document.createElement("p");
    p.textContent = text;
    box.append(p);
  }
  story.replaceChildren(box);
})();
"""

SITE_CSS = """\
body { font-family: sans-serif; max-width: 46rem; margin: 2rem auto; line-height: 1.6; }
header { border-bottom: 3px solid #124; padding-bottom: .5rem; }
header img { vertical-align: middle; }
.byline { color: #555; }
"""


class JsResponse(NamedTuple):
    status: int
    body: bytes
    content_type: str


@dataclass(frozen=True)
class JsArticle:
    slug: str
    lang: str
    published: datetime
    author: str
    title: str
    paragraphs: tuple[str, ...]

    @property
    def path(self) -> str:
        return f"/{JS_OUTLET_ID}/{self.published:%Y/%m}/{self.slug}/"

    def to_json(self) -> bytes:
        data = {"title": self.title, "author": self.author, "lang": self.lang,
                "published": self.published.isoformat(), "paragraphs": list(self.paragraphs)}
        return json.dumps(data, ensure_ascii=False).encode("utf-8")


@dataclass(frozen=True)
class JsOutlet:
    id: str
    name: str
    languages: tuple[str, ...]
    articles: tuple[JsArticle, ...]

    def find(self, year: str, month: str, slug: str) -> JsArticle | None:
        return next((a for a in self.articles if a.slug == slug
                     and f"{a.published:%Y}" == year and f"{a.published:%m}" == month), None)


def _article(raw: dict[str, Any]) -> JsArticle:
    return JsArticle(slug=raw["slug"], lang=raw["lang"],
                     published=datetime.fromisoformat(raw["published"]), author=raw["author"],
                     title=raw["title"], paragraphs=tuple(raw["paragraphs"]))


@cache
def load_js_outlet(path: Path = CONTENT) -> JsOutlet:
    raw = json.loads(path.read_text(encoding="utf-8"))
    return JsOutlet(id=raw["id"], name=raw["name"], languages=tuple(raw["languages"]),
                    articles=tuple(_article(a) for a in raw["articles"]))


def _shell(outlet: JsOutlet, article: JsArticle, base_url: str, port: int) -> str:
    root = f"/{outlet.id}"
    direction = "rtl" if article.lang in ("ar", "fa") else "ltr"
    return f"""<!DOCTYPE html>
<html lang="{article.lang}" dir="{direction}">
<head>
<meta charset="utf-8">
<title>{html.escape(outlet.name)}</title>
<link rel="canonical" href="{base_url}{article.path}">
<link rel="stylesheet" href="{root}/static/site.css">
<script src="{root}/static/app.js" defer></script>
<script src="http://localhost:{port}{TRACKER_PATH}" async></script>
</head>
<body>
<header><img src="{root}/static/logo.png" alt="" width="16" height="16">
<a href="{root}/">{html.escape(outlet.name)}</a></header>
<main id="story" data-api="{root}/api/articles/{article.slug}.json"></main>
<noscript>This page needs JavaScript.</noscript>
</body>
</html>
"""


def _sitemap(outlet: JsOutlet, base_url: str) -> str:
    urls = "".join(f"<url><loc>{base_url}{a.path}</loc>"
                   f"<lastmod>{a.published.date().isoformat()}</lastmod></url>"
                   for a in outlet.articles)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>\n')


def _home(outlet: JsOutlet) -> str:
    links = "".join(f'<li><a href="{a.path}">{html.escape(a.title)}</a></li>'
                    for a in outlet.articles)
    return (f'<!DOCTYPE html><html lang="fa" dir="rtl"><meta charset="utf-8">'
            f"<title>{html.escape(outlet.name)}</title><ul>{links}</ul></html>")


def respond_js(rest: str, base_url: str, port: int) -> JsResponse:
    """The answer to ``/demo_js<rest>``."""
    outlet = load_js_outlet()
    if rest in ("", "/"):
        return JsResponse(200, _home(outlet).encode("utf-8"), "text/html; charset=utf-8")
    if rest == "/sitemap.xml":
        return JsResponse(200, _sitemap(outlet, base_url).encode("utf-8"),
                          "application/xml; charset=utf-8")
    static = {"/static/app.js": (APP_JS.encode(), "text/javascript; charset=utf-8"),
              "/static/site.css": (SITE_CSS.encode(), "text/css; charset=utf-8"),
              "/static/logo.png": (assets.png(rgb=(18, 36, 68)), "image/png")}.get(rest)
    if static is not None:
        return JsResponse(200, *static)
    match = _ARTICLE.match(rest)
    if match and (article := outlet.find(*match.groups())) is not None:
        return JsResponse(200, _shell(outlet, article, base_url, port).encode("utf-8"),
                          "text/html; charset=utf-8")
    match = _API.match(rest)
    if match and (found := next((a for a in outlet.articles if a.slug == match.group(1)),
                                None)) is not None:
        return JsResponse(200, found.to_json(), "application/json; charset=utf-8")
    return JsResponse(404, b"<!DOCTYPE html><title>404</title><h1>Not found</h1>",
                      "text/html; charset=utf-8")


def tracker() -> JsResponse:
    return JsResponse(200, b"/* a third-party tracker: never fetched by akhbar */\n",
                      "text/javascript")


def js_outlet_yaml(base_url: str) -> str:
    """``config/outlets/demo_js.yaml`` for the demo site at ``base_url``."""
    outlet = load_js_outlet()
    root = f"{base_url.rstrip('/')}/{outlet.id}"
    return (
        "# demo outlet: served by `akhbar demo` on 127.0.0.1; its articles are built by\n"
        "# JavaScript from a JSON endpoint, so they are rendered in headless Chromium\n"
        f"id: {outlet.id}\n"
        f'name: "{outlet.name}"\n'
        f"homepage: {root}/\n"
        f"languages: [{', '.join(outlet.languages)}]\n"
        'schedule: "0 */6 * * *"\n'
        "timezone: Asia/Tehran\n"
        "discovery:\n"
        f"  sitemaps: [{root}/sitemap.xml]\n"
        "articles:\n"
        f"  allow: ['/{outlet.id}/\\d{{4}}/\\d{{2}}/[^/]+/$']\n"
        "limits: {max_articles: 50, max_depth: 1, max_duration: 5m}\n"
        "politeness: {obey_robots: true, delay: 0, concurrency: 2}\n"
        "render: browser\n"
        "browser: {max_time: 30s, max_bytes: 5MB, max_requests: 50, third_parties: block}\n"
    )
