"""An article's metadata (authors, lead image, section, keywords, tags, modified date, where
each came from, the extractor, the Markdown) goes through the catalog on SQLite and PostgreSQL
into every export format, and through a WARC metadata record's JSON back again."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from sqlalchemy import select

from crawler.catalog import Article, ArticleVersion, Catalog
from crawler.catalog.db import sqlite_url
from crawler.catalog.records import TaggedArticle
from crawler.catalog.writer import upsert_article
from crawler.service.articles import ArticleRecord
from crawler.service.exports import write_records

ARTICLE = TaggedArticle(
    url="http://127.0.0.1/fa/1/", canonical_url="http://127.0.0.1/fa/1/", title="باران",
    text="بارش باران در تهران", text_digest="d1", language="fa",
    published="2026-11-19T09:30:00+03:30", published_source="json-ld",
    modified="2026-11-20T01:05:00+03:30", authors=["مریم رضایی", "Ali Karimi"],
    lead_image="http://127.0.0.1/img/1.jpg", section="سیاسی", keywords=["نفت", "بازار"],
    tags=["تهران"], metadata_sources={"authors": "json-ld", "tags": "meta:article:tag"},
    extractor="fast", markdown="## بارش\n\n- تهران")


@pytest.fixture(params=["sqlite", "postgresql"])
def catalog(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Catalog]:
    url = (sqlite_url(tmp_path / "catalog.sqlite") if request.param == "sqlite"
           else request.getfixturevalue("pg_url"))
    catalog = Catalog(url)  # migrated to the head, 0008 included
    yield catalog
    catalog.dispose()


def test_metadata_goes_through_the_catalog_into_every_export(catalog: Catalog) -> None:
    with catalog.session() as session:
        upsert_article(session, "demo_fa", ARTICLE, None, ARTICLE.url, datetime.now(UTC))
    with catalog.session() as session:
        article, version = session.execute(select(Article, ArticleVersion).join(
            ArticleVersion, ArticleVersion.article_id == Article.id)).one()
        record = ArticleRecord.of(article, version, None)
    assert (record.authors, record.keywords, record.tags) == (
        ARTICLE.authors, ARTICLE.keywords, ARTICLE.tags)
    assert record.modified == "2026-11-20T01:05:00+03:30" and record.section == "سیاسی"
    assert record.metadata_sources == ARTICLE.metadata_sources
    assert (record.lead_image, record.extractor, record.markdown) == (
        ARTICLE.lead_image, "fast", ARTICLE.markdown)

    out = io.BytesIO()
    write_records([record], "jsonl", out)
    line = json.loads(out.getvalue())
    assert line["authors"] == ARTICLE.authors and line["metadata_sources"]["tags"] == (
        "meta:article:tag")
    out = io.BytesIO()
    write_records([record], "csv", out)
    row = next(csv.DictReader(io.StringIO(out.getvalue().decode())))
    assert json.loads(row["authors"]) == ARTICLE.authors and row["section"] == "سیاسی"
    assert row["modified"] == ARTICLE.modified and json.loads(row["tags"]) == ["تهران"]
    out = io.BytesIO()
    write_records([record], "parquet", out)
    table = pq.read_table(io.BytesIO(out.getvalue())).to_pylist()[0]
    assert table["keywords"] == ["نفت", "بازار"] and table["markdown"] == ARTICLE.markdown


def test_a_metadata_record_round_trips_and_old_ones_still_read() -> None:
    assert TaggedArticle.from_dict(json.loads(ARTICLE.to_json())) == ARTICLE
    old = {"canonical_url": "http://x/1", "text": "t", "text_digest": "d", "authors": None}
    read = TaggedArticle.from_dict(old)
    assert (read.authors, read.tags, read.metadata_sources, read.markdown) == ([], [], {}, None)
