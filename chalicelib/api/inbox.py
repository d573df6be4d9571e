"""A person's inbox: the tickets they hear about, newest activity first, with unread counts. A
session reads its account's inbox across its projects; an API key, its member's, in its project."""
from chalice import Blueprint

from chalicelib.api.routing import Call, endpoint, services
from chalicelib.schemas import inbox as s

bp = Blueprint(__name__)
INBOX = "/v1/ce/inbox"
ENTRY = INBOX + "/{ticket_id}"
MARKS = {
    "read": "Mark an entry read",
    "unread": "Mark an entry unread",
    "archive": "Archive an entry (it is marked read; new activity brings it back)",
    "unarchive": "Move an archived entry back to the inbox",
}


@endpoint(bp, "GET", INBOX, summary="Your inbox: the tickets you watch, newest activity first", query=s.InboxQuery,
          response=s.InboxPage, tag="inbox")
def get_inbox(call: Call):
    q = call.query
    return services().inbox.page(call.principal, q.archived, q.cursor, q.limit)


@endpoint(bp, "GET", "/v1/ce/projects/{project_id}/inbox", summary="Your inbox in one project",
          query=s.InboxQuery, response=s.InboxPage, tag="inbox")
def get_project_inbox(call: Call, project_id: str):
    q = call.query
    return services().inbox.page(call.principal, q.archived, q.cursor, q.limit, project_id)


@endpoint(bp, "GET", INBOX + "/unread", summary="How many inbox entries are unread (for a badge)",
          response=s.InboxUnread, tag="inbox")
def get_inbox_unread(call: Call):
    return services().inbox.unread(call.principal)


@endpoint(bp, "POST", INBOX + "/read-all", summary="Mark every inbox entry read", response=s.InboxReadAll,
          tag="inbox")
def read_all_inbox(call: Call):
    return services().inbox.read_all(call.principal)


def _mark_route(action: str, summary: str) -> None:
    def handler(call: Call, ticket_id: str):
        return services().inbox.mark(call.principal, ticket_id, action)

    handler.__name__ = f"{action}_inbox_entry"
    endpoint(bp, "POST", f"{ENTRY}/{action}", summary=summary, response=s.InboxEntryOut, tag="inbox")(handler)


for _action, _summary in MARKS.items():
    _mark_route(_action, _summary)
