"""The facts the alert conditions read, gathered from the catalog, the run logs and the disk.

:class:`FetchTracker` remembers, across evaluations, when each running run's page count last
grew: the row's live figures say how many pages, not since when none came.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select

from crawler.catalog import Run
from crawler.catalog.db import Catalog
from crawler.ops.alerts import (
    AlertPolicy,
    DiskFacts,
    EndedRun,
    Facts,
    LiveRun,
    OutletFacts,
)
from crawler.ops.funnel import RunFunnel
from crawler.outlets import OutletConfig
from crawler.runs.logstore import tail_shipped

#: Statuses that say how an outlet is doing (cancelled, skipped and missed say nothing).
JUDGED = ("succeeded", "failed", "timed_out")
#: Bytes read off the end of a run's log to say what a stalled run waits on.
LOG_TAIL = 64 * 1024


def ended_run(row: Run) -> EndedRun:
    return EndedRun(row.id, row.status, row.reason, row.ended_at, row.pages,
                    row.articles_new + row.articles_changed + row.articles_unchanged,
                    RunFunnel.from_stats(row.stats))


@dataclass
class FetchTracker:
    """run id -> (pages, when that count was first seen)."""

    seen: dict[str, tuple[int, datetime]] = field(default_factory=dict)
    first_seen: dict[str, datetime] = field(default_factory=dict)

    def last_growth(self, run_id: str, pages: int, now: datetime) -> datetime:
        known = self.seen.get(run_id)
        if known is None or known[0] != pages:
            self.seen[run_id] = (pages, now)
            return now
        return known[1]

    def outlet_first_seen(self, outlet: str, now: datetime) -> datetime:
        return self.first_seen.setdefault(outlet, now)

    def forget_except(self, run_ids: set[str]) -> None:
        for run_id in set(self.seen) - run_ids:
            del self.seen[run_id]


def _log_tail(engine: Engine, run: Run) -> list[dict[str, Any]]:
    """The last entries of a running run's log: from its file where this host sees it,
    else from the catalog's copy (a worker on another host)."""
    size = 0
    try:
        with Path(run.log_path or "").open("rb") as fh:
            fh.seek(0, 2)
            size = fh.tell()
            fh.seek(max(0, size - LOG_TAIL))
            data = fh.read()
    except OSError:
        data, size = tail_shipped(engine, run.id, LOG_TAIL), 0  # whole lines
    entries = []
    for line in data.splitlines()[1 if size > LOG_TAIL else 0:]:
        try:
            entries.append(json.loads(line))
        except ValueError:
            continue
    return entries


def _ts(entry: dict[str, Any]) -> datetime | None:
    try:
        return datetime.fromisoformat(str(entry.get("ts")))
    except ValueError:
        return None


def waits_on(run: Run, outlet: OutletConfig | None,
             tail: list[dict[str, Any]]) -> tuple[str, datetime | None]:
    """What a run that fetches nothing is likely waiting on, in words; and when its log
    last recorded a fetch."""
    parts: list[str] = []
    fetches = [e for e in tail if e.get("event") == "fetched"]
    last_fetch = _ts(fetches[-1]) if fetches else None
    if fetches:
        parts.append(f"last page fetched: {fetches[-1].get('url')}")
    events = [e.get("event") for e in tail]
    retries = sum(1 for e in tail if "retry" in str(e.get("msg", "")).lower()
                  or e.get("event") in ("retry_deadline",))
    if retries:
        parts.append(f"{retries} retr{'y' if retries == 1 else 'ies'} logged lately")
    if "host_backoff" in events and events[::-1].index("host_backoff") < \
            (events[::-1].index("host_recovered") if "host_recovered" in events else len(events)):
        parts.append("the host answered with errors and is being slowed down")
    if outlet is not None:
        pol = outlet.politeness
        if pol.obey_robots and not fetches:
            parts.append("robots.txt of " + ", ".join(outlet.allowed_domains))
        if pol.delay >= 1:
            parts.append(f"a politeness delay of {pol.delay:g}s between requests")
        parts.append(f"{pol.concurrency} request(s) at a time to a slow or silent host "
                     f"({', '.join(outlet.allowed_domains)})")
    recorded = run.articles_new + run.articles_changed + run.articles_unchanged
    if run.pages - recorded > 50:
        parts.append(f"an extraction backlog ({run.pages} pages fetched, {recorded} articles "
                     "recorded)")
    if tail and not fetches:
        parts.append(f"last logged: {str(tail[-1].get('msg', ''))[:200]}")
    if not tail:
        parts.insert(0, "the crawl process to start (it has logged nothing yet)")
    return "waiting on " + "; ".join(parts or ["nothing known"]), last_fetch


def disk_facts(data_dir: Path) -> DiskFacts | None:
    try:
        usage = shutil.disk_usage(data_dir if data_dir.exists() else data_dir.parent)
    except OSError:
        return None
    return DiskFacts(str(data_dir), usage.free, usage.total)


def collect(catalog: Catalog, data_dir: Path, outlets: dict[str, OutletConfig],
            policy: AlertPolicy, now: datetime, tracker: FetchTracker) -> Facts:
    """Facts about every enabled outlet configured, and the disk, at ``now``."""
    found: list[OutletFacts] = []
    live_ids: set[str] = set()
    with catalog.session() as session:
        for oid, cfg in sorted(outlets.items()):
            if not cfg.enabled:
                continue
            ended = session.scalars(
                select(Run).where(Run.outlet_id == oid, Run.status.in_(JUDGED),
                                  Run.ended_at.is_not(None))
                .order_by(Run.ended_at.desc(), Run.id.desc()).limit(policy.yield_window + 1))
            last_success = session.scalar(select(func.max(Run.ended_at)).where(
                Run.outlet_id == oid, Run.status == "succeeded"))
            first_run = session.scalar(select(func.min(Run.queued_at)).where(
                Run.outlet_id == oid))
            running = session.scalars(select(Run).where(
                Run.outlet_id == oid, Run.status == "running").order_by(Run.started_at)).first()
            live = None
            if running is not None:
                live_ids.add(running.id)
                tail = _log_tail(catalog.engine, running)
                words, logged = waits_on(running, cfg, tail)
                grew = tracker.last_growth(running.id, running.pages, now)
                if running.pages == 0 and running.started_at is not None:
                    grew = running.started_at
                # A crawl can fetch from when its log opens (a busy host takes seconds to
                # start a crawl process): that is when a run with no page yet began waiting.
                # One that has logged nothing yet is given stalled_after once more to start.
                opened = _ts(tail[0]) if tail and running.pages == 0 else None
                if not tail and running.pages == 0 and running.started_at is not None:
                    opened = running.started_at + policy.stalled_after
                last = max(t for t in (grew, logged, opened) if t is not None)
                live = LiveRun(running.id, running.started_at, running.pages, last, words)
            first_seen = first_run or tracker.outlet_first_seen(oid, now)
            found.append(OutletFacts(oid, first_seen, last_success,
                                     tuple(ended_run(r) for r in ended), live,
                                     cfg.alerts.yield_drop))
    tracker.forget_except(live_ids)
    return Facts(now, tuple(found), disk_facts(data_dir))
