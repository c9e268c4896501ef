"""An outlet behind a login: a site on 127.0.0.1 that answers 401 without its credentials is
crawled with a basic-auth secret from the environment and a header secret from the secrets
file. The credentials reach that host only (not `localhost`, also listed and redirected to),
the WARC request records hold a redaction instead of them, and neither secret appears in the
run logs, stderr, the catalog file, the service's log or any answer of the API and pages. An
outlet whose secret is missing fails with a message naming it; the others go on."""

from __future__ import annotations

import base64
import logging
import secrets
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler import service
from crawler.api import create_app
from crawler.context import open_context
from crawler.scheduler.service import SchedulerService
from tests.auth.support import client_as
from tests.scheduler.helpers import manual_scheduler, send_html
from tests.spiders.sites import Site, reply

PATHS = ["/outlets", "/runs", "/articles?text=true", "/captures?url={base}/a/&match=prefix",
         "/ui/outlets", "/ui/", "/ui/search?q=story"]


Seen = list[tuple[str, str, dict[str, str]]]


def _site(logins: dict[str, tuple[str, str]], seen: Seen) -> Site:
    """``/<outlet>/`` and its articles, each refused (401) without the outlet's (header,
    value); ``/<outlet>/hop`` redirects to the same server under the name ``localhost``."""

    def handle(h: BaseHTTPRequestHandler) -> None:
        seen.append((h.headers.get("Host", ""), h.path, dict(h.headers.items())))
        oid = h.path.strip("/").split("/")[0]
        if oid in logins and not h.headers.get("Host", "").startswith("localhost"):
            header, value = logins[oid]
            if h.headers.get(header) != value:
                reply(h, 401, b"login needed", WWW_Authenticate='Basic realm="news"')
                return
        port = h.server.server_address[1]
        if h.path == f"/{oid}/":
            links = "".join(f'<a href="/{oid}/a/{i}/">story {i}</a>' for i in range(3))
            send_html(h, f"<html><body>{links}<a href='/{oid}/hop'>hop</a></body></html>")
        elif h.path == f"/{oid}/hop":
            reply(h, 302, b"", Location=f"http://localhost:{port}/{oid}/a/elsewhere/")
        elif "/a/" in h.path:
            words = " ".join(["The archive keeps what a login let it read."] * 30)
            send_html(h, f"<html><head><title>Story</title></head><body><article>"
                         f"<h1>Story {h.path}</h1><p>{words}</p></article></body></html>")
        else:
            reply(h, 404, b"")

    return Site(handle)


def _outlet(config: Path, oid: str, base: str, auth: str) -> None:
    local = base.replace("127.0.0.1", "localhost")
    (config / "outlets" / f"{oid}.yaml").write_text(
        f"id: {oid}\nname: {oid}\nhomepage: {base}/{oid}/\nlanguages: [en]\n"
        f"discovery: {{listings: [{base}/{oid}/, {local}/{oid}/a/open/]}}\n"
        f"articles: {{allow: ['/{oid}/a/']}}\nlimits: {{max_depth: 2}}\n"
        "politeness: {obey_robots: false, delay: 0, concurrency: 2}\n" + auth,
        encoding="utf-8")


def _warc_requests(data: Path) -> list[dict[str, str]]:
    headers = []
    for path in sorted((data / "warcs").rglob("*.warc.gz")):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type == "request":
                    headers.append(dict(record.http_headers.headers))
    return headers


def test_outlet_secrets_reach_their_host_only_and_show_nowhere(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    password = f"pw-{secrets.token_hex(8)}"
    api_key = f"key-{secrets.token_hex(8)}"
    basic = "Basic " + base64.b64encode(f"reader:{password}".encode()).decode()
    config, data = tmp_path / "config", tmp_path / "data"
    (config / "outlets").mkdir(parents=True)
    secrets_file = config / "secrets.yaml"
    secrets_file.write_text(f"SITE_KEY: '{api_key}'\n", encoding="utf-8")
    secrets_file.chmod(0o600)
    (config / "akhbar.yaml").write_text("secrets_file: secrets.yaml\n", encoding="utf-8")
    env = {"AKHBAR_CONFIG": str(config), "AKHBAR_HOME": str(data),
           "AKHBAR_SECRET_SITE_LOGIN": f"reader:{password}", "AKHBAR_EXTRACT_WORKERS": "0"}
    seen: Seen = []
    logins = {"basic": ("Authorization", basic), "keyed": ("X-Api-Key", api_key),
              "missing": ("X-Api-Key", "never-sent")}
    with _site(logins, seen) as site:
        _outlet(config, "basic", site.base_url, "auth: {basic: SITE_LOGIN}\n")
        _outlet(config, "keyed", site.base_url, "auth: {headers: {X-Api-Key: SITE_KEY}}\n")
        _outlet(config, "missing", site.base_url, "auth: {headers: {X-Api-Key: NOT_SET}}\n")
        ctx = open_context(env=env)
        targets, _ = service.pick_outlets(ctx, ["basic", "keyed", "missing"])
        report = service.crawl(ctx, targets, max_parallel=3)  # the failure beside the others
    runs = {r.outlet_id: r for r in service.list_runs(ctx, None, 10)}
    assert runs["basic"].status == "succeeded" and runs["keyed"].status == "succeeded"
    assert runs["basic"].articles_new >= 3 and runs["keyed"].articles_new >= 3, report
    assert runs["missing"].status == "failed"
    assert "secret NOT_SET is not set" in (runs["missing"].reason or "")
    assert "AKHBAR_SECRET_NOT_SET" in (runs["missing"].reason or "")

    # Sent to 127.0.0.1 (the outlet's host), never to localhost, not even through a redirect.
    to_own = [h for host, _, h in seen if host.startswith("127.0.0.1")]
    to_other = [h for host, _, h in seen if host.startswith("localhost")]
    assert any(h.get("Authorization") == basic for h in to_own)
    assert any(h.get("X-Api-Key") == api_key for h in to_own)
    redirected = {path for host, path, _ in seen if host.startswith("localhost")}
    assert {"/basic/a/elsewhere/", "/keyed/a/elsewhere/"} <= redirected
    for headers in to_other:
        assert "Authorization" not in headers and "X-Api-Key" not in headers, headers

    # The WARC request records say a credential was sent, and which, without its value.
    requests = _warc_requests(data)
    assert "[redacted by akhbar: secret SITE_LOGIN]" in {h.get("Authorization") for h in requests}
    assert "[redacted by akhbar: secret SITE_KEY]" in {h.get("X-Api-Key") for h in requests}

    answers: list[str] = []
    sched = SchedulerService(ctx, scheduler=manual_scheduler(ctx))
    sched.start(dispatch=False)
    try:
        app = create_app(sched)
        with client_as(app, ctx) as client:
            run_ids = [r.id for r in runs.values()]
            paths = [p.format(base=site.base_url) for p in PATHS]
            paths += [f"/runs/{i}" for i in run_ids] + [f"/ui/runs/{i}" for i in run_ids]
            for path in paths:
                answer = client.get(path)
                assert answer.status_code == 200, path
                answers.append(answer.text)
            assert "SITE_LOGIN" in answers[0], "the outlet shows which secret it uses"
    finally:
        sched.stop()
        ctx.close()

    shown = {"the password": password, "the basic-auth header": basic.split()[1],
             "the API key": api_key}
    files = [p for p in data.rglob("*") if p.is_file() and ".warc" not in p.name]
    assert any(p.suffix == ".log" for p in files) and any(p.suffix == ".stderr" for p in files)
    assert any(p.name == "catalog.sqlite" for p in files)
    logged = caplog.text + "\n".join(r.getMessage() for r in caplog.records)
    for what, secret in shown.items():
        assert secret not in logged, f"{what} is in the service's log"
        for answer in answers:
            assert secret not in answer, f"{what} is in an answer"
        for path in files:
            assert secret.encode() not in path.read_bytes(), f"{what} is in {path}"
        for headers in requests:
            assert secret not in str(headers), f"{what} is in a WARC request record"
    for path in files:  # Scrapy's warning that spider attributes carry basic auth is kept out
        assert b"HTTPAUTH" not in path.read_bytes(), path

