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
from datetime import date, datetime, timedelta, timezone
from typing import Iterable, Iterator
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# A calendar that opens for no working moment within this long after a start never reaches a
# target: the target then has no due time.
HORIZON = timedelta(days=3 * 366)
_HOUR = timedelta(hours=1)
_DAY = timedelta(days=1)

Interval = tuple[datetime, datetime]
Pause = tuple[datetime, datetime | None]   # end None: still paused


@dataclass(frozen=True)
class Calendar:
    time_zone: str
    working_days: frozenset[int]        # 0 = Monday
    start_minute: int                   # local minutes after midnight, inclusive
    end_minute: int                     # exclusive; 1440 is midnight at the end of the day
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
    hourly and a change is pinned to its second (zones change offset on whole seconds)."""
    current, offset = start, _offset(zone, start)
    probe = start
    while probe < end:
        nxt = min(probe + _HOUR, end)
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
    zone = calendar.zone
    end = until if until is not None else start + HORIZON
    chunk_start = start
    while chunk_start < end:
        chunk_end = min(chunk_start + _DAY, end)
        for stretch_start, stretch_end, offset in offset_stretches(zone, chunk_start, chunk_end):
            local_start = (stretch_start + offset).replace(tzinfo=None)
            local_end = (stretch_end + offset).replace(tzinfo=None)
            day = local_start.date()
            while datetime.combine(day, datetime.min.time()) < local_end:
                if calendar.is_working_day(day):
                    midnight = datetime.combine(day, datetime.min.time())
                    open_at = max(midnight + timedelta(minutes=calendar.start_minute), local_start)
                    close_at = min(midnight + timedelta(minutes=calendar.end_minute), local_end)
                    if open_at < close_at:
                        yield ((open_at - offset).replace(tzinfo=timezone.utc),
                               (close_at - offset).replace(tzinfo=timezone.utc))
                day += _DAY
        chunk_start = chunk_end


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
