"""Tickets on the tickets table: the ticket item and its tag items, read alone or with its
collection (the detail), and the writer of every change: one transaction per change, with its
history entry and whatever the change arms, moves or claims (markers, number and dedup guards,
idempotency records, comment marks), whose items the other concerns' modules build."""
from typing import Iterable, Iterator

from pynamodb.exceptions import DoesNotExist

from chalicelib.adapters.dynamodb import models
from chalicelib.adapters.dynamodb import comments, history, markers, numbers
from chalicelib.adapters.dynamodb import idempotency as claims
from chalicelib.adapters.dynamodb.received import claim_received
from chalicelib.adapters.dynamodb.attachments import to_attachment
from chalicelib.adapters.dynamodb.keys import (ATTACHMENT_SK_PREFIX, HISTORY_SK_PREFIX, TICKET_SK, history_sk, scoped,
                                               tag_sk, ticket_pk)
from chalicelib.adapters.dynamodb.models import MAX_TRANSACTION_ACTIONS, AttachmentItem, HistoryItem, TagItem, TicketItem
from chalicelib.domain import comments as commenting
from chalicelib.domain import reports
from chalicelib.domain import search as searching
from chalicelib.domain import sla as slas
from chalicelib.domain.attachments import AVAILABLE, Attachment
from chalicelib.domain.comments import Comment
from chalicelib.domain.idempotency import CommentMark, StoredResponse
from chalicelib.domain.mailbox import ReceivedMark
from chalicelib.domain.tickets import HistoryEntry, StaleTicket, Ticket, TicketDetail

# Leave room in a page for the ticket, its tags, its attachments, its SLA markers and its email
# thread (`MAIL`), which sort above the history.
DETAIL_HISTORY_LIMIT = 50
DETAIL_QUERY_LIMIT = 1 + 20 + 50 + len(slas.TARGETS) + 1 + DETAIL_HISTORY_LIMIT


class DynamoTickets:
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
        entries: list[HistoryItem] = []
        attachments: list[Attachment] = []
        for item in items:
            if isinstance(item, TicketItem):
                ticket_item = item
            elif isinstance(item, HistoryItem):
                entries.append(item)
            elif isinstance(item, AttachmentItem) and item.status == AVAILABLE:
                attachments.append(to_attachment(item))
        if ticket_item is None:
            return None
        more = None
        if len(entries) > DETAIL_HISTORY_LIMIT:
            entries = entries[:DETAIL_HISTORY_LIMIT]
            more = entries[-1].sk
        elif items.last_evaluated_key is not None and entries:
            more = entries[-1].sk
        return TicketDetail(
            ticket=None if ticket_item.deleted_at else to_ticket(ticket_item),
            project_id=ticket_item.project_id,
            deleted=bool(ticket_item.deleted_at),
            history=[history.to_history(item) for item in entries],
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
        with _transaction() as tx:
            tx.update_unversioned(TicketItem, ticket_pk(ticket.id), TICKET_SK, actions,
                                  condition=TicketItem.version == ticket.version)
        return True

    # ---- writes ------------------------------------------------------------------------------

    def create(self, ticket: Ticket, entry: HistoryEntry, *, dedup_previous: str | None = None,
               idempotency: StoredResponse | None = None, received: ReceivedMark | None = None) -> None:
        """Writes the ticket, its tag items, its TICKET_CREATED entry and any guards (and the mark
        of the email it was made from) at once."""
        with _transaction() as tx:
            tx.save(to_item(ticket), condition=TicketItem.pk.does_not_exist())
            for tag in ticket.tags:
                tx.save(tag_item(ticket, tag))
            if markers.is_armed(ticket):
                tx.save(markers.due_item(ticket))
            for mark in ticket.sla.marks if ticket.sla is not None else ():
                tx.save(markers.sla_marker(ticket, mark))
            tx.save(history.to_history_item(entry), condition=history.new_entry_condition())
            numbers.claim_number(tx, ticket)
            if ticket.dedup_key is not None:
                numbers.claim_dedup(tx, ticket, dedup_previous)
            claims.claim_response(tx, idempotency)
            claim_received(tx, received)

    def update(self, before: Ticket, after: Ticket, entry: HistoryEntry, *, comment: HistoryEntry | None = None,
               mark: CommentMark | None = None, received: ReceivedMark | None = None) -> None:
        """Replaces the ticket if it is still at `before.version`, with its history entry (and a
        comment made with the change, given as its COMMENT_ADDED entry, and its mark, or the mark
        of the email it came in)."""
        with _transaction() as tx:
            tx.save(to_item(after, version=before.version))
            for tag in set(after.tags) - set(before.tags):
                tx.save(tag_item(after, tag))
            for tag in set(before.tags) - set(after.tags):
                tx.delete(tag_item(before, tag))
            # A new due date, or a ticket reopened or finished, re-arms or disarms the overdue
            # event; any other change leaves the marker (and whether it fired) alone.
            if (before.due_date, before.is_open) != (after.due_date, after.is_open):
                if markers.is_armed(after):
                    tx.save(markers.due_item(after))
                else:
                    tx.delete(markers.due_marker(after.id))
            # New SLA moments re-arm a target's marker (keeping what already fired); a target no
            # longer running leaves the sweep's index.
            if before.sla is not None and after.sla is not None and before.sla.marks != after.sla.marks:
                for target in slas.TARGETS:
                    markers.rearm_sla(tx, after, target, after.sla.mark(target))
            tx.save(history.to_history_item(entry), condition=history.new_entry_condition())
            if comment is not None:
                _save_comment(tx, comment)
            claims.claim_mark(tx, mark)
            claim_received(tx, received)

    def add_comment(self, ticket: Ticket, entry: HistoryEntry, *, mark: CommentMark | None = None,
                    received: ReceivedMark | None = None) -> None:
        """Adds a comment (its COMMENT_ADDED entry, and the comment item it records, and the mark
        of the email it came in) while the ticket is still live."""
        with _transaction() as tx:
            tx.condition_check(TicketItem, ticket_pk(ticket.id), TICKET_SK,
                               condition=TicketItem.deleted_at.does_not_exist())
            _save_comment(tx, entry)
            claims.claim_mark(tx, mark)
            claim_received(tx, received)

    def edit_comment(self, ticket: Ticket, before: Comment, after: Comment, entry: HistoryEntry) -> None:
        """Replaces a comment still as `before` (its item written on its first edit, if it had
        none) with its COMMENT_UPDATED entry, while the ticket is live."""
        comment_item, entry_item = comments.to_comment_item(after), history.to_history_item(entry)
        comments.check_fits(comment_item, entry_item)
        with _transaction() as tx:
            tx.condition_check(TicketItem, ticket_pk(ticket.id), TICKET_SK,
                               condition=TicketItem.deleted_at.does_not_exist())
            tx.save(comment_item, condition=comments.unchanged_comment_condition(before))
            tx.save(entry_item, condition=history.new_entry_condition())

    def delete_comment(self, ticket: Ticket, before: Comment, after: Comment, entry: HistoryEntry) -> None:
        """Leaves the placeholder `after` of a comment still as `before`, and removes its text from
        its COMMENT_ADDED entry and each of its COMMENT_UPDATED entries, with its COMMENT_DELETED
        entry, while the ticket is live: all at once (at most 3 + MAX_COMMENT_REVISIONS actions),
        so that the text is nowhere once the deletion is."""
        scrubbed = HistoryItem.pk.exists()
        with _transaction() as tx:
            tx.condition_check(TicketItem, ticket_pk(ticket.id), TICKET_SK,
                               condition=TicketItem.deleted_at.does_not_exist())
            tx.save(comments.to_comment_item(after), condition=comments.unchanged_comment_condition(before))
            tx.update_unversioned(HistoryItem, ticket_pk(ticket.id), history_sk(before.created_at, before.id),
                                  [HistoryItem.comment.remove()], condition=scrubbed)
            for position in before.edit_entries:
                tx.update_unversioned(HistoryItem, ticket_pk(ticket.id), comments.entry_sk(position),
                                      [HistoryItem.comment.remove(), HistoryItem.changes.set({})], condition=scrubbed)
            tx.save(history.to_history_item(entry), condition=history.new_entry_condition())

    def append_history(self, ticket: Ticket, entry: HistoryEntry, *, require_open: bool = False,
                       idempotency: StoredResponse | None = None, mark: CommentMark | None = None) -> None:
        """Adds an entry (a comment, a duplicate alert) while the ticket is still live."""
        condition = TicketItem.deleted_at.does_not_exist()
        if require_open:
            condition &= TicketItem.status == ticket.status
        with _transaction() as tx:
            tx.condition_check(TicketItem, ticket_pk(ticket.id), TICKET_SK, condition=condition)
            tx.save(history.to_history_item(entry), condition=history.new_entry_condition())
            claims.claim_response(tx, idempotency)
            claims.claim_mark(tx, mark)

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
        with _transaction() as tx:
            tx.save(tombstone)
            for tag in ticket.tags:
                tx.delete(tag_item(ticket, tag))
            tx.delete(markers.due_marker(ticket.id))
            for target in slas.TARGETS:
                tx.delete(markers.sla_marker_of(ticket.id, target))
            for attachment in attachments[:room]:
                tx.delete(attachment)
            tx.save(history.to_history_item(entry), condition=history.new_entry_condition())
        with AttachmentItem.batch_write() as batch:
            for attachment in attachments[room:]:
                batch.delete(attachment)


def _save_comment(tx, entry: HistoryEntry) -> None:
    """A comment is its entry, for history and events, and its own item, recorded by the entry."""
    tx.save(history.to_history_item(entry), condition=history.new_entry_condition())
    tx.save(comments.to_comment_item(commenting.recorded_by(entry)), condition=comments.new_comment_condition())


def _transaction():
    return models.Transaction(StaleTicket("the ticket was changed or removed by another request"))


INDEX_KEY_ATTRIBUTES = ("created_key", "project_idx", "status_idx", "severity_idx", "reporter_idx", "assignee_idx",
                        "requester_idx", "state_idx", "updated_order", "due_order", "severity_order", "sla_idx", "sla_order",
                        "sla_risk_order")


def to_item(ticket: Ticket, version: int | None = None) -> TicketItem:
    """The item to write; `version` is the stored version it replaces (None for a new ticket)."""
    item = TicketItem(
        ticket_pk(ticket.id), TICKET_SK,
        ticket_id=ticket.id, project_id=ticket.project_id, number=ticket.number, key=ticket.key,
        title=ticket.title, description=ticket.description, status=ticket.status,
        severity=ticket.severity, created_at=ticket.created_at, updated_at=ticket.updated_at,
        resolved_at=ticket.resolved_at, due_date=ticket.due_date, reporter=ticket.reporter,
        assignee=ticket.assignee, source=ticket.source, tags=list(ticket.tags),
        dedup_key=ticket.dedup_key, requester=ticket.requester,
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
    if ticket.requester is not None:
        item.requester_idx = scoped(ticket.project_id, ticket.requester)
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
        dedup_key=item.dedup_key, version=int(item.version), requester=item.requester,
        sla=slas.Clock.from_dict(item.sla_clock) if item.sla_clock else None,
    )


def tag_item(ticket: Ticket, tag: str) -> TagItem:
    return TagItem(ticket_pk(ticket.id), tag_sk(tag), ticket_id=ticket.id,
                   tag_idx=scoped(ticket.project_id, tag), created_key=ticket.sort_key)


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
