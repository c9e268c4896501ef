"""What the catalog is given to record: a capture (a WARC record's location and HTTP facts),
the previous capture a recrawl compares against, and an extracted article with its language
tags. The crawl builds these; the catalog owns their shape."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class CaptureInfo:
    """A response as archived: its WARC location and HTTP facts."""

    url: str
    status: int
    content_type: str | None
    captured_at: datetime
    warc_file: str
    warc_offset: int
    warc_length: int
    payload_digest: str
    record_id: str
    record_type: str = "response"
    etag: str | None = None
    last_modified: str | None = None
    #: For a revisit: the capture whose payload it repeats.
    refers_to: PreviousCapture | None = None


@dataclass(frozen=True)
class PreviousCapture:
    """The last full capture of a URL, as a recrawl needs it."""

    url: str
    record_id: str
    captured_at: datetime
    payload_digest: str
    etag: str | None
    last_modified: str | None


@dataclass(frozen=True, slots=True)
class TaggedArticle:
    """One page's article, extracted and language-tagged (by
    :func:`crawler.crawl.processing.process_page`, in a worker): what the catalog records as
    an article version, and what the crawl writes as JSON (:meth:`to_json`) in the WARC
    metadata record beside the page's response, from which `akhbar reindex` rebuilds the
    catalog (:meth:`from_dict`).

    ``canonical_url`` identifies the article: the page's rel=canonical when it stays on the
    same host, else the fetched URL, canonicalised. ``text_digest`` is the sha256 of
    ``text``: a new digest is a new version. ``languages`` is the tagger's full result
    (:meth:`crawler.language.LanguageResult.to_dict`).
    """

    url: str
    canonical_url: str
    text: str
    text_digest: str
    title: str | None = None
    author: str | None = None
    published: str | None = None
    published_source: str | None = None
    modified: str | None = None
    description: str | None = None
    html_lang: str | None = None
    encoding: str | None = None
    is_article: bool = True
    language: str | None = None
    language_confidence: float | None = None
    languages: dict[str, Any] = field(default_factory=dict)
    authors: list[str] = field(default_factory=list)
    lead_image: str | None = None
    section: str | None = None
    keywords: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    #: Where each metadata field came from (crawler.extraction.ExtractedArticle.sources).
    metadata_sources: dict[str, str] = field(default_factory=dict)
    #: The step of the extraction cascade that gave the text (fast, trafilatura, readability...).
    extractor: str | None = None
    #: The text with its structure (headings, lists, quotes, tables) as Markdown.
    markdown: str | None = None
    #: Lines removed from the text as boilerplate: by rule, or repeated across the outlet's
    #: articles (crawler.extraction.RepeatedLines).
    boilerplate: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The fields by name (the names of the metadata record's JSON)."""
        return {name: getattr(self, name) for name in _ARTICLE_FIELDS}

    def to_json(self) -> bytes:
        """The WARC metadata record's content: UTF-8 JSON, keys sorted (the same bytes the
        crawl has always written, so reindex reads old and new records alike)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True).encode("utf-8")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TaggedArticle:
        """An article read back from a metadata record's JSON; keys it does not know are
        ignored, missing optional ones take their defaults. ``canonical_url``, ``text`` and
        ``text_digest`` are required (KeyError)."""
        missing = [name for name in _REQUIRED if data.get(name) is None]
        if missing:
            raise KeyError(f"an article needs {', '.join(missing)}")
        values = {name: data[name] for name in _ARTICLE_FIELDS if name in data}
        values.setdefault("url", data["canonical_url"])
        for name in ("languages", "metadata_sources"):
            if values.get(name) is None:
                values[name] = {}
        for name in ("authors", "keywords", "tags", "boilerplate"):
            if values.get(name) is None:
                values[name] = []
        return cls(**values)


_ARTICLE_FIELDS = tuple(f.name for f in fields(TaggedArticle))
_REQUIRED = ("canonical_url", "text", "text_digest")
