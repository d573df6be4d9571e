"""Tickets, their history, markers, guards and idempotency records, in memory, with the same
conditions and transactions as adapters/dynamodb/."""
from dataclasses import replace
from itertools import islice
from typing import Iterable, Iterator

from chalicelib.adapters.dynamodb import comments as dynamodb_comments
from chalicelib.adapters.dynamodb.history import to_history_item
from chalicelib.adapters.dynamodb.keys import HISTORY_SK_PREFIX, history_sk
# The detail answers as the DynamoDB Query does: at most this many entries, within a page that
# holds the rest of the ticket's collection too.
from chalicelib.adapters.dynamodb.tickets import DETAIL_HISTORY_LIMIT, DETAIL_QUERY_LIMIT
from chalicelib.adapters.memory.store import (
    DueMarker,
    MemoryRepository,
    MemoryStore,
    SlaMarkerState,
    StoredTicket,
    require,
)
from chalicelib.domain import comments as commenting
from chalicelib.domain import sla as slas
from chalicelib.domain.attachments import AVAILABLE
from chalicelib.domain.comments import Comment
from chalicelib.domain.idempotency import IDEMPOTENCY_WINDOW_SECONDS, CommentMark, StoredResponse
from chalicelib.domain.mailbox import ReceivedMark
from chalicelib.domain.sla import SlaMarker
from chalicelib.domain.tickets import HistoryEntry, StaleTicket, Ticket, TicketDetail



def _stale() -> StaleTicket:
    return StaleTicket("the ticket was changed or removed by another request")


class MemoryTickets(MemoryRepository):
    def get(self, ticket_id: str) -> Ticket | None:
        stored = self.store.tickets.get(ticket_id)
        return stored.ticket if stored is not None and stored.live else None

    def get_many(self, ticket_ids: Iterable[str]) -> dict[str, Ticket]:
        return {ticket_id: ticket for ticket_id in set(ticket_ids) if (ticket := self.get(ticket_id)) is not None}

    def detail(self, ticket_id: str) -> TicketDetail | None:
        stored = self.store.tickets.get(ticket_id)
        if stored is None:
            return None
        # The collection read newest sk first, down to the history (the `DUE` marker and the
        # comments sort below it), cut where the DynamoDB Query's limit cuts it.
        ahead = (1 + (len(stored.ticket.tags) if stored.live else 0)
                 + sum(1 for (tid, _) in self.store.sla_markers if tid == ticket_id)
                 + len(self.store.attachments.get(ticket_id, {}))
                 + (1 if ticket_id in self.store.mail_threads else 0))
        entries = sorted(self.store.history.get(ticket_id, {}).items(), reverse=True)
        more = None
        room = max(0, DETAIL_QUERY_LIMIT - ahead)
        cut = ahead + len(entries) >= DETAIL_QUERY_LIMIT
        entries = entries[:room]
        if len(entries) > DETAIL_HISTORY_LIMIT:
            entries = entries[:DETAIL_HISTORY_LIMIT]
            more = entries[-1][0]
        elif cut and entries:
            more = entries[-1][0]
        attachments = [a for a in self.store.attachments.get(ticket_id, {}).values() if a.status == AVAILABLE]
        return TicketDetail(
            ticket=stored.ticket if stored.live else None, project_id=stored.ticket.project_id,
            deleted=not stored.live, history=[entry for _, entry in entries], more_history_after=more,
            attachments=sorted(attachments, key=lambda a: (a.uploaded_at, a.id)),
        )

    def owner_project(self, ticket_id: str) -> tuple[str, bool] | None:
        stored = self.store.tickets.get(ticket_id)
        return None if stored is None else (stored.ticket.project_id, not stored.live)

    def every_live_ticket(self, project_id: str | None = None) -> Iterator[Ticket]:
        for stored in list(self.store.tickets.values()):
            if stored.live and project_id in (None, stored.ticket.project_id):
                yield stored.ticket

    def refresh_index_keys(self, ticket: Ticket) -> bool:
        """Index keys are computed from the ticket here whenever it is read: nothing to refresh."""
        return False

    # ---- writes ------------------------------------------------------------------------------

    def create(self, ticket: Ticket, entry: HistoryEntry, *, dedup_previous: str | None = None,
               idempotency: StoredResponse | None = None, received: ReceivedMark | None = None) -> None:
        store = self.store
        with store.transaction():
            require(ticket.id not in store.tickets, _stale())
            store.tickets[ticket.id] = StoredTicket(replace(ticket, version=1))
            if _armed(ticket):
                store.due_markers[ticket.id] = DueMarker(ticket.project_id, ticket.due_date, armed=True)
            for mark in ticket.sla.marks if ticket.sla is not None else ():
                store.sla_markers[(ticket.id, mark.target)] = SlaMarkerState(
                    ticket.id, ticket.project_id, mark.target, _marker_key(ticket.id, mark.target, mark.at_risk_at))
            add_entry(store, entry)
            number = (ticket.project_id, ticket.number)
            require(number not in store.number_guards, _stale())
            store.number_guards[number] = ticket.id
            if ticket.dedup_key is not None:
                dedup = (ticket.project_id, ticket.dedup_key)
                owner = store.dedup_guards.get(dedup)
                require(owner is None if dedup_previous is None else owner == dedup_previous, _stale())
                store.dedup_guards[dedup] = ticket.id
            _claim_response(store, idempotency)
            _claim_received(store, received)

    def update(self, before: Ticket, after: Ticket, entry: HistoryEntry, *, comment: HistoryEntry | None = None,
               mark: CommentMark | None = None, received: ReceivedMark | None = None) -> None:
        store = self.store
        with store.transaction():
            stored = store.tickets.get(after.id)
            require(stored is not None and stored.ticket.version == before.version, _stale())
            # The whole item is written: a tombstone's marks and the count of additions go.
            store.tickets[after.id] = StoredTicket(replace(after, version=before.version + 1))
            if (before.due_date, before.is_open) != (after.due_date, after.is_open):
                if _armed(after):
                    store.due_markers[after.id] = DueMarker(after.project_id, after.due_date, armed=True)
                else:
                    store.due_markers.pop(after.id, None)
            if before.sla is not None and after.sla is not None and before.sla.marks != after.sla.marks:
                for target in slas.TARGETS:
                    mark_of = after.sla.mark(target)
                    marker = store.sla_markers.setdefault((after.id, target),
                                                          SlaMarkerState(after.id, after.project_id, target))
                    marker.due_key = _marker_key(after.id, target, mark_of.at_risk_at) if mark_of else None
            add_entry(store, entry)
            if comment is not None:
                add_comment(store, comment)
            _claim_mark(store, mark)
            _claim_received(store, received)

    def add_comment(self, ticket: Ticket, entry: HistoryEntry, *, mark: CommentMark | None = None,
                    received: ReceivedMark | None = None) -> None:
        store = self.store
        with store.transaction():
            stored = store.tickets.get(ticket.id)
            require(stored is None or stored.live, _stale())
            add_comment(store, entry)
            _claim_mark(store, mark)
            _claim_received(store, received)

    def edit_comment(self, ticket: Ticket, before: Comment, after: Comment, entry: HistoryEntry) -> None:
        # As large as DynamoDB would find them, whose limit on an item's size this repeats.
        dynamodb_comments.check_fits(dynamodb_comments.to_comment_item(after), to_history_item(entry))
        store = self.store
        with store.transaction():
            _require_live(store, ticket.id)
            _replace_comment(store, before, after)
            add_entry(store, entry)

    def delete_comment(self, ticket: Ticket, before: Comment, after: Comment, entry: HistoryEntry) -> None:
        store = self.store
        with store.transaction():
            _require_live(store, ticket.id)
            _replace_comment(store, before, after)
            entries = store.history.get(ticket.id, {})
            added = history_sk(before.created_at, before.id)
            require(added in entries, _stale())
            entries[added] = replace(entries[added], comment=None)
            for position in before.edit_entries:
                sk = HISTORY_SK_PREFIX + position
                require(sk in entries, _stale())
                entries[sk] = replace(entries[sk], comment=None, changes={})
            add_entry(store, entry)

    def append_history(self, ticket: Ticket, entry: HistoryEntry, *, require_open: bool = False,
                       idempotency: StoredResponse | None = None, mark: CommentMark | None = None) -> None:
        store = self.store
        with store.transaction():
            stored = store.tickets.get(ticket.id)
            # As in DynamoDB, "not deleted" holds for a ticket that is not there; "still this
            # status" does not.
            require(stored is None or stored.live, _stale())
            if require_open:
                require(stored is not None and stored.ticket.status == ticket.status, _stale())
            add_entry(store, entry)
            _claim_response(store, idempotency)
            _claim_mark(store, mark)

    def delete(self, ticket: Ticket, entry: HistoryEntry) -> None:
        store = self.store
        with store.transaction():
            stored = store.tickets.get(ticket.id)
            require(stored is not None and stored.ticket.version == ticket.version, _stale())
            store.tickets[ticket.id] = StoredTicket(replace(ticket, version=ticket.version + 1),
                                                    deleted_at=entry.timestamp, deleted_by=entry.changed_by)
            store.due_markers.pop(ticket.id, None)
            for target in slas.TARGETS:
                store.sla_markers.pop((ticket.id, target), None)
            store.attachments.pop(ticket.id, None)
            add_entry(store, entry)


class MemoryHistory(MemoryRepository):
    def history(self, ticket_id: str, event: str | None, limit: int,
                after_sk: str | None) -> tuple[list[HistoryEntry], str | None]:
        entries = sorted(self.store.history.get(ticket_id, {}).items(), reverse=True)
        page = [(sk, entry) for sk, entry in entries
                if (after_sk is None or sk < after_sk) and (event is None or entry.event == event)][:limit + 1]
        more = page[limit - 1][0] if len(page) > limit else None
        return [entry for _, entry in page[:limit]], more


class MemoryComments(MemoryRepository):
    def comment_page(self, ticket_id: str, after: str | None, limit: int) -> tuple[list[Comment], str | None]:
        merged = (c for c in self.every_comment(ticket_id) if after is None or c.position > after)
        page = list(islice(merged, limit + 1))
        more = page[limit - 1].position if len(page) > limit else None
        return page[:limit], more

    def comment(self, ticket_id: str, comment_id: str) -> Comment | None:
        return next((c for c in self.every_comment(ticket_id) if c.id == comment_id), None)

    def every_comment(self, ticket_id: str) -> Iterator[Comment]:
        stored = [comment for _, comment in sorted(self.store.comments.get(ticket_id, {}).items())]
        recorded = [commenting.recorded_by(entry) for _, entry in sorted(self.store.history.get(ticket_id, {}).items())
                    if entry.event == "COMMENT_ADDED"]
        return commenting.merged(stored, recorded)


class MemoryMarkers(MemoryRepository):
    def overdue(self, now: str) -> list[tuple[str, str]]:
        armed = [(marker.due_date, ticket_id) for ticket_id, marker in self.store.due_markers.items()
                 if marker.armed and f"{marker.due_date}#{ticket_id}" < now]
        return [(ticket_id, due_date) for due_date, ticket_id in sorted(armed)]

    def fire_overdue(self, ticket: Ticket, entry: HistoryEntry) -> None:
        store = self.store
        with store.transaction():
            marker = store.due_markers.get(ticket.id)
            require(marker is not None and marker.armed and marker.due_date == ticket.due_date, _stale())
            marker.armed = False
            stored = store.tickets.get(ticket.id)
            require(stored is not None and stored.live and stored.ticket.due_date == ticket.due_date
                    and stored.ticket.status == ticket.status, _stale())
            add_entry(store, entry)

    def sla_markers_due(self, now: str) -> list[SlaMarker]:
        due = sorted((marker.due_key, marker) for marker in self.store.sla_markers.values()
                     if marker.due_key is not None and marker.due_key < now)
        return [SlaMarker(m.ticket_id, m.target, m.due_key, m.at_risk_fired, m.breached_fired) for _, m in due]

    def move_sla_marker(self, ticket: Ticket, marker: SlaMarker, next_moment: str | None) -> None:
        stored = self.store.sla_markers.get((ticket.id, marker.target))
        if stored is None or stored.due_key != marker.due_key:
            return  # moved meanwhile
        stored.due_key = _marker_key(ticket.id, marker.target, next_moment) if next_moment else None

    def fire_sla(self, ticket: Ticket, marker: SlaMarker, fired: str, next_moment: str | None,
                 entry: HistoryEntry) -> None:
        store = self.store
        with store.transaction():
            stored = store.sla_markers.get((ticket.id, marker.target))
            require(stored is not None and stored.due_key == marker.due_key and getattr(stored, fired) is None,
                    _stale())
            flags = ["at_risk_fired"] if fired == "at_risk_fired" else ["breached_fired", "at_risk_fired"]
            for flag in flags:
                if flag == fired or getattr(marker, flag) is None:
                    setattr(stored, flag, entry.timestamp)
            stored.due_key = _marker_key(ticket.id, marker.target, next_moment) if next_moment else None
            live = store.tickets.get(ticket.id)
            require(live is not None and live.live and live.ticket.version == ticket.version, _stale())
            add_entry(store, entry)


class MemoryIdempotency(MemoryRepository):
    def stored_response(self, scope: str) -> StoredResponse | None:
        return self.store.responses.get(scope)

    def store_response(self, stored: StoredResponse) -> None:
        if _response_claimable(self.store, stored):
            self.store.responses[stored.scope] = stored

    def marked(self, marks: Iterable[CommentMark], now: int) -> set[str]:
        return {mark.pk for mark in marks if self.store.comment_marks.get(mark.pk, now) > now}


class MemoryNumbers(MemoryRepository):
    def dedup_owner(self, project_id: str, dedup_key: str) -> str | None:
        return self.store.dedup_guards.get((project_id, dedup_key))

    def ticket_id_for_number(self, project_id: str, number: int) -> str | None:
        return self.store.number_guards.get((project_id, number))

    def ticket_ids_for_numbers(self, project_id: str, numbers: Iterable[int]) -> dict[int, str]:
        return {n: self.store.number_guards[(project_id, n)] for n in set(numbers)
                if (project_id, n) in self.store.number_guards}


class MemoryReceivedMarks(MemoryRepository):
    def received_mark(self, key: str) -> ReceivedMark | None:
        return self.store.received_marks.get(key)


class MemoryNotified(MemoryRepository):
    def notified(self, event_id: str) -> frozenset[str]:
        return frozenset(self.store.notified.get(event_id, ()))

    def record_notified(self, event_id: str, addresses: list[str], expires_at: int) -> None:
        self.store.notified.setdefault(event_id, set()).update(addresses)


def _armed(ticket: Ticket) -> bool:
    return ticket.due_date is not None and ticket.is_open


def _marker_key(ticket_id: str, target: str, moment: str) -> str:
    return f"{moment}#{ticket_id}#{target}"


def add_entry(store: MemoryStore, entry: HistoryEntry) -> None:
    """An entry is written once: a second one with the same moment and id fails the transaction."""
    entries = store.history.setdefault(entry.ticket_id, {})
    sk = history_sk(entry.timestamp, entry.id)
    require(sk not in entries, _stale())
    entries[sk] = entry


def add_comment(store: MemoryStore, entry: HistoryEntry) -> None:
    """A comment is its entry and its own record, each written once."""
    add_entry(store, entry)
    comment = commenting.recorded_by(entry)
    comments = store.comments.setdefault(entry.ticket_id, {})
    require(comment.position not in comments, _stale())
    comments[comment.position] = comment


def _require_live(store: MemoryStore, ticket_id: str) -> None:
    stored = store.tickets.get(ticket_id)
    require(stored is None or stored.live, _stale())


def _replace_comment(store: MemoryStore, before: Comment, after: Comment) -> None:
    """As unchanged_comment_condition: the comment still at the version read and not deleted; at
    version 0 it may have no record yet (one only its entry records)."""
    comments = store.comments.setdefault(before.ticket_id, {})
    kept = comments.get(before.position)
    require(kept is None and before.version == 0 or kept is not None and kept.version == before.version
            and not kept.deleted, _stale())
    comments[before.position] = after


def _response_claimable(store: MemoryStore, stored: StoredResponse) -> bool:
    # Expired counts as absent (TTL deletion lags).
    kept = store.responses.get(stored.scope)
    return kept is None or kept.expires_at < stored.expires_at - IDEMPOTENCY_WINDOW_SECONDS


def _claim_response(store: MemoryStore, stored: StoredResponse | None) -> None:
    if stored is None:
        return
    require(_response_claimable(store, stored), _stale())
    store.responses[stored.scope] = stored


def _claim_received(store: MemoryStore, mark: ReceivedMark | None) -> None:
    if mark is None:
        return
    require(mark.key not in store.received_marks, _stale())
    store.received_marks[mark.key] = mark


def _claim_mark(store: MemoryStore, mark: CommentMark | None) -> None:
    if mark is None:
        return
    kept = store.comment_marks.get(mark.pk)
    require(kept is None or kept < mark.expires_at - IDEMPOTENCY_WINDOW_SECONDS, _stale())
    store.comment_marks[mark.pk] = mark.expires_at
