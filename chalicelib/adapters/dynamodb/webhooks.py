"""Webhook subscriptions (directory table, in the project's collection) and their delivery log
(deliveries table, one collection per subscription)."""
import time

from pynamodb.exceptions import DeleteError, DoesNotExist, PutError, UpdateError

from chalicelib.adapters.dynamodb import models
from chalicelib.adapters.dynamodb.keys import WEBHOOK_SK_PREFIX, delivery_pk, project_pk
from chalicelib.adapters.dynamodb.models import DeliveryItem, WebhookItem
from chalicelib.domain.webhooks import Attempt, Delivery, Filters, Subscription
from chalicelib.errors import NotFound

DELIVERY_LOG_SECONDS = 30 * 24 * 3600
RETRY_SHARD = "due"


class WebhooksRepository:
    def __init__(self):
        models.bind()

    # ---- subscriptions -----------------------------------------------------------------------

    def subscriptions(self, project_id: str) -> list[Subscription]:
        return [to_subscription(project_id, item) for item in WebhookItem.query(
            project_pk(project_id), WebhookItem.sk.startswith(WEBHOOK_SK_PREFIX), consistent_read=True)]

    def subscription(self, project_id: str, subscription_id: str) -> Subscription | None:
        try:
            item = WebhookItem.get(project_pk(project_id), WEBHOOK_SK_PREFIX + subscription_id, consistent_read=True)
        except DoesNotExist:
            return None
        return to_subscription(project_id, item)

    def save_subscription(self, subscription: Subscription, *, new: bool) -> None:
        item = to_webhook_item(subscription)
        condition = WebhookItem.pk.does_not_exist() if new else WebhookItem.pk.exists()
        try:
            item.save(condition=condition)
        except PutError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                raise NotFound("webhook not found") from error
            raise

    def delete_subscription(self, project_id: str, subscription_id: str) -> None:
        try:
            WebhookItem(project_pk(project_id), WEBHOOK_SK_PREFIX + subscription_id).delete(
                condition=WebhookItem.pk.exists())
        except DeleteError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                raise NotFound("webhook not found") from error
            raise

    def record_health(self, subscription: Subscription, failing_since: float | None,
                      disabled_at: str | None) -> None:
        item = WebhookItem(project_pk(subscription.project_id), WEBHOOK_SK_PREFIX + subscription.id)
        actions = [WebhookItem.failing_since.set(failing_since) if failing_since is not None
                   else WebhookItem.failing_since.remove()]
        if disabled_at is not None:
            actions.append(WebhookItem.disabled_at.set(disabled_at))
        try:
            item.update(actions=actions, condition=WebhookItem.pk.exists())
        except UpdateError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise  # a subscription deleted meanwhile has no health to keep

    # ---- deliveries --------------------------------------------------------------------------

    def claim(self, delivery: Delivery) -> bool:
        """Records a new delivery; False if it was recorded before (a replayed event)."""
        try:
            to_delivery_item(delivery).save(condition=DeliveryItem.pk.does_not_exist())
            return True
        except PutError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise

    def delivery(self, subscription_id: str, delivery_id: str) -> Delivery | None:
        try:
            return to_delivery(DeliveryItem.get(delivery_pk(subscription_id), delivery_id, consistent_read=True))
        except DoesNotExist:
            return None

    def save_delivery(self, delivery: Delivery, *, wait_in_index: bool) -> None:
        """Writes the delivery's state; `wait_in_index` puts a long retry where the sweep finds it."""
        item = to_delivery_item(delivery)
        item.retry_shard = RETRY_SHARD if wait_in_index else None
        item.save()

    def lease(self, delivery: Delivery, now: float, seconds: float, holder: str | None = None) -> bool:
        """Takes the right to attempt a pending delivery for `seconds`; False if another sender
        holds it (a duplicate queue message) or it is no longer pending. The holder (the queue
        message) may take its own lease again: its retry, after its answer or its outcome's write
        was lost, must not find itself in the way. Saving the delivery's outcome rewrites the item
        and so ends the lease."""
        item = DeliveryItem(delivery_pk(delivery.subscription_id), delivery.id)
        free = DeliveryItem.leased_until.does_not_exist() | (DeliveryItem.leased_until < now)
        if holder is not None:
            free = free | (DeliveryItem.leased_by == holder)
        try:
            item.update(actions=[DeliveryItem.leased_until.set(now + seconds),
                                 DeliveryItem.leased_by.set(holder) if holder is not None
                                 else DeliveryItem.leased_by.remove()],
                        condition=(DeliveryItem.state == "pending") & free)
            return True
        except UpdateError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise

    def deliveries(self, subscription_id: str, limit: int, after: str | None) -> tuple[list[Delivery], str | None]:
        condition = DeliveryItem.created_key < after if after else None
        results = DeliveryItem.by_created.query(delivery_pk(subscription_id), range_key_condition=condition,
                                                scan_index_forward=False, limit=limit + 1, page_size=limit + 1)
        items = list(results)
        more = items[limit - 1].created_key if len(items) > limit else None
        return [to_delivery(item) for item in items[:limit]], more

    def due_retries(self, now_iso: str, limit: int = 100) -> list[Delivery]:
        return [to_delivery(item) for item in DeliveryItem.by_retry.query(
            RETRY_SHARD, DeliveryItem.next_attempt_at <= now_iso, limit=limit)]

    def release_retry(self, delivery: Delivery) -> bool:
        """Takes a due retry out of the sweep's index, once: False if another sweep took it."""
        item = DeliveryItem(delivery_pk(delivery.subscription_id), delivery.id)
        try:
            item.update(actions=[DeliveryItem.retry_shard.remove()],
                        condition=DeliveryItem.retry_shard.exists()
                        & (DeliveryItem.next_attempt_at == delivery.next_attempt_at))
            return True
        except UpdateError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise


def to_subscription(project_id: str, item: WebhookItem) -> Subscription:
    filters = item.filters or {}
    # Written as one status (a string) or several (a list); subscriptions made before lists
    # existed hold a string.
    status = filters.get("status_changed_to")
    return Subscription(
        id=item.webhook_id, project_id=project_id, name=item.name, event_type=item.event_type, url=item.url,
        filters=Filters(status_changed_to=tuple(status) if isinstance(status, list) else status,
                        severity=tuple(filters.get("severity") or ()), tags=tuple(filters.get("tags") or ()),
                        assignee=filters.get("assignee"), ticket_id=filters.get("ticket_id")),
        secret=item.secret, created_at=item.created_at, created_by=item.created_by,
        previous_secret=item.previous_secret, previous_secret_until=item.previous_secret_until,
        disabled_at=item.disabled_at, failing_since=item.failing_since, once=bool(item.once), owner=item.owner,
    )


def to_webhook_item(s: Subscription) -> WebhookItem:
    return WebhookItem(
        project_pk(s.project_id), WEBHOOK_SK_PREFIX + s.id, webhook_id=s.id, name=s.name, event_type=s.event_type,
        url=s.url, filters=s.filters.as_dict(), secret=s.secret, previous_secret=s.previous_secret,
        previous_secret_until=s.previous_secret_until, created_at=s.created_at, created_by=s.created_by,
        disabled_at=s.disabled_at, failing_since=s.failing_since, once=s.once or None, owner=s.owner,
    )


def to_delivery_item(d: Delivery) -> DeliveryItem:
    return DeliveryItem(
        delivery_pk(d.subscription_id), d.id, subscription_id=d.subscription_id, project_id=d.project_id,
        event_id=d.event_id, event_type=d.event_type, body=d.body, created_at=d.created_at,
        created_key=f"{d.created_at}#{d.id}", state=d.state, attempts=[a.as_dict() for a in d.attempts],
        next_attempt_at=d.next_attempt_at, first_attempt_epoch=d.first_attempt_epoch,
        expires_at=int(time.time()) + DELIVERY_LOG_SECONDS,
    )


def to_delivery(item: DeliveryItem) -> Delivery:
    return Delivery(
        id=item.sk, subscription_id=item.subscription_id, project_id=item.project_id, event_id=item.event_id,
        event_type=item.event_type, body=item.body, created_at=item.created_at, state=item.state,
        attempts=[Attempt(**a) for a in item.attempts or []], next_attempt_at=item.next_attempt_at,
        first_attempt_epoch=item.first_attempt_epoch,
    )
