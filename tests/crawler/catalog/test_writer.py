"""CatalogWriter: batched, all-or-nothing catalog writes from inside a crawl."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from crawler.catalog import Article, ArticleVersion, Capture, Catalog
from crawler.catalog.db import sqlite_url
from crawler.catalog.records import TaggedArticle
from crawler.catalog.upsert import ARTICLES, CAPTURES, VERSIONS, capture_values
from crawler.catalog.writer import CatalogWriter, touch_unchanged, upsert_article
from crawler.crawl.items import CaptureInfo, PreviousCapture

T0 = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def capture(n: int, *, refers_to: PreviousCapture | None = None) -> CaptureInfo:
    return CaptureInfo(
        url=f"http://127.0.0.1/a/{n}/",
        status=200,
        content_type="text/html",
        captured_at=T0 + timedelta(seconds=n),
        warc_file="x.warc.gz",
        warc_offset=1000 * n,
        warc_length=900,
        payload_digest=f"sha1:{n}",
        record_id=f"<urn:uuid:{n:08d}>",
        record_type="revisit" if refers_to else "response",
        refers_to=refers_to,
    )


def article(n: int, text: str = "body") -> TaggedArticle:
    return TaggedArticle(
        url=f"http://127.0.0.1/a/{n}/",
        canonical_url=f"http://127.0.0.1/a/{n}/",
        title=f"Title {n}",
        text=text,
        text_digest=f"digest-{text}",
        language="en",
    )


def count(catalog: Catalog, model: Any) -> int:
    with catalog.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture(params=["sqlite", "postgresql"])
def catalog(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Catalog]:
    url = (sqlite_url(tmp_path / "catalog.sqlite") if request.param == "sqlite"
           else request.getfixturevalue("pg_url"))
    catalog = Catalog(url)
    yield catalog
    catalog.dispose()


def writer_for(catalog: Catalog, outcomes: list[tuple[Any, ...]], **kwargs: Any) -> CatalogWriter:
    return CatalogWriter(
        catalog,
        outlet="demo_en",
        run_id=None,
        on_article=lambda data, cap, outcome: outcomes.append((cap.url if cap else None, outcome)),
        **kwargs,
    )


def test_articles_are_written_in_batches_and_reported_then(catalog: Catalog) -> None:
    outcomes: list[tuple[Any, ...]] = []
    clock = FakeClock()
    writer = writer_for(catalog, outcomes, batch_size=3, max_delay=60, clock=clock)
    for n in range(2):
        writer.add_capture(capture(n))
        writer.add_article(article(n), capture(n), capture(n).url, T0)
    assert outcomes == [] and count(catalog, Article) == 0  # 2 articles: below the batch size
    writer.add_capture(capture(2))  # the third capture fills the batch
    assert [o for _, o in outcomes] == ["new"] * 2
    assert count(catalog, Article) == 2 and count(catalog, Capture) == 3
    writer.add_article(article(2), capture(2), capture(2).url, T0)
    assert len(outcomes) == 2
    writer.close()
    assert [o for _, o in outcomes] == ["new"] * 3
    with catalog.session() as session:  # each version points at its own capture
        pairs = session.execute(
            select(ArticleVersion.fetched_url, Capture.url).join(
                Capture, Capture.id == ArticleVersion.capture_id
            )
        ).all()
    assert sorted(pairs) == sorted((c, c) for c in (capture(n).url for n in range(3)))


def test_a_batch_is_written_when_its_oldest_entry_waited_max_delay(catalog: Catalog) -> None:
    outcomes: list[tuple[Any, ...]] = []
    clock = FakeClock()
    writer = writer_for(catalog, outcomes, batch_size=100, max_delay=5.0, clock=clock)
    writer.add_capture(capture(1))
    clock.now = 4.9
    writer.add_article(article(1), capture(1), capture(1).url, T0)
    assert count(catalog, Article) == 0
    clock.now = 5.0
    writer.add_capture(capture(2))
    assert count(catalog, Article) == 1 and outcomes == [(capture(1).url, "new")]


def test_close_writes_the_rest_and_versions_follow_text_changes(catalog: Catalog) -> None:
    outcomes: list[tuple[Any, ...]] = []
    writer = writer_for(catalog, outcomes, batch_size=100)
    writer.add_capture(capture(1))
    writer.add_article(article(1), capture(1), capture(1).url, T0)
    writer.add_capture(capture(2))
    writer.add_article(article(1), capture(2), capture(2).url, T0)  # same article, same text
    writer.add_capture(capture(3))
    writer.add_article(article(1, "new text"), capture(3), capture(3).url, T0)
    writer.close()
    assert [o for _, o in outcomes] == ["new", "unchanged", "changed"]
    assert count(catalog, Article) == 1 and count(catalog, ArticleVersion) == 2


def test_an_article_whose_capture_was_written_long_ago_finds_it(catalog: Catalog) -> None:
    outcomes: list[tuple[Any, ...]] = []
    writer = writer_for(catalog, outcomes, batch_size=2)
    writer.add_capture(capture(1))
    writer.add_capture(capture(2))  # batch written
    writer._ids.clear()  # as if forgotten (the map is bounded)
    writer.add_article(article(1), capture(1), capture(1).url, T0)
    writer.close()
    with catalog.session() as session:
        version = session.scalars(select(ArticleVersion)).one()
        assert session.get(Capture, version.capture_id).url == capture(1).url  # type: ignore[union-attr]


def test_revisit_marks_the_article_seen_again(catalog: Catalog) -> None:
    outcomes: list[tuple[Any, ...]] = []
    writer = writer_for(catalog, outcomes, batch_size=100)
    writer.add_capture(capture(1))
    writer.add_article(article(1), capture(1), capture(1).url, T0)
    writer.flush()
    first = capture(1)
    prev = PreviousCapture(first.url, first.record_id, first.captured_at, first.payload_digest,
                           None, None)
    later = capture(9, refers_to=prev)
    writer.add_capture(later)
    writer.add_unchanged(later)
    writer.close()
    assert outcomes[-1] == (later.url, "unchanged")
    with catalog.session() as session:
        seen = session.scalars(select(Article)).one().last_seen
    assert seen.replace(tzinfo=UTC) == later.captured_at


def test_a_failed_batch_leaves_nothing_of_itself(catalog: Catalog) -> None:
    outcomes: list[tuple[Any, ...]] = []
    writer = writer_for(catalog, outcomes, batch_size=100)
    writer.add_capture(capture(1))
    writer.add_article(article(1), capture(1), capture(1).url, T0)
    writer.flush()
    writer.add_capture(capture(2))
    broken = replace(article(2), text=cast(str, None))  # no text: the insert fails
    writer.add_article(broken, capture(2), capture(2).url, T0)
    with pytest.raises(IntegrityError):
        writer.flush()
    assert count(catalog, Capture) == 1 and count(catalog, Article) == 1
    writer.add_capture(capture(3))  # the writer goes on with the next batch
    writer.close()
    assert count(catalog, Capture) == 2


def previous(info: CaptureInfo) -> PreviousCapture:
    return PreviousCapture(info.url, info.record_id, info.captured_at, info.payload_digest,
                           None, None)


def rows(catalog: Catalog) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the written tables, all columns, row ids replaced by what they identify
    (ids differ between databases)."""
    c, a, v = CAPTURES.c, ARTICLES.c, VERSIONS.c
    with catalog.engine.connect() as conn:
        captures = dict(conn.execute(select(c.id, c.warc_record_id)).all())
        articles = dict(conn.execute(select(a.id, a.url)).all())
        return {
            "captures": [(*row[1:],) for row in conn.execute(
                select(CAPTURES).order_by(c.id))],
            "articles": [(*row[1:],) for row in conn.execute(
                select(ARTICLES).order_by(a.id))],
            "article_versions": [
                (articles[row.article_id], row.version, captures.get(row.capture_id), *row[4:])
                for row in conn.execute(select(VERSIONS).order_by(v.id))
            ],
        }


def test_one_batch_applies_its_entries_in_order(catalog: Catalog) -> None:
    outcomes: list[tuple[Any, ...]] = []
    writer = writer_for(catalog, outcomes, batch_size=100)
    for n in range(1, 6):
        writer.add_capture(capture(n))
    writer.add_article(article(1), capture(1), capture(1).url, T0)
    writer.add_article(article(1, "second"), capture(2), capture(2).url, T0 + timedelta(1))
    writer.add_article(article(1, "second"), capture(3), capture(3).url, T0 + timedelta(2))
    revisit = capture(8, refers_to=previous(capture(1)))  # its article: made in this batch
    writer.add_capture(revisit)
    writer.add_unchanged(revisit)
    nothing = capture(9, refers_to=previous(capture(4)))  # capture 4 has no article
    writer.add_capture(nothing)
    writer.add_unchanged(nothing)
    writer.add_article(article(5), None, capture(5).url, T0)
    writer.close()
    assert outcomes == [(capture(1).url, "new"), (capture(2).url, "changed"),
                        (capture(3).url, "unchanged"), (revisit.url, "unchanged"),
                        (None, "new")]
    with catalog.session() as session:
        first = session.scalars(select(Article).where(Article.url == capture(1).url)).one()
        assert (first.first_seen, first.last_seen, first.latest_version) == (
            T0, revisit.captured_at, 2)
        versions = session.execute(
            select(ArticleVersion.version, ArticleVersion.capture_id, ArticleVersion.text)
            .order_by(ArticleVersion.id)).all()
        ids = dict(session.execute(select(Capture.warc_record_id, Capture.id)).all())
    assert versions == [(1, ids[capture(1).record_id], "body"),
                        (2, ids[capture(2).record_id], "second"), (1, None, "body")]


def test_the_writer_leaves_the_rows_that_one_call_per_entry_leaves(
    catalog: Catalog, tmp_path: Path
) -> None:
    """Batches of any size against :func:`upsert_article` and :func:`touch_unchanged` called
    one entry at a time (what reindex does)."""
    events: list[tuple[str, Any]] = []
    for n, text in enumerate("aababbc" * 3):
        info = capture(n)
        events.append(("capture", info))
        events.append(("article", (article(n % 4, text), info, info.url, info.captured_at)))
        if n % 5 == 4:
            revisit = capture(100 + n, refers_to=previous(capture(n - 2)))
            events += [("capture", revisit), ("revisit", revisit)]
    reference = Catalog(sqlite_url(tmp_path / "reference.sqlite"))
    expected_outcomes = []
    for kind, value in events:
        with reference.session() as session:
            if kind == "capture":
                session.execute(insert(CAPTURES),
                                capture_values(value, "demo_en", None))
            elif kind == "article":
                data, info, url, seen = value
                capture_id = session.scalar(
                    select(Capture.id).where(Capture.warc_record_id == info.record_id))
                expected_outcomes.append(
                    upsert_article(session, "demo_en", data, capture_id, url, seen))
            elif touch_unchanged(session, value.refers_to, value.captured_at):
                expected_outcomes.append("unchanged")
    expected = rows(reference)
    reference.dispose()
    assert len(expected["article_versions"]) > 4 and expected_outcomes.count("unchanged") > 4
    for batch_size in (1, 3, 100):
        with catalog.engine.begin() as conn:
            for table in (VERSIONS, ARTICLES, CAPTURES):
                conn.execute(table.delete())
        outcomes: list[tuple[Any, ...]] = []
        writer = writer_for(catalog, outcomes, batch_size=batch_size)
        for kind, value in events:
            if kind == "capture":
                writer.add_capture(value)
            elif kind == "article":
                writer.add_article(*value)
            else:
                writer.add_unchanged(value)
        writer.close()
        assert [o for _, o in outcomes] == expected_outcomes, batch_size
        assert rows(catalog) == expected, batch_size
