"""Search in memory: the same plans, merges and budget as DynamoDB (adapters/search_merge.py) over
index partitions that are worked out from the stored tickets (and the term index's entries) as
they are read; a partition holds the live tickets with that value, ordered as its index is."""
from typing import Iterator

from chalicelib.adapters.memory.store import MemoryRepository
from chalicelib.adapters.search_merge import PartitionSearch
from chalicelib.domain import search as searching
from chalicelib.domain.search import SearchPlan
from chalicelib.domain.tickets import Ticket

_ORDERS = {"updated": "updated", "due": "due", "severity_order": "severity_order", "sla": "sla",
           "sla_risk": "sla_risk"}


def _partition_values(ticket: Ticket, index: str) -> tuple[str, ...]:
    if index == "status":
        return (ticket.status,)
    if index == "severity":
        return (ticket.severity,)
    if index == "reporter":
        return (ticket.reporter,)
    if index == "assignee":
        return (ticket.assignee or searching.UNASSIGNED,)
    if index == "requester":
        return (ticket.requester,) if ticket.requester is not None else ()
    if index in ("state", "updated", "due", "severity_order"):
        return (searching.state_of(ticket),)
    if index in ("sla", "sla_risk"):
        return (searching.SLA_PARTITION,)
    if index == "tags":
        return ticket.tags
    raise ValueError(f"no such index: {index}")


def _order(ticket: Ticket, index: str) -> str | None:
    """The ticket's sort key in the index; None keeps it out (the index is sparse)."""
    return searching.order_key(ticket, _ORDERS[index]) if index in _ORDERS else ticket.sort_key


class MemorySearchIndex(PartitionSearch, MemoryRepository):
    def _order_key(self, index: str):
        return lambda entry: entry[0]

    def _partition(self, plan: SearchPlan, project_id: str, value: str, page_size: int) -> Iterator:
        """(sort key, ticket id) of the partition's entries within the plan's bounds, in its order."""
        if plan.index == "terms":
            entries = [(created_key, ticket_id) for ticket_id, prefixes in self.store.terms.items()
                       for prefix, (owner, created_key) in prefixes.items() if owner == project_id and prefix == value]
        elif plan.index == "watching":
            entries = [(w.created_key, w.ticket_id) for watchers in self.store.watchers.values()
                       for w in watchers.values()
                       if w.project_id == project_id and w.watcher == value and w.watching and not w.is_team]
        else:
            entries = []
            for stored in self.store.tickets.values():
                ticket = stored.ticket
                if not stored.live or ticket.project_id != project_id:
                    continue
                if plan.index != "project" and value not in _partition_values(ticket, plan.index):
                    continue
                if (order := _order(ticket, plan.index)) is not None:
                    entries.append((order, ticket.id))
        lower, upper = plan.lower, plan.upper
        entries = [e for e in entries if (lower is None or e[0] >= lower) and (upper is None or e[0] < upper)]
        return iter(sorted(entries, reverse=plan.descending))

    def _tickets_of(self, index: str, chunk: list) -> list[tuple[object, Ticket]]:
        found = []
        for entry in chunk:
            stored = self.store.tickets.get(entry[1])
            if stored is not None and stored.live:
                found.append((entry, stored.ticket))
        return found

    # ---- the term index ----------------------------------------------------------------------

    def comment_words(self, ticket_ids: list[str]) -> dict[str, set[str]]:
        return {ticket_id: set(self.store.comment_words[ticket_id]) for ticket_id in ticket_ids
                if ticket_id in self.store.comment_words}

    def replace_comment_words(self, ticket_id: str, words: set[str]) -> set[str]:
        self.store.comment_words[ticket_id] = set(words)
        return set(words)

    def add_comment_words(self, ticket_id: str, words: set[str]) -> set[str]:
        if not words:
            return set(self.store.comment_words.get(ticket_id, set()))
        kept = self.store.comment_words.setdefault(ticket_id, set())
        kept.update(words)
        return set(kept)

    def indexed_prefixes(self, ticket_id: str) -> set[str]:
        return set(self.store.terms.get(ticket_id, {}))

    def change_terms(self, project_id: str, ticket_id: str, created_key: str, add: set[str],
                     remove: set[str]) -> None:
        prefixes = self.store.terms.setdefault(ticket_id, {})
        for prefix in add:
            prefixes[prefix] = (project_id, created_key)
        for prefix in remove:
            prefixes.pop(prefix, None)

    def drop_terms(self, ticket_id: str) -> None:
        self.store.terms.pop(ticket_id, None)
        self.store.comment_words.pop(ticket_id, None)
