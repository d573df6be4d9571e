"""Watcher routes: who watches a ticket, watching it, and stopping."""
import re

from chalice import Blueprint

from chalicelib.api.routing import Call, Reply, endpoint, services
from chalicelib.api.tickets import TICKET
from chalicelib.schemas import watchers as s

bp = Blueprint(__name__)
WATCHERS = TICKET + "/watchers"
# A member's user id, `team:<id>`, or `me`.
WATCHER_PATTERN = re.compile(r"(team:)?[0-9a-z_]{1,64}")


@endpoint(bp, "GET", WATCHERS, summary="Who watches a ticket", response=s.WatcherList)
def list_watchers(call: Call, project_id: str, ticket_id: str):
    return services().watchers.watching(call.principal, ticket_id)


@endpoint(bp, "PUT", WATCHERS + "/{user_id}",
          summary="Watch a ticket (me, or your user_id, with any role), or make a member or team:<team_id> watch it "
                  "(member role)", response=s.WatcherOut, ids={"user_id": WATCHER_PATTERN})
def watch_ticket(call: Call, project_id: str, ticket_id: str, user_id: str):
    return services().watchers.watch(call.principal, ticket_id, user_id)


@endpoint(bp, "DELETE", WATCHERS + "/{user_id}",
          summary="Stop watching a ticket (me, with any role), or stop someone else watching it (admin role); no "
                  "later event makes them watch again", status=204, ids={"user_id": WATCHER_PATTERN})
def unwatch_ticket(call: Call, project_id: str, ticket_id: str, user_id: str):
    services().watchers.unwatch(call.principal, ticket_id, user_id)
    return Reply(None)
