"""The ``celery:`` section of ``config/akhbar.yaml``: crawl workers on many hosts, one broker,
one PostgreSQL catalog (crawler.runs.cluster)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from crawler.outlets.values import check_duration, invalid

BROKER_SCHEMES = ("redis", "rediss", "amqp", "amqps", "pyamqp")


def _positive(value: timedelta) -> timedelta:
    if value <= timedelta(0):
        invalid("the duration must be more than 0", 'e.g. "60s"')
    return value


def _broker_url(value: str) -> str:
    scheme = value.partition("://")[0].lower()
    if "://" not in value or scheme not in BROKER_SCHEMES:
        invalid(f"'{value.split('@')[-1]}' is not a broker URL",
                "Use redis://HOST:6379/0 or amqp://USER:PASSWORD@HOST:5672/VHOST")
    return value


Duration = Annotated[timedelta, BeforeValidator(check_duration), AfterValidator(_positive)]
BrokerUrl = Annotated[str, AfterValidator(_broker_url)]


class CeleryConfig(BaseModel):
    """Where the service sends runs and how workers take them (``executor: celery``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    broker_url: BrokerUrl = Field(
        default="redis://127.0.0.1:6379/0",
        description="redis://HOST:6379/DB or amqp://USER:PASSWORD@HOST:5672/VHOST "
        "(AKHBAR_BROKER_URL overrides it: a password belongs in the environment)")
    queue: str = Field(default="akhbar.runs", min_length=1, max_length=200,
                       pattern=r"^[A-Za-z0-9_.:-]+$",
                       description="the broker queue runs go through (letters, digits, _ . : -)")
    worker_executor: Literal["shared", "process"] = Field(
        default="shared", description="how a worker runs its crawls on its host: shared or "
        "process, as `executor:` does on one host")
    dead_after: Duration = Field(
        default=timedelta(seconds=60), description="a worker whose heartbeat is older than "
        'this is dead and its runs are failed, e.g. "60s" (it beats every 5 s)')
    republish_after: Duration = Field(
        default=timedelta(seconds=60), description="a queued run no worker took for this long "
        "is published again when the broker's queue is short of it (a broker that restarted "
        'lost it), e.g. "60s"')
    visibility_timeout: Duration = Field(
        default=timedelta(hours=1), description="Redis only: a message a worker reserved but "
        'did not start for this long is given to another worker, e.g. "1h"')
