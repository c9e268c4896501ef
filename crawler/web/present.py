"""How values look on a page: text direction from a language tag, times, snippets, text split
by its language parts, diff lines. Formatting only; what to show comes from the service."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from markdown_it import MarkdownIt
from markupsafe import Markup, escape
from persiantools.jdatetime import JalaliDate, JalaliDateTime

#: Languages written right to left that the tagger can report (it names Pashto, Sorani,
#: Urdu, Sindhi and Uyghur under their own codes; Hebrew, Yiddish, Dhivehi for completeness).
RTL_LANGUAGES = frozenset({"ar", "fa", "ur", "ps", "ckb", "sd", "ug", "he", "yi", "dv"})

#: CSS class per run status (colours in akhbar.css).
STATUS_CLASSES = {
    "succeeded": "ok", "running": "running", "queued": "queued", "failed": "bad",
    "timed_out": "warn", "cancelled": "muted", "skipped": "muted", "missed": "warn",
}


def text_dir(lang: str | None) -> str:
    """``rtl`` or ``ltr`` for a known language, ``auto`` (let the browser look at the first
    strong letter) for none or ``und``."""
    if not lang or lang == "und":
        return "auto"
    return "rtl" if lang.split("-")[0].lower() in RTL_LANGUAGES else "ltr"


def lang_attr(lang: str | None) -> str | None:
    """The value for a ``lang`` attribute; None (no attribute) when undetermined."""
    return None if not lang or lang == "und" else lang


def lang_dir(lang: str | None) -> Markup:
    """`` lang="fa" dir="rtl"`` for an element holding text in ``lang`` (only ``dir="auto"``
    when the language is undetermined)."""
    code = lang_attr(lang)
    attrs = f' lang="{escape(code)}"' if code else ""
    return Markup(f'{attrs} dir="{text_dir(lang)}"')


def fmt_time(value: datetime | str | None, *, seconds: bool = False) -> str:
    """A time as ``2026-11-29 12:00 UTC`` (times without a zone are UTC: SQLite drops it);
    a time with another zone keeps it (``… +03:30``), as a schedule's next run should."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return str(value)
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    shape = "%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M"
    offset = aware.utcoffset()
    zone = "UTC" if not offset else aware.strftime("%z")[:3] + ":" + aware.strftime("%z")[3:]
    return f"{aware.strftime(shape)} {zone}"


def fmt_relative(value: datetime | None, now: datetime) -> str:
    """``in 12 min``, ``3 h ago``, ``now``: a time as seen from ``now``."""
    if value is None:
        return ""
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    seconds = round((aware - now).total_seconds())
    ahead, span = seconds >= 0, abs(seconds)
    if span < 45:
        return "now"
    if span < 90 * 60:
        words = f"{max(1, round(span / 60))} min"
    elif span < 36 * 3600:
        words = f"{round(span / 3600)} h"
    else:
        words = f"{round(span / 86400)} days"
    return f"in {words}" if ahead else f"{words} ago"


def fmt_utc(value: datetime | None) -> str:
    """A time in UTC (``2026-11-29 08:30 UTC``), whatever zone it came in."""
    if value is None:
        return ""
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return fmt_time(aware.astimezone(UTC))


def fmt_timestamp(stamp: str | None) -> str:
    """A CDX timestamp (``20261129120000``) as ``2026-11-29 12:00:00 UTC``."""
    if not stamp or len(stamp) < 14 or not stamp.isdigit():
        return stamp or ""
    return f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]} {stamp[8:10]}:{stamp[10:12]}:{stamp[12:14]} UTC"


def fmt_duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds}s"
    minutes, rest = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m {rest:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m"


def parse_since(value: str | None) -> tuple[datetime | None, str | None]:
    """The ``since`` field of the search form: a time (UTC unless it says otherwise), or an
    error message for the page."""
    if not value or not value.strip():
        return None, None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None, f"since={value!r} is not a date; use 2026-11-29 (or 2026-11-29T12:00)"
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)), None


@dataclass(frozen=True)
class Snippet:
    """A bit of text around the first match of the query words: before, match, after
    (kept apart so the template escapes each and marks only the match)."""

    before: str
    match: str
    after: str


def snippet(text: str | None, query: str | None, width: int = 220) -> Snippet:
    text = " ".join((text or "").split())
    if not text:
        return Snippet("", "", "")
    at = text.casefold().find(query.casefold()) if query else -1
    if at < 0:
        cut = text[:width]
        return Snippet(cut + ("…" if len(text) > width else ""), "", "")
    end = at + len(query or "")
    start = max(0, at - width // 2)
    stop = min(len(text), end + width // 2)
    return Snippet(("…" if start else "") + text[start:at], text[at:end],
                   text[end:stop] + ("…" if stop < len(text) else ""))


@dataclass(frozen=True)
class Segment:
    """A run of paragraphs the tagger put in one language."""

    lang: str | None
    dir: str
    paragraphs: list[str]


def segments(text: str, languages: dict[str, Any] | None, default: str | None) -> list[Segment]:
    """The article text split at the tagger's parts (character spans), each with its language,
    so a Persian footer line under an English article is marked ``fa``/``rtl``. Without
    usable parts: the whole text in the article's language."""
    parts = (languages or {}).get("parts") or []
    spans: list[tuple[int, int, str | None]] = []
    pos = 0
    for part in sorted(parts, key=lambda p: p.get("start", 0)):
        start, end = int(part.get("start", 0)), int(part.get("end", 0))
        if start < pos or end > len(text) or end <= start:
            spans = []
            break
        if start > pos:
            spans.append((pos, start, None))
        spans.append((start, end, part.get("lang")))
        pos = end
    if not spans:
        spans = [(0, len(text), default)]
    elif pos < len(text):
        spans.append((pos, len(text), None))
    out: list[Segment] = []
    for start, end, lang in spans:
        lang = lang if lang and lang != "und" else default
        paras = [p.strip() for p in text[start:end].split("\n") if p.strip()]
        if not paras:
            continue
        if out and out[-1].lang == lang:
            out[-1].paragraphs.extend(paras)
        else:
            out.append(Segment(lang, text_dir(lang), paras))
    return out


def diff_rows(diff: str) -> list[tuple[str, str, str]]:
    """A unified diff as (kind, sign, text) rows: kind is head, hunk, add, del or same."""
    rows = []
    for line in diff.splitlines():
        if line.startswith(("---", "+++")):
            rows.append(("head", line[:3], line[3:].strip()))
        elif line.startswith("@@"):
            rows.append(("hunk", "@@", line.strip("@ ")))
        elif line.startswith("+"):
            rows.append(("add", "+", line[1:]))
        elif line.startswith("-"):
            rows.append(("del", "−", line[1:]))
        else:
            rows.append(("same", "", line[1:] if line.startswith(" ") else line))
    return rows


def shown_date(record: dict[str, Any]) -> str:
    """The date a list shows for an article: published if known, else when captured."""
    published = record.get("published")
    if published:
        return str(published)[:10]
    captured = record.get("captured_at")
    if isinstance(captured, datetime | date):
        return captured.isoformat()[:10]
    return str(captured or "")[:10]


def outlet_calendar(outlet_languages: list[str] | None, language: str | None) -> str:
    """``solar-hijri`` for a Persian outlet (Persian first among its declared languages, or,
    when it declares none, a Persian article), else ``gregorian``."""
    first = outlet_languages[0] if outlet_languages else language
    return "solar-hijri" if first == "fa" else "gregorian"


def fmt_article_date(value: str | None, calendar: str = "gregorian") -> str:
    """A published or modified date as the page gave it, in the outlet's calendar, with the
    Gregorian date beside a Solar Hijri one: ``۲۸ آبان ۱۴۰۵، ۰۹:۳۰ · 2026-11-19 09:30 +03:30``.
    The time keeps the zone the page gave; a date alone stays a date."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    has_time = len(value) > 10
    gregorian = fmt_time(moment) if has_time and moment.tzinfo else (
        moment.strftime("%Y-%m-%d %H:%M") if has_time else moment.strftime("%Y-%m-%d"))
    if calendar != "solar-hijri":
        return gregorian
    try:
        if has_time:
            solar = JalaliDateTime(moment).strftime("%d %B %Y، %H:%M", locale="fa")
        else:
            solar = JalaliDate(moment.date()).strftime("%d %B %Y", locale="fa")
    except (ValueError, OverflowError):  # a year the Solar Hijri calendar cannot hold
        return gregorian
    return f"{solar} · {gregorian}"


def _render_figure(renderer: Any, tokens: list[Any], idx: int, options: Any, env: Any) -> str:
    """An image of the Markdown (a figure: its alt text is the caption) as its caption and a
    link to the image: the page loads nothing from an outlet's servers."""
    token = tokens[idx]
    caption = renderer.renderInlineAsText(token.children or [], options, env)
    src = token.attrGet("src") or ""
    link = (f' <a href="{escape(src)}" rel="noreferrer noopener" class="small" dir="ltr">'
            "image</a>" if src else "")
    return f'<span class="caption" role="figure">{escape(caption)}{link}</span>'


def markdown_html(markdown: str | None) -> Markup:
    """An article's Markdown as HTML: CommonMark with tables, raw HTML in it shown as text
    (it comes from an outlet's page and must not run here), images as their captions."""
    if not markdown:
        return Markup("")
    renderer = MarkdownIt("commonmark", {"html": False}).enable("table")
    renderer.add_render_rule("image", _render_figure)
    return Markup(renderer.render(markdown))


def filters() -> dict[str, Any]:
    """The helpers templates use, by name."""
    return {"text_dir": text_dir, "lang_attr": lang_attr, "lang_dir": lang_dir,
            "fmt_time": fmt_time, "fmt_relative": fmt_relative, "fmt_utc": fmt_utc,
            "fmt_timestamp": fmt_timestamp, "fmt_duration": fmt_duration,
            "status_class": lambda s: STATUS_CLASSES.get(s or "", "muted"),
            "shown_date": shown_date, "fmt_article_date": fmt_article_date,
            "markdown_html": markdown_html}
