"""The term index of full-text search, kept from the tickets table's stream: each history entry
that changes what a ticket says (created, text edited, commented, deleted) re-indexes it."""
import logging

from chalicelib.adapters.dynamodb.history import history_from_stream_image
from chalicelib.services.search_index import SearchIndexService

log = logging.getLogger(__name__)


def handle(records: list[dict], index: SearchIndexService) -> list[str]:
    """Returns the sequence number of the first record that failed, if any: the records after it
    wait for its retry."""
    for record in records:
        if record.get("eventName") != "INSERT":
            continue
        sequence = record.get("dynamodb", {}).get("SequenceNumber")
        try:
            entry = history_from_stream_image(record["dynamodb"].get("NewImage") or {})
        except Exception:  # noqa: BLE001 - the outbox logs and skips unreadable records too
            continue
        if entry is None:
            continue
        try:
            index.apply(entry)
        except Exception:  # noqa: BLE001 - retried by the event source, from this record on
            log.exception("indexing the words of entry %s (record %s) failed; it will be retried", entry.id, sequence)
            return [sequence]
    return []
