"""Webhook subscriptions and their delivery log in memory, with the same conditions (claims,
leases, the retry sweep's index) as the DynamoDB webhooks repository."""
import copy
from dataclasses import replace

from chalicelib.adapters.memory.store import MemoryRepository, StoredDelivery
from chalicelib.domain.webhooks import Delivery, Subscription
from chalicelib.errors import NotFound


class MemoryWebhooks(MemoryRepository):
    def subscriptions(self, project_id: str) -> list[Subscription]:
        return [s for (pid, _), s in sorted(self.store.subscriptions.items()) if pid == project_id]

    def subscription(self, project_id: str, subscription_id: str) -> Subscription | None:
        return self.store.subscriptions.get((project_id, subscription_id))

    def save_subscription(self, subscription: Subscription, *, new: bool) -> None:
        key = (subscription.project_id, subscription.id)
        if (key in self.store.subscriptions) == new:
            raise NotFound("webhook not found")
        self.store.subscriptions[key] = subscription

    def delete_subscription(self, project_id: str, subscription_id: str) -> None:
        if self.store.subscriptions.pop((project_id, subscription_id), None) is None:
            raise NotFound("webhook not found")

    def record_health(self, subscription: Subscription, failing_since: float | None,
                      disabled_at: str | None) -> None:
        key = (subscription.project_id, subscription.id)
        kept = self.store.subscriptions.get(key)
        if kept is None:
            return  # a subscription deleted meanwhile has no health to keep
        changes = {"failing_since": failing_since}
        if disabled_at is not None:
            changes["disabled_at"] = disabled_at
        self.store.subscriptions[key] = replace(kept, **changes)

    def claim(self, delivery: Delivery) -> bool:
        key = (delivery.subscription_id, delivery.id)
        if key in self.store.deliveries:
            return False
        self.store.deliveries[key] = StoredDelivery(copy.deepcopy(delivery), f"{delivery.created_at}#{delivery.id}")
        return True

    def delivery(self, subscription_id: str, delivery_id: str) -> Delivery | None:
        kept = self.store.deliveries.get((subscription_id, delivery_id))
        return copy.deepcopy(kept.delivery) if kept else None

    def save_delivery(self, delivery: Delivery, *, wait_in_index: bool) -> None:
        # The whole record is written: a lease ends with it.
        self.store.deliveries[(delivery.subscription_id, delivery.id)] = StoredDelivery(
            copy.deepcopy(delivery), f"{delivery.created_at}#{delivery.id}", in_retry_index=wait_in_index)

    def lease(self, delivery: Delivery, now: float, seconds: float, holder: str | None = None) -> bool:
        kept = self.store.deliveries.get((delivery.subscription_id, delivery.id))
        if kept is None or kept.delivery.state != "pending":
            return False
        free = kept.leased_until is None or kept.leased_until < now or (
            holder is not None and kept.leased_by == holder)
        if not free:
            return False
        kept.leased_until, kept.leased_by = now + seconds, holder
        return True

    def deliveries(self, subscription_id: str, limit: int, after: str | None) -> tuple[list[Delivery], str | None]:
        kept = sorted((d for (sid, _), d in self.store.deliveries.items()
                       if sid == subscription_id and (after is None or d.created_key < after)),
                      key=lambda d: d.created_key, reverse=True)[:limit + 1]
        more = kept[limit - 1].created_key if len(kept) > limit else None
        return [copy.deepcopy(d.delivery) for d in kept[:limit]], more

    def due_retries(self, now_iso: str, limit: int = 100) -> list[Delivery]:
        due = sorted((d for d in self.store.deliveries.values()
                      if d.in_retry_index and d.delivery.next_attempt_at is not None
                      and d.delivery.next_attempt_at <= now_iso), key=lambda d: d.delivery.next_attempt_at)
        return [copy.deepcopy(d.delivery) for d in due[:limit]]

    def release_retry(self, delivery: Delivery) -> bool:
        kept = self.store.deliveries.get((delivery.subscription_id, delivery.id))
        if kept is None or not kept.in_retry_index or kept.delivery.next_attempt_at != delivery.next_attempt_at:
            return False
        kept.in_retry_index = False
        return True
