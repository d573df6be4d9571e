"""Ticket storage on the tickets table: one transaction per change, history included."""
import hashlib
import heapq
from dataclasses import dataclass, field
from itertools import islice
from operator import attrgetter
from typing import Iterable, Iterator

from pynamodb.exceptions import DoesNotExist, PutError, UpdateError

from chalicelib.adapters import models
from chalicelib.adapters.comments_repo import to_comment_item
from chalicelib.adapters.models import (
    MAX_TRANSACTION_ACTIONS,
    COMMENT_MARK_SK,
    COMMENT_WORDS_SK,
    DUE_SHARDS,
    TERM_SK_PREFIX,
    CommentWordsItem,
    TermItem,
    terms_pk,
    DUE_SK,
    ATTACHMENT_SK_PREFIX,
    HISTORY_SK_PREFIX,
    NUMBER_SK,
    TAG_SK_PREFIX,
    TICKET_SK,
    AttachmentItem,
    CommentItem,
    CommentMarkItem,
    DedupGuardItem,
    DueItem,
    HistoryItem,
    IdempotencyItem,
    NotifiedItem,
    NumberGuardItem,
    SLA_MARKER_SK_PREFIX,
    SlaMarkerItem,
    TagItem,
    TicketItem,
    scoped,
    ticket_pk,
)
from chalicelib.domain.attachments import AVAILABLE, Attachment
from chalicelib.domain import comments as commenting
from chalicelib.domain import search as searching
from chalicelib.domain import reports
from chalicelib.domain import sla as slas
from chalicelib.domain import text
from chalicelib.domain.search import SearchPlan, TicketQuery
from chalicelib.domain.tickets import HistoryEntry, Ticket
from chalicelib.errors import Conflict

# Leave room in a page for the ticket, its tags and its attachments.
DETAIL_HISTORY_LIMIT = 50
DETAIL_QUERY_LIMIT = 1 + 20 + 50 + len(slas.TARGETS) + DETAIL_HISTORY_LIMIT
IDEMPOTENCY_WINDOW_SECONDS = 24 * 3600
BATCH_GET_LIMIT = 100  # keys per BatchGetItem call
FILTERED_PAGE_SIZE = 100  # index entries per Query when what is read is checked before it is kept


class StaleTicket(Conflict):
    """The ticket changed (or went) between our read and our write."""


class ClaimTaken(Conflict):
    """A dedup or idempotency guard was claimed by a concurrent request."""


@dataclass(frozen=True)
class StoredResponse:
    """The first answer to a request made with an Idempotency-Key, kept to answer its retries."""
    scope: str
    request_hash: str
    status_code: int
    body: dict
    expires_at: int


@dataclass(frozen=True)
class CommentMark:
    """Written with a comment so that the request that made it cannot make it twice."""
    pk: str
    expires_at: int


@dataclass
class TicketDetail:
    ticket: Ticket | None      # None when deleted
    project_id: str
    deleted: bool
    history: list[HistoryEntry]
    more_history_after: str | None  # history sort key to continue from, when there is more
    attachments: list[Attachment] = field(default_factory=list)  # available ones, oldest upload first


class TicketRepository:
    def __init__(self):
        models.bind()

    # ---- reads -------------------------------------------------------------------------------

    def get(self, ticket_id: str) -> Ticket | None:
        try:
            item = TicketItem.get(ticket_pk(ticket_id), TICKET_SK, consistent_read=True)
        except DoesNotExist:
            return None
        return None if item.deleted_at else to_ticket(item)

    def get_many(self, ticket_ids: Iterable[str]) -> dict[str, Ticket]:
        """The live tickets among these ids, by id (BatchGetItem, 100 keys a call)."""
        items = TicketItem.batch_get([(ticket_pk(ticket_id), TICKET_SK) for ticket_id in set(ticket_ids)],
                                     consistent_read=True)
        return {item.ticket_id: to_ticket(item) for item in items if not item.deleted_at}

    def detail(self, ticket_id: str) -> TicketDetail | None:
        """Ticket, tags, attachments and newest history in one Query over the ticket's item collection."""
        # The comment items sort below the history: the range ends before them.
        items = models._TicketsTable.query(
            ticket_pk(ticket_id), models._TicketsTable.sk >= HISTORY_SK_PREFIX, scan_index_forward=False,
            limit=DETAIL_QUERY_LIMIT,
            page_size=DETAIL_QUERY_LIMIT, consistent_read=True,
        )
        ticket_item = None
        history: list[HistoryItem] = []
        attachments: list[Attachment] = []
        for item in items:
            if isinstance(item, TicketItem):
                ticket_item = item
            elif isinstance(item, HistoryItem):
                history.append(item)
            elif isinstance(item, AttachmentItem) and item.status == AVAILABLE:
                attachments.append(to_attachment(item))
        if ticket_item is None:
            return None
        more = None
        if len(history) > DETAIL_HISTORY_LIMIT:
            history = history[:DETAIL_HISTORY_LIMIT]
            more = history[-1].sk
        elif items.last_evaluated_key is not None and history:
            more = history[-1].sk
        return TicketDetail(
            ticket=None if ticket_item.deleted_at else to_ticket(ticket_item),
            project_id=ticket_item.project_id,
            deleted=bool(ticket_item.deleted_at),
            history=[to_history(item) for item in history],
            more_history_after=more,
            attachments=sorted(attachments, key=lambda a: (a.uploaded_at, a.id)),
        )

    def owner_project(self, ticket_id: str) -> tuple[str, bool] | None:
        """(project id, deleted) of a ticket, or None if it never existed."""
        try:
            item = TicketItem.get(ticket_pk(ticket_id), TICKET_SK, consistent_read=True,
                                  attributes_to_get=["project_id", "deleted_at", "kind"])
        except DoesNotExist:
            return None
        return item.project_id, bool(item.deleted_at)

    def history(self, ticket_id: str, event: str | None, limit: int,
                after_sk: str | None) -> tuple[list[HistoryEntry], str | None]:
        """A page of history, newest first; returns the sk to continue after, if more exist."""
        if after_sk:
            # BETWEEN includes after_sk itself; that entry was the last of the previous page.
            condition = HistoryItem.sk.between(HISTORY_SK_PREFIX, after_sk)
        else:
            condition = HistoryItem.sk.startswith(HISTORY_SK_PREFIX)
        filter_condition = (HistoryItem.event == event) if event else None
        results = HistoryItem.query(
            ticket_pk(ticket_id), range_key_condition=condition, filter_condition=filter_condition,
            scan_index_forward=False, page_size=limit + 1, consistent_read=True,
        )
        page: list[HistoryItem] = []
        for item in results:
            if item.sk == after_sk:
                continue
            page.append(item)
            if len(page) > limit:
                break
        more = page[limit - 1].sk if len(page) > limit else None
        return [to_history(item) for item in page[:limit]], more

    def search(self, project_id: str, plan: SearchPlan, query: TicketQuery, now: str, limit: int) -> "SearchResult":
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
        order = _ORDER_ATTRIBUTE[plan.index]
        page_size = FILTERED_PAGE_SIZE if plan.needs_filter else limit + 1
        streams = [self._partition(plan, project_id, value, page_size) for value in plan.partitions]
        merged = _unique_by(heapq.merge(*streams, key=attrgetter(order), reverse=plan.descending), attrgetter(order))
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
                page += [(plan.position(getattr(item, order)), ticket)
                         for item, ticket in self._tickets_of(plan.index, wanted)]
                if len(chunk) > len(wanted):
                    return plan.position(getattr(wanted[-1], order))
                continue
            for item, ticket in self._keep_matching(self._tickets_of(plan.index, chunk), query, now, plan):
                page.append((plan.position(getattr(item, order)), ticket))
                if len(page) > limit:
                    return page[limit - 1][0]
        return plan.position(getattr(chunk[-1], order))

    def _partition(self, plan: SearchPlan, project_id: str, value: str, page_size: int) -> Iterator:
        hash_key = project_id if plan.index == "project" else scoped(project_id, value)
        order = _ORDER_ATTRIBUTE[plan.index]
        sort = getattr(_INDEX_MODELS[plan.index], order)
        lower, upper = plan.lower, plan.upper
        if lower is not None and upper is not None:
            if upper <= lower:
                return iter(())
            condition = sort.between(lower, upper)
        elif upper is not None:
            condition = sort < upper
        elif lower is not None:
            condition = sort >= lower
        else:
            condition = None
        results = _INDEXES[plan.index].query(hash_key, range_key_condition=condition,
                                             scan_index_forward=not plan.descending, page_size=page_size)
        # BETWEEN includes its upper end; the upper bound is exclusive.
        return (item for item in results if upper is None or getattr(item, order) < upper)

    def _tickets_of(self, index: str, chunk: list) -> list[tuple[object, Ticket]]:
        """(index entry, live ticket) for each entry, in order; entries of the tag and term
        indexes name their ticket, which one BatchGetItem per 100 reads."""
        if index not in ("tags", "terms"):
            return [(item, to_ticket(item)) for item in chunk]
        found = {}
        for start in range(0, len(chunk), BATCH_GET_LIMIT):
            keys = {(ticket_pk(entry.ticket_id), TICKET_SK) for entry in chunk[start:start + BATCH_GET_LIMIT]}
            found.update({item.ticket_id: item for item in TicketItem.batch_get(list(keys))})
        return [(entry, to_ticket(found[entry.ticket_id])) for entry in chunk
                if entry.ticket_id in found and not found[entry.ticket_id].deleted_at]

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

    # ---- operator commands (never on a request path) -----------------------------------------

    def every_live_ticket(self, project_id: str | None = None) -> Iterator[Ticket]:
        """Every live ticket (of one project, or of all): a Scan, for backfills."""
        condition = TicketItem.deleted_at.does_not_exist()
        if project_id is not None:
            condition &= TicketItem.project_id == project_id
        for item in TicketItem.scan(condition, page_size=500):
            yield to_ticket(item)

    def refresh_index_keys(self, ticket: Ticket) -> bool:
        """Writes the index keys this version of the code gives `ticket`, if its stored item lacks
        them; True when it did. A ticket changed meanwhile was written with them anyway."""
        wanted = to_item(ticket)
        stored = TicketItem.get(ticket_pk(ticket.id), TICKET_SK, consistent_read=True,
                                attributes_to_get=["kind", *INDEX_KEY_ATTRIBUTES])
        names = [name for name in INDEX_KEY_ATTRIBUTES if getattr(stored, name) != getattr(wanted, name)]
        if not names:
            return False
        actions = [getattr(TicketItem, name).set(getattr(wanted, name)) if getattr(wanted, name) is not None
                   else getattr(TicketItem, name).remove() for name in names]
        with self._transaction() as tx:
            tx.update_unversioned(TicketItem, ticket_pk(ticket.id), TICKET_SK, actions,
                                  condition=TicketItem.version == ticket.version)
        return True

    def comments(self, ticket_id: str) -> Iterator[str]:
        for item in HistoryItem.query(ticket_pk(ticket_id), HistoryItem.sk.startswith(HISTORY_SK_PREFIX),
                                      filter_condition=HistoryItem.event == "COMMENT_ADDED"):
            yield item.comment or ""

    # ---- the term index ----------------------------------------------------------------------

    def comment_words(self, ticket_ids: list[str]) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        for start in range(0, len(ticket_ids), BATCH_GET_LIMIT):
            keys = [(terms_pk(ticket_id), COMMENT_WORDS_SK) for ticket_id in ticket_ids[start:start + BATCH_GET_LIMIT]]
            for item in CommentWordsItem.batch_get(keys):
                found[item.pk.removeprefix("TX#")] = set(item.words or ())
        return found

    def add_comment_words(self, ticket_id: str, words: set[str]) -> set[str]:
        """Adds to the ticket's comment words (ADD: a repeat is harmless) and returns them all."""
        item = CommentWordsItem(terms_pk(ticket_id), COMMENT_WORDS_SK)
        if not words:
            return self.comment_words([ticket_id]).get(ticket_id, set())
        item.update(actions=[CommentWordsItem.words.add(words), CommentWordsItem.kind.set(CommentWordsItem)])
        return set(item.words or ())

    def indexed_prefixes(self, ticket_id: str) -> set[str]:
        return {item.sk.removeprefix(TERM_SK_PREFIX) for item in TermItem.query(
            terms_pk(ticket_id), TermItem.sk.startswith(TERM_SK_PREFIX), consistent_read=True,
            attributes_to_get=["pk", "sk", "kind"])}

    def change_terms(self, project_id: str, ticket_id: str, created_key: str, add: set[str],
                     remove: set[str]) -> None:
        """Puts the ticket in the `add` partitions and takes it out of the `remove` ones; each
        write is the same whenever it is repeated."""
        with TermItem.batch_write() as batch:
            for prefix in sorted(add):
                batch.save(term_item(project_id, ticket_id, created_key, prefix))
            for prefix in sorted(remove):
                batch.delete(TermItem(terms_pk(ticket_id), TERM_SK_PREFIX + prefix))

    def drop_terms(self, ticket_id: str) -> None:
        """Takes a deleted ticket out of the term index and forgets its comment words."""
        with TermItem.batch_write() as batch:
            for prefix in self.indexed_prefixes(ticket_id):
                batch.delete(TermItem(terms_pk(ticket_id), TERM_SK_PREFIX + prefix))
            batch.delete(CommentWordsItem(terms_pk(ticket_id), COMMENT_WORDS_SK))

    def overdue(self, now: str) -> list[tuple[str, str]]:
        """(ticket id, due date) of armed tickets whose due date has passed."""
        found = []
        for shard in range(DUE_SHARDS):
            for item in DueItem.by_due.query(f"DUE#{shard}", DueItem.due_key < now):
                found.append((item.ticket_id, item.due_date))
        return found

    def fire_overdue(self, ticket: Ticket, entry: HistoryEntry) -> None:
        """Records the overdue event once: the marker leaves the index in the same transaction,
        and only if the ticket is still open with that due date."""
        marker = DueItem(ticket_pk(ticket.id), DUE_SK)
        with self._transaction() as tx:
            tx.update(marker, actions=[DueItem.due_shard.remove(), DueItem.due_key.remove()],
                      condition=DueItem.due_shard.exists() & (DueItem.due_date == ticket.due_date))
            tx.condition_check(TicketItem, ticket_pk(ticket.id), TICKET_SK,
                               condition=TicketItem.deleted_at.does_not_exist()
                               & (TicketItem.due_date == ticket.due_date) & (TicketItem.status == ticket.status))
            tx.save(to_history_item(entry), condition=HistoryItem.pk.does_not_exist())

    def sla_markers_due(self, now: str) -> list["SlaMarker"]:
        """The SLA markers whose next moment has come, from every shard of the sweep's index."""
        found = []
        for shard in range(DUE_SHARDS):
            for item in SlaMarkerItem.by_due.query(f"SLA#{shard}", SlaMarkerItem.due_key < now):
                found.append(SlaMarker(item.ticket_id, item.target, item.due_key, item.at_risk_fired,
                                       item.breached_fired))
        return found

    def move_sla_marker(self, ticket: Ticket, marker: "SlaMarker", next_moment: str | None) -> None:
        """Moves a marker on without firing (a ticket changed since it was armed), unless it
        moved meanwhile."""
        actions = _marker_key_actions(ticket, marker.target, next_moment)
        try:
            SlaMarkerItem(ticket_pk(ticket.id), SLA_MARKER_SK_PREFIX + marker.target).update(
                actions=actions, condition=SlaMarkerItem.due_key == marker.due_key)
        except UpdateError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise

    def fire_sla(self, ticket: Ticket, marker: "SlaMarker", fired: str, next_moment: str | None,
                 entry: HistoryEntry) -> None:
        """Records an SLA event once: `fired` (at_risk_fired or breached_fired, and at_risk_fired
        too for a breach) is set only if it was not, the marker moves to its next moment (or leaves
        the index), and the ticket must be as read. Raises StaleTicket otherwise."""
        marker_item = SlaMarkerItem(ticket_pk(ticket.id), SLA_MARKER_SK_PREFIX + marker.target)
        flags = ["at_risk_fired"] if fired == "at_risk_fired" else ["breached_fired", "at_risk_fired"]
        actions = _marker_key_actions(ticket, marker.target, next_moment)
        condition = (SlaMarkerItem.due_key == marker.due_key) & getattr(SlaMarkerItem, fired).does_not_exist()
        for flag in flags:
            if flag == fired or getattr(marker, flag) is None:
                actions.append(getattr(SlaMarkerItem, flag).set(entry.timestamp))
        with self._transaction() as tx:
            tx.update(marker_item, actions=actions, condition=condition)
            tx.condition_check(TicketItem, ticket_pk(ticket.id), TICKET_SK,
                               condition=TicketItem.deleted_at.does_not_exist() & (TicketItem.version == ticket.version))
            tx.save(to_history_item(entry), condition=HistoryItem.pk.does_not_exist())

    def dedup_owner(self, project_id: str, dedup_key: str) -> str | None:
        try:
            return DedupGuardItem.get(dedup_pk(project_id, dedup_key), "DEDUP", consistent_read=True).ticket_id
        except DoesNotExist:
            return None

    def ticket_id_for_number(self, project_id: str, number: int) -> str | None:
        """The id of the project's ticket with this number, deleted or not."""
        try:
            return NumberGuardItem.get(number_pk(project_id, number), NUMBER_SK, consistent_read=True).ticket_id
        except DoesNotExist:
            return None

    def ticket_ids_for_numbers(self, project_id: str, numbers: Iterable[int]) -> dict[int, str]:
        """Number -> ticket id for the numbers of the project that were issued."""
        guards = NumberGuardItem.batch_get([(number_pk(project_id, n), NUMBER_SK) for n in set(numbers)],
                                           consistent_read=True)
        return {int(guard.pk.rsplit("#", 1)[1]): guard.ticket_id for guard in guards}

    def marked(self, marks: Iterable[CommentMark], now: int) -> set[str]:
        """The pks of these comment marks that are written and not expired."""
        found = CommentMarkItem.batch_get([(mark.pk, COMMENT_MARK_SK) for mark in marks], consistent_read=True)
        return {item.pk for item in found if int(item.expires_at) > now}

    def stored_response(self, scope: str) -> StoredResponse | None:
        try:
            item = IdempotencyItem.get(scope, IDEMPOTENCY_SK, consistent_read=True)
        except DoesNotExist:
            return None
        return StoredResponse(scope, item.request_hash, int(item.status_code), item.response, int(item.expires_at))

    def notified(self, event_id: str) -> frozenset[str]:
        """The addresses already emailed about an event."""
        try:
            item = NotifiedItem.get(notified_pk(event_id), NOTIFIED_SK, consistent_read=True)
        except DoesNotExist:
            return frozenset()
        return frozenset(item.sent_to or ())

    # ---- writes ------------------------------------------------------------------------------

    def record_notified(self, event_id: str, addresses: list[str], expires_at: int) -> None:
        """Adds to the event's sent addresses; ADD makes a repeated record harmless."""
        item = NotifiedItem(notified_pk(event_id), NOTIFIED_SK)
        item.update(actions=[NotifiedItem.sent_to.add(set(addresses)), NotifiedItem.expires_at.set(expires_at),
                             NotifiedItem.kind.set(NotifiedItem)])

    def create(self, ticket: Ticket, entry: HistoryEntry, *, dedup_previous: str | None = None,
               idempotency: StoredResponse | None = None) -> None:
        """Writes the ticket, its tag items, its TICKET_CREATED entry and any guards at once."""
        with self._transaction() as tx:
            tx.save(to_item(ticket), condition=TicketItem.pk.does_not_exist())
            for tag in ticket.tags:
                tx.save(tag_item(ticket, tag))
            if _armed(ticket):
                tx.save(due_item(ticket))
            for mark in ticket.sla.marks if ticket.sla is not None else ():
                tx.save(sla_marker(ticket, mark))
            tx.save(to_history_item(entry), condition=HistoryItem.pk.does_not_exist())
            # Numbers come from the project's counter, so the guard is new; the condition keeps a
            # number from ever pointing at a second ticket.
            tx.save(number_guard(ticket), condition=NumberGuardItem.pk.does_not_exist())
            if ticket.dedup_key is not None:
                guard = DedupGuardItem(dedup_pk(ticket.project_id, ticket.dedup_key), "DEDUP", ticket_id=ticket.id)
                claim = DedupGuardItem.pk.does_not_exist()
                if dedup_previous is not None:
                    claim = DedupGuardItem.ticket_id == dedup_previous
                tx.save(guard, condition=claim)
            _claim_idempotency(tx, idempotency)

    def update(self, before: Ticket, after: Ticket, entry: HistoryEntry, *, comment: HistoryEntry | None = None,
               mark: CommentMark | None = None) -> None:
        """Replaces the ticket if it is still at `before.version`, with its history entry (and a
        comment made with the change, given as its COMMENT_ADDED entry, and its mark)."""
        with self._transaction() as tx:
            tx.save(to_item(after, version=before.version))
            for tag in set(after.tags) - set(before.tags):
                tx.save(tag_item(after, tag))
            for tag in set(before.tags) - set(after.tags):
                tx.delete(tag_item(before, tag))
            # A new due date, or a ticket reopened or finished, re-arms or disarms the overdue
            # event; any other change leaves the marker (and whether it fired) alone.
            if (before.due_date, before.is_open) != (after.due_date, after.is_open):
                if _armed(after):
                    tx.save(due_item(after))
                else:
                    tx.delete(DueItem(ticket_pk(after.id), DUE_SK))
            # New SLA moments re-arm a target's marker (keeping what already fired); a target no
            # longer running leaves the sweep's index.
            if before.sla is not None and after.sla is not None and before.sla.marks != after.sla.marks:
                for target in slas.TARGETS:
                    _rearm_sla(tx, after, target, after.sla.mark(target))
            tx.save(to_history_item(entry), condition=HistoryItem.pk.does_not_exist())
            if comment is not None:
                _save_comment(tx, comment)
            _claim_mark(tx, mark)

    def add_comment(self, ticket: Ticket, entry: HistoryEntry, *, mark: CommentMark | None = None) -> None:
        """Adds a comment (its COMMENT_ADDED entry, and the comment item it records) while the
        ticket is still live."""
        with self._transaction() as tx:
            tx.condition_check(TicketItem, ticket_pk(ticket.id), TICKET_SK,
                               condition=TicketItem.deleted_at.does_not_exist())
            _save_comment(tx, entry)
            _claim_mark(tx, mark)

    def append_history(self, ticket: Ticket, entry: HistoryEntry, *, require_open: bool = False,
                       idempotency: StoredResponse | None = None, mark: CommentMark | None = None) -> None:
        """Adds an entry (a comment, a duplicate alert) while the ticket is still live."""
        condition = TicketItem.deleted_at.does_not_exist()
        if require_open:
            condition &= TicketItem.status == ticket.status
        with self._transaction() as tx:
            tx.condition_check(TicketItem, ticket_pk(ticket.id), TICKET_SK, condition=condition)
            tx.save(to_history_item(entry), condition=HistoryItem.pk.does_not_exist())
            _claim_idempotency(tx, idempotency)
            _claim_mark(tx, mark)

    def store_response(self, stored: StoredResponse) -> None:
        """Keeps the answer to a request made with an Idempotency-Key, unless a concurrent run of
        the same request kept one first (both answers are then true)."""
        item, condition = _idempotency_claim(stored)
        try:
            item.save(condition=condition)
        except PutError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise

    def delete(self, ticket: Ticket, entry: HistoryEntry) -> None:
        """Leaves a tombstone that keeps the history readable; drops it from every index and drops
        its attachment records (the caller removes their files)."""
        tombstone = to_item(ticket, version=ticket.version)
        for name in INDEX_KEY_ATTRIBUTES:
            setattr(tombstone, name, None)
        tombstone.deleted_at = entry.timestamp
        tombstone.deleted_by = entry.changed_by
        attachments = list(AttachmentItem.query(
            ticket_pk(ticket.id), AttachmentItem.sk.startswith(ATTACHMENT_SK_PREFIX), consistent_read=True))
        # The default limits (20 tags, 50 attachments) fit in one transaction; records beyond its
        # 100 actions (a raised limit) go right after it, unseen since the ticket is gone by then.
        room = MAX_TRANSACTION_ACTIONS - 3 - len(slas.TARGETS) - len(ticket.tags)
        with self._transaction() as tx:
            tx.save(tombstone)
            for tag in ticket.tags:
                tx.delete(tag_item(ticket, tag))
            tx.delete(DueItem(ticket_pk(ticket.id), DUE_SK))
            for target in slas.TARGETS:
                tx.delete(SlaMarkerItem(ticket_pk(ticket.id), SLA_MARKER_SK_PREFIX + target))
            for attachment in attachments[:room]:
                tx.delete(attachment)
            tx.save(to_history_item(entry), condition=HistoryItem.pk.does_not_exist())
        with AttachmentItem.batch_write() as batch:
            for attachment in attachments[room:]:
                batch.delete(attachment)

    def backfill_number_guards(self, project_id: str | None = None, page_size: int = 500) -> tuple[int, int]:
        """Writes the number guard of every ticket (of one project, or of all) that lacks one
        (tickets made before guards existed); returns (tickets seen, guards written). An operator's
        maintenance command: it scans the whole table, page by page. Running it again writes
        nothing new."""
        seen = written = 0
        condition = TicketItem.project_id == project_id if project_id is not None else None
        tickets = TicketItem.scan(condition, page_size=page_size,
                                  attributes_to_get=["pk", "sk", "kind", "ticket_id", "project_id", "number"])
        while chunk := list(islice(tickets, BATCH_GET_LIMIT)):
            seen += len(chunk)
            keys = {(number_pk(item.project_id, int(item.number)), NUMBER_SK): item for item in chunk}
            present = {(guard.pk, guard.sk) for guard in NumberGuardItem.batch_get(list(keys), consistent_read=True,
                                                                                  attributes_to_get=["pk", "sk"])}
            missing = [item for key, item in keys.items() if key not in present]
            # A guard's content follows from its ticket, so writing one twice (a concurrent run)
            # is harmless, and an unconditional batch write is enough.
            with NumberGuardItem.batch_write() as batch:
                for item in missing:
                    batch.save(NumberGuardItem(number_pk(item.project_id, int(item.number)), NUMBER_SK,
                                               ticket_id=item.ticket_id))
            written += len(missing)
        return seen, written

    def _transaction(self):
        return models.Transaction(StaleTicket("the ticket was changed or removed by another request"))


IDEMPOTENCY_SK = "IDEM"


def _claim_idempotency(tx, stored: StoredResponse | None) -> None:
    if stored is None:
        return
    tx.save(*_idempotency_claim(stored))


def _idempotency_claim(stored: StoredResponse) -> tuple[IdempotencyItem, object]:
    item = IdempotencyItem(stored.scope, IDEMPOTENCY_SK, request_hash=stored.request_hash,
                           status_code=stored.status_code, response=stored.body, expires_at=stored.expires_at)
    # TTL deletion lags by up to days, so an expired record counts as absent.
    now = stored.expires_at - IDEMPOTENCY_WINDOW_SECONDS
    return item, IdempotencyItem.pk.does_not_exist() | (IdempotencyItem.expires_at < now)


def _save_comment(tx, entry: HistoryEntry) -> None:
    """A comment is its entry, for history and events, and its own item, recorded by the entry."""
    tx.save(to_history_item(entry), condition=HistoryItem.pk.does_not_exist())
    tx.save(to_comment_item(commenting.recorded_by(entry)), condition=CommentItem.pk.does_not_exist())


def _claim_mark(tx, mark: CommentMark | None) -> None:
    if mark is None:
        return
    now = mark.expires_at - IDEMPOTENCY_WINDOW_SECONDS
    tx.save(CommentMarkItem(mark.pk, COMMENT_MARK_SK, expires_at=mark.expires_at),
            condition=CommentMarkItem.pk.does_not_exist() | (CommentMarkItem.expires_at < now))


INDEX_KEY_ATTRIBUTES = ("created_key", "project_idx", "status_idx", "severity_idx", "reporter_idx", "assignee_idx",
                        "state_idx", "updated_order", "due_order", "severity_order", "sla_idx", "sla_order",
                        "sla_risk_order")


@dataclass(frozen=True)
class SlaMarker:
    ticket_id: str
    target: str
    due_key: str
    at_risk_fired: str | None
    breached_fired: str | None


@dataclass(frozen=True)
class SearchResult:
    tickets: list[Ticket]
    resume_after: str | None   # the sort key to continue after; None when nothing is left


_INDEXES = {
    "project": TicketItem.by_project,
    "state": TicketItem.by_state,
    "status": TicketItem.by_status,
    "severity": TicketItem.by_severity,
    "reporter": TicketItem.by_reporter,
    "assignee": TicketItem.by_assignee,
    "tags": TagItem.by_tag,
    "terms": TermItem.by_term,
    "updated": TicketItem.by_updated,
    "due": TicketItem.by_due_order,
    "severity_order": TicketItem.by_severity_order,
    "sla": TicketItem.by_sla,
    "sla_risk": TicketItem.by_sla_risk,
}
_INDEX_MODELS = {name: TagItem if name == "tags" else TermItem if name == "terms" else TicketItem for name in _INDEXES}
_ORDER_ATTRIBUTE = {name: "created_key" for name in _INDEXES} | {
    "updated": "updated_order", "due": "due_order", "severity_order": "severity_order", "sla": "sla_order",
    "sla_risk": "sla_risk_order"}


NOTIFIED_SK = "NOTIFIED"


def notified_pk(event_id: str) -> str:
    return f"NOTIFIED#{event_id}"


def number_pk(project_id: str, number: int) -> str:
    return f"NUM#{project_id}#{number}"


def number_guard(ticket: Ticket) -> NumberGuardItem:
    return NumberGuardItem(number_pk(ticket.project_id, ticket.number), NUMBER_SK, ticket_id=ticket.id)


def comment_mark_pk(scope: str, ticket_id: str) -> str:
    # The scope holds the caller's Idempotency-Key (up to 255 characters): a hash keeps keys short.
    return f"BULK#{hashlib.sha256(scope.encode()).hexdigest()[:32]}#{ticket_id}"


def dedup_pk(project_id: str, dedup_key: str) -> str:
    return f"DEDUP#{project_id}#{dedup_key}"


def to_item(ticket: Ticket, version: int | None = None) -> TicketItem:
    """The item to write; `version` is the stored version it replaces (None for a new ticket)."""
    item = TicketItem(
        ticket_pk(ticket.id), TICKET_SK,
        ticket_id=ticket.id, project_id=ticket.project_id, number=ticket.number, key=ticket.key,
        title=ticket.title, description=ticket.description, status=ticket.status,
        severity=ticket.severity, created_at=ticket.created_at, updated_at=ticket.updated_at,
        resolved_at=ticket.resolved_at, due_date=ticket.due_date, reporter=ticket.reporter,
        assignee=ticket.assignee, source=ticket.source, tags=list(ticket.tags),
        dedup_key=ticket.dedup_key,
        created_key=ticket.sort_key,
        project_idx=ticket.project_id,
        status_idx=scoped(ticket.project_id, ticket.status),
        severity_idx=scoped(ticket.project_id, ticket.severity),
        reporter_idx=scoped(ticket.project_id, ticket.reporter),
        assignee_idx=scoped(ticket.project_id, ticket.assignee or searching.UNASSIGNED),
        state_idx=scoped(ticket.project_id, searching.state_of(ticket)),
        updated_order=searching.order_key(ticket, "updated"),
        due_order=searching.order_key(ticket, "due"),
        severity_order=searching.order_key(ticket, "severity_order"),
        sla_clock=ticket.sla.as_dict() if ticket.sla is not None else None,
        sla_order=searching.order_key(ticket, "sla"),
        sla_risk_order=searching.order_key(ticket, "sla_risk"),
    )
    if item.sla_order is not None:
        item.sla_idx = scoped(ticket.project_id, searching.SLA_PARTITION)
    if version is not None:
        item.version = version
    return item


def to_ticket(item: TicketItem) -> Ticket:
    return Ticket(
        id=item.ticket_id, project_id=item.project_id, number=int(item.number), key=item.key,
        title=item.title, description=item.description or "", status=item.status,
        severity=item.severity, created_at=item.created_at, updated_at=item.updated_at,
        reporter=item.reporter, source=item.source, resolved_at=item.resolved_at,
        due_date=item.due_date, assignee=item.assignee, tags=tuple(item.tags or ()),
        dedup_key=item.dedup_key, version=int(item.version),
        sla=slas.Clock.from_dict(item.sla_clock) if item.sla_clock else None,
    )


def _armed(ticket: Ticket) -> bool:
    return ticket.due_date is not None and ticket.is_open


def due_item(ticket: Ticket) -> DueItem:
    shard = int(hashlib.sha256(ticket.id.encode()).hexdigest(), 16) % DUE_SHARDS
    return DueItem(ticket_pk(ticket.id), DUE_SK, ticket_id=ticket.id, project_id=ticket.project_id,
                   due_date=ticket.due_date, due_shard=f"DUE#{shard}", due_key=f"{ticket.due_date}#{ticket.id}")


def sla_marker(ticket: Ticket, mark: slas.Mark) -> SlaMarkerItem:
    return SlaMarkerItem(ticket_pk(ticket.id), SLA_MARKER_SK_PREFIX + mark.target, ticket_id=ticket.id,
                         project_id=ticket.project_id, target=mark.target, due_shard=_sla_shard(ticket.id),
                         due_key=sla_marker_key(ticket.id, mark.target, mark.at_risk_at))


def sla_marker_key(ticket_id: str, target: str, moment: str) -> str:
    return f"{moment}#{ticket_id}#{target}"


def _sla_shard(ticket_id: str) -> str:
    return f"SLA#{int(hashlib.sha256(ticket_id.encode()).hexdigest(), 16) % DUE_SHARDS}"


def _marker_key_actions(ticket: Ticket, target: str, moment: str | None) -> list:
    """Sets the marker's identity (an update may be its first write) and puts it in the sweep's
    index at `moment`, or takes it out."""
    actions = [SlaMarkerItem.kind.set(SlaMarkerItem), SlaMarkerItem.ticket_id.set(ticket.id),
               SlaMarkerItem.project_id.set(ticket.project_id), SlaMarkerItem.target.set(target)]
    if moment is None:
        return actions + [SlaMarkerItem.due_shard.remove(), SlaMarkerItem.due_key.remove()]
    return actions + [SlaMarkerItem.due_shard.set(_sla_shard(ticket.id)),
                      SlaMarkerItem.due_key.set(sla_marker_key(ticket.id, target, moment))]


def _rearm_sla(tx, ticket: Ticket, target: str, mark: slas.Mark | None) -> None:
    """From the target's at-risk moment (the sweep passes over what already fired)."""
    tx.update(SlaMarkerItem(ticket_pk(ticket.id), SLA_MARKER_SK_PREFIX + target),
              actions=_marker_key_actions(ticket, target, mark.at_risk_at if mark else None))


def tag_item(ticket: Ticket, tag: str) -> TagItem:
    return TagItem(ticket_pk(ticket.id), TAG_SK_PREFIX + tag, ticket_id=ticket.id,
                   tag_idx=scoped(ticket.project_id, tag), created_key=ticket.sort_key)


def term_item(project_id: str, ticket_id: str, created_key: str, prefix: str) -> TermItem:
    return TermItem(terms_pk(ticket_id), TERM_SK_PREFIX + prefix, ticket_id=ticket_id,
                    term_idx=scoped(project_id, prefix), created_key=created_key)


def history_sk(entry: HistoryEntry) -> str:
    return f"{HISTORY_SK_PREFIX}{entry.timestamp}#{entry.id}"


def to_history_item(entry: HistoryEntry) -> HistoryItem:
    return HistoryItem(
        ticket_pk(entry.ticket_id), history_sk(entry), entry_id=entry.id, ticket_id=entry.ticket_id,
        project_id=entry.project_id, event=entry.event, timestamp=entry.timestamp,
        changed_by=entry.changed_by, changes=entry.changes, comment=entry.comment, ticket=entry.ticket,
    )


def to_history(item: HistoryItem) -> HistoryEntry:
    return HistoryEntry(
        id=item.entry_id, ticket_id=item.ticket_id, project_id=item.project_id, event=item.event,
        timestamp=item.timestamp, changed_by=item.changed_by, changes=item.changes or {},
        comment=item.comment, ticket=item.ticket,
    )


def facts_from_stream_image(image: dict) -> reports.Facts | None:
    """What the report aggregates need of the ticket a stream record's image holds; None for any
    other kind of item (or no image)."""
    if image.get("kind", {}).get("S") != "ticket":
        return None
    item = TicketItem.from_raw_data(image)
    clock = slas.Clock.from_dict(item.sla_clock) if item.sla_clock else None
    return reports.Facts(project_id=item.project_id, severity=item.severity, status=item.status,
                         created_at=item.created_at, updated_at=item.updated_at, deleted_at=item.deleted_at,
                         acknowledged_at=clock.acknowledged_at if clock else None,
                         resolved_at=clock.resolved_at if clock else None,
                         outcomes=clock.outcomes if clock else ())


def history_from_stream_image(image: dict) -> HistoryEntry | None:
    """The history entry a stream record's NewImage holds, or None for any other kind of item."""
    kind = image.get("kind", {}).get("S")
    if kind != "history":
        return None
    return to_history(HistoryItem.from_raw_data(image))


def attachment_sk(attachment_id: str) -> str:
    return f"{ATTACHMENT_SK_PREFIX}{attachment_id}"


def to_attachment_item(attachment: Attachment) -> AttachmentItem:
    return AttachmentItem(
        ticket_pk(attachment.ticket_id), attachment_sk(attachment.id), attachment_id=attachment.id,
        ticket_id=attachment.ticket_id, project_id=attachment.project_id, file_name=attachment.file_name,
        content_type=attachment.content_type, size=attachment.size, status=attachment.status,
        uploaded_by=attachment.uploaded_by, created_at=attachment.created_at, uploaded_at=attachment.uploaded_at,
        expires_at=attachment.expires_at, version_id=attachment.version_id, etag=attachment.etag,
    )


def to_attachment(item: AttachmentItem) -> Attachment:
    return Attachment(
        id=item.attachment_id, ticket_id=item.ticket_id, project_id=item.project_id, file_name=item.file_name,
        content_type=item.content_type, size=int(item.size), status=item.status, uploaded_by=item.uploaded_by,
        created_at=item.created_at, uploaded_at=item.uploaded_at,
        expires_at=int(item.expires_at) if item.expires_at is not None else None,
        version_id=item.version_id, etag=item.etag,
    )


def _unique_by(items: Iterable, key) -> Iterator:
    """Drops repeats of one ticket met in several partitions (a ticket with two wanted tags)."""
    previous = None
    for item in items:
        if key(item) != previous:
            previous = key(item)
            yield item
