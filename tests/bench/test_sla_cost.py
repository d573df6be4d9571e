"""The SLA cost benchmark at a tiny size, on DynamoDB Local: the sweep, the report aggregates and
the report call what docs/benchmarks.md says they do."""
import pytest

from bench import sla_cost
from chalicelib.adapters.dynamodb.models import DUE_SHARDS


@pytest.fixture(scope="module")
def figures():
    return sla_cost.run(40, 2)


def test_the_sweep_reads_what_is_due_and_writes_one_transaction_an_event(figures):
    per_run = figures["schedule"]["per_run"]
    calls = per_run["calls"]
    assert calls["Query by_due"] == DUE_SHARDS
    assert calls.get("TransactWriteItems", 0) == per_run["fired"]
    assert set(calls) <= {"Query by_due", "BatchGetItem", "TransactWriteItems"}
    assert figures["schedule"]["idle_run"]["calls"] == {"Query by_due": DUE_SHARDS}
    assert figures["schedule"]["backlog_events"] > 0


def test_the_aggregates_add_one_action_to_a_lone_events_counting_transaction(figures):
    for change in ("created", "acknowledged"):
        parts = figures["aggregates"][change]
        with_, without = parts["single, with"], parts["single, without"]
        assert with_["calls"] == without["calls"] == {"TransactWriteItems": with_["ticket_events"]}
        assert with_["actions_per_event"] - without["actions_per_event"] == 1


def test_a_90_day_report_is_one_query_and_the_open_counts(figures):
    for bucket in ("day", "week"):
        report = figures["report"][bucket]
        assert report["calls"] == {"Query": 1, "BatchGetItem": 1}
        assert report["items_read"] == sla_cost.REPORT_DAYS * 4 + 4
