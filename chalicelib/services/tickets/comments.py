"""Comments on a ticket: adding one (its item and its COMMENT_ADDED entry, in one transaction),
editing it (its author, against the version read) and deleting it (its author or an admin), each
with its entry; reading one, its revisions, and the list of them, oldest first, older comments
(stored only as their entry) included."""
from dataclasses import replace

from chalicelib import config
from chalicelib.domain import comments as commenting
from chalicelib.domain import cursor as cursors
from chalicelib.domain import mentions
from chalicelib.domain.clock import now_iso
from chalicelib.domain.comments import Comment
from chalicelib.domain.people import Principal
from chalicelib.domain.tickets import Events, StaleTicket, Ticket, history_entry, storable
from chalicelib.errors import Conflict, NotFound, PreconditionFailed, PreconditionRequired
from chalicelib.schemas import comments as schemas
from chalicelib.services.people import PeopleService
from chalicelib.services.ports import Comments, Tickets
from chalicelib.services.presenter import TicketPresenter
from chalicelib.services.tickets.common import WRITE_ATTEMPTS, etag_matches, live_ticket
from chalicelib.services.tickets.reads import readable


def resolve_mentions(people: PeopleService, principal: Principal, text: str, field: str = "comment") -> mentions.Resolved:
    """A comment's text as it is stored (a new one, or an edit): tokens only for the project's
    people, their addresses made tokens (domain.mentions)."""
    return people.resolve_mentions(principal.project.id, text, field)


class CommentService:
    def __init__(self, tickets: Tickets, comments: Comments, presenter: TicketPresenter, people: PeopleService):
        self.tickets = tickets
        self.comments = comments
        self.presenter = presenter
        self.people = people

    def add(self, principal: Principal, ticket_id: str, body: schemas.CommentCreate) -> dict:
        """The comment's history entry, as the API has always answered a new comment."""
        ticket = live_ticket(self.tickets, principal, ticket_id)
        commenting.check_visibility(body.visibility, ticket.requester)
        text = resolve_mentions(self.people, principal, body.comment).text
        entry = storable(history_entry(ticket, Events.COMMENT_ADDED, principal.actor, now_iso(), {}, comment=text,
                                       visibility=commenting.entry_visibility(body.visibility)))
        try:
            self.tickets.add_comment(ticket, entry)
        except StaleTicket:
            raise NotFound("ticket not found") from None
        return self.presenter.entry(entry)

    def get(self, principal: Principal, ticket_id: str, comment_id: str) -> tuple[dict, int]:
        """The comment and its version (its ETag)."""
        readable(self.tickets, principal, ticket_id)
        comment = self._comment(ticket_id, comment_id)
        return self.presenter.comment(comment), comment.version

    def revisions(self, principal: Principal, ticket_id: str, comment_id: str) -> dict:
        readable(self.tickets, principal, ticket_id)
        return self.presenter.revisions(self._comment(ticket_id, comment_id))

    def edit(self, principal: Principal, ticket_id: str, comment_id: str, body: schemas.CommentEdit,
             if_match: str | None) -> tuple[dict, int]:
        """Only against the version read: an edit made over someone's newer text (the author's own,
        from another tab) would silently drop it."""
        if if_match is None:
            raise PreconditionRequired("editing a comment needs If-Match: the ETag of the comment as you read it")
        ticket = live_ticket(self.tickets, principal, ticket_id)
        comment = self._comment(ticket_id, comment_id)
        commenting.check_may_edit(comment, principal)
        if not etag_matches(if_match, comment.version):
            raise PreconditionFailed("the comment has changed since you read it (If-Match does not match)")
        resolved = resolve_mentions(self.people, principal, body.comment)
        if resolved.text == comment.body:
            return self.presenter.comment(comment), comment.version
        entry = self._entry(ticket, comment, Events.COMMENT_UPDATED, principal,
                            {"comment": {"old": comment.body, "new": resolved.text}}, resolved.text)
        edited = commenting.edited(comment, resolved.text, entry, resolved.ids)
        try:
            self.tickets.edit_comment(ticket, comment, edited, replace(entry, about_comment=commenting.about(edited)))
        except StaleTicket:
            self._require_live(ticket_id)
            raise PreconditionFailed("the comment has changed since you read it") from None
        return self.presenter.comment(edited), edited.version

    def delete(self, principal: Principal, ticket_id: str, comment_id: str, if_match: str | None) -> None:
        """Leaves a placeholder (who deleted it, when) and no trace of the text: the comment, its
        revisions and its entries lose it in the deletion's transaction."""
        for _ in range(WRITE_ATTEMPTS):
            ticket = live_ticket(self.tickets, principal, ticket_id)
            comment = self._comment(ticket_id, comment_id)
            commenting.check_may_delete(comment, principal)
            if if_match is not None and not etag_matches(if_match, comment.version):
                raise PreconditionFailed("the comment has changed since you read it (If-Match does not match)")
            if comment.deleted:
                return
            entry = self._entry(ticket, comment, Events.COMMENT_DELETED, principal, {}, None)
            try:
                self.tickets.delete_comment(ticket, comment, commenting.deleted(comment, entry), entry)
            except StaleTicket:
                continue  # edited meanwhile, or the ticket went: read again
            return
        raise Conflict("the comment is changing too often to delete; try again")

    def page(self, principal: Principal, ticket_id: str, query: schemas.CommentsQuery) -> dict:
        readable(self.tickets, principal, ticket_id)
        scope = f"comments:{ticket_id}"
        key = config.cursor_signing_key()
        after = cursors.decode(query.cursor, scope, key) if query.cursor else None
        found, more = self.comments.comment_page(ticket_id, after, query.limit)
        return {
            "data": [self.presenter.comment(comment) for comment in found],
            "cursor": cursors.encode(more, scope, key) if more else None,
        }

    def _comment(self, ticket_id: str, comment_id: str) -> Comment:
        comment = self.comments.comment(ticket_id, comment_id)
        if comment is None:
            raise NotFound("comment not found")
        return comment

    def _require_live(self, ticket_id: str) -> None:
        if self.tickets.get(ticket_id) is None:
            raise NotFound("ticket not found")

    @staticmethod
    def _entry(ticket: Ticket, comment: Comment, event: str, principal: Principal, changes: dict,
               text: str | None):
        entry = history_entry(ticket, event, principal.actor, now_iso(), changes, comment=text)
        return replace(entry, comment_id=comment.id, about_comment=commenting.about(comment))
