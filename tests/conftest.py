"""Shared fixtures: the demo site on 127.0.0.1, config directories, catalog databases."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator

import pytest

PG_BASE = os.environ.get("AKHBAR_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="session")
def pg_available() -> bool:
    import psycopg

    try:
        psycopg.connect("host=127.0.0.1 port=5432 dbname=test user=postgres",
                        connect_timeout=3).close()
        return True
    except psycopg.OperationalError:
        return False


@pytest.fixture
def pg_url(pg_available: bool) -> Iterator[str]:
    """A fresh schema in the PostgreSQL `test` database, dropped afterwards."""
    yield from _pg_schema(pg_available)


def _pg_schema(pg_available: bool) -> Iterator[str]:
    import psycopg

    if not pg_available:
        pytest.fail("PostgreSQL is not reachable on 127.0.0.1:5432 (database `test`); "
                    "start it: pg_ctlcluster <version> main start")
    schema = f"akhbar_t_{secrets.token_hex(4)}"
    dsn = "host=127.0.0.1 port=5432 dbname=test user=postgres"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{PG_BASE}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(scope="session")
def pg_session_url(pg_available: bool) -> Iterator[str]:
    yield from _pg_schema(pg_available)


@pytest.fixture(scope="module")
def pg_module_url(pg_available: bool) -> Iterator[str]:
    """A schema of the module's own, for module-scoped fixtures (not shared across files)."""
    yield from _pg_schema(pg_available)
