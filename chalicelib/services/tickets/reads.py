"""Reading tickets: which ticket a reference names, a ticket with its details, and its history."""
from chalicelib import config
from chalicelib.domain import cursor as cursors
from chalicelib.domain.people import Principal
from chalicelib.domain.tickets import Workflow, parse_key
from chalicelib.errors import NotFound
from chalicelib.schemas import tickets as schemas
from chalicelib.services.attachments import AttachmentService
from chalicelib.services.ports import Tickets, TicketStore
from chalicelib.services.presenter import TicketPresenter


class TicketReads:
    def __init__(self, tickets: TicketStore, attachments: AttachmentService, presenter: TicketPresenter):
        self.tickets = tickets
        self.attachments = attachments
        self.presenter = presenter

    def resolve(self, principal: Principal, ref: str) -> str:
        """The id of the ticket `ref` names: an id as it is, a key (OPS-42, any case) through its
        number's guard. Another project's key is unknown here, and costs no read."""
        key = parse_key(ref)
        if key is None:
            return ref
        project_key, number = key
        ticket_id = None
        if project_key == principal.project.key:
            ticket_id = self.tickets.ticket_id_for_number(principal.project.id, number)
        if ticket_id is None:
            raise NotFound("ticket not found")
        return ticket_id

    def detail(self, principal: Principal, ticket_id: str) -> tuple[dict, int]:
        found = self.tickets.detail(ticket_id)
        if found is None or found.deleted or found.project_id != principal.project.id:
            raise NotFound("ticket not found")
        ticket = found.ticket
        workflow = Workflow(principal.project.workflow)
        more = found.more_history_after
        body = self.presenter.ticket(ticket) | {
            "history": [self.presenter.entry(e) for e in found.history],
            "history_cursor": cursors.encode(more, _history_scope(ticket_id, None), config.cursor_signing_key()) if more else None,
            "attachments": [self.attachments.public(a) for a in found.attachments],
            "allowed_transitions": workflow.allowed_from(ticket.status),
        }
        return body, ticket.version

    def history(self, principal: Principal, ticket_id: str, query: schemas.HistoryQuery) -> dict:
        readable(self.tickets, principal, ticket_id)
        scope = _history_scope(ticket_id, query.event)
        after = cursors.decode(query.cursor, scope, config.cursor_signing_key()) if query.cursor else None
        entries, more = self.tickets.history(ticket_id, query.event, query.limit, after)
        return {
            "data": [self.presenter.entry(e) for e in entries],
            "cursor": cursors.encode(more, scope, config.cursor_signing_key()) if more else None,
        }


def readable(tickets: Tickets, principal: Principal, ticket_id: str) -> None:
    """Whether `principal` may read what the ticket has said (its history, its comments): a ticket
    of their project, and, once deleted, only for admins. A 404 otherwise."""
    owner = tickets.owner_project(ticket_id)
    if owner is None or owner[0] != principal.project.id or (owner[1] and not principal.is_admin):
        raise NotFound("ticket not found")


def _history_scope(ticket_id: str, event: str | None) -> str:
    return f"history:{ticket_id}:{event or ''}"
