"""Ticket search: what a query asks for, which index serves it, and whether a ticket matches.

Every search index sorts by `created_at#id`, so the newest-first order, the created-at range and
the cursor are all one sort-key range on whichever index drives the query. The driving index is
the one whose partitions hold the fewest tickets; the other filters are checked on each ticket read.
"""
from dataclasses import dataclass

from chalicelib.domain.tickets import Ticket

# Tie-break (and the order used before any partition has been counted): one person's tickets are
# usually fewer than one tag's, one tag's fewer than one severity's or status's. The `project`
# index holds every live ticket and drives only a query with no other index filter.
DRIVING_ORDER = ("reporter", "assignee", "tags", "severity", "status")


@dataclass(frozen=True)
class TicketQuery:
    status: tuple[str, ...] = ()
    severity: tuple[str, ...] = ()
    reporter: str | None = None
    assignee: str | None = None
    tags: tuple[str, ...] = ()
    created_after: str | None = None   # inclusive
    created_before: str | None = None  # exclusive
    due_after: str | None = None       # inclusive
    due_before: str | None = None      # exclusive

    def fingerprint(self) -> str:
        """Identifies the query so that a cursor cannot be replayed against another one."""
        parts = [
            ",".join(sorted(self.status)),
            ",".join(sorted(self.severity)),
            self.reporter or "",
            self.assignee or "",
            ",".join(sorted(self.tags)),
            self.created_after or "",
            self.created_before or "",
            self.due_after or "",
            self.due_before or "",
        ]
        return "|".join(parts)


@dataclass(frozen=True)
class SearchPlan:
    index: str              # project | status | severity | reporter | assignee | tags
    partitions: tuple[str, ...]  # the values whose partitions are merged
    needs_filter: bool      # whether tickets read must still be checked against the query


def candidates(query: TicketQuery) -> dict[str, tuple[str, ...]]:
    """Index -> the partitions (values) it would read, for every index the query can be driven by."""
    values = {
        "reporter": (query.reporter,) if query.reporter else (),
        "assignee": (query.assignee,) if query.assignee else (),
        "tags": tuple(dict.fromkeys(query.tags)),
        "severity": tuple(dict.fromkeys(query.severity)),
        "status": tuple(dict.fromkeys(query.status)),
    }
    return {index: values[index] for index in DRIVING_ORDER if values[index]}


def plan(query: TicketQuery, sizes: dict[str, int] | None = None) -> SearchPlan:
    """Drives the query by the index that reads the fewest tickets: by `sizes` (tickets in the
    partitions each index would read) when known, else by DRIVING_ORDER."""
    options = candidates(query)
    has_due = query.due_after is not None or query.due_before is not None
    if not options:
        return SearchPlan("project", ("",), needs_filter=has_due)
    sizes = sizes or {}
    index = min(options, key=lambda name: (sizes.get(name, 0), DRIVING_ORDER.index(name)))
    return SearchPlan(index, options[index], needs_filter=len(options) > 1 or has_due)


def matches(ticket: Ticket, query: TicketQuery) -> bool:
    if query.status and ticket.status not in query.status:
        return False
    if query.severity and ticket.severity not in query.severity:
        return False
    if query.reporter is not None and ticket.reporter != query.reporter:
        return False
    if query.assignee is not None and ticket.assignee != query.assignee:
        return False
    if query.tags and not set(query.tags) & set(ticket.tags):
        return False
    if query.created_after is not None and ticket.created_at < query.created_after:
        return False
    if query.created_before is not None and ticket.created_at >= query.created_before:
        return False
    if query.due_after is not None and (ticket.due_date is None or ticket.due_date < query.due_after):
        return False
    if query.due_before is not None and (ticket.due_date is None or ticket.due_date >= query.due_before):
        return False
    return True


def sort_key_bounds(query: TicketQuery, after_cursor: str | None) -> tuple[str | None, str | None]:
    """(lowest sort key included, sort key to stay strictly below) for a page."""
    upper = query.created_before
    if after_cursor is not None and (upper is None or after_cursor < upper):
        upper = after_cursor
    return query.created_after, upper
