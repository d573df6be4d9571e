"""Who manages a webhook, where its deliveries or a stored webhook are part of it: refused managers
neither rotate, ping nor redeliver; owners and admins do; a webhook stored before owners were is
its maker's (the rest of who manages a webhook: tests/rules/test_webhook_owners.py)."""
from dataclasses import replace

import pytest
from standardwebhooks.webhooks import Webhook

from chalicelib.adapters.dynamodb.webhooks import WebhooksRepository
from tests.rules.test_webhook_owners import matches_document, refused, subscribe, target, team  # noqa: F401  (team: a fixture)
from tests.streams import pump_tickets_stream, pump_webhook_queue


def delivered(caller, hook: dict, receiver) -> dict:
    """A ticket event delivered to the hook; its delivery, as the log shows it."""
    caller.create_ticket()
    pump_tickets_stream()
    pump_webhook_queue()
    [delivery] = caller.get(f"/webhooks/{hook['id']}/deliveries").json["data"]
    return delivery


@pytest.mark.parametrize("owner", ["admin", "flow"])
def test_another_member_cannot_rotate_test_redeliver_or_delete_it(team, receiver, owner):
    hook = subscribe(team[owner], team["url"])
    delivery = delivered(team[owner], hook, receiver)
    bob, sent = team["bob"], len(receiver.requests)
    assert refused(bob.post(f"/webhooks/{hook['id']}/rotate-secret"))
    assert refused(bob.post(f"/webhooks/{hook['id']}/test"))
    assert refused(bob.post(f"/webhooks/{hook['id']}/deliveries/{delivery['id']}/redeliver"))
    assert refused(bob.delete(f"/webhooks/{hook['id']}"))
    pump_webhook_queue()
    assert len(receiver.requests) == sent  # no ping, no redelivery
    assert team[owner].get(f"/webhooks/{hook['id']}").json["url"] == team["url"]
    # The secret was not rotated: the next delivery is signed with the first one alone.
    team[owner].create_ticket()
    pump_tickets_stream()
    pump_webhook_queue()
    signature = receiver.requests[-1].headers["webhook-signature"]
    assert len(signature.split(" ")) == 1
    Webhook(hook["secret"]).verify(receiver.requests[-1].body,
                                   {k.lower(): v for k, v in receiver.requests[-1].headers.items()})


@pytest.mark.parametrize("owner,manager", [("admin", "admin"), ("flow", "flow"), ("flow", "admin"),
                                           ("alice", "alice"), ("alice", "admin")])
def test_the_owner_and_admins_manage_it(team, receiver, owner, manager):
    hook = subscribe(team[owner], team["url"])
    delivery = delivered(team[owner], hook, receiver)
    caller = team[manager]
    read = caller.get(f"/webhooks/{hook['id']}").json
    assert read["url"] == team["url"] and read["manageable"] is True and read["target"] == target(receiver)
    assert matches_document(read, "WebhookOut")
    assert caller.post(f"/webhooks/{hook['id']}/test").json["ok"] is True
    assert caller.post(f"/webhooks/{hook['id']}/deliveries/{delivery['id']}/redeliver").status_code == 202
    rotated = caller.post(f"/webhooks/{hook['id']}/rotate-secret")
    assert rotated.status_code == 200 and rotated.json["secret"] != hook["secret"]
    assert matches_document(rotated.json, "WebhookCreated")
    assert caller.delete(f"/webhooks/{hook['id']}").status_code == 204


@pytest.mark.parametrize("maker,owners,others", [
    ("flow", ["flow", "namesake", "admin"], ["bob"]),
    ("alice", ["alice", "admin"], ["bob", "flow"]),
])
def test_a_webhook_made_before_owners_were_recorded_is_managed_by_its_maker(team, receiver, api, maker, owners,
                                                                             others):
    """Such a webhook records only its maker's actor: a member's user id, or automation:<name>, which
    any automation key of that name holds (a flow subscribed then can still unsubscribe itself)."""
    team["namesake"] = api.as_key(api.automation_key("flow"))
    hook = subscribe(team[maker], team["url"])
    repo = WebhooksRepository()
    stored = repo.subscription(api.project_id, hook["id"])
    repo.save_subscription(replace(stored, owner=None), new=False)
    for caller in others:
        assert team[caller].get(f"/webhooks/{hook['id']}").json["url"] is None
        assert refused(team[caller].delete(f"/webhooks/{hook['id']}"))
    for caller in owners:
        assert team[caller].get(f"/webhooks/{hook['id']}").json["manageable"] is True, caller
        assert team[caller].post(f"/webhooks/{hook['id']}/rotate-secret").status_code == 200, caller
    assert team[owners[0]].delete(f"/webhooks/{hook['id']}").status_code == 204
