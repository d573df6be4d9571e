"""What the event side costs: DynamoDB calls and capacity units, and SQS and SES requests, per
ticket event on the tickets stream, per webhook delivery and per run of the minute schedule.

    .venv/bin/python -m bench.events_cost                                   # 10 single, 50 batched
    .venv/bin/python -m bench.events_cost --single 3 --batched 10 --json events.json

It starts a fresh in-memory DynamoDB Local, creates the tables from infra/resources.json, bootstraps
a project (an admin and four members) and makes ticket changes through the app's HTTP API
(chalice's test client), acting as the admin. SQS and SES are moto, in this process. The project has
one webhook subscription (`*`) pointing at a local HTTP receiver that answers 200. The tickets
table's stream is read from DynamoDB Local and handed to the app's `tickets_stream` handler as Lambda
hands it over; the messages that queues go to the `webhook_deliveries` handler; `every_minute` is
called with a scheduled event. Every request the handlers make while they run is counted, from
whichever thread makes it (both handlers fan out to thread pools): DynamoDB calls with the capacity
DynamoDB Local reports (bench.meter, ReturnConsumedCapacity=TOTAL), and every AWS request by service,
operation and table (a wrapper around botocore's `BaseClient._make_api_call`).

Each kind of change is measured two ways. *single*: one change at a time, its records handed over
in one invocation, as on a quiet project where a stream poll finds one change. *batched*: N changes
of that kind made first, then their records handed over in batches of 100 (the handler's batch
size), so that the subscriptions and members lookups and the partition-count updates are shared.
The email sent markers the handler writes are stream records too, handed over afterwards like any
other and counted with the change that caused them.
"""
import argparse
import contextlib
import json
import os
import platform
import random
import sys
import threading
import time
import types
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import boto3
from botocore.client import BaseClient
from chalice.test import Client
from moto import mock_aws

from app import app
from bench import cost, words
from bench.meter import Meter, Recording
from chalicelib import config
from chalicelib.adapters import mailer, queue
from chalicelib.adapters.dynamodb.tables import DirectoryRepository
from chalicelib.domain.clock import new_id, now_iso
from chalicelib.domain.people import Member
from chalicelib.events.deliveries import webhook_deliveries
from chalicelib.events.schedule import every_minute
from chalicelib.events.stream import tickets_stream
from chalicelib.local import dynamodb_local, provision
from chalicelib.local.pump import stream_record
from chalicelib.services.people import PeopleService
from tests.receiver import Receiver, start_receiver

ROOT = Path(__file__).resolve().parents[1]
STAGE = cost.STAGE
PROJECT_KEY = "EVT"
STREAM_BATCH = 100          # tickets_stream's batch_size
QUEUE_BATCH = 10            # webhook_deliveries' batch_size
MINUTES_A_MONTH = 43_200
RECORD_WAIT_SECONDS = 10.0
# bench/dataset.py's description: items, stream images and webhook bodies the size bench.cost measures.
DESCRIPTION = ("Steps to reproduce: open the page, repeat the action, watch the error. " * 3).strip()
# DynamoDB Local reports 0 units for a Query that finds nothing; this is what DynamoDB's smallest
# read (one eventually consistent read of up to 4 KB) would cost instead, to bound such a Query.
SMALLEST_READ_UNITS = 0.5
SCHEDULED_EVENT = {
    "version": "0", "id": "bench", "detail-type": "Scheduled Event", "source": "aws.events",
    "account": provision.LOCAL_ACCOUNT_ID, "time": "2030-01-01T00:00:00Z", "region": "us-east-1",
    "resources": [f"arn:aws:events:us-east-1:{provision.LOCAL_ACCOUNT_ID}:rule/ticketry-bench-every_minute"],
    "detail": {},
}


# ---- counting ----------------------------------------------------------------------------------

class SharedMeter(Meter):
    """A Meter whose open recording takes calls from every thread. One measurement runs at a time,
    and the handlers make most of their calls from their own thread pools."""

    def __init__(self):
        super().__init__()
        self._local = types.SimpleNamespace()


@dataclass
class Requests:
    """AWS requests by (service, operation, table), with the capacity DynamoDB reported per table."""
    count: Counter = field(default_factory=Counter)
    capacity: Counter = field(default_factory=Counter)   # (operation, table) -> capacity units


class AwsRequests:
    """Counts every request botocore sends while a recording is open, whoever makes it: PynamoDB,
    the SQS and SES clients, any thread."""

    def __init__(self):
        self.current: Requests | None = None
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def installed(self) -> Iterator["AwsRequests"]:
        original = BaseClient._make_api_call
        counter = self

        def counted(client, operation_name, api_params):
            response = original(client, operation_name, api_params)
            counter._note(client.meta.service_model.service_name, operation_name, api_params, response)
            return response

        BaseClient._make_api_call = counted
        try:
            yield self
        finally:
            BaseClient._make_api_call = original

    @contextlib.contextmanager
    def recording(self) -> Iterator[Requests]:
        requests = Requests()
        self.current = requests
        try:
            yield requests
        finally:
            self.current = None

    def _note(self, service: str, operation: str, params: dict, response: dict) -> None:
        requests = self.current
        if requests is None:
            return
        table = _short_table(params.get("TableName")) if service == "dynamodb" else None
        consumed = response.get("ConsumedCapacity") if service == "dynamodb" else None
        with self._lock:
            requests.count[(service, operation, table)] += 1
            for entry in [consumed] if isinstance(consumed, dict) else consumed or []:
                units = entry.get("CapacityUnits", 0.0)
                requests.capacity[(operation, _short_table(entry.get("TableName")))] += units


def _short_table(name: str | None) -> str | None:
    prefix = f"ticketry-{STAGE}-"
    return name[len(prefix):] if name and name.startswith(prefix) else name


@dataclass
class Usage:
    """What the handlers did for some events: invocations, what they were handed, what they called."""
    events: int = 0
    invocations: int = 0
    items: int = 0                     # stream records or queue messages handed over
    dynamodb: Recording = field(default_factory=Recording)
    requests: Requests = field(default_factory=Requests)

    def add(self, recording: Recording, requests: Requests) -> None:
        self.dynamodb.calls += recording.calls
        self.requests.count.update(requests.count)
        self.requests.capacity.update(requests.capacity)

    def calls(self, service: str) -> Counter:
        """'Operation' (or 'Operation table' for DynamoDB) -> requests."""
        found: Counter = Counter()
        for (name, operation, table), count in self.requests.count.items():
            if name == service:
                found[f"{operation} {table}" if table else operation] += count
        return found

    def per_event(self) -> dict:
        per = max(self.events, 1)
        return {
            "events": self.events,
            "invocations": self.invocations / per,
            "items": self.items / per,
            "dynamodb": {name: count / per for name, count in sorted(self.calls("dynamodb").items())},
            "units": {f"{operation} {table}" if table else operation: units / per
                      for (operation, table), units in sorted(self.requests.capacity.items(), key=str)},
            "query_items_read": self.dynamodb.scanned / per,
            "write_units": self.dynamodb.write_units / per,
            "read_units": self.dynamodb.read_units / per,
            "sqs": {name: count / per for name, count in sorted(self.calls("sqs").items())},
            "ses": {name: count / per for name, count in sorted(self.calls("sesv2").items())},
            "other": {f"{service} {operation}": count / per
                      for (service, operation, _), count in sorted(self.requests.count.items(), key=str)
                      if service not in ("dynamodb", "sqs", "sesv2")},
            "scans": self.dynamodb.operations()["Scan"] / per,
        }

    def check(self) -> None:
        """Both counters saw the same DynamoDB calls; a difference means one of them missed some."""
        metered = len(self.dynamodb.calls)
        counted = sum(count for (service, _, _), count in self.requests.count.items() if service == "dynamodb")
        if metered != counted:
            raise RuntimeError(f"the meter saw {metered} DynamoDB calls, botocore {counted}")
        if any(call.error for call in self.dynamodb.calls):
            raise RuntimeError(f"DynamoDB calls failed: {[c.error for c in self.dynamodb.calls if c.error]}")


class Probe:
    def __init__(self):
        self.meter = SharedMeter()
        self.aws = AwsRequests()

    @contextlib.contextmanager
    def installed(self) -> Iterator["Probe"]:
        with self.meter.installed(), self.aws.installed():
            yield self

    @contextlib.contextmanager
    def into(self, usage: Usage | None) -> Iterator[None]:
        """Counts what runs inside into `usage`; None runs it uncounted."""
        if usage is None:
            yield
            return
        with self.meter.recording() as recording, self.aws.recording() as requests:
            yield
        usage.add(recording, requests)


# ---- the project, the stream and the queue -----------------------------------------------------

class Stream:
    """The tickets table's stream from DynamoDB Local, each record as Lambda hands it over, once."""

    def __init__(self, endpoint: str):
        dynamodb = cost.dynamodb_client(endpoint)
        self.client = cost.dynamodb_client(endpoint, "dynamodbstreams")
        self.arn = dynamodb.describe_table(TableName=config.tickets_table())["Table"]["LatestStreamArn"]
        self.iterators: dict[str, str | None] = {}   # shard -> where to read next; None: closed, all read

    def new_records(self, events: int = 0, markers: int = 0) -> list[dict]:
        """Records not read before; waits until they hold `events` history entries and `markers`
        email sent markers."""
        records: list[dict] = []
        deadline = time.monotonic() + RECORD_WAIT_SECONDS
        while True:
            records += self._read()
            if _count(records, "history") >= events and _count(records, "notified") >= markers:
                return [stream_record(r, self.arn, config.region()) for r in records]
            if time.monotonic() > deadline:
                raise RuntimeError(f"the stream held {_count(records, 'history')} of {events} history entries and "
                                   f"{_count(records, 'notified')} of {markers} sent markers")
            time.sleep(0.05)

    def _read(self) -> list[dict]:
        records = []
        for shard in self.client.describe_stream(StreamArn=self.arn)["StreamDescription"]["Shards"]:
            shard_id = shard["ShardId"]
            if shard_id not in self.iterators:
                self.iterators[shard_id] = self.client.get_shard_iterator(
                    StreamArn=self.arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            iterator = self.iterators[shard_id]
            while iterator:
                page = self.client.get_records(ShardIterator=iterator, Limit=1000)
                records += page["Records"]
                iterator = page.get("NextShardIterator")
                self.iterators[shard_id] = iterator
                if not page["Records"]:
                    break
        return records


def _count(records: list[dict], kind: str) -> int:
    return sum(1 for r in records if r["eventName"] == "INSERT" and r["dynamodb"].get("NewImage", {}).get("kind", {})
               .get("S") == kind)


@dataclass
class Fixture:
    client: Client
    project_id: str
    token: str
    members: list[str]
    stream: Stream
    sqs: object
    queue_url: str
    receiver: Receiver
    probe: Probe

    def api(self, method: str, path: str, body: dict | None = None, status: int = 200) -> dict:
        response = self.client.http.request(
            method, f"/v1/ce/projects/{self.project_id}{path}",
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
            body=json.dumps(body).encode() if body is not None else b"")
        if response.status_code != status:
            raise RuntimeError(f"{method} {path} answered {response.status_code}: {response.body[:500]!r}")
        return json.loads(response.body) if response.body else {}

    def hand_over(self, records: list[dict], usage: Usage | None) -> None:
        """The records to tickets_stream in batches of its size; any batch item failure stops the run."""
        for start in range(0, len(records), STREAM_BATCH):
            batch = records[start:start + STREAM_BATCH]
            with self.probe.into(usage):
                answer = tickets_stream({"Records": batch}, None)
            if answer["batchItemFailures"]:
                raise RuntimeError(f"tickets_stream failed records: {answer['batchItemFailures']}")
            if usage is not None:
                usage.invocations += 1
                usage.items += len(batch)

    def deliver(self, usage: Usage | None, batch: int) -> int:
        """Up to `batch` queued messages to webhook_deliveries, as one invocation; returns how many."""
        messages = self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=batch,
                                            AttributeNames=["All"]).get("Messages", [])
        if not messages:
            return 0
        records = [{"messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"],
                    "attributes": m.get("Attributes", {}), "messageAttributes": {}, "md5OfBody": m["MD5OfBody"],
                    "eventSource": "aws:sqs", "awsRegion": config.region(),
                    "eventSourceARN": f"arn:aws:sqs:{config.region()}:{provision.LOCAL_ACCOUNT_ID}:queue"}
                   for m in messages]
        with self.probe.into(usage):
            answer = webhook_deliveries({"Records": records}, None)
        if answer["batchItemFailures"]:
            raise RuntimeError(f"webhook_deliveries failed messages: {answer['batchItemFailures']}")
        for message in messages:
            self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
        if usage is not None:
            usage.invocations += 1
            usage.items += len(messages)
            usage.events += len(messages)
        return len(messages)


def bootstrap(endpoint: str, probe: Probe, receiver: Receiver) -> Fixture:
    """Tables, queues, a project with four members; the app bound to them. Runs inside mock_aws."""
    provision.create_tables(cost.dynamodb_client(endpoint), STAGE)
    sqs = boto3.client("sqs", region_name=config.region())
    queues = provision.create_queues(sqs, STAGE)
    queue_url = next(url for url in queues.values() if url.endswith("/" + config.webhook_queue_name()))
    # As deployed: the functions are given the queue's URL and never look it up.
    os.environ[config.WEBHOOK_QUEUE_URL] = queue_url
    boto3.client("sesv2", region_name=config.region()).create_email_identity(EmailIdentity="ticketry.local")
    rebind()
    directory = DirectoryRepository()
    project, admin, issued = PeopleService(directory).create_project("Events", PROJECT_KEY, "admin@events.example")
    members = []
    for n in range(4):
        member = Member(user_id=new_id(), email=f"member{n}@events.example", name=f"Member {n}", role="member",
                        created_at=now_iso())
        directory.add_member(project.id, member)
        members.append(member.user_id)
    client = Client(app, stage_name=STAGE, project_dir=str(ROOT))
    return Fixture(client, project.id, issued.token, members, Stream(endpoint), sqs, queue_url, receiver, probe)


def rebind() -> None:
    cost.rebind()
    queue.reset()
    mailer.ses_client.cache_clear()


# ---- what is measured -------------------------------------------------------------------------

@dataclass(frozen=True)
class Change:
    name: str
    ticket: str | None     # None: the change makes its own ticket; "own": made to a ticket the admin
                           # created (and so is assigned); "assigned": to one assigned to a member
    make: Callable[[Fixture, str | None, int], None]
    emails: int            # emails the rules call for (checked)


def _create(fx: Fixture, _: str | None, n: int) -> None:
    fx.api("POST", "/tickets", {"title": f"Event {n}", "description": DESCRIPTION, "severity": "high",
                                "tags": ["db", "network"]}, status=201)


def _patch(**fields) -> Callable[[Fixture, str | None, int], None]:
    def make(fx: Fixture, ticket_id: str | None, n: int) -> None:
        body = {name: value(fx, n) if callable(value) else value for name, value in fields.items()}
        fx.api("PATCH", f"/tickets/{ticket_id}", body)
    return make


def _comment(fx: Fixture, ticket_id: str | None, n: int) -> None:
    fx.api("POST", f"/tickets/{ticket_id}/comments", {"comment": f"comment {n}"}, status=201)


def _said(kind: str, n: int, length: int) -> str:
    """Text with real text's word frequencies (bench/words.py), the same for the same arguments."""
    return words.sentence(random.Random(f"{kind}-{n}"), length)


def _create_said(fx: Fixture, _: str | None, n: int) -> None:
    fx.api("POST", "/tickets", {"title": _said("title", n, 6), "description": _said("description", n, 30),
                                "severity": "high", "tags": ["db", "network"]}, status=201)


def _describe_said(fx: Fixture, ticket_id: str | None, n: int) -> None:
    fx.api("PATCH", f"/tickets/{ticket_id}", {"description": _said("edit", n, 30)})


def _comment_said(fx: Fixture, ticket_id: str | None, n: int) -> None:
    fx.api("POST", f"/tickets/{ticket_id}/comments", {"comment": _said("comment", n, 12)}, status=201)


def _assignee(fx: Fixture, _: int) -> str:
    return fx.members[0]


# The admin makes every change; a ticket created without an assignee is unassigned, so its
# creation mails nobody.
CHANGES = [
    Change("ticket created (2 tags)", None, _create, 0),
    Change("title edited", "own", _patch(title=lambda fx, n: f"Edited {n}"), 0),
    Change("severity high → low", "own", _patch(severity="low"), 0),
    Change("assignee changed (email to the new one)", "own", _patch(assignee=_assignee), 1),
    Change("status → resolved (email to the assignee)", "assigned", _patch(status="resolved"), 1),
    Change("comment added (email to the assignee)", "assigned", _comment, 1),
    # What the term index costs for text with real text's word frequencies.
    Change("ticket created (6 + 30 words of text)", None, _create_said, 0),
    Change("description edited (30 new words)", "own", _describe_said, 0),
    Change("comment added (12 words; email to the assignee)", "assigned", _comment_said, 1),
]


def prepare_tickets(fx: Fixture, changes: list[Change], count: int) -> dict[str, list[str]]:
    """`count` tickets for each change that needs one, and one whose due date is far off (an armed
    overdue marker the schedule must skip); their records are handled, uncounted."""
    tickets: dict[str, list[str]] = {}
    created = emailed = 0
    for change in changes:
        if change.ticket is None:
            continue
        body = {"title": f"For {change.name}", "description": DESCRIPTION, "severity": "high"}
        if change.ticket == "assigned":
            body["assignee"] = fx.members[0]
            emailed += count   # a ticket created for someone else mails them
        tickets[change.name] = [fx.api("POST", "/tickets", body, status=201)["id"] for _ in range(count)]
        created += count
    fx.api("POST", "/tickets", {"title": "Due later", "description": "", "severity": "low",
                                "due_date": "2999-01-01T00:00:00Z"}, status=201)
    fx.hand_over(fx.stream.new_records(events=created + 1), None)
    fx.hand_over(fx.stream.new_records(markers=emailed), None)
    return tickets


def stream_single(fx: Fixture, change: Change, tickets: list[str], repetitions: int) -> list[Usage]:
    usages = []
    for n in range(repetitions):
        usage = Usage(events=1)
        change.make(fx, tickets.pop() if change.ticket is not None else None, n)
        fx.hand_over(fx.stream.new_records(events=1), usage)
        emailed = 1 if usage.calls("sesv2") else 0
        followers = fx.stream.new_records(markers=emailed)
        if followers:
            fx.hand_over(followers, usage)
        usages.append(usage)
    return usages


def stream_batched(fx: Fixture, change: Change, tickets: list[str], count: int) -> Usage:
    usage = Usage(events=count)
    for n in range(count):
        change.make(fx, tickets.pop() if change.ticket is not None else None, n)
    fx.hand_over(fx.stream.new_records(events=count), usage)
    followers = fx.stream.new_records(markers=count if change.emails else 0)
    if followers:
        fx.hand_over(followers, usage)
    return usage


def deliveries(fx: Fixture, single: int) -> tuple[list[Usage], Usage]:
    """Every queued message: `single` of them one per invocation, the rest in batches of 10."""
    usages = []
    for _ in range(single):
        usage = Usage()
        if not fx.deliver(usage, 1):
            break
        usages.append(usage)
    batched = Usage()
    while fx.deliver(batched, QUEUE_BATCH):
        pass
    return usages, batched


def schedule_runs(fx: Fixture, runs: int) -> list[Usage]:
    """Idle runs, after one uncounted run: the first run on new tables also records the digest hours
    before it as done, which every later run reads in one call."""
    every_minute(dict(SCHEDULED_EVENT), None)
    usages = []
    for _ in range(runs):
        usage = Usage(events=1, invocations=1)
        with fx.probe.into(usage):
            every_minute(dict(SCHEDULED_EVENT), None)
        usages.append(usage)
    return usages


# ---- a run -------------------------------------------------------------------------------------

def run(single: int, batched: int, changes: list[Change] = CHANGES, log=print) -> dict:
    """One fresh DynamoDB Local, one project, every measurement; the figures per event."""
    receiver = start_receiver()
    probe = Probe()
    settings = [*cost.environment("http://unused"), config.WEBHOOK_QUEUE_URL, config.WEBHOOK_ALLOW_PRIVATE_TARGETS]
    try:
        with cost.restored_environment(settings, rebind), dynamodb_local.running() as endpoint, mock_aws():
            os.environ.update(cost.environment(endpoint))
            os.environ[config.WEBHOOK_ALLOW_PRIVATE_TARGETS] = "true"   # the receiver is on 127.0.0.1
            fx = bootstrap(endpoint, probe, receiver)
            started = time.perf_counter()
            tickets = prepare_tickets(fx, changes, single + batched)
            # Made after the tickets above, so their creation queued no deliveries.
            fx.api("POST", "/webhooks", {"name": "bench", "event_type": "*", "url": receiver.url}, status=201)
            log(f"set up in {time.perf_counter() - started:.1f}s")
            load_before = os.getloadavg()[0]
            with probe.installed():
                stream = []
                for change in changes:
                    ones = stream_single(fx, change, tickets.get(change.name, []), single)
                    many = stream_batched(fx, change, tickets.get(change.name, []), batched)
                    stream.append((change, ones, many))
                    log(f"stream: {change.name} done")
                queued = (single + batched) * len(changes)
                delivered_single, delivered_batched = deliveries(fx, single)
                log("deliveries done")
                schedule = schedule_runs(fx, single)
                log("schedule done")
            load_after = os.getloadavg()[0]
            arrived = len(receiver.requests)
    finally:
        receiver.server.shutdown()

    for usage in [u for _, ones, many in stream for u in [*ones, many]] + delivered_single + [delivered_batched] \
            + schedule:
        usage.check()
    made = len(delivered_single) + delivered_batched.events
    if made != queued or arrived != queued:
        raise RuntimeError(f"{queued} deliveries queued, {made} handled, {arrived} arrived at the receiver")
    for change, ones, many in stream:
        emails = [u.calls("sesv2")["SendEmail"] for u in ones] + [many.calls("sesv2")["SendEmail"] / many.events]
        if any(sent != change.emails for sent in emails):
            raise RuntimeError(f"{change.name}: {emails} emails per event, {change.emails} expected")

    claims = [u for _, ones, many in stream for u in [*ones, many]]
    return {
        "single": single, "batched": batched,
        "load_average": [load_before, load_after],
        "stream": [{"change": change.name, "single": summary(ones), "batched": many.per_event()}
                   for change, ones, many in stream],
        "claim": claim_figures(claims),
        "delivery": {"single": summary(delivered_single), "batched": delivered_batched.per_event(),
                     "all": merged([*delivered_single, delivered_batched]).per_event()},
        "schedule": summary(schedule),
    }


def merged(usages: list[Usage]) -> Usage:
    total = Usage()
    for usage in usages:
        total.events += usage.events
        total.invocations += usage.invocations
        total.items += usage.items
        total.add(usage.dynamodb, usage.requests)
    return total


def claim_figures(usages: list[Usage]) -> dict:
    """What queue_new costs per delivery: the conditional PutItem recording it and the SendMessage."""
    puts = sum(u.requests.count[("dynamodb", "PutItem", "deliveries")] for u in usages)
    units = sum(u.requests.capacity[("PutItem", "deliveries")] for u in usages)
    sends = sum(u.requests.count[("sqs", "SendMessage", None)] for u in usages)
    return {"deliveries": sends, "put_item": puts / sends, "write_units": units / sends, "send_message": 1.0}


def summary(usages: list[Usage]) -> dict:
    """Per event, as [fewest, most] over the usages given (one event each)."""
    figures = [u.per_event() for u in usages]

    def span(values: list[float]) -> list[float]:
        return [min(values), max(values)]

    def spans(key: str) -> dict[str, list[float]]:
        names = sorted({name for f in figures for name in f[key]})
        return {name: span([f[key].get(name, 0) for f in figures]) for name in names}

    return {
        "samples": len(figures),
        "invocations": span([f["invocations"] for f in figures]),
        "items": span([f["items"] for f in figures]),
        "dynamodb": spans("dynamodb"),
        "units": spans("units"),
        "query_items_read": span([f["query_items_read"] for f in figures]),
        "write_units": span([f["write_units"] for f in figures]),
        "read_units": span([f["read_units"] for f in figures]),
        "sqs": spans("sqs"),
        "ses": spans("ses"),
        "other": spans("other"),
        "scans": span([f["scans"] for f in figures]),
    }


# ---- report ------------------------------------------------------------------------------------

def _number(value: float) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".") if value else "0"


def _value(value) -> str:
    if isinstance(value, list):
        low, high = value
        return _number(low) if low == high else f"{_number(low)}–{_number(high)}"
    return _number(value)


def _calls(calls: dict, units: dict | None = None) -> str:
    """'Operation table count', with the capacity units those calls consumed in brackets."""
    parts = []
    for name, count in calls.items():
        part = f"{name} {_value(count)}"
        if units is not None:
            part += f" ({_value(units.get(name, 0))})"
        parts.append(part)
    return ", ".join(parts) or "–"


def _row(name: str, mode: str, f: dict) -> str:
    return (f"| {name} | {mode} | {_value(f['items'])} / {_value(f['invocations'])} "
            f"| {_calls(f['dynamodb'], f['units'])} "
            f"| {_value(f['write_units'])} | {_value(f['read_units'])} | {_calls(f['sqs'])} | {_calls(f['ses'])} |")


def table(figures: dict) -> str:
    lines = [
        "| Event | Mode | Records or messages / invocations | DynamoDB calls by table (capacity units) | WRU | RRU "
        "| SQS | SES |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for entry in figures["stream"]:
        lines.append(_row(f"stream: {entry['change']}", "single", entry["single"]))
        lines.append(_row("", f"batched ({figures['batched']})", entry["batched"]))
    lines.append(_row("webhook delivery, 2xx", "single", figures["delivery"]["single"]))
    lines.append(_row("", f"batched (up to {QUEUE_BATCH})", figures["delivery"]["batched"]))
    lines.append(_row("every_minute, nothing due", "per run", figures["schedule"]))
    return "\n".join(lines)


def notes(figures: dict) -> str:
    claim = figures["claim"]
    schedule = figures["schedule"]
    delivery = figures["delivery"]["all"]
    queries = schedule["dynamodb"]
    query_count = sum(span[1] for name, span in queries.items() if name.startswith("Query "))
    floor = query_count * SMALLEST_READ_UNITS
    return "\n".join([
        f"Queueing a delivery (queue_new, counted in the stream rows): {_number(claim['put_item'])} PutItem on "
        f"deliveries, {_number(claim['write_units'])} WRU on average, and 1 SQS SendMessage "
        f"({claim['deliveries']} deliveries).",
        f"A delivery end to end (claim + send), averaged over all {delivery['events']} deliveries: "
        f"{_number(claim['write_units'] + delivery['write_units'])} WRU, {_number(delivery['read_units'])} RRU, "
        f"1 SendMessage by the app (the SQS event source's receive and delete come on top).",
        f"every_minute, nothing due: {_value(schedule['read_units'])} RRU a run as DynamoDB Local reports it, "
        f"{_number(query_count)} Queries reading {_value(schedule['query_items_read'])} items, "
        f"{_value(schedule['scans'])} Scan; at {_number(SMALLEST_READ_UNITS)} RRU per Query at most "
        f"{_number(floor)} RRU a run, {_number(floor * MINUTES_A_MONTH)} RRU a month ({MINUTES_A_MONTH:,} runs).",
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.events_cost", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--single", type=int, default=10,
                        help="changes of each kind handled one at a time; also deliveries sent one at a time "
                             "and schedule runs (default 10)")
    parser.add_argument("--batched", type=int, default=50,
                        help="changes of each kind handled together in batches of 100 records (default 50)")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    args = parser.parse_args(argv)
    if args.single < 1 or args.batched < 1:
        parser.error("--single and --batched must be at least 1")

    started = time.perf_counter()
    figures = run(args.single, args.batched, log=lambda text: print(text, file=sys.stderr))
    seconds = time.perf_counter() - started
    print(f"Machine: {os.cpu_count()} cores, {platform.system()} {platform.release()}, Python "
          f"{platform.python_version()}; 1-minute load average {figures['load_average'][0]:.2f} before, "
          f"{figures['load_average'][1]:.2f} after; {seconds:.0f} s")
    print()
    print("Per event (per delivery, per run):")
    print()
    print(table(figures))
    print()
    print(notes(figures))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
