"""The tickets stream handler on a canned Lambda batch: each history entry becomes one event for the
notifier, other records are passed over, and a record that fails is reported on its own. And on
DynamoDB Local's own stream, for the records a pending upload writes."""
import dataclasses
import json
from collections import Counter
from pathlib import Path

import pytest

from chalicelib.events import outbox, partition_counts, stream
from chalicelib.services.registry import services
from tests.streams import new_records

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

    def accounts(self, project_id):
        return {}


@pytest.fixture
def notifier(aws, monkeypatch):
    def install(**kwargs) -> RecordingNotifier:
        fake = RecordingNotifier(**kwargs)
        with_fake = dataclasses.replace(services(), notifications_for_batch=lambda: fake)
        monkeypatch.setattr(stream, "services", lambda: with_fake)
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


def test_a_pending_upload_reaches_no_one_and_moves_no_search_count(api, notifier):
    """Starting an upload bumps the ticket item's count of additions: the stream carries that as a
    change of the ticket, which is not a ticket event."""
    ticket = api.create_ticket(tags=["disk"])
    new_records()  # the ticket's creation, and whatever earlier tests left
    started = api.post(f"/tickets/{ticket['id']}/attachments",
                       {"file_name": "trace.txt", "content_type": "text/plain", "size": 5})
    assert started.status_code == 201, started.body

    records = new_records()
    assert sorted((r["eventName"], r["dynamodb"]["Keys"]["sk"]["S"]) for r in records) == [
        ("INSERT", f"FILE#{started.json['attachment']['id']}"), ("MODIFY", "TICKET")]
    [modified] = [r["dynamodb"] for r in records if r["eventName"] == "MODIFY"]
    changed = {name for name in modified["OldImage"].keys() | modified["NewImage"].keys()
               if modified["OldImage"].get(name) != modified["NewImage"].get(name)}
    assert changed == {"attachment_adds"}

    fake = notifier()
    assert stream.tickets_stream({"Records": records}, None) == {"batchItemFailures": []}
    assert fake.events == [] and [outbox.event_of(r) for r in records] == [None, None]
    assert partition_counts.deltas(records) == Counter()  # zero for every partition
