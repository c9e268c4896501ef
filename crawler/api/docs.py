"""``/docs``: Swagger UI from the files fastapi-offline ships (no CDN), started by a script
file of the pages instead of FastAPI's inline one, so the page runs under a CSP that allows
no inline script (``DOCS_CSP`` of crawler.auth.middleware)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

#: Where fastapi-offline mounts Swagger UI's files.
SWAGGER_FILES = "/static-offline-docs"

_PAGE = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>akhbar API</title>
<link rel="icon" href="{SWAGGER_FILES}/favicon.png">
<link rel="stylesheet" href="{SWAGGER_FILES}/swagger-ui.css"></head>
<body><div id="swagger-ui" data-openapi="{{openapi}}"></div>
<script src="{SWAGGER_FILES}/swagger-ui-bundle.js"></script>
<script src="/ui/static/docs.js"></script></body></html>
"""


def docs_router(openapi_url: str) -> APIRouter:
    router = APIRouter()
    page = _PAGE.replace("{openapi}", openapi_url)

    @router.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(page)

    return router
