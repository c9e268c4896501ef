"""The catalog's schema check: Alembic runs only when the database is behind."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text

from crawler.catalog import Catalog, sqlite_url
from crawler.catalog.db import MIGRATIONS_DIR, head_revision, make_engine, schema_is_current


def test_head_revision_is_alembics_head() -> None:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    assert head_revision() == ScriptDirectory.from_config(cfg).get_current_head()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_database_behind_is_migrated_one_at_head_is_left_alone(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = (sqlite_url(tmp_path / "c.sqlite") if backend == "sqlite"
           else request.getfixturevalue("pg_url"))
    engine = make_engine(url)
    try:
        assert not schema_is_current(engine)  # a new, empty database
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0001")
        assert not schema_is_current(engine)  # one revision behind

        Catalog(url).dispose()
        assert schema_is_current(engine)
        with engine.connect() as conn:  # 0002's column is there
            conn.execute(text("SELECT cancel_requested_at FROM runs")).fetchall()
            stamp = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        assert stamp == head_revision()

        Catalog(url).dispose()  # at the head: nothing to do, nothing changed
        assert schema_is_current(engine)
    finally:
        engine.dispose()


def test_the_catalog_pipeline_makes_the_schema_of_a_new_database(tmp_path: Path) -> None:
    """A crawl run without the service (no run id: no WARC middleware) still gets a schema."""
    from scrapy.utils.test import get_crawler

    from crawler.crawl.pipelines import CatalogPipeline

    url = sqlite_url(tmp_path / "fresh.sqlite")
    pipe = CatalogPipeline.from_crawler(get_crawler(settings_dict={"AKHBAR_DATABASE_URL": url}))
    engine = make_engine(url)
    try:
        assert schema_is_current(engine)
    finally:
        engine.dispose()
        pipe.writer.close()
