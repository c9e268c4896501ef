"""Opening the catalog: engine, schema migrations, sessions."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache, partial
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from crawler.catalog.headschema import HEAD_REVISION, HEAD_SCHEMA
from crawler.catalog.transient import warn_on_lost_connections

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


_PASSWORD_RE = re.compile(r"(://[^:/@\s]*:)\S*@")


def redact_url(url: str) -> str:
    """A database URL as it may be shown: its password replaced by ``***``."""
    return _PASSWORD_RE.sub(r"\1***@", url)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path.resolve()}"


#: The SQLite page cache (KiB) of the connections a crawl writes its run with (its catalog
#: writer, its live progress): a crawl's writes touch the newest pages of each table and
#: index, and its look-ups one leaf each; SQLite's default is 2,000 KiB a connection.
CRAWL_CACHE_KIB = 512
#: Prepared statements those connections keep (the sqlite3 module's default: 128). A batch's
#: ``IN (...)`` look-ups and multi-row INSERTs are a new statement for each number of rows,
#: up to ~40 KB each: kept 128 at a time, they grew a crawl process of two crawls with the
#: run (SQLite's memory 2.7 MB at 2,000 articles, 8.2-9.6 MB at 20,000). The statements a
#: batch runs every time stay among the 16 most recent.
CRAWL_STATEMENTS = 16


def _sqlite_pragmas(busy_timeout: float, cache_kib: int | None, dbapi_conn: Any,
                    _record: Any) -> None:
    # WAL lets the service read while a crawl process writes; the timeout rides out short locks.
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    if cache_kib is not None:
        cur.execute(f"PRAGMA cache_size=-{int(cache_kib)}")
    cur.close()


def make_engine(url: str, *, busy_timeout: float = 30.0, cache_kib: int | None = None,
                statements: int | None = None) -> Engine:
    """``busy_timeout``: how long a SQLite statement waits for a lock another process holds
    before it fails (a writer that retries, and says so, waits less). ``cache_kib``: each
    SQLite connection's page cache, ``statements``: the prepared statements it keeps (the
    defaults when None; a crawl's: :data:`CRAWL_CACHE_KIB`, :data:`CRAWL_STATEMENTS`)."""
    if url.startswith("sqlite"):
        connect: dict[str, Any] = {"timeout": busy_timeout}
        if statements is not None:
            connect["cached_statements"] = statements
        engine = create_engine(url, connect_args=connect)
        event.listen(engine, "connect", partial(_sqlite_pragmas, busy_timeout, cache_kib))
    else:
        engine = create_engine(url, pool_pre_ping=True)
    warn_on_lost_connections(engine)
    return engine


_REVISION_RE = re.compile(r"^(down_revision|revision)\s*=\s*['\"]?([\w-]+|None)['\"]?", re.M)


@cache
def head_revision() -> str | None:
    """The newest revision under ``migrations/versions``, read off the files: the one no
    other revision names as its ``down_revision`` (``None`` if that is not exactly one)."""
    revisions: set[str] = set()
    parents: set[str | None] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        found = {m[1]: m[2] for m in _REVISION_RE.finditer(path.read_text("utf-8"))}
        if "revision" in found:
            revisions.add(found["revision"])
            parents.add(found.get("down_revision"))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def schema_is_current(engine: Engine) -> bool:
    """True when the database is at :func:`head_revision` already: one query, no Alembic
    (importing and running Alembic costs a crawl process ~0.3 s before its first fetch)."""
    head = head_revision()
    if head is None:
        return False
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT version_num FROM alembic_version"))
            versions = {row[0] for row in rows}
    except DBAPIError:  # no alembic_version table: a new database
        return False
    return versions == {head}


def create_at_head(engine: Engine, head: str | None) -> bool:
    """Make an empty SQLite database what the migrations up to ``head`` make of it, from
    :data:`~crawler.catalog.headschema.HEAD_SCHEMA`, in one transaction that holds SQLite's
    write lock from its start (of two processes making one new catalog, the second finds it
    made). False, with nothing written, when the database is not SQLite, not empty, or the
    statements are not of ``head``: Alembic's migrations do it then.

    Importing Alembic and running its migrations cost a new catalog's first command ~0.5 G
    instructions, before a foreground crawl's first request; this costs ~4 M.
    tests/crawler/test_head_schema.py holds the two ways to the same database."""
    if engine.dialect.name != "sqlite" or head is None or head != HEAD_REVISION:
        return False
    with engine.connect() as conn:
        # pysqlite begins no transaction before DDL by itself: this one covers every statement.
        conn.exec_driver_sql("BEGIN IMMEDIATE")
        if conn.exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar():
            conn.rollback()
            return False
        for statement in HEAD_SCHEMA:
            conn.exec_driver_sql(statement)
        conn.commit()
    return True


def migrate(engine: Engine, *, head_schema: bool = True) -> None:
    """Bring the schema to the newest Alembic revision. A new SQLite database is made at the
    newest revision at once (:func:`create_at_head`) unless ``head_schema`` is False."""
    if schema_is_current(engine):
        return
    if head_schema and create_at_head(engine, head_revision()):
        return
    from alembic import command
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


class Catalog:
    """The catalog database: an engine plus a session factory."""

    def __init__(self, url: str, *, create: bool = True, busy_timeout: float = 30.0,
                 cache_kib: int | None = None, statements: int | None = None) -> None:
        self.url = url
        self.engine = make_engine(url, busy_timeout=busy_timeout, cache_kib=cache_kib,
                                  statements=statements)
        if create:
            migrate(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()
