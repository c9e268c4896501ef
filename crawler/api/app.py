"""The HTTP API (FastAPI; OpenAPI at ``/docs``). Routes only parse input, call the service,
and shape the answer; every error akhbar raises on purpose becomes a clear JSON message whose
status comes from its class. Every route names the permission it needs (crawler.auth.roles);
every request first passes crawler.auth.middleware (allowed hosts, same-origin changes)."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import Depends, FastAPI, Path, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi_offline import FastAPIOffline
from pydantic import BaseModel, Field
from sqlalchemy.exc import DBAPIError

from crawler import service
from crawler.api.docs import docs_router
from crawler.api.research import research_router
from crawler.auth import Accounts, Permission
from crawler.auth.capacity import RequestSlots
from crawler.auth.guard import Guard
from crawler.auth.middleware import RequestGuard
from crawler.auth.statuses import http_status
from crawler.catalog import Run
from crawler.catalog.transient import describe, is_transient
from crawler.errors import AkhbarError, CatalogUnavailable, RunNotFound
from crawler.outlets.service import AuthConfig
from crawler.replay import PywbServer, replay_router
from crawler.scheduler.service import SchedulerService
from crawler.service import ops
from crawler.service import runs as run_service
from crawler.web import web_router
from crawler.web.pages import UI, error_page, page_error_response

logger = logging.getLogger(__name__)

#: Longest id accepted in a path or a body (outlet ids are at most 63 characters).
MAX_ID = 100
MAX_RUNS = 1000


class RunRequest(BaseModel):
    outlet: str = Field(max_length=MAX_ID,
                        description="the id of the outlet to crawl now, through the queue")


def run_json(run: Run) -> dict[str, Any]:
    return service.run_record(run)


def create_app(scheduler: SchedulerService, *, accounts: Accounts | None = None,
               auth: AuthConfig | None = None) -> FastAPI:
    """The API of one running service (its scheduler, dispatcher and context). Accounts are
    those of the service's catalog, and ``auth`` the ``auth:`` settings of its akhbar.yaml,
    unless given."""
    ctx = scheduler.ctx
    settings = auth or ctx.service.auth
    guard = Guard(accounts or Accounts(ctx.catalog), settings)
    if not guard.accounts.has_users():
        logger.warning("no user accounts yet: every request will be refused; "
                       "`akhbar users add NAME --role admin` makes the first admin")
    need = guard.require
    # fastapi-offline serves Swagger UI's files (no CDN); /docs is crawler.api.docs, whose
    # page needs no inline script. ReDoc is left out: it injects inline styles.
    app = FastAPIOffline(title="akhbar", docs_url=None, redoc_url=None,
                         summary="News archiving: outlets, schedules, runs, articles, captures")
    # The guard, added last, runs first: a refused request never waits for a slot.
    app.add_middleware(RequestSlots)
    app.add_middleware(RequestGuard, allowed_hosts=settings.allowed_hosts, ui_prefix=UI)

    @app.exception_handler(AkhbarError)
    async def _akhbar_error(request: Request, exc: AkhbarError) -> Response:
        status = http_status(exc)
        path = request.url.path
        if path == "/" or path.startswith(UI):
            return page_error_response(request, exc, status)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        if isinstance(exc, CatalogUnavailable):
            headers = {"Retry-After": "30"}
        return JSONResponse({"detail": str(exc)}, status_code=status, headers=headers)

    @app.exception_handler(DBAPIError)
    async def _catalog_away(request: Request, exc: DBAPIError) -> Response:
        """The catalog locked or away for a while (crawler.catalog.transient): 503 in words;
        the service goes on, and its own writes wait the outage out."""
        if not is_transient(exc):
            raise exc
        logger.warning("%s %s: %s; answered 503", request.method, request.url.path,
                       describe(exc))
        return await _akhbar_error(request, CatalogUnavailable(
            f"{describe(exc)}; try again in a minute"))

    @app.exception_handler(RequestValidationError)
    async def _bad_parameter(request: Request, exc: RequestValidationError) -> Response:
        """On a page, the message names each bad parameter; the API keeps FastAPI's list
        (each entry's ``loc`` names it)."""
        if request.url.path.startswith(UI):
            problems = "; ".join(f"{e['loc'][-1]}: {e['msg']}" for e in exc.errors())
            return error_page(request, 422, f"{problems}; change it and try again")
        return await request_validation_exception_handler(request, exc)

    app.include_router(docs_router(app.openapi_url or "/openapi.json"))
    app.include_router(research_router(ctx, guard))  # with /search, /export, /cdx, Memento
    # /replay/{timestamp}/{url}: pywb in a process of its own, started on first use and
    # stopped by whoever serves the app (app.state.replay.close()), or when this process ends
    replay = PywbServer(ctx.data_dir)
    app.state.replay = replay
    app.include_router(replay_router(replay, guard))
    app.include_router(web_router(ctx, scheduler, guard))

    probe = ops.HealthProbe(ctx)

    @app.get("/healthz", dependencies=[Depends(need(Permission.HEALTH_READ))])
    def healthz() -> Response:
        """The scheduler, the database and the disk; 503 when one of them fails."""
        health = probe.check(scheduler_running=scheduler.scheduler.running,
                             alerts_running=scheduler.alerts.running())
        body = {**scheduler.status(), **health.to_dict()}
        return JSONResponse(jsonable_encoder(body), status_code=200 if health.ok else 503)

    @app.get("/alerts", dependencies=[Depends(need(Permission.RUNS_READ))])
    def alerts(open: bool = True, kind: str | None = Query(None, max_length=40),
               outlet: str | None = Query(None, max_length=MAX_ID),
               limit: int = Query(200, ge=1, le=MAX_RUNS)) -> list[dict[str, Any]]:
        """Open alerts (``open=false``: cleared ones too), newest first."""
        return [a.to_dict() for a in ops.alerts(ctx, open_only=open, kind=kind,
                                                outlet=outlet, limit=limit)]

    @app.get("/outlets", dependencies=[Depends(need(Permission.OUTLETS_READ))])
    def outlets() -> dict[str, Any]:
        result = service.outlets(ctx)
        return {"outlets": [o.model_dump(mode="json") for o in result.outlets.values()],
                "errors": [e.render() for e in result.errors]}

    @app.get("/schedules", dependencies=[Depends(need(Permission.OUTLETS_READ))])
    def schedules() -> list[dict[str, Any]]:
        return [e.to_dict() for e in scheduler.schedules()]

    writes = [Depends(need(Permission.SCHEDULES_WRITE))]

    @app.post("/schedules/reload", dependencies=writes)
    def reload() -> dict[str, Any]:
        return scheduler.reload().to_dict()

    @app.post("/schedules/{outlet}/pause", dependencies=writes)
    def pause(outlet: str = Path(max_length=MAX_ID)) -> dict[str, Any]:
        scheduler.pause(outlet)  # RunNotFound (404) when it has no schedule
        return {"outlet": outlet, "paused": True}

    @app.post("/schedules/{outlet}/resume", dependencies=writes)
    def resume(outlet: str = Path(max_length=MAX_ID)) -> dict[str, Any]:
        scheduler.resume(outlet)
        return {"outlet": outlet, "paused": False}

    reads = [Depends(need(Permission.RUNS_READ))]

    @app.get("/runs", dependencies=reads)
    def runs(outlet: str | None = Query(None, max_length=MAX_ID),
             status: str | None = Query(None, max_length=20),
             limit: int = Query(50, ge=1, le=MAX_RUNS),
             offset: int = Query(0, ge=0)) -> list[dict[str, Any]]:
        """Newest first; ``status`` and ``outlet`` filter, ``offset`` pages."""
        return [run_json(r) for r in run_service.runs_page(
            ctx, outlet=outlet, status=status or None, limit=limit, offset=offset).runs]

    def existing(run_id: str) -> Run:
        found = service.get_run(ctx, run_id)
        if found is None:
            raise RunNotFound(f"no run '{run_id}'; GET /runs lists the runs")
        return found

    @app.get("/runs/{run_id}", dependencies=reads)
    def run(run_id: str = Path(max_length=MAX_ID)) -> dict[str, Any]:
        return run_json(existing(run_id))

    @app.get("/runs/{run_id}/funnel", dependencies=reads)
    def funnel(run_id: str = Path(max_length=MAX_ID)) -> dict[str, Any]:
        """What the run covered: discovered, matched, fetched, archived, extracted, tagged."""
        return ops.run_funnel(ctx, run_id).to_dict()

    @app.get("/runs/{run_id}/log", dependencies=reads)
    def run_log(run_id: str = Path(max_length=MAX_ID),
                level: str | None = Query(None, max_length=10),
                offset: int = Query(0, ge=0)) -> dict[str, Any]:
        """The run's log lines (at ``level`` or above) from byte ``offset`` on; the answer's
        ``offset`` is where to ask from next, to follow a live run."""
        part = run_service.run_log(ctx, run_id, level=level or None, offset=offset)
        return {"run_id": part.run_id, "entries": part.entries, "offset": part.offset}

    @app.post("/runs", status_code=201, dependencies=[Depends(need(Permission.RUNS_START))])
    def enqueue(body: RunRequest) -> dict[str, Any]:
        # run_now picks up an outlet file added since the last reload, or says what is wrong
        return run_json(scheduler.run_now(body.outlet))

    @app.post("/runs/{run_id}/cancel", dependencies=[Depends(need(Permission.RUNS_CANCEL))])
    def cancel(run_id: str = Path(max_length=MAX_ID)) -> dict[str, Any]:
        # The run book says 404 (no such run) or 409 (already ended), for the CLI alike.
        return run_json(scheduler.cancel(run_id))

    return app
