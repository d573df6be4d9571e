"""Searching tickets: a page of the tickets a query finds, and how many each of some queries find
where the kept counts say it exactly. What the parameters mean is domain.search's."""
from chalicelib import config
from chalicelib.domain import cursor as cursors
from chalicelib.domain import search
from chalicelib.domain.clock import now_iso
from chalicelib.domain.people import Principal
from chalicelib.schemas import tickets as schemas
from chalicelib.services.ports import PartitionCounts, Search
from chalicelib.services.presenter import TicketPresenter


class TicketSearchService:
    def __init__(self, tickets: Search, partition_counts: PartitionCounts, presenter: TicketPresenter):
        self.tickets = tickets
        self.partition_counts = partition_counts
        self.presenter = presenter

    @staticmethod
    def search_query(principal: Principal, params: schemas.TicketSearch) -> search.TicketQuery:
        """The query a search with `params` runs for `principal` (saved views check theirs so)."""
        return search.query_of(params, principal)

    def counts(self, principal: Principal, queries: list[search.TicketQuery]) -> list[int | None]:
        """How many tickets each query finds, where the kept counts say it exactly; else None."""
        pairs = [search.counted_partitions(query) for query in queries]
        known = [p for p in pairs if p is not None]
        totals = iter(self.partition_counts.tickets_counted(principal.project.id, known) if known else [])
        return [next(totals) if p is not None else None for p in pairs]

    def search(self, principal: Principal, params: schemas.TicketSearch) -> dict:
        query = search.query_of(params, principal)
        scope = "search:" + principal.project.id + ":" + query.fingerprint()
        key = config.cursor_signing_key()
        now = now_iso()
        options = (search.candidates(query) if query.sort in ("created", "-created") and query.sla is None
                   and query.watching is None else {})
        # Only a choice between indexes needs their sizes (one more read).
        sizes = self.partition_counts.index_sizes(principal.project.id, options) if len(options) > 1 else None
        plan = search.plan(query, sizes, now=now)
        if params.cursor:
            plan = plan.after(cursors.decode(params.cursor, scope, key))
        found = self.tickets.search(principal.project.id, plan, query, now, params.limit)
        return {
            "data": [self.presenter.ticket(t, now) for t in found.tickets],
            "cursor": cursors.encode(found.resume_after, scope, key) if found.resume_after else None,
        }
