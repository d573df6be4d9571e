"""Keeps the term index that full-text search reads: each ticket sits in the partition of every
prefix of its words (title, description, tags, key and comments), from its history entries."""
from chalicelib.adapters.tickets_repo import TicketRepository
from chalicelib.domain import text
from chalicelib.domain.tickets import Events, HistoryEntry

TEXT_FIELDS = frozenset({"title", "description", "tags"})


class SearchIndexService:
    def __init__(self, tickets: TicketRepository):
        self.tickets = tickets

    def apply(self, entry: HistoryEntry) -> None:
        """Brings the ticket's term items to what its text and comments are as of `entry`. Every
        step can be repeated, so a replayed stream record changes nothing."""
        if entry.event == Events.TICKET_DELETED:
            self.tickets.drop_terms(entry.ticket_id)
            return
        if entry.event == Events.COMMENT_ADDED:
            comment_words = self.tickets.add_comment_words(entry.ticket_id, text.terms(entry.comment or ""))
        elif entry.event == Events.TICKET_UPDATED and TEXT_FIELDS & entry.changes.keys():
            comment_words = self.tickets.comment_words([entry.ticket_id]).get(entry.ticket_id, set())
        elif entry.event == Events.TICKET_CREATED:
            comment_words = set()
        else:
            return
        self.reindex(entry.ticket, comment_words, fresh=entry.event == Events.TICKET_CREATED)

    def reindex(self, ticket: dict, comment_words: set[str], fresh: bool = False) -> None:
        """`ticket` as the API shows it; `fresh`: it has no term items yet."""
        wanted = text.prefixes(text.terms(ticket["title"], ticket["description"], ticket["key"], *ticket["tags"])
                               | comment_words)
        present = set() if fresh else self.tickets.indexed_prefixes(ticket["id"])
        self.tickets.change_terms(ticket["project_id"], ticket["id"], f"{ticket['created_at']}#{ticket['id']}",
                                  add=wanted - present, remove=present - wanted)
