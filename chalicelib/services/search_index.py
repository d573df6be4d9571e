"""Keeps the term index that full-text search reads: each ticket sits in the partition of every
prefix of its words (title, description, tags, key and comments), from its history entries."""
from chalicelib.domain import text
from chalicelib.domain.tickets import Events, HistoryEntry, StaleTicket, public_view
from chalicelib.services.ports import IndexedTickets

TEXT_FIELDS = frozenset({"title", "description", "tags"})
# Raised whenever stored tickets need `python -m chalicelib.cli backfill` to be searchable as this
# code searches; the local stack runs it by itself when its data is older.
INDEX_VERSION = 2


class SearchIndexService:
    def __init__(self, tickets: IndexedTickets):
        self.tickets = tickets

    def apply(self, entry: HistoryEntry) -> None:
        """Brings the ticket's term items to what its text and comments are as of `entry`. Every
        step can be repeated, so a replayed stream record changes nothing."""
        if entry.event == Events.TICKET_DELETED:
            self.tickets.drop_terms(entry.ticket_id)
            return
        if entry.event == Events.COMMENT_ADDED:
            comment_words = self.tickets.add_comment_words(entry.ticket_id, text.terms(entry.comment or ""))
        elif entry.event in (Events.COMMENT_UPDATED, Events.COMMENT_DELETED):
            # Words are added, never counted: those an edit or a deletion took away are found by
            # reading the comments as they are now, which replace the ticket's comment words.
            comment_words = self.tickets.replace_comment_words(entry.ticket_id, self._words_of_comments(entry.ticket_id))
        elif entry.event == Events.TICKET_UPDATED and TEXT_FIELDS & entry.changes.keys():
            comment_words = self.tickets.comment_words([entry.ticket_id]).get(entry.ticket_id, set())
        elif entry.event == Events.TICKET_CREATED:
            comment_words = set()
        else:
            return
        self.reindex(entry.ticket, comment_words)

    def backfill(self, project_id: str | None = None) -> dict[str, int]:
        """Brings every live ticket's index keys and term items to what this code writes: for
        tickets stored before a search index existed. Safe to run again, and beside live traffic."""
        done = {"tickets": 0, "index_keys_written": 0}
        for ticket in self.tickets.every_live_ticket(project_id):
            try:
                done["index_keys_written"] += self.tickets.refresh_index_keys(ticket)
            except StaleTicket:
                pass  # changed since it was read: that write carried the keys
            # ADD, not a replacement: a comment made meanwhile keeps its words.
            comment_words = self.tickets.add_comment_words(ticket.id, self._words_of_comments(ticket.id))
            self.reindex(public_view(ticket), comment_words)
            done["tickets"] += 1
        return done

    def _words_of_comments(self, ticket_id: str) -> set[str]:
        return text.terms(*(comment.body for comment in self.tickets.every_comment(ticket_id)))

    def reindex(self, ticket: dict, comment_words: set[str]) -> None:
        """Writes only the difference: `ticket` (as the API shows it) may be indexed already, by a
        replay of its record or a backfill."""
        wanted = text.prefixes(text.terms(ticket["title"], ticket["description"], ticket["key"], *ticket["tags"])
                               | comment_words)
        present = self.tickets.indexed_prefixes(ticket["id"])
        self.tickets.change_terms(ticket["project_id"], ticket["id"], f"{ticket['created_at']}#{ticket['id']}",
                                  add=wanted - present, remove=present - wanted)
