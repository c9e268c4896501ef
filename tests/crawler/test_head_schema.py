"""A new SQLite catalog made from crawler.catalog.headschema is the one the migrations make."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from crawler.catalog import Catalog, sqlite_url
from crawler.catalog.db import create_at_head, head_revision, make_engine, schema_is_current
from crawler.catalog.headschema import HEAD_REVISION
from crawler.catalog.schemadump import (
    HEAD_SCHEMA_MODULE,
    dump_statements,
    migrated,
    module_text,
)

REMAKE = "run `python -m crawler.catalog.schemadump` after adding a migration"


def _master(path: Path) -> list[tuple[str, str, str, str | None]]:
    with sqlite3.connect(path) as conn:
        return conn.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY rowid").fetchall()


def _rows(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table but the virtual ones (a contentless FTS5 table cannot be
    read; its shadow tables, read here, hold all it has), in a stable order."""
    conn = sqlite3.connect(path)
    try:
        tables = [name for name, sql in conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table'")
            if not sql.upper().startswith("CREATE VIRTUAL TABLE")]
        return {name: sorted(conn.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr)
                for name in tables}
    finally:
        conn.close()


def _made_at_head(path: Path) -> bool:
    engine = make_engine(sqlite_url(path))
    try:
        return create_at_head(engine, head_revision())
    finally:
        engine.dispose()


def test_the_statements_are_of_the_newest_migration() -> None:
    assert HEAD_REVISION == head_revision(), REMAKE


def test_the_statements_are_what_the_migrations_make_now(tmp_path: Path) -> None:
    """headschema.py is exactly what schemadump writes from the migrations as they are."""
    migrated(tmp_path / "alembic.sqlite")
    with sqlite3.connect(tmp_path / "alembic.sqlite") as conn:
        statements = dump_statements(conn)
    expected = module_text(head_revision() or "", statements)
    assert HEAD_SCHEMA_MODULE.read_text(encoding="utf-8") == expected, REMAKE


def test_a_new_catalog_is_the_database_the_migrations_make(tmp_path: Path) -> None:
    by_alembic, at_head = tmp_path / "alembic.sqlite", tmp_path / "head.sqlite"
    migrated(by_alembic)
    assert _made_at_head(at_head), REMAKE
    # Every schema object, in SQLite's order, with its SQL as stored; then every row of
    # every table (FTS5's shadow tables, alembic_version and search_state included).
    assert _master(at_head) == _master(by_alembic)
    assert _rows(at_head) == _rows(by_alembic)
    with sqlite3.connect(at_head) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [
            (head_revision(),)]
    engine = make_engine(sqlite_url(at_head))
    try:
        assert schema_is_current(engine)
    finally:
        engine.dispose()


def test_only_an_empty_database_is_made_from_the_statements(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE other (x INTEGER)")
    assert not _made_at_head(path)
    assert [row[1] for row in _master(path)] == ["other"]  # nothing written

    made = tmp_path / "made.sqlite"
    assert _made_at_head(made)
    before = _rows(made)
    assert not _made_at_head(made)  # made already (by another process, say)
    assert _rows(made) == before

    engine = make_engine(sqlite_url(tmp_path / "old.sqlite"))
    try:
        assert not create_at_head(engine, "0001")  # not the statements' revision
    finally:
        engine.dispose()
    assert _master(tmp_path / "old.sqlite") == []


def test_opening_a_new_catalog_imports_no_alembic(tmp_path: Path) -> None:
    code = ("import sys\n"
            "from crawler.catalog import Catalog, sqlite_url\n"
            f"Catalog(sqlite_url(__import__('pathlib').Path({str(tmp_path / 'n.sqlite')!r})))"
            ".dispose()\n"
            "assert 'alembic' not in sys.modules, 'alembic imported'\n")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
    engine = make_engine(sqlite_url(tmp_path / "n.sqlite"))
    try:
        assert schema_is_current(engine)
    finally:
        engine.dispose()
    Catalog(sqlite_url(tmp_path / "n.sqlite")).dispose()  # at the head: left alone
