"""Consumers of the tickets table's stream, and how each one's failures decide what is retried.

The event source retries a batch from the earliest record reported as failed: the records before
it are done for every consumer, and the retry hands over that record and all after it again.
"""
from dataclasses import dataclass
from enum import Enum
from typing import Callable

from chalice import Blueprint

from chalicelib import config
from chalicelib.events import outbox, partition_counts, search_terms
from chalicelib.events.batch import partial_batch_response
from chalicelib.services.registry import Services, services

bp = Blueprint(__name__)


class Failure(Enum):
    STOPS_BATCH = "a failure stops the rest of the batch, from that record on"
    PER_RECORD = "a failure is the record's own; the records after it are still handled"


@dataclass(frozen=True)
class Consumer:
    name: str
    # The failed sequence numbers of the records (a STOPS_BATCH consumer: at most the first one),
    # given the records and the process's services.
    handle: Callable[[list[dict], Services], list[str]]
    failure: Failure
    # False for a consumer that must see each record once: it gets only the records before the
    # earliest failure of the consumers above it, which a retry does not hand over again.
    handles_retried_records: bool = True


CONSUMERS = (
    # A ticket's later entries must not be indexed before an earlier one.
    Consumer("search terms", lambda records, registry: search_terms.handle(records, registry.search_index),
             Failure.STOPS_BATCH),
    # Mail, webhook deliveries and inbox entries are idempotent per event, so one event's failure
    # holds up no other.
    Consumer("outbox", lambda records, registry: outbox.handle(records, registry.webhooks,
                                                              registry.notifications_for_batch(), registry.inbox),
             Failure.PER_RECORD),
    # Counted in runs made idempotent by their records: a retry must start with the same run.
    Consumer("partition counts", lambda records, registry: partition_counts.apply(records, registry.directory),
             Failure.STOPS_BATCH, handles_retried_records=False),
)


def consume(records: list[dict], registry: Services) -> list[str]:
    """Hands the batch to every consumer in turn; returns the failed sequence numbers in record order."""
    failed: set[str] = set()
    for consumer in CONSUMERS:
        handled = records if consumer.handles_retried_records else records[:_first_failed(records, failed)]
        failures = consumer.handle(handled, registry)
        failed.update(failures[:1] if consumer.failure is Failure.STOPS_BATCH else failures)
    return [sequence for sequence in map(_sequence, records) if sequence in failed]


@bp.on_dynamodb_record(stream_arn=config.tickets_stream_arn(), batch_size=100, starting_position="TRIM_HORIZON")
def tickets_stream(event):
    return partial_batch_response(consume(event.to_dict()["Records"], services()))


def _first_failed(records: list[dict], failed: set[str]) -> int:
    return next((n for n, record in enumerate(records) if _sequence(record) in failed), len(records))


def _sequence(record: dict) -> str | None:
    return record.get("dynamodb", {}).get("SequenceNumber")
