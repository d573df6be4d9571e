"""Public replies by email, on the in-memory ports: a public comment of the team's goes once to
the ticket's requester, copying its CC, threaded and answerable at the ticket's reply address;
internal notes and the requester's own comments never go to them."""
from dataclasses import replace
from email.policy import default as default_policy
import email as email_package

import pytest

from chalicelib import config
from chalicelib.adapters.mailer import MailRejected, mime
from chalicelib.adapters.memory.outbox import MemoryOutbox
from chalicelib.domain import mail_threads
from chalicelib.domain.contacts import Contact
from chalicelib.domain.events import TicketEvent
from chalicelib.domain.tickets import Events, history_entry
from chalicelib.schemas import comments as comment_schemas
from chalicelib.schemas import people as people_schemas
from chalicelib.services.notifications import NotificationService

URL = "https://ticketry.example.com"
ANA = "ana@example.com"


@pytest.fixture
def emailed(desk):
    """A ticket as mail makes it: Ana's request, Carl copied, Ben the assignee (a member)."""
    ben = desk.services.people.add_member(desk.principal, people_schemas.MemberCreate(
        email="ben@example.com", name="Ben", role="member")).member.user_id
    ticket_id = desk.create_ticket(title="Printer on fire", assignee=ben)["id"]
    tickets = desk.services.ticket_repo
    ticket = tickets.get(ticket_id)
    after = replace(ticket, requester=ANA)
    tickets.update(ticket, after, history_entry(after, Events.TICKET_UPDATED, "system", ticket.updated_at, {}))
    tickets.add_to_thread(ticket_id, ["<first@mail.example.com>"], ["carl@example.com", f"ops@{config.inbound_domain()}"])
    tickets.record_message_ids(desk.project_id, ticket_id, ["first@mail.example.com"])
    desk.services.directory.store.contacts[(desk.project_id, ANA)] = Contact(desk.project_id, ANA, "Ana Lima",
                                                                              "2026-01-01T00:00:00.000Z")
    return ticket_id


def new_events(desk, ticket_id: str, seen: set[str]) -> list[TicketEvent]:
    entries, _ = desk.services.ticket_repo.history(ticket_id, None, 100, None)
    fresh = [TicketEvent.from_entry(e) for e in reversed(entries) if e.id not in seen]
    seen.update(event.id for event in fresh)
    return fresh


def tell(desk, events: list[TicketEvent], mailer) -> None:
    service = NotificationService(desk.services.directory, desk.services.ticket_repo, mailer, URL)
    for event in events:
        service.notify(event)


def comment(desk, ticket_id: str, text: str, visibility: str) -> dict:
    desk._next_request()
    return desk.services.comments.add(desk.principal, ticket_id, comment_schemas.CommentCreate(
        comment=text, visibility=visibility))


def test_a_public_reply_goes_once_to_the_requester_and_cc_on_the_thread(desk, emailed):
    seen: set[str] = set()
    new_events(desk, emailed, seen)
    reply = comment(desk, emailed, "We are on it, Ana.", "public")
    mailer = MemoryOutbox()
    batch = new_events(desk, emailed, seen)
    tell(desk, batch, mailer)
    tell(desk, batch, mailer)  # a retried batch mails no one again
    [sent] = mailer.to(ANA)
    domain = config.inbound_domain()
    token = mail_threads.reply_token(config.reply_token_secret(), desk.project_id, emailed)
    own_id = f"ticketry.{reply['id']}@{domain}"
    assert (sent.to_name, sent.cc, sent.from_address, sent.from_name) == (
        "Ana Lima", ("carl@example.com",), f"ops@{domain}", "Operations")
    assert sent.reply_to == f"ops+{token}@{domain}"
    assert (sent.message_id, sent.in_reply_to, sent.references) == (
        own_id, "first@mail.example.com", ("first@mail.example.com", own_id))
    assert sent.subject.endswith("] Printer on fire") and sent.auto_submitted == "auto-generated"
    assert sent.text.startswith("We are on it, Ana.\n") and "Ada Admin, Operations" in sent.text
    assert not mailer.to("carl@example.com")  # copied on the one message, not mailed apart
    # Its ids (Ticketry's and the one SES gave it) find the ticket, and thread what follows.
    ses_ids = mail_threads.ses_message_ids(f"memory-1-{reply['id']}-reply", config.region())
    thread = desk.services.ticket_repo.thread(emailed)
    assert thread.message_ids == ("first@mail.example.com", own_id, *ses_ids)
    for one in (own_id, *ses_ids):
        assert desk.services.ticket_repo.ticket_by_message_id(desk.project_id, [f"<{one}>"]) == emailed
    # The assignee heard of the comment as usual, with the ticket's reply address to answer.
    [told] = mailer.to("ben@example.com")
    assert told.reply_to == sent.reply_to and told.cc == () and told.from_address is None


def test_internal_notes_never_reach_the_requester_or_the_cc(desk, emailed):
    seen: set[str] = set()
    new_events(desk, emailed, seen)
    comment(desk, emailed, "Ana's printer again", "internal")
    mailer = MemoryOutbox()
    tell(desk, new_events(desk, emailed, seen), mailer)
    assert [m.to for m in mailer.sent] == ["ben@example.com"]
    assert all(m.cc == () for m in mailer.sent)


def test_the_requesters_own_comments_are_not_mailed_back(desk, emailed):
    seen: set[str] = set()
    new_events(desk, emailed, seen)
    tickets = desk.services.ticket_repo
    ticket = tickets.get(emailed)
    tickets.add_comment(ticket, history_entry(ticket, Events.COMMENT_ADDED, f"contact:{ANA}", ticket.updated_at, {},
                                              comment="Thanks!", visibility="public", via="email"))
    mailer = MemoryOutbox()
    batch = new_events(desk, emailed, seen)
    tell(desk, batch, mailer)
    # The team watching hears of it (the reporter and the assignee); Ana and Carl do not.
    assert sorted((m.to, m.cc) for m in mailer.sent) == [("admin@example.com", ()), ("ben@example.com", ())]
    assert f"contact:{ANA}" not in {w.watcher for w in tickets.watchers(emailed)}
    assert mailer.sent[0].text.startswith("ana@example.com commented on")


class Refusing(MemoryOutbox):
    def send(self, email, reference):
        if email.to == ANA:
            raise MailRejected("address suppressed")
        return super().send(email, reference)


def test_a_refused_reply_is_not_tried_again(desk, emailed):
    seen: set[str] = set()
    new_events(desk, emailed, seen)
    comment(desk, emailed, "Hello", "public")
    batch = new_events(desk, emailed, seen)
    mailer = Refusing()
    tell(desk, batch, mailer)
    tell(desk, batch, mailer)
    assert [m.to for m in mailer.sent] == ["ben@example.com"]
    assert ANA in desk.services.ticket_repo.notified(batch[0].id)


@pytest.mark.parametrize("hostile", [
    "=?utf-8?q?hi=0D=0ABcc:_attacker@evil.example?=",
    "Ops\r\nBcc: attacker@evil.example",
    "x " * 60 + "=?utf-8?b?aGkNCkJjYzogYXR0YWNrZXJAZXZpbC5leGFtcGxl?=",
])
def test_a_reply_with_hostile_names_and_title_writes_only_its_own_headers(desk, emailed, hostile):
    tickets = desk.services.ticket_repo
    ticket = tickets.get(emailed)
    after = replace(ticket, title=hostile)
    tickets.update(ticket, after, history_entry(after, Events.TICKET_UPDATED, "system", ticket.updated_at, {}))
    desk.services.directory.store.projects[desk.project_id].project = replace(
        desk.services.directory.store.projects[desk.project_id].project, name=hostile)
    desk.services.directory.store.contacts[(desk.project_id, ANA)] = Contact(desk.project_id, ANA, hostile, "x")
    seen: set[str] = set()
    new_events(desk, emailed, seen)
    comment(desk, emailed, "Hello", "public")
    mailer = MemoryOutbox()
    tell(desk, new_events(desk, emailed, seen), mailer)
    [sent] = mailer.to(ANA)
    message = email_package.message_from_bytes(mime(sent, "notifications@ticketry.local"), policy=default_policy)
    assert message.keys() == ["From", "To", "Cc", "Reply-To", "Subject", "Date", "Message-ID", "In-Reply-To",
                              "References", "Auto-Submitted", "MIME-Version", "Content-Type"]
    assert [a.addr_spec for a in message["To"].addresses] == [ANA]
    assert [a.addr_spec for a in message["Cc"].addresses] == ["carl@example.com"]
    assert [a.addr_spec for a in message["From"].addresses] == [f"ops@{config.inbound_domain()}"]
    for name in ("Subject", "From", "To"):
        assert "\n" not in str(message[name]) and "\r" not in str(message[name]) and "=?" not in str(message[name])
