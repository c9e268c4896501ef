"""Picking the executor named in config (``executor:`` in akhbar.yaml)."""

from __future__ import annotations

from crawler.context import AkhbarContext
from crawler.runs.executor import Executor
from crawler.runs.local import ProcessExecutor


def make_executor(ctx: AkhbarContext, *, detach: bool) -> Executor:
    """``detach``: crawls outlive their owner (the service; a restarted one adopts them)."""
    return ProcessExecutor(ctx, detach=detach)
