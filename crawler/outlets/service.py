"""The schema of ``config/akhbar.yaml``: the service's settings (data directory, catalog,
crawl defaults, ``auth:``, ``alerts:``, ``celery:``).

Field descriptions double as the "what is allowed" part of error messages, so keep them short
and concrete.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from crawler.outlets.cluster import CeleryConfig
from crawler.outlets.schema import (
    DEFAULT_USER_AGENT,
    LOG_LEVELS,
    Duration,
    HttpUrl,
    Section,
    Size,
    Text,
    seconds,
)
from crawler.outlets.values import invalid


class AuthConfig(BaseModel):
    """Who may reach `akhbar serve` (``auth:`` in ``config/akhbar.yaml``); accounts and their
    roles are in the catalog (`akhbar users`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    allowed_hosts: list[Text] = Field(
        default=["127.0.0.1", "localhost", "::1"], min_length=1,
        description="host names the service answers to (the Host header, without the port), "
        "e.g. [archive.example.org]; others get a 400")
    anonymous_read: bool = Field(
        default=False, description="true lets anyone read the archive, runs and outlets "
        "without logging in; changes still need an account")
    open_metrics: bool = Field(default=False, description="true serves /metrics without a token")
    open_healthz: bool = Field(default=False, description="true serves /healthz without a token")
    session_lifetime: Duration = Field(
        default=timedelta(hours=12), description='how long a web login lasts, e.g. "12h"')
    login_attempts: int = Field(
        default=5, ge=1, le=1000,
        description="failed logins allowed per name and per address in 15 minutes")

    @field_validator("allowed_hosts")
    @classmethod
    def _hosts(cls, value: list[str]) -> list[str]:
        for host in value:
            if "/" in host or " " in host or host.startswith("http"):
                invalid(f"'{host}' is not a host name",
                        "Give the name alone, without scheme, path or port: archive.example.org")
        return [h.lower().strip("[]") for h in value]


class AlertsConfig(Section):
    """When ops are told, and where (``alerts:`` in ``config/akhbar.yaml``; crawler.ops)."""

    webhooks: list[HttpUrl] = Field(default=[], description="URLs each alert is POSTed to "
                                    "as JSON when raised and when cleared")
    interval: Duration = Field(default=timedelta(seconds=60), description="how often the "
                               'service checks the conditions, e.g. "60s" (and when a run ends)')
    no_success_after: Duration = Field(default=timedelta(hours=24), description="alert when "
                                       'an outlet has no successful run for this long, e.g. "24h"')
    stalled_after: Duration = Field(default=timedelta(minutes=10), description="alert when a "
                                    'running run fetches nothing for this long, e.g. "10m"')
    disk_free_min: Size = Field(default=1024**3, description="alert below this much free "
                                'space under the data directory, e.g. "1GB"')
    yield_drop: float = Field(default=0.5, gt=0, le=1, description="alert when a run sees "
                              "fewer articles than this fraction of the median of recent runs")
    yield_window: int = Field(default=10, ge=1, le=100, description="how many recent runs "
                              "the median is taken over, 1-100")
    yield_min_runs: int = Field(default=3, ge=1, le=100, description="how many earlier runs "
                                "a yield drop needs to be judged, 1-100")


class ServiceConfig(BaseModel):
    """Service-wide settings, from ``config/akhbar.yaml`` (every key optional)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    data_dir: Path = Field(
        default=Path("./data"), description="a directory path (relative = to the working dir)"
    )
    database_url: Text | None = Field(
        default=None,
        description="a SQLAlchemy URL such as postgresql+psycopg://user:pw@127.0.0.1/akhbar, "
        "or null for catalog.sqlite in the data dir",
    )
    warc_max_size: Size = Field(default=1024**3, description='a size such as "1GB"')
    user_agent: Text = Field(default=DEFAULT_USER_AGENT, description="a User-Agent string")
    max_concurrent_crawls: int = Field(
        default_factory=lambda: os.cpu_count() or 1,
        ge=1,
        description="how many crawls may run at once, 1 or more",
    )
    misfire_grace_time: Duration = Field(
        default=timedelta(minutes=10), description='a duration such as "10m"'
    )
    jitter: Annotated[int, BeforeValidator(seconds)] = Field(
        default=0, ge=0, description="seconds of random delay added to scheduled starts"
    )
    log_level: str = Field(default="INFO", description="one of " + ", ".join(LOG_LEVELS))
    api_host: Text = Field(
        default="127.0.0.1", description="the address `akhbar serve` listens on, e.g. 127.0.0.1"
    )
    api_port: int = Field(
        default=8631, ge=1, le=65535, description="the port `akhbar serve` listens on, 1-65535"
    )
    secrets_file: Path | None = Field(
        default=None, description="a YAML file of NAME: value lines, readable by its owner "
        "only, holding the secrets outlet files name under auth: (relative = to the config "
        "directory); AKHBAR_SECRET_<NAME> in the environment comes first")
    executor: Literal["shared", "process", "celery"] = Field(
        default="shared",
        description="shared (every run of this host in one crawl process, with one pool of "
        "extraction workers sized to the cores: least memory; a crash of that process ends "
        "all its runs), process (each run in a process of its own, with its own workers) or "
        "celery (runs go through a broker to `akhbar worker` processes on any host)",
    )
    celery: CeleryConfig = Field(
        default_factory=CeleryConfig, description="broker_url, queue, worker_executor, "
        "dead_after, republish_after, visibility_timeout")
    auth: AuthConfig = Field(
        default_factory=AuthConfig, description="allowed_hosts, anonymous_read, open_metrics, "
        "open_healthz, session_lifetime, login_attempts")
    alerts: AlertsConfig = Field(
        default_factory=AlertsConfig, description="webhooks, interval, no_success_after, "
        "stalled_after, disk_free_min, yield_drop, yield_window, yield_min_runs")

    @field_validator("data_dir", mode="before")
    @classmethod
    def _data_dir(cls, value: object) -> object:
        if not isinstance(value, (str, Path)) or not str(value).strip():
            invalid(f"{value!r} is not a directory path", "e.g. data_dir: ./data")
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        from sqlalchemy.engine import make_url  # only needed when a URL is configured
        from sqlalchemy.exc import ArgumentError

        from crawler.catalog.db import redact_url

        try:
            make_url(value)
        except ArgumentError:
            invalid(
                f"'{redact_url(value)}' is not a database URL",
                "Use e.g. postgresql+psycopg://user:password@127.0.0.1:5432/akhbar or "
                "sqlite:///data/catalog.sqlite, or null for the default",
            )
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _log_level(cls, value: object) -> object:
        if isinstance(value, str) and value.strip().upper() not in LOG_LEVELS:
            invalid(f"'{value}' is not a log level", "Use one of " + ", ".join(LOG_LEVELS))
        return value.strip().upper() if isinstance(value, str) else value

    def database_url_for(self, data_dir: Path) -> str:
        """The configured database URL, or the SQLite catalog inside ``data_dir``."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(data_dir / 'catalog.sqlite').absolute()}"
