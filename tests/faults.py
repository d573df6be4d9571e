"""Makes one AWS call of the code under test fail, through botocore's own event hooks: the code is
not touched, and botocore's retries, PynamoDB's error translation and the app's handling see the
failure exactly as they would see it from AWS.

A call site is the n-th call of one operation (`dynamodb TransactWriteItems #2`) made by deployed
code while a scenario's action runs (tests/aws_calls.py sees every call and tells us the client
and the thread). The fault is injected into that call's first HTTP attempt (or every attempt, to
exhaust botocore's retries):

- throttled     the service refuses the request for capacity (DynamoDB ThrottlingException, S3
                SlowDown, SES TooManyRequestsException)
- server_error  a 500 from the service
- timeout       no connection within the timeout: the request never reached the service
- lost_answer   the service did the work but its answer never came back; botocore sends the
                request again, as after a read timeout
- conditional   a DynamoDB write whose condition fails (or a transaction cancelled for it)
"""
import io
import json
import sys
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import botocore.endpoint
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ConnectTimeoutError

from tests.aws_calls import RECORDER, Call

DYNAMODB_WRITES = {"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems"}


CODE = str(Path(__file__).resolve().parents[1] / "chalicelib") + "/"


@dataclass(frozen=True)
class Site:
    service: str
    operation: str
    occurrence: int  # 1 for the first call of this operation in the action
    # Where in the code the call comes from: the app's frames, outermost first (file:line). The same
    # origin reached by another scenario is the same call site.
    origin: tuple = field(default=(), compare=False)

    def __str__(self) -> str:
        return f"{self.service} {self.operation} #{self.occurrence} ({self.origin[-1] if self.origin else '?'})"


def _origin() -> tuple:
    frames = []
    frame = sys._getframe(2)
    while frame is not None:
        if frame.f_code.co_filename.startswith(CODE):
            frames.append(f"{frame.f_code.co_filename.removeprefix(CODE)}:{frame.f_lineno}")
        frame = frame.f_back
    return tuple(reversed(frames))


def applicable(site: Site, fault: str) -> bool:
    if fault == "conditional":
        return site.service == "dynamodb" and site.operation in DYNAMODB_WRITES
    return True


class _Body(io.BytesIO):
    def stream(self, **kwargs):
        yield self.getvalue()


def error_response(client, code: str, status: int, message: str, extra: dict | None = None) -> AWSResponse:
    """An error answer in the wire format of the client's protocol, for botocore to parse."""
    protocol = client.meta.service_model.protocol
    headers = {}
    if protocol == "json":
        prefix = client.meta.service_model.metadata.get("targetPrefix", "")
        body = json.dumps({"__type": f"{prefix}#{code}", "message": message, **(extra or {})}).encode()
        headers["Content-Type"] = "application/x-amz-json-1.0"
    elif protocol == "rest-json":
        body = json.dumps({"message": message, **(extra or {})}).encode()
        headers.update({"Content-Type": "application/json", "x-amzn-ErrorType": code})
    else:  # rest-xml, query
        body = (f"<ErrorResponse><Error><Code>{code}</Code><Message>{message}</Message></Error>"
                f"<RequestId>fault</RequestId></ErrorResponse>").encode()
        if protocol == "rest-xml":
            body = f"<Error><Code>{code}</Code><Message>{message}</Message></Error>".encode()
        headers["Content-Type"] = "text/xml"
    return AWSResponse("https://fault.invalid/", status, headers, _Body(body))


def _throttled(client) -> AWSResponse:
    service = client.meta.service_model.service_name
    if service == "s3":
        return error_response(client, "SlowDown", 503, "Please reduce your request rate.")
    if service == "sesv2":
        return error_response(client, "TooManyRequestsException", 429, "Maximum sending rate exceeded.")
    return error_response(client, "ThrottlingException", 400, "Rate of requests exceeds the allowed throughput.")


def _server_error(client) -> AWSResponse:
    code = "InternalError" if client.meta.service_model.service_name == "s3" else "InternalServerError"
    return error_response(client, code, 500, "We encountered an internal error. Please try again.")


def _conditional(client, call: Call) -> AWSResponse:
    if call.operation == "TransactWriteItems":
        items = call.params.get("TransactItems", [])
        reasons = [{"Code": "ConditionalCheckFailed", "Message": "The conditional request failed"}] + \
                  [{"Code": "None"}] * (len(items) - 1)
        return error_response(client, "TransactionCanceledException", 400,
                              "Transaction cancelled, please refer cancellation reasons for specific reasons "
                              f"[{', '.join(r['Code'] for r in reasons)}]", {"CancellationReasons": reasons})
    return error_response(client, "ConditionalCheckFailedException", 400, "The conditional request failed")


class Injector:
    """Records the calls of an action and fails the one at `target` with `fault`. Install it for
    the action only (`with injector.active():`), so that set-up and checks run unharmed."""

    def __init__(self, target: Site | None = None, fault: str | None = None, every_attempt: bool = False):
        self.target, self.fault, self.every_attempt = target, fault, every_attempt
        self.sites: list[Site] = []
        self.injected = 0
        self._counts: Counter = Counter()
        self._lock = threading.Lock()
        self._local = threading.local()
        self._hooked: dict[int, object] = {}
        self._on = False

    def active(self):
        injector = self

        class Active:
            def __enter__(self):
                injector._on = True
                injector._endpoint_time = botocore.endpoint.time
                botocore.endpoint.time = _NoWaitAfterInjection(injector._endpoint_time, injector._local)
                RECORDER.observers.append(injector._observe)
                return injector

            def __exit__(self, *exc):
                injector._on = False
                botocore.endpoint.time = injector._endpoint_time
                RECORDER.observers.remove(injector._observe)
                for events in injector._hooked.values():
                    events.unregister("before-send", injector._before_send)
                    events.unregister("needs-retry", injector._needs_retry)
                injector._hooked.clear()
                return False

        return Active()

    def _observe(self, client, call: Call) -> None:
        with self._lock:
            self._counts[(call.service, call.operation)] += 1
            site = Site(call.service, call.operation, self._counts[(call.service, call.operation)], _origin())
            self.sites.append(site)
            events = client.meta.events
            if id(events) not in self._hooked:
                self._hooked[id(events)] = events
                # First, so that they run before moto's own before-send handler answers.
                events.register_first("before-send", self._before_send)
                events.register_first("needs-retry", self._needs_retry)
        armed = self._on and site == self.target
        self._local.armed = (self.fault, client, call) if armed else None
        self._local.lose_answer = False
        self._local.failed_by_us = False

    def _before_send(self, request=None, **kwargs):
        armed = getattr(self._local, "armed", None)
        if armed is None or not self._on:
            return None
        fault, client, call = armed
        if not self.every_attempt:
            self._local.armed = None
        self._local.failed_by_us = True
        with self._lock:
            self.injected += 1
        if fault in ("throttled", "server_error", "conditional"):
            # botocore asks every before-send handler and uses the first answer; moto's (the
            # in-process S3, SQS and SES) would still carry the request out: point it nowhere.
            request.url = "http://fault.invalid/"
        if fault == "throttled":
            return _throttled(client)
        if fault == "server_error":
            return _server_error(client)
        if fault == "conditional":
            return _conditional(client, call)
        if fault == "timeout":
            raise ConnectTimeoutError(endpoint_url=request.url)
        if fault == "lost_answer":
            self._local.lose_answer = True  # the request goes out; its answer is dropped below
            return None
        raise ValueError(fault)

    def _needs_retry(self, attempts=0, **kwargs):
        if getattr(self._local, "lose_answer", False):
            self._local.lose_answer = False
            return 0  # retry at once, as botocore does after a read timeout (without its wait)
        armed = getattr(self._local, "armed", None)
        if self.every_attempt and self._on and armed is not None and attempts < _max_attempts(armed[1]):
            return 0  # botocore's retries of a failing call, without their exponential waits
        return None


class _NoWaitAfterInjection:
    """botocore.endpoint's `time` while an injector is active: botocore still decides whether and
    how often to retry a call an injected fault failed, but does not wait its backoff first (up to
    seconds an attempt, which made the fault tests' time mostly sleep). Other calls wait as ever."""

    def __init__(self, real, local: threading.local):
        self._real, self._local = real, local

    def sleep(self, seconds: float) -> None:
        if not getattr(self._local, "failed_by_us", False):
            self._real.sleep(seconds)

    def __getattr__(self, name):
        return getattr(self._real, name)


def _max_attempts(client) -> int:
    """The attempts botocore makes for one call with this client's configuration."""
    retries = client.meta.config.retries or {}
    if "total_max_attempts" in retries:
        return retries["total_max_attempts"]
    if "max_attempts" in retries:
        return retries["max_attempts"] + 1
    return 3 if retries.get("mode") == "standard" else 5


class Plan:
    """Which faults to inject where, so that each call site is failed in every way that reaches
    the code, without repeating what cannot differ:

    - at every call site: a lost answer (botocore's retry meets the first attempt's work), a
      failed condition on a DynamoDB write (where asked for), and throttling on every attempt
      (botocore gives up and the code must cope);
    - once per service (each has its own client and retry configuration): throttling on the first
      attempt only (botocore must retry it) and a 500 on every attempt (the code must take it for
      the passing failure it is);
    - once per module: a timeout on the first attempt, and on every attempt (a connection error,
      not an answer).

    A call site already failed by an earlier scenario of the module (the same origin in the code,
    say the auth lookup) is not failed again. One Plan per test module."""

    def __init__(self, conditional: bool):
        self.conditional = conditional
        self.done: set = set()

    def __call__(self, sites: list[Site]):
        for site in sites:
            per_site = [("lost_answer", False), ("throttled", True)]
            if self.conditional and applicable(site, "conditional"):
                per_site.append(("conditional", False))
            keys = [((site.service, site.operation, site.origin, fault, every), fault, every) for fault, every in per_site]
            keys += [((site.service, fault, every), fault, every) for fault, every in (("throttled", False),
                                                                                       ("server_error", True))]
            keys += [((fault, every), fault, every) for fault, every in (("timeout", False), ("timeout", True))]
            for key, fault, every_attempt in keys:
                if key not in self.done:
                    self.done.add(key)
                    yield site, fault, every_attempt
