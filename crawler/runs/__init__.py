"""Runs: a crawl of one outlet, started as a `scrapy crawl` child process, with its record."""

from crawler.runs.manager import (
    RunOutcome,
    RunProcess,
    create_run,
    finish_run,
    new_run_id,
    start_run,
)

__all__ = ["RunOutcome", "RunProcess", "create_run", "finish_run", "new_run_id", "start_run"]
