"""Which database errors are waited out, and what is said while waiting."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from crawler.catalog.db import make_engine
from crawler.catalog.transient import retrying


def test_a_locked_sqlite_file_is_retried_with_a_warning_in_words(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "c.sqlite"
    engine = make_engine(f"sqlite:///{path}", busy_timeout=0.05)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    waits: list[float] = []

    def release(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 2:
            holder.execute("COMMIT")

    def insert() -> int:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO t VALUES (1)"))
        return 1

    with caplog.at_level(logging.WARNING, "crawler.catalog.transient"):
        assert retrying("a test batch", insert, sleep=release) == 1
    assert waits == [1.0, 2.0]
    said = [r.getMessage() for r in caplog.records]
    assert said[0] == ("a test batch: the catalog database is locked by another process "
                       "(database is locked); trying again in 1 s (attempt 1 of 8)")
    holder.close()


def test_other_errors_and_a_lock_that_lasts_are_not_hidden(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'c.sqlite'}", busy_timeout=0.05)

    def broken() -> None:
        with engine.begin() as conn:
            conn.execute(text("SELECT * FROM no_such_table"))

    slept: list[float] = []
    with pytest.raises(OperationalError, match="no such table"):
        retrying("a test batch", broken, sleep=slept.append)
    assert slept == []
    holder = sqlite3.connect(tmp_path / "c.sqlite", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")

    def insert() -> None:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (x INTEGER)"))

    with pytest.raises(OperationalError, match="locked"):
        retrying("a test batch", insert, waits=(1.0, 2.0), sleep=slept.append)
    assert slept == [1.0, 2.0]
    holder.close()
