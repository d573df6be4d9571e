"""A person's inbox: one entry per ticket they hear about, and how each event on that ticket folds
into the entry's summary of what happened since they last looked ("2 comments, status → resolved,
you were mentioned"). Pure: the inbox service reads and writes entries through its port."""
from dataclasses import dataclass, field, replace
from typing import Any, Iterable

from chalicelib.domain.events import TicketEvent
from chalicelib.domain.tickets import EDITABLE_FIELDS, Events
from chalicelib.domain.watching import Listener

MAX_ACTORS = 5
PAGE_LIMIT = 50
# Fields whose new value the summary shows; any other change is only named ("description changed").
SHOWN_VALUES = frozenset({"status", "severity", "assignee", "title", "due_date", "tags"})
DELETED_STATUS = "deleted"


@dataclass(frozen=True)
class Summary:
    """What happened on the ticket since its entry was last read."""
    comments: int = 0
    changes: dict[str, Any] = field(default_factory=dict)   # field -> latest new value (None: not shown)
    mentioned: bool = False
    events: int = 0
    actors: tuple[str, ...] = ()                             # the latest distinct actors, oldest first

    def as_dict(self) -> dict[str, Any]:
        return {"comments": self.comments, "changes": dict(self.changes), "mentioned": self.mentioned,
                "events": self.events, "actors": list(self.actors)}

    @classmethod
    def from_dict(cls, stored: dict | None) -> "Summary":
        stored = stored or {}
        return cls(comments=int(stored.get("comments", 0)), changes=dict(stored.get("changes") or {}),
                   mentioned=bool(stored.get("mentioned")), events=int(stored.get("events", 0)),
                   actors=tuple(stored.get("actors") or ()))


@dataclass(frozen=True)
class InboxEntry:
    """One ticket in one account's inbox. `revision` counts the entry's writes: every write is
    conditioned on the revision read, which is what keeps the unread counters exact."""
    account_id: str
    project_id: str
    ticket_id: str
    key: str
    title: str
    status: str
    updated_at: str
    unread: bool = True
    summary: Summary = Summary()
    first_unread: str | None = None     # the entry id of the first event not read, to scroll to
    last_read_at: str | None = None
    archived: bool = False
    revision: int = 0

    @property
    def order(self) -> str:
        """Newest-first order of an inbox: the last event's time, ties broken by ticket."""
        return f"{self.updated_at}#{self.ticket_id}"


def fold(entry: InboxEntry | None, event: TicketEvent, account_id: str, mentioned: bool) -> InboxEntry:
    """The entry after `event`: unread, back in the inbox if it was archived, its summary counting
    the event (a fresh summary when the entry had been read)."""
    ticket = event.ticket
    summary = entry.summary if entry is not None and entry.unread else Summary()
    first_unread = entry.first_unread if entry is not None and entry.unread and entry.first_unread else event.id
    changes = dict(summary.changes)
    comments = summary.comments
    if event.type == Events.COMMENT_ADDED:
        comments += 1
    elif event.type == Events.TICKET_CREATED:
        changes["created"] = True
    elif event.type == Events.TICKET_UPDATED:
        # Only what people edit: what follows from it (resolved_at, ...) says nothing more.
        for name, change in event.changes.items():
            if name not in EDITABLE_FIELDS:
                continue
            changes[name] = (change or {}).get("new") if name in SHOWN_VALUES else None
    elif event.type == Events.TICKET_DELETED:
        changes["deleted"] = True
    elif event.type in (Events.COMMENT_UPDATED, Events.COMMENT_DELETED):
        # Comments already counted (or read): what changed is named, no new comment counted.
        changes["comment_edited" if event.type == Events.COMMENT_UPDATED else "comment_deleted"] = True
    elif event.type == Events.TICKET_OVERDUE:
        changes["overdue"] = True
    elif event.type in (Events.SLA_AT_RISK, Events.SLA_BREACHED):
        changes["sla"] = "breached" if event.type == Events.SLA_BREACHED else "at risk"
    elif event.type in (Events.ATTACHMENT_ADDED, Events.ATTACHMENT_REMOVED):
        changes["attachments"] = None
    actors = tuple(a for a in summary.actors if a != event.actor) + (event.actor,)
    summary = Summary(comments=comments, changes=changes, mentioned=summary.mentioned or mentioned,
                      events=summary.events + 1, actors=actors[-MAX_ACTORS:])
    status = DELETED_STATUS if event.type == Events.TICKET_DELETED else str(ticket.get("status") or "")
    base = entry or InboxEntry(account_id=account_id, project_id=event.project_id, ticket_id=str(ticket.get("id")),
                               key="", title="", status="", updated_at=event.timestamp)
    return replace(base, key=str(ticket.get("key") or base.key), title=str(ticket.get("title") or base.title),
                   status=status or base.status, updated_at=max(base.updated_at, event.timestamp), unread=True,
                   summary=summary, first_unread=first_unread, archived=False)


def read(entry: InboxEntry, now: str) -> InboxEntry:
    """Marked read: the summary stays to be shown, and starts afresh with the next event."""
    return replace(entry, unread=False, first_unread=None, last_read_at=now)


def unread(entry: InboxEntry) -> InboxEntry:
    return replace(entry, unread=True)


def archived(entry: InboxEntry, now: str) -> InboxEntry:
    """Out of the inbox, and read: archiving is being done with it."""
    return replace(read(entry, now) if entry.unread else entry, archived=True)


def unarchived(entry: InboxEntry) -> InboxEntry:
    return replace(entry, archived=False)


def counted(entry: InboxEntry | None) -> int:
    """What an entry adds to its project's unread count."""
    return 1 if entry is not None and entry.unread else 0


def recipients(listeners: Iterable[Listener], accounts: dict[str, str], actor: str) -> dict[str, bool]:
    """Account id -> mentioned, for the listeners who are members with an account, each once, never
    the actor (`accounts` maps the project's user ids to their accounts)."""
    found: dict[str, bool] = {}
    for listener in listeners:
        account_id = accounts.get(listener.user_id) if listener.user_id else None
        if account_id is None or listener.user_id == actor:
            continue
        found[account_id] = found.get(account_id, False) or listener.mentioned
    return found


def describe(summary: Summary) -> str:
    """The summary in words, as the UI and the digest show it."""
    parts: list[str] = []
    if summary.comments:
        parts.append(f"{summary.comments} comment{'s' if summary.comments != 1 else ''}")
    for name, value in summary.changes.items():
        label = name.replace("_", " ")
        if name == "created":
            parts.append("created")
        elif name == "deleted":
            parts.append("ticket deleted")
        elif name in ("comment_edited", "comment_deleted"):
            parts.append(label)
        elif name == "overdue":
            parts.append("overdue")
        elif name == "sla":
            parts.append(f"SLA {value}")
        elif name not in SHOWN_VALUES:
            parts.append(f"{label} changed")
        else:
            shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value or "")
            parts.append(f"{label} \u2192 {shown or 'none'}")
    if summary.mentioned:
        parts.append("you were mentioned")
    if not parts:
        parts.append(f"{summary.events} update{'s' if summary.events != 1 else ''}" if summary.events else "new")
    return ", ".join(parts)
