"""Who hears about a ticket's events, on the in-memory ports: the events the stream hands over are
told (watchers made, the audience mailed) once per person, however often they are handed over,
and an edit tells only those it newly mentions."""
import pytest

from chalicelib.adapters.memory.outbox import MemoryOutbox
from chalicelib.domain.events import TicketEvent
from chalicelib.schemas import comments as comment_schemas
from chalicelib.schemas import people as people_schemas
from chalicelib.services.notifications import NotificationService

URL = "https://ticketry.example.com"


@pytest.fixture
def crew(desk):
    people = desk.services.people
    found = {}
    for name in ("ana", "ben", "cat"):
        found[name] = people.add_member(desk.principal, people_schemas.MemberCreate(
            email=f"{name}@example.com", name=name.title(), role="member")).member.user_id
    return found


def events(desk, ticket_id: str) -> list[TicketEvent]:
    """The ticket's history as the stream hands it over: oldest first."""
    entries, _ = desk.services.ticket_repo.history(ticket_id, None, 100, None)
    return [TicketEvent.from_entry(entry) for entry in reversed(entries)]


def tell(desk, batch: list[TicketEvent], mailer: MemoryOutbox) -> list[list[str]]:
    """Each event told by one batch's notification service; the people each was told to."""
    service = NotificationService(desk.services.directory, desk.services.ticket_repo, mailer, URL)
    return [sorted(listener.user_id or listener.address for listener in service.notify(event)) for event in batch]


def test_every_event_reaches_each_person_once_however_often_it_is_handed_over(desk, crew):
    ticket = desk.create_ticket(assignee=crew["ana"], description="for @ben@example.com")
    desk.comment(ticket["id"], "first look")
    desk.patch(ticket["id"], {"status": "acknowledged"})
    mailer = MemoryOutbox()
    batch = events(desk, ticket["id"])
    heard = tell(desk, batch, mailer)
    assert heard == [sorted([crew["ana"], crew["ben"]])] * 3
    sent = [(email.to, email.subject) for email in mailer.sent]
    assert sorted(to for to, _ in sent) == ["ana@example.com"] * 3 + ["ben@example.com"] * 3
    assert sent[1] == ("ben@example.com", f"Ada Admin mentioned you on {ticket['key']}: Disk full on db-1")
    # Handed over again (a retried batch), and again after a later event made a new watcher.
    assert tell(desk, batch, mailer) == heard
    desk.services.watchers.watch(desk.principal, ticket["id"], crew["cat"])
    assert tell(desk, batch, mailer) == heard
    assert len(mailer.sent) == 6


def test_an_edit_tells_only_whom_it_newly_mentions(desk, crew):
    ticket = desk.create_ticket(assignee=crew["ana"])
    made = desk.comment(ticket["id"], "<@%s> have a look" % crew["ben"])
    mailer = MemoryOutbox()
    tell(desk, events(desk, ticket["id"]), mailer)
    before = len(mailer.sent)
    edited, _ = desk.services.comments.edit(desk.principal, ticket["id"], made["id"], comment_schemas.CommentEdit(
        comment=f"<@{crew['ben']}> and @cat@example.com have a look"), '"0"')
    assert edited["mentions"] == [crew["ben"], crew["cat"]]
    assert edited["body"] == f"<@{crew['ben']}> and <@{crew['cat']}> have a look"
    # The edit and the comment may share a millisecond, so the edit is found by its type.
    update = next(event for event in events(desk, ticket["id"]) if event.type == "COMMENT_UPDATED")
    heard = tell(desk, [update], mailer)[0]
    assert crew["cat"] in heard and crew["ana"] in heard  # the inbox hears of every event
    assert [(email.to, email.subject) for email in mailer.sent[before:]] == [
        ("cat@example.com", f"Ada Admin mentioned you on {ticket['key']}: Disk full on db-1")]
    watching = {w.watcher: w.reason for w in desk.services.ticket_repo.watchers(ticket["id"])}
    assert watching[crew["cat"]] == "mentioned"
