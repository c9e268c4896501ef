"""Cron triggers fire at the outlet's local times, in zones with and without DST."""

from __future__ import annotations

from datetime import UTC, datetime

from crawler.outlets import OutletConfig
from crawler.scheduler import make_trigger


def outlet(schedule: str, timezone: str) -> OutletConfig:
    return OutletConfig.model_validate({
        "id": "tz_outlet", "name": "TZ", "homepage": "http://127.0.0.1/", "languages": ["fa"],
        "schedule": schedule, "timezone": timezone,
        "discovery": {"feeds": ["http://127.0.0.1/feed.xml"]}})


def fire_times(schedule: str, timezone: str, start: datetime, count: int) -> list[datetime]:
    trigger = make_trigger(outlet(schedule, timezone))
    times: list[datetime] = []
    previous, now = None, start
    for _ in range(count):
        nxt = trigger.get_next_fire_time(previous, now)
        assert nxt is not None
        times.append(nxt.astimezone(UTC))
        previous = now = nxt
    return times


def test_tehran_0530_is_0200_utc_all_year() -> None:
    for month in (3, 9):  # Iran keeps UTC+03:30 all year since 2022
        times = fire_times("30 5 * * *", "Asia/Tehran", datetime(2026, month, 20, tzinfo=UTC), 3)
        assert [t.hour for t in times] == [2, 2, 2] and {t.minute for t in times} == {0}
        assert [t.day for t in times] == [20, 21, 22]


def test_every_six_hours_follows_local_time_when_clocks_go_back() -> None:
    times = fire_times("0 */6 * * *", "America/New_York", datetime(2026, 10, 31, 21, tzinfo=UTC), 5)
    assert times == [datetime(2026, 10, 31, 22, tzinfo=UTC),   # 18:00 EDT
                     datetime(2026, 11, 1, 4, tzinfo=UTC),     # 00:00 EDT
                     datetime(2026, 11, 1, 11, tzinfo=UTC),    # 06:00 EST: 7 hours later
                     datetime(2026, 11, 1, 17, tzinfo=UTC),    # 12:00 EST
                     datetime(2026, 11, 1, 23, tzinfo=UTC)]    # 18:00 EST


def test_a_time_in_the_repeated_hour_runs_once() -> None:
    times = fire_times("30 1 * * *", "America/New_York", datetime(2026, 10, 31, 12, tzinfo=UTC), 3)
    assert times == [datetime(2026, 11, 1, 5, 30, tzinfo=UTC),  # 01:30 EDT, not again at EST
                     datetime(2026, 11, 2, 6, 30, tzinfo=UTC),
                     datetime(2026, 11, 3, 6, 30, tzinfo=UTC)]


def test_a_time_in_the_skipped_hour_runs_once_an_hour_late() -> None:
    times = fire_times("30 2 * * *", "America/New_York", datetime(2026, 3, 7, 12, tzinfo=UTC), 3)
    assert times == [datetime(2026, 3, 8, 7, 30, tzinfo=UTC),   # 02:30 does not exist: 03:30 EDT
                     datetime(2026, 3, 9, 6, 30, tzinfo=UTC),
                     datetime(2026, 3, 10, 6, 30, tzinfo=UTC)]


def test_numeric_weekday_is_cron_sunday_based() -> None:
    # cron's 1 is Monday; APScheduler's own numbering would make it Tuesday.
    times = fire_times("0 6 * * 1", "Europe/London", datetime(2026, 3, 25, tzinfo=UTC), 3)
    assert [t.weekday() for t in times] == [0, 0, 0]
    assert times[0] == datetime(2026, 3, 30, 5, tzinfo=UTC)  # BST began on 29 March


def test_jitter_delays_within_its_bound() -> None:
    trigger = make_trigger(outlet("0 * * * *", "UTC"), jitter=30)
    now = datetime(2026, 1, 1, 0, 30, tzinfo=UTC)
    for _ in range(20):
        nxt = trigger.get_next_fire_time(None, now)
        assert datetime(2026, 1, 1, 1, tzinfo=UTC) <= nxt <= datetime(2026, 1, 1, 1, 0, 30,
                                                                          tzinfo=UTC)
