"""Webhook rules: who manages a subscription, which subscription wants an event, how a delivery is
signed (Standard Webhooks), when a failed delivery is tried again, and which target addresses are
refused."""
import base64
import hashlib
import hmac
import ipaddress
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from chalicelib.domain.events import TicketEvent
from chalicelib.domain.people import Principal

WEBHOOK_EVENTS = ("TICKET_CREATED", "TICKET_UPDATED", "TICKET_DELETED", "COMMENT_ADDED", "COMMENT_UPDATED",
                  "COMMENT_DELETED", "ATTACHMENT_ADDED", "ATTACHMENT_REMOVED", "TICKET_OVERDUE", "DUPLICATE_RECEIVED",
                  "SLA_AT_RISK", "SLA_BREACHED")
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
OWNER_KEY_PREFIX = "key:"


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
    # A member's user id, or key:<key id> for an automation key; None on subscriptions made before
    # owners were recorded (see may_manage).
    owner: str | None = None

    @property
    def active(self) -> bool:
        return self.disabled_at is None

    def signing_secrets(self, now: float) -> list[str]:
        keys = [self.secret]
        if self.previous_secret and self.previous_secret_until and now < self.previous_secret_until:
            keys.append(self.previous_secret)
        return keys


def owner_of(principal: Principal) -> str:
    """A member owns what any of their keys subscribed. An automation key owns what it subscribed
    itself: automation names are not unique, so the key, not the name, is the owner."""
    return principal.user_id if principal.user_id is not None else OWNER_KEY_PREFIX + principal.key_id


def may_manage(subscription: Subscription, principal: Principal) -> bool:
    """Whether `principal` may manage (change, delete, test, redeliver, rotate the secret of) the
    subscription, and so see its secret and whole URL: its owner and admins may."""
    if principal.is_admin:
        return True
    if subscription.owner is not None:
        return subscription.owner == owner_of(principal)
    # Made before owners were recorded: the maker's actor stands in. For a member that is their
    # user id, exactly the owner; for an automation it is automation:<name>, so any automation key
    # an admin gave that name. Flows subscribed before then can still unsubscribe themselves.
    return subscription.created_by == principal.actor


def has_credentials(url: str) -> bool:
    """A URL naming a user or password (user:pass@host). Never sent: credentials are refused."""
    return "@" in urlsplit(url).netloc


def target_of(url: str) -> str:
    """The scheme and host (with its port when one is written) of a target: all of a URL that is
    shown to those who may not manage its subscription. The path, query and credentials, where
    receivers keep their tokens, are left out."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"


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


# Instance metadata services: AWS (IPv4 link-local and its IPv6 form inside the private fd00::/8),
# Alibaba Cloud, Oracle Cloud. GCP and Azure answer on 169.254.169.254 too.
_METADATA = tuple(ipaddress.ip_network(n) for n in ("fd00:ec2::254/128", "100.100.100.200/32", "192.0.0.192/32"))


def _unwrapped(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """The IPv4 address an IPv6 one carries (mapped, compatible, 6to4, NAT64), else itself."""
    if isinstance(ip, ipaddress.IPv4Address):
        return ip
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if 1 < int(ip) < 2 ** 32:  # ::a.b.c.d, the deprecated IPv4-compatible form
        return ipaddress.IPv4Address(int(ip))
    return ip


def never_sent_to(address: str) -> bool:
    """An address no webhook goes to, even where private targets are allowed (the local stack):
    link-local (cloud metadata at 169.254.169.254), metadata services elsewhere, multicast,
    unspecified and reserved, in any IPv6 spelling of an IPv4 address."""
    # An IPv6 spelling of an IPv4 address is judged as that IPv4 address.
    ip = _unwrapped(ipaddress.ip_address(address))
    # ::1 sits in IPv6's reserved ::/8; loopback is a private target, not a reserved one.
    reserved = ip.is_reserved and not ip.is_loopback
    return ip.is_link_local or ip.is_multicast or ip.is_unspecified or reserved \
        or any(ip in network for network in _METADATA)


def refused_address(address: str) -> bool:
    """A target address we never send to unless private targets are allowed: loopback, private,
    shared, or NAT64-mapped; and everything never_sent_to."""
    original = ipaddress.ip_address(address)
    ip = _unwrapped(original)
    return never_sent_to(address) or not ip.is_global or original in _NAT64


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
