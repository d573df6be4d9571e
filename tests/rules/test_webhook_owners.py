"""Who manages a webhook: the member or automation key that subscribed it, and admins. Other
members see that it exists, its events, its target's scheme and host and its delivery log, never
its secret or the rest of its URL; managing it answers them 403 (with deliveries, and for webhooks
stored before owners were: tests/events/test_webhook_owners.py)."""
import re

import pytest
from jsonschema import Draft202012Validator

import app as _app  # noqa: F401  (registers the routes)
from chalicelib.api.openapi import document
from chalicelib.api.routing import ROUTES
from chalicelib.api.webhooks import WEBHOOK
from tests.api.test_isolation import BODIES
from tests.events.conftest import receiver  # noqa: F401  (fixture)

TOKEN = "t0k3n-5ecret"   # what a receiver keeps in its URL to know its caller


@pytest.fixture
def team(api, receiver):
    """The admin, two members with a key each, and an automation key, all in one project."""
    alice, bob = api.add_member("member", "alice@example.com"), api.add_member("member", "bob@example.com")
    return {"admin": api, "alice": api.as_key(api.key_for(alice["user_id"])),
            "bob": api.as_key(api.key_for(bob["user_id"])), "flow": api.as_key(api.automation_key("flow")),
            "alice_id": alice["user_id"], "url": f"{receiver.url}/{TOKEN}?sig={TOKEN}"}


def subscribe(caller, url: str) -> dict:
    response = caller.post("/webhooks", {"name": "escalations", "event_type": "*", "url": url})
    assert response.status_code == 201, response.body
    return response.json


def target(receiver) -> str:
    host, port = receiver.server.server_address[:2]
    return f"http://{host}:{port}"


def matches_document(body: dict, model: str) -> bool:
    schema = {"$ref": f"#/components/schemas/{model}", "components": document()["components"]}
    return Draft202012Validator(schema).is_valid(body)


def refused(response) -> bool:
    return response.status_code == 403 and response.json["error"]["code"] == "forbidden" \
        and "admin" in response.json["error"]["message"] and TOKEN not in response.body.decode()


@pytest.mark.parametrize("owner", ["admin", "flow"])
def test_another_member_reads_the_webhook_without_its_secret_or_path(team, receiver, owner):
    hook = subscribe(team[owner], team["url"])
    bob = team["bob"]
    listed = bob.get("/webhooks")
    read = bob.get(f"/webhooks/{hook['id']}")
    [seen] = [w for w in listed.json["data"] if w["id"] == hook["id"]]
    for body in (seen, read.json):
        assert body["url"] is None and body["target"] == target(receiver)
        assert body["manageable"] is False and "secret" not in body
        assert body["event_type"] == "*" and body["name"] == "escalations" and body["active"] is True
    for response in (listed, read):
        assert TOKEN not in response.body.decode() and hook["secret"] not in response.body.decode()
    assert matches_document(listed.json, "WebhookList") and matches_document(read.json, "WebhookOut")
    # The delivery log is its health, which every member may follow.
    assert bob.get(f"/webhooks/{hook['id']}/deliveries").status_code == 200


def test_every_route_that_manages_a_webhook_refuses_another_member(team, receiver):
    """Enumerated from the route table, so that a route added later is covered unnamed."""
    hook = subscribe(team["flow"], team["url"])
    managing = [r for r in ROUTES if r.path.startswith(WEBHOOK) and r.method != "GET"]
    assert {r.name for r in managing} >= {"delete_webhook", "redeliver", "test_webhook", "rotate_secret"}
    wrong = []
    for route in managing:
        path = re.sub(r"{(\w+)}", lambda m: {"project_id": team["bob"].project_id, "webhook_id": hook["id"]}.get(
            m[1], "zzzzzzzz"), route.path).removeprefix(f"/v1/ce/projects/{team['bob'].project_id}")
        response = team["bob"].call(route.method, path, BODIES.get(route.name))
        if not refused(response):
            wrong.append((route.name, response.status_code, response.body[:200]))
    assert not wrong
    assert team["bob"].get(f"/webhooks/{hook['id']}").status_code == 200


def test_a_member_manages_with_any_of_their_keys(team, receiver, api):
    hook = subscribe(team["alice"], team["url"])
    other_key = api.as_key(api.key_for(team["alice_id"]))
    assert other_key.get(f"/webhooks/{hook['id']}").json["manageable"] is True
    assert other_key.delete(f"/webhooks/{hook['id']}").status_code == 204


def test_an_automation_key_owns_what_it_subscribed_not_its_name(team, receiver, api):
    hook = subscribe(team["flow"], team["url"])
    namesake = api.as_key(api.automation_key("flow"))
    assert namesake.get(f"/webhooks/{hook['id']}").json["url"] is None
    assert refused(namesake.post(f"/webhooks/{hook['id']}/rotate-secret"))
    assert team["flow"].get(f"/webhooks/{hook['id']}").json["created_by"] == "automation:flow"


@pytest.mark.parametrize("url", ["https://user:pass@example.com/hook", "https://user@example.com/hook",
                                 "https://:pass@example.com/", "https://@example.com/",
                                 "https://example.com:443@evil.example/"])
def test_a_url_with_credentials_is_refused(api, url):
    response = api.post("/webhooks", {"name": "x", "event_type": "*", "url": url})
    assert response.status_code == 400, response.body
    [detail] = response.json["error"]["details"]
    assert detail["field"] == "url" and "credentials" in detail["message"]
    assert api.get("/webhooks").json["data"] == []
