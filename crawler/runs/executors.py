"""Picking the executor named in config (``executor:`` in akhbar.yaml)."""

from __future__ import annotations

from crawler.context import AkhbarContext
from crawler.runs.executor import Executor
from crawler.runs.hosted import HostedExecutor
from crawler.runs.local import ProcessExecutor


def make_executor(ctx: AkhbarContext, *, detach: bool) -> Executor:
    """``detach``: crawls outlive their owner (the service; a restarted one adopts them).
    ``shared``: every run of this owner in one crawl process with one pool of extraction
    workers; ``process``: a process of its own for each run (docs/runs.md)."""
    if ctx.service.executor == "shared":
        return HostedExecutor(ctx, detach=detach)
    return ProcessExecutor(ctx, detach=detach)
