"""Stored responses of requests made with an Idempotency-Key, and the marks that keep a bulk
change from commenting twice. Both are claimed inside the writes they guard (`claim_response`,
`claim_mark` add to the caller's transaction); TTL deletion lags, so an expired one counts as
absent."""
from typing import Iterable

from pynamodb.exceptions import DoesNotExist, PutError

from chalicelib.adapters.dynamodb import models
from chalicelib.adapters.dynamodb.keys import COMMENT_MARK_SK, IDEMPOTENCY_SK
from chalicelib.adapters.dynamodb.models import CommentMarkItem, IdempotencyItem
from chalicelib.domain.idempotency import IDEMPOTENCY_WINDOW_SECONDS, CommentMark, StoredResponse


class DynamoIdempotency:
    def __init__(self):
        models.bind()

    def stored_response(self, scope: str) -> StoredResponse | None:
        try:
            item = IdempotencyItem.get(scope, IDEMPOTENCY_SK, consistent_read=True)
        except DoesNotExist:
            return None
        return StoredResponse(scope, item.request_hash, int(item.status_code), item.response, int(item.expires_at))

    def store_response(self, stored: StoredResponse) -> None:
        """Keeps the answer to a request made with an Idempotency-Key, unless a concurrent run of
        the same request kept one first (both answers are then true)."""
        item, condition = _response_claim(stored)
        try:
            item.save(condition=condition)
        except PutError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise

    def marked(self, marks: Iterable[CommentMark], now: int) -> set[str]:
        """The pks of these comment marks that are written and not expired."""
        found = CommentMarkItem.batch_get([(mark.pk, COMMENT_MARK_SK) for mark in marks], consistent_read=True)
        return {item.pk for item in found if int(item.expires_at) > now}


def claim_response(tx: models.Transaction, stored: StoredResponse | None) -> None:
    if stored is None:
        return
    tx.save(*_response_claim(stored))


def _response_claim(stored: StoredResponse) -> tuple[IdempotencyItem, object]:
    item = IdempotencyItem(stored.scope, IDEMPOTENCY_SK, request_hash=stored.request_hash,
                           status_code=stored.status_code, response=stored.body, expires_at=stored.expires_at)
    now = stored.expires_at - IDEMPOTENCY_WINDOW_SECONDS
    return item, IdempotencyItem.pk.does_not_exist() | (IdempotencyItem.expires_at < now)


def claim_mark(tx: models.Transaction, mark: CommentMark | None) -> None:
    if mark is None:
        return
    now = mark.expires_at - IDEMPOTENCY_WINDOW_SECONDS
    tx.save(CommentMarkItem(mark.pk, COMMENT_MARK_SK, expires_at=mark.expires_at),
            condition=CommentMarkItem.pk.does_not_exist() | (CommentMarkItem.expires_at < now))
