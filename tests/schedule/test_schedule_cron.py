"""Cron expressions mean what cron means: Sunday is 0 (and 7), either day field may match, and the
same schedule comes out right for APScheduler, systemd and GitHub Actions (UTC)."""

from __future__ import annotations

import shutil
import subprocess
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.cron import CronTrigger

from profilesync.schedule.cron import next_runs, parse_cron

UTC = timezone.utc
SHANGHAI = ZoneInfo("Asia/Shanghai")
SATURDAY = datetime(2026, 11, 28, 0, 0, tzinfo=UTC)  # a Saturday


def fires(expression: str, zone: ZoneInfo = UTC, after: datetime = SATURDAY, count: int = 3) -> list[datetime]:
    return next_runs(parse_cron(expression), zone, after, count)


def test_day_1_is_monday_in_the_configured_zone():
    [first, second, _] = fires("0 6 * * 1", SHANGHAI)
    assert first == datetime(2026, 11, 30, 6, 0, tzinfo=SHANGHAI)
    assert first.strftime("%A") == "Monday"
    assert second - first == timedelta(days=7)


def test_apscheduler_from_crontab_reads_day_1_as_tuesday():
    # Why schedule/cron.py exists: APScheduler 3 counts weekdays from Monday = 0.
    trigger = CronTrigger.from_crontab("0 6 * * 1", timezone=SHANGHAI)
    assert trigger.get_next_fire_time(None, SATURDAY).strftime("%A") == "Tuesday"


@pytest.mark.parametrize("day", ["0", "7", "sun", "SUN"])
def test_sunday_has_every_spelling(day):
    assert [t.strftime("%A") for t in fires(f"30 8 * * {day}")] == ["Sunday"] * 3


def test_both_day_fields_restricted_fire_on_either():
    # the 1st of the month OR any Friday (cron's rule); APScheduler alone would require both
    assert [t.date().isoformat() for t in fires("0 6 1 * 5", count=4)] == ["2026-12-01", "2026-12-04", "2026-12-11", "2026-12-18"]


def test_a_star_step_day_field_does_not_trigger_the_either_rule():
    # "*/2" starts with "*": days 1,3,5,... AND Monday, as Vixie cron does it
    assert [t.date().isoformat() for t in fires("0 6 */2 * 1", count=2)] == ["2026-12-07", "2026-12-21"]


def test_ranges_lists_steps_names_and_macros():
    assert [t.strftime("%a %H:%M") for t in fires("*/30 9-10 * * mon-fri", count=5)] == ["Mon 09:00", "Mon 09:30", "Mon 10:00", "Mon 10:30", "Tue 09:00"]
    assert [t.strftime("%Y-%m-%d %H:%M") for t in fires("@monthly", count=2)] == ["2026-12-01 00:00", "2027-01-01 00:00"]
    assert fires("@weekly", count=1)[0] == datetime(2026, 11, 29, 0, 0, tzinfo=UTC)
    assert fires("0 0 1 jan,jul *", count=2)[1].month == 7


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("0 6 * *", "expected five fields"),
        ("61 6 * * *", "minute 61 is out of range 0-59"),
        ("0 6 * * 8", "day of week 8 is out of range 0-7"),
        ("0 6 5-1 * *", "runs backwards"),
        ("0 6 * * mon/0", "not a valid step"),
        ("@reboot", "not a supported macro"),
        ("0 6 * smarch *", '"smarch" is not a valid month'),
        ("0,,6 * * * *", "empty item"),
    ],
)
def test_bad_expressions_say_what_is_wrong(expression, message):
    with pytest.raises(ValueError, match=message):
        parse_cron(expression)


def test_systemd_calendar_lines():
    assert parse_cron("0 6 * * 1").on_calendar("Asia/Shanghai") == ["Mon *-*-* 06:00:00 Asia/Shanghai"]
    assert parse_cron("*/20 9 1,15 * *").on_calendar("UTC") == ["*-*-01,15 09:00,20,40:00 UTC"]
    # cron's either-day rule needs two OnCalendar= lines (a timer fires on any of them)
    assert parse_cron("0 6 1 * 5").on_calendar("") == ["*-*-01 06:00:00", "Fri *-*-* 06:00:00"]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed here")
@pytest.mark.parametrize("expression", ["0 6 * * 1", "*/20 9 1,15 * *", "0 6 1 * 5", "@monthly"])
def test_systemd_accepts_the_calendar_lines(expression):
    for value in parse_cron(expression).on_calendar("UTC"):
        assert subprocess.run(["systemd-analyze", "calendar", value], capture_output=True).returncode == 0, value


@pytest.mark.parametrize(
    ("expression", "offset_h", "expected"),
    [
        ("0 6 * * 1", 8, ["0 22 * * 0"]),  # Asia/Shanghai: Monday 06:00 is Sunday 22:00 UTC
        ("0 6 * * *", 5.5, ["30 0 * * *"]),  # Asia/Kolkata
        ("30 23 * * 5", -5, ["30 4 * * 6"]),  # New York in winter: Friday night is Saturday UTC
        ("0 0,12 * * 1", 8, ["0 16 * * 0", "0 4 * * 1"]),  # one hour moves to the day before
        ("15 6 * * *", 0, ["15 6 * * *"]),
    ],
)
def test_github_actions_lines_are_in_utc(expression, offset_h, expected):
    lines, problem = parse_cron(expression).in_utc(timedelta(hours=offset_h))
    assert lines == expected
    assert problem is None


def test_a_day_of_month_that_moves_across_midnight_is_flagged():
    lines, problem = parse_cron("0 2 1 * *").in_utc(timedelta(hours=8))
    assert lines == ["0 18 1 * *"]
    assert problem is not None
    assert "day of the month" in problem
