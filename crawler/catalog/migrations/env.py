"""Alembic environment: always run with a connection handed in by crawler.catalog.db.migrate."""

from alembic import context

from crawler.catalog import archived  # noqa: F401  (its tables in Base.metadata)
from crawler.catalog.models import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
