"""The shared crawl process's protocol, in JSON lines: commands on its stdin
(:class:`StartRun`, :class:`StopRun`), events on its stdout (:class:`HostReady`,
:class:`RunStarted`, :class:`RunEnded`, :class:`Refused`). Apart from the process
(crawler.crawl.host) so that its owner (crawler.runs.hosted) reads it without importing
Scrapy."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

#: How the shared crawl process is started: ``python -m`` this (its command line names it).
HOST_MODULE = "crawler.crawl.host"

__all__ = ["HOST_MODULE", "HostReady", "Message", "ProtocolError", "Refused", "RunEnded",
           "RunStarted", "StartRun", "StopRun", "parse_command", "parse_event"]


class Message(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    def to_line(self) -> bytes:
        return self.model_dump_json().encode("utf-8") + b"\n"


class StartRun(Message):
    """Crawl ``outlet`` as run ``run_id`` with these Scrapy settings (what
    ``crawler.runs.local.crawl_settings`` gives; the process's own ``-s`` options)."""

    op: Literal["start"] = "start"
    run_id: str = Field(min_length=1)
    outlet: str = Field(min_length=1)
    settings: dict[str, str] = Field(default_factory=dict)


class StopRun(Message):
    """Stop run ``run_id`` gracefully: its spider closes, its WARC files are closed."""

    op: Literal["stop"] = "stop"
    run_id: str = Field(min_length=1)


class HostReady(Message):
    """The host is up: its pid and its extraction workers' (none: extraction on the
    reactor thread)."""

    event: Literal["ready"] = "ready"
    pid: int
    workers: list[int]


class RunStarted(Message):
    """The run's engine is running: its first requests are going out."""

    event: Literal["started"] = "started"
    run_id: str
    outlet: str


class RunEnded(Message):
    """The run is over and its stats file written (unless it failed before it opened).
    ``reason``: Scrapy's finish reason (finished, shutdown, closespider_timeout, ...);
    ``error``: what it raised, if it did."""

    event: Literal["ended"] = "ended"
    run_id: str
    outlet: str
    reason: str | None = None
    error: str | None = None


class Refused(Message):
    """A command the host could not take (not JSON, not a command, a run id it already
    has); ``run_id`` when it could read one."""

    event: Literal["refused"] = "refused"
    run_id: str | None = None
    error: str


Command = Annotated[StartRun | StopRun, Field(discriminator="op")]
Event = Annotated[HostReady | RunStarted | RunEnded | Refused, Field(discriminator="event")]
_COMMANDS: TypeAdapter[StartRun | StopRun] = TypeAdapter(Command)
_EVENTS: TypeAdapter[HostReady | RunStarted | RunEnded | Refused] = TypeAdapter(Event)


class ProtocolError(ValueError):
    """A line that is not a message of the protocol."""


def parse_command(line: bytes | str) -> StartRun | StopRun:
    try:
        return _COMMANDS.validate_json(line)
    except ValidationError as exc:
        raise ProtocolError(_first_error(exc)) from exc


def parse_event(line: bytes | str) -> HostReady | RunStarted | RunEnded | Refused:
    try:
        return _EVENTS.validate_json(line)
    except ValidationError as exc:
        raise ProtocolError(_first_error(exc)) from exc


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err.get("loc", ())) or "line"
    return f"{where}: {err.get('msg', 'invalid')}"


