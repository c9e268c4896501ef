"""`akhbar serve` behind a TLS-terminating proxy, as the README's nginx sets it up: the real
service in a child process, asked the way nginx asks it (from 127.0.0.1, with the public
Host and X-Forwarded-Proto/For). It takes the scheme from the proxy, so its session cookie is
Secure and only the https origin may change anything; refusals name the real client. The
CLI reaches the same service with a token from a file only its owner can read."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import lxml.html
import pytest

from tests.scheduler.helpers import Service, free_port

PUBLIC = "archive.example.org"
CLIENT_IP = "203.0.113.9"
#: What nginx adds to every request it passes on (proxy_set_header in the README).
FROM_NGINX = {"Host": PUBLIC, "X-Forwarded-Proto": "https", "X-Forwarded-For": CLIENT_IP}


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    tmp_path = tmp_path_factory.mktemp("proxy")
    (tmp_path / "config" / "outlets").mkdir(parents=True)
    svc = Service(tmp_path, free_port())
    (tmp_path / "config" / "akhbar.yaml").write_text(
        f"api_port: {svc.port}\nauth: {{allowed_hosts: [{PUBLIC}, 127.0.0.1]}}\n",
        encoding="utf-8")
    svc.start()
    yield svc
    svc.close()


def test_behind_a_tls_proxy_cookies_are_secure_and_origins_https(service: Service) -> None:
    token = service.env["AKHBAR_TOKEN"]
    with httpx.Client(base_url=f"http://127.0.0.1:{service.port}", headers=FROM_NGINX,
                      follow_redirects=False, timeout=30) as proxy:
        form = proxy.get("/ui/login")
        assert form.status_code == 200
        csrf = lxml.html.fromstring(form.text).xpath("//input[@name='csrf_token']/@value")[0]
        assert all("secure" in c.lower() for c in form.headers.get_list("set-cookie"))
        # The browser would send these back over https; httpx keeps Secure ones off http.
        sent = "; ".join(f"{k}={v}" for k, v in form.cookies.items())
        login = proxy.post("/ui/login", data={"name": "ops", "token": token,
                                              "csrf_token": csrf},
                           headers={"Origin": f"https://{PUBLIC}", "Cookie": sent})
        assert login.status_code == 303, login.text
        session = next(c for c in login.headers.get_list("set-cookie")
                       if c.startswith("akhbar_session="))
        assert "secure" in session.lower() and "httponly" in session.lower()
        assert "samesite=lax" in session.lower()

        api = {"Authorization": f"Bearer {token}"}
        plain = proxy.post("/schedules/reload", json={}, headers={**api,
                                                                 "Origin": f"http://{PUBLIC}"})
        assert plain.status_code == 403 and f"https://{PUBLIC}" in plain.json()["detail"]
        same = proxy.post("/schedules/reload", json={}, headers={**api,
                                                                "Origin": f"https://{PUBLIC}"})
        assert same.status_code == 200, same.text
        other = proxy.get("/healthz", headers={**api, "Host": "evil.example"})
        assert other.status_code == 400
    log = service.log.read_text()
    assert f"from {CLIENT_IP}" in log, "a refusal names the client, not the proxy"


def test_the_cli_takes_its_token_from_an_owner_only_file(service: Service,
                                                         tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(service.env["AKHBAR_TOKEN"] + "\n", encoding="utf-8")
    env = {k: v for k, v in service.env.items() if k != "AKHBAR_TOKEN"}
    env["AKHBAR_TOKEN_FILE"] = str(token_file)
    saved, service.env = service.env, env
    try:
        token_file.chmod(0o600)
        listed = service.cli("schedule", "reload")
        assert listed.returncode == 0, listed.stderr
        token_file.chmod(0o644)
        refused = service.cli("schedule", "reload")
        assert refused.returncode != 0
        assert f"chmod 600 {token_file}" in refused.stderr and "Traceback" not in refused.stderr
        token_file.unlink()
        anonymous = service.cli("schedule", "reload")
        assert anonymous.returncode != 0 and "401" in anonymous.stderr, anonymous.stderr
    finally:
        service.env = saved
