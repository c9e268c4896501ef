"""The HTTP API (FastAPI; OpenAPI at ``/docs``). Routes only parse input, call the service,
and shape the answer; every error akhbar raises on purpose becomes a clear JSON message."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from crawler import service
from crawler.api.research import research_router
from crawler.catalog import Run
from crawler.errors import AkhbarError, ArchiveLookupError, RunError
from crawler.scheduler import SchedulerService
from crawler.web import web_router

logger = logging.getLogger(__name__)


class RunRequest(BaseModel):
    outlet: str = Field(description="the id of the outlet to crawl now, through the queue")


def run_json(run: Run) -> dict[str, Any]:
    return service.run_record(run)


def create_app(scheduler: SchedulerService) -> FastAPI:
    """The API of one running service (its scheduler, dispatcher and context)."""
    ctx = scheduler.ctx
    app = FastAPI(title="akhbar",
                  summary="News archiving: outlets, schedules, runs, articles, captures")

    @app.exception_handler(AkhbarError)
    async def _akhbar_error(_request: Request, exc: AkhbarError) -> JSONResponse:
        text = str(exc)
        missing = ("no run '", "has no schedule", "no valid outlet")
        not_found = isinstance(exc, ArchiveLookupError) or (
            isinstance(exc, RunError) and any(m in text for m in missing))
        status = 404 if not_found else 409
        return JSONResponse({"detail": text}, status_code=status)

    app.include_router(research_router(ctx))
    app.include_router(web_router(ctx, scheduler))

    @app.get("/healthz")
    def healthz() -> dict[str, Any]:
        return {"status": "ok", **scheduler.status()}

    @app.get("/outlets")
    def outlets() -> dict[str, Any]:
        result = service.outlets(ctx)
        return {"outlets": [o.model_dump(mode="json") for o in result.outlets.values()],
                "errors": [e.render() for e in result.errors]}

    @app.get("/schedules")
    def schedules() -> list[dict[str, Any]]:
        return [e.to_dict() for e in scheduler.schedules()]

    @app.post("/schedules/reload")
    def reload() -> dict[str, Any]:
        return scheduler.reload().to_dict()

    @app.post("/schedules/{outlet}/pause")
    def pause(outlet: str) -> dict[str, Any]:
        scheduler.pause(outlet)
        return {"outlet": outlet, "paused": True}

    @app.post("/schedules/{outlet}/resume")
    def resume(outlet: str) -> dict[str, Any]:
        scheduler.resume(outlet)
        return {"outlet": outlet, "paused": False}

    @app.get("/runs")
    def runs(outlet: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        return [run_json(r) for r in service.list_runs(ctx, outlet, limit)]

    @app.get("/runs/{run_id}")
    def run(run_id: str) -> dict[str, Any]:
        found = service.get_run(ctx, run_id)
        if found is None:
            raise HTTPException(404, f"no run '{run_id}'; GET /runs lists the runs")
        return run_json(found)

    @app.post("/runs", status_code=201)
    def enqueue(body: RunRequest) -> dict[str, Any]:
        return run_json(scheduler.run_now(body.outlet))

    @app.post("/runs/{run_id}/cancel")
    def cancel(run_id: str) -> dict[str, Any]:
        return run_json(scheduler.cancel(run_id))

    return app
