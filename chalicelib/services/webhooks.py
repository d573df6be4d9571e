"""Webhook use cases: subscriptions and who manages them, fan-out of ticket events, delivery with
retries, the retry sweep, redelivery, test pings and secret rotation."""
import json
import logging
import time
from dataclasses import replace
from datetime import datetime, timezone

from chalicelib import config
from chalicelib.adapters import http_sender, queue
from chalicelib.domain import cursor as cursors
from chalicelib.domain import webhooks as rules
from chalicelib.domain.clock import iso, new_id, now_iso
from chalicelib.domain.events import TicketEvent
from chalicelib.domain.people import Principal
from chalicelib.domain.tickets import normalise_tags
from chalicelib.domain.webhooks import Attempt, Delivery, Filters, Subscription
from chalicelib.errors import Conflict, Forbidden, NotFound, ValidationFailed
from chalicelib.schemas import webhooks as schemas
from chalicelib.services.ports import Webhooks

log = logging.getLogger(__name__)


class WebhookService:
    def __init__(self, repo: Webhooks, on_disabled=None):
        self.repo = repo
        # Told when a failing subscription is switched off (its owner gets an email).
        self.on_disabled = on_disabled or (lambda subscription: None)

    # ---- subscriptions -----------------------------------------------------------------------

    def create(self, principal: Principal, body: schemas.WebhookCreate) -> Subscription:
        self._check_url(body.url)
        filters = body.filters or schemas.WebhookFilters()
        subscription = Subscription(
            id=new_id(), project_id=principal.project.id, name=body.name, event_type=body.event_type,
            url=body.url, filters=Filters(status_changed_to=_statuses(filters.status_changed_to),
                                          severity=tuple(filters.severity or ()),
                                          tags=normalise_tags(filters.tags or [], field="filters.tags"),
                                          assignee=filters.assignee, ticket_id=filters.ticket_id),
            secret=rules.new_secret(), created_at=now_iso(), created_by=principal.actor, once=body.once,
            owner=rules.owner_of(principal),
        )
        self.repo.save_subscription(subscription, new=True)
        return subscription

    def subscriptions(self, principal: Principal) -> list[Subscription]:
        return self.repo.subscriptions(principal.project.id)

    def get(self, principal: Principal, subscription_id: str) -> Subscription:
        subscription = self.repo.subscription(principal.project.id, subscription_id)
        if subscription is None:
            raise NotFound("webhook not found")
        return subscription

    def managed(self, principal: Principal, subscription_id: str) -> Subscription:
        """The subscription, for a use case that manages it; 403 for a key that may only read it."""
        subscription = self.get(principal, subscription_id)
        if not rules.may_manage(subscription, principal):
            raise Forbidden("only whoever subscribed this webhook (the member, or the automation key) or an admin "
                            "may manage it; other members see it without its secret or the rest of its URL")
        return subscription

    def delete(self, principal: Principal, subscription_id: str) -> None:
        self.managed(principal, subscription_id)
        self.repo.delete_subscription(principal.project.id, subscription_id)

    def rotate_secret(self, principal: Principal, subscription_id: str) -> Subscription:
        current = self.managed(principal, subscription_id)
        rotated = replace(current, secret=rules.new_secret(), previous_secret=current.secret,
                          previous_secret_until=time.time() + rules.ROTATED_SECRET_GRACE)
        self.repo.save_subscription(rotated, new=False)
        return rotated

    def test(self, principal: Principal, subscription_id: str) -> dict:
        """Sends a signed PING now and reports the receiver's answer."""
        subscription = self.managed(principal, subscription_id)
        now = time.time()
        body = json.dumps({"type": rules.PING, "timestamp": iso(datetime.fromtimestamp(now, timezone.utc)),
                           "data": {"project_id": subscription.project_id, "webhook_id": subscription.id}}).encode()
        message_id = f"msg_ping_{new_id()}"
        answer = self._send(subscription, message_id, body, now)
        return {"webhook_id": message_id, "status_code": answer.status_code, "latency_ms": answer.latency_ms,
                "ok": answer.status_code is not None and 200 <= answer.status_code < 300, "error": answer.error}

    def deliveries(self, principal: Principal, subscription_id: str, limit: int, cursor: str | None) -> dict:
        self.get(principal, subscription_id)
        scope = f"deliveries:{subscription_id}"
        after = cursors.decode(cursor, scope, config.cursor_signing_key()) if cursor else None
        page, more = self.repo.deliveries(subscription_id, limit, after)
        return {"data": [public_delivery(d) for d in page],
                "cursor": cursors.encode(more, scope, config.cursor_signing_key()) if more else None}

    def redeliver(self, principal: Principal, subscription_id: str, delivery_id: str) -> Delivery:
        subscription = self.managed(principal, subscription_id)
        if not subscription.active:
            raise Conflict("the webhook is disabled")
        delivery = self.repo.delivery(subscription_id, delivery_id)
        if delivery is None:
            raise NotFound("delivery not found")
        delivery.state, delivery.next_attempt_at = "pending", now_iso()
        self.repo.save_delivery(delivery, wait_in_index=False)
        queue.send_delivery(subscription_id, delivery_id)
        return delivery

    def _check_url(self, url: str) -> None:
        try:
            # No DNS here: a name may resolve later, or elsewhere; each delivery resolves and checks it.
            http_sender.check_url(url, config.webhook_allow_private_targets())
        except http_sender.TargetRefused as error:
            raise ValidationFailed.on("url", str(error)) from None
        if rules.has_credentials(url):
            # They would never be sent, and a password kept in a URL is one more copy of it to guard.
            raise ValidationFailed.on("url", schemas.CREDENTIALS_REFUSED)

    # ---- events ------------------------------------------------------------------------------

    def deliveries_for(self, event: TicketEvent, subscriptions: list[Subscription]) -> list[Delivery]:
        """One new delivery per subscription that wants the event, not yet recorded (see queue_new)."""
        body = json.dumps(event.payload(), separators=(",", ":"))
        return [Delivery(id=rules.delivery_id(event.id, subscription.id), subscription_id=subscription.id,
                         project_id=event.project_id, event_id=event.id, event_type=event.type, body=body,
                         created_at=event.timestamp, next_attempt_at=now_iso())
                for subscription in subscriptions if rules.wants(subscription, event)]

    def queue_new(self, delivery: Delivery) -> bool:
        """Records the delivery and queues it; False when a replayed event finds it recorded and
        already tried, and then nothing is queued again. A recorded delivery never tried is queued
        again: its first queueing may be what failed (a second message finds it done and stops)."""
        if not self.repo.claim(delivery):
            recorded = self.repo.delivery(delivery.subscription_id, delivery.id)
            if recorded is None or recorded.state != "pending" or recorded.attempts:
                return False
        queue.send_delivery(delivery.subscription_id, delivery.id)
        return True

    def deliver(self, subscription_id: str, delivery_id: str, message_id: str | None = None) -> None:
        """One attempt at a queued delivery, and what follows from its answer. `message_id` names
        the queue message asking for it: the same message retried may attempt it again."""
        delivery = self.repo.delivery(subscription_id, delivery_id)
        if delivery is None or delivery.state != "pending":
            return  # already delivered (a duplicate message), given up, or expired
        subscription = self.repo.subscription(delivery.project_id, subscription_id)
        if subscription is None or not subscription.active:
            delivery.state, delivery.next_attempt_at = "canceled", None
            self.repo.save_delivery(delivery, wait_in_index=False)
            return
        now = time.time()
        if not self.repo.lease(delivery, now, rules.DELIVERY_TIMEOUT_SECONDS * 3, holder=message_id):
            return  # another message for this delivery is being sent right now
        answer = self._send(subscription, delivery.id, delivery.body.encode(), now)
        attempt = Attempt(at=now_iso(), status_code=answer.status_code, latency_ms=answer.latency_ms,
                          error=answer.error)
        delivery.attempts.append(attempt)
        delivery.first_attempt_epoch = delivery.first_attempt_epoch or now
        if attempt.succeeded:
            delivery.state, delivery.next_attempt_at = "succeeded", None
            self.repo.save_delivery(delivery, wait_in_index=False)
            if subscription.once:
                self._remove_after_delivery(subscription)
            elif subscription.failing_since is not None:
                self.repo.record_health(subscription, None, None)
            return
        self._after_failure(subscription, delivery, now)

    def _remove_after_delivery(self, subscription: Subscription) -> None:
        """A `once` subscription has done its job; its other queued deliveries find it gone and
        are canceled."""
        try:
            self.repo.delete_subscription(subscription.project_id, subscription.id)
        except NotFound:
            pass  # removed meanwhile, by its owner or by a parallel delivery

    def _after_failure(self, subscription: Subscription, delivery: Delivery, now: float) -> None:
        delay = rules.retry_delay(len(delivery.attempts), delivery.first_attempt_epoch, now)
        if delay is None:
            delivery.state, delivery.next_attempt_at = "failed", None
            self.repo.save_delivery(delivery, wait_in_index=False)
        else:
            delivery.next_attempt_at = iso(datetime.fromtimestamp(now + delay, timezone.utc))
            long_wait = delay > queue.MAX_DELAY_SECONDS
            self.repo.save_delivery(delivery, wait_in_index=long_wait)
            if not long_wait:
                queue.send_delivery(subscription.id, delivery.id, int(delay))
        failing_since = subscription.failing_since or now
        if now - failing_since >= rules.DISABLE_AFTER:
            self.repo.record_health(subscription, failing_since, now_iso())
            log.warning("webhook %s disabled after failing for 3 days", subscription.id)
            self.on_disabled(subscription)
        elif subscription.failing_since is None:
            self.repo.record_health(subscription, failing_since, None)

    def sweep_retries(self) -> int:
        """Queues the retries whose wait was too long for a queue delay and is now over."""
        queued = 0
        for delivery in self.repo.due_retries(now_iso()):
            if self.repo.release_retry(delivery):
                queue.send_delivery(delivery.subscription_id, delivery.id)
                queued += 1
        return queued

    def _send(self, subscription: Subscription, message_id: str, body: bytes, now: float):
        headers = rules.signature_headers(message_id, int(now), body, subscription.signing_secrets(now))
        return http_sender.post(subscription.url, body, headers, timeout=rules.DELIVERY_TIMEOUT_SECONDS,
                                allow_private=config.webhook_allow_private_targets())


def _statuses(value: str | list[str] | None) -> str | tuple[str, ...] | None:
    return tuple(value) if isinstance(value, list) else value


def public_subscription(s: Subscription, principal: Principal, *, with_secret: bool = False) -> dict:
    """The subscription as `principal` may see it: whole for those who may manage it; for other
    members without the secret, and with only the scheme and host of its URL."""
    manageable = rules.may_manage(s, principal)
    body = {"id": s.id, "name": s.name, "event_type": s.event_type, "url": s.url if manageable else None,
            "target": rules.target_of(s.url), "filters": s.filters.as_dict(), "created_at": s.created_at,
            "created_by": s.created_by, "manageable": manageable, "active": s.active,
            "disabled_at": s.disabled_at, "once": s.once}
    if with_secret and manageable:
        body["secret"] = s.secret
    return body


def public_delivery(d: Delivery) -> dict:
    last = d.attempts[-1] if d.attempts else None
    return {"id": d.id, "event_id": d.event_id, "event_type": d.event_type, "created_at": d.created_at,
            "state": d.state, "attempt_count": len(d.attempts),
            "last_status_code": last.status_code if last else None,
            "last_latency_ms": last.latency_ms if last else None,
            "last_error": last.error if last else None,
            "next_attempt_at": d.next_attempt_at if d.state == "pending" else None,
            "attempts": [a.as_dict() for a in d.attempts]}
