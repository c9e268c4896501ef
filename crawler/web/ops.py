"""Ops' alerts page: the open alerts, the ones cleared lately, and each outlet's coverage
funnel (its last run: discovered, matched, fetched, archived, extracted, tagged)."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from crawler.context import AkhbarContext
from crawler.ops.alerts import KINDS
from crawler.service import ops
from crawler.web.pages import UI, page, render

#: Alerts shown (the newest); `akhbar alerts --all` has them all.
ALERTS_SHOWN = 200


def ops_pages(ctx: AkhbarContext) -> APIRouter:
    router = APIRouter(prefix=UI, include_in_schema=False)

    @router.get("/alerts", response_class=HTMLResponse)
    @page
    def alerts(*, request: Request, kind: str | None = Query(None, max_length=40),
               outlet: str | None = Query(None, max_length=100),
               cleared: bool = False) -> Response:
        kind = kind or None
        shown = ops.alerts(ctx, open_only=not cleared, kind=kind, outlet=outlet or None,
                           limit=ALERTS_SHOWN)
        return render(request, "alerts.html", title="Alerts", nav="alerts", alerts=shown,
                      kinds=KINDS, kind=kind or "", outlet=outlet or "", cleared=cleared,
                      coverage=ops.coverage(ctx))

    return router
