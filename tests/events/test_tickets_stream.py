"""The tickets stream handler on a canned Lambda batch: each history entry becomes one event for the
notifier, other records are passed over, and a record that fails is reported on its own."""
import json
from pathlib import Path

import pytest

from chalicelib.events import outbox, stream

BATCH = json.loads((Path(__file__).parent / "tickets_stream_batch.json").read_text())


class RecordingNotifier:
    def __init__(self, fail_for: str | None = None):
        self.events = []
        self.fail_for = fail_for

    def notify(self, event):
        self.events.append(event)
        if event.id == self.fail_for:
            raise ConnectionError("SES unreachable")
        return []


@pytest.fixture
def notifier(aws, monkeypatch):
    def install(**kwargs) -> RecordingNotifier:
        fake = RecordingNotifier(**kwargs)
        monkeypatch.setattr(outbox, "notifications_for_batch", lambda: fake)
        return fake
    return install


def test_each_history_insert_becomes_one_event(notifier):
    fake = notifier()
    assert stream.tickets_stream(BATCH, None) == {"batchItemFailures": []}
    assert [(e.id, e.type) for e in fake.events] == [("cannedcomment001", "COMMENT_ADDED"),
                                                       ("cannedupdate0001", "TICKET_UPDATED")]
    updated = fake.events[1]
    assert updated.changes == {"status": {"old": "new", "new": "acknowledged"}}
    assert updated.ticket["key"] == "CAN-7" and updated.ticket["status"] == "acknowledged"
    assert fake.events[0].comment["body"] == "Looking"


def test_a_failing_record_is_reported_and_the_others_still_handled(notifier):
    fake = notifier(fail_for="cannedcomment001")
    failed = BATCH["Records"][0]["dynamodb"]["SequenceNumber"]
    assert stream.tickets_stream(BATCH, None) == {"batchItemFailures": [{"itemIdentifier": failed}]}
    assert [e.id for e in fake.events] == ["cannedcomment001", "cannedupdate0001"]


def test_a_batch_for_people_the_directory_does_not_know_sends_nothing(aws):
    assert stream.tickets_stream(BATCH, None) == {"batchItemFailures": []}
