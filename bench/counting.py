"""Runs the bulk-loaded tickets through the tickets stream consumer, as the local stack would.

The bulk load writes items with BatchWriteItem, which DynamoDB streams like any other write, but
nothing reads that stream during a benchmark unless this module does. It feeds the app's
`tickets_stream` handler with the local pump's own `StreamWorker`: GetRecords in batches of the
handler's declared size (100), each record converted as Lambda delivers it, the handler invoked
with a Lambda context and its batch item failures honoured. Only the loop differs: it runs until
every loaded item has been delivered instead of polling forever.
"""
import copy
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import boto3
from moto import mock_aws

from app import app
from bench import dataset
from bench.meter import Meter, Recording
from chalicelib import config
from chalicelib.adapters.dynamodb.tables import DirectoryRepository
from chalicelib.local import provision
from chalicelib.local.pump import Checkpoints, Settings, StreamWorker

HANDLER = "tickets_stream"
IDLE_ROUNDS = 50         # empty reads in a row before giving up on records still missing
IDLE_PAUSE_SECONDS = 0.1


@dataclass
class Counting:
    records: int             # stream records handed to the handler
    batches: int             # handler invocations
    largest_batch: int
    seconds: float           # from the first GetRecords to the last handler return
    recording: Recording     # the DynamoDB calls the handler made (GetRecords is not among them)

    def summary(self) -> dict:
        return {
            "records": self.records,
            "batches": self.batches,
            "largest_batch": self.largest_batch,
            "seconds": self.seconds,
            "operations": dict(self.recording.operations()),
            "write_units": self.recording.write_units,
            "dynamodb_seconds": self.recording.seconds,
        }


def pump_tickets_stream(dynamodb, streams, expected_records: int) -> Counting:
    """Delivers the tickets table's stream to the app's handler until `expected_records` records
    have been handled; raises if they do not all arrive, or if the handler fails a batch."""
    arn = dynamodb.describe_table(TableName=config.tickets_table())["Table"]["LatestStreamArn"]
    # app.py subscribes the handler to the ARN in its environment when it is imported; the
    # benchmark imports it before its table exists, so point a copy of the subscription at it.
    source = copy.copy(next(s for s in app.event_sources if s.name == HANDLER))
    source.stream_arn = arn
    sizes: list[int] = []
    meter = Meter()
    # The handler also queues webhooks and sends email: those services are embedded (moto) here,
    # as on the local stack, so that only DynamoDB is the real thing being measured.
    with mock_aws(), tempfile.TemporaryDirectory() as folder:
        boto3.client("sesv2", region_name=config.region()).create_email_identity(EmailIdentity="ticketry.local")
        boto3.client("sqs", region_name=config.region()).create_queue(QueueName=config.webhook_queue_name())
        worker = StreamWorker(app, source, Settings(region=config.region(), account_id=provision.LOCAL_ACCOUNT_ID),
                              threading.Event(), streams, Checkpoints(Path(folder) / "pump.json"))
        handler = worker.handler

        def counted(event, context):
            sizes.append(len(event["Records"]))
            return handler(event, context)

        worker.handler = counted
        idle = 0
        started = time.perf_counter()
        with meter.installed(), meter.recording() as recording:
            while sum(sizes) < expected_records:
                delivered = sum(sizes)
                worker.step()
                if sum(sizes) > delivered:
                    idle = 0
                    continue
                idle += 1
                if idle >= IDLE_ROUNDS:
                    raise RuntimeError(f"the tickets stream delivered {sum(sizes)} of {expected_records} records")
                time.sleep(IDLE_PAUSE_SECONDS)
        seconds = time.perf_counter() - started
    # More is fine: the handler writes to the table too (email sent markers), which the stream carries.
    if sum(sizes) < expected_records:
        raise RuntimeError(f"the tickets stream delivered {sum(sizes)} records, {expected_records} were written")
    return Counting(sum(sizes), len(sizes), max(sizes, default=0), seconds, recording)


def expected_sizes(tickets: list[dataset.LoadedTicket]) -> dict[tuple[str, str], int]:
    """(search index, value) -> live tickets in that partition, from the loaded tickets themselves."""
    sizes: Counter = Counter()
    for loaded in tickets:
        ticket = loaded.ticket
        sizes[("status", ticket.status)] += 1
        sizes[("severity", ticket.severity)] += 1
        sizes[("reporter", ticket.reporter)] += 1
        sizes[("assignee", ticket.assignee or "none")] += 1
        for tag in ticket.tags:
            sizes[("tags", tag)] += 1
    return dict(sizes)


def check_counts(project_id: str, tickets: list[dataset.LoadedTicket]) -> dict[tuple[str, str], int]:
    """Compares every partition's count, as the app reads it, with the loaded tickets; returns the
    counts, raises on any difference."""
    expected = expected_sizes(tickets)
    directory = DirectoryRepository()
    counted = {(index, value): directory.index_sizes(project_id, {index: (value,)})[index]
               for index, value in expected}
    wrong = {key: (counted[key], want) for key, want in expected.items() if counted[key] != want}
    if wrong:
        raise RuntimeError(f"partition counts differ from the loaded tickets (counted, expected): {wrong}")
    return counted
