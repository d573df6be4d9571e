"""Public replies by email: a public comment, made by anyone but a contact, is mailed on the
ticket's thread to its requester, copying its CC, from the project's address, answerable at the
ticket's reply address, once per event (the NOTIFIED marker, as for members' email)."""
import logging
import time
from typing import Callable

from chalicelib import config
from chalicelib.adapters.mailer import MailRejected
from chalicelib.domain import mail_threads
from chalicelib.domain import notifications as rules
from chalicelib.domain.contacts import contact_email
from chalicelib.domain.events import TicketEvent
from chalicelib.domain.people import Project
from chalicelib.domain.tickets import Events
from chalicelib.services.mail import Mail
from chalicelib.services.ports import MailedThreads, ProjectContacts

log = logging.getLogger(__name__)

# As NotificationService's: longer than a stream keeps records.
MARKER_LIFETIME_SECONDS = 3 * 24 * 3600


class RequesterMail:
    """Meant to live for one stream batch, as NotificationService does (it remembers projects)."""

    def __init__(self, directory: ProjectContacts, tickets: MailedThreads, mailer: Mail,
                 secret: Callable[[], bytes] = config.reply_token_secret,
                 domain: Callable[[], str] = config.inbound_domain, region: Callable[[], str] = config.region,
                 clock: Callable[[], float] = time.time):
        self.directory = directory
        self.tickets = tickets
        self.mailer = mailer
        self.secret = secret
        self.domain = domain
        self.region = region
        self.clock = clock
        self._projects: dict[str, Project | None] = {}

    def reply(self, event: TicketEvent, people: rules.People) -> list[str]:
        """Mails the event's comment on the thread if it is a public reply of the team's; returns
        the addresses it went to (none when it is no such reply, or went before)."""
        requester = event.ticket.get("requester")
        if event.type != Events.COMMENT_ADDED or not event.public_comment or contact_email(event.actor) is not None:
            return []
        ticket_id = str(event.ticket.get("id") or "")
        project = self._project(event.project_id)
        if not requester or not ticket_id or project is None:
            log.warning("public comment %s has no requester to go to", event.id)
            return []
        already = {address.lower() for address in self.tickets.notified(event.id)}
        if requester in already:
            return []
        thread = self.tickets.thread(ticket_id)
        domain = self.domain()
        own_address = mail_threads.project_address(project.key, domain)
        cc = tuple(address for address in (thread.cc if thread else ())
                   if address != requester and address not in already and not _ours(address, own_address, domain))
        own_id = mail_threads.own_message_id(event.id, domain)
        contact = self.directory.contact(event.project_id, requester)
        email = rules.compose_reply(event, rules.Thread(
            to=requester, to_name=contact.name if contact else "", cc=cc, from_address=own_address,
            from_name=project.name, reply_to=self.reply_address(project.id, project.key, ticket_id),
            message_id=own_id, in_reply_to=thread.latest_message_id if thread else None,
            references=mail_threads.references(thread, own_id)), people)
        sent_to = [requester, *cc]
        try:
            ses_id = self.mailer.send(email, reference=f"{event.id}-reply")
        except MailRejected as rejected:
            # Retrying cannot help, and a failed record would hold up the whole shard.
            log.error("reply %s to %s rejected: %s", event.id, requester, rejected)
            self._record(event, ticket_id, [], sent_to)
            return sent_to
        self._record(event, ticket_id, [own_id, *mail_threads.ses_message_ids(ses_id, self.region())], sent_to)
        return sent_to

    def reply_address(self, project_id: str, project_key: str, ticket_id: str) -> str:
        """The ticket's reply address, which every email about it answers to."""
        return mail_threads.reply_address(mail_threads.project_address(project_key, self.domain()),
                                          mail_threads.reply_token(self.secret(), project_id, ticket_id))

    def _record(self, event: TicketEvent, ticket_id: str, message_ids: list[str], sent_to: list[str]) -> None:
        """Keeps the message's ids (answers quoting them find the ticket) and whom it went to. The
        mail is out whatever fails here: it must not be sent again for it (the reply address in
        its Reply-To finds the ticket anyway)."""
        try:
            if message_ids:
                self.tickets.record_message_ids(event.project_id, ticket_id, message_ids)
                self.tickets.add_to_thread(ticket_id, message_ids, [])
        except Exception:  # noqa: BLE001 - any storage failure; the mail itself has gone
            log.exception("could not keep the message ids of the reply %s", event.id)
        try:
            self.tickets.record_notified(event.id, sent_to, int(self.clock()) + MARKER_LIFETIME_SECONDS)
        except Exception:  # noqa: BLE001 - as above
            log.exception("could not record the reply %s sent to %d addresses", event.id, len(sent_to))

    def _project(self, project_id: str) -> Project | None:
        if project_id not in self._projects:
            self._projects[project_id] = self.directory.project(project_id)
        return self._projects[project_id]


def _ours(address: str, own_address: str, domain: str) -> bool:
    """Ticketry's own addresses (the project's, its aliases, any reply address): never copied, or
    a reply would come back in as mail to the ticket."""
    return address == own_address or address.rpartition("@")[2] == domain
