"""What DynamoDB itself decides about comment edits: of two edits made against the same version,
one is written and the other is refused with nothing of it stored; and an edit's or a deletion's
words reach search through the tickets stream."""
import threading
from concurrent.futures import ThreadPoolExecutor

from chalicelib.errors import PreconditionFailed
from chalicelib.schemas.comments import CommentEdit
from chalicelib.services.registry import services
from tests.streams import pump_tickets_stream


def test_of_two_edits_against_the_same_version_exactly_one_is_written(api, monkeypatch):
    ticket = api.create_ticket()
    made = api.post(f"/tickets/{ticket['id']}/comments", {"comment": "first words"}).json
    principal = services().auth.authenticate(f"Bearer {api.token}", api.project_id, "127.0.0.1")
    comments = services().comments
    # Both read the comment at version 0 before either writes: only the condition on the comment's
    # item can tell them apart.
    both_read = threading.Barrier(2)
    read = comments.comments.comment

    def read_then_wait(*args):
        found = read(*args)
        both_read.wait(timeout=10)
        return found
    monkeypatch.setattr(comments.comments, "comment", read_then_wait)

    def edit(text: str) -> str:
        try:
            comments.edit(principal, ticket["id"], made["id"], CommentEdit(comment=text), '"0"')
            return text
        except PreconditionFailed:
            return "refused"

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(pool.map(edit, ["from tab one", "from tab two"]))
    monkeypatch.undo()
    assert outcomes.count("refused") == 1, outcomes
    [written] = [outcome for outcome in outcomes if outcome != "refused"]
    now = api.get(f"/tickets/{ticket['id']}/comments/{made['id']}")
    assert (now.json["body"], now.json["version"], now.headers["ETag"]) == (written, 1, '"1"')
    assert api.get(f"/tickets/{ticket['id']}/comments/{made['id']}/revisions").json["data"][0]["body"] == "first words"
    updates = [e for e in api.get(f"/tickets/{ticket['id']}/history").json["data"] if e["event"] == "COMMENT_UPDATED"]
    assert [e["comment"] for e in updates] == [written]


def test_words_an_edit_and_a_deletion_took_away_stop_finding_the_ticket_through_the_stream(api):
    ticket = api.create_ticket(title="Edge-7 reboots")
    made = api.post(f"/tickets/{ticket['id']}/comments", {"comment": "Firmware rollback planned"}).json
    api.post(f"/tickets/{ticket['id']}/comments", {"comment": "vendor called back"})
    pump_tickets_stream()
    assert [t["id"] for t in api.get("/tickets?q=rollback").json["data"]] == [ticket["id"]]
    url = f"/tickets/{ticket['id']}/comments/{made['id']}"
    assert api.patch(url, {"comment": "Firmware upgrade planned"}, headers={"If-Match": '"0"'}).status_code == 200
    pump_tickets_stream()
    assert api.get("/tickets?q=rollback").json["data"] == []
    assert [t["id"] for t in api.get("/tickets?q=upgrade").json["data"]] == [ticket["id"]]
    assert api.delete(url).status_code == 204
    pump_tickets_stream()
    assert api.get("/tickets?q=upgrade").json["data"] == [] and api.get("/tickets?q=firmware").json["data"] == []
    assert [t["id"] for t in api.get("/tickets?q=vendor").json["data"]] == [ticket["id"]]
