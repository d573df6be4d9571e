"""A ticket's email thread as people see it: its requester, who is on its CC, its reply address
and the automatic answers it drew."""
from typing import Callable

from chalicelib import config
from chalicelib.domain import mail_threads
from chalicelib.domain.people import Principal, Project
from chalicelib.services.ports import Contacts, ThreadedTickets
from chalicelib.services.tickets.common import live_ticket


class MailThreadService:
    def __init__(self, tickets: ThreadedTickets, contacts: Contacts,
                 secret: Callable[[], bytes] = config.reply_token_secret,
                 domain: Callable[[], str] = config.inbound_domain):
        self.tickets = tickets
        self.contacts = contacts
        self.secret = secret
        self.domain = domain

    def view(self, principal: Principal, ticket_id: str) -> dict:
        ticket = live_ticket(self.tickets, principal, ticket_id)
        thread = self.tickets.thread(ticket.id)
        requester = None
        if ticket.requester is not None:
            contact = self.contacts.contact(ticket.project_id, ticket.requester)
            requester = {"email": ticket.requester, "name": (contact.name or None) if contact else None,
                         "bounced_at": contact.bounced_at if contact else None}
        return {
            "requester": requester,
            "cc": list(thread.cc) if thread else [],
            "reply_address": self.reply_address(principal.project, ticket.id),
            "auto_replies": [{"from": r.sender, "subject": r.subject, "at": r.at}
                             for r in (thread.auto_replies if thread else ())],
        }

    def reply_address(self, project: Project, ticket_id: str) -> str:
        """Where mail about the ticket is answered: the project's address tagged with the ticket's token."""
        return mail_threads.reply_address(mail_threads.project_address(project.key, self.domain()),
                                          mail_threads.reply_token(self.secret(), project.id, ticket_id))
