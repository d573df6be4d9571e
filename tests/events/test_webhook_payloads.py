"""The `webhooks` section of the OpenAPI document describes what is really sent: every event type
delivered has an entry, and each body delivered (made by real changes, through the stream and the
delivery queue) and its Standard Webhooks headers hold to that entry's schemas, with no property
the schemas do not name."""
import copy
import json
from datetime import datetime, timedelta

import boto3
import jsonschema
import pytest
from standardwebhooks.webhooks import Webhook

import app as _app  # noqa: F401  (registers the routes, in the app's order, before the document is built)
from chalicelib.api.openapi import document
from chalicelib.domain import webhooks as rules
from chalicelib.domain.clock import iso
from chalicelib.domain.tickets import HISTORY_EVENTS
from chalicelib.local import provision
from chalicelib.schemas.webhooks import EventType
from chalicelib.services.registry import services
from tests.conftest import STAGE
from tests.events.test_overdue import PAST, tick
from tests.streams import pump_tickets_stream, pump_webhook_queue

SENT = set(rules.WEBHOOK_EVENTS) | {rules.PING}
BUCKET = provision.resource_names(STAGE)["AttachmentsBucket"]
POLICY = {"targets": {"critical": {"acknowledge": {"minutes": 20}, "resolve": {"minutes": 240}}}}


def closed(schema):
    """The schema with every object closed to properties it does not name: the document leaves
    bodies open to additions, but what is sent today must be described in full."""
    if isinstance(schema, list):
        return [closed(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    result = {key: closed(value) for key, value in schema.items()}
    if "properties" in result and "additionalProperties" not in result:
        result["additionalProperties"] = False
    return result


def body_validator(spec: dict, event_type: str) -> jsonschema.Draft202012Validator:
    ref = spec["webhooks"][event_type]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    root = {"$ref": ref, "components": closed(copy.deepcopy(spec["components"]))}
    return jsonschema.Draft202012Validator(root)


def test_every_event_type_sent_has_a_webhooks_entry():
    spec = document()
    assert set(spec["webhooks"]) == SENT
    # The event types a subscription names, and the history's, are the ones sent.
    assert set(EventType.__args__) - {rules.ALL_EVENTS} == set(rules.WEBHOOK_EVENTS) == set(HISTORY_EVENTS)
    for event_type, item in spec["webhooks"].items():
        operation = item["post"]
        assert {p["name"] for p in operation["parameters"] if p["in"] == "header" and p["required"]} == {
            "webhook-id", "webhook-timestamp", "webhook-signature"}
        schema = body_validator(spec, event_type).schema
        ref = schema["$ref"].rsplit("/", 1)[1]
        assert schema["components"]["schemas"][ref]["properties"]["type"]["const"] == event_type


def at(ticket: dict, minutes: float) -> str:
    start = datetime.fromisoformat(ticket["created_at"].replace("Z", "+00:00"))
    return iso(start + timedelta(minutes=minutes))


@pytest.fixture
def deliveries(api, receiver):
    """One delivery at least of every event type, each made the way the product makes it."""
    hook = api.post("/webhooks", {"name": "all", "event_type": "*", "url": receiver.url}).json
    assert api.put("/sla-policy", POLICY).status_code == 200
    member = api.add_member("member")
    ticket = api.create_ticket(severity="critical", tags=["db", "prod"], dedup_key="disk-db-1", due_date=PAST,
                               assignee=member["user_id"])
    path = f"/tickets/{ticket['id']}"
    api.post("/tickets", {"title": "again", "description": "", "severity": "low", "dedup_key": "disk-db-1"})
    tick()                                             # TICKET_OVERDUE
    services().sla.sweep(now=at(ticket, 16))           # SLA_AT_RISK (acknowledge)
    services().sla.sweep(now=at(ticket, 21))           # SLA_BREACHED (acknowledge)
    api.patch(path, {"status": "acknowledged", "title": "Disk full on db-1 (again)", "description": "95%",
                     "severity": "high", "tags": ["db"], "due_date": None, "assignee": None})
    api.patch(path, {"status": "resolved"})
    api.patch(path, {"status": "in_progress"})
    on_it = api.post(f"{path}/comments", {"comment": "on it"}).json["id"]
    assert api.patch(f"{path}/comments/{on_it}", {"comment": "on it now"}, headers={"If-Match": '"0"'}).status_code == 200
    assert api.delete(f"{path}/comments/{on_it}").status_code == 204
    started = api.post(f"{path}/attachments", {"file_name": "df.txt", "content_type": "text/plain", "size": 5}).json
    boto3.client("s3").put_object(Bucket=BUCKET, Key=started["upload"]["fields"]["key"], Body=b"hello",
                                  ContentType="text/plain")
    attachment_id = started["attachment"]["id"]
    assert api.post(f"{path}/attachments/{attachment_id}/complete").status_code == 200
    assert api.delete(f"{path}/attachments/{attachment_id}").status_code == 204
    assert api.post(f"/webhooks/{hook['id']}/test").json["ok"] is True
    bulk = api.post("/tickets/bulk", {"ticket_ids": [ticket["id"]], "change": {"severity": "low", "add_tags": ["x"]},
                                      "comment": "lowered"})
    assert bulk.status_code == 200, bulk.body
    assert api.delete(path).status_code == 204
    pump_tickets_stream()
    pump_webhook_queue()
    return hook, receiver.requests


def test_every_body_sent_holds_to_its_schema_in_the_document(deliveries):
    hook, requests = deliveries
    spec = document()
    headers = {p["name"]: p["schema"] for p in spec["webhooks"]["PING"]["post"]["parameters"]}
    seen: dict[str, int] = {}
    for request in requests:
        sent = {name.lower(): value for name, value in request.headers.items()}
        body = Webhook(hook["secret"]).verify(request.body, sent)
        assert body == json.loads(request.body)
        seen[body["type"]] = seen.get(body["type"], 0) + 1
        errors = [f"{'.'.join(map(str, e.absolute_path))}: {e.message}"
                  for e in body_validator(spec, body["type"]).iter_errors(body)]
        assert not errors, (body["type"], errors, body)
        for name, schema in headers.items():
            jsonschema.validate(sent[name], schema)
    assert set(seen) == SENT, set(SENT) - set(seen)
    assert seen["TICKET_UPDATED"] >= 4


def test_a_body_with_a_property_the_document_does_not_name_is_caught(deliveries):
    hook, requests = deliveries
    body = json.loads(next(r.body for r in requests if b'"TICKET_UPDATED"' in r.body))
    body["data"]["ticket"]["priority"] = 1
    assert not body_validator(document(), "TICKET_UPDATED").is_valid(body)
