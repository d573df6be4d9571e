"""Due dates: the minute sweep that emits TICKET_OVERDUE once per ticket whose due date passed
while it was still open."""
import logging

from chalicelib.domain.clock import new_id, now_iso
from chalicelib.domain.events import SYSTEM_ACTOR
from chalicelib.domain.tickets import Events, HistoryEntry, StaleTicket, public_view
from chalicelib.services.ports import OverdueTickets

log = logging.getLogger(__name__)


class OverdueService:
    def __init__(self, tickets: OverdueTickets):
        self.tickets = tickets

    def sweep(self) -> int:
        now = now_iso()
        fired = 0
        for ticket_id, due_date in self.tickets.overdue(now):
            ticket = self.tickets.get(ticket_id)
            if ticket is None or ticket.due_date != due_date or not ticket.is_open:
                continue  # changed since it was armed; its next write re-arms or disarms it
            entry = HistoryEntry(id=new_id(), ticket_id=ticket.id, project_id=ticket.project_id,
                                 event=Events.TICKET_OVERDUE, timestamp=now, changed_by=SYSTEM_ACTOR,
                                 changes={"due_date": {"old": due_date, "new": due_date}},
                                 ticket=public_view(ticket))
            try:
                self.tickets.fire_overdue(ticket, entry)
                fired += 1
            except StaleTicket:
                log.info("ticket %s changed while its overdue event fired; skipped", ticket.id)
        return fired
