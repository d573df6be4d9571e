"""Business-time arithmetic against a minute-by-minute oracle: every minute is judged on its own by
its local wall time, across weekends, holidays, DST changes and pauses."""
from datetime import date, datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.business_time import Calendar, elapsed, moment_after

MINUTE = timedelta(minutes=1)
# Zones with DST changes in both directions, one without, one whose change is 30 minutes, one that
# changes at midnight (back into the day before) and one 14 hours ahead of UTC.
ZONES = ("Europe/Paris", "America/New_York", "Australia/Sydney", "Asia/Tokyo", "Australia/Lord_Howe", "UTC",
         "America/Santiago", "Pacific/Kiritimati")
# Around the 2026 DST changes of Europe and North America (March and October/November) and of the
# southern hemisphere (April, October).
BASE = datetime(2026, 3, 5, tzinfo=timezone.utc)


def counts(calendar: Calendar | None, moment: datetime, pauses) -> bool:
    if any(begin <= moment and (end is None or moment < end) for begin, end in pauses):
        return False
    if calendar is None:
        return True
    local = moment.astimezone(calendar.zone)
    minute = local.hour * 60 + local.minute
    day, start, end = local.date(), calendar.start_minute, calendar.end_minute
    if start < end:
        return calendar.is_working_day(day) and start <= minute < end
    # A night shift: from start on a working day to end on the day after it.
    return (calendar.is_working_day(day) and minute >= start) or (
        calendar.is_working_day(day - timedelta(days=1)) and minute < end)


def oracle_elapsed(calendar, start, end, pauses) -> timedelta:
    total, moment = timedelta(0), start
    while moment < end:
        total += MINUTE if counts(calendar, moment, pauses) else timedelta(0)
        moment += MINUTE
    return total


def oracle_moment(calendar, start, amount, pauses, limit) -> datetime | None:
    total, moment = timedelta(0), start
    while moment < limit:
        if counts(calendar, moment, pauses):
            total += MINUTE
            if total >= amount:
                return moment + MINUTE
        moment += MINUTE
    return None


@st.composite
def calendars(draw):
    start = draw(st.integers(0, 23 * 60 - 1))
    # An end at or before the start is a night shift, ending the next day.
    end = draw(st.integers(start + 1, 24 * 60) | st.integers(1, start + 1))
    days = draw(st.frozensets(st.integers(0, 6), min_size=1))
    offsets = draw(st.lists(st.integers(0, 300), max_size=8))
    return Calendar(time_zone=draw(st.sampled_from(ZONES)), working_days=days, start_minute=start, end_minute=end,
                    holidays=frozenset((BASE + timedelta(days=o)).date() for o in offsets))


@st.composite
def moments(draw, days=260):
    # In whole minutes, spanning the year's DST changes.
    return BASE + timedelta(minutes=draw(st.integers(0, days * 24 * 60)))


@st.composite
def pause_lists(draw, start):
    pauses = []
    for _ in range(draw(st.integers(0, 3))):
        begin = start + timedelta(minutes=draw(st.integers(0, 8 * 24 * 60)))
        length = draw(st.one_of(st.none(), st.integers(1, 3 * 24 * 60)))
        pauses.append((begin, None if length is None else begin + timedelta(minutes=length)))
    return pauses


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_elapsed_matches_the_minute_oracle(data):
    calendar = data.draw(st.one_of(st.none(), calendars()))
    start = data.draw(moments())
    end = start + timedelta(minutes=data.draw(st.integers(0, 6 * 24 * 60)))
    pauses = data.draw(pause_lists(start))
    assert elapsed(calendar, start, end, pauses) == oracle_elapsed(calendar, start, end, pauses)


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_moment_after_matches_the_minute_oracle(data):
    calendar = data.draw(st.one_of(st.none(), calendars()))
    start = data.draw(moments())
    amount = timedelta(minutes=data.draw(st.integers(1, 2 * 24 * 60)))
    pauses = data.draw(pause_lists(start))
    limit = start + timedelta(days=12)
    found = moment_after(calendar, start, amount, pauses)
    expected = oracle_moment(calendar, start, amount, pauses, limit)
    if expected is None:
        # Not reached within the oracle's window: either later, or blocked by a pause.
        assert found is None or found > limit
    else:
        assert found == expected
        assert elapsed(calendar, start, found, pauses) == amount


def paris_weekdays(**extra) -> Calendar:
    return Calendar("Europe/Paris", frozenset(range(5)), 9 * 60, 17 * 60, **extra)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(timezone.utc)


def test_a_friday_afternoon_target_lands_on_monday():
    # Friday 16:00 Paris + 2 business hours: one on Friday, one on Monday from 09:00.
    assert moment_after(paris_weekdays(), at("2026-01-09T16:00+01:00"), timedelta(hours=2)) == at(
        "2026-01-12T10:00+01:00")


def test_holidays_are_skipped():
    calendar = paris_weekdays(holidays=frozenset({date(2026, 12, 25)}))
    assert moment_after(calendar, at("2026-12-24T16:30+01:00"), timedelta(hours=1)) == at("2026-12-28T09:30+01:00")


def test_the_short_day_of_a_dst_change_counts_its_real_hours():
    # 29 March 2026 in Paris has 23 hours; wall time from 00:00 to 12:00 local is 11 real hours.
    calendar = Calendar("Europe/Paris", frozenset(range(7)), 0, 12 * 60)
    assert elapsed(calendar, at("2026-03-29T00:00+01:00"), at("2026-03-29T12:00+02:00")) == timedelta(hours=11)


def test_an_open_pause_leaves_no_due_time():
    start = at("2026-01-05T09:00+00:00")
    assert moment_after(None, start, timedelta(hours=2), [(start + timedelta(hours=1), None)]) is None
