"""Recording articles, their versions and revisits in the catalog, with SQLAlchemy Core.

A batch of articles and revisits is applied in order to the article rows it touches, held in
memory, then written with a few statements: one insert of the new articles, one (executemany)
update of each kind for the others, one insert of the versions. The rows are the same as
applying each entry to the database in turn, at a fraction of the ORM's CPU cost.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, Table, and_, bindparam, insert, select, update
from sqlalchemy.orm import Session

from crawler.catalog.archived import Article, ArticleVersion, Capture
from crawler.catalog.records import CaptureInfo, PreviousCapture, TaggedArticle

NEW, CHANGED, UNCHANGED = "new", "changed", "unchanged"

#: Where statements run: a connection in a transaction, or an ORM session (reindex).
Executor = Connection | Session

CAPTURES: Table = Capture.__table__  # type: ignore[assignment]
ARTICLES: Table = Article.__table__  # type: ignore[assignment]
VERSIONS: Table = ArticleVersion.__table__  # type: ignore[assignment]

# Built once: SQLAlchemy caches their compiled forms.
INSERT_CAPTURES = insert(CAPTURES).returning(CAPTURES.c.warc_record_id, CAPTURES.c.id)
_CAPTURE_IDS = select(CAPTURES.c.warc_record_id, CAPTURES.c.id).where(
    CAPTURES.c.warc_record_id.in_(bindparam("ids", expanding=True))
)
_INSERT_ARTICLES = insert(ARTICLES).returning(ARTICLES.c.url, ARTICLES.c.id)
_UPDATE_ARTICLES = update(ARTICLES).where(ARTICLES.c.id == bindparam("_id"))
_INSERT_VERSIONS = insert(VERSIONS)
# Each article with the text digest of its latest version (None if it has none).
_ARTICLE_STATES = (
    select(ARTICLES.c.url, ARTICLES.c.id, ARTICLES.c.latest_version, VERSIONS.c.text_digest)
    .select_from(
        ARTICLES.outerjoin(
            VERSIONS,
            and_(
                VERSIONS.c.article_id == ARTICLES.c.id,
                VERSIONS.c.version == ARTICLES.c.latest_version,
            ),
        )
    )
    .where(ARTICLES.c.url.in_(bindparam("urls", expanding=True)))
)
# The article extracted from each of some captures.
_ARTICLES_OF_CAPTURES = (
    select(CAPTURES.c.warc_record_id, ARTICLES.c.url)
    .select_from(
        CAPTURES.join(VERSIONS, VERSIONS.c.capture_id == CAPTURES.c.id).join(
            ARTICLES, ARTICLES.c.id == VERSIONS.c.article_id
        )
    )
    .where(CAPTURES.c.warc_record_id.in_(bindparam("ids", expanding=True)))
)

CHUNK = 500  # values per IN (...)


def capture_values(info: CaptureInfo, outlet: str, run_id: str | None) -> dict[str, Any]:
    """A `captures` row for :data:`INSERT_CAPTURES`."""
    return {
        "run_id": run_id,
        "outlet_id": outlet,
        "url": info.url,
        "captured_at": info.captured_at,
        "status": info.status,
        "content_type": (info.content_type or "")[:200] or None,
        "record_type": info.record_type,
        "warc_file": info.warc_file,
        "warc_offset": info.warc_offset,
        "warc_length": info.warc_length,
        "payload_digest": info.payload_digest,
        "warc_record_id": info.record_id,
        "etag": info.etag,
        "last_modified": info.last_modified,
    }


def capture_ids(conn: Executor, record_ids: Iterable[str]) -> dict[str, int]:
    """Row ids of captures already written, by WARC record id."""
    found: dict[str, int] = {}
    for chunk in _chunks(sorted(set(record_ids))):
        found.update(conn.execute(_CAPTURE_IDS, {"ids": chunk}).all())
    return found


def version_values(
    article: TaggedArticle,
    article_id: int | None,
    version: int,
    capture_id: int | None,
    fetched_url: str,
    seen_at: datetime,
) -> dict[str, Any]:
    """An `article_versions` row."""
    return {
        "article_id": article_id,
        "version": version,
        "capture_id": capture_id,
        "captured_at": seen_at,
        "fetched_url": fetched_url,
        "title": article.title,
        "author": article.author,
        "published": article.published,
        "published_source": article.published_source,
        "description": article.description,
        "text": article.text,
        "text_digest": article.text_digest,
        "language": article.language,
        "language_confidence": article.language_confidence,
        "languages": article.languages or {},
        "html_lang": article.html_lang,
        "encoding": article.encoding,
        "modified": article.modified,
        "authors": list(article.authors),
        "lead_image": article.lead_image,
        "section": article.section,
        "keywords": list(article.keywords),
        "tags": list(article.tags),
        "metadata_sources": dict(article.metadata_sources),
        "extractor": article.extractor,
        "markdown": article.markdown,
        "boilerplate": list(article.boilerplate),
    }


# What a batch does to an article row already in the database.
_KEPT, _SEEN, _CHANGED = 0, 1, 2


class _ArticleRow:
    """An `articles` row as a batch leaves it; ``id`` is None for a new one."""

    __slots__ = ("id", "url", "first_seen", "last_seen", "latest_version", "language",
                 "published", "digest", "change")

    def __init__(self, url: str, id: int | None, latest_version: int, digest: str | None) -> None:
        self.url = url
        self.id = id
        self.latest_version = latest_version
        self.digest = digest
        self.change = _KEPT
        self.first_seen: datetime | None = None
        self.last_seen: datetime | None = None
        self.language: str | None = None
        self.published: str | None = None


class ArticleBatch:
    """Articles and revisits of one batch: :meth:`load` what they touch, :meth:`add` and
    :meth:`touch` them in order, then :meth:`write` the lot."""

    def __init__(self, outlet: str) -> None:
        self.outlet = outlet
        self.rows: dict[str, _ArticleRow] = {}  # by canonical URL
        self.versions: list[tuple[_ArticleRow, dict[str, Any]]] = []
        self._of_capture: dict[str, str] = {}  # article URL by capture record id, in the db
        self._made_from: dict[str, str] = {}  # ... by versions of this batch

    def load(self, conn: Executor, urls: Iterable[str], refers_to: Iterable[str] = ()) -> None:
        """Read the articles at `urls`, and those extracted from the captures `refers_to`."""
        urls = set(urls)
        of_capture = self._of_capture
        for chunk in _chunks(sorted(set(refers_to))):
            for record_id, url in conn.execute(_ARTICLES_OF_CAPTURES, {"ids": chunk}):
                if record_id not in of_capture:
                    of_capture[record_id] = url
                    urls.add(url)
        rows = self.rows
        for chunk in _chunks(sorted(urls - rows.keys())):
            for url, id_, latest, digest in conn.execute(_ARTICLE_STATES, {"urls": chunk}):
                rows[url] = _ArticleRow(url, id_, latest, digest)

    def add(
        self,
        article: TaggedArticle,
        capture_id: int | None,
        fetched_url: str,
        seen_at: datetime,
        capture_record_id: str | None = None,
    ) -> str:
        """An article or a new version of it (its URL loaded); returns its outcome."""
        url = article.canonical_url
        digest = article.text_digest
        row = self.rows.get(url)
        if row is None:
            row = self.rows[url] = _ArticleRow(url, None, 1, digest)
            row.first_seen = row.last_seen = seen_at
            row.language = article.language
            row.published = article.published
            outcome = NEW
        else:
            row.last_seen = seen_at
            if row.digest == digest:
                if row.change == _KEPT:
                    row.change = _SEEN
                return UNCHANGED
            row.latest_version += 1
            row.language = article.language
            row.published = article.published
            row.digest = digest
            row.change = _CHANGED
            outcome = CHANGED
        self.versions.append((row, version_values(
            article, row.id, row.latest_version, capture_id, fetched_url, seen_at)))
        if capture_id is not None and capture_record_id is not None:
            self._made_from.setdefault(capture_record_id, url)
        return outcome

    def touch(self, refers_to: str, seen_at: datetime) -> bool:
        """Mark the article extracted from capture `refers_to` (loaded) as seen again; False
        if there is none."""
        url = self._of_capture.get(refers_to) or self._made_from.get(refers_to)
        if url is None:
            return False
        row = self.rows[url]
        row.last_seen = seen_at
        if row.change == _KEPT:
            row.change = _SEEN
        return True

    def write(self, conn: Executor) -> None:
        new, seen, changed = [], [], []
        for row in self.rows.values():
            if row.id is None:
                new.append(row)
            elif row.change == _SEEN:
                seen.append({"_id": row.id, "last_seen": row.last_seen})
            elif row.change == _CHANGED:
                changed.append({
                    "_id": row.id,
                    "last_seen": row.last_seen,
                    "latest_version": row.latest_version,
                    "language": row.language,
                    "published": row.published,
                })
        if new:
            outlet = self.outlet
            ids: dict[str, int] = dict(conn.execute(_INSERT_ARTICLES, [{
                "outlet_id": outlet,
                "url": row.url,
                "first_seen": row.first_seen,
                "last_seen": row.last_seen,
                "latest_version": row.latest_version,
                "language": row.language,
                "published": row.published,
            } for row in new]).all())
            for row in new:
                row.id = ids[row.url]
        if seen:
            conn.execute(_UPDATE_ARTICLES, seen)
        if changed:
            conn.execute(_UPDATE_ARTICLES, changed)
        if self.versions:
            for row, values in self.versions:
                values["article_id"] = row.id
            conn.execute(_INSERT_VERSIONS, [values for _, values in self.versions])
        for row in self.rows.values():
            row.change = _KEPT
        self.versions = []


class ArticleInput(NamedTuple):
    """One extracted article to record: the article, capture row id, fetched URL, time
    seen."""

    article: TaggedArticle
    capture_id: int | None
    fetched_url: str
    seen_at: datetime


def upsert_article(
    session: Executor,
    outlet: str,
    article: TaggedArticle,
    capture_id: int | None,
    fetched_url: str,
    seen_at: datetime,
) -> str:
    """Add an article or a new version of it; returns new | changed | unchanged."""
    entry = ArticleInput(article, capture_id, fetched_url, seen_at)
    return upsert_articles(session, outlet, [entry])[0]


def upsert_articles(session: Executor, outlet: str, entries: Sequence[ArticleInput]) -> list[str]:
    """Add articles or new versions of them, in order, as many calls of :func:`upsert_article`
    would, with one query and a few statements for the lot. Returns each one's outcome."""
    batch = ArticleBatch(outlet)
    batch.load(session, (entry.article.canonical_url for entry in entries))
    outcomes = [batch.add(*entry) for entry in entries]
    batch.write(session)
    return outcomes


def touch_unchanged(session: Executor, refers_to: PreviousCapture, seen_at: datetime) -> bool:
    """Mark the article extracted from `refers_to` as seen again; False if there is none."""
    batch = ArticleBatch("")
    batch.load(session, (), (refers_to.record_id,))
    found = batch.touch(refers_to.record_id, seen_at)
    batch.write(session)
    return found


def _chunks(items: list[str], size: int = CHUNK) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
