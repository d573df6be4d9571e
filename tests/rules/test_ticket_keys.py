"""Every ticket route takes the ticket's key (OPS-42, any case) wherever it takes its id (the keys'
guards in the table, and another project's key costing no lookup: tests/api/test_ticket_keys.py)."""
import pytest


@pytest.fixture
def ticket(api):
    api.create_ticket()  # OPS-1, so that the key and the position in the list differ
    return api.create_ticket(tags=["db"])


def test_get_by_key_is_the_same_ticket(api, ticket):
    by_id = api.get(f"/tickets/{ticket['id']}")
    by_key = api.get("/tickets/OPS-2")
    assert by_key.status_code == 200
    assert by_key.json == by_id.json and by_key.headers["ETag"] == by_id.headers["ETag"]


def test_keys_are_case_insensitive(api, ticket):
    assert api.get("/tickets/ops-2").json["id"] == ticket["id"]
    assert api.get("/tickets/Ops-2").json["id"] == ticket["id"]


def test_patch_comment_and_history_by_key(api, ticket):
    response = api.patch("/tickets/OPS-2", {"status": "acknowledged"}, headers={"If-Match": '"1"'})
    assert response.status_code == 200 and response.json["id"] == ticket["id"]
    assert response.headers["ETag"] == '"2"'
    comment = api.post("/tickets/ops-2/comments", {"comment": "on it"})
    assert comment.status_code == 201 and comment.json["ticket_id"] == ticket["id"]
    history = api.get("/tickets/OPS-2/history").json["data"]
    assert [h["event"] for h in history] == ["COMMENT_ADDED", "TICKET_UPDATED", "TICKET_CREATED"]
    assert api.get(f"/tickets/{ticket['id']}/history").json == api.get("/tickets/OPS-2/history").json


def test_attachments_by_key(api, ticket):
    started = api.post("/tickets/OPS-2/attachments", {"file_name": "a.txt", "content_type": "text/plain", "size": 3})
    assert started.status_code == 201
    attachment_id = started.json["attachment"]["id"]
    assert [a["id"] for a in api.get("/tickets/ops-2/attachments").json["data"]] == [attachment_id]
    assert api.get(f"/tickets/OPS-2/attachments/{attachment_id}").json["id"] == attachment_id
    assert api.post(f"/tickets/OPS-2/attachments/{attachment_id}/complete").status_code == 409  # no file yet
    assert api.delete(f"/tickets/OPS-2/attachments/{attachment_id}").status_code == 204
    assert api.get(f"/tickets/{ticket['id']}/attachments").json["data"] == []


def test_delete_by_key_then_the_key_is_404_but_admins_read_the_history(api, ticket):
    member = api.as_key(api.key_for(api.add_member("member")["user_id"]))
    assert member.delete("/tickets/OPS-2").status_code == 204
    for path in ("/tickets/OPS-2", f"/tickets/{ticket['id']}"):
        assert api.get(path).status_code == 404
        assert member.patch(path, {"title": "x"}).status_code == 404
        assert member.post(f"{path}/comments", {"comment": "x"}).status_code == 404
        assert member.get(f"{path}/history").status_code == 404
        assert member.get(f"{path}/attachments").status_code == 404
    history = api.get("/tickets/ops-2/history")
    assert history.status_code == 200
    assert [h["event"] for h in history.json["data"]] == ["TICKET_DELETED", "TICKET_CREATED"]


@pytest.mark.parametrize("key", ["OPS-3", "OPS-99999", "OPS-0", "OPS-02", "OPS-", "-2", "OPS-2-2", "OPS_2",
                                 "OPS-99999999999999999999", "O-2"])
def test_unknown_or_malformed_key_is_404(api, ticket, key):
    response = api.get(f"/tickets/{key}")
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"


def test_keys_only_stand_for_tickets(api, ticket):
    """Other path ids (projects, attachments, members) keep to the id format."""
    assert api.get(f"/tickets/OPS-2/attachments/OPS-2").status_code == 404
    assert api.get("/tickets/OPS-2/attachments").status_code == 200
