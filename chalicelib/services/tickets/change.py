"""Changing a ticket: a PATCH, and the one way every change is written (bulk changes too)."""
import time
from dataclasses import dataclass, replace
from typing import Any, Callable

from chalicelib.domain.clock import iso, now_iso
from chalicelib.domain.idempotency import CommentMark
from chalicelib.domain.people import Principal
from chalicelib.domain.tickets import (Events, StaleTicket, Ticket, Workflow, apply_changes, history_entry,
                                      normalise_tags, storable)
from chalicelib.errors import Conflict, PreconditionFailed
from chalicelib.schemas import tickets as schemas
from chalicelib.services.people import PeopleService
from chalicelib.services.ports import TicketStore
from chalicelib.services.presenter import TicketPresenter
from chalicelib.services.sla import SlaService
from chalicelib.services.tickets.common import WRITE_ATTEMPTS, check_assignee, etag_matches, live_ticket


@dataclass(frozen=True)
class ChangeComment:
    """A comment made together with a change, in its transaction."""
    text: str
    mark: CommentMark | None = None  # written with it, so that the same request never makes it twice


class TicketChanges:
    def __init__(self, tickets: TicketStore, people: PeopleService, sla: SlaService, presenter: TicketPresenter):
        self.tickets = tickets
        self.people = people
        self.sla = sla
        self.presenter = presenter

    def update(self, principal: Principal, ticket_id: str, body: schemas.TicketPatch,
               if_match: str | None) -> tuple[dict, int]:
        requested = body.model_dump(exclude_unset=True)
        if requested.get("due_date") is not None:
            requested["due_date"] = iso(requested["due_date"])
        if "tags" in requested:
            requested["tags"] = normalise_tags(requested["tags"])
        if requested.get("description") is not None:
            requested["description"] = self.people.resolve_mentions(principal.project.id, requested["description"],
                                                                     "description").text
        saved = self.change(principal, ticket_id, lambda ticket: requested, if_match)
        return self.presenter.ticket(saved), saved.version

    def change(self, principal: Principal, ticket_id: str, wanted: Callable[[Ticket], dict[str, Any]],
               if_match: str | None, *, ticket: Ticket | None = None, check_assignees: bool = True,
               comment: ChangeComment | None = None) -> Ticket:
        """Every change of a ticket (a PATCH, each ticket of a bulk change) goes through here: the
        fields `wanted` asks of the current ticket, applied with their history entry in one
        transaction, re-read and re-applied when another write came first (unless If-Match pins
        the version). A comment goes into the same transaction, also when nothing else changes.
        `ticket` is the ticket as just read, if it was. Returns the ticket as it is afterwards."""
        workflow = Workflow(principal.project.workflow)
        for _ in range(WRITE_ATTEMPTS):
            if ticket is None:
                ticket = live_ticket(self.tickets, principal, ticket_id)
            if if_match is not None and not etag_matches(if_match, ticket.version):
                raise PreconditionFailed("the ticket has changed since you read it (If-Match does not match)")
            requested = wanted(ticket)
            if check_assignees and requested.get("assignee") not in (None, ticket.assignee):
                check_assignee(self.people, principal.project.id, requested["assignee"])
            now = now_iso()
            after, changes = apply_changes(ticket, requested, workflow, now)
            if changes:
                after = self.sla.follow(ticket, after, now)
            saved = replace(after, version=ticket.version + 1) if changes else ticket
            note = None
            if comment is not None:
                note = storable(history_entry(saved, Events.COMMENT_ADDED, principal.actor, now, {},
                                              comment=comment.text))
            mark = comment.mark if comment is not None else None
            try:
                if changes:
                    entry = storable(history_entry(saved, Events.TICKET_UPDATED, principal.actor, now, changes))
                    if note is not None and note.id < entry.id:
                        # One timestamp for both: their ids order them, and the comment is to
                        # come after the change it goes with.
                        entry, note = replace(entry, id=note.id), replace(note, id=entry.id)
                    self.tickets.update(ticket, after, entry, comment=note, mark=mark)
                elif note is not None:
                    self.tickets.add_comment(ticket, note, mark=mark)
            except StaleTicket:
                if mark is not None and self.tickets.marked([mark], int(time.time())):
                    comment = None  # another run of the same request got there first
                elif if_match is not None and changes:
                    raise PreconditionFailed("the ticket has changed since you read it") from None
                ticket = None
                continue  # someone else wrote first, or the ticket went: re-read and re-apply our change
            return saved
        raise Conflict("the ticket is changing too often to update; try again")
