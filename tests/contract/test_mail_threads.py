"""The storage contract of tickets' email threads, held by moto, DynamoDB Local and memory alike:
a thread grows without repeating itself and within its limits, and the Message-ID index finds a
ticket by the first id it knows, in the order asked, within one project."""
from chalicelib.domain.mail_threads import MAX_AUTO_REPLIES, MAX_THREAD_MESSAGE_IDS, AutoReply
from chalicelib.domain.clock import new_id
from tests.contract.test_repositories import entry, make_ticket


def test_a_thread_grows_once_per_id_and_address(repo, project_id):
    ticket = make_ticket(project_id, 1)
    repo.create(ticket, entry(ticket))
    assert repo.thread(ticket.id) is None
    repo.add_to_thread(ticket.id, ["<First@mail.example.com>"], ["Ben@Example.com", "cat@example.com"])
    again = repo.add_to_thread(ticket.id, ["first@MAIL.example.com", "second@mail.example.com"], ["ben@example.com"])
    thread = repo.thread(ticket.id)
    assert thread == again
    assert thread.message_ids == ("First@mail.example.com", "second@mail.example.com")
    assert thread.cc == ("ben@example.com", "cat@example.com")
    assert thread.latest_message_id == "second@mail.example.com"
    # The thread sits in the ticket's collection: the detail still reads as before.
    detail = repo.detail(ticket.id)
    assert detail.ticket == ticket and [h.event for h in detail.history] == ["TICKET_CREATED"]


def test_a_thread_keeps_its_first_id_and_the_latest_within_its_limits(repo, project_id):
    ticket = make_ticket(project_id, 1)
    repo.create(ticket, entry(ticket))
    ids = [f"m{n}@mail.example.com" for n in range(MAX_THREAD_MESSAGE_IDS + 5)]
    repo.add_to_thread(ticket.id, ids[:3], [])
    repo.add_to_thread(ticket.id, ids[3:], [])
    for n in range(MAX_AUTO_REPLIES + 2):
        repo.add_to_thread(ticket.id, [], [], AutoReply("ooo@example.com", f"Away {n}", f"2026-01-01T00:00:{n:02d}Z"))
    thread = repo.thread(ticket.id)
    assert thread.message_ids == (ids[0], *ids[-(MAX_THREAD_MESSAGE_IDS - 1):])
    assert [r.subject for r in thread.auto_replies] == [f"Away {n}" for n in range(2, MAX_AUTO_REPLIES + 2)]
    assert thread.auto_replies[-1] == AutoReply("ooo@example.com", f"Away {MAX_AUTO_REPLIES + 1}",
                                                f"2026-01-01T00:00:{MAX_AUTO_REPLIES + 1:02d}Z")


def test_the_index_finds_the_first_known_id_in_the_order_asked_within_its_project(repo, project_id):
    first, second = new_id(), new_id()
    repo.record_message_ids(project_id, first, ["<A1@mail.example.com>", "a2@mail.example.com"])
    repo.record_message_ids(project_id, second, ["b1@mail.example.com", "b1@mail.example.com"])
    assert repo.ticket_by_message_id(project_id, ["unknown@x", "a1@MAIL.example.com", "b1@mail.example.com"]) == first
    assert repo.ticket_by_message_id(project_id, ["<b1@mail.example.com>", "a2@mail.example.com"]) == second
    assert repo.ticket_by_message_id(project_id, ["unknown@x"]) is None
    assert repo.ticket_by_message_id(project_id, []) is None
    assert repo.ticket_by_message_id(new_id(), ["a1@mail.example.com"]) is None
    # A very long id (a sender's own choice) is kept and found as any other.
    long_id = "x" * 1500 + "@mail.example.com"
    repo.record_message_ids(project_id, first, [long_id])
    assert repo.ticket_by_message_id(project_id, [long_id.upper()]) == first


def test_an_unknown_contact_is_none(directory, project_id):
    assert directory.contact(project_id, "nobody@example.com") is None


def test_a_comment_keeps_who_it_is_for_and_how_it_came(repo, project_id):
    from dataclasses import replace

    ticket = make_ticket(project_id, 1, requester="ana@example.com")
    repo.create(ticket, entry(ticket))
    assert repo.get(ticket.id).requester == "ana@example.com"
    reply = replace(entry(ticket, "COMMENT_ADDED", 1), changed_by="contact:ana@example.com", comment="thanks",
                    visibility="public", via="email")
    note = replace(entry(ticket, "COMMENT_ADDED", 2), comment="internal")
    repo.add_comment(ticket, reply)
    repo.add_comment(ticket, note)
    entries = {e.id: e for e in repo.history(ticket.id, None, 10, None)[0]}
    assert (entries[reply.id].visibility, entries[reply.id].via) == ("public", "email")
    assert (entries[note.id].visibility, entries[note.id].via) == (None, None)
    comments = {c.id: c for c in repo.comment_page(ticket.id, None, 10)[0]}
    assert (comments[reply.id].visibility, comments[reply.id].via) == ("public", "email")
    assert (comments[note.id].visibility, comments[note.id].via) == ("internal", None)


def test_the_requester_index_holds_a_projects_tickets_by_requester_until_deleted(repo, project_id):
    from chalicelib.domain import search

    made = [make_ticket(project_id, n, requester=requester)
            for n, requester in enumerate(("ana@example.com", None, "ana@example.com", "ben@example.com"), 1)]
    for ticket in made:
        repo.create(ticket, entry(ticket))
    query = search.TicketQuery(requester="ana@example.com")
    plan = search.plan(query)
    assert plan.index == "requester"
    assert [t.number for t in repo.search(project_id, plan, query, "2026-06-01T00:00:00.000Z", 10).tickets] == [3, 1]
    repo.delete(made[2], entry(made[2], "TICKET_DELETED", 1))
    assert [t.number for t in repo.search(project_id, plan, query, "2026-06-01T00:00:00.000Z", 10).tickets] == [1]
    assert repo.search(new_id(), plan, query, "2026-06-01T00:00:00.000Z", 10).tickets == []
