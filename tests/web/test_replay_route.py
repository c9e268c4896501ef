"""/replay behind the service's access rules and headers: a stranger is refused, a
researcher gets pywb's frame (its own scripts) and the archived page sandboxed (none of
its scripts), and a service without pywb says how to install it."""

from __future__ import annotations

import gzip
from pathlib import Path

from fastapi.testclient import TestClient

from crawler import service
from crawler.api import create_app
from crawler.auth import Role
from crawler.replay import ARCHIVED_CSP, REPLAY_FRAME_CSP, PywbServer
from tests.auth.support import client_as
from tests.web.conftest import WebArchive


def body_of(response: object) -> bytes:
    raw: bytes = response.content  # type: ignore[attr-defined]
    return gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw


def test_replay_needs_a_login(web_archive: WebArchive) -> None:
    url = web_archive.url(web_archive.unchanged("demo_fa"))
    with client_as(create_app(web_archive.scheduler), web_archive.ctx, None) as stranger:
        answer = stranger.get(f"/replay/2026/{url}")
    assert answer.status_code == 401 and "log in" in answer.json()["detail"]


def test_frame_and_archived_page_get_their_own_policies(
        client: TestClient, web_archive: WebArchive) -> None:
    art = web_archive.unchanged("demo_fa")
    url = web_archive.url(art)
    stamp = service.find_captures(web_archive.ctx, service.CaptureQuery(url))[0].timestamp
    frame = client.get(f"/replay/{stamp}/{url}")
    assert frame.status_code == 200
    assert frame.headers["content-security-policy"] == REPLAY_FRAME_CSP
    assert frame.headers["x-frame-options"] == "SAMEORIGIN"
    assert b"replay_iframe" in body_of(frame)
    page = client.get(f"/replay/{stamp}mp_/{url}")
    assert page.status_code == 200
    assert page.headers["content-security-policy"] == ARCHIVED_CSP
    assert "sandbox" in ARCHIVED_CSP and "allow-scripts" not in ARCHIVED_CSP
    html = body_of(page).decode("utf-8")
    assert art.title in html
    # pywb rewrote the stylesheet link into the archive, on this service's host
    assert f'/replay/{stamp}cs_/{web_archive.base_url}/demo_fa/assets/site.css' in html
    missing = client.get(f"/replay/{stamp}mp_/http://never.example.invalid/")
    assert missing.status_code == 404, "not archived: not fetched from the live web either"


def test_without_pywb_replay_says_how_to_install_it(
        web_archive: WebArchive, tmp_path: Path) -> None:
    app = create_app(web_archive.scheduler)
    app.state.replay.python = tmp_path / "no-venv" / "bin" / "python"
    assert isinstance(app.state.replay, PywbServer)
    url = web_archive.url(web_archive.unchanged("demo_fa"))
    with client_as(app, web_archive.ctx, Role.RESEARCHER) as client:
        answer = client.get(f"/replay/2026/{url}")
    assert answer.status_code == 503
    assert "make install" in answer.json()["detail"]
