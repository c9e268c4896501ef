"""`akhbar search` and `akhbar export` over the demo catalog, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import fields
from pathlib import Path

import pyarrow.parquet as pq
from click.testing import CliRunner, Result
from sqlalchemy import text

from crawler.catalog import Catalog
from crawler.cli import commands  # noqa: F401  (registers the commands)
from crawler.cli.main import cli
from crawler.errors import QueryError
from crawler.service.articles import ArticleRecord
from crawler.service.exports import EXPORT_FIELDS

FIELDS = [name for name, _ in EXPORT_FIELDS]


def akhbar(catalog: Catalog, tmp_path: Path, *args: str) -> Result:
    (tmp_path / "config" / "outlets").mkdir(parents=True, exist_ok=True)
    env = {"AKHBAR_HOME": str(tmp_path / "data"), "AKHBAR_CONFIG": str(tmp_path / "config"),
           "AKHBAR_DATABASE_URL": catalog.url}
    return CliRunner().invoke(cli, list(args), env=env)


def test_search_json_pages_and_filters(catalog: Catalog, tmp_path: Path) -> None:
    out = akhbar(catalog, tmp_path, "search", "ايران", "--json", "--lang", "fa", "--limit", "2")
    assert out.exit_code == 0, out.output
    page = json.loads(out.stdout)
    assert page["total"] == 3 and len(page["hits"]) == 2 and page["next_offset"] == 2
    hit = page["hits"][0]
    start, end = hit["highlights"][0]
    assert hit["snippet"][start:end] == "ایران"
    rest = json.loads(akhbar(catalog, tmp_path, "search", "ايران", "--json", "--offset",
                             "2").stdout)
    assert not {h["url"] for h in rest["hits"]} & {h["url"] for h in page["hits"]}
    assert len(rest["hits"]) == 1 and rest["next_offset"] is None
    later = json.loads(akhbar(catalog, tmp_path, "search", "ايران", "--json", "--since",
                              "2999-01-01").stdout)
    assert later["total"] == 0


def test_search_text_output_marks_matches(catalog: Catalog, tmp_path: Path) -> None:
    out = akhbar(catalog, tmp_path, "search", "عمان")
    assert out.exit_code == 0 and "[عمّان]" in out.stdout
    assert "1 match(es), showing 1-1" in out.stderr


def test_a_bad_query_or_unknown_filter_is_a_named_error(catalog: Catalog,
                                                        tmp_path: Path) -> None:
    for args, parameter in ((["search", '"open'], "q"), (["search", "x", "--outlet", "nope"],
                            "outlet"), (["export", "--lang", "xx"], "lang")):
        out = akhbar(catalog, tmp_path, *args)
        assert isinstance(out.exception, QueryError) and out.exception.parameter == parameter
    bad_date = akhbar(catalog, tmp_path, "search", "x", "--from", "yesterday")
    assert isinstance(bad_date.exception, QueryError) and "from" in str(bad_date.exception)


def test_csv_export_has_every_field_and_a_bom_for_spreadsheets(catalog: Catalog,
                                                               tmp_path: Path) -> None:
    target = tmp_path / "fa.csv"
    out = akhbar(catalog, tmp_path, "export", "--format", "csv", "--excel", "--lang", "fa",
                 "-o", str(target))
    assert out.exit_code == 0, out.output
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert list(rows[0]) == FIELDS
    assert rows and all(r["language"] == "fa" and r["text"] for r in rows)
    assert any("آبان‌ماه" in r["text"] for r in rows)  # the non-joiner survives
    plain = akhbar(catalog, tmp_path, "export", "--format", "csv", "--query", "ایران")
    assert not plain.stdout_bytes.startswith(b"\xef\xbb\xbf")
    assert len(list(csv.DictReader(io.StringIO(plain.stdout)))) == 3


def test_parquet_and_jsonl_exports_agree(catalog: Catalog, tmp_path: Path) -> None:
    target = tmp_path / "all.parquet"
    out = akhbar(catalog, tmp_path, "export", "--format", "parquet", "--all-versions",
                 "-o", str(target))
    assert out.exit_code == 0, out.output
    table = pq.read_table(target)
    assert table.column_names == FIELDS
    lines = akhbar(catalog, tmp_path, "export", "--all-versions").stdout.splitlines()
    records = [json.loads(line) for line in lines]
    assert table.num_rows == len(records) > 0
    assert sorted(table.column("text").to_pylist()) == sorted(r["text"] for r in records)
    assert str(table.schema.field("captured_at").type) == "timestamp[us, tz=UTC]"
    latest = akhbar(catalog, tmp_path, "export").stdout.splitlines()
    assert len(latest) < len(records)


def test_reindex_search_rebuilds_the_index(catalog: Catalog, tmp_path: Path) -> None:
    out = akhbar(catalog, tmp_path, "reindex", "--search")
    assert out.exit_code == 0, out.output
    with catalog.engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM article_versions")).scalar_one()
    assert out.stdout.strip() == f"search index: {count} version(s) indexed"
    assert json.loads(akhbar(catalog, tmp_path, "search", "مسکن", "--json").stdout)["total"] == 1


def test_the_export_columns_are_the_record_fields() -> None:
    assert FIELDS == [f.name for f in fields(ArticleRecord)]
