"""A ticket's watchers as people see and choose them: who watches, watching a ticket (yourself, or
someone else), and stopping (remembered, so no later event subscribes them again)."""
from dataclasses import asdict

from chalicelib.domain import watching
from chalicelib.domain.clock import now_iso
from chalicelib.domain.people import Principal
from chalicelib.domain.tickets import TEAM_PREFIX, Ticket
from chalicelib.domain.watching import Watcher
from chalicelib.errors import NotFound
from chalicelib.services.ports import WatchedTickets, WatcherPeople
from chalicelib.services.tickets.common import live_ticket
from chalicelib.services.tickets.reads import readable

ME = "me"


class WatcherService:
    def __init__(self, tickets: WatchedTickets, people: WatcherPeople):
        self.tickets = tickets
        self.people = people

    def watching(self, principal: Principal, ticket_id: str) -> dict:
        readable(self.tickets, principal, ticket_id)
        return {"data": [shown(w) for w in self.tickets.watchers(ticket_id) if w.watching]}

    def watch(self, principal: Principal, ticket_id: str, ref: str) -> dict:
        """Makes `ref` watch the ticket: yourself with any role, someone else (a member or a team
        of the project) with the member role. Watching already, they stay as they are."""
        ticket = live_ticket(self.tickets, principal, ticket_id)
        ref, yourself = self._ref(principal, ref)
        if not yourself:
            principal.require("member")
            self._check_target(principal, ref)
        current = self._current(ticket, ref)
        if current is not None and current.watching:
            return shown(current)
        watcher = Watcher(ticket.id, ticket.project_id, ref, watching.WATCHING,
                          watching.SUBSCRIBED if yourself else watching.ADDED, principal.actor, now_iso(),
                          ticket.sort_key)
        self.tickets.save_watcher(watcher)
        return shown(watcher)

    def unwatch(self, principal: Principal, ticket_id: str, ref: str) -> None:
        """Stops `ref` watching the ticket: yourself with any role, someone else as an admin. The
        stop is kept (also for one who never watched), so that no later event subscribes them."""
        ticket = live_ticket(self.tickets, principal, ticket_id)
        ref, yourself = self._ref(principal, ref)
        if not yourself:
            principal.require("admin")
        current = self._current(ticket, ref)
        if current is None and not yourself:
            self._check_target(principal, ref)
        if current is not None and not current.watching:
            return
        reason = current.reason if current is not None else watching.SUBSCRIBED
        self.tickets.save_watcher(Watcher(ticket.id, ticket.project_id, ref, watching.UNSUBSCRIBED, reason,
                                          principal.actor, now_iso(), ticket.sort_key))

    def _current(self, ticket: Ticket, ref: str) -> Watcher | None:
        return next((w for w in self.tickets.watchers(ticket.id) if w.watcher == ref), None)

    @staticmethod
    def _ref(principal: Principal, ref: str) -> tuple[str, bool]:
        """The watcher a path names (`me`: the caller's own user id), and whether it is the caller."""
        if ref == ME:
            ref = principal.own_user_id()
        return ref, ref == principal.user_id

    def _check_target(self, principal: Principal, ref: str) -> None:
        project_id = principal.project.id
        if ref.startswith(TEAM_PREFIX):
            found = self.people.team(project_id, ref[len(TEAM_PREFIX):]) is not None
        else:
            found = self.people.member(project_id, ref) is not None
        if not found:
            raise NotFound("no such member or team in this project")


def shown(watcher: Watcher) -> dict:
    return {name: value for name, value in asdict(watcher).items()
            if name in ("watcher", "state", "reason", "since", "added_by")}
