"""Writing :mod:`crawler.catalog.headschema`: what the migrations make of an empty SQLite
database, as the SQL statements that make it again without Alembic.

``python -m crawler.catalog.schemadump`` runs the migrations (Alembic) on an empty SQLite
file and writes its schema objects in SQLite's order, then the rows the migrations
inserted. Run it after adding a migration: tests/crawler/test_head_schema.py makes a
catalog both ways and compares them (``sqlite_master`` and every row), so a migration
added without it fails there; and :func:`crawler.catalog.db.create_at_head` steps aside
for Alembic whenever the statements' revision is not the newest.
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
from pathlib import Path

from crawler.catalog.db import head_revision, make_engine, migrate, sqlite_url

#: The module :func:`main` writes.
HEAD_SCHEMA_MODULE = Path(__file__).with_name("headschema.py")


def _made_with(create_virtual: str) -> set[str]:
    """The tables SQLite makes with a virtual table (FTS5's ``_data``, ``_idx``...): its
    CREATE statement makes them again, with their first rows."""
    scratch = sqlite3.connect(":memory:")
    try:
        scratch.execute(create_virtual)
        return {row[0] for row in scratch.execute("SELECT name FROM sqlite_master")}
    finally:
        scratch.close()


def dump_statements(conn: sqlite3.Connection) -> list[str]:
    """What makes an empty SQLite database the one ``conn`` holds: its schema objects in
    SQLite's order (without what SQLite makes by itself: autoindexes, ``sqlite_sequence``,
    a virtual table's shadow tables), then the rows of its ordinary tables."""
    objects = conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY rowid").fetchall()
    made: set[str] = set()
    virtual: set[str] = set()
    for _type, name, sql in objects:
        if sql and sql.upper().startswith("CREATE VIRTUAL TABLE"):
            virtual.add(name)
            made |= _made_with(sql) - {name}
    statements = [sql for _type, name, sql in objects
                  if sql and not name.startswith("sqlite_") and name not in made]
    for type_, name, _sql in objects:
        if type_ != "table" or name.startswith("sqlite_") or name in made | virtual:
            continue
        columns = [row[1] for row in conn.execute(f'PRAGMA table_info("{name}")')]
        quoted = ", ".join(f'quote("{c}")' for c in columns)
        for row in conn.execute(f'SELECT {quoted} FROM "{name}" ORDER BY rowid'):
            statements.append(f"INSERT INTO {name} ({', '.join(columns)}) "
                              f"VALUES ({', '.join(row)})")
    return statements


def migrated(path: Path) -> None:
    """An empty SQLite database at ``path`` brought to the head by the migrations."""
    engine = make_engine(sqlite_url(path))
    try:
        migrate(engine, head_schema=False)
    finally:
        engine.dispose()


def migrated_statements() -> list[str]:
    with tempfile.TemporaryDirectory(prefix="akhbar-schema-") as tmp:
        path = Path(tmp) / "catalog.sqlite"
        migrated(path)
        conn = sqlite3.connect(path)
        try:
            return dump_statements(conn)
        finally:
            conn.close()


def _pieces(line: str, width: int = 80) -> list[str]:
    """``line`` cut after a space every ``width`` characters or so (the module stays within
    the line length; the pieces join back into the same string)."""
    pieces: list[str] = []
    while len(line) > width:
        cut = line.find(" ", width - 20)
        if cut < 0 or cut >= len(line) - 1:
            break
        pieces.append(line[:cut + 1])
        line = line[cut + 1:]
    return [*pieces, line]


def module_text(revision: str, statements: list[str]) -> str:
    lines = [
        f'"""What the migrations up to revision {revision} make of an empty SQLite database.',
        "",
        "Written by ``python -m crawler.catalog.schemadump`` from the migrations: do not edit.",
        '"""',
        "",
        f"HEAD_REVISION = {revision!r}",
        "",
        "HEAD_SCHEMA: tuple[str, ...] = (",
    ]
    for statement in statements:
        parts = [piece for line in statement.splitlines(keepends=True)
                 for piece in _pieces(line)]
        for k, part in enumerate(parts):
            lines.append(f"    {part!r}" + ("," if k == len(parts) - 1 else ""))
    lines.append(")")
    return "\n".join(lines) + "\n"


def main() -> int:
    head = head_revision()
    if head is None:
        print("the migrations have no single head revision", file=sys.stderr)
        return 1
    HEAD_SCHEMA_MODULE.write_text(module_text(head, migrated_statements()), encoding="utf-8")
    print(f"wrote {HEAD_SCHEMA_MODULE} (revision {head})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
