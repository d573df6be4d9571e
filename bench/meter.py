"""Counts every DynamoDB call the app makes, with what each one read, wrote and consumed.

Every model, the shared transaction connection and every table connection send their requests
through `pynamodb.connection.base.Connection._make_api_call`, so wrapping that one method sees
all of them, whichever botocore client or session PynamoDB created underneath. HTTP attempts
(retries included) are counted separately on each client's `before-send` event, so a retried
call shows up as one call with two attempts rather than being hidden.
"""
import contextlib
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterator

from pynamodb.connection.base import Connection

READ_OPERATIONS = frozenset({"GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems"})
WRITE_OPERATIONS = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})
SCANS = frozenset({"Query", "Scan"})
_HANDLER_ID = "ticketry-bench-meter"
# Module-level, so a handler left on a client by an earlier Meter still counts for the current one.
_attempts = threading.local()


@dataclass(frozen=True)
class Call:
    operation: str
    index: str | None          # the GSI a Query or Scan ran on, None for the table itself
    continued: bool            # a Query/Scan page after the first (it carried ExclusiveStartKey)
    read: int                  # items DynamoDB examined (ScannedCount for Query/Scan)
    returned: int              # items it sent back
    written: int               # items a write touched
    capacity: float            # CapacityUnits summed over the tables and indexes reported
    seconds: float
    attempts: int
    error: str | None = None


@dataclass
class Recording:
    calls: list[Call] = field(default_factory=list)

    def operations(self) -> Counter:
        return Counter(call.operation for call in self.calls)

    @property
    def scanned(self) -> int:
        """Items Query/Scan calls read (what DynamoDB charges for)."""
        return sum(call.read for call in self.calls if call.operation in SCANS)

    @property
    def matched(self) -> int:
        """Items Query/Scan calls returned after any FilterExpression."""
        return sum(call.returned for call in self.calls if call.operation in SCANS)

    @property
    def fetched(self) -> int:
        """Items read by key: GetItem, BatchGetItem, TransactGetItems."""
        return sum(call.read for call in self.calls if call.operation not in SCANS)

    @property
    def written(self) -> int:
        return sum(call.written for call in self.calls)

    @property
    def read_units(self) -> float:
        return sum(call.capacity for call in self.calls if call.operation in READ_OPERATIONS)

    @property
    def write_units(self) -> float:
        return sum(call.capacity for call in self.calls if call.operation in WRITE_OPERATIONS)

    @property
    def seconds(self) -> float:
        return sum(call.seconds for call in self.calls)

    @property
    def attempts(self) -> int:
        return sum(call.attempts for call in self.calls)


class Meter:
    """Install once (`installed()`), then wrap each measured request in `recording()`."""

    def __init__(self):
        self._local = threading.local()
        self._original = None

    @contextlib.contextmanager
    def installed(self) -> Iterator["Meter"]:
        if self._original is not None:
            raise RuntimeError("the meter is already installed")
        original = Connection._make_api_call
        meter = self

        def metered(connection: Connection, operation_name: str, operation_kwargs: dict) -> dict:
            return meter._call(original, connection, operation_name, operation_kwargs)

        self._original = original
        Connection._make_api_call = metered
        try:
            yield self
        finally:
            Connection._make_api_call = original
            self._original = None

    @contextlib.contextmanager
    def recording(self) -> Iterator[Recording]:
        recording = Recording()
        previous = getattr(self._local, "recording", None)
        self._local.recording = recording
        try:
            yield recording
        finally:
            self._local.recording = previous

    def _call(self, original, connection: Connection, operation: str, kwargs: dict) -> dict:
        recording = getattr(self._local, "recording", None)
        if recording is None:
            return original(connection, operation, kwargs)
        if operation in READ_OPERATIONS | WRITE_OPERATIONS:
            # DynamoDB reports consumed capacity only when asked. PynamoDB already asks for
            # TOTAL on every data call; this keeps the figures if that default ever changes.
            kwargs.setdefault("ReturnConsumedCapacity", "TOTAL")
        client = connection.client
        client.meta.events.register("before-send.dynamodb", _count_attempt, unique_id=_HANDLER_ID)
        _attempts.count = 0
        started = time.perf_counter()
        try:
            response = original(connection, operation, kwargs)
        except Exception as error:
            elapsed = time.perf_counter() - started
            recording.calls.append(_describe(operation, kwargs, {}, elapsed, _attempts.count,
                                             error=type(error).__name__))
            raise
        elapsed = time.perf_counter() - started
        recording.calls.append(_describe(operation, kwargs, response, elapsed, _attempts.count))
        return response


def _count_attempt(**_) -> None:
    _attempts.count = getattr(_attempts, "count", 0) + 1


def _describe(operation: str, kwargs: dict, response: dict, seconds: float, attempts: int,
              error: str | None = None) -> Call:
    read = returned = written = 0
    if operation in ("Query", "Scan"):
        returned = int(response.get("Count", 0))
        read = int(response.get("ScannedCount", returned))
    elif operation == "GetItem":
        read = returned = 1 if response.get("Item") else 0
    elif operation == "BatchGetItem":
        read = returned = sum(len(items) for items in response.get("Responses", {}).values())
    elif operation == "TransactGetItems":
        read = returned = sum(1 for entry in response.get("Responses", []) if entry.get("Item"))
    elif operation == "TransactWriteItems":
        written = len(kwargs.get("TransactItems", ()))
    elif operation == "BatchWriteItem":
        written = sum(len(requests) for requests in kwargs.get("RequestItems", {}).values())
    elif operation in WRITE_OPERATIONS:
        written = 1
    return Call(
        operation=operation,
        index=kwargs.get("IndexName"),
        continued="ExclusiveStartKey" in kwargs,
        read=read,
        returned=returned,
        written=written,
        capacity=_capacity(response.get("ConsumedCapacity")),
        seconds=seconds,
        attempts=attempts,
        error=error,
    )


def _capacity(consumed) -> float:
    if consumed is None:
        return 0.0
    if isinstance(consumed, dict):
        consumed = [consumed]
    return float(sum(entry.get("CapacityUnits", 0.0) for entry in consumed))
