"""The tickets table's stream as an outbox: each new history entry is one event, fanned out to
the webhook subscriptions that want it and mailed to the people it concerns."""
import logging

from chalicelib import config
from chalicelib.adapters import mailer
from chalicelib.adapters.directory_repo import DirectoryRepository
from chalicelib.adapters.tickets_repo import TicketRepository, history_from_stream_image
from chalicelib.domain.events import TicketEvent
from chalicelib.services.notifications import NotificationService
from chalicelib.services.registry import services

log = logging.getLogger(__name__)


def event_of(record: dict) -> TicketEvent | None:
    """The event a stream record carries: history entries are only ever inserted."""
    if record.get("eventName") != "INSERT":
        return None
    entry = history_from_stream_image(record["dynamodb"].get("NewImage") or {})
    return TicketEvent.from_entry(entry) if entry is not None else None


def notifications_for_batch() -> NotificationService:
    """A fresh service per batch, so that its cache of members and teams lasts one batch."""
    return NotificationService(DirectoryRepository(), TicketRepository(), mailer.from_settings(), config.public_url())


def handle(records: list[dict]) -> list[dict]:
    """Handles each record on its own; returns the batch item failures to retry. A record that
    cannot be read at all is logged and skipped: retrying it would only block the shard."""
    failures = []
    subscriptions: dict[str, list] = {}
    webhooks = services().webhooks
    notifications = notifications_for_batch()
    for record in records:
        sequence = record.get("dynamodb", {}).get("SequenceNumber")
        try:
            event = event_of(record)
        except Exception:  # noqa: BLE001 - any malformed record
            log.exception("skipping unreadable stream record %s", sequence)
            continue
        if event is None:
            continue
        try:
            if event.project_id not in subscriptions:
                subscriptions[event.project_id] = webhooks.repo.subscriptions(event.project_id)
            webhooks.fan_out(event, subscriptions[event.project_id])
            # Both steps are idempotent, so a retried record redoes neither twice.
            notifications.notify(event)
        except Exception:  # noqa: BLE001 - retried by the event source, from this record on
            log.exception("event %s (record %s) failed; it will be retried", event.id, sequence)
            failures.append({"itemIdentifier": sequence})
    return failures
