"""Reports: what one change of a ticket adds to its project's daily aggregates, and the summary a
report makes of them. Pure.

One aggregate per project, UTC day and severity holds counters that only ever add: tickets
created, acknowledged (first left `new`) and resolved (first reached resolved or closed), the
seconds those took (summed, and counted in fixed duration buckets so that percentiles merge across
days and severities), SLA targets met in time and met late, and the change in open tickets. The
backlog at the end of a day is the open tickets now less the changes since.
"""
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Iterable

from chalicelib.domain.tickets import FINISHED_STATUSES, SEVERITIES

# Upper bounds (seconds) of the duration buckets; the last bucket is open-ended.
DURATION_BOUNDS = (60, 120, 300, 600, 900, 1800, 3600, 2 * 3600, 4 * 3600, 8 * 3600, 12 * 3600, 86400,
                   2 * 86400, 3 * 86400, 5 * 86400, 7 * 86400, 14 * 86400, 30 * 86400)
BUCKETS = len(DURATION_BOUNDS) + 1
COUNTERS = ("created", "acknowledged", "ack_seconds", "resolved", "res_seconds", "sla_met", "sla_breached",
            "backlog_delta")
HISTOGRAMS = ("ack", "res")
MAX_REPORT_DAYS = 366


def histogram_attribute(kind: str, bucket: int) -> str:
    return f"{kind}_h{bucket:02d}"


ATTRIBUTES = COUNTERS + tuple(histogram_attribute(kind, b) for kind in HISTOGRAMS for b in range(BUCKETS))


@dataclass(frozen=True)
class Facts:
    """What the aggregates need of a ticket as one write left it."""
    project_id: str
    severity: str
    status: str
    created_at: str
    updated_at: str
    deleted_at: str | None = None
    acknowledged_at: str | None = None
    resolved_at: str | None = None
    outcomes: tuple[tuple[str, str], ...] = ()   # (target, met | breached)

    @property
    def is_open(self) -> bool:
        return self.deleted_at is None and self.status not in FINISHED_STATUSES


Key = tuple[str, str, str]     # (project id, day YYYY-MM-DD, severity)


def day_of(moment: str) -> str:
    return moment[:10]


def bucket_of(seconds: float) -> int:
    for position, bound in enumerate(DURATION_BOUNDS):
        if seconds < bound:
            return position
    return len(DURATION_BOUNDS)


def _seconds(start: str, end: str) -> float:
    return max(0.0, (_parse(end) - _parse(start)).total_seconds())


def _parse(moment: str) -> datetime:
    return datetime.fromisoformat(moment.replace("Z", "+00:00"))


def deltas(before: Facts | None, after: Facts | None) -> dict[Key, Counter]:
    """What one write of a ticket (`before` -> `after`; None for no ticket) adds to the aggregates."""
    found: dict[Key, Counter] = {}

    def add(moment: str, severity: str, name: str, amount: int = 1) -> None:
        project = (after or before).project_id
        found.setdefault((project, day_of(moment), severity), Counter())[name] += amount

    if after is not None:
        if before is None:
            add(after.created_at, after.severity, "created")
        if after.acknowledged_at and not (before and before.acknowledged_at):
            took = _seconds(after.created_at, after.acknowledged_at)
            add(after.acknowledged_at, after.severity, "acknowledged")
            add(after.acknowledged_at, after.severity, "ack_seconds", round(took))
            add(after.acknowledged_at, after.severity, histogram_attribute("ack", bucket_of(took)))
        if after.resolved_at and not (before and before.resolved_at):
            took = _seconds(after.created_at, after.resolved_at)
            add(after.resolved_at, after.severity, "resolved")
            add(after.resolved_at, after.severity, "res_seconds", round(took))
            add(after.resolved_at, after.severity, histogram_attribute("res", bucket_of(took)))
        known = dict(before.outcomes) if before else {}
        for target, outcome in after.outcomes:
            if target in known:
                continue
            moment = after.acknowledged_at if target == "acknowledge" else after.resolved_at
            if moment:
                add(moment, after.severity, "sla_met" if outcome == "met" else "sla_breached")
    when = (after.deleted_at or after.updated_at) if after is not None else before.updated_at
    if before is not None and before.is_open:
        add(when, before.severity, "backlog_delta", -1)
    if after is not None and after.is_open:
        add(after.created_at if before is None else when, after.severity, "backlog_delta", 1)
    return {key: Counter({name: n for name, n in counter.items() if n}) for key, counter in found.items()
            if any(counter.values())}


def merge(changes: Iterable[dict[Key, Counter]]) -> dict[Key, Counter]:
    total: dict[Key, Counter] = {}
    for change in changes:
        for key, counter in change.items():
            total.setdefault(key, Counter()).update(counter)
    return {key: Counter({n: v for n, v in c.items() if v}) for key, c in total.items() if any(c.values())}


# ---- the summary ---------------------------------------------------------------------------------

def percentile(histogram: list[int], share: float) -> float | None:
    """The duration below which `share` of the counted durations fall, read off the buckets: linear
    within the bucket that holds it (the open-ended last bucket answers its lower bound)."""
    count = sum(histogram)
    if count == 0:
        return None
    rank = share * count
    seen = 0
    for position, n in enumerate(histogram):
        if n and seen + n >= rank:
            low = DURATION_BOUNDS[position - 1] if position else 0
            if position == len(DURATION_BOUNDS):
                return float(low)
            high = DURATION_BOUNDS[position]
            return low + (high - low) * (rank - seen) / n
        seen += n
    return float(DURATION_BOUNDS[-1])


def _durations(counter: Counter, kind: str, count_name: str, sum_name: str) -> dict:
    count = counter[count_name]
    histogram = [counter[histogram_attribute(kind, b)] for b in range(BUCKETS)]
    return {"count": count, "mean_seconds": counter[sum_name] / count if count else None,
            "p50_seconds": percentile(histogram, 0.5), "p90_seconds": percentile(histogram, 0.9)}


def _figures(counter: Counter, backlog: int | None) -> dict:
    return {"created": counter["created"], "acknowledged": counter["acknowledged"], "resolved": counter["resolved"],
            "mtta": _durations(counter, "ack", "acknowledged", "ack_seconds"),
            "mttr": _durations(counter, "res", "resolved", "res_seconds"),
            "sla_met": counter["sla_met"], "sla_breached": counter["sla_breached"], "backlog": backlog}


def buckets(first: date, last: date, size: str) -> list[tuple[date, date]]:
    """Consecutive (first day, last day) spans: single days, or ISO weeks (Monday to Sunday) cut to
    the range."""
    spans = []
    day = first
    while day <= last:
        end = day if size == "day" else min(last, day + timedelta(days=6 - day.weekday()))
        spans.append((day, end))
        day = end + timedelta(days=1)
    return spans


def reported_days(first: date, last: date, today: date) -> tuple[date, date]:
    """The days a report covers: those asked for, no more than five years back or a year ahead,
    and at most MAX_REPORT_DAYS from the first. The last may come before the first: no day."""
    lowest, highest = today - timedelta(days=5 * MAX_REPORT_DAYS), today + timedelta(days=MAX_REPORT_DAYS)
    first = max(first, lowest)
    if first > highest:
        return first, lowest
    return first, min(last, highest, first + timedelta(days=MAX_REPORT_DAYS - 1))


def _backlogs(ends: list[date], rows: dict[tuple[str, str], Counter],
               open_now: dict[str, int]) -> dict[date, dict[str, int]]:
    """The open tickets per severity at the end of each of the days `ends`: those open now less
    every change counted on a later day. Every one: the open count now already holds the changes
    dated after today (a write just past midnight, a clock a little ahead of the reader's), so
    stopping the subtraction at today would count them on every earlier day."""
    later = sorted(((day, severity, counter["backlog_delta"]) for (day, severity), counter in rows.items()
                    if counter["backlog_delta"]), reverse=True)
    changes = Counter()
    taken = 0
    found = {}
    for end in sorted(set(ends), reverse=True):
        while taken < len(later) and later[taken][0] > end.isoformat():
            _, severity, delta = later[taken]
            changes[severity] += delta
            taken += 1
        found[end] = {severity: open_now.get(severity, 0) - changes[severity] for severity in SEVERITIES}
    return found


def summarise(rows: dict[tuple[str, str], Counter], first: date, last: date, size: str,
              open_now: dict[str, int], today: date) -> dict:
    """The report from the aggregates `rows` ({(day, severity): counters}, every day from `first`
    on, those dated after today included), and the open tickets per severity now."""
    spans = buckets(first, last, size)
    backlog_at = _backlogs([end for _, end in spans if end <= today], rows, open_now)
    answer = []
    for start, end in spans:
        per_severity = {}
        total = Counter()
        total_backlog = 0
        days = [(start + timedelta(days=n)).isoformat() for n in range((end - start).days + 1)]
        for severity in SEVERITIES:
            counter = Counter()
            for day_text in days:
                counter.update(rows.get((day_text, severity), Counter()))
            backlog = backlog_at[end][severity] if end <= today else None
            per_severity[severity] = _figures(counter, backlog)
            total.update(counter)
            total_backlog = None if backlog is None or total_backlog is None else total_backlog + backlog
        answer.append({"start": start.isoformat(), "end": end.isoformat(), "severities": per_severity,
                       "total": _figures(total, total_backlog)})
    return {"from": first.isoformat(), "to": last.isoformat(), "bucket": size, "buckets": answer}
