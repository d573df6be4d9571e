"""Webhook subscriptions: made, listed, deleted and pinged; the targets and filters they may name
(deliveries end to end: tests/events/test_webhooks.py)."""
import pytest

from tests.events.conftest import receiver  # noqa: F401  (fixture)
from tests.events.test_webhooks import subscribe, verified

NEVER = [
    "http://169.254.169.254/latest/meta-data/", "http://169.254.170.2/v2/credentials", "http://[fd00:ec2::254]/",
    "http://[::ffff:169.254.169.254]/", "http://[::ffff:a9fe:a9fe]/", "http://[64:ff9b::a9fe:a9fe]/",
    "http://[2002:a9fe:a9fe::1]/", "http://[fe80::1]/", "http://2852039166/", "http://0xa9fea9fe/",
    "http://0251.0376.0251.0376/", "http://169.254.43518/", "http://100.100.100.200/", "http://0.0.0.0:80/",
    "http://224.0.0.1/", "file:///etc/passwd", "gopher://127.0.0.1:70/_stats", "dict://127.0.0.1:11211/",
]


def test_subscription_lifecycle_and_secret_shown_once(api, receiver):
    created = subscribe(api, receiver)
    assert created["secret"].startswith("whsec_") and created["active"] is True
    listed = api.get("/webhooks").json["data"]
    assert [w["id"] for w in listed] == [created["id"]] and "secret" not in listed[0]
    assert "secret" not in api.get(f"/webhooks/{created['id']}").json
    assert api.delete(f"/webhooks/{created['id']}").status_code == 204
    assert api.get(f"/webhooks/{created['id']}").status_code == 404
    assert api.delete(f"/webhooks/{created['id']}").status_code == 404


def test_viewer_cannot_manage_webhooks(api, receiver):
    viewer = api.as_key(api.automation_key("reader", role="viewer"))
    assert viewer.post("/webhooks", {"name": "x", "event_type": "*", "url": receiver.url}).status_code == 403


@pytest.mark.parametrize("url", [
    "http://127.0.0.1/hook", "http://10.0.0.7/", "http://192.168.1.1/", "http://2130706433/",
    "http://169.254.169.254/latest/meta-data/", "http://[::1]/", "http://[::ffff:127.0.0.1]/", "http://0.0.0.0/",
    "http://100.64.0.1/", "http://[64:ff9b::a00:1]/",
])
def test_private_targets_are_refused(api, url):
    response = api.post("/webhooks", {"name": "x", "event_type": "*", "url": url})
    assert response.status_code == 400
    assert response.json["error"]["details"][0]["field"] == "url"


@pytest.mark.parametrize("url", ["ftp://example.com/", "http://", "javascript:alert(1)", "http://[/x",
                                 "http://example.com:99999/", "http://[::1/", "https://17.W*", "https://a_b.example/",
                                 "https://example.com/a b", "https://example.com/\n", "https://bücher.example/"])
def test_urls_the_document_does_not_describe_are_refused(api, url):
    response = api.post("/webhooks", {"name": "x", "event_type": "*", "url": url})
    assert response.status_code == 400 and response.json["error"]["details"][0]["field"] == "url", response.body


@pytest.mark.parametrize("url", NEVER)
def test_metadata_and_link_local_targets_are_refused_even_where_private_ones_are_allowed(api, receiver, url):
    response = api.post("/webhooks", {"name": "x", "event_type": "*", "url": url})
    assert response.status_code == 400, (url, response.body)
    assert response.json["error"]["details"][0]["field"] == "url"


def test_loopback_targets_are_allowed_where_private_ones_are(api, receiver):
    for url in (receiver.url, receiver.url.replace("127.0.0.1", "localhost"), "http://[::1]:9/hook"):
        assert api.post("/webhooks", {"name": "x", "event_type": "*", "url": url}).status_code == 201, url


def test_ping_reports_the_receivers_answer(api, receiver):
    hook = subscribe(api, receiver)
    receiver.answer_with(418)
    result = api.post(f"/webhooks/{hook['id']}/test").json
    assert result["status_code"] == 418 and result["ok"] is False
    receiver.answer_with(204)
    result = api.post(f"/webhooks/{hook['id']}/test").json
    assert result["ok"] is True
    assert verified(receiver.requests[-1], hook["secret"])["type"] == "PING"


@pytest.mark.parametrize("filters, field", [
    ({"status_changed_to": "done"}, "filters.status_changed_to"),
    ({"status_changed_to": ["resolved", "done"]}, "filters.status_changed_to"),
    ({"status_changed_to": []}, "filters.status_changed_to"),
    ({"status_changed_to": 3}, "filters.status_changed_to"),
    ({"ticket_id": ""}, "filters.ticket_id"),
    ({"ticket_id": "a/b"}, "filters.ticket_id"),
    ({"ticket_id": ["x"]}, "filters.ticket_id"),
])
def test_bad_filters_are_refused_naming_the_field(api, receiver, filters, field):
    response = api.post("/webhooks", {"name": "x", "event_type": "*", "url": receiver.url, "filters": filters})
    assert response.status_code == 400
    assert [d["field"] for d in response.json["error"]["details"]] == [field]


def test_once_must_be_a_boolean(api, receiver):
    response = api.post("/webhooks", {"name": "x", "event_type": "*", "url": receiver.url, "once": "soon"})
    assert response.status_code == 400
    assert [d["field"] for d in response.json["error"]["details"]] == ["once"]
