"""Comments on the in-memory ports (tests/memory_services.py): what a comment answers, and the
list of a ticket's comments, those stored only as their history entry included."""
from chalicelib.domain.tickets import Events, history_entry


def test_a_comment_answers_its_entry_and_is_listed_as_a_comment(desk):
    ticket = desk.create_ticket()
    made = desk.comment(ticket["id"], "Rotated the logs")
    assert (made["event"], made["comment"], made["changed_by"]) == ("COMMENT_ADDED", "Rotated the logs",
                                                                    desk.principal.actor)
    [listed] = desk.comments(ticket["id"])["data"]
    assert listed == {"id": made["id"], "ticket_id": ticket["id"], "author": desk.principal.actor,
                      "body": "Rotated the logs", "created_at": made["timestamp"], "edited_at": None,
                      "visibility": "public", "mentions": [], "version": 0,
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
