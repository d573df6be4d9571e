"""The tickets stream's pipeline: which records each consumer is handed, and the one answer made of
their failures. Stand-in consumers record what they were handed; the real ones, failing for real,
are in tests/events/test_faults.py."""
import pytest

from chalicelib.events import stream
from chalicelib.events.batch import partial_batch_response
from chalicelib.events.stream import CONSUMERS, Consumer, Failure, consume


def records(*sequences: str) -> list[dict]:
    return [{"eventID": f"e{sequence}", "dynamodb": {"SequenceNumber": sequence}} for sequence in sequences]


class StandIn:
    def __init__(self, fails: tuple[str, ...] = ()):
        self.fails = fails
        self.handed: list[str] = []

    def __call__(self, batch: list[dict], registry) -> list[str]:
        self.handed = [record["dynamodb"]["SequenceNumber"] for record in batch]
        return [sequence for sequence in self.handed if sequence in self.fails]


@pytest.fixture
def pipeline(monkeypatch):
    def install(*consumers: Consumer) -> None:
        monkeypatch.setattr(stream, "CONSUMERS", consumers)
    return install


def test_the_tickets_stream_has_its_consumers_in_this_order_each_failing_its_own_way():
    assert [(c.name, c.failure, c.handles_retried_records) for c in CONSUMERS] == [
        ("search terms", Failure.STOPS_BATCH, True),
        ("outbox", Failure.PER_RECORD, True),
        ("partition counts", Failure.STOPS_BATCH, False),
    ]


def test_a_consumer_that_counts_once_is_handed_only_the_records_before_the_earliest_failure(pipeline):
    stops, per_record, counts = StandIn(fails=("3",)), StandIn(fails=("2", "4")), StandIn()
    pipeline(Consumer("stops", stops, Failure.STOPS_BATCH), Consumer("per record", per_record, Failure.PER_RECORD),
             Consumer("counts", counts, Failure.STOPS_BATCH, handles_retried_records=False))
    assert consume(records("1", "2", "3", "4", "5"), None) == ["2", "3", "4"]
    assert stops.handed == per_record.handed == ["1", "2", "3", "4", "5"]
    assert counts.handed == ["1"]


def test_a_consumer_that_stops_the_batch_is_charged_with_its_first_failure_only(pipeline):
    pipeline(Consumer("stops", StandIn(fails=("2", "4")), Failure.STOPS_BATCH))
    assert consume(records("1", "2", "3", "4"), None) == ["2"]


def test_failures_are_answered_in_record_order_each_once(pipeline):
    pipeline(Consumer("a", StandIn(fails=("3",)), Failure.STOPS_BATCH),
             Consumer("b", StandIn(fails=("1", "3")), Failure.PER_RECORD),
             Consumer("counts", StandIn(), Failure.STOPS_BATCH, handles_retried_records=False))
    assert consume(records("1", "2", "3"), None) == ["1", "3"]


def test_a_batch_without_failures_hands_every_record_to_every_consumer(pipeline):
    counts = StandIn()
    pipeline(Consumer("a", StandIn(), Failure.STOPS_BATCH),
             Consumer("counts", counts, Failure.STOPS_BATCH, handles_retried_records=False))
    assert consume(records("1", "2"), None) == []
    assert counts.handed == ["1", "2"]


def test_the_partial_batch_response_names_each_failed_item_once_in_the_order_given():
    assert partial_batch_response([]) == {"batchItemFailures": []}
    assert partial_batch_response(iter(["m2", "m1", "m2"])) == {
        "batchItemFailures": [{"itemIdentifier": "m2"}, {"itemIdentifier": "m1"}]}
