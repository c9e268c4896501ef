"""Picking the executor named in config (``executor:`` in akhbar.yaml)."""

from __future__ import annotations

from typing import Literal

from crawler.context import AkhbarContext
from crawler.crawl.hostboot import Prestarted
from crawler.runs.executor import Executor
from crawler.runs.hosted import HostedExecutor
from crawler.runs.local import ProcessExecutor


def local_executor(ctx: AkhbarContext, name: Literal["shared", "process"], *,
                   detach: bool, prestarted: Prestarted | None = None) -> Executor:
    """``shared``: every run of this owner in one crawl process with one pool of extraction
    workers; ``process``: a process of its own for each run (docs/runs.md). ``detach``:
    crawls outlive their owner (the service; a restarted one adopts them). ``prestarted``:
    a shared crawl process already started (crawler.crawl.hostboot), used by ``shared`` and
    let go by ``process``."""
    if name == "shared":
        return HostedExecutor(ctx, detach=detach, prestarted=prestarted)
    if prestarted is not None:
        prestarted.discard()
    return ProcessExecutor(ctx, detach=detach)


def make_executor(ctx: AkhbarContext, *, detach: bool,
                  prestarted: Prestarted | None = None) -> Executor:
    """The executor of a run owner on this host. Under ``executor: celery`` the service
    publishes its runs to the workers (crawler.runs.cluster) and starts none itself; a
    foreground `akhbar crawl` still crawls here, the way a worker does
    (``celery.worker_executor``)."""
    name = ctx.service.executor
    if name == "celery":
        return local_executor(ctx, ctx.service.celery.worker_executor, detach=detach,
                              prestarted=prestarted)
    return local_executor(ctx, name, detach=detach, prestarted=prestarted)
