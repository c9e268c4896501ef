"""The schema of an outlet file (``config/outlets/<id>.yaml``); ``config/akhbar.yaml``'s is in
:mod:`crawler.outlets.service`.

Field descriptions double as the "what is allowed" part of error messages, so keep them short
and concrete.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import timedelta
from typing import Annotated, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from crawler.outlets.browser import BrowserSettings, Render
from crawler.outlets.secrets import OutletAuth
from crawler.outlets.values import (
    check_cron,
    check_duration,
    check_http_url,
    check_language,
    check_regex,
    check_size,
    check_timezone,
    invalid,
)

ID_RE = re.compile(r"^[a-z][a-z0-9_]{1,62}$")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
DEFAULT_USER_AGENT = "akhbar/0.1 (+https://example.org/akhbar; news archiving)"


def _check_id(value: str) -> str:
    if not ID_RE.match(value):
        better = re.sub(r"[^a-z0-9]+", "_", value.lower()).strip("_")
        example = f"e.g. '{better}'" if ID_RE.match(better) else "e.g. 'tehran_times'"
        invalid(
            f"'{value}' is not a valid outlet id",
            "Use lower_snake: a letter, then 1-62 of a-z, 0-9 or _ "
            f"({example}); the file must be named <id>.yaml",
        )
    return value


def _check_positive(value: timedelta) -> timedelta:
    if value <= timedelta(0):
        invalid(f"duration {value} must be longer than zero", "e.g. 30m")
    return value


def seconds(value: object) -> object:
    if isinstance(value, str) and not value.strip().isdigit():
        return int(check_duration(value).total_seconds())
    return value


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
HttpUrl = Annotated[str, AfterValidator(check_http_url)]
Regex = Annotated[str, AfterValidator(check_regex)]
Language = Annotated[str, AfterValidator(check_language)]
Duration = Annotated[timedelta, BeforeValidator(check_duration), AfterValidator(_check_positive)]
Size = Annotated[int, BeforeValidator(check_size), Field(gt=0)]


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Discovery(Section):
    """Where the spider finds article URLs."""

    feeds: list[HttpUrl] = Field(default=[], description="a list of RSS/Atom feed URLs")
    sitemaps: list[HttpUrl] = Field(
        default=[], description="a list of sitemap or sitemap-index URLs"
    )
    listings: list[HttpUrl] = Field(
        default=[], description="a list of section/listing page URLs to follow links from"
    )

    @model_validator(mode="after")
    def _needs_a_start(self) -> Discovery:
        if not (self.feeds or self.sitemaps or self.listings):
            invalid(
                "no start URLs: feeds, sitemaps and listings are all empty",
                "Give at least one, e.g. feeds: [https://www.example.org/rss]",
            )
        return self


class Articles(Section):
    """Which URLs are article pages. Patterns are searched (``re.search``) in the full URL."""

    allow: list[Regex] = Field(
        default=[],
        description="a list of regexes; a URL must match one (empty = every same-host page)",
    )
    deny: list[Regex] = Field(
        default=[], description="a list of regexes; a URL matching any is never an article"
    )


class Limits(Section):
    """When a run stops."""

    max_articles: int = Field(default=500, gt=0, description="a whole number above 0")
    max_depth: int = Field(default=2, ge=0, description="a whole number, 0 or more")
    max_duration: Duration = Field(
        default=timedelta(minutes=30), description='a duration such as "30m" or "1h30m"'
    )
    max_pages: int = Field(default=5000, gt=0, description="a whole number above 0")
    max_response_size: Size = Field(
        default=10 * 1024**2, description='a size such as "512KB" or "10MB"'
    )


class Politeness(Section):
    """How gently the outlet is fetched."""

    obey_robots: bool = Field(default=True, description="true or false")
    delay: float = Field(default=1.0, ge=0, description="seconds between requests, 0 or more")
    concurrency: int = Field(
        default=2, ge=1, le=32, description="parallel requests to the outlet, 1 to 32"
    )
    user_agent: Text | None = Field(
        default=None, description="a User-Agent string (default: the service's)"
    )


_LABEL = r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
HOST_RE = re.compile(rf"^(?=.{{1,253}}$){_LABEL}(\.{_LABEL})*$")


def _check_host(value: str) -> str:
    host = value.strip().lower().rstrip(".")
    if not HOST_RE.match(host):
        invalid(f"'{value}' is not a host name",
                "Give the bare host of the CDN, e.g. cdn.example-outlet.com (no scheme, no path)")
    return host


Host = Annotated[str, AfterValidator(_check_host)]


class Capture(Section):
    """What is archived besides each page's HTML: its requisites (stylesheets and what they
    import, images, fonts, scripts, icons), so the page replays as readers saw it."""

    requisites: Literal["same-site", "all", "none"] = Field(
        default="same-site", description="same-site (the outlet's hosts and extra_hosts), all "
        "(any host), or none")
    extra_hosts: list[Host] = Field(
        default=[], description="hosts besides the outlet's whose requisites are fetched "
        "(its CDN), e.g. [cdn.example-outlet.com]")
    listings: bool = Field(
        default=False, description="true fetches listing pages' requisites too (default: "
        "article pages only)")
    max_per_page: int = Field(
        default=60, ge=1, le=1000, description="at most this many requisites per page, 1 to 1000")
    max_page_bytes: Size = Field(
        default=20 * 1024**2, description='at most this many bytes of requisites per page, '
        'e.g. "20MB"; each one is also bounded by limits.max_response_size')


class OutletAlerts(Section):
    """The outlet's own alert thresholds (crawler.ops.alerts)."""

    yield_drop: float | None = Field(
        default=None, gt=0, le=1, description="alert when a run sees fewer articles than "
        "this fraction of the median of its recent runs, e.g. 0.5 (default: the service's)")


class OutletConfig(BaseModel):
    """One outlet, as read from ``config/outlets/<id>.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, AfterValidator(_check_id)] = Field(
        description="the outlet id, lower_snake, equal to the file name without .yaml"
    )
    name: Text = Field(description="the outlet's display name, e.g. 'Tehran Times'")
    homepage: HttpUrl = Field(description="the outlet's http(s) home page URL")
    enabled: bool = Field(default=True, description="true or false")
    languages: list[Language] = Field(
        description="the languages the outlet publishes, as ISO 639 codes, e.g. [en, fa]"
    )
    # timezone comes before schedule: the cron check reads it.
    timezone: str = Field(default="UTC", description='an IANA time zone name such as "Asia/Tehran"')
    schedule: str | None = Field(
        default=None, description='a 5-field cron expression such as "0 */6 * * *", or null'
    )
    discovery: Discovery = Field(
        description="a mapping with feeds, sitemaps and/or listings (lists of URLs)"
    )
    articles: Articles = Field(default_factory=Articles, description="a mapping: allow, deny")
    limits: Limits = Field(default_factory=Limits, description="a mapping of run limits")
    politeness: Politeness = Field(
        default_factory=Politeness, description="a mapping: obey_robots, delay, concurrency"
    )
    alerts: OutletAlerts = Field(default_factory=OutletAlerts, description="a mapping: yield_drop")
    auth: OutletAuth | None = Field(default=None, description="a mapping: basic and/or headers, "
                                    "naming secrets (never their values)")
    # render comes before browser: the browser check reads it.
    render: Render = Field(
        default="http", description="http (article pages fetched as they are) or browser "
        "(rendered by headless Chromium: for outlets whose articles need JavaScript)")
    browser: BrowserSettings | None = Field(
        default=None, description="a mapping: max_time, max_bytes, max_requests, allow_hosts, "
        "third_parties, screenshot (only with render: browser)")
    capture: Capture = Field(
        default_factory=Capture, description="a mapping: requisites, extra_hosts, listings, "
        "max_per_page, max_page_bytes")

    @field_validator("languages")
    @classmethod
    def _some_languages(cls, value: list[str]) -> list[str]:
        if not value:
            invalid("no languages given", "List what the outlet publishes, e.g. [en] or [ar, en]")
        return list(dict.fromkeys(value))

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        return check_timezone(value)

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        return check_cron(value, info.data.get("timezone", "UTC"))

    @field_validator("browser")
    @classmethod
    def _browser(
        cls, value: BrowserSettings | None, info: ValidationInfo
    ) -> BrowserSettings | None:
        if value is not None and info.data.get("render", "http") != "browser":
            invalid("browser settings are given but render is http",
                    "Add render: browser, or remove the browser section")
        return value

    @property
    def browser_settings(self) -> BrowserSettings:
        """The page limits of a browser-rendered outlet (the defaults when not given)."""
        return self.browser or BrowserSettings()

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def allowed_domains(self) -> list[str]:
        """Hosts of the home page and of every discovery URL, sorted."""
        urls = [self.homepage, *self.discovery.feeds, *self.discovery.sitemaps]
        urls += self.discovery.listings
        return sorted({host for u in urls if (host := urlsplit(u).hostname)})

    @property
    def auth_domain(self) -> str:
        """The host (and port, if the home page gives one) that the outlet's credentials are
        sent to, with its subdomains: what Scrapy's ``url_is_from_any_domain`` compares."""
        return urlsplit(self.homepage).netloc.lower()

    @property
    def config_hash(self) -> str:
        """sha256 of the normalized config: changes exactly when a setting changes."""
        data = json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(data.encode("utf-8")).hexdigest()

    def is_article_candidate(self, url: str) -> bool:
        """Is ``url`` on an allowed host, not denied and (if allow is set) allowed?"""
        host = urlsplit(url).hostname or ""
        if not any(host == d or host.endswith("." + d) for d in self.allowed_domains):
            return False
        if any(re.search(p, url) for p in self.articles.deny):
            return False
        return not self.articles.allow or any(re.search(p, url) for p in self.articles.allow)
