"""The researcher's pages: search, an article (metadata, language, versions, captures), the
diff between two versions, and an archived page shown in a sandboxed frame."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from crawler import service
from crawler.context import AkhbarContext
from crawler.errors import QueryError
from crawler.replay.server import COLLECTION
from crawler.search.snippet import Snippet as SearchSnippet
from crawler.service import cdx
from crawler.web import present
from crawler.web.pages import UI, page, render

#: Search results per page; enough to scan, small enough to render fast.
SEARCH_LIMIT = 100

#: Headers for an archived body: it may carry scripts, forms and links to the live web.
#: ``sandbox`` (no allow-scripts) holds even when the body is opened outside the frame, and
#: ``default-src 'none'`` keeps the browser from fetching anything live while showing it.
ARCHIVED_BODY_CSP = ("sandbox; default-src 'none'; style-src 'unsafe-inline'; "
                     "img-src data:; font-src data:; media-src data:; frame-ancestors 'self'")
#: Longest search words and URL taken; a longer one is a 422 naming it.
MAX_QUERY = 200
MAX_URL = 4096


def research_pages(ctx: AkhbarContext) -> APIRouter:
    router = APIRouter(prefix=UI, include_in_schema=False)

    @router.get("/search", response_class=HTMLResponse)
    @page
    def search(*, request: Request, q: str = Query("", max_length=MAX_QUERY),
               outlet: str = Query("", max_length=100), lang: str = Query("", max_length=16),
               since: str = Query("", max_length=40)) -> Response:
        since_at, problem = present.parse_since(since)
        results: list[tuple[dict[str, Any], present.Snippet | SearchSnippet]] = []
        total: int | None = None
        total_exact = True
        if not problem:
            query = service.ArticleQuery(outlet=outlet or None, lang=lang or None,
                                         since=since_at, text=q.strip() or None,
                                         limit=SEARCH_LIMIT)
            try:
                if query.text:  # ranked, through the index, every match marked
                    found = service.search_articles(ctx, query)
                    total, total_exact = found.total, found.total_exact
                    results = [(hit.to_dict(), hit.snippet) for hit in found.hits]
                else:
                    results = [(rec, present.snippet(rec.get("text") or rec.get("description"),
                                                     None))
                               for rec in service.iter_articles(ctx, query)]
            except QueryError as exc:
                problem = str(exc)
        known = service.outlets(ctx).outlets
        return render(request, "search.html", 422 if problem else 200, title="Search",
                      q=q, outlet=outlet, lang=lang, since=since, problem=problem,
                      results=results, limit=SEARCH_LIMIT, outlets=known,
                      languages=("en", "ar", "fa", "und"), total=total,
                      total_exact=total_exact)

    @router.get("/article", response_class=HTMLResponse)
    @page
    def article(*, request: Request, url: str = Query(max_length=MAX_URL)) -> Response:
        rec = service.article_history(ctx, url)
        for version in rec["versions"]:
            version["at"] = service.parse_timestamp(version["captured_at"])
        captures = service.find_captures(ctx, service.CaptureQuery(rec["url"]))
        languages = rec.get("languages") or {}
        return render(request, "article.html", title=rec.get("title") or rec["url"], a=rec,
                      segments=present.segments(rec.get("text") or "", languages,
                                                rec.get("language")),
                      shares=sorted((languages.get("shares") or {}).items(),
                                    key=lambda kv: -kv[1]),
                      parts=languages.get("parts") or [], captures=captures,
                      calendar=present.outlet_calendar(rec.get("outlet_languages"),
                                                       rec.get("language")))

    @router.get("/article/diff", response_class=HTMLResponse)
    @page
    def diff(*, request: Request, url: str = Query(max_length=MAX_URL),
             old: int | None = Query(None, ge=1, le=1_000_000),
             new: int | None = Query(None, ge=1, le=1_000_000)) -> Response:
        rec = service.article_history(ctx, url)
        result = service.diff_versions(ctx, url, old, new)
        return render(request, "diff.html", title=f"Changes: {rec.get('title') or rec['url']}",
                      a=rec, d=result, rows=present.diff_rows(result.diff))

    @router.get("/capture", response_class=HTMLResponse)
    @page
    def capture(*, request: Request, url: str = Query(max_length=MAX_URL),
                at: str | None = Query(None, max_length=40)) -> Response:
        shown = service.show_capture(ctx, url, at, with_text=True)
        http = shown.payload_record.http_headers
        # A page archived through a browser: its scripts do not run in replay, so what its
        # readers saw is its rendered DOM, shown first.
        views = service.rendered_views(ctx, shown.capture.url or url, shown.capture.timestamp)
        return render(request, "capture.html", title=f"Archived: {shown.capture.url}",
                      shown=shown, info=shown.summary(), article=shown.article, views=views,
                      replay_src=f"/{COLLECTION}/{shown.capture.timestamp}/{shown.capture.url}",
                      dom_src=f"/{COLLECTION}/{shown.capture.timestamp}/{views['dom']}"
                      if "dom" in views else None,
                      content_type=http.get_header("Content-Type") if http else None,
                      encoding=http.get_header("Content-Encoding") if http else None)

    @router.get("/capture/body")
    @page
    def capture_body(*, request: Request, url: str = Query(max_length=MAX_URL),
                     at: str | None = Query(None, max_length=40)) -> Response:
        """The archived payload with its Content-Encoding undone, under its original
        Content-Type so the browser renders it; shown in the sandboxed frame."""
        shown = service.show_capture(ctx, url, at)
        http = shown.payload_record.http_headers
        # A resource (a rendered DOM, a screenshot) has no HTTP headers: its record's type.
        media = (http.get_header("Content-Type") if http else
                 shown.payload_record.headers.get_header("Content-Type")) \
            or "application/octet-stream"
        stamp = shown.capture.timestamp
        headers = {
            # Given as is: Starlette would add "charset=utf-8" to a bare text/html, and a
            # windows-1256 page that names its charset only in <meta> would turn to mojibake.
            "Content-Type": media,
            "Content-Security-Policy": ARCHIVED_BODY_CSP,
            "X-Content-Type-Options": "nosniff",
            # Shown in the capture page's frame: framed by the service itself, never others.
            "X-Frame-Options": "SAMEORIGIN",
            "X-Robots-Tag": "noindex",
            "X-Archive-Timestamp": stamp,
            "X-Archive-Url": shown.capture.url,
            # RFC 7089 (Memento): this is an archived representation, as of that time.
            **cdx.memento_headers(shown.capture.url or url, stamp, str(request.base_url)),
        }
        return Response(shown.payload_record.decoded_payload(), headers=headers)

    return router
