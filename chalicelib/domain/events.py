"""Ticket events: what a history entry means to the outside (webhooks, email)."""
from dataclasses import dataclass, field
from typing import Any

from chalicelib.domain import mentions
from chalicelib.domain.comments import INTERNAL, PUBLIC
from chalicelib.domain.tickets import Events, HistoryEntry

SYSTEM_ACTOR = "system"


@dataclass(frozen=True)
class TicketEvent:
    id: str                 # the history entry's id: stable across stream replays
    type: str               # TICKET_CREATED, COMMENT_ADDED, ...
    timestamp: str
    project_id: str
    actor: str
    ticket: dict[str, Any]  # the ticket as the change left it
    changes: dict[str, Any] = field(default_factory=dict)
    comment: dict[str, Any] | None = None
    attachment: dict[str, Any] | None = None

    @classmethod
    def from_entry(cls, entry: HistoryEntry) -> "TicketEvent":
        comment = None
        about = entry.about_comment or {}
        if entry.event == Events.COMMENT_UPDATED:
            comment = {"id": entry.comment_id, "body": entry.comment or "", "author": about.get("author"),
                       "created_at": about.get("created_at"), "edited_at": entry.timestamp,
                       "mentions": list(about.get("mentions") or ())} | _reach(about)
        elif entry.event == Events.COMMENT_DELETED:
            comment = {"id": entry.comment_id, "author": about.get("author"), "created_at": about.get("created_at"),
                       "deleted_at": entry.timestamp, "deleted_by": entry.changed_by} | _reach(about)
        elif entry.comment is not None:
            comment = {"id": entry.id, "body": entry.comment, "author": entry.changed_by,
                       "created_at": entry.timestamp, "mentions": list(mentions.mentioned(entry.comment))}
            if entry.event == Events.COMMENT_ADDED:
                comment |= _reach({"visibility": entry.visibility, "via": entry.via})
        attachment = None
        if entry.event in (Events.ATTACHMENT_ADDED, Events.ATTACHMENT_REMOVED):
            change = entry.changes.get("attachment") or {}
            attachment = change.get("new") or change.get("old")
        # Entries written before tickets had requesters hold none: the ticket's fields are all shown.
        ticket = {"requester": None} | entry.ticket if entry.ticket else {}
        return cls(id=entry.id, type=entry.event, timestamp=entry.timestamp, project_id=entry.project_id,
                   actor=entry.changed_by, ticket=ticket, changes=entry.changes, comment=comment,
                   attachment=attachment)

    @property
    def public_comment(self) -> bool:
        """Whether the event's comment is a reply on the email thread."""
        return (self.comment or {}).get("visibility") == PUBLIC

    def payload(self) -> dict[str, Any]:
        """The webhook body: `{type, timestamp, data: {project_id, actor, ticket, changes?, comment?,
        attachment?}}`."""
        data: dict[str, Any] = {"project_id": self.project_id, "actor": self.actor, "ticket": self.ticket}
        if self.changes:
            data["changes"] = self.changes
        if self.comment is not None:
            data["comment"] = self.comment
        if self.attachment is not None:
            data["attachment"] = self.attachment
        return {"type": self.type, "timestamp": self.timestamp, "data": data}


def _reach(facts: dict[str, Any]) -> dict[str, Any]:
    """Who a comment is for and how it came, as events tell it (absent before replies: internal)."""
    return {"visibility": facts.get("visibility") or INTERNAL, "via": facts.get("via")}
