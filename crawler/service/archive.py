"""Looking things up in the archive: captures of URLs, one capture's bytes, text and headers,
and what changed between two versions of an article.

Capture lookups read the CDXJ index under ``<data>/index/`` (the one pywb replays from) with
the CDX server API's query parameters, parsed once into a :class:`CaptureQuery`; bytes are
read from the WARC file by the offset and length the index gives.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import re2
from sqlalchemy import select

from archive import ArchiveRecord, read_record
from archive.cdxj import CdxjLine, iter_index, search_range
from crawler.catalog import Article, ArticleVersion, Capture
from crawler.context import AkhbarContext
from crawler.errors import ArchiveLookupError, InvalidParameter

__all__ = [
    "CaptureFilter",
    "CaptureQuery",
    "ShownCapture",
    "VersionDiff",
    "article_for_record",
    "diff_versions",
    "find_captures",
    "index_dir",
    "iter_captures",
    "parse_timestamp",
    "show_capture",
]

LATEST = "99991231235959"
_FILTER_RX = re.compile(r"^(?P<neg>!)?(?P<op>[~=])?(?P<field>[A-Za-z_.-]+):(?P<value>.*)$")


def index_dir(ctx: AkhbarContext) -> Path:
    return ctx.data_dir / "index"


def parse_timestamp(value: str | None) -> str | None:
    """A CDX timestamp prefix (1 to 14 digits) from digits or an ISO date/time (UTC unless
    it says otherwise). ``2026-11-29`` gives ``20261129``: the whole day."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if value.isdigit() and len(value) <= 14:
        return value
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ArchiveLookupError(
            f"{value!r} is not a time: use an ISO date/time (2026-11-29, 2026-11-29T12:00Z) "
            "or a timestamp (20261129120000, or a prefix of it)") from None
    if len(value) == 10:
        return parsed.strftime("%Y%m%d")
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC)
    return parsed.strftime("%Y%m%d%H%M%S")


@dataclass(frozen=True)
class CaptureQuery:
    """The CDX server API's query parameters, where they fit akhbar.

    ``match_type``: exact | prefix | host | domain. ``from_``/``to``: timestamp prefixes
    (inclusive). ``closest``: sort by distance to this time. ``limit``: at most that many,
    the last ones when negative. ``filters``: ``[!][~|=]field:value`` (``~`` contains,
    ``=`` equals, otherwise a regex searched; ``!`` negates), on ``status``, ``mime``,
    ``url``, ``digest``, ``filename``... ``outlet``: only that outlet's index.
    """

    url: str
    match_type: str = "exact"
    from_: str | None = None
    to: str | None = None
    closest: str | None = None
    limit: int | None = None
    filters: tuple[str, ...] = ()
    outlet: str | None = None
    parsed_filters: tuple[CaptureFilter, ...] = field(default=(), init=False, repr=False,
                                                      compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "parsed_filters",
                           tuple(CaptureFilter.parse(raw) for raw in self.filters))


#: Longest filter taken: a regex is compiled once per query, and RE2's memory grows with it.
MAX_FILTER = 300


def _re2_options() -> re2.Options:
    options = re2.Options()
    options.log_errors = False  # a bad pattern is the caller's error, not a line on stderr
    options.max_mem = 8 << 20
    return options


@dataclass(frozen=True)
class CaptureFilter:
    """One ``[!][~|=]field:value`` filter. A regex runs on RE2: linear in the length of the
    text whatever the pattern, so no filter can hold a CPU (Python's ``re`` backtracks:
    ``((.+)+)+$x`` on a 30-character URL runs for hours)."""

    field: str
    op: str
    value: str
    negate: bool
    regex: Any = None

    @classmethod
    def parse(cls, raw: str) -> CaptureFilter:
        if len(raw) > MAX_FILTER:
            raise InvalidParameter("filter", f"{len(raw)} characters; at most {MAX_FILTER}")
        m = _FILTER_RX.match(raw)
        if m is None:
            raise InvalidParameter(
                "filter", f"{raw!r} is not a filter: use field:regex, =field:value, "
                "~field:part, with ! in front to negate (e.g. status:200, !mime:warc/revisit)")
        regex = None
        if not m["op"]:
            try:
                regex = re2.compile(m["value"], _re2_options())
            except re2.error as exc:
                raise InvalidParameter(
                    "filter", f"{m['value']!r} is not a regular expression RE2 accepts "
                    f"({exc}); backreferences and lookaround are not supported") from None
        return cls(m["field"], m["op"] or "", m["value"], bool(m["neg"]), regex)

    def matches(self, line: CdxjLine) -> bool:
        name = self.field
        have = line.timestamp if name == "timestamp" else line.urlkey if name == "urlkey" \
            else str(line.fields.get(name, ""))
        if self.op == "~":
            ok = self.value in have
        elif self.op == "=":
            ok = have == self.value
        else:
            ok = self.regex.search(have) is not None
        return ok != self.negate


def _in_time(line: CdxjLine, query: CaptureQuery) -> bool:
    ts = line.timestamp
    if query.from_ and ts < query.from_.ljust(14, "0"):
        return False
    return not (query.to and ts[: len(query.to)] > query.to)


def _source(ctx: AkhbarContext, outlet: str | None) -> Path:
    if outlet is None:
        return index_dir(ctx)
    return index_dir(ctx) / f"{outlet}.cdxj"


def iter_captures(ctx: AkhbarContext, query: CaptureQuery) -> Iterator[CdxjLine]:
    """Captures matching the query, in index (SURT key, then time) order."""
    try:
        start, end = search_range(query.url, query.match_type)
    except ValueError as exc:
        raise ArchiveLookupError(str(exc)) from None
    for line in iter_index(_source(ctx, query.outlet), start, end):
        if _in_time(line, query) and all(f.matches(line) for f in query.parsed_filters):
            yield line


def find_captures(ctx: AkhbarContext, query: CaptureQuery) -> list[CdxjLine]:
    """Captures matching the query: index order, or nearest first with ``closest``."""
    lines = list(iter_captures(ctx, query))
    if query.closest:
        target = int(query.closest.ljust(14, "0"))
        lines.sort(key=lambda x: abs(int(x.timestamp) - target))
    if query.limit is not None:
        lines = lines[query.limit:] if query.limit < 0 else lines[: query.limit]
    return lines


# -- one capture --------------------------------------------------------------------------
@dataclass
class ShownCapture:
    """A capture and, for a revisit, the earlier response whose payload it repeats."""

    capture: CdxjLine
    record: ArchiveRecord
    payload_capture: CdxjLine
    payload_record: ArchiveRecord
    article: dict[str, Any] | None = None
    warc_path: Path = field(default_factory=Path)

    @property
    def is_revisit(self) -> bool:
        return self.record.rec_type == "revisit"

    @property
    def raw_payload(self) -> bytes:
        """The HTTP payload as received (still Content-Encoded, as archived)."""
        return self.payload_record.raw_payload

    def headers_text(self) -> str:
        """The WARC headers, then the HTTP headers, of the capture itself."""
        parts = [self.record.headers.to_str()]
        if self.record.http_headers is not None:
            parts.append(self.record.http_headers.to_str())
        return "\n".join(p.replace("\r\n", "\n").rstrip("\n") + "\n" for p in parts)

    def summary(self) -> dict[str, Any]:
        cap = self.capture
        out: dict[str, Any] = {
            "url": cap.url, "timestamp": cap.timestamp, "status": cap.status, "mime": cap.mime,
            "record_type": self.record.rec_type, "record_id": self.record.record_id,
            "warc_file": cap.filename, "warc_offset": cap.offset, "warc_length": cap.length,
            "digest": cap.digest,
        }
        if self.is_revisit:
            p = self.payload_capture
            out["payload_from"] = {"url": p.url, "timestamp": p.timestamp,
                                   "warc_file": p.filename, "warc_offset": p.offset,
                                   "warc_length": p.length,
                                   "record_id": self.payload_record.record_id}
        return out


def show_capture(ctx: AkhbarContext, url: str, at: str | None = None, *,
                 outlet: str | None = None, with_text: bool = False) -> ShownCapture:
    """The capture of ``url`` closest to ``at`` (default: the latest), read from its WARC;
    a revisit resolves to the response it refers to. ``with_text`` adds the article text
    and metadata extracted from that response, from the catalog."""
    when = parse_timestamp(at) or LATEST
    found = find_captures(ctx, CaptureQuery(url, closest=when, limit=1, outlet=outlet))
    if not found:
        from crawler.urls import canonicalize

        alt = canonicalize(url)
        if alt != url:
            found = find_captures(ctx, CaptureQuery(alt, closest=when, limit=1, outlet=outlet))
    if not found:
        raise ArchiveLookupError(f"no capture of {url} in the index; `akhbar captures {url} "
                                 "--match prefix` lists near ones")
    cap = found[0]
    record = _read(ctx, cap)
    payload_cap, payload_rec = cap, record
    if record.rec_type == "revisit":
        payload_cap = _resolve_revisit(ctx, cap, record)
        payload_rec = _read(ctx, payload_cap)
    shown = ShownCapture(cap, record, payload_cap, payload_rec,
                         warc_path=ctx.warcs_dir / cap.filename)
    if with_text and payload_rec.record_id:
        shown.article = article_for_record(ctx, payload_rec.record_id)
    return shown


#: What a browser-rendered page's capture has beside it (crawler.crawl.browser): its
#: rendered DOM and its screenshot, under these URI prefixes and the capture's timestamp.
RENDERED_VIEWS = {"dom": "urn:dom:", "screenshot": "urn:view:"}


def rendered_views(ctx: AkhbarContext, url: str, timestamp: str) -> dict[str, str]:
    """The views of a browser-rendered capture of ``url`` at ``timestamp`` (``dom``,
    ``screenshot``) by the URI each is archived under; none for a page fetched as it is."""
    found = {}
    for name, prefix in RENDERED_VIEWS.items():
        near = find_captures(ctx, CaptureQuery(prefix + url, closest=timestamp, limit=1))
        if near and near[0].timestamp == timestamp:
            found[name] = prefix + url
    return found


def _read(ctx: AkhbarContext, cap: CdxjLine) -> ArchiveRecord:
    return read_record(ctx.warcs_dir / cap.filename, cap.offset, cap.length)


def _resolve_revisit(ctx: AkhbarContext, cap: CdxjLine, record: ArchiveRecord) -> CdxjLine:
    """The response a revisit repeats: same URL and payload digest, nearest to its
    WARC-Refers-To-Date (what pywb does)."""
    headers = record.headers
    uri = headers.get_header("WARC-Refers-To-Target-URI") or cap.url
    ref_date = headers.get_header("WARC-Refers-To-Date")
    closest = parse_timestamp(ref_date) if ref_date else cap.timestamp
    digest = headers.get_header("WARC-Payload-Digest") or cap.digest
    candidates = find_captures(ctx, CaptureQuery(
        uri, closest=closest, filters=(f"=digest:{digest}", "!=mime:warc/revisit")))
    if not candidates:
        raise ArchiveLookupError(
            f"the revisit {record.record_id} of {cap.url} refers to a response of {uri} "
            f"({ref_date}) that is not in the index; `akhbar verify` checks the archive")
    return candidates[0]


def article_for_record(ctx: AkhbarContext, record_id: str) -> dict[str, Any] | None:
    """The article version extracted from the response record ``record_id``, if any."""
    from crawler.service.articles import article_record

    with ctx.catalog.session() as session:
        row = session.execute(
            select(Article, ArticleVersion, Capture)
            .join(ArticleVersion, ArticleVersion.article_id == Article.id)
            .join(Capture, Capture.id == ArticleVersion.capture_id)
            .where(Capture.warc_record_id == record_id)
        ).first()
        if row is None:
            return None
        rec = article_record(*row)
        rec.update(text_digest=row[1].text_digest, html_lang=row[1].html_lang,
                   encoding=row[1].encoding, latest_version=row[0].latest_version)
        return rec


# -- versions -----------------------------------------------------------------------------
@dataclass(frozen=True)
class VersionDiff:
    url: str
    old_version: int
    new_version: int
    old_captured_at: str
    new_captured_at: str
    diff: str

    @property
    def changed(self) -> bool:
        return bool(self.diff)

    def to_dict(self) -> dict[str, Any]:
        return {**vars(self), "changed": self.changed}


def diff_versions(ctx: AkhbarContext, url: str, old: int | None = None,
                  new: int | None = None) -> VersionDiff:
    """A unified diff of the text of two versions of an article (default: the latest two)."""
    from crawler.urls import canonicalize

    with ctx.catalog.session() as session:
        article = session.scalars(select(Article).where(Article.url == url)).one_or_none() \
            or session.scalars(select(Article).where(Article.url == canonicalize(url))
                               ).one_or_none()
        if article is None:
            raise ArchiveLookupError(f"no article {url} in the catalog; `akhbar search` finds "
                                     "articles by words")
        new = new if new is not None else article.latest_version
        old = old if old is not None else new - 1
        versions = {v.version: v for v in session.scalars(
            select(ArticleVersion).where(ArticleVersion.article_id == article.id,
                                         ArticleVersion.version.in_([old, new])))}
        for number in (old, new):
            if number not in versions:
                raise ArchiveLookupError(
                    f"{article.url} has no version {number} (it has 1 to "
                    f"{article.latest_version})")
        a, b = versions[old], versions[new]
        lines = difflib.unified_diff(
            a.text.splitlines(), b.text.splitlines(), lineterm="",
            fromfile=f"{article.url} version {old} ({a.captured_at:%Y-%m-%d %H:%M:%S})",
            tofile=f"{article.url} version {new} ({b.captured_at:%Y-%m-%d %H:%M:%S})")
        text = "".join(line + "\n" for line in lines)
        return VersionDiff(article.url, old, new, a.captured_at.isoformat(),
                           b.captured_at.isoformat(), text)


# -- sharing ------------------------------------------------------------------------------
def _aware(dt: datetime) -> datetime:
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def _iso(dt: datetime) -> str:
    return _aware(dt).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _stamp_in(dt: datetime, start: str | None, end: str | None) -> bool:
    ts = _aware(dt).astimezone(UTC).strftime("%Y%m%d%H%M%S")
    return not ((start and ts < start.ljust(14, "0")) or (end and ts[: len(end)] > end))
