"""A ticket's email thread over HTTP, on memory: who a comment is for (internal notes and public
replies), the thread's requester, CC, reply address and automatic answers, and who may read it."""
from dataclasses import replace

import pytest

from chalicelib import config
from chalicelib.domain import mail_threads
from chalicelib.domain.contacts import Contact
from chalicelib.domain.tickets import Events, history_entry
from chalicelib.services.registry import services


def came_by_email(ticket_id: str, requester: str) -> None:
    """The ticket as mail makes it: with a requester (the API never sets one)."""
    tickets = services().ticket_repo
    ticket = tickets.get(ticket_id)
    after = replace(ticket, requester=requester)
    tickets.update(ticket, after, history_entry(after, Events.TICKET_UPDATED, "system", ticket.updated_at, {}))


def test_a_comment_is_an_internal_note_unless_it_is_a_public_reply(api):
    ticket = api.create_ticket()
    path = f"/tickets/{ticket['id']}/comments"
    note = api.post(path, {"comment": "checking the disk"})
    assert note.status_code == 201 and (note.json["visibility"], note.json["via"]) == ("internal", None)
    refused = api.post(path, {"comment": "Hello Ana", "visibility": "public"})
    assert refused.status_code == 409 and refused.json["error"]["code"] == "no_requester"
    assert [d["field"] for d in refused.json["error"]["details"]] == ["visibility"]
    came_by_email(ticket["id"], "ana@example.com")
    reply = api.post(path, {"comment": "Hello Ana", "visibility": "public"})
    assert reply.status_code == 201 and reply.json["visibility"] == "public"
    listed = api.get(path).json["data"]
    assert [(c["body"], c["visibility"], c["via"]) for c in listed] == [
        ("checking the disk", "internal", None), ("Hello Ana", "public", None)]
    history = {e["id"]: e for e in api.get(f"/tickets/{ticket['id']}/history").json["data"]}
    assert history[reply.json["id"]]["visibility"] == "public"
    assert all(e["visibility"] is None for e in history.values() if e["event"] != "COMMENT_ADDED")
    assert api.get(f"/tickets/{ticket['id']}").json["requester"] == "ana@example.com"


@pytest.mark.parametrize("visibility", ["private", "PUBLIC", None, 1])
def test_an_unknown_visibility_is_400_naming_it(api, visibility):
    ticket = api.create_ticket()
    response = api.post(f"/tickets/{ticket['id']}/comments", {"comment": "x", "visibility": visibility})
    assert response.status_code == 400
    assert [d["field"] for d in response.json["error"]["details"]] == ["visibility"]


def test_a_requester_cannot_be_given_through_the_api(api):
    response = api.post("/tickets", {"title": "t", "description": "", "severity": "low",
                                     "requester": "ana@example.com"})
    assert response.status_code == 400
    assert [d["field"] for d in response.json["error"]["details"]] == ["requester"]
    assert api.create_ticket()["requester"] is None


def test_the_mail_thread_shows_requester_cc_reply_address_and_automatic_answers(api):
    ticket = api.create_ticket()
    path = f"/tickets/{ticket['id']}/mail-thread"
    token = mail_threads.reply_token(config.reply_token_secret(), api.project_id, ticket["id"])
    reply_address = f"ops+{token}@{config.inbound_domain()}"
    assert api.get(path).json == {"requester": None, "cc": [], "reply_address": reply_address, "auto_replies": []}
    came_by_email(ticket["id"], "ana@example.com")
    store = services().ticket_repo
    store.add_to_thread(ticket["id"], ["first@mail.example.com"], ["Ben@Example.com"],
                        mail_threads.AutoReply("ooo@example.com", "Out of office", "2026-01-01T00:00:00.000Z"))
    assert api.get(path).json == {
        "requester": {"email": "ana@example.com", "name": None, "bounced_at": None}, "cc": ["ben@example.com"],
        "reply_address": reply_address,
        "auto_replies": [{"from": "ooo@example.com", "subject": "Out of office", "at": "2026-01-01T00:00:00.000Z"}]}
    services().directory.store.contacts[(api.project_id, "ana@example.com")] = Contact(
        api.project_id, "ana@example.com", "Ana Lima", "2026-01-01T00:00:00.000Z", bounced_at="2026-01-02T00:00:00.000Z")
    assert api.get(path).json["requester"] == {"email": "ana@example.com", "name": "Ana Lima",
                                               "bounced_at": "2026-01-02T00:00:00.000Z"}
    assert mail_threads.ticket_of_token(config.reply_token_secret(), api.project_id, token) == ticket["id"]


def test_the_mail_thread_is_read_like_the_ticket(api):
    ticket = api.create_ticket()
    viewer = api.as_key(api.key_for(api.add_member("viewer")["user_id"]))
    assert viewer.get(f"/tickets/{ticket['id']}/mail-thread").status_code == 200
    assert api.get("/tickets/nosuchticket/mail-thread").status_code == 404
    api.delete(f"/tickets/{ticket['id']}")
    assert api.get(f"/tickets/{ticket['id']}/mail-thread").status_code == 404


def test_search_finds_the_tickets_of_a_requester_in_any_case_with_other_filters(api):
    made = [api.create_ticket(title=f"t{n}") for n in range(4)]
    for ticket, requester in zip(made, ("ana@example.com", "ana@example.com", "ben@example.com")):
        came_by_email(ticket["id"], requester)
    api.patch(f"/tickets/{made[0]['id']}", {"status": "resolved"})

    def found(query: str) -> list[str]:
        response = api.get(f"/tickets?{query}")
        assert response.status_code == 200, response.json
        return [t["title"] for t in response.json["data"]]

    assert found("requester=Ana@Example.COM") == ["t1", "t0"]
    assert found("requester=ana@example.com&status=open") == ["t1"]
    assert found("requester=ana@example.com&sort=updated") == ["t0", "t1"]
    assert found("requester=ana@example.com&sort=severity&limit=1") == ["t1"]
    assert found("requester=ben@example.com&severity=high") == ["t2"]
    assert found("requester=ben@example.com&severity=low") == []
    assert found("requester=nobody@example.com") == []
    page = api.get("/tickets?requester=ana@example.com&limit=1").json
    assert api.get(f"/tickets?requester=ana@example.com&limit=1&cursor={page['cursor']}").json["data"][0]["title"] == "t0"
    assert api.get(f"/tickets?requester=ben@example.com&limit=1&cursor={page['cursor']}").status_code == 400


@pytest.mark.parametrize("value", ["ana", "ana@example.com,ben@example.com", "a b@example.com", ""])
def test_a_requester_that_is_no_address_is_400_naming_it(api, value):
    response = api.get(f"/tickets?requester={value}")
    assert response.status_code == 400
    assert [d["field"] for d in response.json["error"]["details"]] == ["requester"]
