"""Registers every `akhbar` subcommand (each group lives in its own module)."""

from crawler.cli import archive, crawl, data, outlets, runs, schedule, serve, users  # noqa: F401
