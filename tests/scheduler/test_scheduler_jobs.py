"""Jobs on a fake clock: misfires within and outside the grace time, restarts, reloads,
pausing, and the one-run-per-outlet rule. No crawl process is started here."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from crawler.catalog import Run
from crawler.context import AkhbarContext
from crawler.errors import ServiceAlreadyRunning
from crawler.scheduler.service import SchedulerService
from tests.scheduler.helpers import fake_clock, manual_scheduler, outlet_yaml, runs_of

BASE = "http://127.0.0.1:9"


def write_outlet(ctx: AkhbarContext, oid: str, **kw: Any) -> Path:
    path = ctx.config_dir / "outlets" / f"{oid}.yaml"
    path.write_text(outlet_yaml(oid, BASE, **kw), encoding="utf-8")
    return path


def service(ctx: AkhbarContext) -> SchedulerService:
    svc = SchedulerService(ctx, scheduler=manual_scheduler(ctx))
    svc.start(dispatch=False)
    return svc


def finish_all(ctx: AkhbarContext) -> None:
    with ctx.catalog.session() as session:
        for run in session.query(Run).filter(Run.status == "queued"):
            run.status = "succeeded"


def statuses(ctx: AkhbarContext, oid: str) -> list[str]:
    return [r.status for r in runs_of(ctx, oid)]


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 1, 1, hour, minute, tzinfo=UTC)


def test_misfire_within_grace_runs_once_outside_is_recorded_missed(
        ctx: AkhbarContext, monkeypatch: pytest.MonkeyPatch) -> None:
    write_outlet(ctx, "hourly", schedule="0 * * * *")
    with fake_clock(monkeypatch, at(9, 30)) as clock:
        svc = service(ctx)
        job = svc.scheduler.get_job("crawl:hourly")
        assert job.next_run_time == at(10) and job.coalesce and job.max_instances == 1
        assert job.misfire_grace_time == 600

        clock.at = at(10, 5)  # 5 minutes late: within the 10 minute grace
        svc.scheduler.run_due()
        assert statuses(ctx, "hourly") == ["queued"]
        assert svc.scheduler.get_job("crawl:hourly").next_run_time == at(11)
        finish_all(ctx)

        clock.at = at(11, 20)  # 20 minutes late: missed, and recorded
        svc.scheduler.run_due()
        missed = runs_of(ctx, "hourly")[-1]
        assert missed.status == "missed" and missed.scheduled_for is not None
        assert missed.scheduled_for.replace(tzinfo=UTC) == at(11)
        assert "misfire grace time" in (missed.reason or "")

        clock.at = at(14, 5)  # 12:00, 13:00 and 14:00 are due: coalesced into one run
        svc.scheduler.run_due()
        assert statuses(ctx, "hourly") == ["succeeded", "missed", "queued"]
        svc.stop()


def test_a_restart_keeps_the_due_time_and_neither_loses_nor_doubles(
        ctx: AkhbarContext, monkeypatch: pytest.MonkeyPatch) -> None:
    write_outlet(ctx, "hourly", schedule="0 * * * *")
    write_outlet(ctx, "late", schedule="0 * * * *")
    with fake_clock(monkeypatch, at(9, 30)) as clock:
        service(ctx).stop()  # the jobs are now in the catalog; the service goes down

        clock.at = at(10, 4)  # restarted 4 minutes after 10:00: both run, once each
        svc = service(ctx)
        svc.scheduler.run_due()
        svc.scheduler.run_due()
        assert statuses(ctx, "hourly") == ["queued"] and statuses(ctx, "late") == ["queued"]
        finish_all(ctx)
        svc.stop()

        clock.at = at(13, 30)  # down from 10:04 to 13:30: 11, 12 and 13 o'clock missed
        svc = service(ctx)
        assert svc.scheduler.get_job("crawl:hourly").next_run_time == at(11)  # kept
        svc.scheduler.run_due()
        assert statuses(ctx, "hourly") == ["succeeded", "missed"]  # one record, not three
        assert svc.scheduler.get_job("crawl:hourly").next_run_time == at(14)
        svc.stop()


def test_a_second_trigger_while_a_run_is_queued_or_running_is_skipped(
        ctx: AkhbarContext, monkeypatch: pytest.MonkeyPatch) -> None:
    write_outlet(ctx, "busy", schedule="*/5 * * * *")
    with fake_clock(monkeypatch, at(9, 58)) as clock:
        svc = service(ctx)
        clock.at = at(10, 0)
        svc.scheduler.run_due()
        first = runs_of(ctx, "busy")[0]
        with ctx.catalog.session() as session:
            row = session.get(Run, first.id)
            assert row is not None
            row.status = "running"
        clock.at = at(10, 5)
        svc.scheduler.run_due()
        manual = svc.run_now("busy")
        assert statuses(ctx, "busy") == ["running", "skipped", "skipped"]
        assert manual.status == "skipped" and first.id in (manual.reason or "")
        svc.stop()


def test_reload_keeps_the_old_schedule_of_a_broken_file_and_reports_it(
        ctx: AkhbarContext) -> None:
    write_outlet(ctx, "steady", schedule="0 5 * * *", timezone="Asia/Tehran")
    write_outlet(ctx, "changing", schedule="0 1 * * *")
    gone = write_outlet(ctx, "leaving", schedule="0 2 * * *")
    svc = service(ctx)
    before = svc.scheduler.get_job("crawl:steady").next_run_time
    svc.pause("changing")

    (ctx.config_dir / "outlets" / "steady.yaml").write_text(
        outlet_yaml("steady", BASE, schedule="0 7 * * *", extra="politeness: {delay: -1}\n"),
        encoding="utf-8")
    write_outlet(ctx, "changing", schedule="30 3 * * *", timezone="Europe/London")
    write_outlet(ctx, "arriving", schedule="0 4 * * *")
    gone.unlink()
    report = svc.reload()

    assert report.kept == ["crawl:steady"] and report.updated == ["crawl:changing"]
    assert report.added == ["crawl:arriving"] and report.removed == ["crawl:leaving"]
    assert report.errors and "steady.yaml" in report.errors[0].render()
    steady = svc.scheduler.get_job("crawl:steady")
    assert "0 5 * * *" in steady.name and steady.next_run_time == before
    entries = {e.outlet: e for e in svc.schedules()}
    assert set(entries) == {"steady", "changing", "arriving"}
    assert entries["changing"].paused and entries["changing"].cron == "30 3 * * *"
    assert entries["changing"].timezone == "Europe/London"
    assert "steady" in svc.outlets  # the dispatcher keeps the last valid config too
    svc.resume("changing")
    assert svc.scheduler.get_job("crawl:changing").next_run_time is not None
    svc.stop()


def test_pause_survives_a_restart_and_disabled_outlets_have_no_job(ctx: AkhbarContext) -> None:
    write_outlet(ctx, "quiet", schedule="0 1 * * *")
    write_outlet(ctx, "off", schedule="0 1 * * *", extra="enabled: false\n")
    svc = service(ctx)
    svc.pause("quiet")
    svc.stop()
    svc = service(ctx)
    (entry,) = svc.schedules()
    assert entry.outlet == "quiet" and entry.paused and entry.next_run_time is None
    svc.stop()


def test_two_services_on_one_data_directory_are_refused(ctx: AkhbarContext) -> None:
    svc = service(ctx)
    with pytest.raises(ServiceAlreadyRunning):
        SchedulerService(ctx, scheduler=manual_scheduler(ctx)).start(dispatch=False)
    svc.stop()
