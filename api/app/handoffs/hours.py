"""Staff hours: when a person can answer, in Kazakhstan time.

STAFF_HOURS is read once at start-up (app.core.config validates it with `parse_hours`), so
a typo stops the API with a message naming the setting instead of telling her at 3 a.m.
that a person is there. The format is the one coordinators write on a door:

    mon-fri 09:00-18:00; sat 10:00-14:00
    mon,wed,fri 09:00-13:00,14:00-18:00

A day not named is closed. STAFF_HOLIDAYS lists dates (2026-12-16,2026-12-17) on which no
one is staffed whatever the week day.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$|^24:00$")
# Far enough to reach past any holiday list someone writes for a year, plus a week.
_LOOKAHEAD_DAYS = 400
_DAY_MINUTES = 24 * 60

Ranges = tuple[tuple[int, int], ...]  # (start, end) minutes after midnight, end exclusive


def _minutes(text: str, where: str) -> int:
    if not _TIME.match(text):
        raise ValueError(f"{where}: {text!r} is not a time like 09:00")
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def _days(text: str, where: str) -> list[int]:
    found: list[int] = []
    for item in text.split(","):
        first, _, last = item.strip().partition("-")
        if first not in DAYS or (last and last not in DAYS):
            raise ValueError(f"{where}: {item.strip()!r} is not a day or range of mon..sun")
        start, end = DAYS.index(first), DAYS.index(last or first)
        if end < start:
            raise ValueError(f"{where}: {item.strip()!r} runs backwards (write fri-sun)")
        found.extend(range(start, end + 1))
    return found


def parse_hours(text: str) -> dict[int, Ranges]:
    """{week day (0 = Monday): its staffed ranges}; ValueError saying what is wrong."""
    week: dict[int, Ranges] = {}
    for number, part in enumerate(p.strip() for p in text.lower().split(";")):
        if not part:
            continue
        where = f"part {number + 1} ({part!r})"
        pieces = part.split()
        if len(pieces) != 2:
            raise ValueError(f"{where}: write days then times, e.g. 'mon-fri 09:00-18:00'")
        ranges: list[tuple[int, int]] = []
        for span in pieces[1].split(","):
            start_text, sep, end_text = span.partition("-")
            if not sep:
                raise ValueError(f"{where}: {span!r} is not a range like 09:00-18:00")
            start, end = _minutes(start_text, where), _minutes(end_text, where)
            if end <= start:
                raise ValueError(f"{where}: {span!r} ends before it starts")
            ranges.append((start, end))
        ranges.sort()
        for (_, end), (start, _) in itertools.pairwise(ranges):
            if start < end:
                raise ValueError(f"{where}: its time ranges overlap")
        for day in _days(pieces[0], where):
            if day in week:
                raise ValueError(f"{where}: {DAYS[day]} is named twice")
            week[day] = tuple(ranges)
    return week


def parse_holidays(text: str) -> frozenset[dt.date]:
    days = set()
    for item in (i.strip() for i in text.split(",")):
        if not item:
            continue
        try:
            days.add(dt.date.fromisoformat(item))
        except ValueError:
            raise ValueError(f"{item!r} is not a date like 2026-12-16") from None
    return frozenset(days)


def parse_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{name!r} is not a time zone (e.g. Asia/Almaty)") from None


@dataclass(frozen=True)
class StaffHours:
    week: dict[int, Ranges]
    holidays: frozenset[dt.date]
    zone: ZoneInfo

    @classmethod
    def parse(cls, hours: str, holidays: str, zone: str) -> StaffHours:
        return cls(parse_hours(hours), parse_holidays(holidays), parse_zone(zone))

    def _ranges(self, day: dt.date) -> Ranges:
        return () if day in self.holidays else self.week.get(day.weekday(), ())

    def period_start(self, now: dt.datetime) -> dt.datetime | None:
        """Start of the staffed period `now` is in; None outside staff hours.

        A period that runs on past midnight (a hotline open every day 00:00-24:00, or
        "fri 20:00-24:00; sat 00:00-02:00") starts where it really started: otherwise, just
        after midnight, a woman who has waited for an hour would count as just arrived.
        """
        local = now.astimezone(self.zone)
        day = local.date()
        start = self._start_today(local)
        if start is None:
            return None
        # Bounded: a week staffed round the clock has no start; 400 days back will do.
        for _ in range(_LOOKAHEAD_DAYS):
            if start != 0:
                break
            before = day - dt.timedelta(days=1)
            open_at_midnight = [s for s, e in self._ranges(before) if e == _DAY_MINUTES]
            if not open_at_midnight:
                break
            day, start = before, open_at_midnight[0]
        midnight = dt.datetime.combine(day, dt.time(), tzinfo=self.zone)
        return midnight + dt.timedelta(minutes=start)

    def _start_today(self, local: dt.datetime) -> int | None:
        """Minute of the day the range holding `local` starts at; None when closed."""
        minute = local.hour * 60 + local.minute
        return next((s for s, e in self._ranges(local.date()) if s <= minute < e), None)

    def in_hours(self, now: dt.datetime) -> bool:
        # Without walking back over midnight: asked each time she asks for a person.
        return self._start_today(now.astimezone(self.zone)) is not None

    def next_open(self, now: dt.datetime) -> dt.datetime | None:
        """Start of the next staffed period after `now` (local time); None if there is none."""
        local = now.astimezone(self.zone)
        minute = local.hour * 60 + local.minute
        for offset in range(_LOOKAHEAD_DAYS):
            day = local.date() + dt.timedelta(days=offset)
            for start, _ in self._ranges(day):
                if offset == 0 and start <= minute:
                    continue
                midnight = dt.datetime.combine(day, dt.time(), tzinfo=self.zone)
                return midnight + dt.timedelta(minutes=start)
        return None
