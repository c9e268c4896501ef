"""Registers every `akhbar` subcommand (each group lives in its own module)."""

from crawler.cli import (  # noqa: F401
    alerts,
    archive,
    crawl,
    data,
    outlets,
    runs,
    schedule,
    serve,
    users,
    worker,
)
