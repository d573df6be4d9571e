"""Deleting a ticket: a tombstone keeps its history for admins; its files go after the commit."""
from chalicelib.domain.clock import now_iso
from chalicelib.domain.people import Principal
from chalicelib.domain.tickets import Events, StaleTicket, history_entry
from chalicelib.errors import Conflict, PreconditionFailed
from chalicelib.services.attachments import AttachmentService
from chalicelib.services.ports import Tickets
from chalicelib.services.tickets.common import WRITE_ATTEMPTS, etag_matches, live_ticket


class TicketDeletion:
    def __init__(self, tickets: Tickets, attachments: AttachmentService):
        self.tickets = tickets
        self.attachments = attachments

    def delete(self, principal: Principal, ticket_id: str, if_match: str | None) -> None:
        for _ in range(WRITE_ATTEMPTS):
            ticket = live_ticket(self.tickets, principal, ticket_id)
            if if_match is not None and not etag_matches(if_match, ticket.version):
                raise PreconditionFailed("the ticket has changed since you read it (If-Match does not match)")
            entry = history_entry(ticket, Events.TICKET_DELETED, principal.actor, now_iso(), {})
            try:
                self.tickets.delete(ticket, entry)
            except StaleTicket:
                if if_match is not None:
                    raise PreconditionFailed("the ticket has changed since you read it") from None
                continue
            # Files go after the commit: had they gone first, a failed commit would leave records
            # without files. A file arriving later, on a form issued before, finds no ticket and is
            # removed by S3's event handler or, failing that, the lifecycle rule.
            self.attachments.delete_files(ticket)
            return
        raise Conflict("the ticket is changing too often to delete; try again")
