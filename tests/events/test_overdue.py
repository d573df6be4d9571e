"""TICKET_OVERDUE fires once per ticket when its due date passes while it is open; a new due date
re-arms it."""
import json
from pathlib import Path

from chalicelib.events.schedule import every_minute

PAST = "2020-01-01T00:00:00Z"
FUTURE = "2999-01-01T00:00:00Z"


def tick():
    every_minute(json.loads((Path(__file__).parent / "scheduled.json").read_text()), None)


def overdue_events(api, ticket):
    history = api.get(f"/tickets/{ticket['id']}/history?event=TICKET_OVERDUE").json["data"]
    return history


def test_fires_once_when_the_due_date_has_passed(api):
    late = api.create_ticket(due_date=PAST)
    on_time = api.create_ticket(due_date=FUTURE)
    undated = api.create_ticket()
    tick()
    tick()
    [event] = overdue_events(api, late)
    assert event["changed_by"] == "system" and event["changes"]["due_date"]["old"] == "2020-01-01T00:00:00.000Z"
    assert overdue_events(api, on_time) == [] and overdue_events(api, undated) == []


def test_other_changes_do_not_rearm_it(api):
    late = api.create_ticket(due_date=PAST)
    tick()
    api.patch(f"/tickets/{late['id']}", {"title": "still late", "severity": "low"})
    tick()
    assert len(overdue_events(api, late)) == 1


def test_a_new_due_date_rearms_it(api):
    late = api.create_ticket(due_date=PAST)
    tick()
    api.patch(f"/tickets/{late['id']}", {"due_date": "2021-06-01T00:00:00Z"})
    tick()
    assert len(overdue_events(api, late)) == 2


def test_finished_tickets_never_fire_and_reopened_ones_do(api):
    done = api.create_ticket(due_date=PAST)
    api.patch(f"/tickets/{done['id']}", {"status": "resolved"})
    canceled = api.create_ticket(due_date=PAST)
    api.patch(f"/tickets/{canceled['id']}", {"status": "canceled"})
    tick()
    assert overdue_events(api, done) == [] and overdue_events(api, canceled) == []
    api.patch(f"/tickets/{done['id']}", {"status": "in_progress"})
    tick()
    assert len(overdue_events(api, done)) == 1


def test_deleted_and_cleared_tickets_never_fire(api):
    deleted = api.create_ticket(due_date=PAST)
    api.delete(f"/tickets/{deleted['id']}")
    cleared = api.create_ticket(due_date=PAST)
    api.patch(f"/tickets/{cleared['id']}", {"due_date": None})
    tick()
    assert [e["event"] for e in api.get(f"/tickets/{deleted['id']}/history").json["data"]] == [
        "TICKET_DELETED", "TICKET_CREATED"]
    assert overdue_events(api, cleared) == []


def test_overdue_event_reaches_webhooks(api, monkeypatch):
    from tests.receiver import start_receiver
    from tests.streams import pump_tickets_stream, pump_webhook_queue

    monkeypatch.setenv("WEBHOOK_ALLOW_PRIVATE_TARGETS", "true")
    receiver = start_receiver()
    try:
        api.post("/webhooks", {"name": "sla", "event_type": "TICKET_OVERDUE", "url": receiver.url})
        late = api.create_ticket(due_date=PAST)
        tick()
        pump_tickets_stream()
        pump_webhook_queue()
        [received] = receiver.requests
        payload = json.loads(received.body)
        assert payload["type"] == "TICKET_OVERDUE" and payload["data"]["ticket"]["id"] == late["id"]
        assert payload["data"]["actor"] == "system"
    finally:
        receiver.server.shutdown()
