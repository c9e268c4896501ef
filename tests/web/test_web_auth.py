"""Logging in to the pages and what each role is refused there, through the app (TestClient):
the login form and its session cookie, CSRF on every change, the frame and content rules."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import lxml.html
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from crawler.api import create_app
from crawler.auth import Role
from crawler.outlets.service import AuthConfig
from tests.auth.support import BASE_URL, add_user, client_as
from tests.web.conftest import WebArchive


@pytest.fixture(scope="module")
def app(web_archive: WebArchive) -> FastAPI:
    return create_app(web_archive.scheduler)


@pytest.fixture
def browser(app: FastAPI) -> Iterator[TestClient]:
    """A client with no credentials, keeping cookies like a browser."""
    with TestClient(app, base_url=BASE_URL, follow_redirects=False) as client:
        yield client


def login(client: TestClient, name: str, token: str, next_url: str = "") -> httpx.Response:
    form = lxml.html.fromstring(client.get("/ui/login").text)
    csrf = form.xpath("//input[@name='csrf_token']/@value")[0]
    return client.post("/ui/login", data={"name": name, "token": token, "csrf_token": csrf,
                                          "next": next_url},
                       headers={"Origin": BASE_URL})


def csrf_of(client: TestClient, path: str = "/ui/") -> str:
    meta = lxml.html.fromstring(client.get(path).text).xpath("//meta[@name='csrf-token']")
    return str(meta[0].get("content"))


def test_pages_send_a_stranger_to_the_login_form(browser: TestClient) -> None:
    answer = browser.get("/ui/search?q=x")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/ui/login?next=%2Fui%2Fsearch%3Fq%3Dx"
    page = browser.get("/ui/login")
    assert page.status_code == 200 and "Content-Security-Policy" in page.headers
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY"
    assert browser.get("/ui/static/akhbar.css").status_code == 200  # the login page's style


def test_login_sets_a_safe_session_cookie_and_logout_ends_it(
        browser: TestClient, web_archive: WebArchive) -> None:
    name, token = add_user(web_archive.ctx, Role.ARCHIVIST)
    answer = login(browser, name, token, "/ui/outlets")
    assert answer.status_code == 303 and answer.headers["location"] == "/ui/outlets"
    cookie = next(c for c in answer.headers.get_list("set-cookie")
                  if c.startswith("akhbar_session="))
    flags = {f.strip().lower() for f in cookie.split(";")[1:]}
    assert "httponly" in flags and "samesite=lax" in flags and "path=/" in flags
    assert "secure" not in flags  # plain http here; see the https case
    assert any(f.startswith("max-age=") for f in flags)
    assert token not in cookie
    page = browser.get("/ui/outlets")
    assert page.status_code == 200 and name in page.text
    csrf = csrf_of(browser)
    logout = browser.post("/ui/logout", data={"csrf_token": "wrong"},
                          headers={"Origin": BASE_URL})
    assert logout.status_code == 403
    assert browser.get("/ui/").status_code == 200, "a refused logout leaves the session"
    assert browser.post("/ui/logout", data={"csrf_token": csrf},
                        headers={"Origin": BASE_URL}).status_code == 303
    assert browser.get("/ui/").status_code == 303


def test_the_cookie_is_secure_under_https(app: FastAPI, web_archive: WebArchive) -> None:
    name, token = add_user(web_archive.ctx, Role.RESEARCHER)
    with TestClient(app, base_url="https://127.0.0.1", follow_redirects=False) as client:
        form = lxml.html.fromstring(client.get("/ui/login").text)
        csrf = form.xpath("//input[@name='csrf_token']/@value")[0]
        answer = client.post("/ui/login", data={"name": name, "token": token,
                                                "csrf_token": csrf},
                             headers={"Origin": "https://127.0.0.1"})
        assert answer.headers["location"] == "/ui/search"  # a researcher's home
        cookie = next(c for c in answer.headers.get_list("set-cookie")
                      if c.startswith("akhbar_session="))
        assert "secure" in cookie.lower()


def test_a_login_needs_the_form_token_and_failures_are_limited(
        web_archive: WebArchive) -> None:
    name, token = add_user(web_archive.ctx, Role.OPS)
    own_app = create_app(web_archive.scheduler)  # its own count of failures
    with TestClient(own_app, base_url=BASE_URL, follow_redirects=False) as client:
        forged = client.post("/ui/login", data={"name": name, "token": token,
                                                "csrf_token": "guess"})
        assert forged.status_code == 403 and "akhbar_session" not in forged.headers.get(
            "set-cookie", "")
        attempts = web_archive.ctx.service.auth.login_attempts
        for _ in range(attempts):
            wrong = login(client, name, token[:-2] + "zz")
            assert wrong.status_code == 401
        limited = login(client, name, token)
        assert limited.status_code == 429
        assert "try again in" in limited.text


@pytest.mark.parametrize("role, refused, allowed", [
    (Role.RESEARCHER, ["/ui/", "/ui/outlets"], ["/ui/search"]),
    (Role.OPS, [], ["/ui/", "/ui/outlets", "/ui/search"]),
])
def test_each_role_is_refused_pages_it_may_not_see(app: FastAPI, web_archive: WebArchive,
                                                   role: Role, refused: list[str],
                                                   allowed: list[str]) -> None:
    with client_as(app, web_archive.ctx, role) as client:
        for path in refused:
            answer = client.get(path)
            assert answer.status_code == 403, path
            assert "Not allowed" in answer.text and f"({role.value})" in answer.text
        for path in allowed:
            assert client.get(path).status_code == 200, path


def test_buttons_need_the_session_csrf_token(browser: TestClient,
                                             web_archive: WebArchive) -> None:
    name, token = add_user(web_archive.ctx, Role.ARCHIVIST)
    login(browser, name, token)
    page = browser.get("/ui/outlets").text
    assert re.search(r'data-post="/schedules/demo_fa/pause"', page)
    csrf = csrf_of(browser)
    pause = "/schedules/demo_fa/pause"
    no_token = browser.post(pause, json={}, headers={"Origin": BASE_URL})
    assert no_token.status_code == 403 and "CSRF" in no_token.json()["detail"]
    no_origin = browser.post(pause, json={}, headers={"X-CSRF-Token": csrf})
    assert no_origin.status_code == 403, "a cookie without Origin or Referer is refused"
    done = browser.post(pause, json={}, headers={"Origin": BASE_URL, "X-CSRF-Token": csrf})
    assert done.status_code == 200
    assert browser.post("/schedules/demo_fa/resume", json={},
                        headers={"Origin": BASE_URL, "X-CSRF-Token": csrf}).status_code == 200


def test_a_page_parameter_out_of_bounds_is_a_422_page(app: FastAPI,
                                                     web_archive: WebArchive) -> None:
    with client_as(app, web_archive.ctx, Role.RESEARCHER) as client:
        answer = client.get("/ui/search", params={"q": "نفت" * 100})
        assert answer.status_code == 422 and "text/html" in answer.headers["content-type"]
        assert "q: String should have at most 200 characters" in answer.text


def test_the_archived_page_may_be_framed_only_by_the_service(
        app: FastAPI, web_archive: WebArchive) -> None:
    url = web_archive.url(web_archive.revised("demo_fa"))
    with client_as(app, web_archive.ctx, Role.RESEARCHER) as client:
        body = client.get("/ui/capture/body", params={"url": url})
        assert body.headers["X-Frame-Options"] == "SAMEORIGIN"
        assert "frame-ancestors 'self'" in body.headers["Content-Security-Policy"]
        assert "sandbox" in body.headers["Content-Security-Policy"]
        page = client.get("/ui/capture", params={"url": url})
        assert "frame-src 'self'" in page.headers["Content-Security-Policy"]


def test_buttons_show_only_for_roles_that_may_use_them(app: FastAPI,
                                                       web_archive: WebArchive) -> None:
    with client_as(app, web_archive.ctx, Role.OPS) as ops, \
            client_as(app, web_archive.ctx, Role.ARCHIVIST) as archivist:
        seen = lxml.html.fromstring(ops.get("/ui/outlets").text)
        assert not seen.xpath("//button[@data-post]"), "ops may neither start nor pause"
        full = lxml.html.fromstring(archivist.get("/ui/outlets").text)
        posts = set(full.xpath("//button/@data-post"))
        assert {"/runs", "/schedules/reload", "/schedules/demo_fa/pause"} <= posts
        run = archivist.post("/runs", json={"outlet": "demo_ar1256"}).json()
        try:
            page = lxml.html.fromstring(ops.get(f"/ui/runs/{run['id']}").text)
            assert page.xpath(f"//button[@data-post='/runs/{run['id']}/cancel']")
        finally:
            assert ops.post(f"/runs/{run['id']}/cancel").json()["status"] == "cancelled"


def test_login_never_sends_the_browser_to_another_site(browser: TestClient,
                                                      web_archive: WebArchive) -> None:
    name, token = add_user(web_archive.ctx, Role.ADMIN)
    for target in ("//evil.example/", "https://evil.example/ui/", "/ui/\\evil.example",
                   "/elsewhere"):
        answer = login(browser, name, token, target)
        assert answer.status_code == 303 and answer.headers["location"] == "/ui/", target


def test_a_same_origin_referer_stands_for_a_missing_origin(browser: TestClient,
                                                          web_archive: WebArchive) -> None:
    name, token = add_user(web_archive.ctx, Role.ARCHIVIST)
    login(browser, name, token)
    csrf = csrf_of(browser)
    resume = "/schedules/demo_ar/resume"
    ok = browser.post(resume, json={}, headers={"Referer": f"{BASE_URL}/ui/outlets",
                                                "X-CSRF-Token": csrf})
    assert ok.status_code == 200
    other = browser.post(resume, json={}, headers={"Referer": "http://127.0.0.1:9/ui/",
                                                   "X-CSRF-Token": csrf})
    assert other.status_code == 403, "another port is another origin"


def test_anonymous_reading_when_the_config_allows_it(web_archive: WebArchive) -> None:
    open_app = create_app(web_archive.scheduler, auth=AuthConfig(anonymous_read=True))
    with TestClient(open_app, base_url=BASE_URL, follow_redirects=False) as anon:
        for path in ("/ui/", "/ui/outlets", "/ui/search"):
            answer = anon.get(path)
            assert answer.status_code == 200, path
            assert "/ui/login" in answer.text and "Log out" not in answer.text
        assert not lxml.html.fromstring(anon.get("/ui/outlets").text).xpath(
            "//button[@data-post]")
        refused = anon.post("/runs", json={"outlet": "demo_fa"}, headers={"Origin": BASE_URL})
        assert refused.status_code == 401
        assert anon.get("/metrics").status_code == 401  # open_metrics stays off
