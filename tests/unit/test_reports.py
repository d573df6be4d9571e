"""Report aggregates against a brute-force computation over ticket histories: the daily deltas of
every write, merged in any order and summarised per day or week, give what counting the
histories directly gives."""
import random
from collections import Counter
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

from hypothesis import example, given, settings
from hypothesis import strategies as st

from chalicelib.domain import reports, sla
from chalicelib.domain.clock import iso
from chalicelib.domain.tickets import SEVERITIES, STATUSES

START = datetime(2026, 3, 2, tzinfo=timezone.utc)   # a Monday
TODAY = date(2026, 3, 20)


@st.composite
def histories(draw):
    """Each ticket: the Facts every write of it left, with the clock the app would keep."""
    tickets = []
    for number in range(draw(st.integers(1, 6))):
        moment = START + timedelta(minutes=draw(st.integers(0, 12 * 1440)))
        severity = draw(st.sampled_from(SEVERITIES))
        created = iso(moment)
        clock = sla.Clock(policy_version=None)
        facts = reports.Facts("p", severity, "new", created, created)
        writes = [facts]
        for _ in range(draw(st.integers(0, 6))):
            moment += timedelta(minutes=draw(st.integers(1, 3 * 1440)))
            now = iso(moment)
            if draw(st.integers(0, 9)) == 0:
                writes.append(replace(writes[-1], deleted_at=now, updated_at=now))
                break
            status = draw(st.sampled_from(STATUSES))
            severity = draw(st.sampled_from(SEVERITIES))
            clock = sla.advance(clock, writes[-1].status, status, now)
            outcomes = tuple(sorted({**dict(writes[-1].outcomes),
                                     **{t: draw(st.sampled_from(("met", "breached")))
                                        for t, at in (("acknowledge", clock.acknowledged_at),
                                                      ("resolve", clock.resolved_at))
                                        if at == now and t not in dict(writes[-1].outcomes)}}.items()))
            writes.append(replace(writes[-1], status=status, severity=severity, updated_at=now,
                                  acknowledged_at=clock.acknowledged_at, resolved_at=clock.resolved_at,
                                  outcomes=outcomes))
        tickets.append(writes)
    return tickets


def aggregate(tickets, shuffle_seed: int) -> dict:
    changes = []
    for writes in tickets:
        changes.append(reports.deltas(None, writes[0]))
        changes += [reports.deltas(before, after) for before, after in zip(writes, writes[1:])]
    random.Random(shuffle_seed).shuffle(changes)   # the stream's order across tickets is not kept
    return {(day, severity): counter for (_, day, severity), counter in reports.merge(changes).items()}


def brute_force(tickets, first: date, last: date, size: str) -> list[dict]:
    found = []
    for start, end in reports.buckets(first, last, size):
        within = lambda moment: moment is not None and start.isoformat() <= moment[:10] <= end.isoformat()  # noqa
        per_severity = {}
        for severity in SEVERITIES:
            figures = Counter()
            ack, res = [], []
            for writes in tickets:
                if writes[0].severity == severity and within(writes[0].created_at):
                    figures["created"] += 1
                for kind, durations, field in (("acknowledged", ack, "acknowledged_at"),
                                               ("resolved", res, "resolved_at")):
                    first_write = next((w for w in writes if getattr(w, field)), None)
                    if first_write and first_write.severity == severity and within(getattr(first_write, field)):
                        durations.append((datetime.fromisoformat(getattr(first_write, field).replace("Z", "+00:00"))
                                          - datetime.fromisoformat(writes[0].created_at.replace("Z", "+00:00"))
                                          ).total_seconds())
                for target, field in (("acknowledge", "acknowledged_at"), ("resolve", "resolved_at")):
                    first_write = next((w for w in writes if target in dict(w.outcomes)), None)
                    if first_write and first_write.severity == severity and within(getattr(first_write, field)):
                        figures["sla_" + dict(first_write.outcomes)[target]] += 1
            # The backlog: the tickets whose last write by the end of the bucket left them open.
            backlog = 0
            for writes in tickets:
                latest = [w for w in writes if (w.deleted_at or w.updated_at)[:10] <= end.isoformat()]
                if latest and latest[-1].is_open and latest[-1].severity == severity:
                    backlog += 1
            per_severity[severity] = {
                "created": figures["created"], "acknowledged": len(ack), "resolved": len(res),
                "sla_met": figures["sla_met"], "sla_breached": figures["sla_breached"], "backlog": backlog,
                "ack": ack, "res": res}
        found.append(per_severity)
    return found


def estimate(durations: list[float], share: float) -> float | None:
    histogram = [0] * reports.BUCKETS
    for seconds in durations:
        histogram[reports.bucket_of(seconds)] += 1
    return reports.percentile(histogram, share)


def opened(day: str, severity: str = "critical") -> reports.Facts:
    return reports.Facts("p", severity, "new", f"{day}T00:00:00.000Z", f"{day}T00:00:00.000Z")


def changed(facts: reports.Facts, day: str, **fields) -> reports.Facts:
    return replace(facts, updated_at=f"{day}T00:00:00.000Z", **fields)


# Four tickets open since the first day; a fifth created a week later, edited, and deleted the
# day after the report's today: open counts now hold the deletion, the days up to today do not.
LATE_DELETION = [[opened("2026-03-02")] for _ in range(4)] + [[
    opened("2026-03-09"), changed(opened("2026-03-09"), "2026-03-12"), changed(opened("2026-03-09"), "2026-03-15"),
    changed(opened("2026-03-09"), "2026-03-18"),
    changed(opened("2026-03-09"), "2026-03-21", deleted_at="2026-03-21T00:00:00.000Z")]]


@settings(max_examples=60, deadline=None)
@example(tickets=LATE_DELETION, seed=0, size="day", first_offset=0, length=0)
@given(tickets=histories(), seed=st.integers(0, 1000), size=st.sampled_from(("day", "week")),
       first_offset=st.integers(0, 10), length=st.integers(0, 12))
def test_the_summary_equals_counting_the_histories(tickets, seed, size, first_offset, length):
    first = START.date() + timedelta(days=first_offset)
    last = min(first + timedelta(days=length), TODAY)
    open_now = Counter(w[-1].severity for w in tickets if w[-1].is_open)
    summary = reports.summarise(aggregate(tickets, seed), first, last, size, dict(open_now), TODAY)
    expected = brute_force(tickets, first, last, size)
    assert len(summary["buckets"]) == len(expected)
    for bucket, wanted in zip(summary["buckets"], expected):
        for severity in SEVERITIES:
            got, want = bucket["severities"][severity], wanted[severity]
            for name in ("created", "acknowledged", "resolved", "sla_met", "sla_breached", "backlog"):
                assert got[name] == want[name], (bucket["start"], severity, name)
            for name, durations in (("mtta", want["ack"]), ("mttr", want["res"])):
                assert got[name]["count"] == len(durations)
                if durations:
                    assert abs(got[name]["mean_seconds"] - sum(durations) / len(durations)) < 1
                    assert got[name]["p50_seconds"] == estimate(durations, 0.5)
                    assert got[name]["p90_seconds"] == estimate(durations, 0.9)
        total = bucket["total"]
        assert total["created"] == sum(wanted[s]["created"] for s in SEVERITIES)
        assert total["backlog"] == sum(wanted[s]["backlog"] for s in SEVERITIES)
        everything = [d for s in SEVERITIES for d in wanted[s]["res"]]
        assert total["mttr"]["p90_seconds"] == estimate(everything, 0.9)


def test_a_change_dated_after_today_counts_on_no_earlier_day():
    # The open counts are read after the stream counted a write dated past the reader's today
    # (just past midnight, or a writer's clock a little ahead): the days before it stay exact.
    early = opened("2026-03-02", "high")
    late = opened("2026-03-09", "high")
    tickets = [[early], [late, changed(late, "2026-03-21", deleted_at="2026-03-21T00:00:00.000Z")],
               [opened("2026-03-21", "low")]]
    open_now = {"high": 1, "low": 1}
    summary = reports.summarise(aggregate(tickets, 0), date(2026, 3, 2), TODAY, "week", open_now, TODAY)
    assert [b["severities"]["high"]["backlog"] for b in summary["buckets"]] == [1, 2, 2]
    assert [b["total"]["backlog"] for b in summary["buckets"]] == [1, 2, 2]


def test_a_percentile_falls_in_the_bucket_of_the_true_value():
    durations = [30, 90, 100, 400, 4000, 5000, 9000, 20000, 90000, 200000]
    for share in (0.5, 0.9):
        true = sorted(durations)[int(share * len(durations)) - 1]
        low = ([0] + list(reports.DURATION_BOUNDS))[reports.bucket_of(true)]
        high = reports.DURATION_BOUNDS[reports.bucket_of(true)]
        assert low <= estimate(durations, share) <= high


def test_weeks_are_iso_weeks_cut_to_the_range():
    assert reports.buckets(date(2026, 3, 4), date(2026, 3, 17), "week") == [
        (date(2026, 3, 4), date(2026, 3, 8)), (date(2026, 3, 9), date(2026, 3, 15)),
        (date(2026, 3, 16), date(2026, 3, 17))]
