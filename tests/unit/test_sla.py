"""SLA rules on their own: what a target shows at a moment, how status changes move the clock,
how a policy is read, and how an SLA search is planned."""
import pytest

from chalicelib.domain import search, sla
from chalicelib.errors import ValidationFailed

T0 = "2026-03-02T09:00:00.000Z"   # a Monday


def policy(**extra) -> sla.Policy:
    return sla.parse_policy({"targets": {"critical": {"acknowledge": {"minutes": 60}, "resolve": {"minutes": 240}}}}
                            | extra, version=1)


def at(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return f"2026-03-02T{9 + hours:02d}:{rest:02d}:00.000Z"


def states(clock, now, severity="critical", rules=None):
    return {name: s for name, s in sla.evaluate(rules or policy(), clock, severity, T0, now).items()}


def test_a_running_target_turns_at_risk_then_breached():
    clock = sla.start_clock(policy(), "critical", T0)
    assert [(m.target, m.at_risk_at, m.due_at) for m in clock.marks] == [
        ("acknowledge", at(45), at(60)), ("resolve", at(180), at(240))]
    early, risky, late = (states(clock, at(m))["acknowledge"] for m in (10, 50, 70))
    assert (early.state, early.at_risk, early.remaining_seconds) == ("running", False, 50 * 60)
    assert (risky.state, risky.at_risk) == ("running", True)
    assert (late.state, late.overrun_seconds, late.remaining_seconds) == ("breached", 600, None)


def test_met_in_time_or_late_is_kept_with_how_long_it_took():
    clock = sla.advance(sla.start_clock(policy(), "critical", T0), "new", "acknowledged", at(20))
    clock = sla.with_marks(clock, policy(), "critical", T0, at(20))
    acknowledged = states(clock, at(300))["acknowledge"]
    assert (acknowledged.state, acknowledged.met_at, acknowledged.took_seconds) == ("met", at(20), 1200)
    assert clock.outcomes == (("acknowledge", "met"),) and [m.target for m in clock.marks] == ["resolve"]
    late = sla.advance(clock, "acknowledged", "resolved", at(250))
    late = sla.with_marks(late, policy(), "critical", T0, at(250))
    assert states(late, at(300))["resolve"].state == "breached" and dict(late.outcomes)["resolve"] == "breached"
    assert late.marks == ()


def test_deferred_pauses_when_the_policy_says_so_and_canceled_always_stops():
    clock = sla.start_clock(policy(), "critical", T0)
    clock = sla.advance(clock, "new", "deferred", at(30))      # leaving new acknowledges
    paused = states(clock, at(200))["resolve"]
    assert (paused.state, paused.due_at, paused.elapsed_seconds) == ("paused", None, 1800)
    not_paused = states(clock, at(200), rules=policy(pause_on_deferred=False))["resolve"]
    assert not_paused.state == "running" and not_paused.due_at == at(240)
    resumed = sla.advance(clock, "deferred", "in_progress", at(90))
    assert states(resumed, at(100))["resolve"].due_at == at(300)    # one hour paused
    stopped = sla.advance(resumed, "in_progress", "canceled", at(100))
    assert states(stopped, at(400))["resolve"].state == "stopped"


def test_a_severity_without_targets_has_none():
    assert states(sla.start_clock(policy(), "low", T0), at(10), severity="low") == {}


@pytest.mark.parametrize("body, field", [
    ({"targets": {"high": {"resolve": {"minutes": 0}}}}, "targets.high.resolve.minutes"),
    ({"targets": {"high": {"respond": {"minutes": 5}}}}, "targets.high.respond"),
    ({"targets": {}, "business_hours": {"time_zone": "UTC", "working_days": [], "start": "09:00", "end": "17:00"}},
     "business_hours.working_days"),
    ({"targets": {}, "business_hours": {"time_zone": "UTC", "working_days": ["mon"], "start": "9:00",
                                        "end": "17:00"}}, "business_hours.start"),
])
def test_a_bad_policy_names_its_field(body, field):
    with pytest.raises(ValidationFailed) as raised:
        sla.parse_policy(body, version=1)
    assert raised.value.details[0].field == field


def test_sla_searches_read_the_sla_indexes_up_to_now():
    now = at(0)
    by_sla = search.plan(search.TicketQuery(sort="sla"), now=now)
    assert by_sla == search.SearchPlan("sla", ("sla",), False, None, None, False, rest=by_sla.rest)
    assert (by_sla.rest.index, by_sla.rest.skips) == ("project", "sla")  # then the tickets with no target
    breached = search.plan(search.TicketQuery(sla="breached", sort="sla"), now=now)
    assert (breached.index, breached.upper, breached.needs_filter) == ("sla", now + "#\uffff", False)
    at_risk = search.plan(search.TicketQuery(sla="at_risk", sort="sla", severity=("high",)), now=now)
    assert (at_risk.index, at_risk.upper, at_risk.needs_filter) == ("sla_risk", now + "#\uffff", True)
    assert search.counted_partitions(search.TicketQuery(sla="breached")) is None
