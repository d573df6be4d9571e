"""Counters on the directory table: wrong API keys per minute (pk `WRONGKEYS#<subject>`), the
size of each search-index partition (sk `COUNT#<attribute>#<partition>`) and the report
aggregates per day and severity (sk `REPORT#<day>#<severity>`), the last two kept by the stream."""
import hashlib
import logging

from pynamodb.exceptions import PynamoDBException

from chalicelib.adapters.dynamodb import models
from chalicelib.adapters.dynamodb.keys import (
    REPORT_SK_PREFIX,
    partition_count_sk,
    project_pk,
    report_sk,
    scoped,
    wrong_keys_pk,
    wrong_keys_sk,
)
from chalicelib.adapters.dynamodb.models import SEARCH_INDEX_ATTRIBUTES, PartitionCountItem, ReportDayItem, WrongKeyCountItem
from chalicelib.domain.attempts import WINDOW_SECONDS, Window
from chalicelib.errors import Conflict

log = logging.getLogger(__name__)


class DynamoCounts:
    def __init__(self):
        models.bind()

    def count_wrong_key(self, subject: str, window: Window) -> int | None:
        """Adds one to `subject`'s count of wrong keys in `window`; returns the count now, in the
        same UpdateItem. None if it could not be counted: the attempt is refused all the same."""
        item = WrongKeyCountItem(wrong_keys_pk(subject), wrong_keys_sk(window.start))
        try:
            item.update(actions=[WrongKeyCountItem.kind.set(WrongKeyCountItem), WrongKeyCountItem.count.add(1),
                                 WrongKeyCountItem.expires_at.set(window.end + WINDOW_SECONDS)])
        except PynamoDBException:
            log.warning("could not count a wrong API key for %s", subject, exc_info=True)
            return None
        return int(item.count)

    def index_sizes(self, project_id: str, candidates: dict[str, tuple[str, ...]]) -> dict[str, int]:
        """Tickets each candidate index would read (the sum over its partitions), in one
        BatchGetItem. A partition never counted is taken as empty."""
        pk = project_pk(project_id)
        wanted: dict[tuple[str, str], list[str]] = {}
        for index, values in candidates.items():
            attribute = SEARCH_INDEX_ATTRIBUTES[index.split(":", 1)[0]]  # terms:<word> is the terms index
            for value in values:
                wanted.setdefault((pk, partition_count_sk(attribute, scoped(project_id, value))), []).append(index)
        sizes = dict.fromkeys(candidates, 0)
        for item in PartitionCountItem.batch_get(list(wanted)):
            for index in wanted[(item.pk, item.sk)]:
                sizes[index] += max(0, int(item.count))
        return sizes

    def tickets_counted(self, project_id: str, queries: list[tuple[tuple[str, str], ...]]) -> list[int]:
        """For each query's (count, partition) pairs, the sum of those counts: one BatchGetItem
        for up to 100 distinct counts. A partition never counted holds no ticket."""
        pk = project_pk(project_id)
        keys = list(dict.fromkeys((pk, partition_count_sk(attribute, scoped(project_id, value)))
                                  for pairs in queries for attribute, value in pairs))
        found: dict[tuple[str, str], int] = {}
        for start in range(0, len(keys), 100):
            for item in PartitionCountItem.batch_get(keys[start:start + 100], consistent_read=True):
                found[(item.pk, item.sk)] = max(0, int(item.count))
        return [sum(found.get((pk, partition_count_sk(attribute, scoped(project_id, value))), 0)
                    for attribute, value in pairs) for pairs in queries]

    def add_to_partition_counts_once(self, deltas: dict[tuple[str, str, str], int], record_ids: list[str],
                                     reports: dict[tuple[str, str, str], dict[str, int]] | None = None) -> None:
        """Applies at most 100 deltas (partition counts, and report aggregates: {(project id, day,
        severity): {attribute: change}}), those of the stream records `record_ids`, in one
        transaction whose token the records decide: DynamoDB ignores a repeated token for 10
        minutes, longer than the stream takes to retry them."""
        token = hashlib.sha256("\n".join(record_ids).encode()).hexdigest()[:36]
        with models.Transaction(Conflict("partition counts"), token=token) as tx:
            for (project_id, attribute, value), delta in sorted(deltas.items()):
                tx.update(PartitionCountItem(project_pk(project_id), partition_count_sk(attribute, value)),
                          actions=[PartitionCountItem.count.add(delta)])
            for (project_id, day, severity), changes in sorted((reports or {}).items()):
                attributes = ReportDayItem.get_attributes()
                tx.update(ReportDayItem(project_pk(project_id), report_sk(day, severity)),
                          actions=[ReportDayItem.kind.set(ReportDayItem)]
                          + [attributes[name].add(n) for name, n in sorted(changes.items())])

    def report_days(self, project_id: str, first_day: str, last_day: str) -> dict[tuple[str, str], dict[str, int]]:
        """{(day, severity): counters} of the days from `first_day` to `last_day` that have any:
        one Query over the project's collection (at most 4 items a day)."""
        found = {}
        condition = ReportDayItem.sk.between(REPORT_SK_PREFIX + first_day, REPORT_SK_PREFIX + last_day + "#~")
        for item in ReportDayItem.query(project_pk(project_id), condition, page_size=500):
            day, severity = item.sk[len(REPORT_SK_PREFIX):].split("#", 1)
            found[(day, severity)] = {name: int(getattr(item, name)) for name in ReportDayItem.get_attributes()
                                      if name not in ("pk", "sk", "kind") and getattr(item, name) is not None}
        return found

    def add_to_partition_counts(self, deltas: dict[tuple[str, str, str], int]) -> None:
        """Applies {(project id, index attribute, partition key): change}; ADD keeps it commutative."""
        for (project_id, attribute, value), delta in deltas.items():
            if delta:
                item = PartitionCountItem(project_pk(project_id), partition_count_sk(attribute, value))
                item.update(actions=[PartitionCountItem.count.add(delta)])
