"""A small client of a running `akhbar serve`, for the CLI (standard library only)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from crawler.context import AkhbarContext
from crawler.errors import RunError, ServiceUnavailable


class ServiceClient:
    def __init__(self, host: str, port: int, timeout: float = 10.0) -> None:
        self.base = f"http://{host}:{port}"
        self.timeout = timeout

    @classmethod
    def of(cls, ctx: AkhbarContext) -> ServiceClient:
        return cls(ctx.service.api_host, ctx.service.api_port)

    def request(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:  # noqa: S310
                return json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as exc:
            try:
                detail = json.loads(exc.read()).get("detail", exc.reason)
            except ValueError:
                detail = exc.reason
            raise RunError(str(detail)) from exc
        except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
            raise ServiceUnavailable(
                f"the akhbar service is not running at {self.base} ({exc}); start it with "
                "`akhbar serve` (or check api_host/api_port in config/akhbar.yaml)") from exc

    def available(self) -> bool:
        try:
            self.request("GET", "/healthz")
        except ServiceUnavailable:
            return False
        return True
