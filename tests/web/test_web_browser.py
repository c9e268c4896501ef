"""The pages in a real browser: Playwright driving Debian's chromium (never a downloaded
one) against uvicorn on 127.0.0.1. A researcher logs in, searches in Persian or Arabic and
reads an article right to left; an archivist starts a crawl and sees it on the dashboard; a
researcher is refused; a form on another origin cannot pause an outlet. Screenshots of the
main pages are saved (the directory is printed; AKHBAR_SCREENSHOTS chooses it)."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from playwright.sync_api import Page, expect

from crawler.api import create_app
from crawler.auth import Role
from tests.auth.support import add_user
from tests.web.conftest import CHROMIUM, WebArchive, serving
from tests.web.test_web_ops_pages import LONG_REASON, recorded_service

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed and could not be: tests/ensure-services.sh"
    " installs it (apt-get install chromium) when run as root with the Debian archive reachable")


@pytest.fixture(scope="session")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    chosen = os.environ.get("AKHBAR_SCREENSHOTS")
    folder = Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def screenshot(page: Page, shots: Path, name: str, capsys: pytest.CaptureFixture[str]) -> None:
    out = shots / f"{name}.png"
    page.screenshot(path=str(out), full_page=False)
    assert out.stat().st_size > 10_000, "a blank page compresses to almost nothing (~4 KB)"
    with capsys.disabled():
        print(f"\nscreenshot of the {name} page: {out}")


def log_in(page: Page, server: str, name: str, token: str) -> None:
    page.goto(f"{server}/ui/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=token]", token)
    page.click("form.login-form button[type=submit]")
    page.wait_for_url(lambda url: "/ui/login" not in url)
    expect(page.locator(".account .who")).to_contain_text(name)


def admin_api(web_archive: WebArchive, server: str) -> httpx.Client:
    token = add_user(web_archive.ctx, Role.ADMIN)[1]
    return httpx.Client(base_url=server, headers={"Authorization": f"Bearer {token}"},
                        timeout=30)


@pytest.mark.parametrize("outlet, lang", [("demo_fa", "fa"), ("demo_ar", "ar")])
def test_log_in_search_and_read_right_to_left(
        page: Page, server: str, web_archive: WebArchive, shots: Path,
        capsys: pytest.CaptureFixture[str], outlet: str, lang: str) -> None:
    name, token = add_user(web_archive.ctx, Role.RESEARCHER)
    page.goto(f"{server}/ui/search")
    assert "/ui/login" in page.url, "a stranger is sent to the login form"
    if lang == "fa":
        screenshot(page, shots, "login", capsys)
    log_in(page, server, name, token)
    assert page.url.startswith(f"{server}/ui/search"), "a researcher lands on the search"
    art = web_archive.revised(outlet)
    word = max(art.title.split(), key=len)
    page.fill("input[name=q]", word)
    page.click("form.search button[type=submit]")
    page.wait_for_url("**/ui/search?q=*")
    link = page.locator("ol.results a.title", has_text=art.title)
    expect(link).to_have_attribute("dir", "rtl")
    if lang == "fa":
        screenshot(page, shots, "search", capsys)
    link.click()
    page.wait_for_url("**/ui/article?url=*")
    article = page.locator("article").first
    expect(article).to_have_attribute("dir", "rtl")
    expect(article).to_have_attribute("lang", lang)
    assert article.evaluate("e => getComputedStyle(e).direction") == "rtl"
    assert " ".join(article.locator("h1").inner_text().split()) == art.title
    first = art.text.split("\n")[0]
    paragraphs = [" ".join(t.split()) for t in article.locator("p").all_inner_texts()]
    assert first in paragraphs
    if lang == "fa":
        screenshot(page, shots, "article", capsys)


def test_an_archivist_starts_a_crawl_and_sees_it_on_the_dashboard(
        page: Page, server: str, web_archive: WebArchive, shots: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    name, token = add_user(web_archive.ctx, Role.ARCHIVIST)
    log_in(page, server, name, token)
    page.goto(f"{server}/ui/outlets")
    screenshot(page, shots, "outlets", capsys)
    row = page.locator("tr", has=page.locator("th code", has_text="demo_ar1256"))
    row.get_by_role("button", name="Crawl now").click()
    page.wait_for_url("**/ui/runs/*")
    run_id = page.url.rsplit("/", 1)[-1]
    with admin_api(web_archive, server) as api:
        try:
            assert api.get(f"/runs/{run_id}").json()["status"] == "queued"
            screenshot(page, shots, "run", capsys)
            page.goto(f"{server}/ui/")
            expect(page.locator(".counter.queued .n")).to_have_text("1")
            expect(page.locator("table.runs")).to_contain_text(run_id)
            screenshot(page, shots, "dashboard", capsys)
        finally:
            cancelled = api.post(f"/runs/{run_id}/cancel")
            assert cancelled.json()["status"] == "cancelled"


def test_a_researcher_is_refused_in_the_browser(page: Page, server: str,
                                               web_archive: WebArchive) -> None:
    name, token = add_user(web_archive.ctx, Role.RESEARCHER)
    log_in(page, server, name, token)
    expect(page.locator("nav")).not_to_contain_text("Outlets")
    answer = page.goto(f"{server}/ui/outlets")
    assert answer is not None and answer.status == 403
    expect(page.locator("h1")).to_contain_text("403")
    expect(page.locator(".message")).to_contain_text("(researcher) may not")
    page.goto(f"{server}/ui/search")
    status = page.evaluate("""async () => {
        const csrf = document.querySelector('meta[name="csrf-token"]').content;
        const r = await fetch('/runs', {method: 'POST', body: '{"outlet": "demo_fa"}',
            headers: {'Content-Type': 'application/json', 'X-CSRF-Token': csrf}});
        return r.status; }""")
    assert status == 403


@pytest.mark.parametrize("attacker_host", ["localhost", "127.0.0.1"])
def test_a_cross_site_form_cannot_pause_an_outlet(page: Page, server: str,
                                                  web_archive: WebArchive,
                                                  attacker_host: str) -> None:
    """The issue's attack: an auto-submitting text/plain form on another origin, opened by a
    logged-in archivist. From 127.0.0.1 on another port the browser even sends the session
    cookie (same site); the Origin check refuses it."""
    target = f"{server}/schedules/demo_fa/pause"
    evil = FastAPI()

    @evil.get("/")
    def attack() -> HTMLResponse:
        return HTMLResponse(f'<form method="POST" action="{target}" enctype="text/plain">'
                            '<input name="x" value="1"></form>'
                            "<script>document.forms[0].submit()</script>")

    name, token = add_user(web_archive.ctx, Role.ARCHIVIST)
    log_in(page, server, name, token)
    with serving(evil) as evil_base, admin_api(web_archive, server) as api:
        evil_url = evil_base.replace("127.0.0.1", attacker_host) + "/"
        with page.expect_response(lambda r: r.url == target) as posted:
            page.goto(evil_url)
        assert posted.value.status == 403
        assert "own pages" in posted.value.json()["detail"]
        paused = {s["outlet"]: s["paused"] for s in api.get("/schedules").json()}
        assert paused["demo_fa"] is False


def test_the_api_docs_render_offline_under_their_csp(page: Page, server: str, shots: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """Swagger UI on /docs draws every route from the service's own files, with no CSP
    violation, no console error and no request to any other address."""
    problems: list[str] = []
    elsewhere: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("request", lambda r: None if r.url.startswith(server) or r.url.startswith("data:")
            else elsewhere.append(r.url))
    page.add_init_script("document.addEventListener('securitypolicyviolation', e => "
                         "console.error('CSP violation: ' + e.violatedDirective))")
    answer = page.goto(f"{server}/docs")
    assert answer is not None and answer.status == 200
    assert "script-src 'self';" in answer.headers["content-security-policy"]
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("akhbar")
    expect(page.locator(".opblock-summary-path[data-path='/runs/{run_id}/cancel']")).to_have_count(1)
    page.locator(".opblock-summary-path[data-path='/healthz']").click()
    expect(page.locator(".opblock.is-open")).to_have_count(1)
    screenshot(page, shots, "docs", capsys)
    assert problems == [] and elsewhere == []


def test_the_runs_tables_fit_1280_pixels_without_cutting_the_reason(
        page: Page, tmp_path: Path, shots: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The runs history, the dashboard and an outlet's page at 1280 px: neither the page nor
    a runs table scrolls sideways, and the longest reason is shown whole in its cell."""
    with recorded_service(tmp_path) as svc, serving(create_app(svc)) as base:
        name, token = add_user(svc.ctx, Role.OPS)
        log_in(page, base, name, token)
        for path in ("/ui/runs", "/ui/", "/ui/outlets/busy_en", "/ui/runs?status=failed"):
            page.goto(base + path)
            expect(page.locator("table.runs").first).to_be_visible()
            sizes = page.evaluate("""() => {
                const doc = document.documentElement;
                const tables = [...document.querySelectorAll('table.runs')].map(t => [
                    t.scrollWidth, t.clientWidth, t.parentElement.clientWidth]);
                const reasons = [...document.querySelectorAll('table.runs td.reason')]
                    .map(td => [td.scrollWidth, td.clientWidth, td.innerText.trim()]);
                return {page: [doc.scrollWidth, doc.clientWidth], tables, reasons}; }""")
            assert sizes["page"][0] <= sizes["page"][1], (path, sizes["page"])
            for scroll, client, room in sizes["tables"]:
                assert scroll <= client <= room, (path, scroll, client, room)
            for scroll, client, _ in sizes["reasons"]:
                assert scroll <= client, (path, scroll, client)
            assert any(text == LONG_REASON for _, _, text in sizes["reasons"]), path
            if path == "/ui/outlets/busy_en":
                screenshot(page, shots, "outlet", capsys)
