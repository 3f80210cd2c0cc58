"""Cron expressions as cron means them, for APScheduler, systemd timers and GitHub Actions.

Why not ``CronTrigger.from_crontab`` alone: APScheduler 3 numbers the days of the week from
Monday (0 = Monday), while cron numbers them from Sunday (0 and 7 = Sunday), so
``from_crontab("0 6 * * 1")`` fires on Tuesdays; and cron fires when *either* the day of the
month or the day of the week matches if both are restricted, while APScheduler requires both.
So each field is expanded here into the explicit set of values cron would use, and the trigger
(or the systemd ``OnCalendar=`` lines, or the UTC lines GitHub Actions needs) is built from those
sets. Each field is a comma list of ``*``, ``N``, ``A-B``, with an optional ``/STEP``; months and
days may be written as names (``jan``, ``mon``); the macros ``@hourly``, ``@daily`` (``@midnight``),
``@weekly``, ``@monthly`` and ``@yearly`` (``@annually``) are understood.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from profilesync.errors import Problem, UserError

if TYPE_CHECKING:
    from profilesync.config import Config

MACROS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# Cron's numbering: 0 = Sunday (7 is Sunday too).
CRON_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
SYSTEMD_DAYS = ("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat")


@dataclass(frozen=True)
class _Field:
    name: str
    low: int
    high: int
    names: tuple[str, ...] = ()
    names_start: int = 0


_FIELDS = (
    _Field("minute", 0, 59),
    _Field("hour", 0, 23),
    _Field("day of month", 1, 31),
    _Field("month", 1, 12, MONTHS, 1),
    _Field("day of week", 0, 7, CRON_DAYS, 0),
)


def _value(text: str, field: _Field) -> int:
    lowered = text.lower()
    if field.names and lowered in field.names:
        return field.names.index(lowered) + field.names_start
    if not text.isdigit():
        raise ValueError(f'"{text}" is not a valid {field.name}')
    number = int(text)
    if not field.low <= number <= field.high:
        raise ValueError(f"{field.name} {number} is out of range {field.low}-{field.high}")
    return number


def _expand(text: str, field: _Field) -> tuple[frozenset[int], bool]:
    """The values a cron field selects, and whether it is unrestricted (``*``)."""
    values: set[int] = set()
    for term in text.split(","):
        if not term:
            raise ValueError(f'empty item in the {field.name} field "{text}"')
        base, _, step_text = term.partition("/")
        step = 1
        if step_text:
            if not step_text.isdigit() or int(step_text) == 0:
                raise ValueError(f'"{step_text}" is not a valid step in the {field.name} field')
            step = int(step_text)
        if base == "*":
            low, high = field.low, field.high
        elif "-" in base:
            first, _, last = base.partition("-")
            low, high = _value(first, field), _value(last, field)
            if low > high:
                raise ValueError(f'the range "{base}" in the {field.name} field runs backwards')
        else:
            low = _value(base, field)
            high = field.high if step_text else low
        values.update(range(low, high + 1, step))
    if field.name == "day of week":
        values = {v % 7 for v in values}  # 7 is Sunday, like 0
    # As in Vixie cron, a field that starts with "*" (even "*/2") does not count as restricted
    # for the either-day rule; its values still apply.
    return frozenset(values), text.startswith("*")


@dataclass(frozen=True)
class CronSpec:
    """A parsed five-field cron expression: the explicit values of each field."""

    expression: str
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # cron numbering, 0 = Sunday
    days_restricted: bool
    weekdays_restricted: bool

    @property
    def either_day(self) -> bool:
        """Cron's rule: with both day fields restricted, a day matching either one fires."""
        return self.days_restricted and self.weekdays_restricted

    def trigger(self, timezone: ZoneInfo):
        """The APScheduler trigger that fires exactly when cron would, in ``timezone``."""
        from apscheduler.triggers.combining import OrTrigger
        from apscheduler.triggers.cron import CronTrigger

        common = {"minute": _list(self.minutes), "hour": _list(self.hours), "month": _list(self.months), "timezone": timezone}
        weekdays = ",".join(CRON_DAYS[d] for d in sorted(self.weekdays))
        if self.either_day:
            return OrTrigger([CronTrigger(day=_list(self.days), **common), CronTrigger(day_of_week=weekdays, **common)])
        return CronTrigger(day=_list(self.days), day_of_week=weekdays, **common)

    def next_fire(self, timezone: ZoneInfo, after: datetime) -> datetime | None:
        return self.trigger(timezone).get_next_fire_time(None, after)

    def on_calendar(self, timezone: str) -> list[str]:
        """systemd ``OnCalendar=`` values (more than one when cron's either-day rule applies)."""
        time_part = f"{_systemd_list(self.hours)}:{_systemd_list(self.minutes)}:00"
        month = "*" if len(self.months) == 12 else _systemd_list(self.months)
        days = "*" if len(self.days) == 31 else _systemd_list(self.days)
        weekdays = ",".join(SYSTEMD_DAYS[d] for d in sorted(self.weekdays))
        zone = f" {timezone}" if timezone else ""
        if self.either_day:
            return [f"*-{month}-{days} {time_part}{zone}", f"{weekdays} *-{month}-* {time_part}{zone}"]
        prefix = f"{weekdays} " if len(self.weekdays) < 7 else ""
        return [f"{prefix}*-{month}-{days} {time_part}{zone}"]

    def in_utc(self, offset: timedelta) -> tuple[list[str], str | None]:
        """Cron lines in UTC for a zone ``offset`` ahead of UTC (GitHub Actions runs cron in UTC).

        Returns the lines and, when the conversion is not exact, why (the caller says so).
        """
        shift = int(offset.total_seconds() // 60)
        if shift == 0:
            return [self._line(self.minutes, self.hours, 0)], None
        groups: dict[tuple[int, frozenset[int]], set[int]] = {}
        by_delta: dict[int, dict[int, set[int]]] = {}
        for hour in self.hours:
            for minute in self.minutes:
                total = hour * 60 + minute - shift
                delta, rest = divmod(total, 24 * 60)
                by_delta.setdefault(delta, {}).setdefault(rest // 60, set()).add(rest % 60)
        for delta, hours in by_delta.items():
            for hour, minutes in hours.items():
                groups.setdefault((delta, frozenset(minutes)), set()).add(hour)
        problem = None
        if len(self.days) < 31 and any(delta for delta, _ in groups):
            problem = "the day of the month moves with the time zone and could not be shifted; check the days"
        lines = [self._line(minutes, frozenset(hours), delta) for (delta, minutes), hours in sorted(groups.items(), key=lambda g: (g[0][0], min(g[1])))]
        return lines, problem

    def _line(self, minutes: frozenset[int], hours: frozenset[int], day_shift: int) -> str:
        days = "*" if len(self.days) == 31 else _list(self.days)
        months = "*" if len(self.months) == 12 else _list(self.months)
        weekdays = "*"
        if len(self.weekdays) < 7:
            weekdays = _list(frozenset((d + day_shift) % 7 for d in self.weekdays))
        return f"{_list(minutes)} {_list(hours)} {days} {months} {weekdays}"


def _list(values: frozenset[int]) -> str:
    return ",".join(str(v) for v in sorted(values))


def _systemd_list(values: frozenset[int]) -> str:
    return ",".join(f"{v:02d}" for v in sorted(values))


def parse_cron(expression: str) -> CronSpec:
    """Parse a five-field cron expression (or a macro). Raises ``ValueError`` saying what is wrong."""
    text = " ".join(expression.split())
    text = MACROS.get(text.lower(), text)
    if text.startswith("@"):
        raise ValueError(f'"{expression}" is not a supported macro (use one of {", ".join(sorted(MACROS))})')
    parts = text.split(" ")
    if len(parts) != 5:
        raise ValueError(f"expected five fields (minute hour day-of-month month day-of-week), got {len(parts)}")
    expanded = [_expand(part, field) for part, field in zip(parts, _FIELDS, strict=True)]
    (minutes, _), (hours, _), (days, days_star), (months, _), (weekdays, weekdays_star) = expanded
    return CronSpec(
        expression=text,
        minutes=minutes,
        hours=hours,
        days=days,
        months=months,
        weekdays=weekdays,
        days_restricted=not days_star,
        weekdays_restricted=not weekdays_star,
    )


# --- settings -----------------------------------------------------------------------------------


def schedule_timezone(config: Config) -> ZoneInfo:
    """``schedule.timezone`` as a zone. Raises ``UserError`` naming the key when it is unknown."""
    name = config.schedule.timezone
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise UserError(
            [Problem(config.path.name, "schedule.timezone", f'"{name}" is not a known time zone', 'use an IANA zone name such as "Europe/Berlin", "Asia/Shanghai" or "UTC"')]
        ) from None


def cron_spec(config: Config) -> CronSpec:
    """``schedule.cron`` parsed. Raises ``UserError`` naming the key when missing or invalid."""
    expression = config.schedule.cron
    if not expression:
        raise UserError([Problem(config.path.name, "schedule.cron", "no schedule is set", 'add schedule: {cron: "0 6 * * 1"} (minute hour day-of-month month day-of-week)')])
    try:
        return parse_cron(expression)
    except ValueError as exc:
        raise UserError(
            [Problem(config.path.name, "schedule.cron", f'"{expression}" is not a cron expression: {exc}', 'use five fields, e.g. "0 6 * * 1" for Mondays at 06:00')]
        ) from None


# --- the long-running scheduler -----------------------------------------------------------------


JOB_ID = "profilesync"


def build_scheduler(spec: CronSpec, zone: ZoneInfo, func: Callable[[], object], scheduler_cls: type | None = None):  # noqa: ANN201 - an APScheduler scheduler
    """An APScheduler scheduler that calls ``func`` when ``spec`` fires in ``zone``.

    One run at a time (``max_instances=1``); runs missed while the machine slept are run once
    (``coalesce``) if less than an hour late.
    """
    if scheduler_cls is None:
        from apscheduler.schedulers.blocking import BlockingScheduler

        scheduler_cls = BlockingScheduler
    scheduler = scheduler_cls(timezone=zone)
    scheduler.add_job(func, spec.trigger(zone), id=JOB_ID, name="profilesync scheduled diff", max_instances=1, coalesce=True, misfire_grace_time=3600)
    return scheduler


def next_runs(spec: CronSpec, zone: ZoneInfo, after: datetime, count: int = 3) -> list[datetime]:
    trigger = spec.trigger(zone)
    out: list[datetime] = []
    previous = None
    moment = after.astimezone(zone)
    for _ in range(count):
        fire = trigger.get_next_fire_time(previous, moment)
        if fire is None:
            break
        out.append(fire)
        previous = fire
        moment = fire + timedelta(seconds=1)
    return out
