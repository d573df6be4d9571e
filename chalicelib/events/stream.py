"""Consumers of the tickets table's stream."""
from chalice import Blueprint

from chalicelib import config
from chalicelib.events import outbox, partition_counts, search_terms
from chalicelib.services.registry import services

bp = Blueprint(__name__)


@bp.on_dynamodb_record(stream_arn=config.tickets_stream_arn(), batch_size=100, starting_position="TRIM_HORIZON")
def tickets_stream(event):
    records = event.to_dict()["Records"]
    partition_counts.apply(records, services().directory)
    # The event source retries from the earliest failure either reports.
    return {"batchItemFailures": search_terms.handle(records) + outbox.handle(records)}
