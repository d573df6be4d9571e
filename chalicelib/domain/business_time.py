"""Business-time arithmetic: how much counted time lies between two moments, and when an amount of
it has passed, on a calendar (time zone, working days and hours, holidays) or on the wall clock,
less pauses. Pure; moments are aware UTC datetimes.

A moment counts when its local wall time, in the calendar's zone, falls within the working hours
of a working day that is no holiday. Offsets change at DST transitions; within a stretch of one
offset the local clock is the UTC clock shifted, so each stretch is mapped on its own and the
counted time is exact to the second across gaps and repeated hours.
"""
import math
from dataclasses import dataclass
from functools import lru_cache
from datetime import date, datetime, timedelta, timezone
from typing import Iterable, Iterator
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# A calendar that opens for no working moment within this long after a start never reaches a
# target: the target then has no due time.
HORIZON = timedelta(days=3 * 366)
# Offsets are sampled this far apart: no zone changes its offset twice within it (tzdata's
# closest changes are months apart), so equal samples mean no change between them.
_PROBE = timedelta(hours=12)
_DAY = timedelta(days=1)

Interval = tuple[datetime, datetime]
Pause = tuple[datetime, datetime | None]   # end None: still paused


@dataclass(frozen=True)
class Calendar:
    time_zone: str
    working_days: frozenset[int]        # 0 = Monday
    start_minute: int                   # local minutes after midnight, inclusive
    end_minute: int                     # exclusive; 1440 is midnight at the end of the day. At or
                                        # before start_minute: the day's hours end the next day
    holidays: frozenset[date] = frozenset()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() in self.working_days and day not in self.holidays


def _offset(zone: ZoneInfo, moment: datetime) -> timedelta:
    return moment.astimezone(zone).utcoffset()


def offset_stretches(zone: ZoneInfo, start: datetime, end: datetime) -> Iterator[tuple[datetime, datetime, timedelta]]:
    """[start, end) cut where the zone's UTC offset changes: (from, to, offset). Offsets are sampled
    every _PROBE and a change is pinned to its second (zones change offset on whole seconds)."""
    current, offset = start, _offset(zone, start)
    probe = start
    while probe < end:
        nxt = min(probe + _PROBE, end)
        if _offset(zone, nxt) == offset:
            probe = nxt
            continue
        low, high = math.floor(probe.timestamp()), math.ceil(nxt.timestamp())
        while high - low > 1:
            middle = (low + high) // 2
            if _offset(zone, _at(middle)) == offset:
                low = middle
            else:
                high = middle
        change = _at(high)
        if change >= end:
            break
        yield current, change, offset
        current, offset, probe = change, _offset(zone, change), change
    if current < end:
        yield current, end, offset


def _at(epoch_seconds: int) -> datetime:
    return datetime.fromtimestamp(epoch_seconds, timezone.utc)


def working_intervals(calendar: Calendar, start: datetime, until: datetime | None = None) -> Iterator[Interval]:
    """The calendar's working time from `start` (to `until`, or the horizon), in order."""
    end = until if until is not None else start + HORIZON
    # Any working moment of a local day lies within _MAX_OFFSET of its wall-clock span, which may
    # run into the next day: two days before `start`'s UTC date is the earliest that can reach it.
    day = start.date() - 2 * _DAY
    while datetime.combine(day, datetime.min.time(), timezone.utc) - _MAX_OFFSET < end:
        week = [interval for offset in range(7) for interval in day_intervals(calendar, day + timedelta(days=offset))]
        for begin, finish in sorted(week):
            begin, finish = max(begin, start), min(finish, end)
            if begin < finish:
                yield begin, finish
        day += timedelta(days=7)


_MAX_OFFSET = timedelta(hours=26)   # beyond any zone's UTC offset (at most 14 h), with room


@lru_cache(maxsize=65536)
def day_intervals(calendar: Calendar, day: date) -> tuple[Interval, ...]:
    """The UTC intervals in which the local wall time is within the working hours of `day` (none
    on a day off). Each stretch of one UTC offset maps the day's window shifted by that offset.
    Kept per calendar and day: every ticket of a project counts over the same days."""
    if not calendar.is_working_day(day):
        return ()
    midnight = datetime.combine(day, datetime.min.time())
    open_at = midnight + timedelta(minutes=calendar.start_minute)
    close_at = midnight + timedelta(minutes=calendar.end_minute)
    if close_at <= open_at:
        # A night shift: the working day's hours run past midnight, to the end time the next day.
        close_at += _DAY
    low = (open_at - _MAX_OFFSET).replace(tzinfo=timezone.utc)
    high = (close_at + _MAX_OFFSET).replace(tzinfo=timezone.utc)
    found = []
    for stretch_start, stretch_end, offset in offset_stretches(calendar.zone, low, high):
        begin = max(stretch_start, (open_at - offset).replace(tzinfo=timezone.utc))
        finish = min(stretch_end, (close_at - offset).replace(tzinfo=timezone.utc))
        if begin < finish:
            found.append((begin, finish))
    return tuple(found)


def _time_intervals(calendar: Calendar | None, start: datetime, until: datetime | None) -> Iterator[Interval]:
    if calendar is not None:
        yield from working_intervals(calendar, start, until)
    else:
        yield start, until if until is not None else start + HORIZON


def _merged(pauses: Iterable[Pause]) -> list[tuple[datetime, datetime | None]]:
    found: list[tuple[datetime, datetime | None]] = []
    for begin, end in sorted(pauses, key=lambda pause: pause[0]):
        if end is not None and end <= begin:
            continue
        if found and (found[-1][1] is None or begin <= found[-1][1]):
            last_begin, last_end = found[-1]
            found[-1] = (last_begin, None if end is None or last_end is None else max(last_end, end))
        else:
            found.append((begin, end))
    return found


def counted_intervals(calendar: Calendar | None, start: datetime, pauses: Iterable[Pause] = (),
                      until: datetime | None = None) -> Iterator[Interval]:
    """Counted time from `start`: working (or wall) time less the pauses. Stops at a pause that
    has not ended, since nothing after it counts yet."""
    paused = _merged(pauses)
    for begin, end in _time_intervals(calendar, start, until):
        for pause_begin, pause_end in paused:
            if pause_end is not None and pause_end <= begin:
                continue
            if pause_begin >= end:
                break
            if pause_begin > begin:
                yield begin, pause_begin
            if pause_end is None:
                return
            begin = max(begin, pause_end)
            if begin >= end:
                break
        if begin < end:
            yield begin, end


def elapsed(calendar: Calendar | None, start: datetime, end: datetime, pauses: Iterable[Pause] = ()) -> timedelta:
    """Counted time in [start, end)."""
    if end <= start:
        return timedelta(0)
    return sum((b - a for a, b in counted_intervals(calendar, start, pauses, until=end)), timedelta(0))


def moment_after(calendar: Calendar | None, start: datetime, amount: timedelta,
                 pauses: Iterable[Pause] = ()) -> datetime | None:
    """The first moment by which `amount` of counted time has passed since `start`; None when a
    pause that has not ended (or a calendar closed past the horizon) comes first."""
    left = amount
    if left <= timedelta(0):
        return start
    for begin, end in counted_intervals(calendar, start, pauses):
        if end - begin >= left:
            return begin + left
        left -= end - begin
    return None
