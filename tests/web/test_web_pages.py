"""The web pages over a real crawled archive: what each page shows, text direction and
language on the elements holding Arabic and Persian text, the sandboxed archived page,
escaping, and clear 404 pages."""

from __future__ import annotations

import gzip
from datetime import date
from urllib.parse import parse_qs, urlsplit

import lxml.html
from fastapi.testclient import TestClient
from lxml.html import HtmlElement
from persiantools.jdatetime import JalaliDate

from crawler.demosite import expected_articles
from tests.web.conftest import BROKEN_FILE, HOSTILE_TITLE, LEGACY, OUTLETS, WebArchive


def page(client: TestClient, path: str, status: int = 200, **params: object) -> HtmlElement:
    response = client.get(path, params=params)
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"].startswith("text/html")
    return lxml.html.fromstring(response.text)


def text(element: HtmlElement) -> str:
    return " ".join(element.text_content().split())


def test_root_redirects_to_the_dashboard(client: TestClient) -> None:
    for path in ("/", "/ui"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 307 and response.headers["location"] == "/ui/"
    assert isinstance(client.get("/runs").json(), list)  # the JSON API is where it was


def test_dashboard_shows_runs_counts_and_outlets(client: TestClient) -> None:
    doc = page(client, "/ui/")
    counters = {text(c).split(" ", 1)[1]: int(c.xpath("string(.//span[@class='n'])"))
                for c in doc.xpath("//div[contains(@class, 'counter')]")}
    assert counters["running"] == 0 and counters["queued"] == 0
    want = sum(1 for a in expected_articles(2) if a.outlet in OUTLETS) + sum(
        1 for a in expected_articles(1) if a.outlet == LEGACY)
    assert counters["articles"] == want
    rows = doc.xpath("//table[contains(@class, 'runs')]/tbody/tr")
    badges = [row.xpath(".//span[contains(@class, 'badge')]")[0] for row in rows]
    # The fixture's five crawls; runs other tests queued (and cancelled) may be listed too.
    assert sum(1 for b in badges if b.text == "succeeded") == 5
    assert {b.text for b in badges} <= {"succeeded", "cancelled"}
    for row, badge in zip(rows, badges, strict=True):
        if badge.text == "succeeded":
            assert "ok" in badge.get("class")
        assert row.xpath(".//a/@href")[0].startswith("/ui/runs/")
    outlets = {text(r.xpath("./th")[0]): r for r in doc.xpath("//table[1]/tbody/tr")}
    assert set(outlets) == {*OUTLETS, LEGACY}
    fa = sum(1 for a in expected_articles(2) if a.outlet == "demo_fa")
    assert f"fa {fa}" in text(outlets["demo_fa"])


def test_outlets_page_schedules_buttons_and_config_errors(client: TestClient) -> None:
    doc = page(client, "/ui/outlets")
    alert = doc.xpath("//section[@role='alert']")
    assert alert, "config errors are shown prominently"
    cells = [text(td) for td in alert[0].xpath(".//tbody/tr[1]/td")]
    assert cells[0] == BROKEN_FILE and cells[2] == "politeness.delay" and cells[4]
    rows = {r.xpath("string(./th/code)"): r
            for r in doc.xpath("//table[contains(@class, 'outlets')]/tbody/tr")}
    assert set(rows) == {*OUTLETS, LEGACY}
    fa = rows["demo_fa"]
    assert "0 */6 * * *" in text(fa) and "Asia/Tehran" in text(fa) and "+03:30" in text(fa)
    assert fa.xpath(".//span[@class='outlet-name']/@dir") == ["auto"]
    crawl = fa.xpath(".//button[@data-post='/runs']")[0]
    assert crawl.get("data-json") == '{"outlet": "demo_fa"}' and crawl.get("disabled") is None
    assert fa.xpath(".//button[@data-post='/schedules/demo_fa/pause']")
    assert "succeeded" in text(fa.xpath("./td")[3])


def test_pause_and_resume_show_on_the_outlets_page(client: TestClient) -> None:
    assert client.post("/schedules/demo_ar/pause").status_code == 200
    try:
        row = page(client, "/ui/outlets").xpath("//tr[th/code='demo_ar']")[0]
        assert "paused" in text(row.xpath("./td")[2])
        assert row.xpath(".//button[@data-post='/schedules/demo_ar/resume']")
    finally:
        assert client.post("/schedules/demo_ar/resume").status_code == 200
    row = page(client, "/ui/outlets").xpath("//tr[th/code='demo_ar']")[0]
    assert row.xpath(".//button[@data-post='/schedules/demo_ar/pause']")


def test_search_by_words_language_outlet_and_since(client: TestClient,
                                                   web_archive: WebArchive) -> None:
    art = web_archive.unchanged("demo_fa")
    word = art.text.split()[2]
    doc = page(client, "/ui/search", q=word)
    results = doc.xpath("//ol[@class='results']/li")
    assert results
    for item in results:
        title = item.xpath("./a[@class='title']")[0]
        assert title.get("dir") == "rtl" and title.get("lang") in ("fa", "ar")
        assert word in text(item.xpath("./p[@class='snippet']")[0])
        assert item.xpath("./p[@class='snippet']/mark")[0].text.casefold() == word.casefold()
    titles = [text(r.xpath("./a")[0]) for r in results]
    assert art.title in titles
    only_ar = page(client, "/ui/search", lang="ar").xpath("//ol[@class='results']/li/a")
    assert only_ar and {a.get("lang") for a in only_ar} == {"ar"}
    outlet = page(client, "/ui/search", outlet="demo_fa").xpath("//li//span[@class='outlet']")
    assert {o.text for o in outlet} == {"demo_fa"}
    assert not page(client, "/ui/search", since="2999-01-01").xpath("//ol/li/a")
    bad = page(client, "/ui/search", 422, since="last week")
    assert "is not a date" in text(bad.xpath("//*[@role='alert']")[0])


def _check_article(client: TestClient, web_archive: WebArchive, outlet: str, lang: str) -> None:
    art = web_archive.revised(outlet)
    url = web_archive.url(art)
    doc = page(client, "/ui/article", url=url)
    body = doc.xpath("//article")[0]
    assert body.get("dir") == "rtl" and body.get("lang") == lang
    assert text(body.xpath("./h1")[0]) == art.title
    first = art.text.split("\n")[0]
    assert first in text(body)
    assert doc.xpath("/html/@dir") == ["ltr"]  # the page's own chrome stays left to right
    facts = dict(zip([text(d) for d in doc.xpath("//dl[@class='facts']/dt")],
                     [text(d) for d in doc.xpath("//dl[@class='facts']/dd")], strict=True))
    assert facts["Outlet"] == outlet and facts["Author"].split(" (from ")[0] == art.author
    published, day = facts["Published"], str(art.published)[:10]
    assert day in published and "(from " in published
    # A Persian outlet's date in its own calendar first, the Gregorian one beside it.
    solar = JalaliDate(date.fromisoformat(day)).strftime("%d %B %Y", locale="fa")
    assert (solar in published and published.index(solar) < published.index(day)) == (
        lang == "fa")
    assert facts["Language"].startswith(lang) and "confidence" in facts["Language"]
    assert f"{lang} 100%" in facts["Shares"]
    versions = doc.xpath("//ol[@class='versions']/li")
    assert len(versions) == 2
    diff_link = versions[0].xpath(".//a[contains(@href, '/ui/article/diff')]/@href")[0]
    assert parse_qs(urlsplit(diff_link).query) == {"url": [url], "old": ["1"], "new": ["2"]}
    captures = doc.xpath("//ol[@class='captures']/li")
    assert len(captures) == 2
    assert all(c.xpath(".//a[starts-with(@href, '/ui/capture?')]") for c in captures)
    assert all(c.xpath(".//a[starts-with(@href, '/captures/raw?')]") for c in captures)


def test_persian_article_page(client: TestClient, web_archive: WebArchive) -> None:
    _check_article(client, web_archive, "demo_fa", "fa")


def test_arabic_article_page(client: TestClient, web_archive: WebArchive) -> None:
    _check_article(client, web_archive, "demo_ar", "ar")


def test_diff_between_versions(client: TestClient, web_archive: WebArchive) -> None:
    url = web_archive.url(web_archive.revised("demo_fa"))
    doc = page(client, "/ui/article/diff", url=url)
    added, removed = doc.xpath("//tr[@class='add']"), doc.xpath("//tr[@class='del']")
    assert added and removed
    cell = added[0].xpath("./td")[1]
    assert cell.get("dir") == "rtl" and cell.get("lang") == "fa"
    assert doc.xpath("//h1/@dir") == ["rtl"]
    same = page(client, "/ui/article/diff", url=url, old=2, new=2)
    assert "is the same" in text(same)
    missing = page(client, "/ui/article/diff", 404, url=url, old=1, new=7)
    assert "has no version 7" in text(missing.xpath("//p[@class='message']")[0])


def test_archived_page_in_a_sandboxed_frame(client: TestClient, web_archive: WebArchive) -> None:
    art = web_archive.unchanged("demo_fa")
    url = web_archive.url(art)
    doc = page(client, "/ui/capture", url=url)
    frame = doc.xpath("//iframe")[0]
    # the replay (pywb's frame); the archived page in it is sandboxed by its CSP
    # (tests/web/test_replay_route.py); the HTML alone is still linked
    assert frame.get("src").startswith("/replay/") and frame.get("src").endswith(url)
    assert "Archived page" in text(doc.xpath("//section[@class='archived-banner']")[0])
    raw = client.get("/captures/raw", params={"url": url})
    assert raw.headers["x-archive-orig-content-encoding"] == "gzip"
    alone = doc.xpath("//a[text()='HTML alone']")[0]
    body = client.get(alone.get("href"))
    assert body.status_code == 200
    assert body.headers["content-type"] == raw.headers["x-archive-orig-content-type"]
    assert body.content == gzip.decompress(raw.content)  # decoded for the browser
    assert art.title in body.content.decode("utf-8")
    csp = body.headers["content-security-policy"]
    assert csp.startswith("sandbox;") and "default-src 'none'" in csp
    assert body.headers["memento-datetime"].endswith(" GMT")
    assert "content-encoding" not in body.headers


def test_archived_page_keeps_a_charset_named_only_in_meta(client: TestClient,
                                                          web_archive: WebArchive) -> None:
    art = next(a for a in expected_articles(1) if a.outlet == LEGACY)
    body = client.get("/ui/capture/body", params={"url": web_archive.url(art)})
    assert body.headers["content-type"] == "text/html"  # no charset=utf-8 added
    assert art.title.encode("cp1256") in body.content
    doc = page(client, "/ui/article", url=web_archive.url(art))
    assert doc.xpath("//article/@dir") == ["rtl"] and text(doc.xpath("//h1")[0]) == art.title


def test_archived_title_is_escaped(client: TestClient, web_archive: WebArchive) -> None:
    url = web_archive.url(web_archive.hostile())
    response = client.get("/ui/article", params={"url": url})
    assert "<script>alert" not in response.text and "&lt;script&gt;alert" in response.text
    doc = lxml.html.fromstring(response.text)
    assert text(doc.xpath("//article/h1")[0]) == " ".join(HOSTILE_TITLE.split())
    assert not doc.xpath("//article//script | //article//b")
    found = page(client, "/ui/search", outlet="demo_ar")
    assert not found.xpath("//ol//script | //ol//b")
    assert any(text(a) == " ".join(HOSTILE_TITLE.split()) for a in found.xpath("//ol/li/a"))


def test_not_found_pages_say_what_is_missing(client: TestClient, web_archive: WebArchive) -> None:
    nowhere = web_archive.base_url + "/demo_fa/2026/11/no-such-article/"
    cases = [("/ui/article", {"url": nowhere}, "no article"),
             ("/ui/capture", {"url": nowhere}, "no capture of"),
             ("/ui/capture/body", {"url": nowhere}, "no capture of"),
             ("/ui/runs/no-such-run", {}, "no run 'no-such-run'"),
             ("/ui/no/such/page", {}, "there is no page /ui/no/such/page")]
    for path, params, message in cases:
        doc = page(client, path, 404, **params)
        assert doc.xpath("//h1")[0].text.startswith("404")
        assert message in text(doc.xpath("//p[@class='message']")[0]), path


def test_run_page_record_summary_and_log(client: TestClient, web_archive: WebArchive) -> None:
    run = client.get("/runs", params={"outlet": "demo_fa"}).json()[-1]
    response = client.get(f"/ui/runs/{run['id']}")
    doc = lxml.html.fromstring(response.text)
    assert not doc.xpath("//meta[@http-equiv='refresh']")  # it has ended
    assert doc.xpath("//h1/span[contains(@class, 'badge')]")[0].text == "succeeded"
    facts = text(doc.xpath("//section[2]/dl")[0])
    assert f"Pages{run['pages']}" in facts.replace(" ", "") and "fa " in facts
    rows = doc.xpath("//table[@class='log']/tbody/tr")
    assert len(rows) > run["pages"] / 2
    levels = {r.get("class") for r in rows}
    assert "level-info" in levels and levels <= {"level-debug", "level-info", "level-warning",
                                                 "level-error", "level-critical"}


def test_queued_run_refreshes_and_is_counted(client: TestClient) -> None:
    created = client.post("/runs", json={"outlet": "demo_fa"})
    assert created.status_code == 201 and created.json()["status"] == "queued"
    run_id = created.json()["id"]
    try:
        doc = page(client, f"/ui/runs/{run_id}")
        assert doc.xpath("//meta[@http-equiv='refresh']/@content") == ["3"]
        assert doc.xpath(f"//button[@data-post='/runs/{run_id}/cancel']")
        assert "not started" in text(doc.xpath("//p[@class='empty']")[0])
        dash = page(client, "/ui/")
        assert dash.xpath("string(//div[contains(@class,'queued')]/span)") == "1"
        assert dash.xpath("//meta[@http-equiv='refresh']")
        row = page(client, "/ui/outlets").xpath("//tr[th/code='demo_fa']")[0]
        assert "queued" in text(row.xpath("./td")[3])
    finally:
        assert client.post(f"/runs/{run_id}/cancel").json()["status"] == "cancelled"
    assert page(client, "/ui/").xpath("string(//div[contains(@class,'queued')]/span)") == "0"


def test_static_files(client: TestClient) -> None:
    css = client.get("/ui/static/akhbar.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert "margin-inline" in css.text
    assert client.get("/ui/static/akhbar.js").headers["content-type"].startswith(
        "text/javascript")
    assert client.get("/ui/static/..%2Fpages.py").status_code == 404
    assert client.get("/ui/static/nothing.css").status_code == 404
