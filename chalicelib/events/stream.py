"""Consumers of the tickets table's stream."""
from chalice import Blueprint

from chalicelib import config
from chalicelib.events import outbox, partition_counts, search_terms
from chalicelib.services.registry import services

bp = Blueprint(__name__)


@bp.on_dynamodb_record(stream_arn=config.tickets_stream_arn(), batch_size=100, starting_position="TRIM_HORIZON")
def tickets_stream(event):
    records = event.to_dict()["Records"]
    failures = search_terms.handle(records) + outbox.handle(records)
    # The event source retries from the earliest failure reported: the records before it are done,
    # and only those are counted, so that the retry counts the rest once.
    failed = {failure["itemIdentifier"] for failure in failures}
    done = next((n for n, record in enumerate(records) if record["dynamodb"]["SequenceNumber"] in failed),
                len(records))
    return {"batchItemFailures": partition_counts.apply(records[:done], services().directory) + failures}
