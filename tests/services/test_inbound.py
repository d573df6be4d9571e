"""Receiving email, on memory: what each kind of message makes (a ticket, a comment, a note on the
thread, a mail log entry), once however often it comes, with its files, its thread and, when the
project asks for it, an acknowledgement."""
import json
import time
from dataclasses import replace
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pytest

from chalicelib import config
from chalicelib.adapters.memory.files import MemoryAttachmentStore
from chalicelib.adapters.memory.outbox import MemoryOutbox
from chalicelib.adapters.memory.raw_mail import MemoryRawMail
from chalicelib.domain.clock import new_id, utc_now
from chalicelib.domain.inbound_mail import parse
from chalicelib.errors import Conflict
from chalicelib.schemas import people as people_schemas
from chalicelib.services import registry
from tests.memory_services import Desk, _body

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mail"
PASSING = {"X-SES-Spam-Verdict": "PASS", "X-SES-Virus-Verdict": "PASS",
           "Authentication-Results": "amazonses.com; spf=pass smtp.mailfrom=example.com; dkim=pass; dmarc=pass"}


def _no_ticket_email():
    raise AssertionError("receiving mail sent ticket email; the stream does that")


class Mailroom:
    """One project (OPS) receiving mail: delivers messages as SES stores them and reads what they made."""

    def __init__(self, services: registry.Services, desk: Desk, raw_mail: MemoryRawMail, outbox: MemoryOutbox,
                 files: MemoryAttachmentStore):
        self.services, self.desk, self.raw_mail, self.outbox, self.files = services, desk, raw_mail, outbox, files
        self.domain = config.inbound_domain()
        self.address = f"ops@{self.domain}"

    @property
    def project_id(self) -> str:
        return self.desk.project_id

    def deliver(self, raw: bytes, key: str | None = None):
        key = key or f"inbound/{new_id()}"
        self.raw_mail.put(key, raw)
        time.sleep(0.002)  # history orders entries by millisecond, as a delivery over the network would
        return self.services.inbound.receive(key)

    def reply_address(self, ticket_id: str) -> str:
        project = self.services.directory.project(self.project_id)
        return self.services.mail_threads.reply_address(project, ticket_id)

    def ticket(self, ticket_id: str):
        return self.services.ticket_repo.get(ticket_id)

    def tickets(self):
        return sorted(self.services.ticket_repo.every_live_ticket(self.project_id), key=lambda t: t.number)

    def history(self, ticket_id: str) -> list:
        return list(reversed(self.services.ticket_repo.history(ticket_id, None, 200, None)[0]))

    def comments(self, ticket_id: str) -> list:
        return list(self.services.ticket_repo.every_comment(ticket_id))

    def log(self, project_id: str | None = "project") -> list:
        return self.services.directory.mail_log_page(self.project_id if project_id == "project" else project_id,
                                                     None, 100, None)[0]

    def settings(self, **email) -> None:
        patch = _body(people_schemas.ProjectPatch, {"email": email})
        self.services.people.update_project(self.desk.principal, patch)
        self.desk.principal = replace(self.desk.principal,
                                      project=self.services.directory.project(self.project_id))


def message(sender: str = "Ana Lima <ana@example.com>", to: str | None = None, subject: str = "Printer on fire",
            body: str = "The printer on floor 2 is on fire.", message_id: str | None = None,
            in_reply_to: str | None = None, references: str | None = None, headers: dict | None = None,
            files: list[tuple[str, str, bytes]] = (), verdicts: dict | None = None) -> bytes:
    """A message as SES stores it: its verdict headers on top."""
    mail = EmailMessage()
    for name, value in (PASSING if verdicts is None else verdicts).items():
        mail[name] = value
    mail["From"] = sender
    mail["To"] = to or f"ops@{config.inbound_domain()}"
    mail["Subject"] = subject
    mail["Date"] = format_datetime(utc_now())
    mail["Message-ID"] = f"<{message_id or new_id() + '@mail.example.com'}>"
    if in_reply_to:
        mail["In-Reply-To"] = f"<{in_reply_to}>"
    if references:
        mail["References"] = references
    for name, value in (headers or {}).items():
        mail[name] = value
    mail.set_content(body)
    for name, content_type, data in files:
        maintype, subtype = content_type.split("/")
        mail.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return bytes(mail)


def fixture(name: str) -> bytes:
    return (FIXTURES / f"{name}.eml").read_bytes()


@pytest.fixture
def mailroom(monkeypatch) -> Mailroom:
    monkeypatch.delenv(config.INBOUND_DOMAIN, raising=False)  # the fixtures are written to ops@ticketry.local
    raw_mail, outbox, files = MemoryRawMail(), MemoryOutbox(), MemoryAttachmentStore()
    services = registry.build(registry.memory_storage(), files, notifications=_no_ticket_email,
                              mail=lambda: outbox, raw_mail=raw_mail)
    project, admin, issued = services.people.create_project("Operations", "OPS", "admin@example.com", "Ada Admin")
    principal = services.auth.authenticate(f"Bearer {issued.token}", project.id, "127.0.0.1")
    return Mailroom(services, Desk(services, principal), raw_mail, outbox, files)


# ---- new tickets -----------------------------------------------------------------------------

def test_a_new_request_makes_a_ticket_with_its_files_inline_image_included(mailroom):
    raw = fixture("new_with_attachments")
    received = mailroom.deliver(raw, key="inbound/first")
    assert received.outcome == "ticket"
    ticket = mailroom.ticket(received.ticket_id)
    parsed = parse(raw)
    assert (ticket.key, ticket.title, ticket.source, ticket.severity, ticket.status) == (
        "OPS-1", "Invoice 2025-0117 shows the wrong VAT number", "email", "medium", "new")
    assert ticket.reporter == "contact:ana.lima@example.com" and ticket.requester == "ana.lima@example.com"
    assert "The right one is PT 509 876 543." in ticket.description
    created = next(e for e in mailroom.history(ticket.id) if e.event == "TICKET_CREATED")
    assert (created.via, created.changed_by) == ("email", ticket.reporter)
    attachments = mailroom.services.attachments.attachments.for_ticket(ticket.id)
    assert sorted(a.file_name for a in attachments) == sorted(f.file_name for f in parsed.attachments)
    assert any(f.inline for f in parsed.attachments) and all(a.is_available for a in attachments)
    for attachment in attachments:
        sent = next(f for f in parsed.attachments if f.file_name == attachment.file_name)
        assert mailroom.files.read(attachment.key) == sent.data and attachment.uploaded_by == ticket.reporter
    added = [e for e in mailroom.history(ticket.id) if e.event == "ATTACHMENT_ADDED"]
    assert len(added) == len(attachments)
    contact = mailroom.services.directory.contact(mailroom.project_id, "ana.lima@example.com")
    assert contact.name == "Ana Lima"
    thread = mailroom.services.ticket_repo.thread(ticket.id)
    assert thread.message_ids == (parsed.message_id,) and thread.cc == ()
    assert mailroom.services.ticket_repo.ticket_by_message_id(mailroom.project_id, [parsed.message_id]) == ticket.id
    assert mailroom.raw_mail.get("inbound/first") is None  # the ticket holds it now
    assert mailroom.outbox.sent == []  # no acknowledgement unless the project asks for one


@pytest.mark.parametrize("name, title, words", [
    ("iso_8859_1_qp", "Réseau en panne à l'étage 2", "Le réseau est en panne à l'étage 2"),
    ("shift_jis_base64", "プリンター故障", "会議室のプリンターが動きません。"),
    ("rfc2047_subject", "Café machine refund — €120 🧾 (receipt attached)", "took my card twice"),
    ("html_only", "Contact form: cannot log in", "cannot log in since yesterday"),
])
def test_every_charset_makes_a_readable_ticket(mailroom, name, title, words):
    ticket = mailroom.ticket(mailroom.deliver(fixture(name)).ticket_id)
    assert ticket.title == title and words in ticket.description


def test_a_message_of_only_an_attachment_and_no_subject(mailroom):
    scan = mailroom.ticket(mailroom.deliver(fixture("attachment_only")).ticket_id)
    assert scan.description == "" and [a.file_name for a in mailroom.services.attachments.attachments.for_ticket(
        scan.id)] == ["Scan – floor 3.pdf"]
    untitled = mailroom.ticket(mailroom.deliver(message(subject="")).ticket_id)
    assert untitled.title == "(no subject)"


def test_files_over_the_limits_are_named_in_the_text(mailroom, monkeypatch):
    monkeypatch.setenv(config.MAX_ATTACHMENT_BYTES, str(3 * 1024 * 1024))
    monkeypatch.setenv(config.MAX_ATTACHMENTS_PER_TICKET, "2")
    files = [("big.bin", "application/octet-stream", b"x" * (4 * 1024 * 1024)), ("empty.txt", "text/plain", b""),
             ("a.txt", "text/plain", b"a"), ("b.txt", "text/plain", b"b"), ("c.txt", "text/plain", b"c")]
    ticket = mailroom.ticket(mailroom.deliver(message(files=files)).ticket_id)
    assert ticket.description.endswith("Not attached: big.bin (4 MB; the limit is 3 MB)\n"
                                       "Not attached: empty.txt (empty)\n"
                                       "Not attached: c.txt (a ticket has at most 2 attachments)")
    assert sorted(a.file_name for a in mailroom.services.attachments.attachments.for_ticket(ticket.id)) == [
        "a.txt", "b.txt"]
    reply = mailroom.deliver(message(to=mailroom.reply_address(ticket.id), body="One more",
                                     files=[("d.txt", "text/plain", b"d")]))
    assert mailroom.comments(ticket.id)[-1].body == (
        "One more\n\nNot attached: d.txt (a ticket has at most 2 attachments)")
    assert reply.outcome == "comment" and len(mailroom.services.attachments.attachments.for_ticket(ticket.id)) == 2


def test_a_long_text_is_cut_with_a_note(mailroom):
    ticket = mailroom.ticket(mailroom.deliver(message(body="word " * 20000)).ticket_id)
    assert len(ticket.description) <= 65536 and ticket.description.endswith("the rest was cut.]")
    # Within the API's length, but each character takes 6 bytes in the history entry's JSON.
    kanji = mailroom.ticket(mailroom.deliver(message(body="漢字" * 32768)).ticket_id)
    assert kanji.description.startswith("漢字漢字") and kanji.description.endswith("the rest was cut.]")


def test_a_members_email_is_theirs_and_its_reply_an_internal_note(mailroom):
    member = mailroom.services.people.add_member(mailroom.desk.principal, _body(
        people_schemas.MemberCreate, {"email": "Bob@Example.com", "name": "Bob", "role": "member"})).member
    ticket = mailroom.ticket(mailroom.deliver(message(sender="Bob <bob@example.com>")).ticket_id)
    assert ticket.reporter == member.user_id and ticket.requester == "bob@example.com"
    mailroom.deliver(message(sender="bob@example.com", to=mailroom.reply_address(ticket.id), body="Looking."))
    note = mailroom.comments(ticket.id)[-1]
    assert (note.author, note.visibility, note.via) == (member.user_id, "internal", "email")
    assert mailroom.services.directory.contact(mailroom.project_id, "bob@example.com") is None


def test_what_a_contact_writes_mentions_no_one(mailroom):
    admin = mailroom.desk.principal.user_id
    ticket = mailroom.ticket(mailroom.deliver(message(body=f"Hey <@{admin}> and @admin@example.com")).ticket_id)
    assert f"<@{admin}>" not in ticket.description


# ---- replies -------------------------------------------------------------------------------

def _first(mailroom, **fields):
    sent = message(message_id="first@mail.example.com", **fields)
    return mailroom.ticket(mailroom.deliver(sent).ticket_id)


def test_a_reply_to_the_reply_address_is_a_public_comment(mailroom):
    mailroom.settings(aliases=["help@example.com"])
    ticket = _first(mailroom)
    body = "It is out now.\n\nOn Mon, 3 Mar 2025 at 10:00, Ops <ops@ticketry.local> wrote:\n> The printer?\n"
    received = mailroom.deliver(message(to=f"{mailroom.reply_address(ticket.id)}, help@example.com",
                                        subject="Re: Printer on fire", body=body,
                                        headers={"Cc": f"Dan <dan@example.com>, ops@{mailroom.domain}"}))
    assert (received.outcome, received.ticket_id) == ("comment", ticket.id)
    comment = mailroom.comments(ticket.id)[-1]
    assert (comment.author, comment.visibility, comment.via) == ("contact:ana@example.com", "public", "email")
    assert comment.body == "It is out now."
    assert len(mailroom.tickets()) == 1
    # Addresses that receive for Ticketry (the reply address, the project's own, an alias) never go on the CC.
    assert mailroom.services.ticket_repo.thread(ticket.id).cc == ("dan@example.com",)


def test_a_reply_is_found_by_the_ids_it_answers(mailroom):
    ticket = _first(mailroom)
    mailroom.deliver(message(in_reply_to="FIRST@mail.example.com", body="Answer by id"))
    mailroom.deliver(message(references="<unknown@x.example> <first@mail.example.com>", body="By references"))
    assert [c.body for c in mailroom.comments(ticket.id)] == ["Answer by id", "By references"]


def test_a_key_in_the_subject_matches_only_for_those_on_the_ticket(mailroom):
    ticket = _first(mailroom, to=f"ops@{config.inbound_domain()}, carla@example.com")
    assert mailroom.services.ticket_repo.thread(ticket.id).cc == ("carla@example.com",)
    for sender in ("ana@example.com", "carla@example.com", "admin@example.com"):
        received = mailroom.deliver(message(sender=sender, subject=f"Re: [{ticket.key}] Printer on fire"))
        assert received.ticket_id == ticket.id, sender
    stranger = mailroom.deliver(message(sender="eve@example.com", subject=f"[{ticket.key}] Printer on fire"))
    assert stranger.outcome == "ticket" and stranger.ticket_id != ticket.id
    other_key = mailroom.deliver(message(subject="[SUP-1] elsewhere"))
    assert other_key.outcome == "ticket"


def test_a_reply_to_a_deleted_ticket_is_a_new_request(mailroom):
    ticket = _first(mailroom)
    mailroom.services.ticket_deletion.delete(mailroom.desk.principal, ticket.id, None)
    received = mailroom.deliver(message(to=mailroom.reply_address(ticket.id), in_reply_to="first@mail.example.com"))
    assert received.outcome == "ticket" and received.ticket_id != ticket.id


def test_a_forged_reply_address_names_no_ticket(mailroom):
    ticket = _first(mailroom)
    forged = f"ops+{ticket.id}{'a' * 16}@{mailroom.domain}"
    received = mailroom.deliver(message(to=forged, body="hello"))
    assert received.outcome == "ticket" and received.ticket_id != ticket.id


def test_a_reply_to_a_resolved_ticket_reopens_it(mailroom):
    ticket = _first(mailroom)
    mailroom.desk.patch(ticket.id, {"status": "resolved"})
    mailroom.deliver(message(to=mailroom.reply_address(ticket.id), body="Still broken"))
    reopened = mailroom.ticket(ticket.id)
    assert reopened.status == "acknowledged" and reopened.resolved_at is None
    last_two = mailroom.history(ticket.id)[-2:]
    assert [e.event for e in last_two] == ["TICKET_UPDATED", "COMMENT_ADDED"]
    assert last_two[0].changes["status"] == {"old": "resolved", "new": "acknowledged"}
    assert last_two[0].changed_by == "contact:ana@example.com" and last_two[1].comment == "Still broken"


def test_a_reply_to_a_closed_ticket_reopens_it_or_follows_it_up(mailroom):
    ticket = _first(mailroom)
    mailroom.desk.patch(ticket.id, {"status": "closed"})
    mailroom.deliver(message(to=mailroom.reply_address(ticket.id), body="Again"))
    assert mailroom.ticket(ticket.id).status == "acknowledged"
    mailroom.desk.patch(ticket.id, {"status": "canceled"})
    mailroom.settings(reply_to_closed="follow_up")
    received = mailroom.deliver(message(to=mailroom.reply_address(ticket.id), body="And again"))
    follow_up = mailroom.ticket(received.ticket_id)
    assert received.outcome == "ticket" and mailroom.ticket(ticket.id).status == "canceled"
    assert follow_up.title == ticket.title and follow_up.requester == "ana@example.com"
    assert follow_up.description == f"Follow-up to {ticket.key}.\n\nAnd again"


def test_a_workflow_that_allows_no_reopening_makes_a_follow_up(mailroom):
    ticket = _first(mailroom)
    mailroom.desk.patch(ticket.id, {"status": "resolved"})
    mailroom.services.workflow.replace(mailroom.desk.principal, {
        "new": ["acknowledged"], "acknowledged": ["in_progress"], "in_progress": ["resolved"], "resolved": ["closed"]})
    mailroom.desk.principal = replace(mailroom.desk.principal,
                                      project=mailroom.services.directory.project(mailroom.project_id))
    received = mailroom.deliver(message(to=mailroom.reply_address(ticket.id), body="Hm"))
    assert received.ticket_id != ticket.id and mailroom.ticket(ticket.id).status == "resolved"


# ---- what is not ticketed ------------------------------------------------------------------

def test_an_out_of_office_is_noted_on_its_thread_and_nowhere_else(mailroom):
    ticket = _first(mailroom)
    answered = parse(fixture("out_of_office")).in_reply_to[0]
    mailroom.services.ticket_repo.record_message_ids(mailroom.project_id, ticket.id, [answered])
    before = mailroom.history(ticket.id)
    received = mailroom.deliver(fixture("out_of_office"))
    assert (received.outcome, received.ticket_id) == ("thread", ticket.id)
    assert mailroom.history(ticket.id) == before
    replies = mailroom.services.ticket_repo.thread(ticket.id).auto_replies
    assert [(r.sender, r.subject) for r in replies] == [
        ("dana.whitfield@contoso.com", "Automatic reply: [OPS-44] Toner for the colour printer")]


def test_automatic_and_bulk_mail_without_a_ticket_is_ignored_unanswered(mailroom):
    mailroom.settings(acknowledge=True)
    for name, reason in (("out_of_office", "auto-reply"), ("bulk_list", "bulk")):
        received = mailroom.deliver(fixture(name))
        assert received.outcome == "logged" and received.log_entry.reasons == (reason,)
        assert received.log_entry.status == "ignored"
    assert mailroom.tickets() == [] and mailroom.outbox.sent == []


def test_a_bounce_is_noted_on_the_contact(mailroom):
    mailroom.services.directory.save_contact_message(mailroom.project_id, "old.colleague@example.net", "Old",
                                                     "2025-01-01T00:00:00.000Z")
    received = mailroom.deliver(fixture("dsn_bounce"))
    assert received.outcome == "logged" and mailroom.tickets() == []
    assert received.log_entry.status == "ignored" and received.log_entry.reasons[0].startswith("bounce: 5.1.1")
    contact = mailroom.services.directory.contact(mailroom.project_id, "old.colleague@example.net")
    assert contact.bounced_at is not None and "User unknown" in contact.bounce_reason


def test_mail_from_ticketry_itself_is_ignored(mailroom):
    for raw in (message(sender=f"Ops <ops@{mailroom.domain}>"), message(sender=config.email_sender()),
                message(message_id=f"ticketry.x@{mailroom.domain}")):
        received = mailroom.deliver(raw)
        assert received.outcome == "logged" and received.log_entry.reasons == ("loop: sent by Ticketry",)
    assert mailroom.tickets() == []


def test_mail_no_project_receives_is_logged_apart(mailroom):
    received = mailroom.deliver(message(to=f"nobody@{mailroom.domain}"), key="inbound/nobody")
    assert received.outcome == "logged" and received.log_entry.project_id is None
    assert [e.key for e in mailroom.log(None)] == ["inbound/nobody"] and mailroom.log() == []
    assert mailroom.raw_mail.get("inbound/nobody") is not None


def test_an_alias_receives_for_its_project(mailroom):
    mailroom.settings(aliases=["help@customer.example"])
    received = mailroom.deliver(message(to="Help <help@customer.example>"))
    assert received.outcome == "ticket"
    assert mailroom.services.ticket_repo.thread(received.ticket_id).cc == ()


def test_unreadable_mail_fails_into_the_log(mailroom):
    received = mailroom.deliver(f"To: ops@{mailroom.domain}\r\nSubject: who?\r\n\r\nno sender\r\n".encode())
    assert received.log_entry.status == "failed" and received.log_entry.reasons == ("no sender address",)
    assert received.log_entry.project_id == mailroom.project_id and received.log_entry.subject == "who?"
    garbage = mailroom.deliver(b"   ")
    assert garbage.log_entry.status == "failed" and garbage.log_entry.project_id is None


def test_failed_verdicts_quarantine_until_released(mailroom):
    received = mailroom.deliver(fixture("forged_verdict"), key="inbound/forged")
    entry = received.log_entry
    assert (entry.status, entry.reasons) == ("quarantined", ("spam: FAIL", "spf: FAIL", "dmarc: FAIL"))
    assert mailroom.tickets() == [] and mailroom.raw_mail.get("inbound/forged") is not None
    released = mailroom.services.inbound.release(mailroom.desk.principal, entry.id)
    assert released["status"] == "released" and released["ticket_id"]
    ticket = mailroom.ticket(released["ticket_id"])
    assert ticket.title == "Urgent: your invoice is overdue" and ticket.requester == "billing@example.com"
    assert mailroom.log()[0].status == "released" and mailroom.log()[0].ticket_id == ticket.id
    with pytest.raises(Conflict) as refused:
        mailroom.services.inbound.release(mailroom.desk.principal, entry.id)
    assert refused.value.code == "not_quarantined"


# ---- once, however often ---------------------------------------------------------------------

def test_the_same_message_twice_is_one_ticket_and_one_comment(mailroom):
    mailroom.settings(acknowledge=True)
    raw = fixture("new_with_attachments")
    first, again = mailroom.deliver(raw), mailroom.deliver(raw)
    assert (first.outcome, again.outcome, again.ticket_id) == ("ticket", "repeated", first.ticket_id)
    assert len(mailroom.tickets()) == 1 and len(mailroom.outbox.sent) == 1
    attachments = mailroom.services.attachments.attachments.for_ticket(first.ticket_id)
    assert len(attachments) == len(parse(raw).attachments)
    reply = message(to=mailroom.reply_address(first.ticket_id), body="Thanks", message_id="reply-1@x.example")
    assert [mailroom.deliver(reply).outcome for _ in range(2)] == ["comment", "repeated"]
    assert [c.body for c in mailroom.comments(first.ticket_id)] == ["Thanks"]


def test_a_delivery_after_an_interrupted_one_finishes_its_files(mailroom, monkeypatch):
    raw = fixture("new_with_attachments")
    service = mailroom.services.attachments
    attach, calls = service.attach_received, []

    def fail_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise ConnectionError("storage went away")
        return attach(*args, **kwargs)

    monkeypatch.setattr(service, "attach_received", fail_once)
    with pytest.raises(ConnectionError):
        mailroom.deliver(raw, key="inbound/retried")
    ticket = mailroom.tickets()[0]
    assert service.attachments.for_ticket(ticket.id) == []
    assert mailroom.services.inbound.receive("inbound/retried").outcome == "repeated"
    assert len(service.attachments.for_ticket(ticket.id)) == len(parse(raw).attachments)
    assert len(mailroom.tickets()) == 1


# ---- the acknowledgement ---------------------------------------------------------------------

def test_a_new_request_is_acknowledged_once_an_hour_and_never_to_automatic_mail(mailroom):
    mailroom.settings(acknowledge=True, acknowledgement="Got it: {key} ({title}). {braces} stay.")
    first = mailroom.deliver(message(subject="Printer on fire", message_id="req-1@mail.example.com"))
    ticket = mailroom.ticket(first.ticket_id)
    [ack] = mailroom.outbox.sent
    assert (ack.to, ack.subject, ack.text) == ("ana@example.com", f"[{ticket.key}] Printer on fire",
                                                f"Got it: {ticket.key} (Printer on fire). {{braces}} stay.\n")
    assert (ack.from_address, ack.from_name, ack.auto_submitted) == (mailroom.address, "Operations", "auto-replied")
    assert ack.reply_to == mailroom.reply_address(ticket.id)
    assert (ack.in_reply_to, ack.references) == ("req-1@mail.example.com", ("req-1@mail.example.com",))
    thread = mailroom.services.ticket_repo.thread(ticket.id)
    assert ack.message_id in thread.message_ids
    answer = mailroom.deliver(message(in_reply_to=ack.message_id, body="ok"))
    assert answer.ticket_id == ticket.id  # an answer to the acknowledgement lands on the ticket
    mailroom.deliver(message(subject="Another thing"))
    assert len(mailroom.outbox.sent) == 1
    alert = mailroom.deliver(message(sender="Cy <cy@example.com>", headers={"Auto-Submitted": "auto-generated"}))
    newsletter = mailroom.deliver(message(sender="Di <di@example.com>", headers={"Precedence": "bulk"}))
    assert (alert.outcome, newsletter.outcome) == ("ticket", "logged")
    assert len(mailroom.outbox.sent) == 1


def test_no_acknowledgement_unless_the_project_asks(mailroom):
    mailroom.deliver(message())
    assert mailroom.outbox.sent == []


def test_an_acknowledgement_goes_again_after_an_hour(mailroom):
    mailroom.settings(acknowledge=True)
    mailroom.deliver(message(subject="one"))
    stored = mailroom.services.directory.store.contacts
    key = (mailroom.project_id, "ana@example.com")
    stored[key] = replace(stored[key], acknowledged_at="2000-01-01T00:00:00.000Z")
    mailroom.deliver(message(subject="two"))
    assert [email.subject.split("] ")[1] for email in mailroom.outbox.sent] == ["one", "two"]


def test_the_event_time_names_the_log_entry(mailroom):
    received = mailroom.services.inbound.receive("inbound/missing")
    assert received.outcome == "gone"
    mailroom.raw_mail.put("inbound/again", message(to=f"nobody@{mailroom.domain}"))
    first = mailroom.services.inbound.receive("inbound/again", "2026-01-01T00:00:00.000Z")
    second = mailroom.services.inbound.receive("inbound/again", "2026-01-01T00:00:00.000Z")
    assert first.log_entry == second.log_entry and len(mailroom.log(None)) == 1
    assert json.loads(json.dumps(first.log_entry.reasons)) == [f"no project receives mail at nobody@{mailroom.domain}"]


def test_the_mail_log_command_lists_what_no_project_received(mailroom, monkeypatch, capsys):
    from chalicelib import cli

    mailroom.deliver(message(to=f"nobody@{mailroom.domain}", subject="Lost"), key="inbound/lost")
    mailroom.deliver(fixture("bulk_list"), key="inbound/news")
    monkeypatch.setattr(cli, "DirectoryRepository", lambda: mailroom.services.directory)
    assert cli.main(["mail-log"]) == 0
    [line] = capsys.readouterr().out.splitlines()
    entry = json.loads(line)
    assert (entry["key"], entry["project_id"], entry["subject"], entry["status"]) == (
        "inbound/lost", None, "Lost", "ignored")
    assert cli.main(["mail-log", "--project", mailroom.project_id, "--status", "ignored"]) == 0
    assert [json.loads(one)["key"] for one in capsys.readouterr().out.splitlines()] == ["inbound/news"]
