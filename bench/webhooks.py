"""How fast and how reliably webhooks reach a receiver under the real local stack.

    .venv/bin/python -m bench.webhooks
    .venv/bin/python -m bench.webhooks --tickets 100 --subscriptions 10 --rate 2 --json figures.json

It starts `python -m chalicelib.local.stack` as a child process (fresh state dir, free ports) and a
threaded HTTP receiver on 127.0.0.1 in this process that records each request's arrival time,
headers and body and checks its signature with the `standardwebhooks` library before answering 200.
Everything else goes through the HTTP API of the seeded demo project.

1. Idle: one subscription (`*`), then one ticket at a time, each created 1-2 s (random) after the
   previous delivery, so that a create falls anywhere in the pump's poll cycle. The first
   delivery after the stack starts is reported on its own (cold clients and connections).
2. Burst: that subscription is deleted, N subscriptions (`*`) made, and M tickets created one
   after the other, each as soon as the previous create returned (or at a fixed --rate).

Latency is the receiver's arrival time minus the moment the create request returned; both clocks
are this process's. Throughput is the deliveries over the time from sending the first create to the
last arrival. Every (ticket, subscription) pair must arrive exactly once, with a unique
`webhook-id` and a valid signature; the exit status is 1 otherwise.
"""
import argparse
import json
import math
import os
import platform
import random
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from chalicelib.local.stack_process import StackFailed, StackProcess

IDLE_PAUSE = (1.0, 2.0)        # seconds between an idle delivery and the next create
DELIVERY_TIMEOUT = 120.0       # giving up on deliveries that have not arrived
DUPLICATE_WATCH = 3.0          # keep listening this long after the last expected arrival


# ---- the receiver ------------------------------------------------------------------------------

@dataclass
class Arrival:
    at: float                  # time.perf_counter() once the body was read
    subscription: str          # the path's last segment: which subscription it was sent to
    headers: dict[str, str]
    body: bytes
    verified: bool
    ticket_id: str | None
    event_type: str | None


class Receiver:
    """Answers every POST with 200 once it has checked the signature, as a careful receiver would."""

    def __init__(self):
        self.arrivals: list[Arrival] = []
        self.secrets: dict[str, str] = {}   # path segment -> the subscription's secret
        self.changed = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                at = time.perf_counter()
                receiver.record(at, self.path, dict(self.headers), body)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        class Server(ThreadingHTTPServer):
            # The default backlog of 5 would drop connections from a batch of 10 parallel senders,
            # and a dropped SYN is retried after a second: that would be the receiver's delay.
            request_queue_size = 128
            daemon_threads = True

        self.server = Server(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, name="receiver", daemon=True).start()

    def url(self, name: str) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/hook/{name}"

    def record(self, at: float, path: str, headers: dict[str, str], body: bytes) -> None:
        name = path.rsplit("/", 1)[-1]
        verified, payload = False, None
        secret = self.secrets.get(name)
        if secret is not None:
            try:
                payload = Webhook(secret).verify(body, headers)
                verified = True
            except WebhookVerificationError:
                pass
        if payload is None:
            try:
                payload = json.loads(body)
            except ValueError:
                payload = {}
        ticket = (payload.get("data") or {}).get("ticket") or {}
        arrival = Arrival(at, name, {k.lower(): v for k, v in headers.items()}, body, verified,
                          ticket.get("id"), payload.get("type"))
        with self.changed:
            self.arrivals.append(arrival)
            self.changed.notify_all()

    def wait_for(self, condition, timeout: float) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: condition(self.arrivals), timeout)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# ---- the API -----------------------------------------------------------------------------------

class Api:
    def __init__(self, info: dict):
        self.base = f"{info['api_url']}/v1/ce/projects/{info['project_id']}"
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {info['api_key']}"

    def call(self, method: str, path: str, expected: int, **kwargs) -> dict | None:
        response = self.session.request(method, self.base + path, timeout=30, **kwargs)
        if response.status_code != expected:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text}")
        return response.json() if response.content else None

    def subscribe(self, receiver: Receiver, name: str) -> dict:
        created = self.call("POST", "/webhooks", 201, json={"name": f"bench {name}", "event_type": "*",
                                                             "url": receiver.url(name)})
        receiver.secrets[name] = created["secret"]
        return created

    def create_ticket(self, title: str) -> tuple[str, float, float]:
        """(ticket id, when the request was sent, when its answer was in)."""
        sent = time.perf_counter()
        ticket = self.call("POST", "/tickets", 201, json={"title": title, "description": "bench", "severity": "low"})
        return ticket["id"], sent, time.perf_counter()


# ---- the runs ----------------------------------------------------------------------------------

@dataclass
class Figures:
    latencies_ms: list[float] = field(default_factory=list)
    create_ms: list[float] = field(default_factory=list)
    first_latency_ms: float | None = None
    seconds: float | None = None        # the first create sent -> the last delivery in
    create_seconds: float | None = None  # the first create sent -> the last create answered
    deliveries: int = 0
    expected: int = 0
    duplicates: int = 0
    missing: int = 0
    unexpected: int = 0
    unverified: int = 0
    webhook_ids: int = 0
    id_mismatches: int = 0     # pairs with other than one webhook-id, and webhook-ids shared by pairs


def idle_run(api: Api, receiver: Receiver, repetitions: int, rng: random.Random) -> Figures:
    subscription = api.subscribe(receiver, "idle")
    figures = Figures(expected=repetitions + 1)
    seen = len(receiver.arrivals)
    created: dict[str, float] = {}
    for repetition in range(repetitions + 1):  # the first one warms the stack up
        time.sleep(rng.uniform(*IDLE_PAUSE))
        ticket_id, sent, returned = api.create_ticket(f"idle {repetition}")
        created[ticket_id] = returned
        if not receiver.wait_for(lambda arrivals: any(a.ticket_id == ticket_id for a in arrivals[seen:]),
                                 DELIVERY_TIMEOUT):
            raise RuntimeError(f"ticket {ticket_id} was not delivered within {DELIVERY_TIMEOUT:.0f} s")
        arrival = next(a for a in receiver.arrivals[seen:] if a.ticket_id == ticket_id)
        latency = (arrival.at - returned) * 1000
        if repetition == 0:
            figures.first_latency_ms = latency
        else:
            figures.latencies_ms.append(latency)
            figures.create_ms.append((returned - sent) * 1000)
    time.sleep(DUPLICATE_WATCH)
    check(figures, receiver.arrivals[seen:], {"idle"}, created)
    api.call("DELETE", f"/webhooks/{subscription['id']}", 204)
    return figures


def burst_run(api: Api, receiver: Receiver, tickets: int, subscriptions: int, rate: float) -> Figures:
    names = [f"s{n}" for n in range(subscriptions)]
    for name in names:
        api.subscribe(receiver, name)
    seen = len(receiver.arrivals)
    expected = tickets * subscriptions
    returned_at: dict[str, float] = {}
    figures = Figures(expected=expected)
    started = time.perf_counter()
    for n in range(tickets):
        if rate > 0:
            time.sleep(max(0.0, started + n / rate - time.perf_counter()))
        ticket_id, sent, returned = api.create_ticket(f"burst {n}")
        returned_at[ticket_id] = returned
        figures.create_ms.append((returned - sent) * 1000)
    figures.create_seconds = time.perf_counter() - started
    receiver.wait_for(lambda arrivals: len(arrivals) - seen >= expected, DELIVERY_TIMEOUT)
    time.sleep(DUPLICATE_WATCH)
    arrivals = receiver.arrivals[seen:]
    wanted = [a for a in arrivals if a.ticket_id in returned_at]
    figures.latencies_ms = [(a.at - returned_at[a.ticket_id]) * 1000 for a in wanted]
    if wanted:
        figures.seconds = max(a.at for a in wanted) - started
    check(figures, arrivals, set(names), returned_at)
    return figures


def check(figures: Figures, arrivals: list[Arrival], names: set[str], tickets: dict[str, float]) -> None:
    """Exactly once per (ticket, subscription), one webhook-id of its own each, every signature valid."""
    pairs = Counter((a.ticket_id, a.subscription) for a in arrivals)
    ids_of_pair: dict[tuple, set] = {}
    pairs_of_id: dict[str, set] = {}
    for a in arrivals:
        ids_of_pair.setdefault((a.ticket_id, a.subscription), set()).add(a.headers.get("webhook-id"))
        pairs_of_id.setdefault(a.headers.get("webhook-id"), set()).add((a.ticket_id, a.subscription))
    figures.deliveries = len(arrivals)
    figures.duplicates = sum(count - 1 for count in pairs.values())
    figures.webhook_ids = len(pairs_of_id)
    figures.id_mismatches = (sum(len(ids) != 1 for ids in ids_of_pair.values())
                             + sum(len(shared) != 1 for shared in pairs_of_id.values()))
    figures.unverified = sum(not a.verified for a in arrivals)
    figures.unexpected = sum(1 for ticket_id, name in pairs if name not in names or ticket_id not in tickets)
    figures.missing = sum(1 for ticket_id in tickets for name in names if (ticket_id, name) not in pairs)


# ---- report ------------------------------------------------------------------------------------

def percentile(values: list[float], fraction: float) -> float:
    """Nearest rank: the smallest value with at least `fraction` of them at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def ms(value: float) -> str:
    return f"{value:,.0f} ms"


def report(idle: Figures, burst: Figures, args, load: tuple[float, float]) -> bool:
    ok = True
    print(f"Machine: {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
          f"Python {platform.python_version()}; 1-minute load average {load[0]:.2f} before, {load[1]:.2f} after")
    print()
    print(f"Idle, 1 subscription, {len(idle.latencies_ms)} tickets one at a time:")
    print(f"  event -> delivery  p50 {ms(percentile(idle.latencies_ms, 0.5))}, "
          f"max {ms(max(idle.latencies_ms))}  (first after start: {ms(idle.first_latency_ms)})")
    print(f"  create request     p50 {ms(percentile(idle.create_ms, 0.5))}")
    ok &= summarise_checks(idle)
    print()
    pace = f"at {args.rate:g}/s" if args.rate > 0 else "back to back"
    print(f"Burst, {args.subscriptions} subscriptions, {args.tickets} tickets created {pace} "
          f"({burst.expected} deliveries expected):")
    if burst.latencies_ms:
        print(f"  event -> delivery  p50 {ms(percentile(burst.latencies_ms, 0.5))}, "
              f"p95 {ms(percentile(burst.latencies_ms, 0.95))}, max {ms(max(burst.latencies_ms))}")
        print(f"  throughput         {len(burst.latencies_ms) / burst.seconds:,.1f} deliveries/s "
              f"({len(burst.latencies_ms)} in {burst.seconds:.2f} s from the first create)")
    print(f"  create request     p50 {ms(percentile(burst.create_ms, 0.5))}; "
          f"the {args.tickets} creates took {burst.create_seconds:.2f} s")
    ok &= summarise_checks(burst)
    return ok


def summarise_checks(figures: Figures) -> bool:
    ok = not (figures.duplicates or figures.missing or figures.unexpected or figures.unverified
              or figures.id_mismatches)
    print(f"  arrived            {figures.deliveries} requests, {figures.webhook_ids} distinct webhook-ids; "
          f"missing {figures.missing}, duplicates {figures.duplicates}, unexpected {figures.unexpected}, "
          f"webhook-id mismatches {figures.id_mismatches}, bad signatures {figures.unverified} -> "
          f"{'exactly once, all verified' if ok else 'FAILED'}")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.webhooks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=100)
    parser.add_argument("--subscriptions", type=int, default=10)
    parser.add_argument("--rate", type=float, default=0.0,
                        help="tickets created per second in the burst; 0 (default): one after the other")
    parser.add_argument("--idle-repetitions", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    args = parser.parse_args(argv)

    receiver = Receiver()
    with tempfile.TemporaryDirectory(prefix="ticketry-bench-") as state_dir:
        stack = StackProcess(Path(state_dir))
        try:
            print("starting the local stack ...", file=sys.stderr)
            api = Api(stack.start())
            load_before = os.getloadavg()[0]
            print("idle run ...", file=sys.stderr)
            idle = idle_run(api, receiver, args.idle_repetitions, random.Random(args.seed))
            print("burst run ...", file=sys.stderr)
            burst = burst_run(api, receiver, args.tickets, args.subscriptions, args.rate)
            load_after = os.getloadavg()[0]
            stopped = stack.stop()
        except (StackFailed, RuntimeError, requests.RequestException) as error:
            print(f"failed: {error}", file=sys.stderr)
            if stack.output.exists():
                print(stack.output.read_text()[-5000:], file=sys.stderr)
            return 2
        finally:
            stack.kill()
            receiver.stop()
    if stopped != 0:
        print(f"the stack exited with {stopped} on SIGINT", file=sys.stderr)
    ok = report(idle, burst, args, (load_before, load_after))
    if args.json:
        args.json.write_text(json.dumps({"idle": asdict(idle), "burst": asdict(burst), "args": vars(args) | {
            "json": str(args.json)}}, indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
