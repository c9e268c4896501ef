"""All the web pages as one router: ``/`` redirects to the dashboard under ``/ui/``."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from crawler.context import AkhbarContext
from crawler.scheduler import SchedulerService
from crawler.web.operations import operations_pages
from crawler.web.pages import UI, error_page, static_file
from crawler.web.research import research_pages


def web_router(ctx: AkhbarContext, scheduler: SchedulerService) -> APIRouter:
    """The server-rendered pages of one running service. They call the same service
    functions as the CLI and the JSON API; buttons post to the JSON API."""
    router = APIRouter(include_in_schema=False)

    @router.get("/")
    def home() -> RedirectResponse:
        return RedirectResponse(f"{UI}/", status_code=307)

    @router.get(UI)
    def ui_root() -> RedirectResponse:
        return RedirectResponse(f"{UI}/", status_code=307)

    @router.get(f"{UI}/static/{{name}}")
    def static(name: str) -> Response:
        return static_file(name)

    router.include_router(operations_pages(scheduler))
    router.include_router(research_pages(ctx))

    @router.get(UI + "/{rest:path}")
    def not_found(request: Request, rest: str) -> Response:
        return error_page(request, 404, f"there is no page {UI}/{rest}; the pages are the "
                          "dashboard, outlets and search (links above)")

    return router
