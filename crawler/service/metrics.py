"""What ops watch: runs by status, the last run of each outlet, articles and captures."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from crawler.catalog import Article, Capture, Run
from crawler.context import AkhbarContext

#: Statuses a run ends in; "skipped" and "missed" are refused or late triggers.
ENDED = ("succeeded", "failed", "cancelled", "timed_out", "skipped", "missed")


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
