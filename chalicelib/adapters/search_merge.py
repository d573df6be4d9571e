"""How a search plan is read from index partitions, whatever stores them: each partition is read
in the plan's order, the partitions are merged by sort key (a ticket met twice counts once), and
what the plan cannot decide from the index is checked on the tickets read. Storage supplies the
partitions, the tickets of index entries and the words of comments."""
import heapq
from itertools import islice
from typing import Callable, Iterable, Iterator

from chalicelib.domain import search as searching
from chalicelib.domain import text
from chalicelib.domain.search import SearchPlan, SearchResult, TicketQuery
from chalicelib.domain.tickets import Ticket

FILTERED_PAGE_SIZE = 100  # index entries per read when what is read is checked before it is kept


class PartitionSearch:
    """The search algorithm; subclasses say how partitions and tickets are read."""

    def _partition(self, plan: SearchPlan, project_id: str, value: str, page_size: int) -> Iterator:
        """The entries of one partition of the plan's index within its bounds, in its order."""
        raise NotImplementedError

    def _order_key(self, index: str) -> Callable[[object], str]:
        """The sort key of an entry of `index`."""
        raise NotImplementedError

    def _tickets_of(self, index: str, chunk: list) -> list[tuple[object, Ticket]]:
        """(index entry, live ticket) for each entry, in order."""
        raise NotImplementedError

    def comment_words(self, ticket_ids: list[str]) -> dict[str, set[str]]:
        raise NotImplementedError

    def search(self, project_id: str, plan: SearchPlan, query: TicketQuery, now: str, limit: int) -> SearchResult:
        """One page in the plan's order, merging its index partitions by sort key, then (once they
        are read) its rest's. Reads at most READ_BUDGET index entries: a page cut short by it
        resumes after the last entry examined."""
        budget = [searching.READ_BUDGET]
        page: list[tuple[str, Ticket]] = []    # (cursor position, ticket)
        for part in plan.parts():
            resume = self._search_part(project_id, part, query, now, limit, page, budget)
            if resume is not None:
                return SearchResult([ticket for _, ticket in page[:limit]], resume)
        return SearchResult([ticket for _, ticket in page], None)

    def _search_part(self, project_id: str, plan: SearchPlan, query: TicketQuery, now: str, limit: int,
                     page: list[tuple[str, Ticket]], budget: list[int]) -> str | None:
        """Adds what one part of a plan finds to `page`; the position to resume after when the
        page is full with more to come or the budget is spent, None when the part is exhausted."""
        order = self._order_key(plan.index)
        page_size = FILTERED_PAGE_SIZE if plan.needs_filter else limit + 1
        streams = [self._partition(plan, project_id, value, page_size) for value in plan.partitions]
        merged = _unique_by(heapq.merge(*streams, key=order, reverse=plan.descending), order)
        chunk: list = []
        while budget[0] > 0:  # always true at first: a part before this one ended with budget left
            chunk = list(islice(merged, min(page_size, budget[0])))
            if not chunk:
                return None
            budget[0] -= len(chunk)
            if len(page) >= limit:
                # Full already (from an earlier part): this part only tells that there is more.
                if not plan.needs_filter or any(self._keep_matching(self._tickets_of(plan.index, chunk), query,
                                                                    now, plan)):
                    return page[limit - 1][0]
                continue
            if not plan.needs_filter:
                # Every entry matches: the one after a page only tells that there is more, and
                # its ticket is not fetched.
                wanted = chunk[:limit - len(page)]
                page += [(plan.position(order(item)), ticket) for item, ticket in self._tickets_of(plan.index, wanted)]
                if len(chunk) > len(wanted):
                    return plan.position(order(wanted[-1]))
                continue
            for item, ticket in self._keep_matching(self._tickets_of(plan.index, chunk), query, now, plan):
                page.append((plan.position(order(item)), ticket))
                if len(page) > limit:
                    return page[limit - 1][0]
        return plan.position(order(chunk[-1]))

    def _keep_matching(self, found: list[tuple[object, Ticket]], query: TicketQuery, now: str,
                       plan: SearchPlan) -> list:
        kept = [(item, ticket) for item, ticket in found
                if plan.keeps(ticket) and searching.matches(ticket, query, now)]
        if not query.words:
            return kept
        # A ticket's own text answers most words; its comments' words are read only when it does not.
        undecided = [ticket.id for _, ticket in kept
                     if not text.contains_all(searching.text_terms(ticket), query.words)]
        comment_words = self.comment_words(undecided) if undecided else {}
        return [(item, ticket) for item, ticket in kept
                if text.contains_all(searching.text_terms(ticket) | comment_words.get(ticket.id, set()), query.words)]


def _unique_by(items: Iterable, key) -> Iterator:
    """Drops repeats of one ticket met in several partitions (a ticket with two wanted tags)."""
    previous = None
    for item in items:
        if key(item) != previous:
            previous = key(item)
            yield item
