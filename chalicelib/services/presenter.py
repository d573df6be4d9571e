"""How the API shows a ticket (with its SLA as it stands), a history entry and a comment: every
answer that carries one is built here."""
from chalicelib.domain.clock import now_iso
from chalicelib.domain.comments import INTERNAL, Comment
from chalicelib.domain.tickets import Events, HistoryEntry, Ticket, public_view
from chalicelib.services.sla import SlaService


class TicketPresenter:
    def __init__(self, sla: SlaService):
        self.sla = sla

    def ticket(self, ticket: Ticket, now: str | None = None) -> dict:
        """The ticket as every answer shows it: with its `sla` as of `now` (the request's time)."""
        return public_view(ticket) | {"sla": self.sla.view(ticket, now or now_iso())}

    @staticmethod
    def entry(entry: HistoryEntry) -> dict:
        return {
            "id": entry.id, "ticket_id": entry.ticket_id, "event": entry.event, "timestamp": entry.timestamp,
            "changed_by": entry.changed_by, "changes": entry.changes, "comment": entry.comment,
            "comment_id": entry.comment_id, "visibility": _visibility(entry), "via": entry.via,
        }

    @staticmethod
    def comment(comment: Comment) -> dict:
        return {
            "id": comment.id, "ticket_id": comment.ticket_id, "author": comment.author, "body": comment.body,
            "created_at": comment.created_at, "edited_at": comment.edited_at, "visibility": comment.visibility,
            "via": comment.via, "mentions": list(comment.mentions), "version": comment.version,
            "deleted_at": comment.deleted_at, "deleted_by": comment.deleted_by,
        }

    @staticmethod
    def revisions(comment: Comment) -> dict:
        return {"data": [{"body": r.body, "edited_at": r.edited_at, "edited_by": r.edited_by}
                         for r in comment.revisions]}


def _visibility(entry: HistoryEntry) -> str | None:
    """A comment's entry tells who the comment is for (internal when it says nothing); no other does."""
    return (entry.visibility or INTERNAL) if entry.event == Events.COMMENT_ADDED else None
