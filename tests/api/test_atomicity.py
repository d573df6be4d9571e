"""A ticket change and its history entry commit together or not at all."""
import pytest

from chalicelib.adapters.dynamodb import history, keys


@pytest.fixture
def colliding_history_ids(monkeypatch):
    """Makes the next history entry reuse the id and timestamp of an existing one, so its
    conditional put fails inside DynamoDB, as a real write failure would."""
    fixed = {}

    def pin(entry: dict):
        fixed.update(entry)

    original_item = history.to_history_item

    def colliding_item(entry):
        item = original_item(entry)
        if fixed:
            item.pk = keys.ticket_pk(fixed["ticket_id"])
            item.sk = keys.history_sk(fixed["timestamp"], fixed["id"])
        return item

    monkeypatch.setattr(history, "to_history_item", colliding_item)
    return pin


def test_update_is_not_applied_when_its_history_entry_fails(api, colliding_history_ids):
    ticket = api.create_ticket(tags=["a"])
    [created] = api.get(f"/tickets/{ticket['id']}/history").json["data"]
    colliding_history_ids(created)

    response = api.patch(f"/tickets/{ticket['id']}", {"title": "changed", "tags": ["b"], "status": "resolved"})
    assert response.status_code == 409

    after = api.get(f"/tickets/{ticket['id']}").json
    assert (after["title"], after["tags"], after["status"], after["version"]) == (ticket["title"], ["a"], "new", 1)
    assert [t["id"] for t in api.get("/tickets?tags=a").json["data"]] == [ticket["id"]]
    assert api.get("/tickets?tags=b").json["data"] == []
    assert len(after["history"]) == 1


def test_delete_is_not_applied_when_its_history_entry_fails(api, colliding_history_ids):
    ticket = api.create_ticket()
    [created] = api.get(f"/tickets/{ticket['id']}/history").json["data"]
    colliding_history_ids(created)
    assert api.delete(f"/tickets/{ticket['id']}").status_code == 409
    assert api.get(f"/tickets/{ticket['id']}").status_code == 200


def test_create_leaves_nothing_when_its_history_entry_fails(api, colliding_history_ids):
    first = api.create_ticket()
    [created] = api.get(f"/tickets/{first['id']}/history").json["data"]
    colliding_history_ids(created)
    response = api.post("/tickets", {"title": "second", "description": "", "severity": "low", "tags": ["x"]})
    assert response.status_code == 409
    assert [t["id"] for t in api.get("/tickets").json["data"]] == [first["id"]]
    assert api.get("/tickets?tags=x").json["data"] == []
