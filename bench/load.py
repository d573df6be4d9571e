"""Load on the whole local stack: simulated people triaging tickets, with a webhook receiver that
is healthy, then slow and failing for a while.

    .venv/bin/python -m bench.load                                   # 30 users, 60 s per phase
    .venv/bin/python -m bench.load --users 5 --seconds 10 --json figures.json

It starts `python -m chalicelib.local.stack` as a child process (fresh state dir, free ports, all on
127.0.0.1), subscribes a receiver in this process to every event (`*`), seeds tickets, then runs
locust (as a library) with USERS simulated people for two phases of SECONDS each:

1. healthy: the receiver answers 200 at once;
2. receiver in trouble: from the phase's start, every delivery takes 2 s and half of them are
   answered 500, until it has answered --trouble deliveries so (300; deliveries trail the
   requests, so this may outlast the requests); then it recovers.

Each person, between pauses of 0.5-1.5 s, does one of (by weight): create (3), update (3),
comment (3), search with `q` (3), search with filters and sort orders (2), get a ticket with its
details (4), list views and run one (1), bulk change of 10 tickets with a comment (1), attachment
upload (1: start, the file to S3 through the presigned form, complete).

After each phase it waits until every event the phase made has been delivered. The events are
counted on the client side from the answers (each create, change, comment, bulk result and
completed upload is one event, or two for a bulk change with its comment) and must each arrive
with one `webhook-id`, answered 2xx once; repeats of an id after a 500 are retries, a second 2xx
of an id is a duplicate. Reported per request kind: requests, requests/s, p50/p95/p99 ms, errors
(any answer other than the expected one, or no answer). The exit status is 1 on any error, any
undelivered event or any duplicate.
"""
from locust import HttpUser, between, task  # first: locust patches the standard library for gevent
from locust.env import Environment

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import random  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from collections import Counter, defaultdict  # noqa: E402
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402
import requests  # noqa: E402

from chalicelib.local.stack_process import StackProcess  # noqa: E402

WORDS = ("disk", "latency", "timeout", "database", "checkout", "certificate", "memory", "queue", "backup",
         "deploy", "login", "payment", "replica", "cache", "network", "printer")
TAGS = ("db", "network", "auth", "billing", "frontend", "infra")
SEVERITIES = ("low", "medium", "high", "critical")
SEARCHES = ("status=open&sort=severity", "severity=high,critical&status=open", "tags=db&sort=updated",
            "assignee=none&status=new", "status=open&sort=due", "tags=network,infra&severity=medium",
            "sort=-created", "status=open&assignee=me")
SEED_TICKETS = 50
DRAIN_TIMEOUT = 900.0


# ---- the receiver ------------------------------------------------------------------------------

class Receiver:
    """Records each delivery; in trouble, answers after `delay` seconds and fails `failing` of them."""

    def __init__(self):
        self.lock = threading.Lock()
        self.ok = Counter()            # webhook-id -> 2xx answers given
        self.failed = Counter()        # webhook-id -> 500s given
        self.bodies = defaultdict(set)
        self.delay, self.failing = 0.0, 0.0
        self.in_trouble = 0             # requests answered while in trouble
        self.rng = random.Random(7)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                webhook_id = self.headers.get("webhook-id", "")
                if receiver.delay:
                    time.sleep(receiver.delay)
                with receiver.lock:
                    receiver.in_trouble += 1 if receiver.failing else 0
                    fail = receiver.rng.random() < receiver.failing
                    (receiver.failed if fail else receiver.ok)[webhook_id] += 1
                    receiver.bodies[webhook_id].add(body)
                self.send_response(500 if fail else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def trouble(self, on: bool) -> None:
        self.delay, self.failing = (2.0, 0.5) if on else (0.0, 0.0)

    def snapshot(self) -> tuple[Counter, Counter]:
        with self.lock:
            return Counter(self.ok), Counter(self.failed)


# ---- the simulated people ---------------------------------------------------------------------

class World:
    """What the people share: the stack, the tickets made so far, and the events their answers made."""
    host = ""
    api = ""
    key = ""
    tickets: list[str] = []
    events = 0
    views: list[str] = []


def title() -> str:
    return " ".join(random.sample(WORDS, 3)) + f" on host-{random.randint(1, 40)}"


class Triager(HttpUser):
    wait_time = between(0.5, 1.5)

    def on_start(self):
        self.client.headers.update({"Authorization": f"Bearer {World.key}", "Content-Type": "application/json"})

    def _call(self, method: str, path: str, kind: str, expected: int, **kwargs):
        with self.client.request(method, World.api + path, name=kind, catch_response=True, **kwargs) as response:
            if response.status_code != expected:
                response.failure(f"{response.status_code}: {response.text[:200]}")
                return None
            response.success()
            return response.json() if response.content else {}

    def _ticket(self) -> str:
        return random.choice(World.tickets)

    @task(3)
    def create(self):
        made = self._call("POST", "/tickets", "create", 201, json={
            "title": title(), "description": " ".join(random.choices(WORDS, k=12)),
            "severity": random.choice(SEVERITIES), "tags": random.sample(TAGS, random.randint(0, 2))})
        if made is not None:
            World.tickets.append(made["id"])
            World.events += 1

    @task(3)
    def update(self):
        change = {"title": f"{title()} #{uuid.uuid4().hex[:6]}"}  # always a change: one event
        change |= random.choice([{}, {"severity": random.choice(SEVERITIES)}, {"tags": random.sample(TAGS, 2)}])
        if self._call("PATCH", f"/tickets/{self._ticket()}", "update", 200, json=change) is not None:
            World.events += 1

    @task(3)
    def comment(self):
        body = {"comment": " ".join(random.choices(WORDS, k=8))}
        if self._call("POST", f"/tickets/{self._ticket()}/comments", "comment", 201, json=body) is not None:
            World.events += 1

    @task(3)
    def search_words(self):
        query = random.choice(WORDS)[:random.randint(3, 8)] + random.choice(["", "&status=open", "&severity=high"])
        self._call("GET", f"/tickets?q={query}", "search q", 200)

    @task(2)
    def search_filters(self):
        self._call("GET", f"/tickets?{random.choice(SEARCHES)}", "search filters", 200)

    @task(4)
    def get(self):
        self._call("GET", f"/tickets/{self._ticket()}", "get ticket", 200)

    @task(1)
    def views(self):
        listed = self._call("GET", "/views", "list views", 200)
        if listed and listed["data"]:
            view = random.choice(listed["data"])
            self._call("GET", f"/tickets?{view['query']}", "run view", 200)

    @task(1)
    def bulk(self):
        ids = random.sample(World.tickets, 10)
        answer = self._call("POST", "/tickets/bulk", "bulk change", 200, json={
            "ticket_ids": ids, "change": {"add_tags": [f"batch-{uuid.uuid4().hex[:8]}"]}, "comment": "triaged"})
        if answer is not None:
            for result in answer["results"]:
                if result["status"] == 200:
                    World.events += 2  # the new tag, and the comment
                else:
                    self.environment.events.request.fire(
                        request_type="POST", name="bulk change (ticket)", response_time=0, response_length=0,
                        exception=RuntimeError(f"{result['status']}: {result['error']}"))

    @task(1)
    def attach(self):
        ticket = self._ticket()
        content = os.urandom(random.randint(200, 20_000))
        started = self._call("POST", f"/tickets/{ticket}/attachments", "attachment start", 201, json={
            "file_name": "trace.bin", "content_type": "application/octet-stream", "size": len(content)})
        if started is None:
            return
        form = started["upload"]
        with self.client.post(form["url"], data=form["fields"], files={"file": ("trace.bin", content)},
                              headers={"Authorization": None, "Content-Type": None},
                              name="attachment to S3 (presigned)", catch_response=True) as posted:
            if posted.status_code != 204:
                posted.failure(f"{posted.status_code}: {posted.text[:200]}")
                return
            posted.success()
        done = self._call("POST", f"/tickets/{ticket}/attachments/{started['attachment']['id']}/complete",
                          "attachment complete", 200)
        if done is not None:
            World.events += 1


# ---- the run ------------------------------------------------------------------------------------

def seed(info: dict, receiver: Receiver) -> None:
    World.host = info["api_url"]
    World.api = f"/v1/ce/projects/{info['project_id']}"
    World.key = info["api_key"]
    session = requests.Session()
    session.headers.update({"Authorization": f"Bearer {World.key}"})
    base = World.host + World.api
    hook = session.post(base + "/webhooks", json={"name": "load", "event_type": "*", "url": receiver.url})
    hook.raise_for_status()
    for name, query in (("DB alerts", "tags=db&severity=critical,high"), ("Open, by severity", "status=open&sort=severity")):
        session.post(base + "/views", json={"name": name, "query": query, "shared": True}).raise_for_status()
    for _ in range(SEED_TICKETS):
        made = session.post(base + "/tickets", json={
            "title": title(), "description": " ".join(random.choices(WORDS, k=12)),
            "severity": random.choice(SEVERITIES), "tags": random.sample(TAGS, random.randint(0, 2))})
        made.raise_for_status()
        World.tickets.append(made.json()["id"])
        World.events += 1


def run_phase(name: str, users: int, seconds: float, receiver: Receiver, trouble: int) -> dict:
    Triager.host = World.host
    environment = Environment(user_classes=[Triager], host=World.host)
    runner = environment.create_local_runner()
    events_before = World.events
    ok_before, _ = receiver.snapshot()
    started = time.monotonic()
    if trouble:
        receiver.trouble(True)
    runner.start(users, spawn_rate=max(1, users / 3))
    gevent.sleep(seconds)
    runner.quit()
    duration = time.monotonic() - started
    troubled_for = 0.0
    if trouble:
        # Deliveries trail the requests: the receiver stays in trouble until it has answered
        # `trouble` deliveries so (or ten minutes), then recovers.
        while receiver.in_trouble < trouble and time.monotonic() - started < 600:
            gevent.sleep(0.5)
        receiver.trouble(False)
        troubled_for = time.monotonic() - started
    stats = environment.stats
    kinds = {}
    for entry in sorted(stats.entries.values(), key=lambda e: e.name):
        kinds[entry.name] = {
            "requests": entry.num_requests, "errors": entry.num_failures,
            "per_second": round(entry.num_requests / duration, 2),
            "p50_ms": entry.get_response_time_percentile(0.5), "p95_ms": entry.get_response_time_percentile(0.95),
            "p99_ms": entry.get_response_time_percentile(0.99)}
    total = stats.total
    api_kinds = [e for e in stats.entries.values() if "S3" not in e.name and e.name != "bulk change (ticket)"]
    figures = {
        "phase": name, "users": users, "seconds": round(duration, 1), "trouble_requests": receiver.in_trouble if trouble else 0,
        "trouble_seconds": round(troubled_for, 1), "kinds": kinds,
        "api": {"requests": sum(e.num_requests for e in api_kinds),
                "per_second": round(sum(e.num_requests for e in api_kinds) / duration, 2),
                "p50_ms": total.get_response_time_percentile(0.5), "p95_ms": total.get_response_time_percentile(0.95),
                "p99_ms": total.get_response_time_percentile(0.99)},
        "errors": total.num_failures,
        "error_samples": [f"{e.name}: {e.error} x{e.occurrences}" for e in list(stats.errors.values())[:10]],
    }
    receiver.in_trouble = 0
    figures["deliveries"] = drain(receiver, World.events, ok_before, events_before)
    return figures


def drain(receiver: Receiver, expected_total: int, ok_before: Counter, events_before: int) -> dict:
    """Waits until every event so far has been answered 2xx once; reports this phase's share."""
    started = time.monotonic()
    while time.monotonic() - started < DRAIN_TIMEOUT:
        ok, _ = receiver.snapshot()
        if len(ok) >= expected_total:
            break
        gevent.sleep(0.5)
    gevent.sleep(3)  # room for a duplicate to show up
    ok, failed = receiver.snapshot()
    new_ids = set(ok) - set(ok_before)
    return {
        "events": expected_total - events_before, "delivered": len(new_ids),
        "undelivered_so_far": max(0, expected_total - len(ok)),
        "duplicates": sum(count - 1 for count in ok.values() if count > 1),
        "answered_500": sum(failed[i] for i in failed),
        "ids_with_differing_bodies": sum(1 for bodies in receiver.bodies.values() if len(bodies) > 1),
        "drained_after_s": round(time.monotonic() - started, 1),
    }


def report(phases: list[dict], load: tuple[float, float]) -> str:
    lines = [f"Load average (1 min) before {load[0]:.2f}, after {load[1]:.2f}; {os.cpu_count()} CPUs; "
             f"Python {platform.python_version()}", ""]
    for figures in phases:
        d = figures["deliveries"]
        lines += [f"### {figures['phase']}: {figures['users']} users, {figures['seconds']} s"
                  + (f"; receiver slow (2 s) and failing (50 % 500) from the start for {figures['trouble_seconds']:.0f} s "
                     f"({figures['trouble_requests']} deliveries answered so)" if figures["trouble_requests"] else ""), "",
                  "| Request | Requests | Requests/s | p50 ms | p95 ms | p99 ms | Errors |",
                  "|---|---|---|---|---|---|---|"]
        for name, k in figures["kinds"].items():
            lines.append(f"| {name} | {k['requests']} | {k['per_second']} | {k['p50_ms']:.0f} | {k['p95_ms']:.0f} | "
                         f"{k['p99_ms']:.0f} | {k['errors']} |")
        a = figures["api"]
        lines += [f"| **all API requests** | {a['requests']} | {a['per_second']} | {a['p50_ms']:.0f} | "
                  f"{a['p95_ms']:.0f} | {a['p99_ms']:.0f} | {figures['errors']} |", "",
                  f"Webhooks: {d['events']} events made in the phase; {d['delivered']} ids first answered 2xx "
                  f"while waiting for them (the phase's and any earlier backlog), {d['undelivered_so_far']} events "
                  f"undelivered, {d['duplicates']} duplicates (an id answered 2xx twice), {d['answered_500']} "
                  f"attempts answered 500 so far, {d['ids_with_differing_bodies']} ids with differing bodies; all "
                  f"delivered {d['drained_after_s']} s after the phase's requests ended.", ""]
        if figures["error_samples"]:
            lines += ["Errors: " + "; ".join(figures["error_samples"]), ""]
    return "\n".join(lines)


def passed(phases: list[dict]) -> bool:
    return all(f["errors"] == 0 and f["deliveries"]["undelivered_so_far"] == 0 and f["deliveries"]["duplicates"] == 0
               and f["deliveries"]["ids_with_differing_bodies"] == 0 for f in phases)


def run(users: int, seconds: float, trouble: int = 300, log=print) -> list[dict]:
    random.seed(12)
    World.tickets, World.events = [], 0
    receiver = Receiver()
    with tempfile.TemporaryDirectory(prefix="ticketry-load-") as folder:
        stack = StackProcess(Path(folder), ready_timeout=240)
        try:
            info = stack.start()
            log(f"stack up at {info['api_url']}; seeding {SEED_TICKETS} tickets")
            seed(info, receiver)
            phases = []
            log(f"phase 1: {users} users, {seconds} s, healthy receiver")
            phases.append(run_phase("healthy receiver", users, seconds, receiver, 0))
            log(f"phase 2: {users} users, {seconds} s, receiver slow and failing for {trouble} deliveries")
            phases.append(run_phase("receiver in trouble", users, seconds, receiver, trouble))
            stack.stop()
            return phases
        finally:
            stack.kill()
            receiver.server.shutdown()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=60.0, help="length of each phase")
    parser.add_argument("--trouble", type=int, default=300,
                        help="deliveries the receiver answers slowly, half of them with 500, in phase 2")
    parser.add_argument("--json", type=Path, help="write the raw figures here too")
    args = parser.parse_args(argv)
    before = os.getloadavg()[0]
    phases = run(args.users, args.seconds, args.trouble, log=lambda m: print(m, file=sys.stderr))
    print(report(phases, (before, os.getloadavg()[0])))
    if args.json:
        args.json.write_text(json.dumps(phases, indent=2))
    ok = passed(phases)
    if not ok:
        print("FAILED: errors, undelivered events or duplicates (see above)", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
