"""How events fold into an inbox entry's "since you last looked" summary, and who gets an entry."""
from chalicelib.domain import inbox
from chalicelib.domain.events import TicketEvent
from chalicelib.domain.inbox import Summary
from chalicelib.domain.watching import Listener

TICKET = {"id": "t1", "key": "OPS-1", "title": "Disk full", "status": "new", "assignee": "u_ann", "reporter": "u_bob"}


def heard(user_id: str | None, mentioned: bool = False) -> Listener:
    return Listener(user_id=user_id, address=None, name="", reason="subscribed", kind="comment_added",
                    mentioned=mentioned)


def event(type_: str, at: str, actor: str = "u_bob", changes: dict | None = None, event_id: str | None = None,
          **ticket) -> TicketEvent:
    return TicketEvent(id=event_id or f"e{at}", type=type_, timestamp=f"2026-06-01T00:00:{at}.000Z",
                       project_id="p1", actor=actor, ticket=TICKET | ticket, changes=changes or {})


def test_events_fold_into_one_summary_until_read():
    entry = inbox.fold(None, event("COMMENT_ADDED", "01"), "a1", mentioned=False)
    entry = inbox.fold(entry, event("COMMENT_ADDED", "02", actor="u_cy"), "a1", mentioned=True)
    entry = inbox.fold(entry, event("TICKET_UPDATED", "03", changes={"status": {"old": "new", "new": "resolved"},
                                                                      "description": {"old": "a", "new": "b"}},
                                    status="resolved"), "a1", mentioned=False)
    assert (entry.unread, entry.status, entry.first_unread, entry.updated_at) == (
        True, "resolved", "e01", "2026-06-01T00:00:03.000Z")
    assert entry.summary == Summary(comments=2, changes={"status": "resolved", "description": None}, mentioned=True,
                                    events=3, actors=("u_cy", "u_bob"))
    assert inbox.describe(entry.summary) == ("2 comments, status \u2192 resolved, description changed, "
                                             "you were mentioned")


def test_a_read_entry_starts_a_fresh_summary_with_the_next_event():
    entry = inbox.fold(None, event("COMMENT_ADDED", "01"), "a1", mentioned=True)
    read = inbox.read(entry, "2026-06-01T00:00:05.000Z")
    assert (read.unread, read.first_unread, read.summary) == (False, None, entry.summary)
    again = inbox.fold(read, event("TICKET_UPDATED", "06", changes={"assignee": {"old": "u_ann", "new": None}}),
                       "a1", mentioned=False)
    assert again.summary == Summary(changes={"assignee": None}, events=1, actors=("u_bob",))
    assert (again.unread, again.first_unread, again.last_read_at) == (True, "e06", "2026-06-01T00:00:05.000Z")
    assert inbox.describe(again.summary) == "assignee \u2192 none"


def test_new_activity_brings_an_archived_entry_back_unread():
    entry = inbox.archived(inbox.fold(None, event("TICKET_CREATED", "01"), "a1", False), "2026-06-01T00:00:02.000Z")
    assert (entry.archived, entry.unread) == (True, False)
    back = inbox.fold(entry, event("TICKET_OVERDUE", "03"), "a1", False)
    assert (back.archived, back.unread) == (False, True)
    assert inbox.describe(back.summary) == "overdue"


def test_actors_keep_the_latest_five_distinct_and_lifecycle_events_are_named():
    entry = None
    for n, actor in enumerate(["u1", "u2", "u3", "u1", "u4", "u5", "u6"]):
        entry = inbox.fold(entry, event("ATTACHMENT_ADDED", f"{n:02d}", actor=actor), "a1", False)
    assert entry.summary.actors == ("u3", "u1", "u4", "u5", "u6")
    entry = inbox.fold(entry, event("SLA_BREACHED", "20"), "a1", False)
    entry = inbox.fold(entry, event("TICKET_DELETED", "21"), "a1", False)
    assert entry.status == "deleted"
    assert inbox.describe(entry.summary) == "attachments changed, SLA breached, ticket deleted"


def test_comment_edits_and_deletions_count_as_activity_not_as_new_comments():
    entry = inbox.fold(None, event("COMMENT_UPDATED", "01"), "a1", mentioned=True)
    entry = inbox.fold(entry, event("COMMENT_DELETED", "02"), "a1", mentioned=False)
    assert (entry.summary.comments, entry.summary.events, entry.summary.mentioned) == (0, 2, True)
    assert inbox.describe(entry.summary) == "comment edited, comment deleted, you were mentioned"
    assert inbox.describe(Summary(events=2)) == "2 updates"


def test_each_member_with_an_account_is_a_recipient_once_never_the_actor():
    listeners = [heard("u_ann"), heard("u_ann", mentioned=True), heard("u_bob"), heard("u_old"), heard(None)]
    accounts = {"u_ann": "a_ann", "u_bob": "a_bob"}
    assert inbox.recipients(listeners, accounts, actor="u_bob") == {"a_ann": True}


def test_only_an_unread_entry_counts():
    entry = inbox.fold(None, event("COMMENT_ADDED", "01"), "a1", False)
    assert (inbox.counted(None), inbox.counted(entry), inbox.counted(inbox.read(entry, "x"))) == (0, 1, 0)
