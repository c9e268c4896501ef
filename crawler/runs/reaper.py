"""Runs whose owner died: found and ended (or adopted) by the next owner that looks.

A run records its owner ("<host>:<pid>") and the owner's heartbeat. On this host an owner is
dead when its pid is gone; elsewhere, when its heartbeat is older than ``stale_after``. A dead
owner's run is then:

- queued by a foreground crawl that never started it: ``cancelled``, saying so;
- taken from the service's queue by a worker that died before starting it: given back to the
  queue (the service publishes it again);
- running, with its crawl process still alive on this host: adopted by an owner that adopts
  (`akhbar serve`), or left alone to finish (a foreground crawl does not adopt);
- running, with its crawl process gone: judged from the stats it wrote when it ended, or
  ``failed`` with the reason, and the WARC files it left open are closed;
- running on another host whose owner stopped beating (a worker that died, or lost its
  host): ``failed``, and the WARC files it left open in the shared data directory are closed.
  It is not run again: the outlet runs at its next trigger.

Queued runs without an owner belong to the service's queue and wait for a service.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from crawler.catalog import Run
from crawler.context import AkhbarContext
from crawler.runs.control import (
    AdoptedHandle,
    is_zombie,
    pid_alive,
    recover_warcs,
    run_process_alive,
)
from crawler.runs.records import OwnerId, RunBook, RunOutcome, now, this_host
from crawler.runs.states import CANCELLED, FAILED, QUEUED, SERVICE_TRIGGERS

logger = logging.getLogger(__name__)


@dataclass
class Reaped:
    adopted: list[AdoptedHandle] = field(default_factory=list)
    ended: list[RunOutcome] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    given_back: list[str] = field(default_factory=list)  # back in the service's queue
    left: list[str] = field(default_factory=list)  # alive, not ours to adopt


def owner_alive(run: Run, stale_after: float, host: str) -> bool:
    owner = OwnerId.parse(run.owner)
    if owner is None:
        return False
    if owner.host == host:
        return pid_alive(owner.pid) and not is_zombie(owner.pid)
    beat = run.heartbeat_at
    return beat is not None and beat >= now() - timedelta(seconds=stale_after)


def reap(ctx: AkhbarContext, book: RunBook, me: OwnerId | None, *, adopt: bool,
         stale_after: float = 60.0) -> Reaped:
    """End (or adopt) every active run whose owner is dead; ``me`` is never reaped."""
    result = Reaped()
    host = this_host()
    for run in book.active_runs():
        if me is not None and run.owner == str(me):
            continue
        if owner_alive(run, stale_after, host):
            continue
        if run.status == QUEUED:
            if run.owner is not None and run.trigger in SERVICE_TRIGGERS:
                if book.give_back(run.id, OwnerId.parse(run.owner)):
                    logger.warning("run %s of %s goes back to the queue: its worker (%s) "
                                   "ended before starting it", run.id, run.outlet_id,
                                   run.owner)
                    result.given_back.append(run.id)
            elif run.owner is not None:
                owner = OwnerId.parse(run.owner)
                book.end_unstarted(run, CANCELLED, f"its owner ({_who(owner)}) ended before "
                                   "starting it")
                result.failed.append(run.id)
            continue
        if run.host not in (None, host):
            book.end_unstarted(run, FAILED, f"its owner on {run.host} stopped (no heartbeat "
                               f"for more than {stale_after:.0f}s)")
            result.failed.append(run.id)
            recover_warcs(ctx, run.outlet_id)
            continue
        if run.pid and run_process_alive(run.pid, run.id):
            if adopt and me is not None:
                book.claim(run.id, me)
                result.adopted.append(AdoptedHandle.of(ctx.data_dir, run))
                logger.info("adopted run %s (pid %d) of %s", run.id, run.pid, run.outlet_id)
            else:
                result.left.append(run.id)
            continue
        if run.pid:
            outcome = book.finish(AdoptedHandle.of(ctx.data_dir, run), -1)
            result.ended.append(outcome)
            logger.warning("run %s of %s ended while its owner was gone: %s (%s)", run.id,
                           run.outlet_id, outcome.status, outcome.reason)
        else:
            book.end_unstarted(run, FAILED, "its owner ended before the crawl process started")
            result.failed.append(run.id)
        recover_warcs(ctx, run.outlet_id)
    return result


def _who(owner: OwnerId | None) -> str:
    return f"process {owner.pid} on {owner.host}" if owner else "an unknown process"
