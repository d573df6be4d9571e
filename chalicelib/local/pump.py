"""Invokes the app's event handlers locally as Lambda's triggers would: DynamoDB stream records
(honouring ReportBatchItemFailures), SQS messages, EventBridge events (S3's among them) and schedule
ticks, one thread per handler.
"""
import base64
import copy
import json
import logging
import math
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from chalice.app import (
    Chalice,
    CloudWatchEventConfig,
    DynamoDBEventConfig,
    ScheduledEventConfig,
    SQSEventConfig,
)
from chalice.local import LambdaContext

from chalicelib.local.files import read_json, write_json

log = logging.getLogger(__name__)

# Chalice's defaults for lambda_memory_size and lambda_timeout.
FUNCTION_MEMORY_MB = 128
FUNCTION_TIMEOUT_MS = 60_000
SHARD_LISTING_SECONDS = 5.0
SQS_MAX_MESSAGES_PER_RECEIVE = 10
# Lambda runs an asynchronously invoked function (an EventBridge rule's target) up to three times:
# the first attempt and two retries, then it drops the event.
ASYNC_ATTEMPTS = 3


@dataclass(frozen=True)
class Settings:
    region: str
    account_id: str
    stage: str = "local"
    poll_interval: float = 0.25         # Lambda polls a shard about four times a second
    schedule_interval: float = 60.0     # every schedule fires at this pace locally, whatever its expression
    first_backoff: float = 0.5
    max_backoff: float = 10.0


class HandlerFailed(Exception):
    """The handler raised or reported failed items; already logged, the batch will be retried."""


class Checkpoints:
    """Each stream handler's position per shard, in a JSON file so that a restart resumes."""

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()
        self._data = read_json(path, {})

    def load(self, handler_name: str, stream_arn: str) -> dict[str, dict]:
        """shard id -> {"after": last handled sequence number or None, "finished": bool}."""
        with self._lock:
            saved = self._data.get(handler_name)
            if saved is None or saved["stream_arn"] != stream_arn:
                return {}
            return copy.deepcopy(saved["shards"])

    def save(self, handler_name: str, stream_arn: str, shards: dict[str, dict]) -> None:
        with self._lock:
            self._data[handler_name] = {"stream_arn": stream_arn, "shards": copy.deepcopy(shards)}
            write_json(self.path, self._data)


class Pump:
    def __init__(self, app: Chalice, settings: Settings, checkpoints: Checkpoints, *,
                 streams_client: Any = None, sqs_client: Any = None, events_client: Any = None):
        self.stopping = threading.Event()
        self.workers: list[Worker] = []
        for source in app.event_sources:
            if isinstance(source, DynamoDBEventConfig) and streams_client is not None:
                self.workers.append(StreamWorker(app, source, settings, self.stopping, streams_client, checkpoints))
            elif isinstance(source, SQSEventConfig) and sqs_client is not None:
                self.workers.append(QueueWorker(app, source, settings, self.stopping, sqs_client))
            elif isinstance(source, ScheduledEventConfig):
                self.workers.append(ScheduleWorker(app, source, settings, self.stopping))
            elif isinstance(source, CloudWatchEventConfig) and sqs_client is not None and events_client is not None:
                self.workers.append(EventRuleWorker(app, source, settings, self.stopping, sqs_client, events_client))
            else:
                # S3 notification, SNS and Kinesis handlers would each need a Worker of their own.
                log.warning("%s handler %r is not invoked by the local stack", type(source).__name__, source.name)
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        """Without handlers no thread starts, so an app without triggers costs nothing."""
        for worker in self.workers:
            thread = threading.Thread(target=worker.run, name=f"pump-{worker.name}", daemon=True)
            thread.start()
            self._threads.append(thread)

    @property
    def threads(self) -> list[threading.Thread]:
        return list(self._threads)

    def stop(self, timeout: float = 30.0) -> None:
        self.stopping.set()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
            if thread.is_alive():
                log.warning("%s is still running a handler; leaving it behind", thread.name)


class Worker:
    """Feeds one handler. `step` does one round and says how long to wait before the next; errors
    back off exponentially and are retried, as Lambda retries a trigger's failed batches."""

    def __init__(self, app: Chalice, source: Any, settings: Settings, stopping: threading.Event):
        self.name = source.name
        self.handler: Callable[[dict, Any], Any] = app.handler_map[source.name]
        self.function_name = f"{app.app_name}-{settings.stage}-{source.name}"
        self.settings = settings
        self.stopping = stopping
        self._last_problem: str | None = None

    def run(self) -> None:
        failures = 0
        while not self.stopping.is_set():
            try:
                delay = self.step()
                failures = 0
                self._last_problem = None
            except HandlerFailed:
                failures += 1
                delay = self._backoff(failures)
            except Exception as error:  # the service is not reachable or not ready: keep trying
                failures += 1
                delay = self._backoff(failures)
                problem = f"{type(error).__name__}: {error}"
                if problem != self._last_problem:
                    log.warning("%s: %s (retrying)", self.name, problem)
                    self._last_problem = problem
            self.stopping.wait(delay)

    def step(self) -> float:
        raise NotImplementedError

    def invoke(self, event: dict) -> Any:
        """Calls the handler with what Lambda would pass: plain JSON and a context object."""
        context = LambdaContext(self.function_name, FUNCTION_MEMORY_MB, FUNCTION_TIMEOUT_MS)
        context.invoked_function_arn = (f"arn:aws:lambda:{self.settings.region}:{self.settings.account_id}"
                                        f":function:{self.function_name}")
        try:
            return self.handler(json.loads(json.dumps(event)), context)
        except Exception as error:
            if "Records" in event:
                log.exception("%s failed on a batch of %d record(s)", self.name, len(event["Records"]))
            else:
                log.exception("%s failed on event %s", self.name, event.get("id"))
            raise HandlerFailed() from error

    def _backoff(self, failures: int) -> float:
        return min(self.settings.first_backoff * 2 ** (failures - 1), self.settings.max_backoff)


def failed_positions(result: Any, identifiers: list[str]) -> list[int]:
    """Positions of the records a handler reported as failed under ReportBatchItemFailures, empty
    when all succeeded. Like Lambda, a failure naming no record of the batch fails all of it."""
    if not isinstance(result, dict) or not result.get("batchItemFailures"):
        return []
    positions = {identifier: index for index, identifier in enumerate(identifiers)}
    failed = set()
    for failure in result["batchItemFailures"]:
        identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
        if identifier not in positions:
            return list(range(len(identifiers)))
        failed.add(positions[identifier])
    return sorted(failed)


# ---- DynamoDB streams ----------------------------------------------------------------------------

class StreamWorker(Worker):
    def __init__(self, app: Chalice, source: DynamoDBEventConfig, settings: Settings,
                 stopping: threading.Event, streams: Any, checkpoints: Checkpoints):
        super().__init__(app, source, settings, stopping)
        self.stream_arn = source.stream_arn
        self.batch_size = source.batch_size
        self.streams = streams
        self.checkpoints = checkpoints
        self.positions = checkpoints.load(source.name, source.stream_arn)
        self.iterators: dict[str, str] = {}
        self.shards: list[dict] = []
        self.listed_at = float("-inf")

    def step(self) -> float:
        if time.monotonic() - self.listed_at > SHARD_LISTING_SECONDS:
            self._list_shards()
        delivered = False
        for shard_id in self._readable_shards():
            delivered |= self._read(shard_id)
        return 0.0 if delivered else self.settings.poll_interval

    def _list_shards(self) -> None:
        shards, start = [], None
        while True:
            args = {"StreamArn": self.stream_arn, **({"ExclusiveStartShardId": start} if start else {})}
            description = self.streams.describe_stream(**args)["StreamDescription"]
            shards += description["Shards"]
            start = description.get("LastEvaluatedShardId")
            if not start:
                break
        self.shards = shards
        self.listed_at = time.monotonic()
        listed = {shard["ShardId"] for shard in shards}
        trimmed = set(self.positions) - listed
        if trimmed:
            for shard_id in trimmed:
                del self.positions[shard_id]
                self.iterators.pop(shard_id, None)
            self._save()

    def _readable_shards(self) -> list[str]:
        """Open and unfinished shards, each only once its parent is done, so a key's changes arrive
        in order across a shard split."""
        listed = {shard["ShardId"] for shard in self.shards}
        readable = []
        for shard in self.shards:
            shard_id, parent = shard["ShardId"], shard.get("ParentShardId")
            if self.positions.get(shard_id, {}).get("finished"):
                continue
            if parent in listed and not self.positions.get(parent, {}).get("finished"):
                continue
            readable.append(shard_id)
        return readable

    def _read(self, shard_id: str) -> bool:
        position = self.positions.setdefault(shard_id, {"after": None, "finished": False})
        iterator = self.iterators.pop(shard_id, None) or self._iterator(shard_id, position["after"])
        try:
            page = self.streams.get_records(ShardIterator=iterator, Limit=self.batch_size)
        except (self.streams.exceptions.ExpiredIteratorException, self.streams.exceptions.TrimmedDataAccessException):
            # The next round makes a fresh iterator from the checkpoint. DynamoDB Local numbers records
            # across all its tables, so an iterator taken while a shard was empty may point below the
            # shard's first record and read as trimmed although nothing was lost.
            return False
        records, next_iterator = page["Records"], page.get("NextShardIterator")
        if records:
            # A failed batch leaves no iterator behind: the next read starts after the checkpoint,
            # that is at the first record that was not handled.
            self._deliver(shard_id, position, records)
        if next_iterator is None:
            position["finished"] = True
            self._save()
            self.listed_at = float("-inf")  # its children are listed now
            log.info("%s finished shard %s", self.name, shard_id)
        else:
            self.iterators[shard_id] = next_iterator
        return bool(records)

    def _iterator(self, shard_id: str, after: str | None) -> str:
        args = {"StreamArn": self.stream_arn, "ShardId": shard_id}
        if after is not None:
            try:
                return self.streams.get_shard_iterator(**args, ShardIteratorType="AFTER_SEQUENCE_NUMBER",
                                                       SequenceNumber=after)["ShardIterator"]
            except self.streams.exceptions.TrimmedDataAccessException:
                log.warning("%s: records after %s in shard %s have expired; reading from the oldest one",
                            self.name, after, shard_id)
        # A shard never read starts at its oldest record whatever the handler's starting_position:
        # locally the table is as old as the stack, so this is all a trigger made with it would see.
        return self.streams.get_shard_iterator(**args, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]

    def _deliver(self, shard_id: str, position: dict, records: list[dict]) -> None:
        sequence_numbers = [record["dynamodb"]["SequenceNumber"] for record in records]
        event = {"Records": [stream_record(record, self.stream_arn, self.settings.region) for record in records]}
        failed = failed_positions(self.invoke(event), sequence_numbers)
        handled = failed[0] if failed else len(records)
        if handled:
            position["after"] = sequence_numbers[handled - 1]
            self._save()
        if failed:
            log.warning("%s reported failed items; retrying shard %s from %s", self.name, shard_id,
                        sequence_numbers[handled])
            raise HandlerFailed()

    def _save(self) -> None:
        self.checkpoints.save(self.name, self.stream_arn, self.positions)


def stream_record(record: dict, stream_arn: str, region: str) -> dict:
    """A GetRecords record as Lambda hands it over: epoch seconds, base64 binaries, the source ARN."""
    change = dict(record["dynamodb"])
    created = change.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        seconds = created.timestamp()
        change["ApproximateCreationDateTime"] = int(seconds) if seconds.is_integer() else seconds
    for image in ("Keys", "NewImage", "OldImage"):
        if image in change:
            change[image] = {name: _json_attribute(value) for name, value in change[image].items()}
    return {
        **record,
        "eventVersion": record.get("eventVersion", "1.1"),
        "eventSource": record.get("eventSource", "aws:dynamodb"),
        "awsRegion": region,  # DynamoDB Local reports its own pseudo-region
        "eventSourceARN": stream_arn,
        "dynamodb": change,
    }


def _json_attribute(value: dict) -> dict:
    (kind, content), = value.items()
    if kind == "B":
        return {kind: base64.b64encode(content).decode()}
    if kind == "BS":
        return {kind: [base64.b64encode(item).decode() for item in content]}
    if kind == "M":
        return {kind: {name: _json_attribute(item) for name, item in content.items()}}
    if kind == "L":
        return {kind: [_json_attribute(item) for item in content]}
    return {kind: content}


# ---- SQS -----------------------------------------------------------------------------------------

class QueueWorker(Worker):
    def __init__(self, app: Chalice, source: SQSEventConfig, settings: Settings,
                 stopping: threading.Event, sqs: Any):
        super().__init__(app, source, settings, stopping)
        self.queue_name = source.queue or source.queue_arn.rsplit(":", 1)[-1]
        self.batch_size = source.batch_size
        self.sqs = sqs
        self.queue_url: str | None = None
        self.queue_arn: str | None = None

    def step(self) -> float:
        if self.queue_url is None:
            self.queue_url = self.sqs.get_queue_url(QueueName=self.queue_name)["QueueUrl"]
            self.queue_arn = self.sqs.get_queue_attributes(
                QueueUrl=self.queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        messages = self._receive()
        if not messages:
            return 0.0  # the receive itself waited
        event = {"Records": [self._record(message) for message in messages]}
        try:
            failed = failed_positions(self.invoke(event), [m["MessageId"] for m in messages])
        except HandlerFailed:
            # Nothing is deleted: the messages come back after their visibility timeout, as on AWS.
            return 0.0
        if failed:
            log.warning("%s reported %d failed message(s); they come back after their visibility timeout",
                        self.name, len(failed))
        self._delete([message for index, message in enumerate(messages) if index not in failed])
        return 0.0

    def _receive(self) -> list[dict]:
        messages: list[dict] = []
        while len(messages) < self.batch_size:
            wanted = min(SQS_MAX_MESSAGES_PER_RECEIVE, self.batch_size - len(messages))
            received = self.sqs.receive_message(
                QueueUrl=self.queue_url, MaxNumberOfMessages=wanted, WaitTimeSeconds=0 if messages else 1,
                MessageSystemAttributeNames=["All"], MessageAttributeNames=["All"]).get("Messages", [])
            if not received:
                break
            messages += received
        return messages

    def _record(self, message: dict) -> dict:
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": message.get("Attributes", {}),
            "messageAttributes": {name: _lambda_message_attribute(value)
                                  for name, value in message.get("MessageAttributes", {}).items()},
            "md5OfBody": message["MD5OfBody"],
            "eventSource": "aws:sqs",
            "eventSourceARN": self.queue_arn,
            "awsRegion": self.settings.region,
        }

    def _delete(self, messages: list[dict]) -> None:
        for start in range(0, len(messages), SQS_MAX_MESSAGES_PER_RECEIVE):
            chunk = messages[start:start + SQS_MAX_MESSAGES_PER_RECEIVE]
            self.sqs.delete_message_batch(QueueUrl=self.queue_url, Entries=[
                {"Id": str(index), "ReceiptHandle": m["ReceiptHandle"]} for index, m in enumerate(chunk)])


def _lambda_message_attribute(value: dict) -> dict:
    attribute = {"stringListValues": [], "binaryListValues": [], "dataType": value["DataType"]}
    if "StringValue" in value:
        attribute["stringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        attribute["binaryValue"] = base64.b64encode(value["BinaryValue"]).decode()
    return attribute


# ---- EventBridge rules --------------------------------------------------------------------------

class EventRuleWorker(Worker):
    """An `on_cw_event` handler. On AWS its rule invokes the function with each matching event. Here
    the rule, on moto's default event bus, sends them to a queue of the local stack's own (not in the
    template: nothing deployed uses it), read here one event per invocation. Rule and queue are put
    in place whenever the worker (re)connects: moto starts empty on every run."""

    def __init__(self, app: Chalice, source: CloudWatchEventConfig, settings: Settings,
                 stopping: threading.Event, sqs: Any, events: Any):
        super().__init__(app, source, settings, stopping)
        self.event_pattern = source.event_pattern
        self.rule_name = f"{self.function_name}-event"  # the name `chalice deploy` gives the rule
        self.queue_name = f"{app.app_name}-{settings.stage}-events-{source.name}"
        self.sqs = sqs
        self.events = events
        self.queue_url: str | None = None

    def step(self) -> float:
        if self.queue_url is None:
            self._connect()
        try:
            messages = self.sqs.receive_message(
                QueueUrl=self.queue_url, MaxNumberOfMessages=SQS_MAX_MESSAGES_PER_RECEIVE, WaitTimeSeconds=1,
                MessageSystemAttributeNames=["ApproximateReceiveCount"]).get("Messages", [])
        except self.sqs.exceptions.QueueDoesNotExist:
            self.queue_url = None  # moto was reset under us: connect again
            raise
        for message in messages:
            if self.stopping.is_set():
                break  # the rest come back after their visibility timeout
            self._deliver(message)
        return 0.0  # the receive itself waited

    def _connect(self) -> None:
        # The queue's visibility timeout outlasts a handler run, so no event is handled twice at once.
        url = self.sqs.create_queue(QueueName=self.queue_name, Attributes={
            "VisibilityTimeout": str(FUNCTION_TIMEOUT_MS // 1000)})["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        self.events.put_rule(Name=self.rule_name, EventPattern=json.dumps(self.event_pattern), State="ENABLED")
        self.events.put_targets(Rule=self.rule_name, Targets=[{"Id": "local-stack", "Arn": arn}])
        self.queue_url = url

    def _deliver(self, message: dict) -> None:
        attempt = int(message["Attributes"]["ApproximateReceiveCount"])
        try:
            self.invoke(json.loads(message["Body"]))
        except HandlerFailed:
            if attempt < ASYNC_ATTEMPTS:
                # Comes back once the backoff is over (whole seconds: SQS's unit).
                self.sqs.change_message_visibility(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"],
                                                   VisibilityTimeout=math.ceil(self._backoff(attempt)))
                return
            log.error("%s failed %d times on an event; dropping it, as Lambda would", self.name, attempt)
        self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])


# ---- schedules -----------------------------------------------------------------------------------

class ScheduleWorker(Worker):
    def __init__(self, app: Chalice, source: ScheduledEventConfig, settings: Settings, stopping: threading.Event):
        super().__init__(app, source, settings, stopping)
        self.rule_arn = f"arn:aws:events:{settings.region}:{settings.account_id}:rule/{self.function_name}-event"
        self.due = time.monotonic() + settings.schedule_interval

    def step(self) -> float:
        now = time.monotonic()
        if now >= self.due:
            self.due = now + self.settings.schedule_interval
            try:
                self.invoke(self._event())
            except HandlerFailed:
                pass  # a schedule is not retried here: the next tick comes soon enough
        return max(0.0, self.due - time.monotonic())

    def _event(self) -> dict:
        return {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": self.settings.account_id,
            "time": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": self.settings.region,
            "resources": [self.rule_arn],
            "detail": {},
        }
