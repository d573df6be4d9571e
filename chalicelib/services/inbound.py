"""Receiving email: a message SES stored becomes a ticket, or a comment on the ticket it answers,
once however often it is delivered; what is not ticketed (no project's address, mail from
Ticketry itself, failed verdicts, bounces, automatic and bulk mail, unreadable bytes) goes to the
mail log, where an admin may release a quarantined message.

The checks come in this order: routing, loops, verdicts, bounces, the message's mark, matching,
automatic mail, then the write; files, threading and the acknowledgement follow the write, and a
delivery that finds the mark finishes them instead of writing again (docs/reliability.md)."""
import logging
from dataclasses import dataclass, replace
from datetime import timedelta
from email import policy
from email.parser import BytesParser
from typing import Callable
from urllib.parse import unquote_plus

from chalicelib import config
from chalicelib.domain import acknowledgement, mail_threads, mailbox, mentions
from chalicelib.domain.clock import iso, new_id, now_iso, utc_now
from chalicelib.domain.comments import INTERNAL, PUBLIC, entry_visibility
from chalicelib.domain.contacts import contact_actor
from chalicelib.domain.inbound_mail import INBOUND_PREFIX, InboundMessage, UnreadableMessage, addresses_in, parse
from chalicelib.domain.mail_threads import AutoReply
from chalicelib.domain.mailbox import (FAILED, FOLLOW_UP, IGNORED, QUARANTINED, MailLogEntry, ReceivedMark,
                                       log_entry_id)
from chalicelib.domain.people import Member, Principal, Project, normalise_email
from chalicelib.domain.tickets import (TICKET_KEY_PATTERN, VIA_EMAIL, Events, HistoryEntry, StaleTicket, Ticket,
                                      Workflow, apply_changes, history_entry, public_view, storable)
from chalicelib.errors import Conflict, FieldError, NotFound, ValidationFailed
from chalicelib.services.attachments import AttachmentService
from chalicelib.services.mail import Mail, RawMail
from chalicelib.services.mailbox import log_entry_view
from chalicelib.services.people import PeopleService
from chalicelib.services.ports import InboundTickets, Mailbox
from chalicelib.services.sla import SlaService
from chalicelib.services.tickets.common import WRITE_ATTEMPTS, default_assignee
from chalicelib.services.tickets.create import CREATED_FIELDS

log = logging.getLogger(__name__)

# Recipients looked at to find the project: more than any message to a ticket inbox names.
MAX_ROUTED_RECIPIENTS = 50
# What is tried to make a text fit one history entry (non-ASCII text takes more room there).
FITTING_ATTEMPTS = 8


class NotQuarantined(Conflict):
    code = "not_quarantined"


@dataclass(frozen=True)
class Received:
    """What became of a received message: `ticket` (made), `comment` (added), `thread` (an
    automatic answer noted on its ticket's thread), `logged` (see `log_entry`), `repeated` (it was
    ticketed before), or `gone` (no longer stored, or no received message's key)."""
    outcome: str
    ticket_id: str | None = None
    log_entry: MailLogEntry | None = None


@dataclass(frozen=True)
class _Route:
    project: Project
    token_ticket_id: str | None   # the ticket a reply address among the recipients names


@dataclass(frozen=True)
class _Author:
    actor: str
    member: Member | None         # None: a contact

    @property
    def visibility(self) -> str:
        # A member's emailed reply is a note: it never goes out to the requester by itself.
        return INTERNAL if self.member is not None else PUBLIC


class InboundService:
    def __init__(self, tickets: InboundTickets, directory: Mailbox, attachments: AttachmentService,
                 people: PeopleService, sla: SlaService, raw_mail: RawMail, mail: Callable[[], Mail],
                 secret: Callable[[], bytes] = config.reply_token_secret,
                 domain: Callable[[], str] = config.inbound_domain):
        self.tickets = tickets
        self.directory = directory
        self.attachments = attachments
        self.people = people
        self.sla = sla
        self.raw_mail = raw_mail
        self._mail = mail
        self.secret = secret
        self.domain = domain

    # ---- receiving ---------------------------------------------------------------------------

    def receive(self, key: str, received_at: str | None = None) -> Received:
        """Handles the message stored at `key` (its S3 event's key). Storage errors propagate, for
        the event to be delivered again; the message's mark keeps that from ticketing it twice."""
        key = unquote_plus(key)
        if not key.startswith(INBOUND_PREFIX):
            log.warning("ignoring object %r: not under %s", key, INBOUND_PREFIX)
            return Received("gone")
        raw = self.raw_mail.get(key)
        if raw is None:
            log.info("received message %s is no longer stored", key)
            return Received("gone")
        received_at = received_at or now_iso()
        try:
            message = parse(raw)
        except UnreadableMessage as error:
            return self._unreadable(key, raw, received_at, error.reason)
        except Exception as error:  # the reader's own failure: logged, never retried
            log.exception("received message %s could not be read", key)
            return self._unreadable(key, raw, received_at, f"could not be read ({type(error).__name__})")
        route = self._route(message.recipients)
        if route is None:
            return self._log(None, key, message, received_at, IGNORED,
                             [f"no project receives mail at {', '.join(message.recipients[:5]) or 'its addresses'}"])
        project = route.project
        if self._from_ticketry(message):
            return self._log(project.id, key, message, received_at, IGNORED, ["loop: sent by Ticketry"])
        failed = message.failed_verdicts()
        if failed:
            return self._log(project.id, key, message, received_at, QUARANTINED,
                             [f"{name}: {message.verdicts[name]}" for name in failed])
        if message.bounce is not None:
            return self._bounce(project, key, message, received_at)
        return self._ticket(project, route, key, raw, message, received_at, released=False)

    def release(self, principal: Principal, entry_id: str) -> dict:
        """Tickets a quarantined message of the project as if its verdicts had passed; the entry
        then says `released` and names the ticket."""
        entry = self.directory.mail_log_entry(principal.project.id, entry_id)
        if entry is None:
            raise NotFound("mail log entry not found")
        if entry.status != QUARANTINED:
            raise NotQuarantined(f"only a quarantined message can be released; this one is {entry.status}",
                                 [FieldError("status", f"is {entry.status}, not quarantined")])
        raw = self.raw_mail.get(entry.key)
        if raw is None:
            raise Conflict("the message is no longer stored; delete the entry")
        try:
            message = parse(raw)
        except UnreadableMessage as error:
            raise Conflict(f"the message cannot be read: {error.reason}") from None
        route = self._route(message.recipients, principal.project)
        received = self._ticket(route.project, route, entry.key, raw, message, entry.received_at, released=True)
        self.directory.release_mail_log_entry(entry, received.ticket_id)
        return log_entry_view(replace(entry, status=mailbox.RELEASED, ticket_id=received.ticket_id))

    # ---- the steps -----------------------------------------------------------------------------

    def _route(self, recipients: tuple[str, ...], project: Project | None = None) -> _Route | None:
        """The project of the first recipient that is a project's address, an alias, or a reply
        address with a valid token (`project`, when given, is the one to find a token of); and the
        first ticket a reply address of that project names."""
        domain = self.domain()
        candidates = list(recipients[:MAX_ROUTED_RECIPIENTS])
        tagged = {address: mail_threads.token_of_address(address) for address in candidates
                  if mailbox.domain_of(address) == domain}
        lookups = candidates + [found[0] for found in tagged.values() if found is not None]
        owners = self.directory.address_owners(lookups) if project is None else {}
        routes: list[tuple[str, str | None]] = []   # (project id, ticket id of a token)
        for address in candidates:
            found = tagged.get(address)
            if found is not None:
                by_token = self._token_ticket(found[1])
                if by_token is not None:
                    routes.append(by_token)
                    continue
                address = found[0]
            if address in owners:
                routes.append((owners[address], None))
        if project is None:
            if not routes:
                return None
            project = self.directory.project(routes[0][0])
            if project is None:
                return None
        token_ticket = next((ticket_id for project_id, ticket_id in routes
                             if project_id == project.id and ticket_id is not None), None)
        return _Route(project, token_ticket)

    def _token_ticket(self, token: str) -> tuple[str, str | None] | None:
        """(project id, ticket id) of a reply token Ticketry made; the ticket id is None when the
        ticket was deleted (its project still receives the answer, as a new request)."""
        ticket_id = token[:mail_threads.TICKET_ID_LENGTH]
        owner = self.tickets.owner_project(ticket_id) if len(token) == mail_threads.TOKEN_LENGTH else None
        if owner is None:
            return None
        project_id, deleted = owner
        if mail_threads.ticket_of_token(self.secret(), project_id, token) != ticket_id:
            return None
        return project_id, None if deleted else ticket_id

    def _from_ticketry(self, message: InboundMessage) -> bool:
        """Mail Ticketry sent coming back (a forwarding loop, an auto-forward): never answered."""
        domain = self.domain()
        sender_domain = mailbox.domain_of(message.sender)
        own_id = message.message_id is not None and mailbox.domain_of(message.message_id) == domain
        return (sender_domain == domain or message.sender == normalise_email(config.email_sender()) or own_id)

    def _bounce(self, project: Project, key: str, message: InboundMessage, received_at: str) -> Received:
        bounce = message.bounce
        reason = " ".join(part for part in (bounce.status, bounce.diagnostic) if part) or "bounced"
        noted = [address for address in bounce.recipients
                 if self.directory.record_bounce(project.id, address, received_at, reason)]
        reasons = [f"bounce: {reason}"] + ([f"noted on {', '.join(noted)}"] if noted else [])
        return self._log(project.id, key, message, received_at, IGNORED, reasons)

    def _ticket(self, project: Project, route: _Route, key: str, raw: bytes, message: InboundMessage,
                received_at: str, released: bool) -> Received:
        mark_key = mailbox.received_key(project.id, message.message_id, raw)
        earlier = self.tickets.received_mark(mark_key)
        if earlier is not None:
            return self._finish(project, key, message, earlier, repeated=True)
        ticket = self._match(project, route, message)
        automatic = message.auto_reply and not released
        if automatic and ticket is not None:
            self.tickets.add_to_thread(ticket.id, [], [], auto_reply=AutoReply(
                sender=message.sender, subject=message.subject, at=received_at))
            self.raw_mail.delete(key)
            return Received("thread", ticket.id)
        if ticket is None and not released and (message.auto_reply or message.bulk):
            return self._log(project.id, key, message, received_at, IGNORED,
                             ["auto-reply" if message.auto_reply else "bulk"])
        author = self._author(project, message.sender)
        for _ in range(WRITE_ATTEMPTS):
            try:
                mark = self._write(project, ticket, author, message, mark_key)
            except StaleTicket:
                earlier = self.tickets.received_mark(mark_key)
                if earlier is not None:
                    return self._finish(project, key, message, earlier, repeated=True)
                ticket = self.tickets.get(ticket.id) if ticket is not None else None
                continue  # the ticket changed (or went) meanwhile: read it again
            return self._finish(project, key, message, mark)
        raise Conflict(f"ticket {ticket.id if ticket else ''} is changing too often to add the email to")

    def _match(self, project: Project, route: _Route, message: InboundMessage) -> Ticket | None:
        """The live ticket of the project the message answers: by its reply address, by the ids it
        answers (newest first), or by `[KEY-N]` in its subject when the sender is already part of
        that ticket (its requester, on its CC, or a member)."""
        if route.token_ticket_id is not None:
            ticket = self._live(project, route.token_ticket_id)
            if ticket is not None:
                return ticket
        answered = list(dict.fromkeys(message.in_reply_to + tuple(reversed(message.references))))
        if answered:
            ticket_id = self.tickets.ticket_by_message_id(project.id, answered)
            ticket = self._live(project, ticket_id) if ticket_id else None
            if ticket is not None:
                return ticket
        for match in TICKET_KEY_PATTERN.finditer(message.subject):
            if match[1].upper() != project.key:
                continue
            ticket_id = self.tickets.ticket_id_for_number(project.id, int(match[2]))
            ticket = self._live(project, ticket_id) if ticket_id else None
            if ticket is not None and self._part_of(project, ticket, message.sender):
                return ticket
        return None

    def _live(self, project: Project, ticket_id: str) -> Ticket | None:
        ticket = self.tickets.get(ticket_id)
        return ticket if ticket is not None and ticket.project_id == project.id else None

    def _part_of(self, project: Project, ticket: Ticket, sender: str) -> bool:
        if ticket.requester == sender or self._member(project, sender) is not None:
            return True
        thread = self.tickets.thread(ticket.id)
        return thread is not None and sender in thread.cc

    def _member(self, project: Project, address: str) -> Member | None:
        return next((m for m in self.directory.members(project.id) if normalise_email(m.email) == address), None)

    def _author(self, project: Project, sender: str) -> _Author:
        member = self._member(project, sender)
        return _Author(member.user_id, member) if member is not None else _Author(contact_actor(sender), None)

    def _write(self, project: Project, ticket: Ticket | None, author: _Author, message: InboundMessage,
               mark_key: str) -> ReceivedMark:
        """The ticket or comment the message makes, with its mark, in one transaction."""
        follow_up_of = None
        reopen_to = None
        if ticket is not None and not ticket.is_open:
            reopen_to = mailbox.reopen_status(Workflow(project.workflow).allowed_from(ticket.status))
            if reopen_to is None or (ticket.status in mailbox.CLOSED_STATUSES
                                     and project.email.reply_to_closed == FOLLOW_UP):
                follow_up_of, ticket, reopen_to = ticket, None, None
        if ticket is None:
            return self._create(project, author, message, mark_key, follow_up_of)
        return self._comment(project, ticket, author, message, mark_key, reopen_to)

    def _create(self, project: Project, author: _Author, message: InboundMessage, mark_key: str,
                follow_up_of: Ticket | None) -> ReceivedMark:
        _, notes = self.attachments.screen_received(message.attachments, 0)
        body = message.text
        if follow_up_of is not None:
            body = mailbox.follow_up_description(follow_up_of.key, message.reply_text or message.text)
        number = self.directory.next_ticket_number(project.id)
        now = now_iso()
        ticket = Ticket(id=new_id(), project_id=project.id, number=number, key=f"{project.key}-{number}",
                        title=mailbox.ticket_title(follow_up_of.title if follow_up_of else message.subject),
                        description="", status="new", severity=mailbox.EMAIL_SEVERITY, created_at=now,
                        updated_at=now, reporter=author.actor, source=mailbox.EMAIL_SOURCE,
                        assignee=default_assignee(self.people, project), requester=message.sender, version=1)
        ticket = self.sla.start(Principal(project=project, actor=author.actor, role="member", key_id=None), ticket)

        def entry_for(text: str) -> HistoryEntry:
            made = replace(ticket, description=text)
            return history_entry(made, Events.TICKET_CREATED, author.actor, now, via=VIA_EMAIL, changes={
                name: {"old": None, "new": value} for name, value in public_view(made).items()
                if name in CREATED_FIELDS})

        entry = self._fitting(entry_for, self._text(project, author, body), notes)
        ticket = replace(ticket, description=entry.ticket["description"])
        mark = ReceivedMark(mark_key, ticket.id, new_ticket=True)
        self.tickets.create(ticket, entry, received=mark)
        log.info("email %s made ticket %s", message.message_id, ticket.key)
        return mark

    def _comment(self, project: Project, ticket: Ticket, author: _Author, message: InboundMessage, mark_key: str,
                 reopen_to: str | None) -> ReceivedMark:
        _, notes = self.attachments.screen_received(message.attachments, self.attachments.attached_count(ticket.id))
        now = now_iso()
        after, changes = ticket, {}
        if reopen_to is not None:
            after, changes = apply_changes(ticket, {"status": reopen_to}, Workflow(project.workflow), now)
            after = self.sla.follow(ticket, after, now)
        saved = replace(after, version=ticket.version + 1) if changes else ticket

        def entry_for(text: str) -> HistoryEntry:
            return history_entry(saved, Events.COMMENT_ADDED, author.actor, now, {}, comment=text,
                                 visibility=entry_visibility(author.visibility), via=VIA_EMAIL)

        note = self._fitting(entry_for, self._text(project, author, message.reply_text or message.text), notes)
        mark = ReceivedMark(mark_key, ticket.id, new_ticket=False)
        if changes:
            change = storable(history_entry(saved, Events.TICKET_UPDATED, author.actor, now, changes))
            if note.id < change.id:
                # One moment for both: their ids order them, and the reply comes after the reopening.
                change, note = replace(change, id=note.id), replace(note, id=change.id)
            self.tickets.update(ticket, after, change, comment=note, received=mark)
        else:
            self.tickets.add_comment(ticket, note, received=mark)
        log.info("email %s commented on ticket %s", message.message_id, ticket.key)
        return mark

    def _text(self, project: Project, author: _Author, body: str) -> str:
        """The text as stored: a member's mentions of the project's people stay mentions; what a
        contact writes mentions no one (tokens become plain text)."""
        if author.member is not None:
            try:
                return self.people.resolve_mentions(project.id, body, "comment").text
            except ValidationFailed:
                pass
        return mentions.resolve(body, (), ()).text

    @staticmethod
    def _fitting(entry_for: Callable[[str], HistoryEntry], text: str, notes: list[str]) -> HistoryEntry:
        """The entry with as much of the text as one history entry keeps (the notes kept whole)."""
        body = text
        for _ in range(FITTING_ATTEMPTS):
            try:
                return storable(entry_for(mailbox.with_notes(body, notes)))
            except ValidationFailed:
                body = mailbox.cut_text(body, int(len(body) * 0.6))
        return storable(entry_for(mailbox.with_notes("", notes)))

    def _finish(self, project: Project, key: str, message: InboundMessage, mark: ReceivedMark,
                repeated: bool = False) -> Received:
        """What follows the write, safe to do again: the files (ids derived from the mark, so that
        none is attached twice; the ticket's limit holds), the thread and the Message-ID index, the
        contact, the acknowledgement; then the stored message goes (the ticket holds it now)."""
        ticket = self.tickets.get(mark.ticket_id)
        author = self._author(project, message.sender)
        if ticket is not None:
            positions, _ = self.attachments.screen_received(message.attachments, 0)
            if positions:
                self.attachments.attach_received(ticket, message.attachments, positions, author.actor, mark.key)
            cc = list(message.cc) + ([message.sender] if author.member is None else [])
            ids = [message.message_id] if message.message_id else []
            self.tickets.add_to_thread(ticket.id, ids, self._copied(project, ticket, cc))
            if ids:
                self.tickets.record_message_ids(project.id, ticket.id, ids)
        if author.member is None:
            self.directory.save_contact_message(project.id, message.sender, message.sender_name, now_iso())
        if ticket is not None and mark.new_ticket:
            self._acknowledge(project, ticket, message)
        self.raw_mail.delete(key)
        return Received("repeated" if repeated else "ticket" if mark.new_ticket else "comment", mark.ticket_id)

    def _copied(self, project: Project, ticket: Ticket, addresses: list[str]) -> list[str]:
        """Who of a message's addressees (and a contact who answers the thread) goes on the
        ticket's CC: not its requester, and no address that receives for Ticketry (a project's
        address, alias or reply address, or the sender address), which would mail Ticketry itself."""
        domain, sender = self.domain(), normalise_email(config.email_sender())
        wanted = [address for address in dict.fromkeys(addresses)
                  if address != ticket.requester and address != sender and mailbox.domain_of(address) != domain]
        receiving = self.directory.address_owners(wanted) if wanted else {}
        return [address for address in wanted if address not in receiving and address not in project.email.aliases]

    def _acknowledge(self, project: Project, ticket: Ticket, message: InboundMessage) -> None:
        """The project's acknowledgement of a new request, when it sends one: never to automatic or
        bulk mail, and at most once an hour to one sender."""
        settings = project.email
        if not settings.acknowledge or message.auto_submitted or message.auto_reply or message.bulk:
            return
        now = utc_now()
        not_since = iso(now - timedelta(seconds=mailbox.ACKNOWLEDGEMENT_INTERVAL_SECONDS))
        if not self.directory.claim_acknowledgement(project.id, message.sender, iso(now), not_since):
            return
        address = mail_threads.project_address(project.key, self.domain())
        own_id = mail_threads.own_message_id(f"ack.{ticket.id}", self.domain())
        email = acknowledgement.acknowledgement_email(
            settings.acknowledgement, ticket.key, ticket.title, to=message.sender, to_name=message.sender_name,
            from_address=address, from_name=project.name,
            reply_to=mail_threads.reply_address(address, mail_threads.reply_token(self.secret(), project.id, ticket.id)),
            message_id=own_id, answered=message.message_id)
        ses_id = self._mail().send(email, reference=f"acknowledgement-{ticket.id}")
        # Answers quote the id SES gave the message as well as (or instead of) ours.
        ids = [own_id, mail_threads.ses_message_id(ses_id, config.region())]
        self.tickets.add_to_thread(ticket.id, ids, [])
        self.tickets.record_message_ids(project.id, ticket.id, ids)

    # ---- the mail log ------------------------------------------------------------------------

    def _log(self, project_id: str | None, key: str, message: InboundMessage, received_at: str, status: str,
             reasons: list[str]) -> Received:
        entry = MailLogEntry(id=log_entry_id(received_at, key), project_id=project_id, key=key,
                             sender=message.sender, subject=message.subject, status=status, reasons=tuple(reasons),
                             received_at=received_at)
        self.directory.log_mail(entry)
        log.info("received message %s %s: %s", key, status, "; ".join(reasons))
        return Received("logged", log_entry=entry)

    def _unreadable(self, key: str, raw: bytes, received_at: str, reason: str) -> Received:
        """Logged as failed, in the log of the project it was sent to when its headers say so."""
        recipients, sender, subject = _headers_of(raw)
        route = self._route(tuple(recipients)) if recipients else None
        entry = MailLogEntry(id=log_entry_id(received_at, key), project_id=route.project.id if route else None,
                             key=key, sender=sender, subject=subject, status=FAILED, reasons=(reason,),
                             received_at=received_at)
        self.directory.log_mail(entry)
        log.warning("received message %s could not be read: %s", key, reason)
        return Received("logged", log_entry=entry)


def _headers_of(raw: bytes) -> tuple[list[str], str, str]:
    """Whatever of its recipients, sender and subject a message that could not be read shows."""
    try:
        headers = BytesParser(policy=policy.compat32).parsebytes(bytes(raw), headersonly=True)
        recipients = [address for name in ("To", "Cc", "Delivered-To", "X-Original-To")
                      for value in headers.get_all(name, []) for address in addresses_in(str(value))]
        senders = addresses_in(str(headers.get("From", "")))
        subject = " ".join(str(headers.get("Subject", "")).split())[:200]
    except Exception:
        return [], "", ""
    return list(dict.fromkeys(recipients)), senders[0] if senders else "", subject
