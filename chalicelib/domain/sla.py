"""SLA rules: a project's policy (targets per severity, business hours), a ticket's SLA clock (the
status facts its targets need) and what each target shows at a given moment. Pure.

Each target counts from the ticket's creation. *Acknowledge* is met when the ticket first leaves
`new`; *resolve* when it first reaches `resolved` or `closed`. While a ticket is `canceled` its
clocks stop, and while it is `deferred` they pause if the policy says so; leaving restarts them.
The target in force is the one of the ticket's current severity in the policy version it started
under, so a severity change recomputes the due times from the start.
"""
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chalicelib.domain.business_time import WEEKDAYS, Calendar, elapsed, moment_after
from chalicelib.domain.clock import iso
from chalicelib.domain.tickets import RESOLVED_STATUSES, SEVERITIES
from chalicelib.errors import ValidationFailed

TARGETS = ("acknowledge", "resolve")
RUNNING, PAUSED, STOPPED, MET, BREACHED = "running", "paused", "stopped", "met", "breached"
AT_RISK_SHARE = 0.25          # a running target with less than this share of its time left is at risk
MAX_TARGET_MINUTES = 366 * 24 * 60
MAX_HOLIDAYS = 400
MAX_PAUSES = 100              # status changes into deferred or canceled kept per ticket
DEFERRED, CANCELED = "deferred", "canceled"


@dataclass(frozen=True)
class Target:
    minutes: int
    business_hours: bool = False

    @property
    def amount(self) -> timedelta:
        return timedelta(minutes=self.minutes)


@dataclass(frozen=True)
class Policy:
    version: int
    targets: dict[str, dict[str, Target]]      # severity -> target name -> target
    calendar: Calendar | None = None
    pause_on_deferred: bool = True
    created_at: str | None = None
    created_by: str | None = None

    def target(self, severity: str, name: str) -> Target | None:
        return self.targets.get(severity, {}).get(name)

    def as_dict(self) -> dict[str, Any]:
        calendar = self.calendar
        hours = None
        if calendar is not None:
            hours = {"time_zone": calendar.time_zone,
                     "working_days": [WEEKDAYS[d] for d in sorted(calendar.working_days)],
                     "start": _clock_text(calendar.start_minute), "end": _clock_text(calendar.end_minute),
                     "holidays": sorted(d.isoformat() for d in calendar.holidays)}
        return {
            "version": self.version,
            "targets": {severity: {name: {"minutes": t.minutes, "business_hours": t.business_hours}
                                   for name, t in self.targets[severity].items()}
                        for severity in SEVERITIES if severity in self.targets},
            "business_hours": hours,
            "pause_on_deferred": self.pause_on_deferred,
            "created_at": self.created_at,
            "created_by": self.created_by,
        }


def parse_policy(body: dict[str, Any], version: int, created_at: str | None = None,
                 created_by: str | None = None) -> Policy:
    """A policy from its JSON form (as stored, or as validated by the request schema); a
    ValidationFailed names the field."""
    calendar = None
    hours = body.get("business_hours")
    if hours is not None:
        calendar = parse_calendar(hours)
    targets: dict[str, dict[str, Target]] = {}
    for severity, named in (body.get("targets") or {}).items():
        if severity not in SEVERITIES:
            raise ValidationFailed.on(f"targets.{severity}", f"unknown severity; use one of {list(SEVERITIES)}")
        for name, target in (named or {}).items():
            where = f"targets.{severity}.{name}"
            if name not in TARGETS:
                raise ValidationFailed.on(where, f"unknown target; use one of {list(TARGETS)}")
            if target is None:
                continue
            minutes = target.get("minutes")
            if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= MAX_TARGET_MINUTES:
                raise ValidationFailed.on(f"{where}.minutes", f"a whole number of minutes, 1-{MAX_TARGET_MINUTES}")
            business = bool(target.get("business_hours", False))
            if business and calendar is None:
                raise ValidationFailed.on(f"{where}.business_hours", "the policy has no business_hours to count")
            targets.setdefault(severity, {})[name] = Target(minutes, business)
    return Policy(version=version, targets=targets, calendar=calendar,
                  pause_on_deferred=bool(body.get("pause_on_deferred", True)),
                  created_at=created_at, created_by=created_by)


def parse_calendar(hours: dict[str, Any]) -> Calendar:
    zone = hours.get("time_zone")
    try:
        if not isinstance(zone, str) or not zone:
            raise ValueError
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValidationFailed.on("business_hours.time_zone", "not an IANA time zone (such as Europe/Paris)") from None
    days = hours.get("working_days") or []
    if not days or any(day not in WEEKDAYS for day in days):
        raise ValidationFailed.on("business_hours.working_days", f"one or more of {list(WEEKDAYS)}")
    start = _minutes("business_hours.start", hours.get("start"))
    end = _minutes("business_hours.end", hours.get("end"))
    holidays = set()
    for raw in hours.get("holidays") or []:
        try:
            holidays.add(date.fromisoformat(raw) if isinstance(raw, str) else raw)
        except ValueError:
            raise ValidationFailed.on("business_hours.holidays", f"{raw!r} is not a date (YYYY-MM-DD)") from None
    if len(holidays) > MAX_HOLIDAYS:
        raise ValidationFailed.on("business_hours.holidays", f"at most {MAX_HOLIDAYS}")
    return Calendar(zone, frozenset(WEEKDAYS.index(day) for day in days), start, end, frozenset(holidays))


def _minutes(where: str, text: Any) -> int:
    """`HH:MM` as minutes after midnight; `24:00` is the end of the day."""
    if isinstance(text, str) and len(text) == 5 and text[2] == ":" and text[:2].isdigit() and text[3:].isdigit():
        hours, minutes = int(text[:2]), int(text[3:])
        if (hours < 24 and minutes < 60) or (hours, minutes) == (24, 0):
            return hours * 60 + minutes
    raise ValidationFailed.on(where, "a time of day as HH:MM (00:00-24:00)")


def _clock_text(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True)
class Mark:
    """When a running target becomes at risk and when it is due, as of the ticket's last change:
    these only move when the ticket does (time alone never moves them), so they are kept with it
    and index it."""
    target: str
    at_risk_at: str
    due_at: str


@dataclass(frozen=True)
class Clock:
    """Every ticket has one (the reports need when it was acknowledged and resolved); one started
    under no policy has no policy version, and no SLA."""
    policy_version: int | None
    acknowledged_at: str | None = None   # first left `new`
    resolved_at: str | None = None       # first reached resolved or closed
    pauses: tuple[tuple[str, str | None, str], ...] = ()  # (from, to or None, deferred | canceled)
    marks: tuple[Mark, ...] = ()
    outcomes: tuple[tuple[str, str], ...] = ()   # (target, met | breached) as each was met

    def mark(self, target: str) -> Mark | None:
        return next((m for m in self.marks if m.target == target), None)

    @property
    def soonest_due(self) -> str | None:
        return min((m.due_at for m in self.marks), default=None)

    @property
    def soonest_at_risk(self) -> str | None:
        return min((m.at_risk_at for m in self.marks), default=None)

    def as_dict(self) -> dict[str, Any]:
        return {"policy_version": self.policy_version, "acknowledged_at": self.acknowledged_at,
                "resolved_at": self.resolved_at, "pauses": [list(p) for p in self.pauses],
                "marks": [{"target": m.target, "at_risk_at": m.at_risk_at, "due_at": m.due_at} for m in self.marks],
                "outcomes": [list(o) for o in self.outcomes]}

    @classmethod
    def from_dict(cls, stored: dict[str, Any]) -> "Clock":
        version = stored.get("policy_version")
        return cls(policy_version=int(version) if version is not None else None,
                   acknowledged_at=stored.get("acknowledged_at"), resolved_at=stored.get("resolved_at"),
                   pauses=tuple((p[0], p[1], p[2]) for p in stored.get("pauses") or ()),
                   marks=tuple(Mark(m["target"], m["at_risk_at"], m["due_at"]) for m in stored.get("marks") or ()),
                   outcomes=tuple((o[0], o[1]) for o in stored.get("outcomes") or ()))


def start_clock(policy: Policy | None, severity: str, created_at: str) -> Clock:
    if policy is None:
        return Clock(policy_version=None)
    return with_marks(Clock(policy_version=policy.version), policy, severity, created_at, created_at)


def advance(clock: Clock, old_status: str, new_status: str, now: str) -> Clock:
    """The clock after a status change at `now`."""
    if old_status == new_status:
        return clock
    acknowledged_at, resolved_at = clock.acknowledged_at, clock.resolved_at
    if acknowledged_at is None and old_status == "new" and new_status != CANCELED:
        acknowledged_at = now
    if resolved_at is None and new_status in RESOLVED_STATUSES:
        resolved_at = now
        acknowledged_at = acknowledged_at or now
    pauses = list(clock.pauses)
    if old_status in (DEFERRED, CANCELED) and pauses and pauses[-1][1] is None:
        pauses[-1] = (pauses[-1][0], now, pauses[-1][2])
    if new_status in (DEFERRED, CANCELED):
        pauses.append((now, None, new_status))
        # A ticket moved in and out of deferred more often than this keeps its latest pauses,
        # the earliest ones merged into one span.
        if len(pauses) > MAX_PAUSES:
            first, second = pauses[0], pauses[1]
            pauses[:2] = [(first[0], second[1], second[2])]
    return replace(clock, acknowledged_at=acknowledged_at, resolved_at=resolved_at, pauses=tuple(pauses))


@dataclass(frozen=True)
class TargetState:
    target: str
    minutes: int
    business_hours: bool
    state: str                       # running | paused | stopped | met | breached
    due_at: str | None               # when it is (or was) due; None while paused or stopped
    at_risk_at: str | None
    at_risk: bool                    # running with less than AT_RISK_SHARE of its time left
    elapsed_seconds: int             # counted time so far (until met)
    remaining_seconds: int | None    # counted time left; None once met or breached
    overrun_seconds: int | None      # counted time past the target once breached
    met_at: str | None
    took_seconds: int | None         # counted time it took, once met (also when met late)

    def as_dict(self) -> dict[str, Any]:
        return {"minutes": self.minutes, "business_hours": self.business_hours, "state": self.state,
                "due_at": self.due_at, "at_risk_at": self.at_risk_at, "at_risk": self.at_risk,
                "elapsed_seconds": self.elapsed_seconds, "remaining_seconds": self.remaining_seconds,
                "overrun_seconds": self.overrun_seconds, "met_at": self.met_at, "took_seconds": self.took_seconds}


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _pauses(clock: Clock, policy: Policy, met_at: str | None) -> list[tuple[datetime, datetime | None]]:
    counted = [(_parse(begin), _parse(end) if end else None) for begin, end, why in clock.pauses
               if why == CANCELED or (why == DEFERRED and policy.pause_on_deferred)]
    if met_at is not None:
        counted = [(begin, end) for begin, end in counted if begin < _parse(met_at)]
    return counted


def evaluate(policy: Policy, clock: Clock, severity: str, created_at: str, now: str) -> dict[str, TargetState]:
    """Each target of the ticket's severity, as it stands at `now`."""
    found = {}
    for name in TARGETS:
        target = policy.target(severity, name)
        if target is not None:
            found[name] = _state(policy, clock, name, target, created_at, now)
    return found


def _state(policy: Policy, clock: Clock, name: str, target: Target, created_at: str, now: str) -> TargetState:
    calendar = policy.calendar if target.business_hours else None
    start = _parse(created_at)
    met_at = clock.acknowledged_at if name == "acknowledge" else clock.resolved_at
    pauses = _pauses(clock, policy, met_at)
    due = moment_after(calendar, start, target.amount, pauses)
    at_risk_at = moment_after(calendar, start, target.amount * (1 - AT_RISK_SHARE), pauses)
    due_at, risk_at = (iso(due) if due else None), (iso(at_risk_at) if at_risk_at else None)
    common = {"target": name, "minutes": target.minutes, "business_hours": target.business_hours}
    if met_at is not None:
        took = elapsed(calendar, start, _parse(met_at), pauses)
        late = took > target.amount
        return TargetState(**common, state=BREACHED if late else MET, due_at=due_at, at_risk_at=risk_at,
                           at_risk=False, elapsed_seconds=_seconds(took), remaining_seconds=None,
                           overrun_seconds=_seconds(took - target.amount) if late else None, met_at=met_at,
                           took_seconds=_seconds(took))
    spent = elapsed(calendar, start, _parse(now), pauses)
    if spent >= target.amount:
        return TargetState(**common, state=BREACHED, due_at=due_at, at_risk_at=risk_at, at_risk=False,
                           elapsed_seconds=_seconds(spent), remaining_seconds=None,
                           overrun_seconds=_seconds(spent - target.amount), met_at=None, took_seconds=None)
    left = target.amount - spent
    paused = next((why for begin, end, why in clock.pauses if end is None), None)
    if paused == CANCELED or (paused == DEFERRED and policy.pause_on_deferred):
        return TargetState(**common, state=STOPPED if paused == CANCELED else PAUSED, due_at=None, at_risk_at=None,
                           at_risk=False, elapsed_seconds=_seconds(spent), remaining_seconds=_seconds(left),
                           overrun_seconds=None, met_at=None, took_seconds=None)
    return TargetState(**common, state=RUNNING, due_at=due_at, at_risk_at=risk_at,
                       at_risk=left < target.amount * AT_RISK_SHARE, elapsed_seconds=_seconds(spent),
                       remaining_seconds=_seconds(left), overrun_seconds=None, met_at=None, took_seconds=None)


def _seconds(amount: timedelta) -> int:
    return int(amount.total_seconds())


def with_marks(clock: Clock, policy: Policy, severity: str, created_at: str, now: str) -> Clock:
    """The clock with the at-risk and due moments of its targets that are running (or breached and
    not met), those a later sweep or search needs, and the outcome of each target met by now (kept
    as it was when met, whatever changes later)."""
    marks = []
    outcomes = dict(clock.outcomes)
    for name, state in evaluate(policy, clock, severity, created_at, now).items():
        if state.met_at is not None:
            outcomes.setdefault(name, state.state)
        elif state.state in (RUNNING, BREACHED) and state.due_at and state.at_risk_at:
            marks.append(Mark(name, state.at_risk_at, state.due_at))
    return replace(clock, marks=tuple(marks), outcomes=tuple(sorted(outcomes.items())))


def view(policy: Policy | None, clock: Clock | None, severity: str, created_at: str, now: str) -> dict | None:
    """The `sla` of a ticket's answers: null without a policy."""
    if policy is None or clock is None or clock.policy_version is None:
        return None
    targets = evaluate(policy, clock, severity, created_at, now)
    return {"policy_version": policy.version,
            "targets": {name: state.as_dict() for name, state in targets.items()}}


@dataclass(frozen=True)
class SlaMarker:
    """Where the sweep stands on one target of one ticket: the moment it is due (`due_key`) and
    what already fired."""
    ticket_id: str
    target: str
    due_key: str
    at_risk_fired: str | None
    breached_fired: str | None


@dataclass(frozen=True)
class StoredPolicy:
    """One version of a project's SLA policy as stored (parsed by `parse_policy`)."""
    version: int
    policy: dict
    created_at: str
    created_by: str
