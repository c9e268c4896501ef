"""The CLI's client of a running `akhbar serve` (standard library only), and the one decision
whether a command goes through the service or acts on the catalog alone.

The service records where it listens in ``serve.lock`` (crawler.scheduler.lock), so it is
found whatever ``--port`` it was given. The token for the API comes from ``AKHBAR_TOKEN`` or
the file ``~/.config/akhbar/token``, which must be readable by its owner only.
"""

from __future__ import annotations

import json
import os
import stat
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crawler.context import AkhbarContext
from crawler.errors import RunError, RunNotFound, ServiceUnavailable
from crawler.scheduler.lock import ServiceAddress, locate

TOKEN_FILE = Path("~/.config/akhbar/token")


def read_token(env: Mapping[str, str]) -> str | None:
    """The API token: ``AKHBAR_TOKEN``, else the token file (refused unless only its owner
    can read it)."""
    token = env.get("AKHBAR_TOKEN")
    if token:
        return token.strip()
    path = Path(env.get("AKHBAR_TOKEN_FILE") or TOKEN_FILE).expanduser()
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ServiceUnavailable(f"{path} can be read by others (mode {stat.filemode(mode)}); "
                                 f"`chmod 600 {path}` and try again")
    return path.read_text(encoding="utf-8").strip() or None


class ServiceClient:
    def __init__(self, base_url: str, token: str | None = None, timeout: float = 10.0) -> None:
        self.base = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def request(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body if body is not None else {}).encode() \
            if method != "GET" else None
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:  # noqa: S310
                return json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as exc:
            try:
                detail = json.loads(exc.read()).get("detail", exc.reason)
            except (ValueError, AttributeError):
                detail = exc.reason
            if exc.code == 404:
                raise RunNotFound(str(detail)) from exc
            raise RunError(f"the service at {self.base} refused: {detail} "
                           f"(HTTP {exc.code})") from exc
        except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
            raise ServiceUnavailable(
                f"the akhbar service is not answering at {self.base} ({exc})") from exc


@dataclass(frozen=True)
class Route:
    """How a command runs: through the service at ``address``, or alone on the catalog."""

    address: ServiceAddress | None
    why: str

    @property
    def via_service(self) -> bool:
        return self.address is not None


def route(ctx: AkhbarContext) -> Route:
    """The one decision: a running service with this data directory takes the commands that
    change its state (schedules, runs queued for it); with none, a command acts on the
    catalog itself. ``why`` says which, for the CLI to print."""
    address = locate(ctx.data_dir)
    if address is None:
        return Route(None, f"no `akhbar serve` runs with {ctx.data_dir}: acting on the "
                     "catalog directly")
    return Route(address, f"through the service at {address.url} (pid {address.pid})")


def client_for(ctx: AkhbarContext, route_: Route) -> ServiceClient:
    if route_.address is None:
        raise ServiceUnavailable(f"no `akhbar serve` runs with the data directory "
                                 f"{ctx.data_dir}; start it with `akhbar serve`")
    return ServiceClient(route_.address.url, read_token({**os.environ, **ctx.env}))
