"""Keeps the size of every search-index partition, from the tickets table's stream.

A search with filters on several indexes reads the one whose partitions hold the fewest tickets;
these counts tell which. Each ticket, tag or term item carries its partition keys (`status_idx`,
...), so a record's change is old keys -1, new keys +1. A ticket also counts in its assignee's and
its severity's open or finished tickets, which no index needs but which give the common queues
("open and assigned to me", "open critical") an exact size.

The counts of tickets (every key but the term index's) are exact. Records are counted in runs
whose counts fit one transaction, each made idempotent by a token derived from its records; a run
that fails is reported as the batch's failure, and its retry starts with the same run, so it
either commits then or finds its token used. Term counts only choose which word drives a search;
they are plain updates, and a retried run may count a term item twice.

The report aggregates (domain.reports: per project, day and severity) ride in the same
transactions, so they are exact under replays in the same way.
"""
import logging
from collections import Counter

from chalicelib.adapters.dynamodb.tables import DirectoryRepository
from chalicelib.adapters.dynamodb.models import MAX_TRANSACTION_ACTIONS
from chalicelib.adapters.dynamodb.tickets import facts_from_stream_image
from chalicelib.domain import reports

log = logging.getLogger(__name__)

# The index attributes whose partitions a search can be driven by (the project index never
# competes: every other index is a subset of it), and `state_idx` (open or finished).
COUNTED_ATTRIBUTES = ("status_idx", "severity_idx", "reporter_idx", "assignee_idx", "requester_idx", "tag_idx",
                      "term_idx", "state_idx")
# Counts of a ticket's assignee and severity within its state: <partition key>#<open|done>.
STATE_PAIRS = {"assignee_state": "assignee_idx", "severity_state": "severity_idx"}
APPROXIMATE = frozenset({"term_idx"})


def deltas(records: list[dict]) -> Counter:
    """{(project id, attribute, partition key): change} for a batch of stream records."""
    changes: Counter = Counter()
    for record in records:
        images = record.get("dynamodb", {})
        before, after = _keys(images.get("OldImage") or {}), _keys(images.get("NewImage") or {})
        for attribute, value in before - after:
            changes[(_project(value), attribute, value)] -= 1
        for attribute, value in after - before:
            changes[(_project(value), attribute, value)] += 1
    return Counter({key: change for key, change in changes.items() if change})


def apply(records: list[dict], directory: DirectoryRepository) -> list[str]:
    """Counts `records`; returns the sequence number of the first record of the first run not
    counted, if any."""
    for run in runs(records):
        changes = deltas(run)
        try:
            exact = {k: v for k, v in changes.items() if k[1] not in APPROXIMATE}
            aggregates = report_deltas(run)
            if exact or aggregates:
                directory.add_to_partition_counts_once(exact, [record["eventID"] for record in run],
                                                       {key: dict(counter) for key, counter in aggregates.items()})
            directory.add_to_partition_counts({k: v for k, v in changes.items() if k[1] in APPROXIMATE})
        except Exception:  # noqa: BLE001 - retried by the event source, from this run on
            log.exception("counting the search partitions of %d records failed; they will be retried", len(run))
            return [run[0]["dynamodb"]["SequenceNumber"]]
    return []


def runs(records: list[dict]) -> list[list[dict]]:
    """Consecutive records whose exact counts fit one transaction; the same records always make
    the same runs."""
    found: list[list[dict]] = []
    current: list[dict] = []
    keys: set = set()
    for record in records:
        adds = {key for key in deltas([record]) if key[1] not in APPROXIMATE}
        adds |= {("report", *key) for key in report_deltas([record])}
        if current and len(keys | adds) > MAX_TRANSACTION_ACTIONS:
            found.append(current)
            current, keys = [], set()
        current.append(record)
        keys |= adds
    if current:
        found.append(current)
    return found


def report_deltas(records: list[dict]) -> dict:
    """{(project id, day, severity): counters} the records' ticket changes add to the reports."""
    changes = []
    for record in records:
        images = record.get("dynamodb", {})
        before = facts_from_stream_image(images.get("OldImage") or {})
        after = facts_from_stream_image(images.get("NewImage") or {})
        if before is not None or after is not None:
            changes.append(reports.deltas(before, after))
    return reports.merge(changes)


def _keys(image: dict) -> set[tuple[str, str]]:
    keys = {(attribute, value) for attribute in COUNTED_ATTRIBUTES
            if (value := _string(image, attribute)) is not None}
    state = _string(image, "state_idx")
    if state is not None:
        suffix = state.rsplit("#", 1)[1]
        for pair, attribute in STATE_PAIRS.items():
            if (value := _string(image, attribute)) is not None:
                keys.add((pair, f"{value}#{suffix}"))
    return keys


def _string(image: dict, attribute: str) -> str | None:
    value = image.get(attribute)
    return value.get("S") if isinstance(value, dict) else None


def _project(partition_key: str) -> str:
    # Partition keys are `<project id>#<value>`; project ids never contain '#'.
    return partition_key.split("#", 1)[0]
