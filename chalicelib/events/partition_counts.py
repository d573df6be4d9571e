"""Keeps the size of every search-index partition, from the tickets table's stream.

A search with filters on several indexes reads the one whose partitions hold the fewest tickets;
these counts tell which. Each ticket or tag item carries its partition keys (`status_idx`, ...),
so a record's change is old keys -1, new keys +1.
"""
from collections import Counter

from chalicelib.adapters.directory_repo import DirectoryRepository

# The index attributes whose partitions a search can be driven by (the project index never
# competes: every other index is a subset of it).
COUNTED_ATTRIBUTES = ("status_idx", "severity_idx", "reporter_idx", "assignee_idx", "tag_idx", "term_idx")


def deltas(records: list[dict]) -> Counter:
    """{(project id, attribute, partition key): change} for a batch of stream records."""
    changes: Counter = Counter()
    for record in records:
        images = record.get("dynamodb", {})
        old, new = images.get("OldImage") or {}, images.get("NewImage") or {}
        for attribute in COUNTED_ATTRIBUTES:
            before, after = _string(old, attribute), _string(new, attribute)
            if before == after:
                continue
            if before is not None:
                changes[(_project(before), attribute, before)] -= 1
            if after is not None:
                changes[(_project(after), attribute, after)] += 1
    return changes


def apply(records: list[dict], directory: DirectoryRepository) -> None:
    directory.add_to_partition_counts(deltas(records))


def _string(image: dict, attribute: str) -> str | None:
    value = image.get(attribute)
    return value.get("S") if isinstance(value, dict) else None


def _project(partition_key: str) -> str:
    # Partition keys are `<project id>#<value>`; project ids never contain '#'.
    return partition_key.split("#", 1)[0]
