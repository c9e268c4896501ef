"""All the web pages as one router: ``/`` redirects to the dashboard under ``/ui/`` (the
search page for a role that does not see runs). Each group of pages asks for one permission:
runs and outlets for the operations pages, archive reading for the research pages."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from crawler.auth.guard import Guard
from crawler.auth.roles import Permission
from crawler.context import AkhbarContext
from crawler.scheduler.service import SchedulerService
from crawler.web.history import history_pages
from crawler.web.login import login_pages
from crawler.web.operations import operations_pages
from crawler.web.ops import ops_pages
from crawler.web.pages import UI, error_page, static_file
from crawler.web.research import research_pages


def web_router(ctx: AkhbarContext, scheduler: SchedulerService, guard: Guard) -> APIRouter:
    """The server-rendered pages of one running service. They call the same service
    functions as the CLI and the JSON API; buttons post to the JSON API."""
    router = APIRouter(include_in_schema=False)

    async def home_of(request: Request) -> RedirectResponse:
        principal = await run_in_threadpool(guard.principal, request)
        if principal.role is not None and not principal.can(Permission.RUNS_READ):
            return RedirectResponse(f"{UI}/search", status_code=307)
        return RedirectResponse(f"{UI}/", status_code=307)

    router.add_api_route("/", home_of, methods=["GET"])
    router.add_api_route(UI, home_of, methods=["GET"])

    @router.get(f"{UI}/static/{{name}}")
    def static(name: str) -> Response:
        return static_file(name)

    router.include_router(login_pages(guard))
    router.include_router(operations_pages(scheduler),
                          dependencies=[Depends(guard.require(Permission.RUNS_READ))])
    router.include_router(history_pages(scheduler),
                          dependencies=[Depends(guard.require(Permission.RUNS_READ))])
    router.include_router(ops_pages(ctx),
                          dependencies=[Depends(guard.require(Permission.RUNS_READ))])
    router.include_router(research_pages(ctx),
                          dependencies=[Depends(guard.require(Permission.ARCHIVE_READ))])

    @router.get(UI + "/{rest:path}")
    def not_found(request: Request, rest: str) -> Response:
        return error_page(request, 404, f"there is no page {UI}/{rest}; the pages are the "
                          "dashboard, outlets and search (links above)")

    return router
