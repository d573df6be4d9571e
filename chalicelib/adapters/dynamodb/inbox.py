"""Accounts' inboxes on the directory table (pk `A#<account id>`): an entry per ticket (sk
`INBOX#<ticket id>`, in the `by_inbox` index) and an unread count per project (sk
`INBOXCOUNT#<project id>`). An entry is written whole, on condition of the revision read; its
project's count moves in the same transaction when its unread flag flips."""
from contextlib import contextmanager
from typing import Iterator

from pynamodb.exceptions import DoesNotExist, TransactWriteError

from chalicelib.adapters.dynamodb import models
from chalicelib.adapters.dynamodb.keys import (
    ACCOUNT_PROJECT_SK_PREFIX,
    INBOX_COUNT_SK_PREFIX,
    NOTIFIED_SK,
    account_pk,
    inbox_count_sk,
    inbox_idx,
    inbox_sk,
    notified_pk,
)
from chalicelib.adapters.dynamodb.models import (
    AccountProjectItem,
    InboxCountItem,
    InboxEntryItem,
    NotifiedItem,
    _DirectoryTable,
)
from chalicelib.domain import inbox as rules
from chalicelib.domain.inbox import InboxEntry, Summary
from chalicelib.errors import Conflict

# Just past every `PROJECT#` key ('$' follows '#'): the end of the counts-and-memberships range.
_MEMBERSHIPS_END = ACCOUNT_PROJECT_SK_PREFIX[:-1] + "$"


def _changed() -> Conflict:
    return Conflict("the inbox entry changed meanwhile")


@contextmanager
def _transaction() -> Iterator[models.Transaction]:
    """A failed condition, or another transaction on the same items at the same moment (which
    DynamoDB cancels rather than waits for), is a Conflict: the caller reads again and retries."""
    try:
        with models.Transaction(_changed()) as tx:
            yield tx
    except TransactWriteError as error:
        if any(reason is not None and reason.code == "TransactionConflict" for reason in error.cancellation_reasons):
            raise _changed() from error
        raise


class DynamoInbox:
    def __init__(self):
        models.bind()

    def inbox_entry(self, account_id: str, ticket_id: str) -> InboxEntry | None:
        try:
            return to_entry(InboxEntryItem.get(account_pk(account_id), inbox_sk(ticket_id), consistent_read=True))
        except DoesNotExist:
            return None

    def inboxed(self, event_id: str) -> frozenset[str]:
        """The accounts whose inbox already has the event."""
        try:
            item = NotifiedItem.get(notified_pk(event_id), NOTIFIED_SK, consistent_read=True,
                                    attributes_to_get=["inboxed"])
        except DoesNotExist:
            return frozenset()
        return frozenset(item.inboxed or ())

    def add_to_inbox(self, before: InboxEntry | None, after: InboxEntry, event_id: str, expires_at: int) -> None:
        with _transaction() as tx:
            self._write(tx, before, after)
            tx.update(NotifiedItem(notified_pk(event_id), NOTIFIED_SK),
                      actions=[NotifiedItem.inboxed.add({after.account_id}), NotifiedItem.expires_at.set(expires_at),
                               NotifiedItem.kind.set(NotifiedItem)],
                      condition=~NotifiedItem.inboxed.contains(after.account_id))

    def save_inbox_entry(self, before: InboxEntry, after: InboxEntry) -> None:
        with _transaction() as tx:
            self._write(tx, before, after)

    def inbox_page(self, account_id: str, archived: bool, projects: set[str], limit: int,
                   after: str | None) -> tuple[list[InboxEntry], str | None]:
        """Newest first; entries of other projects are passed over. One Query of limit + 1 entries
        when none is passed over: the one past the page says whether there is more."""
        partition = inbox_idx(account_id, archived)
        start = None
        if after is not None:
            ticket_id = after.rsplit("#", 1)[-1]
            start = {"inbox_idx": {"S": partition}, "inbox_order": {"S": after},
                     "pk": {"S": account_pk(account_id)}, "sk": {"S": inbox_sk(ticket_id)}}
        page: list[InboxEntry] = []
        for item in InboxEntryItem.by_inbox.query(partition, scan_index_forward=False, page_size=limit + 1,
                                                  last_evaluated_key=start):
            if item.project_id not in projects:
                continue
            if len(page) == limit:
                return page, page[-1].order
            page.append(to_entry(item))
        return page, None

    def inbox_counts(self, account_id: str) -> tuple[dict[str, int], set[str]]:
        counts: dict[str, int] = {}
        projects: set[str] = set()
        for item in _DirectoryTable.query(account_pk(account_id),
                                          _DirectoryTable.sk.between(INBOX_COUNT_SK_PREFIX, _MEMBERSHIPS_END),
                                          consistent_read=True):
            if isinstance(item, InboxCountItem):
                counts[item.project_id] = int(item.unread or 0)
            elif isinstance(item, AccountProjectItem):
                projects.add(item.project_id)
        return counts, projects

    @staticmethod
    def _write(tx: models.Transaction, before: InboxEntry | None, after: InboxEntry) -> None:
        condition = (InboxEntryItem.pk.does_not_exist() if before is None
                     else InboxEntryItem.revision == before.revision)
        tx.save(entry_item(after, (before.revision if before else 0) + 1), condition=condition)
        delta = rules.counted(after) - rules.counted(before)
        if delta:
            tx.update(InboxCountItem(account_pk(after.account_id), inbox_count_sk(after.project_id)),
                      actions=[InboxCountItem.unread.add(delta), InboxCountItem.project_id.set(after.project_id),
                               InboxCountItem.kind.set(InboxCountItem)])


def entry_item(entry: InboxEntry, revision: int) -> InboxEntryItem:
    return InboxEntryItem(account_pk(entry.account_id), inbox_sk(entry.ticket_id), account_id=entry.account_id,
                          project_id=entry.project_id, ticket_id=entry.ticket_id, key=entry.key, title=entry.title,
                          status=entry.status, updated_at=entry.updated_at, unread=entry.unread,
                          summary=entry.summary.as_dict(), first_unread=entry.first_unread,
                          last_read_at=entry.last_read_at, archived=entry.archived, revision=revision,
                          inbox_idx=inbox_idx(entry.account_id, entry.archived), inbox_order=entry.order)


def to_entry(item: InboxEntryItem) -> InboxEntry:
    return InboxEntry(account_id=item.account_id, project_id=item.project_id, ticket_id=item.ticket_id, key=item.key,
                      title=item.title, status=item.status, updated_at=item.updated_at, unread=bool(item.unread),
                      summary=Summary.from_dict(item.summary), first_unread=item.first_unread,
                      last_read_at=item.last_read_at, archived=bool(item.archived), revision=int(item.revision))
