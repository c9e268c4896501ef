"""The archivist's and ops' pages: the dashboard (runs, per-outlet state, counts), the outlets
with their schedules and config errors, and one run with its summary and log."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response

from crawler import service
from crawler.crawl.runlog import LEVELS
from crawler.ops.funnel import RunFunnel
from crawler.scheduler.service import SchedulerService
from crawler.service import runs as run_service
from crawler.service.metrics import catalog_metrics
from crawler.web.pages import UI, page, render

#: Runs on the dashboard, and log lines on a run page (the newest; the CLI has them all).
DASHBOARD_RUNS = 50
LOG_LINES = 1000
#: Seconds between reloads of a page while something is queued or running.
REFRESH_SECONDS = 3
ACTIVE = ("queued", "running")


def operations_pages(scheduler: SchedulerService) -> APIRouter:
    ctx = scheduler.ctx
    router = APIRouter(prefix=UI, include_in_schema=False)

    @router.get("/", response_class=HTMLResponse)
    @page
    def dashboard(*, request: Request) -> Response:
        runs = service.list_runs(ctx, limit=DASHBOARD_RUNS)
        metrics = catalog_metrics(ctx)
        active = service.active_runs(ctx)
        running = {r.outlet_id for r in active if r.status == "running"}
        queued = [r for r in active if r.status == "queued"]
        # Configured outlets that never ran are shown too: a silent outlet is news.
        outlets = sorted({o for o, _ in metrics.articles} | {r.outlet for r in metrics.last_runs}
                         | set(metrics.captures) | set(service.outlets(ctx).outlets))
        ran = {r.outlet for r in metrics.last_runs} | {r.outlet_id for r in active}
        paused = {e.outlet for e in scheduler.schedules() if e.paused}
        last = {r.outlet: r for r in metrics.last_runs}
        articles = {o: sum(n for (oo, _), n in metrics.articles.items() if oo == o)
                    for o in outlets}
        by_lang = {o: sorted((lang, n) for (oo, lang), n in metrics.articles.items() if oo == o)
                   for o in outlets}
        return render(request, "dashboard.html", title="Dashboard", runs=runs,
                      running=running, queued=queued, outlets=outlets, last=last,
                      last_success=metrics.last_success, articles=articles, by_lang=by_lang,
                      captures=metrics.captures, status=scheduler.status(), ran=ran,
                      paused=paused,
                      refresh=REFRESH_SECONDS * 2 if running or queued else None)

    @router.get("/outlets", response_class=HTMLResponse)
    @page
    def outlets(*, request: Request) -> Response:
        loaded = service.outlets(ctx)
        entries = {e.outlet: e for e in scheduler.schedules()}
        # An outlet whose file broke keeps its previous schedule (see sync_schedules).
        orphans = sorted(set(entries) - set(loaded.outlets))
        active = {r.outlet_id: r for r in service.list_runs(ctx, limit=DASHBOARD_RUNS)
                  if r.status in ACTIVE}
        return render(request, "outlets.html", title="Outlets", outlets=loaded.outlets,
                      entries=entries, orphans=orphans, errors=loaded.errors, active=active,
                      config_dir=ctx.config_dir, loaded_in_service=set(scheduler.outlets),
                      now=datetime.now(UTC))

    @router.get("/runs/{run_id}", response_class=HTMLResponse)
    @page
    def run(*, request: Request, run_id: str,
            level: str | None = Query(None, max_length=10)) -> Response:
        found = service.get_run(ctx, run_id)
        if found is None:
            raise HTTPException(404, f"no run '{run_id}'; the dashboard lists the latest runs")
        summary = service.run_summary(ctx, run_id)
        entries = run_service.run_log(ctx, run_id, level=level or None).entries
        return render(request, "run.html", title=f"Run {run_id}", run=found,
                      record=service.run_record(found), summary=summary,
                      funnel=RunFunnel.from_stats(found.stats), levels=LEVELS,
                      level=(level or "").lower(),
                      log=entries[-LOG_LINES:], log_total=len(entries), log_limit=LOG_LINES,
                      refresh=REFRESH_SECONDS if found.status in ACTIVE else None)

    return router
