"""Commenting on a ticket and listing its comments, those made before comments were stored on
their own (as history entries only) included."""
import pytest

from chalicelib.adapters.dynamodb.history import to_history_item
from chalicelib.domain.clock import new_id
from chalicelib.domain.tickets import Events, HistoryEntry
from tests.api.test_atomicity import colliding_history_ids  # noqa: F401 - a fixture


def comments(api, ticket_id: str, query: str = "") -> list[dict]:
    response = api.get(f"/tickets/{ticket_id}/comments{query}")
    assert response.status_code == 200, response.body
    return response.json["data"]


def write_legacy_comment(ticket: dict, author: str, body: str, timestamp: str) -> str:
    """A comment as stored before comments had items of their own: its COMMENT_ADDED entry only."""
    entry = HistoryEntry(id=new_id(), ticket_id=ticket["id"], project_id=ticket["project_id"],
                         event=Events.COMMENT_ADDED, timestamp=timestamp, changed_by=author, changes={},
                         comment=body, ticket=ticket)
    to_history_item(entry).save()
    return entry.id


def test_comments_are_listed_oldest_first_as_they_were_made(api, admin_id):
    ticket = api.create_ticket()
    member = api.add_member("member")["user_id"]
    as_member = api.as_key(api.key_for(member))
    made = [api.post(f"/tickets/{ticket['id']}/comments", {"comment": "first"}).json,
            as_member.post(f"/tickets/{ticket['id']}/comments", {"comment": "second *bold*"}).json]

    listed = comments(api, ticket["id"])
    assert [(c["id"], c["author"], c["body"], c["created_at"]) for c in listed] == [
        (made[0]["id"], admin_id, "first", made[0]["timestamp"]),
        (made[1]["id"], member, "second *bold*", made[1]["timestamp"])]
    assert all(c["ticket_id"] == ticket["id"] and c["edited_at"] is None and c["visibility"] == "internal"
               and c["mentions"] == [] for c in listed)
    assert api.get(f"/tickets/{ticket['id']}/comments").json["cursor"] is None
    # Named by its key too, and readable by a viewer.
    viewer = api.as_key(api.key_for(api.add_member("viewer")["user_id"]))
    assert comments(viewer, ticket["key"]) == listed


def test_the_comment_of_a_change_is_listed_after_it(api):
    ticket = api.create_ticket()
    response = api.post("/tickets/bulk", {"ticket_ids": [ticket["key"]], "change": {"severity": "low"},
                                          "comment": "lowered"})
    assert response.status_code == 200 and response.json["results"][0]["status"] == 200
    [comment] = comments(api, ticket["id"])
    history = api.get(f"/tickets/{ticket['id']}/history").json["data"]
    assert [entry["event"] for entry in history[:2]] == ["COMMENT_ADDED", "TICKET_UPDATED"]
    assert (comment["id"], comment["body"]) == (history[0]["id"], "lowered")


def test_comments_come_in_pages_that_a_cursor_continues(api):
    ticket = api.create_ticket()
    made = [api.post(f"/tickets/{ticket['id']}/comments", {"comment": f"note {n}"}).json["id"] for n in range(5)]
    seen, cursor, pages = [], None, 0
    while True:
        query = "?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = api.get(f"/tickets/{ticket['id']}/comments{query}").json
        seen += [c["id"] for c in page["data"]]
        pages += 1
        cursor = page["cursor"]
        if cursor is None:
            break
    assert seen == made and pages == 3


def test_a_cursor_of_another_list_is_refused(api):
    ticket, other = api.create_ticket(), api.create_ticket()
    for n in range(2):
        api.post(f"/tickets/{ticket['id']}/comments", {"comment": f"note {n}"})
    cursor = api.get(f"/tickets/{ticket['id']}/comments?limit=1").json["cursor"]
    response = api.get(f"/tickets/{other['id']}/comments?cursor={cursor}")
    assert response.status_code == 400, response.body
    assert response.json["error"]["details"][0]["field"] == "cursor"
    history_cursor = api.get(f"/tickets/{ticket['id']}/history?limit=1").json["cursor"]
    assert api.get(f"/tickets/{ticket['id']}/comments?cursor={history_cursor}").status_code == 400


def test_comments_stored_only_as_history_entries_are_listed_with_the_new_ones(api, admin_id):
    ticket = api.create_ticket()
    older = write_legacy_comment(ticket, "automation:alerts", "from before", "2020-01-01T00:00:00.000Z")
    newer = api.post(f"/tickets/{ticket['id']}/comments", {"comment": "from now"}).json
    later = write_legacy_comment(ticket, admin_id, "an older write, replayed", "2099-01-01T00:00:00.000Z")

    listed = comments(api, ticket["id"])
    assert [(c["id"], c["author"], c["body"]) for c in listed] == [
        (older, "automation:alerts", "from before"), (newer["id"], admin_id, "from now"),
        (later, admin_id, "an older write, replayed")]
    assert listed[0]["created_at"] == "2020-01-01T00:00:00.000Z" and listed[0]["edited_at"] is None
    # One at a time, each comment once, across both kinds.
    one_by_one, cursor = [], None
    for _ in range(3):
        page = api.get(f"/tickets/{ticket['id']}/comments?limit=1" + (f"&cursor={cursor}" if cursor else "")).json
        one_by_one += [c["id"] for c in page["data"]]
        cursor = page["cursor"]
    assert one_by_one == [older, newer["id"], later] and cursor is None
    # History shows the three entries as it always did.
    entries = api.get(f"/tickets/{ticket['id']}/history?event=COMMENT_ADDED").json["data"]
    assert [e["comment"] for e in entries] == ["an older write, replayed", "from now", "from before"]


def test_only_the_projects_tickets_have_comments_and_a_deleted_ones_are_for_admins(api, client):
    from tests.api.conftest import new_project

    ticket = api.create_ticket()
    api.post(f"/tickets/{ticket['id']}/comments", {"comment": "kept"})
    elsewhere, _ = new_project(client, key="ELSE")
    assert elsewhere.get(f"/tickets/{ticket['id']}/comments").status_code == 404
    assert api.get("/tickets/OPS-99/comments").status_code == 404
    member = api.as_key(api.key_for(api.add_member("member")["user_id"]))
    assert api.delete(f"/tickets/{ticket['id']}").status_code == 204
    assert member.get(f"/tickets/{ticket['id']}/comments").status_code == 404
    assert [c["body"] for c in comments(api, ticket["id"])] == ["kept"]
    assert api.post(f"/tickets/{ticket['id']}/comments", {"comment": "too late"}).status_code == 404


def test_a_comment_whose_history_entry_fails_is_not_stored(api, colliding_history_ids):  # noqa: F811
    ticket = api.create_ticket()
    [created] = api.get(f"/tickets/{ticket['id']}/history").json["data"]
    colliding_history_ids(created)
    assert api.post(f"/tickets/{ticket['id']}/comments", {"comment": "lost"}).status_code == 404
    assert comments(api, ticket["id"]) == []


@pytest.mark.parametrize("query,field", [("?limit=101", "limit"), ("?cursor=nonsense", "cursor"),
                                         ("?colour=red", "colour")])
def test_bad_parameters_are_named(api, query, field):
    ticket = api.create_ticket()
    response = api.get(f"/tickets/{ticket['id']}/comments{query}")
    assert response.status_code == 400, response.body
    assert response.json["error"]["details"][0]["field"] == field
