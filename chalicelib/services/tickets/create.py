"""Creating a ticket: an open ticket with the same dedup key absorbs the new one, and a request
made with an Idempotency-Key is done once."""
from dataclasses import dataclass

from chalicelib.domain.clock import iso, new_id, now_iso
from chalicelib.domain.people import Principal
from chalicelib.domain.tickets import (Events, StaleTicket, Ticket, history_entry, normalise_dedup_key, normalise_tags,
                                      public_view, storable)
from chalicelib.errors import Conflict
from chalicelib.schemas import tickets as schemas
from chalicelib.services.people import PeopleService
from chalicelib.services.ports import Projects, TicketStore
from chalicelib.services.presenter import TicketPresenter
from chalicelib.services.sla import SlaService
from chalicelib.services.tickets import idempotency
from chalicelib.services.tickets.common import WRITE_ATTEMPTS, check_assignee, default_assignee

# The fields of a new ticket that its TICKET_CREATED entry lists as changed.
CREATED_FIELDS = ("title", "status", "severity", "assignee", "tags", "due_date")


@dataclass(frozen=True)
class CreateOutcome:
    status_code: int          # 201 created, 200 absorbed by an open duplicate
    body: dict


class TicketCreation:
    def __init__(self, tickets: TicketStore, people: PeopleService, sla: SlaService, presenter: TicketPresenter,
                 projects: Projects):
        self.tickets = tickets
        self.people = people
        self.sla = sla
        self.presenter = presenter
        self.projects = projects

    def create(self, principal: Principal, body: schemas.TicketCreate, idempotency_key: str | None) -> CreateOutcome:
        project_id = principal.project.id
        scope = request_hash = None
        if idempotency_key is not None:
            scope = idempotency.scope(principal, idempotency_key)
            request_hash = idempotency.request_hash(body)
        tags = normalise_tags(body.tags)
        dedup_key = normalise_dedup_key(body.dedup_key)
        if body.assignee is not None:
            check_assignee(self.people, project_id, body.assignee)
        description = self.people.resolve_mentions(project_id, body.description, "description").text
        for _ in range(WRITE_ATTEMPTS):
            if scope is not None:
                replay = idempotency.replay(self.tickets, scope, request_hash)
                if replay is not None:
                    return CreateOutcome(replay.status_code, replay.body)
            try:
                return self._create_once(principal, body, description, tags, dedup_key, scope, request_hash)
            except StaleTicket:
                continue  # a concurrent request claimed the dedup or idempotency key: look again
        raise Conflict("too many concurrent requests for this ticket; try again")

    def _create_once(self, principal, body, description, tags, dedup_key, scope, request_hash) -> CreateOutcome:
        project = principal.project
        previous_owner = None
        if dedup_key is not None:
            previous_owner = self.tickets.dedup_owner(project.id, dedup_key)
            if previous_owner is not None:
                existing = self.tickets.get(previous_owner)
                if existing is not None and existing.is_open:
                    return self._absorb_duplicate(principal, existing, body, scope, request_hash)
        number = self.projects.next_ticket_number(project.id)
        now = now_iso()
        ticket = Ticket(
            id=new_id(), project_id=project.id, number=number, key=f"{project.key}-{number}",
            title=body.title, description=description, status="new", severity=body.severity,
            created_at=now, updated_at=now, reporter=principal.actor, source=body.source,
            due_date=iso(body.due_date) if body.due_date else None,
            assignee=body.assignee if body.assignee is not None else default_assignee(self.people, project),
            tags=tags, dedup_key=dedup_key, version=1,
        )
        ticket = self.sla.start(principal, ticket)
        entry = storable(history_entry(ticket, Events.TICKET_CREATED, principal.actor, now,
                                       changes={name: {"old": None, "new": value}
                                                for name, value in public_view(ticket).items() if name in CREATED_FIELDS}))
        outcome = CreateOutcome(201, self.presenter.ticket(ticket, now))
        self.tickets.create(ticket, entry, dedup_previous=previous_owner,
                            idempotency=idempotency.kept(scope, request_hash, outcome.status_code, outcome.body))
        return outcome

    def _absorb_duplicate(self, principal, existing: Ticket, body, scope, request_hash) -> CreateOutcome:
        now = now_iso()
        received = {"title": body.title, "severity": body.severity, "source": body.source}
        entry = storable(history_entry(existing, Events.DUPLICATE_RECEIVED, principal.actor, now,
                                       changes={"received": {"old": None, "new": received}}))
        outcome = CreateOutcome(200, self.presenter.ticket(existing, now))
        kept = idempotency.kept(scope, request_hash, outcome.status_code, outcome.body)
        self.tickets.append_history(existing, entry, require_open=True, idempotency=kept)
        return outcome
