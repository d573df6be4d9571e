"""Editing and deleting comments over HTTP, on the in-memory tables: who may, If-Match, the
revisions kept, the history entries written with each change, and the placeholder a deletion leaves
without its text anywhere."""
import json

from chalicelib.domain.comments import MAX_COMMENT_REVISIONS


def comment_on(api, ticket_id: str, text: str) -> dict:
    response = api.post(f"/tickets/{ticket_id}/comments", {"comment": text})
    assert response.status_code == 201, response.body
    return response.json


def edit(api, ticket_id: str, comment_id: str, text: str, if_match: str | None = '"0"'):
    return api.patch(f"/tickets/{ticket_id}/comments/{comment_id}", {"comment": text},
                     headers={"If-Match": if_match} if if_match is not None else {})


def history(api, ticket_id: str) -> list[dict]:
    return api.get(f"/tickets/{ticket_id}/history").json["data"]


def test_the_author_edits_against_the_version_read_and_every_revision_is_kept(api, admin_id):
    ticket = api.create_ticket()
    made = comment_on(api, ticket["id"], "Rotated the logs on db-1")
    url = f"/tickets/{ticket['id']}/comments/{made['id']}"
    read = api.get(url)
    assert read.status_code == 200 and read.headers["ETag"] == '"0"'
    assert (read.json["version"], read.json["deleted_at"], read.json["deleted_by"]) == (0, None, None)

    first = edit(api, ticket["id"], made["id"], "Rotated the logs on db-2", read.headers["ETag"])
    assert first.status_code == 200, first.body
    assert first.headers["ETag"] == '"1"' and first.json["version"] == 1
    assert first.json["body"] == "Rotated the logs on db-2" and first.json["edited_at"] is not None
    second = edit(api, ticket["id"], made["id"], "Rotated the logs on db-3", '"1"')
    assert second.status_code == 200 and second.json["version"] == 2
    assert api.get(url).json == second.json

    revisions = api.get(url + "/revisions")
    assert revisions.status_code == 200
    assert revisions.json == {"data": [
        {"body": "Rotated the logs on db-1", "edited_at": made["timestamp"], "edited_by": admin_id},
        {"body": "Rotated the logs on db-2", "edited_at": first.json["edited_at"], "edited_by": admin_id}]}
    updated = [e for e in history(api, ticket["id"]) if e["event"] == "COMMENT_UPDATED"]
    assert [(e["comment_id"], e["changes"], e["comment"], e["timestamp"]) for e in reversed(updated)] == [
        (made["id"], {"comment": {"old": "Rotated the logs on db-1", "new": "Rotated the logs on db-2"}},
         "Rotated the logs on db-2", first.json["edited_at"]),
        (made["id"], {"comment": {"old": "Rotated the logs on db-2", "new": "Rotated the logs on db-3"}},
         "Rotated the logs on db-3", second.json["edited_at"])]
    assert all(e["comment_id"] is None for e in history(api, ticket["id"]) if e["event"] != "COMMENT_UPDATED")


def test_an_edit_needs_if_match_and_a_stale_one_changes_nothing(api):
    ticket = api.create_ticket()
    made = comment_on(api, ticket["id"], "first words")
    missing = edit(api, ticket["id"], made["id"], "other words", if_match=None)
    assert missing.status_code == 428
    assert missing.json["error"]["code"] == "precondition_required"
    assert [d["field"] for d in missing.json["error"]["details"]] == ["If-Match"]
    assert edit(api, ticket["id"], made["id"], "second words").status_code == 200
    stale = edit(api, ticket["id"], made["id"], "lost words", '"0"')
    assert stale.status_code == 412 and stale.json["error"]["code"] == "precondition_failed"
    assert api.get(f"/tickets/{ticket['id']}/comments/{made['id']}").json["body"] == "second words"
    assert edit(api, ticket["id"], made["id"], "any version", "*").status_code == 200


def test_only_the_author_edits_and_the_author_or_an_admin_deletes(api):
    ticket = api.create_ticket()
    ana = api.as_key(api.key_for(api.add_member("member")["user_id"]))
    ben = api.as_key(api.key_for(api.add_member("member")["user_id"]))
    viewer = api.as_key(api.key_for(api.add_member("viewer")["user_id"]))
    by_ana = comment_on(ana, ticket["id"], "ana's words")
    by_admin = comment_on(api, ticket["id"], "the admin's words")
    for other in (ben, api):  # an admin neither: edits put words in someone's mouth
        refused = edit(other, ticket["id"], by_ana["id"], "not mine")
        assert refused.status_code == 403, refused.body
    assert edit(viewer, ticket["id"], by_ana["id"], "not mine").status_code == 403
    assert ben.delete(f"/tickets/{ticket['id']}/comments/{by_ana['id']}").status_code == 403
    assert ana.delete(f"/tickets/{ticket['id']}/comments/{by_admin['id']}").status_code == 403
    assert ana.delete(f"/tickets/{ticket['id']}/comments/{by_ana['id']}").status_code == 204
    assert api.delete(f"/tickets/{ticket['id']}/comments/{by_admin['id']}").status_code == 204
    assert viewer.get(f"/tickets/{ticket['id']}/comments/{by_ana['id']}").json["deleted_at"] is not None


def test_a_deleted_comment_leaves_a_placeholder_and_its_text_nowhere(api, admin_id):
    ticket = api.create_ticket()
    kept = comment_on(api, ticket["id"], "kept words")
    made = comment_on(api, ticket["id"], "secret password hunter2")
    for n, text in enumerate(["secret password hunter3", "secret password hunter4"]):
        assert edit(api, ticket["id"], made["id"], text, f'"{n}"').status_code == 200
    url = f"/tickets/{ticket['id']}/comments/{made['id']}"
    stale = api.delete(url, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert api.delete(url, headers={"If-Match": '"2"'}).status_code == 204
    assert api.delete(url).status_code == 204  # deleted already: nothing more to do

    placeholder = api.get(url).json
    assert (placeholder["body"], placeholder["deleted_by"], placeholder["version"]) == ("", admin_id, 2)
    assert placeholder["deleted_at"] is not None and placeholder["mentions"] == []
    assert api.get(url + "/revisions").json == {"data": []}
    listed = api.get(f"/tickets/{ticket['id']}/comments").json["data"]
    assert [c["body"] for c in listed] == ["kept words", ""]
    entries = history(api, ticket["id"])
    assert [e["event"] for e in entries[:4]] == ["COMMENT_DELETED", "COMMENT_UPDATED", "COMMENT_UPDATED",
                                                  "COMMENT_ADDED"]
    deleted = entries[0]
    assert (deleted["comment_id"], deleted["changes"], deleted["comment"]) == (made["id"], {}, None)
    assert deleted["timestamp"] == placeholder["deleted_at"]
    assert "hunter" not in json.dumps(entries) + json.dumps(api.get(f"/tickets/{ticket['id']}").json)
    assert "kept words" in json.dumps(entries)
    refused = edit(api, ticket["id"], made["id"], "back again", '"2"')
    assert refused.status_code == 409 and refused.json["error"]["code"] == "comment_deleted"


def test_a_comment_is_edited_at_most_fifty_times(api):
    ticket = api.create_ticket()
    made = comment_on(api, ticket["id"], "draft 0")
    for n in range(MAX_COMMENT_REVISIONS):
        assert edit(api, ticket["id"], made["id"], f"draft {n + 1}", f'"{n}"').status_code == 200
    refused = edit(api, ticket["id"], made["id"], "one more", f'"{MAX_COMMENT_REVISIONS}"')
    assert refused.status_code == 409 and refused.json["error"]["code"] == "too_many_revisions"
    # Its deletion still scrubs every entry at once.
    assert api.delete(f"/tickets/{ticket['id']}/comments/{made['id']}").status_code == 204
    assert "draft" not in json.dumps(api.get(f"/tickets/{ticket['id']}/history?limit=100").json)


def test_unknown_comments_and_other_tickets_are_not_found(api):
    ticket, other = api.create_ticket(), api.create_ticket()
    made = comment_on(api, ticket["id"], "here")
    for path in (f"/tickets/{other['id']}/comments/{made['id']}", f"/tickets/{ticket['id']}/comments/nosuchcomment"):
        assert api.get(path).status_code == 404
        assert api.patch(path, {"comment": "x"}, headers={"If-Match": "*"}).status_code == 404
        assert api.delete(path).status_code == 404
        assert api.get(path + "/revisions").status_code == 404
    assert api.get(f"/tickets/{ticket['key']}/comments/{made['id']}").json["body"] == "here"


def test_an_edit_too_large_to_store_with_its_earlier_versions_is_refused_naming_the_field(api):
    ticket = api.create_ticket()
    made = comment_on(api, ticket["id"], "short")
    # 65,536 emoji: 256 KiB as text, 768 KiB escaped in the edit's entry.
    refused = edit(api, ticket["id"], made["id"], "\U0001f600" * 65536)
    assert refused.status_code == 409, refused.body
    assert refused.json["error"]["code"] == "comment_too_large"
    assert [d["field"] for d in refused.json["error"]["details"]] == ["comment"]
    assert api.get(f"/tickets/{ticket['id']}/comments/{made['id']}").json["version"] == 0
    assert [e["event"] for e in history(api, ticket["id"])] == ["COMMENT_ADDED", "TICKET_CREATED"]
