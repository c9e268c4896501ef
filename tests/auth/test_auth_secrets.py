"""Secrets never show: after a real crawl into PostgreSQL through a database URL with a
password, tokens made with `akhbar users`, a login and a wrong token, neither the password
nor any token or session cookie appears in the logs, the data directory (run logs, stderr,
WARC files), the catalog's rows, or any answer of the API and the pages."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterator
from pathlib import Path

import lxml.html
import psycopg
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from crawler import service
from crawler.api import create_app
from crawler.cli import commands  # noqa: F401  (registers `akhbar users`)
from crawler.cli.main import cli
from crawler.context import open_context
from crawler.demosite import DemoSite
from crawler.scheduler.service import SchedulerService
from tests.auth.support import BASE_URL
from tests.scheduler.helpers import manual_scheduler
from tests.support import write_demo_config

#: Every route and page read back after the crawl (run ids are added).
PATHS = ["/healthz", "/outlets", "/schedules", "/runs", "/articles?text=true", "/metrics",
         "/ui/", "/ui/outlets", "/ui/search?q=a", "/openapi.json"]


def _catalog_text(url: str) -> str:
    """Every row of every table of the test's schema, as JSON text."""
    schema = url.split("search_path%3D", 1)[1]
    dsn = "host=127.0.0.1 port=5432 dbname=test user=postgres"
    with psycopg.connect(dsn, autocommit=True) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            (schema,))]
        assert {"users", "api_tokens", "web_sessions", "runs"} <= set(tables)
        return "\n".join(str(row[0]) for t in tables for row in conn.execute(
            f'SELECT row_to_json(t)::text FROM "{schema}"."{t}" t'))  # noqa: S608


@pytest.fixture
def secret_url(pg_url: str) -> Iterator[tuple[str, str]]:
    password = f"hunter2-{secrets.token_hex(6)}"  # trust auth: accepted, never checked
    yield pg_url.replace("postgres@", f"postgres:{password}@", 1), password


@pytest.mark.postgres
def test_no_secret_shows_in_logs_catalog_or_answers(
        tmp_path: Path, secret_url: tuple[str, str], pg_url: str,
        caplog: pytest.LogCaptureFixture) -> None:
    url, password = secret_url
    caplog.set_level(logging.DEBUG)
    env = {"AKHBAR_CONFIG": str(tmp_path / "config"), "AKHBAR_HOME": str(tmp_path / "data"),
           "AKHBAR_DATABASE_URL": url}
    with DemoSite(port=0) as site:
        write_demo_config(tmp_path / "config", site.base_url, ["demo_fa"])
        ctx = open_context(env=env)
        targets, _ = service.pick_outlets(ctx, ["demo_fa"])
        assert service.crawl(ctx, targets).ok
    runner = CliRunner()
    made = runner.invoke(cli, ["users", "add", "root", "--role", "admin"], env=env)
    assert made.exit_code == 0, made.output
    token = made.stdout.strip()
    renewed = runner.invoke(cli, ["users", "token", "root"], env=env)
    old_token, token = token, renewed.stdout.strip()
    wrong = token[:-4] + "AAAA"
    answers: list[str] = []
    cookies: list[str] = []
    sched = SchedulerService(ctx, scheduler=manual_scheduler(ctx))
    sched.start(dispatch=False)
    try:
        app = create_app(sched)
        with TestClient(app, base_url=BASE_URL,
                        headers={"Authorization": f"Bearer {token}"}) as client:
            runs = client.get("/runs").json()
            assert runs and runs[0]["status"] == "succeeded"
            paths = [*PATHS, f"/runs/{runs[0]['id']}", f"/ui/runs/{runs[0]['id']}"]
            for path in paths:
                answer = client.get(path)
                assert answer.status_code == 200, path
                answers.append(str(answer.headers) + answer.text)
            for bad in (wrong, old_token):
                refused = client.get("/runs", headers={"Authorization": f"Bearer {bad}"})
                assert refused.status_code == 401
                answers.append(str(refused.headers) + refused.text)
        with TestClient(app, base_url=BASE_URL, follow_redirects=False) as browser:
            form = browser.get("/ui/login").text
            for attempt in (wrong, token):
                csrf = lxml.html.fromstring(form).xpath("//input[@name='csrf_token']/@value")
                done = browser.post("/ui/login", data={"name": "root", "token": attempt,
                                                       "csrf_token": csrf[0]})
                # The cookie is given to the browser in Set-Cookie, and only there.
                kept = [(k, v) for k, v in done.headers.items() if k != "set-cookie"]
                answers.append(str(kept) + done.text)
                form = done.text
            assert done.status_code == 303
            cookies.append(browser.cookies["akhbar_session"])
            page = browser.get("/ui/")
            assert page.status_code == 200
            answers.append(str(page.headers) + page.text)
    finally:
        sched.stop()
        ctx.close()

    shown = {"the database password": password, "the token": token,
             "the replaced token": old_token, "the wrong token": wrong,
             "the token's secret part": token.split("_", 2)[2],
             "the session cookie": cookies[0]}
    files = [p for p in (tmp_path / "data").rglob("*") if p.is_file()]
    assert any(p.suffix == ".log" for p in files) and any(".warc" in p.name for p in files)
    catalog = _catalog_text(pg_url)
    assert "$argon2id$" in catalog, "the catalog was read"
    logged = caplog.text + "\n".join(r.getMessage() for r in caplog.records)
    for what, secret in shown.items():
        for answer in answers:
            assert secret not in answer, f"{what} is in an answer"
        assert secret not in logged, f"{what} is in the service's log"
        assert secret not in catalog, f"{what} is in the catalog"
        for path in files:
            assert secret.encode() not in path.read_bytes(), f"{what} is in {path}"
