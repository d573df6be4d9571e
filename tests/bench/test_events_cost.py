"""The event handlers' cost benchmark at a tiny size, on DynamoDB Local: what the stream consumer,
the delivery consumer and the minute schedule call, per event, is what their code promises."""
import pytest

from bench import events_cost
from chalicelib.adapters.dynamodb.models import DUE_SHARDS

SINGLE = 2
BATCHED = 3


@pytest.fixture(scope="module")
def figures():
    return events_cost.run(SINGLE, BATCHED, log=lambda text: None)


def exactly(span_or_value) -> float:
    """The value every sample had; fails if the samples differ."""
    if isinstance(span_or_value, list):
        low, high = span_or_value
        assert low == high, span_or_value
        return low
    return span_or_value


def calls(figures_of: dict) -> dict[str, float]:
    return {name: exactly(count) for name, count in figures_of["dynamodb"].items()}


def stream(figures: dict, change: str) -> dict:
    return next(entry for entry in figures["stream"] if entry["change"] == change)


# What the term index's consumer calls: the comment words and the term items of the ticket, the
# difference written, and (for the term items' own records) the term counts.
TERM_INDEX = ("BatchGetItem", "Query tickets", "BatchWriteItem", "UpdateItem directory")


def test_an_event_without_email_costs_its_subscriptions_its_watchers_its_members_and_one_claim(figures):
    edited = stream(figures, "title edited")
    every = calls(edited["single"])
    # The webhook subscriptions and the project's members (Query directory), the ticket's watchers
    # (a Query of the tickets table, counted with the term index's below), the delivery's claim.
    assert {name: n for name, n in every.items() if name not in TERM_INDEX} == \
        {"Query directory": 2, "PutItem deliveries": 1}
    assert edited["single"]["sqs"] == {"SendMessage": [1, 1]} and edited["single"]["ses"] == {}
    # Capacity is reported, so the figures are measured rather than zero by omission.
    assert exactly(edited["single"]["write_units"]) > 0 and exactly(edited["single"]["read_units"]) > 0
    # In a batch the subscriptions and members are read once for all its events; the claim and the
    # watchers stay per event.
    batched = {name: n for name, n in edited["batched"]["dynamodb"].items() if name not in TERM_INDEX}
    assert batched == {"Query directory": 2 / BATCHED, "PutItem deliveries": 1}


def test_a_change_of_words_reindexes_the_ticket_once(figures):
    edited = calls(stream(figures, "title edited")["single"])
    # The new title's words differ: one read of the comment words, one of the term items (and one
    # of the ticket's watchers, for the outbox), one BatchWriteItem of the difference, then a count
    # per term partition the ticket left or joined.
    assert (edited["BatchGetItem"], edited["Query tickets"], edited["BatchWriteItem"]) == (1, 2, 1)
    assert edited["UpdateItem directory"] > 0
    # A change of other fields leaves the term index alone.
    assert not set(calls(stream(figures, "severity high → low")["single"])) & {"BatchGetItem", "BatchWriteItem"}


def test_an_emailed_event_also_makes_its_watcher_and_reads_its_sent_marker(figures):
    assigned = stream(figures, "assignee changed (email to the new one)")
    assert calls(assigned["single"]) == {
        "Query directory": 2,        # subscriptions and members
        "Query tickets": 1,          # the ticket's watchers
        "PutItem tickets": 1,        # the new assignee made a watcher
        "GetItem tickets": 1,        # addresses already mailed about the event
        "UpdateItem tickets": 1,     # the sent marker
        "TransactWriteItems": 1,     # the counts the change moves (assignee, and assignee within open)
        "PutItem deliveries": 1,
    }
    assert assigned["single"]["ses"] == {"SendEmail": [1, 1]}
    # The sent marker is a stream record of its own, handed over in a second invocation.
    assert exactly(assigned["single"]["invocations"]) == 2


def test_every_event_queues_exactly_one_delivery_for_the_one_subscription(figures):
    for entry in figures["stream"]:
        assert entry["batched"]["sqs"] == {"SendMessage": 1}, entry["change"]
        assert entry["batched"]["other"] == {}, entry["change"]
    assert figures["claim"]["put_item"] == 1 and figures["claim"]["write_units"] > 0


def test_a_successful_delivery_reads_two_items_and_writes_its_delivery_twice(figures):
    for delivered in (figures["delivery"]["single"], figures["delivery"]["batched"]):
        assert calls(delivered) == {"GetItem deliveries": 1, "GetItem directory": 1,
                                    "UpdateItem deliveries": 1, "PutItem deliveries": 1}
        assert delivered["sqs"] == {} and delivered["ses"] == {} and delivered["other"] == {}
        assert exactly(delivered["write_units"]) > 0 and exactly(delivered["read_units"]) > 0


def test_the_idle_schedule_queries_the_due_and_sla_markers_and_nothing_else(figures):
    schedule = figures["schedule"]
    # Each shard of the overdue markers, then each shard of the SLA markers; whether the digests of
    # the hours just finished are done.
    assert calls(schedule) == {"Query deliveries": 1, "Query tickets": 2 * DUE_SHARDS, "BatchGetItem": 1}
    assert exactly(schedule["scans"]) == 0 and exactly(schedule["query_items_read"]) == 0
    assert exactly(schedule["write_units"]) == 0
    assert schedule["sqs"] == {} and schedule["ses"] == {} and schedule["other"] == {}
