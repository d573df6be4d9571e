"""Consumers of the tickets table's stream."""
import logging

from chalice import Blueprint

from chalicelib import config
from chalicelib.adapters import mailer
from chalicelib.adapters.directory_repo import DirectoryRepository
from chalicelib.adapters.tickets_repo import TicketRepository, history_from_stream_image
from chalicelib.domain.events import TicketEvent
from chalicelib.events import partition_counts
from chalicelib.services.notifications import NotificationService

bp = Blueprint(__name__)
log = logging.getLogger(__name__)


@bp.on_dynamodb_record(stream_arn=config.tickets_stream_arn(), batch_size=100, starting_position="TRIM_HORIZON")
def tickets_stream(event):
    records = event.to_dict()["Records"]
    partition_counts.apply(records, DirectoryRepository())
    notifications = notifications_for_batch()
    failures = []
    for record in records:
        try:
            handle(record, notifications)
        except Exception:
            # Reported, not raised: Lambda retries the batch from the first failed record on, and
            # the records before it stay done.
            log.exception("tickets stream record %s failed", record["dynamodb"]["SequenceNumber"])
            failures.append({"itemIdentifier": record["dynamodb"]["SequenceNumber"]})
    return {"batchItemFailures": failures}


def handle(record: dict, notifications: NotificationService) -> None:
    if record.get("eventName") != "INSERT":
        return
    entry = history_from_stream_image(record["dynamodb"].get("NewImage") or {})
    if entry is None:
        return
    notifications.notify(TicketEvent.from_entry(entry))


def notifications_for_batch() -> NotificationService:
    """A fresh service per batch, so that its cache of members and teams lasts one batch."""
    return NotificationService(DirectoryRepository(), TicketRepository(), mailer.from_settings(), config.public_url())
