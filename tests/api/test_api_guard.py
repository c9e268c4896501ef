"""What the API refuses, over a real service (dispatcher not started): requests without a
valid token, roles reaching past their permissions, foreign Host headers, cross-site and
non-JSON changes, parameters out of bounds. Each refusal has its status and says what to do."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from crawler.api import create_app
from crawler.auth import Accounts, Role
from crawler.context import AkhbarContext
from crawler.scheduler.service import SchedulerService
from tests.auth.support import BASE_URL, add_user, client_as
from tests.scheduler.helpers import make_ctx, manual_scheduler, outlet_yaml

SITE = "http://127.0.0.1:9"


@dataclass
class Service:
    ctx: AkhbarContext
    app: FastAPI

    def as_role(self, role: Role | None) -> TestClient:
        return client_as(self.app, self.ctx, role)


def _service(tmp_path: Path, yaml: str = "") -> Iterator[Service]:
    outlets = tmp_path / "config" / "outlets"
    outlets.mkdir(parents=True)
    (tmp_path / "config" / "akhbar.yaml").write_text(yaml)
    (outlets / "cairo_news.yaml").write_text(outlet_yaml("cairo_news", SITE))
    ctx = make_ctx(tmp_path)
    sched = SchedulerService(ctx, scheduler=manual_scheduler(ctx))
    sched.start(dispatch=False)
    try:
        yield Service(ctx, create_app(sched))
    finally:
        sched.stop()
        ctx.close()


@pytest.fixture
def svc(tmp_path: Path) -> Iterator[Service]:
    yield from _service(tmp_path)


#: Every API route, with what it needs: (method, path, body).
READS = [("GET", "/articles"), ("GET", "/captures?url=http://x.example/"), ("GET", "/outlets"),
         ("GET", "/schedules"), ("GET", "/runs"), ("GET", "/metrics"), ("GET", "/healthz")]
CHANGES = [("POST", "/runs", {"outlet": "cairo_news"}), ("POST", "/schedules/reload", None),
           ("POST", "/schedules/cairo_news/pause", None),
           ("POST", "/schedules/cairo_news/resume", None)]


def test_without_a_token_every_route_is_401(svc: Service) -> None:
    with svc.as_role(None) as anon:
        for method, path in READS:
            answer = anon.request(method, path)
            assert answer.status_code == 401, path
            assert answer.headers["WWW-Authenticate"] == "Bearer"
            assert "Authorization: Bearer" in answer.json()["detail"]
        for method, path, body in CHANGES:
            assert anon.request(method, path, json=body).status_code == 401, path
        assert anon.post("/runs/nope/cancel").status_code == 401
        wrong = anon.get("/runs", headers={"Authorization": "Bearer akh_0123456789abcdef_"
                                           + "x" * 43})
        assert wrong.status_code == 401 and "akhbar users token" in wrong.json()["detail"]
        assert anon.get("/runs", headers={"Authorization": "Basic YWRtaW46eA=="}
                        ).status_code == 401


def test_each_role_is_refused_what_it_may_not_do(svc: Service,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    may = {
        Role.RESEARCHER: {"/articles", "/captures", "/outlets", "/schedules", "/healthz"},
        Role.OPS: {"/articles", "/captures", "/outlets", "/schedules", "/runs", "/metrics",
                   "/healthz"},
        Role.ARCHIVIST: {"/articles", "/captures", "/outlets", "/schedules", "/runs",
                         "/healthz"},
        Role.ADMIN: {p.split("?")[0] for _, p in READS},
    }
    changes = {Role.RESEARCHER: set(), Role.OPS: set(),
               Role.ARCHIVIST: {p for _, p, _ in CHANGES}, Role.ADMIN: {p for _, p, _ in CHANGES}}
    caplog.set_level(logging.WARNING, logger="crawler.auth")
    for role, allowed in may.items():
        with svc.as_role(role) as client:
            for method, path in READS:
                status = client.request(method, path).status_code
                expected = 200 if path.split("?")[0] in allowed else 403
                assert status == expected, (role, path, status)
            for method, path, body in CHANGES:
                answer = client.request(method, path, json=body)
                if path in changes[role]:
                    assert answer.status_code in (200, 201), (role, path, answer.text)
                else:
                    assert answer.status_code == 403, (role, path)
                    detail = answer.json()["detail"]
                    assert f"({role.value})" in detail and "ask an admin" in detail
    refused = [r.getMessage() for r in caplog.records if "refused POST /runs" in r.getMessage()]
    assert any("(researcher)" in m for m in refused), "a refusal is logged with who and what"


def test_ops_cancel_but_researcher_cannot(svc: Service) -> None:
    with svc.as_role(Role.ARCHIVIST) as archivist:
        run = archivist.post("/runs", json={"outlet": "cairo_news"}).json()
    with svc.as_role(Role.RESEARCHER) as researcher:
        assert researcher.post(f"/runs/{run['id']}/cancel").status_code == 403
    with svc.as_role(Role.OPS) as ops:
        assert ops.post(f"/runs/{run['id']}/cancel").json()["status"] == "cancelled"
        assert ops.post("/runs", json={"outlet": "cairo_news"}).status_code == 403


def test_a_disabled_user_is_refused_at_once(svc: Service) -> None:
    name, token = add_user(svc.ctx, Role.ADMIN)
    with TestClient(svc.app, base_url=BASE_URL,
                    headers={"Authorization": f"Bearer {token}"}) as client:
        assert client.get("/runs").status_code == 200
        Accounts(svc.ctx.catalog).set_disabled(name)
        assert client.get("/runs").status_code == 401


def test_a_foreign_host_is_400(svc: Service) -> None:
    with svc.as_role(Role.ADMIN) as admin:
        for host in ("evil.example", "evil.example:8631", "127.0.0.1.evil.example"):
            answer = admin.get("/healthz", headers={"Host": host})
            assert answer.status_code == 400, host
            assert "auth.allowed_hosts" in answer.json()["detail"]
        assert admin.post("/schedules/cairo_news/pause",
                          headers={"Host": "evil.example"}).status_code == 400
        for host in ("127.0.0.1:8631", "localhost", "[::1]:8631"):
            assert admin.get("/healthz", headers={"Host": host}).status_code == 200, host


def test_changes_must_be_same_origin_and_json(svc: Service) -> None:
    with svc.as_role(Role.ADMIN) as admin:
        pause = "/schedules/cairo_news/pause"
        cross = admin.post(pause, headers={"Origin": "http://localhost:9315"})
        assert cross.status_code == 403 and "own pages" in cross.json()["detail"]
        assert admin.post(pause, headers={"Origin": "null"}).status_code == 403
        assert admin.post(pause, headers={"Referer": "http://evil.example/x"}).status_code == 403
        text = admin.post(pause, content=b"x=1", headers={"Content-Type": "text/plain"})
        assert text.status_code == 415 and "application/json" in text.json()["detail"]
        form = admin.post("/runs", data={"outlet": "cairo_news"})
        assert form.status_code == 415
        assert admin.get("/schedules").json()[0]["paused"] is False, "nothing was paused"
        same = admin.post(pause, json={}, headers={"Origin": BASE_URL})
        assert same.status_code == 200 and same.json()["paused"] is True


def test_open_metrics_healthz_and_anonymous_reading(tmp_path: Path) -> None:
    yaml = "auth:\n  anonymous_read: true\n  open_metrics: true\n  open_healthz: true\n"
    for svc in _service(tmp_path, yaml):
        with svc.as_role(None) as anon:
            for path in ("/healthz", "/metrics", "/runs", "/outlets", "/articles"):
                assert anon.get(path).status_code == 200, path
            assert anon.post("/runs", json={"outlet": "cairo_news"}).status_code == 401
            assert anon.post("/schedules/cairo_news/pause").status_code == 401
        with svc.as_role(Role.RESEARCHER) as researcher:
            assert researcher.get("/metrics").status_code == 200  # open to all


def test_parameters_out_of_bounds_are_422_naming_them(svc: Service) -> None:
    with svc.as_role(Role.ADMIN) as admin:
        cases = {
            "/runs?limit=99999999999999999999999": "limit",
            "/runs?limit=0": "limit",
            "/runs?outlet=" + "x" * 500: "outlet",
            "/articles?q=" + "a" * 60_000: "q",
            "/articles?q=" + "ن" * 201: "q",
            "/articles?since=yesterday": "since",
            "/articles?limit=-1": "limit",
            "/captures?url=http://x.example/&from=someday": "from",
            "/captures?url=http://x.example/&match=everything": "match",
            "/captures?url=http://x.example/&filter=url:(": "filter",
            "/captures?url=http://x.example/&filter=url:(a)\\1": "filter",
            "/captures?url=http://x.example/&filter=" + "u" * 400: "filter",
            "/captures?url=http://x.example/&limit=10000000000": "limit",
            "/articles/diff?url=http://x.example/&old=0": "old",
        }
        for path, name in cases.items():
            answer = admin.get(path)
            assert answer.status_code == 422, (path[:80], answer.status_code)
            detail = answer.json()["detail"]
            named = detail.startswith(f"{name}:") if isinstance(detail, str) else any(
                e["loc"][-1] == name for e in detail)
            assert named, (path[:80], detail)
        assert admin.get("/runs/" + "r" * 200).status_code == 422
        unknown = admin.post("/runs", json={"outlet": "x" * 200})
        assert unknown.status_code == 422


def test_answers_carry_security_headers(svc: Service) -> None:
    with svc.as_role(Role.ADMIN) as admin:
        for path in ("/runs", "/healthz", "/nowhere"):
            headers = admin.get(path).headers
            assert headers["X-Content-Type-Options"] == "nosniff"
            assert headers["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in admin.get("/runs").headers["Content-Security-Policy"]


def test_every_refusal_is_logged_with_who_and_what(svc: Service,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    """One warning per refusal, naming the method and path (or the login) and who asked: the
    user and role, or the address when no user is known yet; never the token presented."""
    name, token = add_user(svc.ctx, Role.RESEARCHER, name="rana")
    wrong = token[:-4] + "AAAA"
    caplog.set_level(logging.WARNING)
    cases: list[tuple[int, list[str]]] = []
    with svc.as_role(None) as anon, TestClient(svc.app, base_url=BASE_URL, headers={
            "Authorization": f"Bearer {token}"}, follow_redirects=False) as rana:
        def refused(answer: object, status: int, *words: str) -> None:
            assert getattr(answer, "status_code", None) == status, (status, words)
            cases.append((status, list(words)))

        refused(anon.get("/runs"), 401, "GET /runs", "anonymous", "testclient")
        refused(anon.get("/runs", headers={"Authorization": f"Bearer {wrong}"}), 401,
                "GET /runs", "an unknown token")
        refused(rana.post("/runs", json={"outlet": "cairo_news"}), 403, "POST /runs",
                "rana (researcher)")
        refused(rana.get("/ui/outlets"), 403, "GET /ui/outlets", "rana (researcher)")
        refused(rana.get("/runs", headers={"Host": "evil.example"}), 400, "GET /runs",
                "testclient", "evil.example")
        refused(rana.post("/schedules/cairo_news/pause", headers={"Origin": "http://evil.example"}),
                403, "POST /schedules/cairo_news/pause", "testclient", "http://evil.example")
        refused(rana.post("/runs", content=b"x", headers={"Content-Type": "text/plain"}), 415,
                "POST /runs", "testclient")
        form = anon.get("/ui/login").text
        csrf = form.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        refused(anon.post("/ui/login", data={"name": name, "token": wrong, "csrf_token": csrf}),
                401, "login as 'rana'", "testclient")
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING
                and r.getMessage().startswith("refused")]
    assert len(warnings) == len(cases), warnings
    for (status, words), message in zip(cases, warnings, strict=True):
        assert all(w in message for w in words), (status, words, message)
        assert token not in message and wrong not in message
