"""Comments on a ticket: adding one (its item and its COMMENT_ADDED entry, in one transaction) and
listing them, oldest first, older comments (stored only as their entry) included."""
from chalicelib import config
from chalicelib.domain import cursor as cursors
from chalicelib.domain import mentions
from chalicelib.domain.clock import now_iso
from chalicelib.domain.people import Principal
from chalicelib.domain.tickets import Events, StaleTicket, history_entry
from chalicelib.errors import NotFound
from chalicelib.schemas import comments as schemas
from chalicelib.services.people import PeopleService
from chalicelib.services.ports import Comments, Tickets
from chalicelib.services.presenter import TicketPresenter
from chalicelib.services.tickets.common import live_ticket
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
        text = resolve_mentions(self.people, principal, body.comment).text
        entry = history_entry(ticket, Events.COMMENT_ADDED, principal.actor, now_iso(), {}, comment=text)
        try:
            self.tickets.add_comment(ticket, entry)
        except StaleTicket:
            raise NotFound("ticket not found") from None
        return self.presenter.entry(entry)

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
