"""Every AWS call of each event handler (the tickets stream, the webhook delivery queue, the
schedule, S3's Object Created events) failed in each way AWS fails (tests/faults.py), then the
batch replayed as Lambda would: a batch reports only what failed; once replayed, every event is
delivered to its subscription with one `webhook-id` (a repeat only where the answer of the send's
own bookkeeping was lost, and then with the same id and body), every email goes out once, and
what the handler writes agrees with the ticket.

A handler's calls are enumerated by running its scenario unharmed; each call is then failed in a
fresh run. A failure that survives botocore's retries (every attempt failing) is the one the
handler itself must deal with, so retryable faults are also injected on every attempt."""
import copy
import json
import uuid
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import boto3
import pytest

from chalicelib import config
from chalicelib.events.attachments import attachment_uploaded
from chalicelib.events.deliveries import webhook_deliveries
from chalicelib.events.schedule import every_minute
from chalicelib.events.stream import tickets_stream
from tests.api.test_faults import history, put_announced_file
from tests.conftest import rebind
from tests.faults import Injector, Plan, Site
from tests.streams import new_records

EVENTS = Path(__file__).parent
SCHEDULED = json.loads((EVENTS / "scheduled.json").read_text())
OBJECT_CREATED = json.loads((EVENTS / "s3_object_created.json").read_text())
# A failed condition is not injected here: in a handler it happens when a write meets its own
# first attempt, after a lost answer, and an injected one would stand for a write that never was.
PLAN = Plan(conditional=False)


def uid() -> str:
    return uuid.uuid4().hex[:10]


def run_stream(records: list[dict], injector: Injector | None = None) -> list[list[str]]:
    """Hands the batch to the handler as Lambda does with ReportBatchItemFailures: after a failure
    it starts again from the earliest record reported. Returns the failures of each round."""
    reported, pending = [], records
    for round_ in range(6):
        if round_ == 0 and injector is not None:
            with injector.active():
                answer = tickets_stream({"Records": pending}, None)
        else:
            answer = tickets_stream({"Records": pending}, None)
        failed = [failure["itemIdentifier"] for failure in answer["batchItemFailures"]]
        sequences = [record["dynamodb"]["SequenceNumber"] for record in pending]
        assert set(failed) <= set(sequences), "a failure names a record that is not in the batch"
        reported.append(failed)
        if not failed:
            return reported
        pending = pending[min(sequences.index(sequence) for sequence in failed):]
    raise AssertionError(f"the batch still fails after {len(reported)} rounds: {reported}")


def run_queue(injector: Injector | None = None, rounds: int = 20) -> int:
    """Hands queued messages to the delivery handler as Lambda does: a message reported failed
    comes back (here at once, instead of after its visibility timeout)."""
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName=config.webhook_queue_name())["QueueUrl"]
    batches = 0
    for _ in range(rounds):
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"]).get("Messages", [])
        if not messages:
            return batches
        records = [{"messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"],
                    "attributes": m.get("Attributes", {}), "messageAttributes": {}, "md5OfBody": m["MD5OfBody"],
                    "eventSource": "aws:sqs", "eventSourceARN": f"arn:aws:sqs:{config.region()}:123456789012:queue",
                    "awsRegion": config.region()} for m in messages]
        if batches == 0 and injector is not None:
            with injector.active():
                answer = webhook_deliveries({"Records": records}, None)
        else:
            answer = webhook_deliveries({"Records": records}, None)
        batches += 1
        failed = {failure["itemIdentifier"] for failure in answer["batchItemFailures"]}
        assert failed <= {m["MessageId"] for m in messages}
        for message in messages:
            if message["MessageId"] in failed:
                sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0)
            else:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    raise AssertionError("the queue did not empty")


def sent_emails(marker: str) -> list[str]:
    from moto.backends import get_backend
    from moto.core import DEFAULT_ACCOUNT_ID

    backend = get_backend("ses")[DEFAULT_ACCOUNT_ID]["us-east-1"]
    messages = [str(m.raw_data) if hasattr(m, "raw_data") else str(m.__dict__) for m in backend.sent_messages]
    return [m for m in messages if marker in m]


def deliveries_of(receiver, marker: str) -> dict[str, list[bytes]]:
    """Bodies received per webhook-id, for events about tickets whose title carries `marker`."""
    received = defaultdict(list)
    for request in list(receiver.requests):
        if marker.encode() in request.body:
            headers = {name.lower(): value for name, value in request.headers.items()}
            received[headers["webhook-id"]].append(request.body)
    return received


@dataclass
class Scenario:
    act: Callable[[Injector | None], None]   # hands the event(s) to the handler, the first time under faults
    check: Callable[[Site | None, str | None], None]


def stream_scenario(api, receiver) -> Scenario:
    """A ticket created for a member who gets email, then commented on, with a subscription to
    every event: the outbox (webhooks and mail), the term index and the partition counts at work."""
    marker = uid()
    if not hasattr(api, "bob"):
        api.bob = api.add_member("member", email="bob@example.com")
        assert api.post("/webhooks", {"name": "all", "event_type": "*", "url": receiver.url}).status_code == 201
    new_records()  # what came before is not this scenario's
    ticket = api.create_ticket(title=f"Disk full {marker}", assignee=api.bob["user_id"])
    assert api.post(f"/tickets/{ticket['id']}/comments", {"comment": f"rotated word{marker}"}).status_code == 201
    records = new_records()
    rebind()  # as in a fresh Lambda: the handler looks up its queue and makes its clients

    def act(injector):
        run_stream(records, injector)
        run_queue()

    def check(site, fault):
        received = deliveries_of(receiver, marker)
        assert len(received) == 2, f"{len(received)} of 2 events delivered"
        for webhook_id, bodies in received.items():
            assert len(bodies) == 1, f"{webhook_id} delivered {len(bodies)} times"
        mails, expected = sent_emails(marker), 2  # created (assigned), commented
        lost_send = site is not None and site.operation == "SendEmail" and fault == "lost_answer"
        # SES takes no idempotency token: a send whose answer was lost and that botocore sends
        # again mails twice. That is the one duplicate at-least-once allows.
        assert len(mails) == expected + (1 if lost_send else 0), f"{len(mails)} emails, {expected} expected"
        found = api.get(f"/tickets?q=word{marker}").json["data"]
        assert [t["id"] for t in found] == [ticket["id"]], "the comment's words are indexed"

    return Scenario(act, check)


def queue_scenario(api, receiver) -> Scenario:
    marker = uid()
    if not api.get("/webhooks").json["data"]:
        assert api.post("/webhooks", {"name": "all", "event_type": "*", "url": receiver.url}).status_code == 201
    new_records()
    ticket = api.create_ticket(title=f"Queue {marker}")
    assert api.post(f"/tickets/{ticket['id']}/comments", {"comment": "first look"}).status_code == 201
    assert run_stream(new_records()) == [[]]
    hook = api.get("/webhooks").json["data"][0]
    rebind()

    def act(injector):
        run_queue(injector)

    def check(site, fault):
        received = deliveries_of(receiver, marker)
        assert len(received) == 2, f"{len(received)} of 2 events delivered"
        for webhook_id, bodies in received.items():
            # A send whose bookkeeping failed is sent again, with the same id and body.
            assert len(set(bodies)) == 1 and len(bodies) <= 2, f"{webhook_id} delivered {len(bodies)} times"
        log = api.get(f"/webhooks/{hook['id']}/deliveries?limit=100").json["data"]
        mine = [d for d in log if d["id"] in received]
        assert len(mine) == 2 and all(d["state"] == "succeeded" for d in mine), mine

    return Scenario(act, check)


def schedule_scenario(api, receiver) -> Scenario:
    every_minute(SCHEDULED, None)  # tickets of earlier tests that were overdue are dealt with
    ticket = api.create_ticket(due_date="2020-01-01T00:00:00Z")
    rebind()

    def act(injector):
        with injector.active() if injector is not None else _nothing():
            try:
                every_minute(SCHEDULED, None)
            except Exception:  # noqa: BLE001 - Lambda runs a failed scheduled invocation again
                pass
        every_minute(SCHEDULED, None)  # a minute later

    def check(site, fault):
        assert len(history(api, ticket["id"], "TICKET_OVERDUE")) == 1
        assert api.get(f"/tickets/{ticket['id']}").json["version"] == 1

    return Scenario(act, check)


def attachment_scenario(api, receiver) -> Scenario:
    ticket = api.create_ticket()
    content = b"uploaded, never confirmed"
    started = api.post(f"/tickets/{ticket['id']}/attachments",
                       {"file_name": "notes.txt", "content_type": "text/plain", "size": len(content)}).json
    put_announced_file(started, content)
    event = copy.deepcopy(OBJECT_CREATED)
    event["detail"]["object"].update(key=started["upload"]["fields"]["key"], size=len(content))
    rebind()

    def act(injector):
        with injector.active() if injector is not None else _nothing():
            try:
                attachment_uploaded(event, None)
            except Exception:  # noqa: BLE001 - EventBridge retries a failed invocation
                pass
        attachment_uploaded(event, None)

    def check(site, fault):
        attachment = api.get(f"/tickets/{ticket['id']}/attachments/{started['attachment']['id']}").json
        assert attachment["status"] == "available", attachment
        assert len(history(api, ticket["id"], "ATTACHMENT_ADDED")) == 1

    return Scenario(act, check)


class _nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


SCENARIOS = {"tickets_stream": stream_scenario, "webhook_deliveries": queue_scenario,
             "every_minute": schedule_scenario, "attachment_uploaded": attachment_scenario}


@pytest.mark.parametrize("name", SCENARIOS)
def test_each_call_of_the_handler_failing_is_replayed_to_exactly_once_effects(api, receiver, name):
    scenario = SCENARIOS[name]
    first = scenario(api, receiver)
    recording = Injector()
    first.act(recording)
    first.check(None, None)
    sites = recording.sites
    assert sites, "the handler made no AWS call"
    assert all(site.operation != "Scan" for site in sites)
    problems = []
    for site, fault, every_attempt in PLAN(sites):
        run = scenario(api, receiver)
        injector = Injector(site, fault, every_attempt)
        try:
            run.act(injector)
            assert injector.injected, "the call was not made"
            run.check(site, fault)
        except AssertionError as error:
            problems.append(f"{site} {fault}{' on every attempt' if every_attempt else ''}: {error}")
    assert problems == [], "\n".join(problems)
