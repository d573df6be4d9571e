"""Saved views on the directory table, in their project's collection, with the counters that hold
their limits."""
import time
from typing import Callable

from pynamodb.exceptions import TransactWriteError, UpdateError

from chalicelib.adapters.dynamodb import models
from chalicelib.adapters.dynamodb.keys import (
    PERSONAL_VIEW_SK_PREFIX,
    SHARED_VIEW_SK_PREFIX,
    VIEW_COUNT_SK_PREFIX,
    project_pk,
)
from chalicelib.adapters.dynamodb.models import ViewCountItem, ViewItem
from chalicelib.domain.views import MAX_PERSONAL_VIEWS, MAX_SHARED_VIEWS, PERSONAL, SHARED, ScopeFull, View
from chalicelib.errors import Conflict, NotFound

# Two transactions on one counter at the same moment: DynamoDB cancels one (TransactionConflict);
# it is tried again after a short pause.
TRANSACTION_ATTEMPTS = 4


class ViewRepository:
    def __init__(self):
        models.bind()

    def views(self, project_id: str, user_id: str | None) -> list[View]:
        """The project's shared views and, given a member, that member's personal views: one Query
        each, bounded by the limits the counters hold."""
        pk = project_pk(project_id)
        items = list(ViewItem.query(pk, ViewItem.sk.startswith(SHARED_VIEW_SK_PREFIX), consistent_read=True,
                                    limit=MAX_SHARED_VIEWS))
        if user_id is not None:
            items += ViewItem.query(pk, ViewItem.sk.startswith(personal_prefix(user_id)), consistent_read=True,
                                    limit=MAX_PERSONAL_VIEWS)
        return [to_view(item) for item in items]

    def find(self, project_id: str, view_id: str, user_id: str | None) -> View | None:
        """The shared view with this id, or the member's own personal one, in one BatchGetItem.
        Another member's personal view is never read."""
        pk = project_pk(project_id)
        keys = [(pk, SHARED_VIEW_SK_PREFIX + view_id)]
        if user_id is not None:
            keys.append((pk, personal_prefix(user_id) + view_id))
        for item in ViewItem.batch_get(keys, consistent_read=True):
            return to_view(item)
        return None

    def add(self, project_id: str, view: View, limit: int) -> None:
        """Adds the view if its scope holds fewer than `limit` views; ScopeFull otherwise."""
        count = ViewCountItem.count

        def write(tx: models.Transaction) -> None:
            tx.update(counter(project_id, view), actions=[count.add(1)],
                      condition=count.does_not_exist() | (count < limit))
            tx.save(to_item(project_id, view), condition=ViewItem.pk.does_not_exist())

        # Ids are random (80 bits): a failed condition is the counter's.
        self._transact(write, ScopeFull("the scope holds its limit of views"))

    def rename(self, project_id: str, view: View) -> None:
        """Saves the view's name, query and updated_at; NotFound if it was deleted meanwhile."""
        item = ViewItem(project_pk(project_id), view_sk(view))
        try:
            item.update(actions=[ViewItem.name.set(view.name), ViewItem.query_string.set(view.query),
                                 ViewItem.updated_at.set(view.updated_at)],
                        condition=ViewItem.pk.exists())
        except UpdateError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                raise NotFound("view not found") from error
            raise

    def remove(self, project_id: str, view: View) -> None:
        def write(tx: models.Transaction) -> None:
            tx.delete(ViewItem(project_pk(project_id), view_sk(view)), condition=ViewItem.pk.exists())
            tx.update(counter(project_id, view), actions=[ViewCountItem.count.add(-1)])

        self._transact(write, NotFound("view not found"))

    @staticmethod
    def _transact(write: Callable[[models.Transaction], None], conflict: Exception) -> None:
        for attempt in range(TRANSACTION_ATTEMPTS):
            try:
                with models.Transaction(conflict) as tx:
                    write(tx)
                return
            except TransactWriteError as error:
                reasons = {reason.code for reason in error.cancellation_reasons or () if reason is not None}
                if "TransactionConflict" not in reasons:
                    raise
                time.sleep(0.02 * (attempt + 1))
        raise Conflict("views are being added or deleted too quickly here; try again")


def personal_prefix(user_id: str) -> str:
    return f"{PERSONAL_VIEW_SK_PREFIX}{user_id}#"


def view_sk(view: View) -> str:
    return SHARED_VIEW_SK_PREFIX + view.id if view.shared else personal_prefix(view.owner) + view.id


def counter(project_id: str, view: View) -> ViewCountItem:
    scope = "S" if view.shared else f"U#{view.owner}"
    return ViewCountItem(project_pk(project_id), VIEW_COUNT_SK_PREFIX + scope)


def to_item(project_id: str, view: View) -> ViewItem:
    return ViewItem(project_pk(project_id), view_sk(view), view_id=view.id, name=view.name, query_string=view.query,
                    shared=view.shared, owner=view.owner, created_at=view.created_at, updated_at=view.updated_at)


def to_view(item: ViewItem) -> View:
    return View(id=item.view_id, name=item.name, query=item.query_string, kind=SHARED if item.shared else PERSONAL,
                owner=item.owner, created_at=item.created_at, updated_at=item.updated_at)
