"""Ticket routes: CRUD, bulk changes, history, search and the project's workflow."""
from chalice import Blueprint

from chalicelib.api.routing import Call, Reply, endpoint, services
from chalicelib.schemas import tickets as s
from chalicelib.services.tickets.common import etag

bp = Blueprint(__name__)
PROJECT = "/v1/ce/projects/{project_id}"
TICKET = PROJECT + "/tickets/{ticket_id}"


@endpoint(bp, "POST", PROJECT + "/tickets", summary="Create a ticket (or absorb a duplicate alert)",
          status=201, role="member", body=s.TicketCreate, response=s.TicketOut, headers=s.IdempotentHeaders)
def create_ticket(call: Call, project_id: str):
    outcome = services().ticket_creation.create(call.principal, call.body, call.headers.idempotency_key)
    return Reply(outcome.body, outcome.status_code)


@endpoint(bp, "POST", PROJECT + "/tickets/bulk", summary="Change up to 100 tickets at once, each on its own",
          role="member", body=s.TicketBulk, response=s.BulkResults, headers=s.IdempotentHeaders)
def bulk_change(call: Call, project_id: str):
    return services().bulk_changes.apply(call.principal, call.body, call.headers.idempotency_key)


@endpoint(bp, "GET", PROJECT + "/tickets", summary="Search tickets, newest first",
          query=s.TicketSearch, response=s.TicketPage)
def search_tickets(call: Call, project_id: str):
    return services().ticket_search.search(call.principal, call.query)


@endpoint(bp, "GET", TICKET, summary="A ticket with its recent history, attachments and allowed moves",
          response=s.TicketDetailOut)
def get_ticket(call: Call, project_id: str, ticket_id: str):
    body, version = services().ticket_reads.detail(call.principal, ticket_id)
    return Reply(body, headers={"ETag": etag(version)})


@endpoint(bp, "PATCH", TICKET, summary="Change a ticket", role="member", body=s.TicketPatch,
          response=s.TicketOut, headers=s.TicketChangeHeaders)
def update_ticket(call: Call, project_id: str, ticket_id: str):
    body, version = services().ticket_changes.update(call.principal, ticket_id, call.body, call.headers.if_match)
    return Reply(body, headers={"ETag": etag(version)})


@endpoint(bp, "DELETE", TICKET, summary="Delete a ticket (its history stays for admins)", status=204,
          role="member", headers=s.TicketChangeHeaders)
def delete_ticket(call: Call, project_id: str, ticket_id: str):
    services().ticket_deletion.delete(call.principal, ticket_id, call.headers.if_match)
    return Reply(None)


@endpoint(bp, "GET", TICKET + "/history", summary="A ticket's history, newest first",
          query=s.HistoryQuery, response=s.HistoryPage)
def ticket_history(call: Call, project_id: str, ticket_id: str):
    return services().ticket_reads.history(call.principal, ticket_id, call.query)


@endpoint(bp, "GET", PROJECT + "/workflow", summary="The project's allowed status moves", response=s.Workflow,
          tag="projects")
def get_workflow(call: Call, project_id: str):
    return {"transitions": services().workflow.transitions(call.principal)}


@endpoint(bp, "PUT", PROJECT + "/workflow", summary="Replace the project's allowed status moves", role="admin",
          body=s.Workflow, response=s.Workflow, tag="projects")
def put_workflow(call: Call, project_id: str):
    return {"transitions": services().workflow.replace(call.principal, call.body.transitions)}
