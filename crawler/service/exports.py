"""Exports for data sets: JSON lines, CSV (every field, text included) and Parquet.

Records are streamed from the catalog (:func:`crawler.service.articles.iter_articles`, the
same filters and query as search) and written as they come, Parquet in row groups of
:data:`BATCH`, so memory stays flat however many articles match.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from itertools import islice
from typing import IO, Any, Literal

import pyarrow as pa
import pyarrow.parquet as pq

from crawler.context import AkhbarContext
from crawler.search import ArticleQuery
from crawler.service.articles import ArticleRecord, iter_records

__all__ = ["EXPORT_FIELDS", "FORMATS", "ExportFormat", "export_articles", "write_records"]

ExportFormat = Literal["jsonl", "csv", "parquet"]
FORMATS: tuple[str, ...] = ("jsonl", "csv", "parquet")

#: Parquet row group size (records held in memory at a time).
BATCH = 2000

#: Every column of an export record (:class:`ArticleRecord`'s fields), in order, with its
#: Parquet type. ``languages`` and ``metadata_sources`` (mappings) are JSON text in CSV and
#: Parquet; ``authors``, ``keywords``, ``tags`` and ``boilerplate`` are lists in JSON lines
#: and Parquet and JSON text in CSV; times are ISO 8601 in CSV and JSON lines.
EXPORT_FIELDS: tuple[tuple[str, pa.DataType], ...] = (
    ("url", pa.string()),
    ("outlet", pa.string()),
    ("language", pa.string()),
    ("language_confidence", pa.float64()),
    ("languages", pa.string()),
    ("title", pa.string()),
    ("author", pa.string()),
    ("published", pa.string()),
    ("published_source", pa.string()),
    ("description", pa.string()),
    ("modified", pa.string()),
    ("authors", pa.list_(pa.string())),
    ("lead_image", pa.string()),
    ("section", pa.string()),
    ("keywords", pa.list_(pa.string())),
    ("tags", pa.list_(pa.string())),
    ("metadata_sources", pa.string()),
    ("extractor", pa.string()),
    ("text", pa.string()),
    ("markdown", pa.string()),
    ("boilerplate", pa.list_(pa.string())),
    ("captured_at", pa.timestamp("us", tz="UTC")),
    ("first_seen", pa.timestamp("us", tz="UTC")),
    ("last_seen", pa.timestamp("us", tz="UTC")),
    ("fetched_url", pa.string()),
    ("warc_file", pa.string()),
    ("warc_offset", pa.int64()),
    ("warc_length", pa.int64()),
    ("version", pa.int32()),
)
_NAMES = [name for name, _ in EXPORT_FIELDS]
_SCHEMA = pa.schema(list(EXPORT_FIELDS))


def export_articles(ctx: AkhbarContext, query: ArticleQuery, fmt: ExportFormat,
                    out: IO[bytes], *, excel: bool = False) -> int:
    """Write the articles matching ``query`` to ``out``; returns how many. ``excel`` starts a
    CSV with a UTF-8 byte-order mark, so spreadsheets read Arabic and Persian right."""
    return write_records(iter_records(ctx, query), fmt, out, excel=excel)


def write_records(records: Iterable[ArticleRecord], fmt: ExportFormat, out: IO[bytes], *,
                  excel: bool = False) -> int:
    if fmt == "parquet":
        return _parquet(records, out)
    text = io.TextIOWrapper(out, encoding="utf-8-sig" if excel and fmt == "csv" else "utf-8",
                            newline="", write_through=True)
    try:
        return _csv(records, text) if fmt == "csv" else _jsonl(records, text)
    finally:
        text.flush()
        text.detach()  # the caller owns ``out``


def _jsonl(records: Iterable[ArticleRecord], out: io.TextIOWrapper) -> int:
    count = 0
    for rec in records:
        out.write(json.dumps(rec.to_dict(), ensure_ascii=False))
        out.write("\n")
        count += 1
    return count


def _csv(records: Iterable[ArticleRecord], out: io.TextIOWrapper) -> int:
    writer = csv.writer(out)
    writer.writerow(_NAMES)
    count = 0
    for rec in records:
        writer.writerow([_cell(getattr(rec, name)) for name in _NAMES])
        count += 1
    return count


def _cell(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, datetime):
        return value.isoformat()
    return "" if value is None else value


def _parquet(records: Iterable[ArticleRecord], out: IO[bytes]) -> int:
    count = 0
    with pq.ParquetWriter(out, _SCHEMA, compression="zstd") as writer:
        for batch in _batches(records):
            writer.write_table(pa.Table.from_pylist([_row(rec) for rec in batch], _SCHEMA))
            count += len(batch)
    return count


def _row(rec: ArticleRecord) -> dict[str, Any]:
    row = {name: getattr(rec, name) for name in _NAMES}
    for name in ("languages", "metadata_sources"):
        row[name] = json.dumps(row[name], ensure_ascii=False, sort_keys=True)
    return row


def _batches(records: Iterable[ArticleRecord]) -> Iterator[list[ArticleRecord]]:
    it = iter(records)
    while batch := list(islice(it, BATCH)):
        yield batch
