"""Ticket rules: statuses, severities, the workflow, keys, and what a change is."""
import json
import re
from dataclasses import dataclass, field, replace
from typing import Any

from chalicelib.domain import text
from chalicelib.schemas.tickets import TicketFields
from chalicelib.domain.attachments import Attachment
from chalicelib.domain.clock import new_id
from chalicelib.errors import Conflict, TransitionNotAllowed, ValidationFailed

STATUSES = ("new", "acknowledged", "in_progress", "resolved", "closed", "deferred", "canceled")
SEVERITIES = ("critical", "high", "medium", "low")
# A ticket in one of these no longer counts as open (dedup keys may be reused).
FINISHED_STATUSES = frozenset({"resolved", "closed", "canceled"})
# Leaving one of these clears resolved_at.
RESOLVED_STATUSES = frozenset({"resolved", "closed"})

MAX_TAGS = 20
MAX_TAG_LENGTH = 64
EDITABLE_FIELDS = ("title", "description", "status", "severity", "due_date", "assignee", "tags")

# A ticket's key is its project's key and its number (OPS-42), in any case. Ids never hold a "-",
# so nothing is both; a number written otherwise (OPS-042) names no ticket.
TICKET_KEY_PATTERN = re.compile(r"([A-Za-z][A-Za-z0-9]{1,9})-([1-9][0-9]{0,15})")

TEAM_PREFIX = "team:"
AUTOMATION_PREFIX = "automation:"
# The actor of what a requester wrote by email: `contact:<their address, lowercased>`.
CONTACT_PREFIX = "contact:"
# What came by email (a ticket, a comment) says so in its entry's `via`.
VIA_EMAIL = "email"


class Events:
    TICKET_CREATED = "TICKET_CREATED"
    TICKET_UPDATED = "TICKET_UPDATED"
    TICKET_DELETED = "TICKET_DELETED"
    COMMENT_ADDED = "COMMENT_ADDED"
    COMMENT_UPDATED = "COMMENT_UPDATED"
    COMMENT_DELETED = "COMMENT_DELETED"
    DUPLICATE_RECEIVED = "DUPLICATE_RECEIVED"
    TICKET_OVERDUE = "TICKET_OVERDUE"
    ATTACHMENT_ADDED = "ATTACHMENT_ADDED"
    ATTACHMENT_REMOVED = "ATTACHMENT_REMOVED"
    SLA_AT_RISK = "SLA_AT_RISK"
    SLA_BREACHED = "SLA_BREACHED"


HISTORY_EVENTS = (
    Events.TICKET_CREATED,
    Events.TICKET_UPDATED,
    Events.TICKET_DELETED,
    Events.COMMENT_ADDED,
    Events.COMMENT_UPDATED,
    Events.COMMENT_DELETED,
    Events.DUPLICATE_RECEIVED,
    Events.TICKET_OVERDUE,
    Events.ATTACHMENT_ADDED,
    Events.ATTACHMENT_REMOVED,
    Events.SLA_AT_RISK,
    Events.SLA_BREACHED,
)


@dataclass(frozen=True)
class Ticket:
    id: str
    project_id: str
    number: int
    key: str
    title: str
    description: str
    status: str
    severity: str
    created_at: str
    updated_at: str
    reporter: str
    source: str
    resolved_at: str | None = None
    due_date: str | None = None
    assignee: str | None = None
    tags: tuple[str, ...] = ()
    dedup_key: str | None = None
    version: int = 1
    sla: Any = None     # the SLA clock (domain.sla.Clock); None when started under no policy
    requester: str | None = None  # the address the ticket is for, lowercased; only email sets it

    @property
    def is_open(self) -> bool:
        return self.status not in FINISHED_STATUSES

    @property
    def sort_key(self) -> str:
        """Newest-first order of every ticket list: creation time, ties broken by id."""
        return f"{self.created_at}#{self.id}"


@dataclass(frozen=True)
class HistoryEntry:
    id: str
    ticket_id: str
    project_id: str
    event: str
    timestamp: str
    changed_by: str
    changes: dict[str, Any] = field(default_factory=dict)
    comment: str | None = None
    # The ticket as this entry left it (as it was, for a deletion): each entry is a complete
    # event for the stream consumers, whatever happened to the ticket since.
    ticket: dict[str, Any] | None = None
    # The comment a COMMENT_UPDATED or COMMENT_DELETED entry is about (None on every other entry),
    # and what its event tells of it besides the text: {author, created_at, mentions}.
    comment_id: str | None = None
    about_comment: dict[str, Any] | None = None
    # A COMMENT_ADDED entry's comment: "public" when it is a reply on the email thread (mailed to
    # the requester); None for an internal one, as every comment was before replies.
    visibility: str | None = None
    via: str | None = None        # "email" when the comment (or the ticket) came by email


def public_view(ticket: Ticket) -> dict[str, Any]:
    """The ticket as the API and events show it: the fields the schema names, no more."""
    return {name: list(value) if isinstance(value := getattr(ticket, name), tuple) else value
            for name in TicketFields.model_fields}


def history_entry(ticket: Ticket, event: str, actor: str, at: str, changes: dict[str, Any],
                  comment: str | None = None, *, visibility: str | None = None,
                  via: str | None = None) -> HistoryEntry:
    """A new entry about `ticket`, which is the ticket as this change leaves it."""
    return HistoryEntry(id=new_id(), ticket_id=ticket.id, project_id=ticket.project_id, event=event,
                        timestamp=at, changed_by=actor, changes=changes, comment=comment,
                        ticket=public_view(ticket), visibility=visibility, via=via)


# DynamoDB keeps items of at most 400 KB. A history entry holds what changed and the ticket as JSON,
# where a character outside ASCII takes 6 or 12 bytes: a text allowed in characters may not fit.
MAX_ENTRY_BYTES = 380 * 1024


def storable(entry: HistoryEntry) -> HistoryEntry:
    """`entry`, if it fits one item; else a ValidationFailed naming the text to shorten: the
    comment, or the ticket's field that takes the most room in it."""
    size = (len(json.dumps(entry.changes)) + len(json.dumps(entry.ticket))
            + len((entry.comment or "").encode()))
    if size <= MAX_ENTRY_BYTES:
        return entry
    room: dict[str, int] = {}
    for part in (entry.changes, entry.ticket or {}):
        for name, value in part.items():
            room[name] = room.get(name, 0) + len(json.dumps(value))
    field = "comment" if entry.comment else max(room, key=room.__getitem__, default="description")
    raise ValidationFailed.on(field, "too long to keep in the ticket's history: shorten it (a character "
                                     "outside ASCII takes up to 12 bytes there)")


def parse_key(ref: str) -> tuple[str, int] | None:
    """(project key in upper case, number) of a ticket key such as `ops-42`; None for anything else."""
    match = TICKET_KEY_PATTERN.fullmatch(ref)
    return (match[1].upper(), int(match[2])) if match else None


def normalise_tags(tags: list[str] | tuple[str, ...], field: str = "tags") -> tuple[str, ...]:
    """Tags in their one spelling (text.identifier, in lower case), de-duplicated in first-seen
    order: `DB`, ` db ` and `db` with a zero-width space are one tag wherever tags are compared."""
    seen: list[str] = []
    for raw in tags:
        sent = text.visible(raw).strip()
        # Counted as sent, before composing and lowering: a few characters compose to longer
        # sequences (NFC) or lower to two (İ), and the limit is on what was sent.
        if not sent or len(sent) > MAX_TAG_LENGTH:
            raise ValidationFailed.on(field, f"each tag must be 1-{MAX_TAG_LENGTH} characters")
        tag = text.identifier(sent.lower())
        if tag not in seen:
            seen.append(tag)
    if len(seen) > MAX_TAGS:
        raise ValidationFailed.on(field, f"at most {MAX_TAGS} tags")
    return tuple(seen)


def normalise_dedup_key(raw: str | None) -> str | None:
    """A dedup key in its one spelling (text.identifier): an alert sent twice with keys that look
    the same finds the same open ticket."""
    if raw is None:
        return None
    key = text.identifier(raw)
    if not key:
        raise ValidationFailed.on("dedup_key", "must hold a visible character")
    return key


class Workflow:
    """Which status may move to which. The default lets every status move to every other."""

    def __init__(self, transitions: dict[str, list[str]] | None = None):
        if transitions is None:
            transitions = {s: [t for t in STATUSES if t != s] for s in STATUSES}
        self.transitions = {s: list(dict.fromkeys(transitions.get(s, []))) for s in STATUSES}

    @classmethod
    def parse(cls, transitions: dict[str, list[str]]) -> "Workflow":
        for source, targets in transitions.items():
            if source not in STATUSES:
                raise ValidationFailed.on(f"transitions.{source}", f"unknown status; use one of {list(STATUSES)}")
            for target in targets:
                if target not in STATUSES:
                    raise ValidationFailed.on(
                        f"transitions.{source}", f"unknown target status {target!r}; use one of {list(STATUSES)}"
                    )
                if target == source:
                    raise ValidationFailed.on(f"transitions.{source}", "a status cannot move to itself")
        return cls(transitions)

    def allowed_from(self, status: str) -> list[str]:
        return list(self.transitions.get(status, []))

    def check(self, current: str, target: str) -> None:
        if target != current and target not in self.transitions.get(current, []):
            raise TransitionNotAllowed(current, target, self.allowed_from(current))


def apply_changes(ticket: Ticket, requested: dict[str, Any], workflow: Workflow, now: str) -> tuple[Ticket, dict]:
    """Returns the updated ticket and `{field: {old, new}}` for the fields that really change."""
    changes: dict[str, dict[str, Any]] = {}
    updates: dict[str, Any] = {}
    for name in EDITABLE_FIELDS:
        if name not in requested:
            continue
        new = requested[name]
        if name == "tags":
            new = normalise_tags(new or [])
        old = getattr(ticket, name)
        if new == old:
            continue
        if name == "status":
            workflow.check(ticket.status, new)
        updates[name] = new
        changes[name] = {"old": list(old) if name == "tags" else old, "new": list(new) if name == "tags" else new}
    if not changes:
        return ticket, {}
    if "status" in updates:
        new_status = updates["status"]
        if new_status == "resolved":
            updates["resolved_at"] = now
        elif new_status not in RESOLVED_STATUSES and ticket.resolved_at is not None:
            updates["resolved_at"] = None
        if "resolved_at" in updates and updates["resolved_at"] != ticket.resolved_at:
            changes["resolved_at"] = {"old": ticket.resolved_at, "new": updates["resolved_at"]}
    updates["updated_at"] = now
    return replace(ticket, **updates), changes


class StaleTicket(Conflict):
    """The ticket changed (or went) between our read and our write."""


@dataclass
class TicketDetail:
    ticket: Ticket | None      # None when deleted
    project_id: str
    deleted: bool
    history: list[HistoryEntry]
    more_history_after: str | None  # history sort key to continue from, when there is more
    attachments: list[Attachment] = field(default_factory=list)  # available ones, oldest upload first
