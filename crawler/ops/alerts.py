"""The alert conditions: pure functions over typed facts about outlets, runs and the disk.

Each condition is a :class:`Condition` with a stable :attr:`Condition.key` (its kind and
what it is about); the store raises an alert once per key while the condition holds and
clears it when the condition is gone (:mod:`crawler.ops.store`). Time comes in as ``now``,
never from the clock, so that a test can stand an hour later without waiting an hour.

Kinds:

- ``run_failed``: the outlet's last ended run failed or timed out;
- ``no_articles_matched``: its last run fetched pages but no URL matched the article rules
  (the site was redesigned, or the rules are wrong);
- ``yield_drop``: its last successful run saw far fewer articles than the median of its
  runs before (below ``yield_drop`` times that median);
- ``no_success``: no successful run within ``no_success_after`` (an outlet that never
  succeeded counts from when it was first seen);
- ``stalled``: a running run fetched nothing for ``stalled_after``;
- ``disk_low``: less than ``disk_free_min`` bytes free under the data directory.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import median
from typing import Any, Literal

from crawler.ops.funnel import RunFunnel

Kind = Literal["run_failed", "no_articles_matched", "yield_drop", "no_success", "stalled",
               "disk_low"]
KINDS: tuple[Kind, ...] = ("run_failed", "no_articles_matched", "yield_drop", "no_success",
                           "stalled", "disk_low")
Severity = Literal["warning", "critical"]


@dataclass(frozen=True)
class AlertPolicy:
    """The thresholds (``alerts:`` in akhbar.yaml; ``yield_drop`` also per outlet)."""

    no_success_after: timedelta = timedelta(hours=24)
    stalled_after: timedelta = timedelta(minutes=10)
    disk_free_min: int = 1024**3
    yield_drop: float = 0.5
    yield_window: int = 10
    yield_min_runs: int = 3


@dataclass(frozen=True)
class EndedRun:
    """A run that ended succeeded, failed or timed out (cancelled, skipped and missed runs
    say nothing about the outlet)."""

    run_id: str
    status: str
    reason: str | None
    ended_at: datetime | None
    pages: int
    articles_seen: int
    funnel: RunFunnel


@dataclass(frozen=True)
class LiveRun:
    """A running run. ``last_fetch_at``: when its page count last grew (its start while it
    has fetched nothing); ``waits_on``: what it is likely waiting on, in words."""

    run_id: str
    started_at: datetime | None
    pages: int
    last_fetch_at: datetime
    waits_on: str


@dataclass(frozen=True)
class OutletFacts:
    """What the conditions know of one outlet. ``ended``: newest first."""

    outlet: str
    first_seen_at: datetime
    last_success_at: datetime | None = None
    ended: tuple[EndedRun, ...] = ()
    running: LiveRun | None = None
    yield_drop: float | None = None


@dataclass(frozen=True)
class DiskFacts:
    path: str
    free: int
    total: int


@dataclass(frozen=True)
class Facts:
    now: datetime
    outlets: tuple[OutletFacts, ...] = ()
    disk: DiskFacts | None = None


@dataclass(frozen=True)
class Condition:
    """A condition that holds now. ``subject``: the outlet id ('' for the disk)."""

    kind: Kind
    subject: str
    severity: Severity
    summary: str
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.subject}"


def _ago(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds < 120:
        return f"{seconds}s"
    if seconds < 2 * 3600:
        return f"{seconds // 60} min"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} days"


def run_failed(facts: OutletFacts) -> Condition | None:
    last = facts.ended[0] if facts.ended else None
    if last is None or last.status not in ("failed", "timed_out"):
        return None
    what = "timed out" if last.status == "timed_out" else "failed"
    return Condition("run_failed", facts.outlet, "critical",
                     f"{facts.outlet}: run {last.run_id} {what}: {last.reason or 'no reason'}",
                     {"run_id": last.run_id, "status": last.status, "reason": last.reason})


def no_articles_matched(facts: OutletFacts) -> Condition | None:
    last = facts.ended[0] if facts.ended else None
    if last is None or not last.funnel.counted or last.pages == 0 or last.funnel.matched:
        return None
    return Condition(
        "no_articles_matched", facts.outlet, "critical",
        f"{facts.outlet}: run {last.run_id} fetched {last.pages} page(s) and "
        f"{last.funnel.discovered} link(s), but no URL matched the article rules: was the "
        "site redesigned? Check `articles.allow` in the outlet file",
        {"run_id": last.run_id, "pages": last.pages, "discovered": last.funnel.discovered})


def yield_drop(facts: OutletFacts, policy: AlertPolicy) -> Condition | None:
    succeeded = [r for r in facts.ended if r.status == "succeeded"]
    if not succeeded:
        return None
    last, before = succeeded[0], succeeded[1:policy.yield_window + 1]
    if len(before) < policy.yield_min_runs:
        return None
    typical = median(r.articles_seen for r in before)
    threshold = facts.yield_drop if facts.yield_drop is not None else policy.yield_drop
    if typical <= 0 or last.articles_seen >= threshold * typical:
        return None
    return Condition(
        "yield_drop", facts.outlet, "warning",
        f"{facts.outlet}: run {last.run_id} saw {last.articles_seen} article(s), below "
        f"{threshold:g} x the median of its last {len(before)} runs ({typical:g})",
        {"run_id": last.run_id, "articles_seen": last.articles_seen, "median": typical,
         "threshold": threshold, "runs": len(before)})


def no_success(facts: OutletFacts, policy: AlertPolicy, now: datetime) -> Condition | None:
    since = facts.last_success_at or facts.first_seen_at
    if now - since <= policy.no_success_after:
        return None
    if facts.last_success_at is None:
        summary = (f"{facts.outlet}: no run has ever succeeded (first seen "
                   f"{_ago(now - since)} ago)")
    else:
        summary = f"{facts.outlet}: no successful run for {_ago(now - since)}"
    return Condition("no_success", facts.outlet, "critical", summary,
                     {"last_success_at": facts.last_success_at.isoformat()
                      if facts.last_success_at else None,
                      "limit_seconds": policy.no_success_after.total_seconds()})


def stalled(facts: OutletFacts, policy: AlertPolicy, now: datetime) -> Condition | None:
    live = facts.running
    if live is None or now - live.last_fetch_at <= policy.stalled_after:
        return None
    return Condition(
        "stalled", facts.outlet, "warning",
        f"{facts.outlet}: run {live.run_id} has fetched nothing for "
        f"{_ago(now - live.last_fetch_at)} ({live.pages} page(s) so far); {live.waits_on}",
        {"run_id": live.run_id, "pages": live.pages,
         "last_fetch_at": live.last_fetch_at.isoformat(), "waits_on": live.waits_on})


def disk_low(disk: DiskFacts | None, policy: AlertPolicy) -> Condition | None:
    if disk is None or disk.free >= policy.disk_free_min:
        return None
    return Condition("disk_low", "", "critical",
                     f"{disk.free / 1024**3:.2f} GB free under {disk.path} (below "
                     f"{policy.disk_free_min / 1024**3:.2f} GB)",
                     {"path": disk.path, "free": disk.free, "total": disk.total,
                      "min": policy.disk_free_min})


def evaluate(facts: Facts, policy: AlertPolicy) -> list[Condition]:
    """Every condition that holds at ``facts.now``."""

    def found() -> Iterator[Condition | None]:
        for outlet in facts.outlets:
            yield run_failed(outlet)
            yield no_articles_matched(outlet)
            yield yield_drop(outlet, policy)
            yield no_success(outlet, policy, facts.now)
            yield stalled(outlet, policy, facts.now)
        yield disk_low(facts.disk, policy)

    return [c for c in found() if c is not None]
