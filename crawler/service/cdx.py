"""The archive's standard interfaces over the CDXJ index: pywb's CDX server API and Memento
(RFC 7089) TimeMaps and TimeGate. Pure answers built on :func:`iter_captures`; the HTTP layer
(crawler/api/archive_api.py) only parses the request and sends these.

CDX, as pywb's ``/cdx``: ``url`` (``host/*`` means matchType=prefix, ``*.host`` domain),
``matchType``, ``from``/``to``, ``filter``, then ``sort`` (``reverse``, or ``closest`` to
``closest``), then ``collapse`` (``field`` or ``field:N``: a line whose field, or its first N
characters, equals the line before it is dropped), then ``limit``; ``fl`` picks the fields
and ``output=json`` gives one JSON object per line (the default is the CDXJ line, or the
``fl`` fields separated by spaces).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from itertools import islice
from typing import Any, Literal

from archive.cdxj import MATCH_TYPES, CdxjLine
from crawler.context import AkhbarContext
from crawler.errors import ArchiveLookupError, InvalidParameter
from crawler.service.archive import CaptureQuery, iter_captures, parse_timestamp

__all__ = ["CDX_FIELDS", "CdxRequest", "Memento", "capture_records", "cdx_lines", "http_date",
           "memento_headers", "mementos", "parse_accept_datetime", "timegate", "timemap_json",
           "timemap_link"]

#: The fields of ``output=json`` (pywb's), in order.
CDX_FIELDS = ("urlkey", "timestamp", "url", "mime", "status", "digest", "length", "offset",
              "filename")

Output = Literal["cdxj", "json", "text"]


@dataclass(frozen=True)
class CdxRequest:
    url: str
    match_type: str = "exact"
    from_: str | None = None
    to: str | None = None
    limit: int | None = None
    sort: str | None = None
    closest: str | None = None
    fl: tuple[str, ...] = ()
    filters: tuple[str, ...] = ()
    collapse: str | None = None
    output: Output = "cdxj"

    @classmethod
    def parse(cls, url: str, match_type: str | None = None, *, from_: str | None = None,
              to: str | None = None, limit: int | None = None, sort: str | None = None,
              closest: str | None = None, fl: str | None = None,
              filters: Iterable[str] = (), collapse: str | None = None,
              output: str | None = None) -> CdxRequest:
        """The request as pywb reads it; InvalidParameter names what is wrong."""
        kind = match_type or "exact"
        if url.endswith("/*") and match_type in (None, "prefix"):
            url, kind = url[:-1], "prefix"
        elif url.startswith("*.") and match_type in (None, "domain"):
            url, kind = url[2:], "domain"
        elif "*" in url:
            raise InvalidParameter("url", "a wildcard goes at the end (host/path/*) or the "
                                          "start (*.host), nowhere else")
        if kind not in MATCH_TYPES:
            raise InvalidParameter("matchType", f"{kind!r}; use {', '.join(MATCH_TYPES)}")
        if sort not in (None, "", "reverse", "closest"):
            raise InvalidParameter("sort", f"{sort!r}; use reverse or closest")
        if sort == "closest" and not closest:
            raise InvalidParameter("closest", "sort=closest needs closest=<timestamp>")
        fields = tuple(f.strip() for f in (fl or "").split(",") if f.strip())
        for name in fields + ((collapse or "").split(":")[0],) * bool(collapse):
            if name not in CDX_FIELDS:
                which = "fl" if name in fields else "collapse"
                raise InvalidParameter(which, f"no field {name!r}; use {', '.join(CDX_FIELDS)}")
        if collapse and ":" in collapse and not collapse.split(":", 1)[1].isdigit():
            raise InvalidParameter("collapse", f"{collapse!r}; use field or field:N")
        if output not in (None, "", "cdxj", "json", "text"):
            raise InvalidParameter("output", f"{output!r}; use json, text or cdxj")
        out: Output = "json" if output == "json" else "text" if output == "text" else "cdxj"
        return cls(url, kind, _stamp("from", from_), _stamp("to", to), limit, sort or None,
                   _stamp("closest", closest), fields, tuple(filters), collapse or None, out)


def _stamp(name: str, value: str | None) -> str | None:
    try:
        return parse_timestamp(value)
    except ArchiveLookupError as exc:
        raise InvalidParameter(name, str(exc)) from None


def _field(line: CdxjLine, name: str) -> str:
    if name == "urlkey":
        return line.urlkey
    if name == "timestamp":
        return line.timestamp
    value = line.fields.get(name)
    return "-" if value is None else str(value)


def _captures(ctx: AkhbarContext, req: CdxRequest) -> Iterator[CdxjLine]:
    query = CaptureQuery(req.url, match_type=req.match_type, from_=req.from_, to=req.to,
                         filters=req.filters)
    try:
        lines: Iterable[CdxjLine] = iter_captures(ctx, query)
        if req.sort == "reverse":
            lines = reversed(list(lines))
        elif req.closest:
            target = int(req.closest.ljust(14, "0"))
            lines = sorted(lines, key=lambda x: abs(int(x.timestamp) - target))
        yield from lines
    except ValueError as exc:  # a bad filter
        raise InvalidParameter("filter", str(exc)) from None


def _collapsed(lines: Iterable[CdxjLine], collapse: str | None) -> Iterator[CdxjLine]:
    if not collapse:
        yield from lines
        return
    name, _, size = collapse.partition(":")
    width = int(size) if size else None
    last: str | None = None
    for line in lines:
        value = _field(line, name)[:width]
        if value != last:
            yield line
        last = value


def cdx_lines(ctx: AkhbarContext, req: CdxRequest) -> Iterator[str]:
    """The answer of ``/cdx``, line by line (each ending in a newline)."""
    lines = _collapsed(_captures(ctx, req), req.collapse)
    if req.limit is not None:
        lines = iter(list(lines)[req.limit:]) if req.limit < 0 else islice(lines, req.limit)
    fields = req.fl or CDX_FIELDS
    for line in lines:
        if req.output == "json":
            yield json.dumps({name: _field(line, name) for name in fields}) + "\n"
        elif req.output == "text" or req.fl:
            yield " ".join(_field(line, name) for name in fields) + "\n"
        else:
            yield line.to_line()


def capture_records(ctx: AkhbarContext, req: CdxRequest) -> list[dict[str, Any]]:
    """The answer of ``/captures``: one object per capture, ``timestamp`` and the index's
    fields, or only the ``fl`` fields."""
    lines = _collapsed(_captures(ctx, req), req.collapse)
    found = list(lines)
    if req.limit is not None:
        found = found[req.limit:] if req.limit < 0 else found[: req.limit]
    if req.fl:
        return [{name: _field(line, name) for name in req.fl} for line in found]
    return [{"timestamp": line.timestamp, **line.fields} for line in found]


# -- Memento -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Memento:
    timestamp: str  # 14 digits
    url: str  # the original URL as captured

    @property
    def datetime(self) -> datetime:
        return datetime.strptime(self.timestamp.ljust(14, "0")[:14],
                                 "%Y%m%d%H%M%S").replace(tzinfo=UTC)


def http_date(when: datetime) -> str:
    """RFC 1123, as Memento-Datetime and Accept-Datetime use."""
    return format_datetime(when.astimezone(UTC), usegmt=True)


def parse_accept_datetime(value: str) -> datetime:
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        raise InvalidParameter("Accept-Datetime", f"{value!r} is not an RFC 1123 date "
                                                  "(e.g. Thu, 29 Nov 2026 12:00:00 GMT)") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def mementos(ctx: AkhbarContext, url: str) -> list[Memento]:
    """Every capture of ``url`` that is a memento (responses and revisits, not errors of
    the fetch), oldest first. ArchiveLookupError when there is none."""
    found = [Memento(line.timestamp, line.url or url)
             for line in iter_captures(ctx, CaptureQuery(url))]
    if not found:
        raise ArchiveLookupError(f"no capture of {url} in the archive")
    return found


@dataclass(frozen=True)
class Links:
    """Where a URL's Memento resources are, as absolute URIs of this service."""

    base: str  # e.g. http://127.0.0.1:8631

    def memento(self, m: Memento) -> str:
        return f"{self.base}/memento/{m.timestamp}/{m.url}"

    def timegate(self, url: str) -> str:
        return f"{self.base}/timegate/{url}"

    def timemap(self, url: str, kind: str = "link") -> str:
        return f"{self.base}/timemap/{kind}/{url}"


def timemap_link(url: str, found: list[Memento], links: Links) -> str:
    """An application/link-format TimeMap (RFC 7089 section 5)."""
    first, last = found[0], found[-1]
    rows = [f'<{url}>; rel="original"',
            f'<{links.timemap(url)}>; rel="self"; type="application/link-format"; '
            f'from="{http_date(first.datetime)}"; until="{http_date(last.datetime)}"',
            f'<{links.timegate(url)}>; rel="timegate"']
    for n, m in enumerate(found):
        rel = "memento"
        if n == 0:
            rel = "first memento"
        if n == len(found) - 1:
            rel = "last memento" if n else "first last memento"
        rows.append(f'<{links.memento(m)}>; rel="{rel}"; datetime="{http_date(m.datetime)}"')
    return ",\n".join(rows) + "\n"


def timemap_json(url: str, found: list[Memento], links: Links) -> dict[str, object]:
    """The TimeMap as JSON, in the shape Memento aggregators use."""
    def entry(m: Memento) -> dict[str, str]:
        return {"datetime": m.datetime.isoformat().replace("+00:00", "Z"),
                "uri": links.memento(m)}
    return {"original_uri": url, "timegate_uri": links.timegate(url),
            "timemap_uri": {"link_format": links.timemap(url),
                            "json_format": links.timemap(url, "json")},
            "mementos": {"first": entry(found[0]), "last": entry(found[-1]),
                         "list": [entry(m) for m in found]}}


def timegate(found: list[Memento], when: datetime | None) -> Memento:
    """The memento closest to ``when`` (the latest without one); ties go to the earlier."""
    if when is None:
        return found[-1]
    return min(found, key=lambda m: abs((m.datetime - when).total_seconds()))


def memento_links(url: str, m: Memento, links: Links) -> str:
    """The ``Link`` header of a memento or a TimeGate answer."""
    return ", ".join([f'<{url}>; rel="original"', f'<{links.timegate(url)}>; rel="timegate"',
                      f'<{links.timemap(url)}>; rel="timemap"; type="application/link-format"',
                      f'<{links.memento(m)}>; rel="memento"; datetime="{http_date(m.datetime)}"'])


def memento_headers(url: str, timestamp: str, base: str) -> dict[str, str]:
    """``Memento-Datetime`` and ``Link`` of a capture of ``url`` served at ``timestamp``
    by the service at ``base`` (every route that serves a capture sends them)."""
    m = Memento(timestamp, url)
    return {"Memento-Datetime": http_date(m.datetime),
            "Link": memento_links(url, m, Links(base.rstrip("/")))}

