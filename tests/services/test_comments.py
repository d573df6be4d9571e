"""Comments on the in-memory ports (tests/memory_services.py): what a comment answers, and the
list of a ticket's comments, those stored only as their history entry included."""
from dataclasses import replace

import pytest

from chalicelib.domain.comments import NoRequester
from chalicelib.domain.tickets import Events, history_entry
from chalicelib.schemas import comments as comment_schemas
from chalicelib.schemas import people as people_schemas


def test_a_comment_answers_its_entry_and_is_listed_as_a_comment(desk):
    ticket = desk.create_ticket()
    made = desk.comment(ticket["id"], "Rotated the logs")
    assert (made["event"], made["comment"], made["changed_by"]) == ("COMMENT_ADDED", "Rotated the logs",
                                                                    desk.principal.actor)
    [listed] = desk.comments(ticket["id"])["data"]
    assert listed == {"id": made["id"], "ticket_id": ticket["id"], "author": desk.principal.actor,
                      "body": "Rotated the logs", "created_at": made["timestamp"], "edited_at": None,
                      "visibility": "internal", "via": None, "mentions": [], "version": 0,
                      "deleted_at": None, "deleted_by": None}


def test_older_comments_stored_as_entries_only_are_listed_in_their_place(desk):
    ticket_id = desk.create_ticket()["id"]
    desk.comment(ticket_id, "new, first")
    tickets = desk.services.ticket_repo
    ticket = tickets.get(ticket_id)
    older = history_entry(ticket, Events.COMMENT_ADDED, "automation:alerts", "2020-01-01T00:00:00.000Z", {},
                          comment="older")
    tickets.append_history(ticket, older)  # as a comment was stored before comments had records
    desk.comment(ticket_id, "new, second")
    pages, cursor = [], None
    while True:
        page = desk.comments(ticket_id, limit=2, **({"cursor": cursor} if cursor else {}))
        pages.append([c["body"] for c in page["data"]])
        cursor = page["cursor"]
        if cursor is None:
            break
    assert pages == [["older", "new, first"], ["new, second"]]


def test_an_edit_resolves_mentions_as_a_new_comment_does(desk):
    ana = desk.services.people.add_member(desk.principal, people_schemas.MemberCreate(
        email="ana@example.com", name="Ana Lima", role="member")).member.user_id
    ticket_id = desk.create_ticket()["id"]
    made = desk.comment(ticket_id, "looking")
    edited = desk.edit_comment(ticket_id, made["id"], "looking, @ana@example.com; not <@stranger>", '"0"')
    assert (edited["body"], edited["mentions"]) == (f"looking, <@{ana}>; not @stranger", [ana])
    [entry] = [e for e in desk.history(ticket_id)["data"] if e["event"] == "COMMENT_UPDATED"]
    assert entry["changes"] == {"comment": {"old": "looking", "new": edited["body"]}}
    assert desk.comments(ticket_id)["data"][0]["mentions"] == [ana]
    unmentioned = desk.edit_comment(ticket_id, made["id"], "looking", '"1"')
    assert unmentioned["mentions"] == []


def test_words_an_edit_or_a_deletion_took_away_no_longer_find_the_ticket(desk):
    from chalicelib.schemas.tickets import TicketSearch

    def index_new_entries(ticket_id: str, seen: set[str]) -> None:
        """What the tickets stream hands the search terms consumer: each new entry, oldest first."""
        entries, _ = desk.services.ticket_repo.history(ticket_id, None, 100, None)
        for entry in reversed(entries):
            if entry.id not in seen:
                seen.add(entry.id)
                desk.services.search_index.apply(entry)

    def found(words: str) -> list[str]:
        return [t["id"] for t in desk.services.ticket_search.search(desk.principal, TicketSearch(q=words))["data"]]

    ticket_id, seen = desk.create_ticket(title="Edge-7 reboots")["id"], set()
    first = desk.comment(ticket_id, "Firmware rollback planned")
    desk.comment(ticket_id, "firmware vendor called back")
    index_new_entries(ticket_id, seen)
    assert found("rollback") == found("firmware") == [ticket_id]
    desk.edit_comment(ticket_id, first["id"], "Firmware upgrade planned", '"0"')
    index_new_entries(ticket_id, seen)
    assert found("rollback") == [] and found("upgrade") == [ticket_id]
    desk._next_request()
    desk.services.comments.delete(desk.principal, ticket_id, first["id"], None)
    index_new_entries(ticket_id, seen)
    assert found("upgrade") == [] and found("planned") == []
    assert found("firmware vendor") == [ticket_id]  # the other comment's words stay


def with_requester(desk, ticket_id: str, requester: str) -> None:
    """The ticket as if it had come by email (only mail sets a requester)."""
    tickets = desk.services.ticket_repo
    ticket = tickets.get(ticket_id)
    after = replace(ticket, requester=requester)
    tickets.update(ticket, after, history_entry(after, Events.TICKET_UPDATED, "system", ticket.updated_at, {}))


def test_a_public_comment_is_a_reply_kept_public_through_its_edits(desk):
    ticket_id = desk.create_ticket()["id"]
    with_requester(desk, ticket_id, "ana@example.com")
    made = desk.services.comments.add(desk.principal, ticket_id, comment_schemas.CommentCreate(
        comment="We are on it", visibility="public"))
    assert (made["visibility"], made["via"]) == ("public", None)
    note = desk.comment(ticket_id, "internal, by default")
    assert note["visibility"] == "internal"
    desk.edit_comment(ticket_id, made["id"], "We are on it: the disk is being replaced", '"0"')
    listed = {c["id"]: c["visibility"] for c in desk.comments(ticket_id)["data"]}
    assert listed == {made["id"]: "public", note["id"]: "internal"}
    entries = {e.id: e for e in desk.services.ticket_repo.history(ticket_id, None, 100, None)[0]}
    assert (entries[made["id"]].visibility, entries[note["id"]].visibility) == ("public", None)
    [edit] = [e for e in entries.values() if e.event == Events.COMMENT_UPDATED]
    assert edit.about_comment["visibility"] == "public"


def test_a_public_comment_on_a_ticket_without_requester_is_refused_and_writes_nothing(desk):
    ticket_id = desk.create_ticket()["id"]
    with pytest.raises(NoRequester) as refused:
        desk.services.comments.add(desk.principal, ticket_id, comment_schemas.CommentCreate(
            comment="Hello?", visibility="public"))
    assert refused.value.status == 409 and refused.value.details[0].field == "visibility"
    assert desk.comments(ticket_id)["data"] == []
