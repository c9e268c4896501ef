"""What ops watch, for the dashboard and for Prometheus.

:func:`catalog_metrics` reads the runs, articles and captures (the dashboard uses it);
:func:`metrics_registry` builds a fresh ``CollectorRegistry`` at each scrape, whose collector
reads the catalog, the data directory's disk and the open alerts then: nothing is kept in the
process between scrapes, so two services (or a restarted one) never disagree.

An outlet that never succeeded has ``akhbar_last_success_timestamp_seconds`` 0 (and
``akhbar_outlet_ever_succeeded`` 0), so that an alert on the age of the last success fires
for it too.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from crawler.catalog import Article, Capture, Run
from crawler.context import AkhbarContext
from crawler.ops.alerts import KINDS
from crawler.ops.facts import disk_facts
from crawler.ops.store import open_counts
from crawler.outlets import load_outlets
from crawler.runs.judge import failure_kinds

#: Statuses a run ends in; "skipped" and "missed" are refused or late triggers.
ENDED = ("succeeded", "failed", "cancelled", "timed_out", "skipped", "missed")
#: Run durations, seconds: a demo crawl takes seconds, a big outlet an hour.
DURATION_BUCKETS = (5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1200.0, 1800.0, 3600.0,
                    7200.0)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
_EXC_KEY = re.compile(r"^downloader/exception_type_count/(?:[\w.]+\.)?(\w+)$")
_STATUS_KEY = re.compile(r"^downloader/response_status_count/([45])\d\d$")


@dataclass
class LastRun:
    outlet: str
    run_id: str
    status: str
    ended_at: datetime | None
    pages: int
    articles_new: int
    errors: int


@dataclass
class CatalogMetrics:
    runs_by_status: dict[tuple[str, str], int] = field(default_factory=dict)
    last_runs: list[LastRun] = field(default_factory=list)
    last_success: dict[str, datetime] = field(default_factory=dict)
    articles: dict[tuple[str, str], int] = field(default_factory=dict)
    captures: dict[str, int] = field(default_factory=dict)


def catalog_metrics(ctx: AkhbarContext) -> CatalogMetrics:
    m = CatalogMetrics()
    with ctx.catalog.session() as session:
        for outlet, status, n in session.execute(
            select(Run.outlet_id, Run.status, func.count()).group_by(Run.outlet_id, Run.status)
        ):
            m.runs_by_status[(outlet, status)] = n
        latest = (
            select(Run.outlet_id, func.max(Run.queued_at).label("at"))
            .where(Run.status.in_(("succeeded", "failed", "cancelled", "timed_out")))
            .group_by(Run.outlet_id)
            .subquery()
        )
        for run in session.scalars(
            select(Run).join(latest, (Run.outlet_id == latest.c.outlet_id)
                             & (Run.queued_at == latest.c.at))
        ):
            m.last_runs.append(LastRun(run.outlet_id, run.id, run.status, run.ended_at,
                                       run.pages, run.articles_new, run.errors))
        for outlet, at in session.execute(
            select(Run.outlet_id, func.max(Run.ended_at))
            .where(Run.status == "succeeded").group_by(Run.outlet_id)
        ):
            if at is not None:
                m.last_success[outlet] = at
        for outlet, lang, n in session.execute(
            select(Article.outlet_id, Article.language, func.count())
            .group_by(Article.outlet_id, Article.language)
        ):
            m.articles[(outlet, lang or "und")] = n
        for outlet, n in session.execute(
            select(Capture.outlet_id, func.count()).group_by(Capture.outlet_id)
        ):
            m.captures[outlet] = n
    return m


@dataclass
class RunTotals:
    """Sums over every run of each outlet, and the durations of the ended ones."""

    pages: Counter[str] = field(default_factory=Counter)
    articles: Counter[tuple[str, str]] = field(default_factory=Counter)
    bytes_received: Counter[str] = field(default_factory=Counter)
    errors: Counter[tuple[str, str]] = field(default_factory=Counter)
    durations: dict[str, list[float]] = field(default_factory=dict)
    running: int = 0
    queued: int = 0
    lag: dict[str, float] = field(default_factory=dict)


def error_kinds(stats: dict[str, object]) -> Counter[str]:
    """A run's errors by kind: requests that finally failed, by the kind the run's verdict
    names (``refused``, ``timeout``, ``http_5xx``...), and error log lines. A run
    recorded before those counts existed gives download attempts by exception class and
    HTTP 4xx/5xx answers instead."""
    final = failure_kinds(stats)
    kinds: Counter[str] = Counter(final)
    for key, value in stats.items():
        if not isinstance(value, int):
            continue
        if key == "log_count/ERROR":
            kinds["log_error"] += value
        elif final:
            continue
        elif m := _EXC_KEY.match(key):
            kinds[m[1]] += value
        elif m := _STATUS_KEY.match(key):
            kinds[f"http_{m[1]}xx"] += value
    return kinds


def run_totals(ctx: AkhbarContext) -> RunTotals:
    t = RunTotals()
    with ctx.catalog.session() as session:
        rows = session.execute(select(
            Run.outlet_id, Run.status, Run.pages, Run.articles_new, Run.articles_changed,
            Run.articles_unchanged, Run.bytes_received, Run.errors, Run.stats, Run.started_at,
            Run.ended_at, Run.scheduled_for))
        lag_at: dict[str, datetime] = {}
        for (outlet, status, pages, new, changed, same, received, errors, stats, started,
             ended, scheduled) in rows:
            t.pages[outlet] += pages or 0
            t.articles[(outlet, "new")] += new or 0
            t.articles[(outlet, "changed")] += changed or 0
            t.articles[(outlet, "unchanged")] += same or 0
            t.bytes_received[outlet] += received or 0
            kinds = error_kinds(stats or {})
            for kind, n in kinds.items():
                t.errors[(outlet, kind)] += n
            if not kinds and errors:
                t.errors[(outlet, "other")] += errors
            if status == "running":
                t.running += 1
            elif status == "queued":
                t.queued += 1
            if started is not None and ended is not None:
                t.durations.setdefault(outlet, []).append((ended - started).total_seconds())
            if scheduled is not None and started is not None and (
                    outlet not in lag_at or scheduled > lag_at[outlet]):
                lag_at[outlet] = scheduled
                t.lag[outlet] = max(0.0, (started - scheduled).total_seconds())
    return t


def _histogram(durations: dict[str, list[float]]) -> HistogramMetricFamily:
    hist = HistogramMetricFamily("akhbar_run_duration_seconds",
                                 "How long ended runs ran, start to end", labels=["outlet"])
    for outlet, values in sorted(durations.items()):
        buckets = [(str(b), float(sum(1 for v in values if v <= b))) for b in DURATION_BUCKETS]
        buckets.append(("+Inf", float(len(values))))
        hist.add_metric([outlet], buckets, sum_value=sum(values))
    return hist


def _warc_bytes(ctx: AkhbarContext) -> Counter[str]:
    sizes: Counter[str] = Counter()
    root = ctx.warcs_dir
    if not root.is_dir():
        return sizes
    for outlet_dir in root.iterdir():
        if outlet_dir.is_dir():
            for path in outlet_dir.rglob("*.warc.gz*"):
                try:
                    sizes[outlet_dir.name] += path.stat().st_size
                except OSError:  # closed and renamed meanwhile
                    continue
    return sizes


class AkhbarCollector(Collector):
    """Reads the catalog, the disk and the alerts at scrape time."""

    def __init__(self, ctx: AkhbarContext) -> None:
        self.ctx = ctx

    def collect(self) -> Iterator[Metric]:
        m = catalog_metrics(self.ctx)
        t = run_totals(self.ctx)
        configured = set(load_outlets(self.ctx.config_dir).outlets)
        known = sorted(configured | {o for o, _ in m.runs_by_status})
        yield from self._runs(m, t)
        yield from self._last(m, known)
        yield from self._volumes(m, t)
        yield from self._ops(t)

    def _runs(self, m: CatalogMetrics, t: RunTotals) -> Iterator[Metric]:
        runs = CounterMetricFamily("akhbar_runs", "Runs recorded, by outlet and status",
                                   labels=["outlet", "status"])
        for (outlet, status), n in sorted(m.runs_by_status.items()):
            runs.add_metric([outlet, status], n)
        yield runs
        yield _histogram(t.durations)
        yield GaugeMetricFamily("akhbar_runs_running", "Runs running now", value=t.running)
        yield GaugeMetricFamily("akhbar_runs_queued", "Runs waiting to start", value=t.queued)
        lag = GaugeMetricFamily("akhbar_scheduler_lag_seconds", "How late the outlet's last "
                                "scheduled run started after its due time", labels=["outlet"])
        for outlet, seconds in sorted(t.lag.items()):
            lag.add_metric([outlet], seconds)
        yield lag

    def _last(self, m: CatalogMetrics, known: list[str]) -> Iterator[Metric]:
        last_status = GaugeMetricFamily(
            "akhbar_last_run_succeeded", "1 if the outlet's last finished run succeeded",
            labels=["outlet"])
        last_new = GaugeMetricFamily(
            "akhbar_last_run_articles_new", "New articles in the outlet's last finished run",
            labels=["outlet"])
        last_pages = GaugeMetricFamily("akhbar_last_run_pages", "Pages fetched by the last run",
                                       labels=["outlet"])
        last_errors = GaugeMetricFamily("akhbar_last_run_errors", "Errors in the last run",
                                        labels=["outlet"])
        for run in m.last_runs:
            last_status.add_metric([run.outlet], 1.0 if run.status == "succeeded" else 0.0)
            last_new.add_metric([run.outlet], run.articles_new)
            last_pages.add_metric([run.outlet], run.pages)
            last_errors.add_metric([run.outlet], run.errors)
        yield from (last_status, last_new, last_pages, last_errors)
        success = GaugeMetricFamily(
            "akhbar_last_success_timestamp_seconds", "When the outlet's last successful run "
            "ended (Unix time); 0 if none ever did", labels=["outlet"])
        ever = GaugeMetricFamily("akhbar_outlet_ever_succeeded",
                                 "1 if any run of the outlet ever succeeded", labels=["outlet"])
        for outlet in known:
            at = m.last_success.get(outlet)
            success.add_metric([outlet], at.timestamp() if at else 0.0)
            ever.add_metric([outlet], 1.0 if at else 0.0)
        yield from (success, ever)

    def _volumes(self, m: CatalogMetrics, t: RunTotals) -> Iterator[Metric]:
        articles = GaugeMetricFamily("akhbar_articles", "Articles in the catalog",
                                     labels=["outlet", "language"])
        for (outlet, lang), n in sorted(m.articles.items()):
            articles.add_metric([outlet, lang], n)
        yield articles
        seen = CounterMetricFamily("akhbar_run_articles", "Articles seen by runs, by outcome",
                                   labels=["outlet", "outcome"])
        for (outlet, outcome), n in sorted(t.articles.items()):
            seen.add_metric([outlet, outcome], n)
        yield seen
        pages = CounterMetricFamily("akhbar_pages_fetched", "Pages fetched by runs",
                                    labels=["outlet"])
        for outlet, n in sorted(t.pages.items()):
            pages.add_metric([outlet], n)
        yield pages
        received = CounterMetricFamily("akhbar_bytes_received", "Bytes downloaded by runs",
                                       labels=["outlet"])
        for outlet, n in sorted(t.bytes_received.items()):
            received.add_metric([outlet], n)
        yield received
        warc = GaugeMetricFamily("akhbar_warc_bytes", "Bytes of WARC files on disk",
                                 labels=["outlet"])
        for outlet, n in sorted(_warc_bytes(self.ctx).items()):
            warc.add_metric([outlet], n)
        yield warc
        errors = CounterMetricFamily("akhbar_errors", "Errors in runs, by kind",
                                     labels=["outlet", "kind"])
        for (outlet, kind), n in sorted(t.errors.items()):
            errors.add_metric([outlet, kind], n)
        yield errors
        captures = GaugeMetricFamily("akhbar_captures", "Captures (WARC response and revisit "
                                     "records) in the catalog", labels=["outlet"])
        for outlet, n in sorted(m.captures.items()):
            captures.add_metric([outlet], n)
        yield captures

    def _ops(self, t: RunTotals) -> Iterator[Metric]:
        disk = disk_facts(self.ctx.data_dir)
        if disk is not None:
            yield GaugeMetricFamily("akhbar_disk_free_bytes", "Free space under the data "
                                    "directory", value=disk.free)
            yield GaugeMetricFamily("akhbar_disk_total_bytes", "Size of the data directory's "
                                    "file system", value=disk.total)
        open_alerts = open_counts(self.ctx.catalog)
        by_kind = GaugeMetricFamily("akhbar_alerts_open", "Open alerts, by kind",
                                    labels=["kind"])
        counts = Counter(kind for kind, _, _ in open_alerts)
        for name in KINDS:
            by_kind.add_metric([name], counts.get(name, 0))
        yield by_kind
        each = GaugeMetricFamily("akhbar_alert_open", "1 for each open alert",
                                 labels=["kind", "outlet", "severity"])
        for kind, subject, severity in sorted(open_alerts):
            each.add_metric([kind, subject, severity], 1.0)
        yield each


def metrics_registry(ctx: AkhbarContext) -> CollectorRegistry:
    """A registry for one scrape."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(AkhbarCollector(ctx))
    return registry


def metrics_text(ctx: AkhbarContext) -> bytes:
    """The Prometheus text format, as /metrics serves it."""
    return generate_latest(metrics_registry(ctx))
