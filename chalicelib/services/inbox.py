"""Inboxes: the tickets stream writes each event into the inbox of everyone in its audience (once
per account, however often the event is replayed), and people read theirs, mark entries read or
unread, archive them, and count what is unread.

A signed-in account sees the entries of every project it is a member of now; an API key, its
member's entries of the key's project only. Entries of a project the account left are kept (they
come back if it rejoins) but never shown or counted."""
import time
from typing import Iterable

from chalicelib import config
from chalicelib.domain import cursor as cursors
from chalicelib.domain import inbox as rules
from chalicelib.domain.clock import now_iso
from chalicelib.domain.events import TicketEvent
from chalicelib.domain.inbox import InboxEntry, Listener
from chalicelib.domain.people import AccountPrincipal, Principal
from chalicelib.errors import Conflict, NotFound
from chalicelib.services.ports import Inbox, Members

# Longer than a stream keeps records (24 h), as for the addresses mailed (services.notifications).
MARKER_LIFETIME_SECONDS = 3 * 24 * 3600
# Writes conditioned on the entry as read: a conflict means another write came first, so read again.
MAX_ATTEMPTS = 8
READ_ALL_PAGE = 100
# Entries one read-all marks at most (a transaction each): a request must end well within API
# Gateway's 29 s; `more` tells the caller to ask again.
MAX_MARKED_AT_ONCE = 300


class InboxService:
    def __init__(self, inbox: Inbox, members: Members, clock=time.time):
        self.inbox = inbox
        self.members = members
        self.clock = clock

    # ---- the stream's side ---------------------------------------------------------------------

    def record(self, event: TicketEvent, listeners: Iterable[Listener], accounts: dict[str, str]) -> list[str]:
        """Puts the event in the inbox of each listener with an account (`accounts`: the project's
        user ids to their accounts); returns the accounts it was added for now. An account already
        holding the event is passed over, so a replayed event changes nothing."""
        wanted = rules.recipients(listeners, accounts, event.actor)
        if not wanted:
            return []
        ticket_id = str(event.ticket.get("id"))
        done = self.inbox.inboxed(event.id)
        expires_at = int(self.clock()) + MARKER_LIFETIME_SECONDS
        added = []
        for account_id, mentioned in wanted.items():
            if account_id in done:
                continue
            for _ in range(MAX_ATTEMPTS):
                before = self.inbox.inbox_entry(account_id, ticket_id)
                try:
                    self.inbox.add_to_inbox(before, rules.fold(before, event, account_id, mentioned), event.id,
                                            expires_at)
                    added.append(account_id)
                    break
                except Conflict:
                    if account_id in self.inbox.inboxed(event.id):
                        break
            else:
                raise Conflict(f"the inbox entry of {ticket_id} kept changing; the event will be retried")
        return added

    # ---- the reader's side ---------------------------------------------------------------------

    def page(self, principal: Principal | AccountPrincipal, archived: bool, cursor: str | None, limit: int,
             project_id: str | None = None) -> dict:
        account_id, projects, counts = self._scope(principal, project_id)
        scope = f"inbox:{account_id}:{'archived' if archived else 'inbox'}:{project_id or ''}"
        key = config.cursor_signing_key()
        after = cursors.decode(cursor, scope, key) if cursor else None
        entries, more = self.inbox.inbox_page(account_id, archived, projects, limit, after) if account_id else ([], None)
        return {"data": [present(entry) for entry in entries],
                "cursor": cursors.encode(more, scope, key) if more else None,
                "unread": sum(counts.values())}

    def unread(self, principal: Principal | AccountPrincipal) -> dict:
        _, _, counts = self._scope(principal, None)
        return {"unread": sum(counts.values()), "projects": counts}

    def mark(self, principal: Principal | AccountPrincipal, ticket_id: str, action: str) -> dict:
        """`action`: read, unread, archive or unarchive. Marking an entry as it already is changes nothing."""
        account_id, projects, _ = self._scope(principal, None)
        now = now_iso()
        for _ in range(MAX_ATTEMPTS):
            before = self.inbox.inbox_entry(account_id, ticket_id) if account_id else None
            if before is None or before.project_id not in projects:
                raise NotFound("no such inbox entry")
            after = _ACTIONS[action](before, now)
            if after == before:
                return present(before)
            try:
                self.inbox.save_inbox_entry(before, after)
                return present(after)
            except Conflict:
                continue
        raise Conflict("the inbox entry kept changing; try again")

    def read_all(self, principal: Principal | AccountPrincipal) -> dict:
        """Marks unread entries read, archived ones too, at most MAX_MARKED_AT_ONCE a call; returns
        how many were, and whether unread ones are left."""
        account_id, projects, counts = self._scope(principal, None)
        if not account_id or not sum(counts.values()):
            return {"marked": 0, "more": False}
        now = now_iso()
        marked = 0
        for archived in (False, True):
            after = None
            while True:
                entries, after = self.inbox.inbox_page(account_id, archived, projects, READ_ALL_PAGE, after)
                for entry in entries:
                    if not entry.unread:
                        continue
                    if marked == MAX_MARKED_AT_ONCE:
                        return {"marked": marked, "more": True}
                    if self._mark_read(entry, now):
                        marked += 1
                if after is None:
                    break
        return {"marked": marked, "more": False}

    def _mark_read(self, entry: InboxEntry, now: str) -> bool:
        before = entry
        for _ in range(MAX_ATTEMPTS):
            try:
                self.inbox.save_inbox_entry(before, rules.read(before, now))
                return True
            except Conflict:
                before = self.inbox.inbox_entry(entry.account_id, entry.ticket_id)
                if before is None or not before.unread:
                    return False
        raise Conflict("an inbox entry kept changing; try again")

    def _scope(self, principal: Principal | AccountPrincipal,
               project_id: str | None) -> tuple[str | None, set[str], dict[str, int]]:
        """The caller's account, the projects whose entries it may see and their unread counts.
        A key reaches its member's account, in the key's project only."""
        if isinstance(principal, AccountPrincipal):
            account_id = principal.account_id
        elif principal.account_id is not None:
            account_id = principal.account_id
        else:
            member = self.members.member(principal.project.id, principal.own_user_id())
            account_id = member.account_id if member is not None else None
        if account_id is None:
            return None, set(), {}
        counts, projects = self.inbox.inbox_counts(account_id)
        if isinstance(principal, Principal):
            project_id = principal.project.id
        if project_id is not None:
            projects &= {project_id}
        return account_id, projects, {pid: n for pid, n in counts.items() if pid in projects and n > 0}


_ACTIONS = {
    "read": lambda entry, now: rules.read(entry, now) if entry.unread else entry,
    "unread": lambda entry, now: rules.unread(entry),
    "archive": rules.archived,
    "unarchive": lambda entry, now: rules.unarchived(entry),
}
ACTIONS = tuple(_ACTIONS)


def present(entry: InboxEntry) -> dict:
    return {"ticket_id": entry.ticket_id, "project_id": entry.project_id, "key": entry.key, "title": entry.title,
            "status": entry.status, "unread": entry.unread, "archived": entry.archived,
            "updated_at": entry.updated_at, "last_read_at": entry.last_read_at, "first_unread": entry.first_unread,
            "summary": entry.summary.as_dict() | {"text": rules.describe(entry.summary)}}
