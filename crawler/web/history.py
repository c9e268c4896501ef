"""Ops' history pages: every run (filtered by outlet and status, a page at a time) and one
page per outlet (its schedule, paused or not, next run, recent runs with their funnel and a
chart of articles per run, its alerts)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response

from crawler import service
from crawler.catalog import Run
from crawler.ops.funnel import RunFunnel
from crawler.scheduler.service import SchedulerService
from crawler.service import ops
from crawler.service import runs as run_service
from crawler.web.pages import UI, page, render

#: Runs on a page of the history, and on an outlet's page (its chart too).
HISTORY_PAGE = 50
OUTLET_RUNS = 30


@dataclass(frozen=True)
class Bar:
    """One run in an outlet's chart: articles seen, and the bar's place in the SVG."""

    run: Run
    seen: int
    x: int
    height: int


def bars(runs: list[Run], height: int = 80, width: int = 14) -> list[Bar]:
    """Oldest first, scaled to the tallest run."""
    ordered = list(reversed(runs))
    seen = [RunFunnel.from_stats(r.stats).articles_seen or
            (r.articles_new + r.articles_changed + r.articles_unchanged) for r in ordered]
    top = max(seen, default=0) or 1
    return [Bar(r, n, i * (width + 4), max(1 if n else 0, round(n * height / top)))
            for i, (r, n) in enumerate(zip(ordered, seen, strict=True))]


def history_pages(scheduler: SchedulerService) -> APIRouter:
    ctx = scheduler.ctx
    router = APIRouter(prefix=UI, include_in_schema=False)

    @router.get("/runs", response_class=HTMLResponse)
    @page
    def runs(*, request: Request, outlet: str | None = Query(None, max_length=100),
             status: str | None = Query(None, max_length=20),
             offset: int = Query(0, ge=0)) -> Response:
        found = run_service.runs_page(ctx, outlet=outlet or None, status=status or None,
                                      limit=HISTORY_PAGE, offset=offset)
        known = sorted(set(service.outlets(ctx).outlets) | {r.outlet_id for r in found.runs})
        return render(request, "runs.html", title="Runs", nav="runs", page=found,
                      outlet=outlet or "", status=status or "", outlets=known,
                      statuses=run_service.STATUSES)

    @router.get("/outlets/{outlet_id}", response_class=HTMLResponse)
    @page
    def outlet(*, request: Request, outlet_id: str) -> Response:
        config = service.outlets(ctx).outlets.get(outlet_id)
        recent = run_service.runs_page(ctx, outlet=outlet_id, limit=OUTLET_RUNS)
        if config is None and not recent.total:
            raise HTTPException(404, f"no outlet '{outlet_id}'; the outlets page lists them")
        entry = next((e for e in scheduler.schedules() if e.outlet == outlet_id), None)
        return render(request, "outlet.html", title=f"Outlet {outlet_id}", nav="outlets",
                      outlet_id=outlet_id, config=config, entry=entry, runs=recent,
                      funnels={r.id: RunFunnel.from_stats(r.stats) for r in recent.runs},
                      bars=bars(recent.runs), now=datetime.now(UTC),
                      alerts=ops.alerts(ctx, outlet=outlet_id, limit=50))

    return router
