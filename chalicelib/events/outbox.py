"""The tickets table's stream as an outbox: each new history entry is one event, fanned out to
the webhook subscriptions that want it, mailed to the people it concerns and put in their inboxes."""
import logging
from concurrent.futures import ThreadPoolExecutor

from chalicelib.adapters.dynamodb.history import history_from_stream_image
from chalicelib.domain.events import TicketEvent
from chalicelib.domain.webhooks import Delivery
from chalicelib.services.inbox import InboxService
from chalicelib.services.notifications import NotificationService
from chalicelib.services.webhooks import WebhookService

log = logging.getLogger(__name__)
FAN_OUT_THREADS = 10


def event_of(record: dict) -> TicketEvent | None:
    """The event a stream record carries: history entries are only ever inserted."""
    if record.get("eventName") != "INSERT":
        return None
    entry = history_from_stream_image(record["dynamodb"].get("NewImage") or {})
    return TicketEvent.from_entry(entry) if entry is not None else None


def handle(records: list[dict], webhooks: WebhookService, notifications: NotificationService,
           inbox: InboxService) -> list[str]:
    """Handles each record on its own; returns the sequence numbers of the records to retry. A
    record that cannot be read at all is logged and skipped: retrying it would only block the shard.
    `notifications` is the batch's own (it caches the members and teams it reads)."""
    failed: set[str] = set()
    sequences: list[str] = []
    jobs: list[tuple[str, TicketEvent, Delivery]] = []
    subscriptions: dict[str, list] = {}
    for record in records:
        sequence = record.get("dynamodb", {}).get("SequenceNumber")
        try:
            event = event_of(record)
        except Exception:  # noqa: BLE001 - any malformed record
            log.exception("skipping unreadable stream record %s", sequence)
            continue
        if event is None:
            continue
        sequences.append(sequence)
        try:
            if event.project_id not in subscriptions:
                subscriptions[event.project_id] = webhooks.project_subscriptions(event.project_id)
            jobs += [(sequence, event, delivery)
                     for delivery in webhooks.deliveries_for(event, subscriptions[event.project_id])]
            # Mail, deliveries and inboxes are all idempotent, so a retried record redoes none twice.
            audience = notifications.notify(event)
            inbox.record(event, audience, notifications.accounts(event.project_id))
        except Exception:  # noqa: BLE001 - retried by the event source, from this record on
            log.exception("event %s (record %s) failed; it will be retried", event.id, sequence)
            failed.add(sequence)

    def queue_one(job) -> bool:
        sequence, event, delivery = job
        try:
            webhooks.queue_new(delivery)
            return True
        except Exception:  # noqa: BLE001 - retried by the event source, from this record on
            log.exception("event %s (record %s) failed; it will be retried", event.id, sequence)
            return False

    # Each delivery costs two round trips (claim, send). One after the other, a batch of 100 events
    # for 10 subscriptions kept the shard busy for half a minute while its first deliveries waited;
    # order is not promised to receivers, so they go out in parallel.
    if jobs:
        with ThreadPoolExecutor(max_workers=FAN_OUT_THREADS) as pool:
            for (sequence, _, _), queued in zip(jobs, pool.map(queue_one, jobs)):
                if not queued:
                    failed.add(sequence)
    return [sequence for sequence in sequences if sequence in failed]
