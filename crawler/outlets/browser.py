"""The ``browser:`` section of an outlet file: how an outlet with ``render: browser`` has its
article pages rendered by headless Chromium (crawler.crawl.browser), and the limits each page
is held to."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from crawler.outlets.values import check_duration, check_size, invalid

#: ``http``: article pages are fetched as they are (Scrapy); ``browser``: through Chromium.
Render = Literal["http", "browser"]


def _positive(value: timedelta) -> timedelta:
    if value <= timedelta(0):
        invalid(f"duration {value} must be longer than zero", 'e.g. "30s"')
    return value


def _host(value: str) -> str:
    host = value.strip().lower()
    if not host or "/" in host or " " in host or ":" in host:
        invalid(f"'{value}' is not a host name",
                "Give the host alone, without scheme, path or port: cdn.example.org")
    return host


PageDuration = Annotated[timedelta, BeforeValidator(check_duration), AfterValidator(_positive)]
PageSize = Annotated[int, BeforeValidator(check_size), Field(gt=0)]
Host = Annotated[str, AfterValidator(_host)]


class BrowserSettings(BaseModel):
    """Per page limits of a browser-rendered outlet, and what else the page may fetch."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_time: PageDuration = Field(
        default=timedelta(seconds=30),
        description='how long one page may take to load and settle, e.g. "30s"')
    max_bytes: PageSize = Field(
        default=20 * 1024**2,
        description='how many bytes one page may fetch, all its requests together, e.g. "20MB"')
    max_requests: int = Field(
        default=200, gt=0, le=10_000,
        description="how many requests one page may make, 1 to 10000")
    allow_hosts: list[Host] = Field(
        default=[],
        description="other hosts the page may fetch from (an outlet's CDN), e.g. "
        "[cdn.example.org]; a host also allows its subdomains")
    third_parties: Literal["block", "allow"] = Field(
        default="block",
        description="block (default: requests to any host not the outlet's or in allow_hosts "
        "are never made, trackers included) or allow (every host)")
    screenshot: bool = Field(default=True, description="true or false: store a screenshot")

    def allows(self, host: str, outlet_hosts: list[str]) -> bool:
        """May a page of the outlet fetch from ``host``?"""
        if self.third_parties == "allow":
            return True
        host = host.lower()
        return any(host == h or host.endswith("." + h) for h in [*outlet_hosts,
                                                                  *self.allow_hosts])
