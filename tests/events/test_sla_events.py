"""SLA_AT_RISK and SLA_BREACHED: fired by the minute sweep from its marker index, once per target
of a ticket whatever the number and timing of the runs; never for a target met in time; with their
history entry, webhooks and email (assignee; admins too for a breach). The sweep is run at chosen
times (`sweep(now=...)`), as the schedule would run it then."""
import email
import json
from datetime import datetime, timedelta
from email.policy import default as default_policy

import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from chalicelib import config
from chalicelib.domain.tickets import StaleTicket
from chalicelib.domain import search
from chalicelib.domain.clock import iso
from chalicelib.services.registry import services
from tests.events.test_overdue import tick
from tests.streams import new_records

POLICY = {"targets": {"critical": {"acknowledge": {"minutes": 20}, "resolve": {"minutes": 240}}}}


def at(ticket: dict, minutes: float) -> str:
    start = datetime.fromisoformat(ticket["created_at"].replace("Z", "+00:00"))
    return iso(start + timedelta(minutes=minutes))


def sla_events(api, ticket) -> list[dict]:
    history = api.get(f"/tickets/{ticket['id']}/history").json["data"]
    return [(e["event"], e["changes"]["sla"]["new"]["target"]) for e in reversed(history)
            if e["event"].startswith("SLA_")]


@pytest.fixture
def ticket(api):
    assert api.put("/sla-policy", POLICY).status_code == 200
    return api.create_ticket(severity="critical")


def sweep(now: str) -> int:
    """One run at `now`; it also fires what other tests' tickets have due by then, so tests look at
    their own tickets' events only."""
    return services().sla.sweep(now=now)


def test_at_risk_then_breached_each_once_however_often_the_sweep_runs(api, ticket):
    sweep(at(ticket, 10))
    assert sla_events(api, ticket) == []
    sweep(at(ticket, 16))
    sweep(at(ticket, 16))
    sweep(at(ticket, 17))
    assert sla_events(api, ticket) == [("SLA_AT_RISK", "acknowledge")]
    for _ in range(3):
        sweep(at(ticket, 21))
    assert sla_events(api, ticket) == [("SLA_AT_RISK", "acknowledge"), ("SLA_BREACHED", "acknowledge")]
    # A late run, past both moments of the resolve target, fires only its breach.
    sweep(at(ticket, 400))
    assert sla_events(api, ticket) == [("SLA_AT_RISK", "acknowledge"), ("SLA_BREACHED", "acknowledge"),
                                       ("SLA_BREACHED", "resolve")]
    entry = api.get(f"/tickets/{ticket['id']}/history?event=SLA_BREACHED").json["data"][-1]
    assert entry["changed_by"] == "system"
    assert entry["changes"]["sla"]["new"] == {
        "target": "acknowledge", "state": "breached", "due_at": at(ticket, 20), "at_risk_at": at(ticket, 15),
        "minutes": 20, "business_hours": False, "policy_version": 1}
    sweep(at(ticket, 500))
    assert len(sla_events(api, ticket)) == 3


def test_a_stale_run_of_the_sweep_fires_nothing(api, ticket):
    now = at(ticket, 25)
    repo, sla = services().ticket_repo, services().sla
    markers = [m for m in repo.sla_markers_due(now) if m.ticket_id == ticket["id"]]
    assert [m.target for m in markers] == ["acknowledge"]
    sweep(now)
    # A second run that read the marker before the first fired it: its write is refused.
    stale = repo.get(ticket["id"])
    with pytest.raises(StaleTicket):
        sla._sweep_one(stale, markers[0], now)
    assert sla_events(api, ticket) == [("SLA_BREACHED", "acknowledge")]


def test_a_target_met_before_its_breach_never_fires(api, ticket):
    sweep(at(ticket, 16))
    api.patch(f"/tickets/{ticket['id']}", {"status": "acknowledged"})
    api.patch(f"/tickets/{ticket['id']}", {"status": "resolved"})
    for minutes in (21, 200, 300):
        sweep(at(ticket, minutes))
    assert sla_events(api, ticket) == [("SLA_AT_RISK", "acknowledge")]


def test_a_deleted_or_paused_ticket_never_fires(api):
    api.put("/sla-policy", POLICY | {"pause_on_deferred": True})
    deleted = api.create_ticket(severity="critical")
    api.delete(f"/tickets/{deleted['id']}")
    paused = api.create_ticket(severity="critical")
    api.patch(f"/tickets/{paused['id']}", {"status": "deferred"})
    sweep(at(paused, 1000))
    assert sla_events(api, paused) == []


def test_a_change_rearms_without_firing_twice(api, ticket):
    sweep(at(ticket, 16))
    # A severity change re-arms the marker from its at-risk moment; what fired stays fired.
    api.patch(f"/tickets/{ticket['id']}", {"title": "renamed", "severity": "high"})
    api.patch(f"/tickets/{ticket['id']}", {"severity": "critical"})
    sweep(at(ticket, 17))
    sweep(at(ticket, 22))
    assert sla_events(api, ticket) == [("SLA_AT_RISK", "acknowledge"), ("SLA_BREACHED", "acknowledge")]


def test_the_minute_schedule_runs_the_sweep(api, ticket):
    # Nothing is due yet: the schedule's own run changes nothing.
    tick()
    assert sla_events(api, ticket) == []


def test_sla_search_finds_at_risk_and_breached_tickets_by_index(api, ticket):
    other = api.create_ticket(severity="critical", title="later")
    repo = services().ticket_repo

    def found(now: str, **kw) -> list[str]:
        query = search.TicketQuery(**kw)
        plan = search.plan(query, None, now=now)
        return [t.id for t in repo.search(api.project_id, plan, query, now, 20).tickets]

    assert found(at(ticket, 1), sla="at_risk", sort="sla") == []
    assert found(at(ticket, 16), sla="at_risk", sort="sla") == [ticket["id"], other["id"]]
    assert found(at(ticket, 16), sla="breached", sort="sla") == []
    api.patch(f"/tickets/{other['id']}", {"status": "acknowledged"})
    assert found(at(ticket, 25), sla="breached", sort="sla") == [ticket["id"]]
    assert found(at(ticket, 25), sla="at_risk", sort="sla") == []
    # Soonest breach first: the first ticket's acknowledgement, then the other's resolution.
    assert found(at(ticket, 25), sort="sla") == [ticket["id"], other["id"]]


def mail() -> list:
    backend = ses_backends[DEFAULT_ACCOUNT_ID][config.region()]
    return [email.message_from_string(m.raw_data, policy=default_policy) for m in backend.sent_messages]


def test_breaches_mail_the_assignee_and_admins_and_reach_webhooks(api, monkeypatch):
    from tests.receiver import start_receiver
    from tests.streams import pump_tickets_stream, pump_webhook_queue

    monkeypatch.setenv("WEBHOOK_ALLOW_PRIVATE_TARGETS", "true")
    api.put("/sla-policy", POLICY)
    bob = api.post("/members", {"email": "bob@example.com", "name": "Bob", "role": "member"}).json
    receiver = start_receiver()
    try:
        api.post("/webhooks", {"name": "breaches", "event_type": "SLA_BREACHED", "url": receiver.url})
        ticket = api.create_ticket(severity="critical", assignee=bob["user_id"])
        new_records()
        before = len(mail())
        sweep(at(ticket, 16))
        sweep(at(ticket, 21))
        pump_tickets_stream()
        pump_webhook_queue()
        [received] = receiver.requests
        payload = json.loads(received.body)
        assert payload["type"] == "SLA_BREACHED" and payload["data"]["ticket"]["id"] == ticket["id"]
        assert payload["data"]["changes"]["sla"]["new"]["target"] == "acknowledge"
        sent = mail()[before:]
        subjects = {(m["To"].addresses[0].addr_spec, m.get_body(("plain",)).get_content().splitlines()[0])
                    for m in sent}
        assert ("bob@example.com", f"The acknowledgement target of {ticket['key']} is at risk: "
                f"{ticket['title']}") in subjects
        breached = {address for address, line in subjects if "was breached" in line}
        assert breached == {"bob@example.com", "admin@example.com"}
    finally:
        receiver.server.shutdown()
