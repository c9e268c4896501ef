"""Content model of the demo site: outlets and articles loaded from ``content/*.json``.

Everything the server renders and everything the tests expect comes from these objects, so a
benchmark can build a bigger :class:`SiteContent` (see :func:`scaled_content`) and serve it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from functools import cache
from pathlib import Path
from typing import Any

CONTENT_DIR = Path(__file__).parent / "content"
OUTLET_IDS = ("demo_en", "demo_ar", "demo_ar1256", "demo_fa")


@dataclass(frozen=True)
class Revision:
    """A change of an article's body that appears from ``edition`` on."""

    edition: int
    modified: datetime
    replace: dict[int, str] = field(default_factory=dict)
    append: tuple[str, ...] = ()


@dataclass(frozen=True)
class Article:
    slug: str
    title: str
    author: str | None  # key into Outlet.authors
    published: datetime  # aware, outlet's local offset
    date_style: str  # "jsonld" | "meta" | "hijri"
    tags: tuple[str, ...]
    paragraphs: tuple[str, ...]
    since: int = 1
    flaky: bool = False
    revisions: tuple[Revision, ...] = ()

    def revision_for(self, edition: int) -> Revision | None:
        applicable = [r for r in self.revisions if r.edition <= edition]
        return max(applicable, key=lambda r: r.edition) if applicable else None

    def body(self, edition: int) -> tuple[str, ...]:
        paragraphs = list(self.paragraphs)
        for rev in sorted(self.revisions, key=lambda r: r.edition):
            if rev.edition > edition:
                break
            for index, text in rev.replace.items():
                paragraphs[index] = text
            paragraphs.extend(rev.append)
        return tuple(paragraphs)

    def modified(self, edition: int) -> datetime:
        rev = self.revision_for(edition)
        return rev.modified if rev else self.published


@dataclass(frozen=True)
class Outlet:
    id: str
    name: str
    language: str
    languages: tuple[str, ...]
    encoding: str  # "utf-8" | "windows-1256"
    feed_format: str  # "rss" | "atom"
    timezone: str
    utc_offset: timedelta
    ui: dict[str, str]
    authors: dict[str, str]
    tags: dict[str, str]
    comments: tuple[tuple[str, str], ...]
    articles: tuple[Article, ...]

    @property
    def prefix(self) -> str:
        return f"/{self.id}"

    @property
    def rtl(self) -> bool:
        return self.language in ("ar", "fa")

    def article_path(self, article: Article) -> str:
        return f"/{self.id}/{article.published:%Y/%m}/{article.slug}/"

    def live_articles(self, edition: int) -> list[Article]:
        """Articles present in ``edition``, newest first."""
        present = [a for a in self.articles if a.since <= edition]
        return sorted(present, key=lambda a: a.published, reverse=True)

    def find(self, year: str, month: str, slug: str, edition: int) -> Article | None:
        for article in self.articles:
            if article.since <= edition and article.slug == slug and (
                f"{article.published:%Y}" == year and f"{article.published:%m}" == month
            ):
                return article
        return None


@dataclass(frozen=True)
class SiteContent:
    outlets: tuple[Outlet, ...]

    def outlet(self, outlet_id: str) -> Outlet | None:
        return next((o for o in self.outlets if o.id == outlet_id), None)


@dataclass(frozen=True)
class ExpectedArticle:
    """Ground truth for one article as served in one edition."""

    outlet: str
    path: str
    title: str
    language: str
    text: str
    published: str | None
    author: str | None
    encoding: str
    since: int = 1  # edition in which the article first appeared
    revised: int = 1  # edition in which its current body appeared


def _offset(text: str) -> timedelta:
    sign = -1 if text.startswith("-") else 1
    hours, minutes = text.lstrip("+-").split(":")
    return sign * timedelta(hours=int(hours), minutes=int(minutes))


def _parse_article(raw: dict[str, Any], tz: timezone) -> Article:
    revisions = tuple(
        Revision(
            edition=int(r["edition"]),
            modified=datetime.fromisoformat(r["modified"]).replace(tzinfo=tz),
            replace={int(k): v for k, v in r.get("replace", {}).items()},
            append=tuple(r.get("append", ())),
        )
        for r in raw.get("revisions", ())
    )
    return Article(
        slug=raw["slug"],
        title=raw["title"],
        author=raw.get("author"),
        published=datetime.fromisoformat(raw["published"]).replace(tzinfo=tz),
        date_style=raw.get("date_style", "jsonld"),
        tags=tuple(raw.get("tags", ())),
        paragraphs=tuple(raw["paragraphs"]),
        since=int(raw.get("since", 1)),
        flaky=bool(raw.get("flaky", False)),
        revisions=revisions,
    )


def parse_outlet(raw: dict[str, Any]) -> Outlet:
    offset = _offset(raw["utc_offset"])
    tz = timezone(offset)
    outlet = Outlet(
        id=raw["id"],
        name=raw["name"],
        language=raw["language"],
        languages=tuple(raw["languages"]),
        encoding=raw["encoding"],
        feed_format=raw["feed_format"],
        timezone=raw["timezone"],
        utc_offset=offset,
        ui=dict(raw["ui"]),
        authors=dict(raw["authors"]),
        tags=dict(raw["tags"]),
        comments=tuple((c["name"], c["text"]) for c in raw["comments"]),
        articles=tuple(_parse_article(a, tz) for a in raw["articles"]),
    )
    if outlet.encoding != "utf-8":
        # Fail at load time, not mid-request, if a text cannot be served in the legacy charset.
        json.dumps(raw, ensure_ascii=False).encode(outlet.encoding)
    return outlet


@cache
def load_content(content_dir: Path = CONTENT_DIR) -> SiteContent:
    outlets = []
    for outlet_id in OUTLET_IDS:
        with open(content_dir / f"{outlet_id}.json", encoding="utf-8") as fh:
            outlets.append(parse_outlet(json.load(fh)))
    return SiteContent(outlets=tuple(outlets))


def scaled_content(copies: int, base: SiteContent | None = None) -> SiteContent:
    """A bigger site: each article repeated ``copies`` times under new slugs and earlier dates.

    Meant for benchmarks; the ground truth follows via ``expected_articles(content=...)``.
    """
    base = base or load_content()
    outlets = []
    for outlet in base.outlets:
        articles = list(outlet.articles)
        for n in range(1, copies):
            for article in outlet.articles:
                if article.since != 1:
                    continue
                articles.append(
                    dataclasses.replace(
                        article,
                        slug=f"{article.slug}-{n}",
                        published=article.published - timedelta(days=20 * n),
                        flaky=False,
                        revisions=(),
                    )
                )
        outlets.append(dataclasses.replace(outlet, articles=tuple(articles)))
    return SiteContent(outlets=tuple(outlets))


def outlets_summary(content: SiteContent | None = None) -> list[dict[str, Any]]:
    content = content or load_content()
    return [
        {"id": o.id, "name": o.name, "languages": list(o.languages), "path_prefix": o.prefix}
        for o in content.outlets
    ]


def expected_articles(
    edition: int = 1, content: SiteContent | None = None
) -> list[ExpectedArticle]:
    """What a perfect crawl of ``edition`` should archive, outlet by outlet, newest first."""
    content = content or load_content()
    result = []
    for outlet in content.outlets:
        for article in outlet.live_articles(edition):
            rev = article.revision_for(edition)
            published: date = article.published.date()
            result.append(
                ExpectedArticle(
                    outlet=outlet.id,
                    path=outlet.article_path(article),
                    title=article.title,
                    language=outlet.language,
                    text="\n".join(article.body(edition)),
                    published=published.isoformat(),
                    author=outlet.authors[article.author] if article.author else None,
                    encoding=outlet.encoding,
                    since=article.since,
                    revised=rev.edition if rev else article.since,
                )
            )
    return result


def pick_comments(outlet: Outlet, article: Article) -> list[tuple[str, str]]:
    """Two or three reader comments, the same for an article on every request."""
    digest = hashlib.sha1(article.slug.encode()).digest()
    count = 2 + digest[0] % 2
    start = digest[1] % len(outlet.comments)
    return [outlet.comments[(start + i) % len(outlet.comments)] for i in range(count)]


def related(outlet: Outlet, article: Article, count: int = 3) -> list[Article]:
    """Related articles chosen only among those at least as old, so editions never touch them."""
    pool = [a for a in outlet.articles if a.since <= article.since]
    index = pool.index(article)
    return [pool[(index + i) % len(pool)] for i in range(1, min(count, len(pool) - 1) + 1)]
