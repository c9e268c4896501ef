"""schemathesis over the API's own OpenAPI document: requests generated from it, as an admin,
never get a 500 (an answer the code did not mean to give). A few examples an operation, on an
in-process app over an empty catalog whose dispatcher is not started (no crawl is run)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from crawler.api import create_app
from crawler.scheduler.service import SchedulerService
from tests.auth.support import BASE_URL, auth_headers
from tests.scheduler.helpers import make_ctx, manual_scheduler, outlet_yaml


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[object, dict[str, str]]]:
    tmp: Path = tmp_path_factory.mktemp("schemathesis")
    outlets = tmp / "config" / "outlets"
    outlets.mkdir(parents=True)
    (outlets / "cairo_news.yaml").write_text(outlet_yaml("cairo_news", "http://127.0.0.1:9"))
    ctx = make_ctx(tmp, None)
    service = SchedulerService(ctx, scheduler=manual_scheduler(ctx))
    service.start(dispatch=False)
    try:
        yield create_app(service), auth_headers(ctx)
    finally:
        service.stop()
        ctx.close()


def test_no_request_the_schema_allows_gets_a_500(api: tuple[object, dict[str, str]]) -> None:
    app, headers = api
    # The host the service answers to (auth.allowed_hosts), not the test client's own.
    schema = schemathesis.openapi.from_asgi("/openapi.json", app,
                                            headers={**headers, "Host": "127.0.0.1"})
    checked = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.method.upper() == "DELETE" or "token" in operation.path \
                or "users" in operation.path:
            continue  # an admin could revoke the very token the test uses: 401s after that

        @given(case=operation.as_strategy())
        @settings(max_examples=5, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def no_500(case: schemathesis.Case) -> None:
            case.call_and_validate(base_url=BASE_URL, headers=headers,
                                   checks=[not_a_server_error])

        no_500()
        checked.append(f"{operation.method.upper()} {operation.path}")
    assert len(checked) >= 20, checked
