"""What the ticket use cases share: how often a write is retried, ETags, the live ticket a request
names, and who may be assigned."""
from chalicelib.domain.people import Principal, Project
from chalicelib.domain.tickets import Ticket
from chalicelib.errors import NotFound, UnknownReference
from chalicelib.services.people import PeopleService
from chalicelib.services.ports import Tickets

# Attempts at a write that another request got ahead of (re-read, re-applied) before a 409.
WRITE_ATTEMPTS = 3


def etag(version: int) -> str:
    return f'"{version}"'


def etag_matches(if_match: str, version: int) -> bool:
    wanted = [tag.strip().removeprefix("W/") for tag in if_match.split(",")]
    return "*" in wanted or etag(version) in wanted


def live_ticket(tickets: Tickets, principal: Principal, ticket_id: str) -> Ticket:
    ticket = tickets.get(ticket_id)
    if ticket is None or ticket.project_id != principal.project.id:
        raise NotFound("ticket not found")
    return ticket


def check_assignee(people: PeopleService, project_id: str, assignee: str, field: str = "assignee") -> None:
    if not people.is_assignable(project_id, assignee):
        raise UnknownReference.on(field, "not a member (user_id) or team (team:<id>) of this project")


def default_assignee(people: PeopleService, project: Project) -> str | None:
    """The project's default, while it still names a member or team; else unassigned."""
    default = project.default_assignee
    return default if default is not None and people.is_assignable(project.id, default) else None
