"""Webhooks end to end: ticket changes → the stream → the delivery queue → a real local HTTP
receiver, with Standard Webhooks signatures, filters, retries, replays and SSRF refusals at delivery
(subscriptions, and the targets and filters they may name: tests/rules/test_webhooks.py)."""
import json
import time
from dataclasses import replace

import pytest
from standardwebhooks.webhooks import Webhook

from chalicelib.adapters.dynamodb.webhooks import WebhooksRepository
from chalicelib.domain import webhooks as rules
from chalicelib.events.outbox import event_of
from chalicelib.events.stream import tickets_stream
from chalicelib.services.registry import services
from tests.receiver import start_receiver, start_redirecting_receiver
from tests.streams import new_records, pump_tickets_stream, pump_webhook_queue


@pytest.fixture
def no_waiting(monkeypatch):
    """Retries become due at once, so a test can run the whole schedule."""
    monkeypatch.setattr(rules, "retry_delay", lambda attempts, first, now: 0 if now - first < rules.GIVE_UP_AFTER else None)


def subscribe(api, receiver, event_type="*", **filters):
    body = {"name": "flow", "event_type": event_type, "url": receiver.url}
    if filters:
        body["filters"] = filters
    response = api.post("/webhooks", body)
    assert response.status_code == 201, response.body
    return response.json


def deliver_all():
    pump_tickets_stream()
    pump_webhook_queue()


def verified(received, secret):
    headers = {k.lower(): v for k, v in received.headers.items()}
    return Webhook(secret).verify(received.body, headers)


def test_target_is_checked_again_at_delivery(api, receiver, monkeypatch):
    hook = subscribe(api, receiver)
    monkeypatch.delenv("WEBHOOK_ALLOW_PRIVATE_TARGETS")
    api.create_ticket()
    deliver_all()
    assert receiver.requests == []
    [delivery] = api.get(f"/webhooks/{hook['id']}/deliveries").json["data"]
    assert delivery["last_error"].startswith("refused") and delivery["last_status_code"] is None


@pytest.mark.parametrize("url", ["http://2852039166/", "http://[::ffff:169.254.169.254]/x", "http://0xa9fea9fe/"])
def test_a_stored_target_that_leads_to_the_metadata_address_is_refused_at_delivery(api, receiver, url):
    """A URL accepted once (before this check, or a name whose DNS answer changed since) is resolved
    and checked again on every attempt: nothing is sent, the attempt says why."""
    hook = subscribe(api, receiver)
    repo = WebhooksRepository()
    stored = repo.subscription(api.project_id, hook["id"])
    repo.save_subscription(replace(stored, url=url), new=False)
    api.create_ticket()
    deliver_all()
    [delivery] = api.get(f"/webhooks/{hook['id']}/deliveries").json["data"]
    assert delivery["last_status_code"] is None and delivery["last_error"].startswith("refused"), delivery
    assert receiver.requests == []
    ping = api.post(f"/webhooks/{hook['id']}/test").json
    assert ping["ok"] is False and ping["error"].startswith("refused")


def test_a_name_resolving_to_loopback_is_refused_at_delivery_where_private_targets_are_not(api, receiver, monkeypatch):
    monkeypatch.delenv("WEBHOOK_ALLOW_PRIVATE_TARGETS")
    hook = api.post("/webhooks", {"name": "x", "event_type": "*", "url": receiver.url.replace("127.0.0.1", "localhost")})
    assert hook.status_code == 201, hook.body  # a name: judged when it is resolved, at delivery
    api.create_ticket()
    deliver_all()
    [delivery] = api.get(f"/webhooks/{hook.json['id']}/deliveries").json["data"]
    assert delivery["last_error"].startswith("refused") and receiver.requests == []


def test_redirects_are_not_followed(api, receiver):
    """A receiver answering 307 to the metadata address (or anywhere) gets a failed attempt; the
    redirect's target is never asked."""
    target = start_receiver()
    try:
        redirecting = start_redirecting_receiver(target.url)
        hook = api.post("/webhooks", {"name": "x", "event_type": "*", "url": redirecting.url}).json
        api.create_ticket()
        deliver_all()
        [delivery] = api.get(f"/webhooks/{hook['id']}/deliveries").json["data"]
        assert delivery["last_status_code"] == 307 and delivery["state"] == "pending"
        assert len(redirecting.requests) == 1 and target.requests == []
    finally:
        target.server.shutdown()


def test_each_event_is_delivered_signed(api, receiver):
    hook = subscribe(api, receiver)
    ticket = api.create_ticket(dedup_key="disk", tags=["db"])
    path = f"/tickets/{ticket['id']}"
    api.patch(path, {"status": "acknowledged"})
    api.post(f"{path}/comments", {"comment": "on it"})
    api.post("/tickets", {"title": "again", "description": "", "severity": "low", "dedup_key": "disk"})
    api.delete(path)
    deliver_all()

    payloads = [verified(r, hook["secret"]) for r in receiver.requests]
    assert sorted(p["type"] for p in payloads) == sorted(
        ["TICKET_CREATED", "TICKET_UPDATED", "COMMENT_ADDED", "DUPLICATE_RECEIVED", "TICKET_DELETED"])
    by_type = {p["type"]: p for p in payloads}
    updated = by_type["TICKET_UPDATED"]["data"]
    assert updated["ticket"]["status"] == "acknowledged" and updated["changes"]["status"]["new"] == "acknowledged"
    assert updated["project_id"] == api.project_id and updated["actor"]
    assert by_type["COMMENT_ADDED"]["data"]["comment"]["body"] == "on it"
    assert by_type["TICKET_DELETED"]["data"]["ticket"]["id"] == ticket["id"]
    ids = [r.headers["webhook-id"] for r in receiver.requests]
    assert len(set(ids)) == len(ids)


def test_event_type_and_filters_choose_deliveries(api, receiver):
    member = api.add_member("member")["user_id"]
    subscribe(api, receiver, "TICKET_UPDATED", status_changed_to="resolved")
    subscribe(api, receiver, "TICKET_CREATED", severity=["critical"], tags=["db"])
    subscribe(api, receiver, "*", assignee=member)
    ticket = api.create_ticket(severity="critical", tags=["db", "eu"])           # created: filter 2
    api.create_ticket(severity="critical", tags=["web"])                          # no tag match
    api.create_ticket(severity="low", tags=["db"])                                # no severity match
    api.patch(f"/tickets/{ticket['id']}", {"status": "acknowledged"})             # not resolved
    api.patch(f"/tickets/{ticket['id']}", {"status": "resolved"})                 # filter 1
    api.create_ticket(assignee=member)                                            # filter 3
    deliver_all()
    seen = sorted((p["type"], p["data"]["ticket"]["title"]) for p in (json.loads(r.body) for r in receiver.requests))
    assert [t for t, _ in seen] == ["TICKET_CREATED", "TICKET_CREATED", "TICKET_UPDATED"]


def test_a_tag_filter_matches_tags_that_look_the_same(api, receiver):
    hook = subscribe(api, receiver, "TICKET_CREATED", tags=["\u200bCafe\u0301 "])
    assert hook["filters"]["tags"] == ["caf\u00e9"]
    api.create_ticket(title="composed", tags=["caf\u00e9"])
    api.create_ticket(title="other", tags=["cafe"])
    deliver_all()
    assert [json.loads(r.body)["data"]["ticket"]["title"] for r in receiver.requests] == ["composed"]
    refused = api.post("/webhooks", {"name": "w", "event_type": "*", "url": "https://example.com/hook",
                                     "filters": {"tags": ["\u200b"]}})
    assert refused.status_code == 400 and refused.json["error"]["details"][0]["field"] == "filters.tags.0"


def test_retries_until_the_receiver_recovers(api, receiver, no_waiting):
    hook = subscribe(api, receiver)
    receiver.answer_with(500, 503, 200)
    api.create_ticket()
    pump_tickets_stream()
    pump_webhook_queue(rounds=10)
    assert [len(receiver.requests)] == [3]
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 1
    [delivery] = api.get(f"/webhooks/{hook['id']}/deliveries").json["data"]
    assert delivery["state"] == "succeeded" and delivery["attempt_count"] == 3
    assert [a["status_code"] for a in delivery["attempts"]] == [500, 503, 200]
    assert delivery["next_attempt_at"] is None


def tick():
    """The every-minute schedule, with the event EventBridge sends."""
    from pathlib import Path

    from chalicelib.events.schedule import every_minute
    every_minute(json.loads((Path(__file__).parent / "scheduled.json").read_text()), None)


def test_long_waits_go_through_the_minute_sweep(api, receiver, monkeypatch):
    monkeypatch.setattr(rules, "retry_delay", lambda attempts, first, now: 3600)
    hook = subscribe(api, receiver)
    receiver.answer_with(500, 200)
    api.create_ticket()
    deliver_all()
    [delivery] = api.get(f"/webhooks/{hook['id']}/deliveries").json["data"]
    assert delivery["state"] == "pending" and delivery["next_attempt_at"] > delivery["attempts"][0]["at"]
    tick()                       # not due yet: nothing queued
    assert pump_webhook_queue() == 0

    repo = WebhooksRepository()
    stored = repo.delivery(hook["id"], delivery["id"])
    stored.next_attempt_at = "2000-01-01T00:00:00.000Z"
    repo.save_delivery(stored, wait_in_index=True)
    tick()
    assert pump_webhook_queue() == 1
    assert [len(receiver.requests), api.get(f"/webhooks/{hook['id']}/deliveries").json["data"][0]["state"]] == [2, "succeeded"]


def test_gives_up_after_a_day_and_disables_after_three(api, receiver, no_waiting):
    hook = subscribe(api, receiver)
    receiver.answer_with(500)
    api.create_ticket()
    pump_tickets_stream()
    repo = WebhooksRepository()
    [delivery] = api.get(f"/webhooks/{hook['id']}/deliveries").json["data"]
    stored = repo.delivery(hook["id"], delivery["id"])
    stored.first_attempt_epoch = time.time() - rules.GIVE_UP_AFTER
    repo.save_delivery(stored, wait_in_index=False)
    subscription = repo.subscription(api.project_id, hook["id"])
    repo.record_health(subscription, time.time() - rules.DISABLE_AFTER, None)
    pump_webhook_queue()
    [delivery] = api.get(f"/webhooks/{hook['id']}/deliveries").json["data"]
    assert delivery["state"] == "failed"
    assert api.get(f"/webhooks/{hook['id']}").json["active"] is False
    api.create_ticket()
    deliver_all()
    assert len(receiver.requests) == 1
    owner_mail = [m for m in sent_emails() if "was disabled" in m]
    assert len(owner_mail) == 1 and "admin@example.com" in owner_mail[0]


def sent_emails() -> list[str]:
    from moto.backends import get_backend
    from moto.core import DEFAULT_ACCOUNT_ID

    backend = get_backend("ses")[DEFAULT_ACCOUNT_ID]["us-east-1"]
    return [str(m.raw_data) if hasattr(m, "raw_data") else str(m.__dict__) for m in backend.sent_messages]


def test_a_replayed_batch_sends_nothing_twice(api, receiver):
    subscribe(api, receiver)
    api.create_ticket()
    records = new_records()
    tickets_stream({"Records": records}, None)
    tickets_stream({"Records": records}, None)
    pump_webhook_queue()
    assert len(receiver.requests) == 1


def test_an_unreadable_record_does_not_block_the_others(api, receiver):
    subscribe(api, receiver)
    api.create_ticket(title="first")
    api.create_ticket(title="second")
    records = [r for r in new_records() if r["eventName"] == "INSERT"]
    poison = json.loads(json.dumps(records[0]))
    poison["dynamodb"]["NewImage"] = {"kind": {"S": "history"}, "changes": {"S": "{not json"}}
    result = tickets_stream({"Records": [records[0], poison, *records[1:]]}, None)
    assert result == {"batchItemFailures": []}
    pump_webhook_queue()
    titles = sorted(json.loads(r.body)["data"]["ticket"]["title"] for r in receiver.requests)
    assert titles == ["first", "second"]


def test_a_failing_record_is_reported_for_retry(api, receiver, monkeypatch):
    subscribe(api, receiver)
    api.create_ticket()
    records = new_records()
    from chalicelib.adapters import queue

    def unavailable(*args, **kwargs):
        raise ConnectionError("queue unavailable")

    monkeypatch.setattr(queue, "send_delivery", unavailable)
    result = tickets_stream({"Records": records}, None)
    history_inserts = [r for r in records if r["eventName"] == "INSERT"
                       and r["dynamodb"]["NewImage"].get("kind", {}).get("S") == "history"]
    assert [f["itemIdentifier"] for f in result["batchItemFailures"]] == [
        r["dynamodb"]["SequenceNumber"] for r in history_inserts]


def test_a_failed_delivery_fails_only_its_own_record(api, receiver, monkeypatch):
    """Deliveries are queued in parallel; a failure must still be charged to the right record."""
    hooks = [subscribe(api, receiver), subscribe(api, receiver)]
    tickets = [api.create_ticket(title=f"t{n}") for n in range(3)]
    records = new_records()
    by_ticket = {event.ticket["id"]: (record, event) for record in records if (event := event_of(record))}
    failed_record, failed_event = by_ticket[tickets[1]["id"]]
    failing = rules.delivery_id(failed_event.id, hooks[1]["id"])
    from chalicelib.adapters import queue

    send = queue.send_delivery

    def flaky(subscription_id, delivery_id, delay_seconds=0):
        if delivery_id == failing:
            raise ConnectionError("queue unavailable")
        send(subscription_id, delivery_id, delay_seconds)

    monkeypatch.setattr(queue, "send_delivery", flaky)
    result = tickets_stream({"Records": records}, None)
    assert result["batchItemFailures"] == [{"itemIdentifier": failed_record["dynamodb"]["SequenceNumber"]}]
    pump_webhook_queue()
    received = sorted(r.headers["webhook-id"] for r in receiver.requests)
    assert received == sorted({rules.delivery_id(event.id, hook["id"]) for _, event in by_ticket.values()
                               for hook in hooks} - {failing})


def test_deleted_subscription_stops_queued_deliveries(api, receiver):
    hook = subscribe(api, receiver)
    api.create_ticket()
    pump_tickets_stream()
    api.delete(f"/webhooks/{hook['id']}")
    pump_webhook_queue()
    assert receiver.requests == []


def test_rotated_secret_signs_alongside_the_old_one(api, receiver):
    hook = subscribe(api, receiver)
    rotated = api.post(f"/webhooks/{hook['id']}/rotate-secret").json
    assert rotated["secret"] != hook["secret"]
    api.create_ticket()
    deliver_all()
    [received] = receiver.requests
    assert len(received.headers["webhook-signature"].split(" ")) == 2
    assert verified(received, hook["secret"]) == verified(received, rotated["secret"])


def test_redeliver_sends_the_same_message_again(api, receiver):
    hook = subscribe(api, receiver)
    api.create_ticket()
    deliver_all()
    [delivery] = api.get(f"/webhooks/{hook['id']}/deliveries").json["data"]
    response = api.post(f"/webhooks/{hook['id']}/deliveries/{delivery['id']}/redeliver")
    assert response.status_code == 202
    pump_webhook_queue()
    first, second = receiver.requests
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == delivery["id"]
    assert first.body == second.body
    assert api.post(f"/webhooks/{hook['id']}/deliveries/nope/redeliver").status_code == 404


def test_delivery_log_pages(api, receiver):
    hook = subscribe(api, receiver)
    for n in range(3):
        api.create_ticket(title=f"t{n}")
    deliver_all()
    first = api.get(f"/webhooks/{hook['id']}/deliveries?limit=2").json
    second = api.get(f"/webhooks/{hook['id']}/deliveries?limit=2&cursor={first['cursor']}").json
    assert len(first["data"]) == 2 and len(second["data"]) == 1 and second["cursor"] is None
    assert all(d["state"] == "succeeded" and d["last_status_code"] == 200 for d in first["data"] + second["data"])


def test_a_delivery_whose_queueing_failed_is_queued_when_the_record_is_retried(api, receiver, monkeypatch):
    from chalicelib.adapters import queue

    subscribe(api, receiver)
    api.create_ticket()
    records = new_records()
    original = queue.send_delivery

    def unavailable(*args, **kwargs):
        raise ConnectionError("queue unavailable")

    monkeypatch.setattr(queue, "send_delivery", unavailable)
    assert tickets_stream({"Records": records}, None)["batchItemFailures"]
    monkeypatch.setattr(queue, "send_delivery", original)
    assert tickets_stream({"Records": records}, None) == {"batchItemFailures": []}
    pump_webhook_queue()
    assert len(receiver.requests) == 1


def test_one_ticket_reaching_any_of_several_statuses_once(api, receiver):
    """What a flow waiting on a ticket subscribes: one ticket, several final statuses, and gone
    after the first delivery."""
    ticket = api.create_ticket()
    other = api.create_ticket()
    hook = api.post("/webhooks", {"name": "wait", "event_type": "TICKET_UPDATED", "url": receiver.url, "once": True,
                                  "filters": {"ticket_id": ticket["id"], "status_changed_to": ["resolved", "canceled"]}})
    assert hook.status_code == 201, hook.body
    hook = hook.json
    assert hook["once"] is True and hook["filters"]["ticket_id"] == ticket["id"]
    assert hook["filters"]["status_changed_to"] == ["resolved", "canceled"]
    api.patch(f"/tickets/{other['id']}", {"status": "resolved"})       # another ticket
    api.patch(f"/tickets/{ticket['id']}", {"status": "acknowledged"})  # not a chosen status
    deliver_all()
    assert receiver.requests == [] and api.get(f"/webhooks/{hook['id']}").status_code == 200

    api.patch(f"/tickets/{ticket['id']}", {"status": "canceled"})
    deliver_all()
    [received] = receiver.requests
    payload = verified(received, hook["secret"])
    assert payload["data"]["ticket"]["id"] == ticket["id"] and payload["data"]["changes"]["status"]["new"] == "canceled"
    assert api.get(f"/webhooks/{hook['id']}").status_code == 404

    api.patch(f"/tickets/{ticket['id']}", {"status": "resolved"})
    deliver_all()
    assert len(receiver.requests) == 1


def test_ticket_filter_takes_the_key_too(api, receiver):
    ticket = api.create_ticket()
    subscribe(api, receiver, "COMMENT_ADDED", ticket_id=ticket["key"])
    api.post(f"/tickets/{api.create_ticket()['id']}/comments", {"comment": "elsewhere"})
    api.post(f"/tickets/{ticket['id']}/comments", {"comment": "here"})
    deliver_all()
    assert [json.loads(r.body)["data"]["comment"]["body"] for r in receiver.requests] == ["here"]


def test_a_once_subscription_stays_until_a_delivery_succeeds(api, receiver, no_waiting):
    hook = api.post("/webhooks", {"name": "wait", "event_type": "*", "url": receiver.url, "once": True}).json
    receiver.answer_with(500, 200)
    api.create_ticket()
    pump_tickets_stream()
    pump_webhook_queue(rounds=1)
    assert len(receiver.requests) == 1 and api.get(f"/webhooks/{hook['id']}").json["active"] is True
    pump_webhook_queue(rounds=10)
    assert len(receiver.requests) == 2
    assert api.get(f"/webhooks/{hook['id']}").status_code == 404


def test_a_once_subscription_cancels_its_other_queued_deliveries(api, receiver):
    hook = api.post("/webhooks", {"name": "wait", "event_type": "TICKET_CREATED", "url": receiver.url,
                                  "once": True}).json
    api.create_ticket(title="first")
    api.create_ticket(title="second")
    pump_tickets_stream()
    repo = WebhooksRepository()
    queued, _ = repo.deliveries(hook["id"], 10, None)
    assert len(queued) == 2
    for delivery in queued:      # one after the other, as two queue messages would be
        services().webhooks.deliver(hook["id"], delivery.id)
    assert len(receiver.requests) == 1
    deliveries, _ = repo.deliveries(hook["id"], 10, None)
    assert sorted(d.state for d in deliveries) == ["canceled", "succeeded"]


def test_a_single_status_is_kept_as_written(api, receiver):
    hook = subscribe(api, receiver, "TICKET_UPDATED", status_changed_to="resolved")
    assert hook["filters"]["status_changed_to"] == "resolved" and hook["once"] is False
    stored = WebhooksRepository().subscription(api.project_id, hook["id"])
    assert stored.filters.statuses == ("resolved",)
    assert api.get(f"/webhooks/{hook['id']}").json["filters"]["status_changed_to"] == "resolved"


def test_a_bulk_change_delivers_each_changed_tickets_events(api, receiver):
    hook = subscribe(api, receiver)
    low, high = api.create_ticket(severity="low"), api.create_ticket(severity="high")
    deliver_all()
    receiver.requests.clear()
    response = api.post("/tickets/bulk", {"ticket_ids": ["OPS-1", "OPS-2", "OPS-3"], "change": {"severity": "high"},
                                          "comment": "All hands"})
    assert [r["status"] for r in response.json["results"]] == [200, 200, 404]
    deliver_all()

    payloads = [verified(r, hook["secret"]) for r in receiver.requests]
    seen = sorted((p["data"]["ticket"]["key"], p["type"]) for p in payloads)
    assert seen == [("OPS-1", "COMMENT_ADDED"), ("OPS-1", "TICKET_UPDATED"), ("OPS-2", "COMMENT_ADDED")]
    [updated] = [p["data"] for p in payloads if p["type"] == "TICKET_UPDATED"]
    assert updated["ticket"]["id"] == low["id"] and updated["changes"] == {"severity": {"old": "low", "new": "high"}}
    assert {p["data"]["comment"]["body"] for p in payloads if p["type"] == "COMMENT_ADDED"} == {"All hands"}
    assert high["id"] in {p["data"]["ticket"]["id"] for p in payloads}
