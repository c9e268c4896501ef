"""The catalog's tables of what was archived: captures, articles and their versions.

Everything here is derived from the WARC files and can be rebuilt from them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crawler.catalog.models import Base, UtcDateTime

__all__ = ["Article", "ArticleVersion", "Capture"]


class Capture(Base):
    """One archived HTTP response (or revisit) and where its record sits in a WARC file."""

    __tablename__ = "captures"
    __table_args__ = (
        Index("ix_captures_url_time", "url", "captured_at"),
        UniqueConstraint("warc_record_id", name="uq_captures_record"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str | None] = mapped_column(String(80), index=True)
    outlet_id: Mapped[str] = mapped_column(String(64), index=True)
    url: Mapped[str] = mapped_column(Text)
    captured_at: Mapped[datetime] = mapped_column(UtcDateTime())
    status: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str | None] = mapped_column(String(200))
    record_type: Mapped[str] = mapped_column(String(20), default="response")
    warc_file: Mapped[str] = mapped_column(Text)
    warc_offset: Mapped[int] = mapped_column(BigInteger)
    warc_length: Mapped[int] = mapped_column(BigInteger)
    payload_digest: Mapped[str | None] = mapped_column(String(80), index=True)
    warc_record_id: Mapped[str] = mapped_column(String(80))
    # The response's validators, for conditional requests on the next crawl.
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(String(64))


class Article(Base):
    """An article, identified by its canonical URL; its content lives in versions."""

    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    outlet_id: Mapped[str] = mapped_column(String(64), index=True)
    url: Mapped[str] = mapped_column(Text, unique=True)
    first_seen: Mapped[datetime] = mapped_column(UtcDateTime())
    last_seen: Mapped[datetime] = mapped_column(UtcDateTime())
    latest_version: Mapped[int] = mapped_column(Integer, default=1)
    language: Mapped[str | None] = mapped_column(String(12), index=True)
    published: Mapped[str | None] = mapped_column(String(40), index=True)

    versions: Mapped[list[ArticleVersion]] = relationship(
        back_populates="article", order_by="ArticleVersion.version"
    )


class ArticleVersion(Base):
    __tablename__ = "article_versions"
    __table_args__ = (UniqueConstraint("article_id", "version", name="uq_article_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    capture_id: Mapped[int | None] = mapped_column(ForeignKey("captures.id"))
    captured_at: Mapped[datetime] = mapped_column(UtcDateTime())
    fetched_url: Mapped[str] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(Text)
    published: Mapped[str | None] = mapped_column(String(40))
    published_source: Mapped[str | None] = mapped_column(String(40))
    description: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    text_digest: Mapped[str] = mapped_column(String(64))
    language: Mapped[str | None] = mapped_column(String(12))
    language_confidence: Mapped[float | None] = mapped_column(Float)
    languages: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    html_lang: Mapped[str | None] = mapped_column(String(20))
    encoding: Mapped[str | None] = mapped_column(String(40))
    modified: Mapped[str | None] = mapped_column(String(40))
    authors: Mapped[list[str]] = mapped_column(JSON, default=list)
    lead_image: Mapped[str | None] = mapped_column(Text)
    section: Mapped[str | None] = mapped_column(Text)
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    metadata_sources: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    extractor: Mapped[str | None] = mapped_column(String(40))
    markdown: Mapped[str | None] = mapped_column(Text)
    #: Lines removed from the text as boilerplate (by rule, or repeated across the outlet).
    boilerplate: Mapped[list[str] | None] = mapped_column(JSON)

    article: Mapped[Article] = relationship(back_populates="versions")
