"""Webhook rules: which subscription wants an event, how a delivery is signed (Standard Webhooks),
when a failed delivery is tried again, and which target addresses are refused."""
import base64
import hashlib
import hmac
import ipaddress
import secrets
from dataclasses import dataclass, field
from typing import Any

from chalicelib.domain.events import TicketEvent

WEBHOOK_EVENTS = ("TICKET_CREATED", "TICKET_UPDATED", "TICKET_DELETED", "COMMENT_ADDED", "ATTACHMENT_ADDED",
                  "ATTACHMENT_REMOVED", "TICKET_OVERDUE", "DUPLICATE_RECEIVED", "SLA_AT_RISK", "SLA_BREACHED")
ALL_EVENTS = "*"
PING = "PING"
SECRET_PREFIX = "whsec_"

# Seconds to wait before each retry: quick at first for blips, then hourly, so that a receiver
# that is down for most of a day still gets everything.
RETRY_DELAYS = (5, 30, 120, 600, 1800, 3600)
RETRY_EVERY = 3600
GIVE_UP_AFTER = 25 * 3600          # at least 24 h of retries
DISABLE_AFTER = 3 * 24 * 3600      # a subscription failing this long is switched off
ROTATED_SECRET_GRACE = 24 * 3600   # the old secret keeps signing alongside the new one
DELIVERY_TIMEOUT_SECONDS = 10
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


@dataclass(frozen=True)
class Filters:
    # One status (as first offered, and still stored so) or several: the change must move the
    # status to one of them.
    status_changed_to: str | tuple[str, ...] | None = None
    severity: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    assignee: str | None = None
    ticket_id: str | None = None     # one ticket, by id or key

    @property
    def statuses(self) -> tuple[str, ...]:
        if self.status_changed_to is None:
            return ()
        if isinstance(self.status_changed_to, str):
            return (self.status_changed_to,)
        return tuple(self.status_changed_to)

    def as_dict(self) -> dict[str, Any]:
        status = self.status_changed_to
        return {"status_changed_to": status if status is None or isinstance(status, str) else list(status),
                "severity": list(self.severity), "tags": list(self.tags), "assignee": self.assignee,
                "ticket_id": self.ticket_id}


@dataclass(frozen=True)
class Subscription:
    id: str
    project_id: str
    name: str
    event_type: str
    url: str
    filters: Filters
    secret: str
    created_at: str
    created_by: str
    previous_secret: str | None = None
    previous_secret_until: float | None = None   # epoch seconds
    disabled_at: str | None = None
    failing_since: float | None = None           # epoch seconds of the first failure in a row
    once: bool = False                           # removed after its first successful delivery

    @property
    def active(self) -> bool:
        return self.disabled_at is None

    def signing_secrets(self, now: float) -> list[str]:
        keys = [self.secret]
        if self.previous_secret and self.previous_secret_until and now < self.previous_secret_until:
            keys.append(self.previous_secret)
        return keys


def wants(subscription: Subscription, event: TicketEvent) -> bool:
    if not subscription.active:
        return False
    if subscription.event_type not in (ALL_EVENTS, event.type):
        return False
    filters, ticket = subscription.filters, event.ticket
    if filters.ticket_id is not None and filters.ticket_id not in (ticket.get("id"), ticket.get("key")):
        return False
    if filters.statuses:
        status_change = event.changes.get("status") or {}
        if status_change.get("new") not in filters.statuses:
            return False
    if filters.severity and ticket.get("severity") not in filters.severity:
        return False
    if filters.tags and not set(filters.tags) & set(ticket.get("tags") or ()):
        return False
    if filters.assignee is not None and ticket.get("assignee") != filters.assignee:
        return False
    return True


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def delivery_id(event_id: str, subscription_id: str) -> str:
    """The same for every attempt and redelivery of one event to one subscription; receivers
    dedupe on it (it is the `webhook-id`)."""
    digest = hashlib.sha256(f"{event_id}:{subscription_id}".encode()).hexdigest()[:24]
    return f"msg_{digest}"


def signature_headers(message_id: str, timestamp: int, body: bytes, signing_secrets: list[str]) -> dict[str, str]:
    """`webhook-id`, `webhook-timestamp` and `webhook-signature` per Standard Webhooks 1.0."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    signatures = []
    for secret in signing_secrets:
        key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
        digest = hmac.new(key, signed, hashlib.sha256).digest()
        signatures.append("v1," + base64.b64encode(digest).decode())
    return {"webhook-id": message_id, "webhook-timestamp": str(timestamp), "webhook-signature": " ".join(signatures)}


def retry_delay(attempts_made: int, first_attempt_at: float, now: float) -> float | None:
    """Seconds until the next try after `attempts_made` failures, or None to give up."""
    if now - first_attempt_at >= GIVE_UP_AFTER:
        return None
    index = attempts_made - 1
    delay = RETRY_DELAYS[index] if index < len(RETRY_DELAYS) else RETRY_EVERY
    jitter = secrets.randbelow(max(1, delay // 10) * 1000) / 1000  # up to +10%, spreads retries apart
    return delay + jitter


def refused_address(address: str) -> bool:
    """A target address we never send to: loopback, private, link-local (cloud metadata),
    reserved, or NAT64-mapped."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip in _NAT64


@dataclass
class Attempt:
    at: str
    status_code: int | None
    latency_ms: int
    error: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    def as_dict(self) -> dict[str, Any]:
        return {"at": self.at, "status_code": self.status_code, "latency_ms": self.latency_ms, "error": self.error}


@dataclass
class Delivery:
    id: str
    subscription_id: str
    project_id: str
    event_id: str
    event_type: str
    body: str                      # the exact JSON sent on every attempt
    created_at: str
    state: str = "pending"         # pending | succeeded | failed | canceled
    attempts: list[Attempt] = field(default_factory=list)
    next_attempt_at: str | None = None
    first_attempt_epoch: float | None = None
