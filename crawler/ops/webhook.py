"""Alert delivery to webhooks: a JSON POST per alert event ("raised", then "cleared") to each
configured URL.

An event is marked delivered on the alert's row once a URL answers 2xx, and never sent to
that URL again; until then each round tries it again (``attempts`` times in a row, with a
growing pause), up to ``max_attempts`` in all. Each payload carries an ``id``
("<alert id>:<event>", also the ``Idempotency-Key`` header) for a receiver to drop a copy
it already has.
"""

from __future__ import annotations

import json
import logging
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from crawler.catalog.db import Catalog
from crawler.ops.store import AlertRecord, mark_delivery, undelivered

logger = logging.getLogger(__name__)

Now = Callable[[], datetime]


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class WebhookSettings:
    urls: tuple[str, ...] = ()
    timeout: float = 10.0
    attempts: int = 3
    backoff: float = 0.5
    max_attempts: int = 20
    #: How long the clear of an alert is still worth sending (after a restart, say).
    clears_for: timedelta = timedelta(days=7)


@dataclass
class DeliveryReport:
    sent: list[tuple[int, str, str]] = field(default_factory=list)
    failed: list[tuple[int, str, str, str]] = field(default_factory=list)


def payload(alert: AlertRecord, event: str) -> dict[str, Any]:
    return {"id": f"{alert.id}:{event}", "event": event, "source": "akhbar",
            "alert": alert.to_dict()}


def post_json(url: str, body: dict[str, Any], timeout: float) -> None:
    """One POST; raises OSError (URLError, HTTPError included) unless it is answered 2xx."""
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=data, method="POST", headers={
        "Content-Type": "application/json", "User-Agent": "akhbar-alerts",
        "Idempotency-Key": str(body["id"])})
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - configured URLs
        if not 200 <= response.status < 300:
            raise urllib.error.HTTPError(url, response.status, "not 2xx", response.headers, None)


class WebhookSender:
    """Sends what is due. One sender per service; :meth:`deliver` is serialised, so that two
    rounds never send the same event at once."""

    def __init__(self, catalog: Catalog, settings: WebhookSettings, *, now: Now = _now,
                 stop: threading.Event | None = None) -> None:
        self.catalog = catalog
        self.settings = settings
        self.now = now
        self._stop = stop or threading.Event()
        self._lock = threading.Lock()

    def deliver(self) -> DeliveryReport:
        report = DeliveryReport()
        if not self.settings.urls:
            return report
        with self._lock:
            since = self.now() - self.settings.clears_for
            for alert, url, event in undelivered(self.catalog, list(self.settings.urls),
                                                 since):
                if int(alert.deliveries.get(url, {}).get("attempts", 0)) >= \
                        self.settings.max_attempts:
                    continue
                error = self._send(url, payload(alert, event))
                if error is None:
                    mark_delivery(self.catalog, alert.id, url, event, self.now())
                    report.sent.append((alert.id, url, event))
                    logger.info("alert %s %s sent to %s", alert.key, event, url)
                else:
                    mark_delivery(self.catalog, alert.id, url, None, self.now(), error)
                    report.failed.append((alert.id, url, event, error))
                    logger.warning("alert %s %s not delivered to %s: %s", alert.key, event,
                                   url, error)
        return report

    def _send(self, url: str, body: dict[str, Any]) -> str | None:
        """None when sent; else the last error, after ``attempts`` tries."""
        error = "not tried"
        for attempt in range(max(1, self.settings.attempts)):
            if attempt and self._stop.wait(self.settings.backoff * 2 ** (attempt - 1)):
                break
            try:
                post_json(url, body, self.settings.timeout)
                return None
            except (OSError, ValueError) as exc:  # URLError and HTTPError are OSErrors
                error = str(exc)
        return error
