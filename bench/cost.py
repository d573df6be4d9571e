"""What each endpoint costs in DynamoDB calls, items read and capacity, and how long it takes.

    .venv/bin/python -m bench.cost                                   # quick: 1,000 tickets
    .venv/bin/python -m bench.cost --tickets 1000,10000 --repetitions 50

For each project size it starts a fresh in-memory DynamoDB Local, creates the tables from
infra/resources.json, bootstraps a project through PeopleService, loads that many tickets, runs the
tickets table's stream through the app's stream handler (bench.counting: the partition counts by
which a search chooses its driving index), and then sends real HTTP requests to the app through
chalice's test client. Every DynamoDB call the app makes while a request runs is counted
(bench.meter), so the figures are what the code does, not what it is meant to do. Each scenario is checked against the call counts the product claims.
"""
import argparse
import contextlib
import json
import math
import os
import platform
import random
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Iterator

import boto3
from chalice.test import Client

from app import app
from bench import counting, dataset, words
from bench.meter import Meter, Recording
from chalicelib import config
from chalicelib.adapters.dynamodb import models
from chalicelib.adapters.dynamodb.account_sessions import DynamoAccountSessions
from chalicelib.adapters.dynamodb.tables import DirectoryRepository
from chalicelib.adapters.dynamodb.models import PROJECT_SK, ProjectItem, project_pk
from chalicelib.domain.accounts import EMAIL_CODE, SESSION_COOKIE, Account
from chalicelib.domain.clock import new_id, now_iso
from chalicelib.domain import text
from chalicelib.domain.people import Member, Team
from chalicelib.local import dynamodb_local, provision
from chalicelib.services.people import PeopleService
from chalicelib.services.registry import services
from chalicelib.services.sessions import SessionService

ROOT = Path(__file__).resolve().parents[1]
# A stage that .chalice/config.json does not declare: the test client then adds no variables of its
# own to a request, and the app sees exactly the environment set here.
STAGE = "bench"
PROJECT_KEY = "BENCH"
PAGE = "/v1/ce/projects/{project_id}/tickets"


def environment(endpoint: str) -> dict[str, str]:
    """The settings the app reads, pointed at DynamoDB Local with throwaway credentials."""
    return {
        config.DYNAMODB_ENDPOINT_URL: endpoint,
        config.AWS_REGION: "us-east-1",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        config.CURSOR_SIGNING_KEY: "bench-cursor-signing-key",
        **provision.environment(STAGE),
    }


def rebind() -> None:
    """Makes the models and the cached services pick up the current environment."""
    models.rebind()
    services.cache_clear()


@contextlib.contextmanager
def restored_environment(names: Iterable[str], rebind: Callable[[], None] = rebind) -> Iterator[None]:
    """Puts these variables back as they were on the way out, and rebinds to them."""
    saved = {name: os.environ.get(name) for name in names}
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        rebind()


# ---- the project under test ------------------------------------------------------------------

@dataclass
class BenchProject:
    client: object
    project_id: str
    token: str
    admin_id: str
    people: dataset.People
    tickets: list[dataset.LoadedTicket]
    items_loaded: int
    load_seconds: float
    counting: counting.Counting
    partition_sizes: dict[tuple[str, str], int]   # (search index, value) -> tickets, as counted
    rare_word: str                                 # a word in about 0.1 % of the tickets
    session_cookie: str                            # a signed-in admin's, as the web UI sends it

    def headers(self, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json", **extra}

    def signed_in_headers(self, **extra: str) -> dict[str, str]:
        return {"Cookie": f"{SESSION_COOKIE}={self.session_cookie}", "Sec-Fetch-Site": "same-origin",
                "Content-Type": "application/json", **extra}


def dynamodb_client(endpoint: str, service: str = "dynamodb"):
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id="bench", aws_secret_access_key="bench")


def prepare(dynamodb, ticket_count: int) -> BenchProject:
    """Tables, a project with members and teams, and `ticket_count` tickets counted by the stream
    consumer; the app bound to them.

    The environment must already point at `dynamodb`'s endpoint (see `environment`).
    """
    provision.create_tables(dynamodb, STAGE)
    rebind()
    directory = DirectoryRepository()
    project, admin, issued = PeopleService(directory).create_project("Bench", PROJECT_KEY, "admin@bench.example")
    members = [admin.user_id]
    for n in range(4):
        member = Member(user_id=new_id(), email=f"member{n}@bench.example", name=f"Member {n}", role="member",
                        created_at=now_iso())
        directory.add_member(project.id, member)
        members.append(member.user_id)
    teams = []
    for name in ("oncall", "platform"):
        team = Team(id=new_id(), name=name, email=None, members=tuple(members[1:3]), created_at=now_iso())
        directory.save_team(project.id, team, new=True)
        teams.append(team.id)
    people = dataset.People(tuple(members), tuple(teams), ("automation:alertmanager",))
    account = Account(id=new_id(), email="signed-in@bench.example", name="Signed In", created_at=now_iso())
    directory.add_member(project.id, Member(user_id=new_id(), email=account.email, name=account.name, role="admin",
                                            created_at=now_iso(), account_id=account.id), account)
    _, cookie = SessionService(DynamoAccountSessions(), directory).start(account, EMAIL_CODE, None, "bench")

    tickets = dataset.generate(project.id, project.key, people, ticket_count)
    started = time.perf_counter()
    load_term_index(dynamodb, project.id, tickets)
    written = dataset.load(dynamodb, config.tickets_table(), tickets)
    load_seconds = time.perf_counter() - started
    # The API numbers tickets from the project's counter; keep it in step with the loaded ones.
    ProjectItem(project_pk(project.id), PROJECT_SK).update(actions=[ProjectItem.ticket_counter.set(ticket_count)])
    # Every loaded item is one record on the tickets stream; the consumer turns them into the
    # partition counts that a search with filters on several indexes reads.
    counted = counting.pump_tickets_stream(dynamodb, dynamodb_client(dynamodb.meta.endpoint_url, "dynamodbstreams"),
                                           written)
    sizes = counting.check_counts(project.id, tickets)

    client = Client(app, stage_name=STAGE, project_dir=str(ROOT))
    return BenchProject(client, project.id, issued.token, admin.user_id, people, tickets, written, load_seconds,
                        counted, sizes, rare_word(tickets), cookie.value())


def rare_word(tickets: list[dataset.LoadedTicket]) -> str:
    """The word whose share of tickets is nearest 0.1 % (at least two tickets)."""
    seen = Counter(word for loaded in tickets
                   for word in text.terms(loaded.ticket.title, loaded.ticket.description))
    wanted = max(2, len(tickets) // 1000)
    return min(seen, key=lambda word: (abs(seen[word] - wanted), word))


def load_term_index(dynamodb, project_id: str, tickets: list[dataset.LoadedTicket]) -> None:
    """The term index and its counts as the stream's consumer leaves them, written while the
    tickets table's stream is off: at ~140 term items a ticket, streaming them all through the
    consumer would take far longer than the benchmark. The consumer still sees every ticket's
    history afterwards and finds its terms indexed already (it writes only a difference)."""
    table = config.tickets_table()
    view = dynamodb.describe_table(TableName=table)["Table"]["StreamSpecification"]["StreamViewType"]
    dynamodb.update_table(TableName=table, StreamSpecification={"StreamEnabled": False})
    dataset.load(dynamodb, table, tickets, of=dataset.term_items)
    dataset.write_items(dynamodb, config.directory_table(), dataset.term_counts(project_id, tickets))
    dynamodb.update_table(TableName=table, StreamSpecification={"StreamEnabled": True, "StreamViewType": view})


# ---- scenarios -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: dict | None = None
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 200


@dataclass(frozen=True)
class Scenario:
    name: str
    claim: dict[str, int] | None   # DynamoDB calls per request the product claims; None: no claim
    writes: bool
    build: Callable[[BenchProject, dict, int], Request]


AUTH = {"BatchGetItem": 1}
# A search with filters on two or more indexes first reads those indexes' partition counts.
SIZES = {"BatchGetItem": 1}


def _calls_of(*parts: dict[str, int]) -> dict[str, int]:
    return dict(sum((Counter(part) for part in parts), Counter()))


def _signed_in(build: Callable[[BenchProject, dict, int], Request]) -> Callable[[BenchProject, dict, int], Request]:
    """The same request from the web UI: the session cookie instead of the key."""
    def signed_in(fx: BenchProject, state: dict, n: int) -> Request:
        request = build(fx, state, n)
        extra = {name: value for name, value in request.headers.items() if name not in fx.headers()}
        return replace(request, headers=fx.signed_in_headers(**extra))
    return signed_in


def _search(query: str) -> Callable[[BenchProject, dict, int], Request]:
    def build(fx: BenchProject, state: dict, _: int) -> Request:
        path = PAGE.format(project_id=fx.project_id)
        return Request("GET", f"{path}?{query}" if query else path, headers=fx.headers())
    return build


def _rare_word(*extra: str) -> Callable[[BenchProject, dict, int], Request]:
    def build(fx: BenchProject, state: dict, n: int) -> Request:
        return _search("&".join((f"q={fx.rare_word}", *extra)))(fx, state, n)
    return build


def _member_filter(template: str) -> Callable[[BenchProject, dict, int], Request]:
    def build(fx: BenchProject, state: dict, n: int) -> Request:
        return _search(template.format(member=fx.people.members[1]))(fx, state, n)
    return build


def _second_page(fx: BenchProject, state: dict, _: int) -> Request:
    if "cursor" not in state:
        first = fx.client.http.get(PAGE.format(project_id=fx.project_id), headers=fx.headers())
        state["cursor"] = json.loads(first.body)["cursor"]
    path = PAGE.format(project_id=fx.project_id)
    return Request("GET", f"{path}?cursor={state['cursor']}", headers=fx.headers())


def _undated_page(template: str) -> Callable[[BenchProject, dict, int], Request]:
    """A page of the tickets `sort=due` lists after the dated ones: the cursor of the first page
    that reaches them is found once, unmeasured (pages of 100)."""
    def build(fx: BenchProject, state: dict, _: int) -> Request:
        path = PAGE.format(project_id=fx.project_id)
        query = template.format(member=fx.people.members[1])
        if "cursor" not in state:
            cursor = None
            while True:
                page = json.loads(fx.client.http.get(f"{path}?{query}&limit=100" + (f"&cursor={cursor}" if cursor else ""),
                                                     headers=fx.headers()).body)
                cursor = page["cursor"]
                if cursor is None or any(ticket["due_date"] is None for ticket in page["data"]):
                    break
            state["cursor"] = cursor
        return Request("GET", f"{path}?{query}&cursor={state['cursor']}", headers=fx.headers())
    return build


def _reporter_page(fx: BenchProject, state: dict, n: int) -> Request:
    return _search(f"reporter={fx.people.members[1]}")(fx, state, n)


def _detail(fx: BenchProject, state: dict, n: int) -> Request:
    # Rotate over tickets spread across the project, so no single item collection is favoured.
    sample = fx.tickets[:: max(1, len(fx.tickets) // 25)][:25]
    ticket = sample[n % len(sample)].ticket
    return Request("GET", f"{PAGE.format(project_id=fx.project_id)}/{ticket.id}", headers=fx.headers())


def _create(**extra) -> Callable[[BenchProject, dict, int], Request]:
    def build(fx: BenchProject, state: dict, n: int) -> Request:
        # Fresh keys every time: a repeated one would take the replay or duplicate path instead.
        unique = f"bench-{new_id(8)}"
        body = {"title": f"Bench ticket {n}", "description": "Created by the cost benchmark.",
                "severity": "high", "tags": ["db", "network"]}
        headers = fx.headers()
        if extra.get("assignee"):
            body["assignee"] = fx.people.members[1]
        if extra.get("dedup"):
            body["dedup_key"] = unique
        if extra.get("idempotency"):
            headers["Idempotency-Key"] = unique
        return Request("POST", PAGE.format(project_id=fx.project_id), body=body, headers=headers, status=201)
    return build


BULK_TICKETS = 100
SEVERITIES = ("critical", "high", "medium", "low")
CHANGED = slice(-50, None)   # the newest tickets: neither bulk scenario touches them


def _change_status(fx: BenchProject, state: dict, n: int) -> Request:
    # Each request moves another ticket, to whichever of two open statuses it is not in.
    loaded = fx.tickets[CHANGED][n % 50].ticket
    status = "in_progress" if state.get(loaded.id, loaded.status) == "acknowledged" else "acknowledged"
    state[loaded.id] = status
    return Request("PATCH", f"{PAGE.format(project_id=fx.project_id)}/{loaded.id}", body={"status": status},
                   headers=fx.headers())


def _comment(fx: BenchProject, state: dict, n: int) -> Request:
    loaded = fx.tickets[CHANGED][n % 50].ticket
    comment = words.sentence(random.Random(f"comment-{n}"), 12)
    return Request("POST", f"{PAGE.format(project_id=fx.project_id)}/{loaded.id}/comments",
                   body={"comment": comment}, headers=fx.headers(), status=201)


def _comments(fx: BenchProject, state: dict, n: int) -> Request:
    # The tickets the comment scenario comments on: their comments are items and, from the
    # dataset, history entries alike.
    loaded = fx.tickets[CHANGED][n % 50].ticket
    return Request("GET", f"{PAGE.format(project_id=fx.project_id)}/{loaded.id}/comments", headers=fx.headers())


def _made_comment(fx: BenchProject, state: dict) -> str:
    """The path of a comment made through the API (so with its own item), made once, unmeasured."""
    if "comment" not in state:
        loaded = fx.tickets[CHANGED][0].ticket
        path = f"{PAGE.format(project_id=fx.project_id)}/{loaded.id}/comments"
        made = fx.client.http.post(path, body=json.dumps({"comment": "Rotated the logs"}).encode(), headers=fx.headers())
        state["comment"], state["version"] = f"{path}/{json.loads(made.body)['id']}", 0
    return state["comment"]


def _read_comment(fx: BenchProject, state: dict, _: int) -> Request:
    return Request("GET", _made_comment(fx, state), headers=fx.headers())


def _edit_comment(fx: BenchProject, state: dict, n: int) -> Request:
    path = _made_comment(fx, state)
    version, state["version"] = state["version"], state["version"] + 1
    return Request("PATCH", path, body={"comment": words.sentence(random.Random(f"edit-{n}"), 12)},
                   headers=fx.headers() | {"If-Match": f'"{version}"'})


def _bulk(comment: bool = False) -> Callable[[BenchProject, dict, int], Request]:
    def build(fx: BenchProject, state: dict, n: int) -> Request:
        # The same 100 tickets, by key, each time to another severity than the request before:
        # after the first request every ticket really changes. With a comment, the next 100, so
        # that the two scenarios do not do each other's work.
        first = BULK_TICKETS if comment else 0
        keys = [loaded.ticket.key for loaded in fx.tickets[first:first + BULK_TICKETS]]
        body = {"ticket_ids": keys, "change": {"severity": SEVERITIES[n % len(SEVERITIES)]}}
        headers = fx.headers()
        if comment:
            body["comment"] = f"Bulk comment {n}"
            headers["Idempotency-Key"] = f"bench-{new_id(8)}"
        return Request("POST", PAGE.format(project_id=fx.project_id) + "/bulk", body=body, headers=headers)
    return build


SCENARIOS = [
    Scenario("create ticket", AUTH | {"UpdateItem": 1, "TransactWriteItems": 1}, True, _create()),
    Scenario("create, assignee given", None, True, _create(assignee=True)),
    Scenario("create, dedup_key given", None, True, _create(dedup=True)),
    Scenario("create, Idempotency-Key given", None, True, _create(idempotency=True)),
    Scenario("change a ticket's status", AUTH | {"GetItem": 1, "TransactWriteItems": 1}, True, _change_status),
    Scenario("comment (12 words)", AUTH | {"GetItem": 1, "TransactWriteItems": 1}, True, _comment),
    # The ticket's owner, then its comment items and its COMMENT_ADDED entries, one Query each.
    Scenario("list a ticket's comments", AUTH | {"GetItem": 1, "Query": 2}, False, _comments),
    # The ticket's owner, then the ticket's comment items, filtered by the id (the comment's key
    # starts with its time, which the id does not tell).
    Scenario("read a comment", AUTH | {"GetItem": 1, "Query": 1}, False, _read_comment),
    # The live ticket, the comment, and one transaction: the ticket's condition, the comment, its entry.
    Scenario("edit a comment (12 words)", AUTH | {"GetItem": 1, "Query": 1, "TransactWriteItems": 1}, True,
             _edit_comment),
    Scenario("get ticket with details", AUTH | {"Query": 1}, False, _detail),
    Scenario("list page (no filter)", AUTH | {"Query": 1}, False, _search("")),
    # Signed in with a session cookie: the session, the project and the role in the one BatchGetItem
    # a key's request reads (and an UpdateItem of the session's last use at most once an hour).
    Scenario("create ticket, signed in", AUTH | {"UpdateItem": 1, "TransactWriteItems": 1}, True, _signed_in(_create())),
    Scenario("get ticket with details, signed in", AUTH | {"Query": 1}, False, _signed_in(_detail)),
    Scenario("list page (no filter), signed in", AUTH | {"Query": 1}, False, _signed_in(_search(""))),
    Scenario("list page 2 (cursor)", AUTH | {"Query": 1}, False, _second_page),
    Scenario("status=new", AUTH | {"Query": 1}, False, _search("status=new")),
    Scenario("status=new,acknowledged", AUTH | {"Query": 2}, False, _search("status=new,acknowledged")),
    Scenario("tags=db", {"BatchGetItem": 2, "Query": 1}, False, _search("tags=db")),
    Scenario("tags=db,network", {"BatchGetItem": 2, "Query": 2}, False, _search("tags=db,network")),
    Scenario("tags=db&limit=100", {"BatchGetItem": 2, "Query": 1}, False, _search("tags=db&limit=100")),
    Scenario("reporter=<member>", AUTH | {"Query": 1}, False, _reporter_page),
    Scenario("severity=medium&status=new", _calls_of(AUTH, SIZES, {"Query": 1}), False,
             _search("severity=medium&status=new")),
    Scenario("severity=critical&status=canceled", _calls_of(AUTH, SIZES, {"Query": 1}), False,
             _search("severity=critical&status=canceled")),
    # Full-text search; the words come from bench/words.py's Zipf vocabulary.
    Scenario("q=<rare word>", None, False, _rare_word()),
    Scenario("q=the (in most tickets)", {"BatchGetItem": 2, "Query": 1}, False, _search("q=the")),
    Scenario("q=timeout database (two words)", None, False, _search("q=timeout+database")),
    Scenario("q=conf (a prefix)", {"BatchGetItem": 2, "Query": 1}, False, _search("q=conf")),
    Scenario("q=<rare word>&status=open", None, False, _rare_word("status=open")),
    Scenario("q=latency&status=open", None, False, _search("q=latency&status=open")),
    # Sort orders, alone and with one filter.
    Scenario("sort=-created", AUTH | {"Query": 1}, False, _search("sort=-created")),
    Scenario("sort=-created&severity=high", AUTH | {"Query": 1}, False, _search("sort=-created&severity=high")),
    Scenario("sort=updated", AUTH | {"Query": 2}, False, _search("sort=updated")),
    Scenario("sort=updated&status=open", AUTH | {"Query": 1}, False, _search("sort=updated&status=open")),
    Scenario("sort=due", AUTH | {"Query": 2}, False, _search("sort=due")),
    Scenario("sort=due&assignee=<member>", None, False, _member_filter("sort=due&assignee={member}")),
    Scenario("sort=due, past the due dates (cursor)", None, False, _undated_page("sort=due")),
    Scenario("sort=due&assignee=<member>, past the due dates (cursor)", None, False,
             _undated_page("sort=due&assignee={member}")),
    Scenario("sort=sla (no SLA policy: every ticket after the index)", None, False, _search("sort=sla")),
    Scenario("sort=severity", AUTH | {"Query": 2}, False, _search("sort=severity")),
    Scenario("sort=severity&tags=db", None, False, _search("sort=severity&tags=db")),
    # Queues.
    Scenario("assignee=none", AUTH | {"Query": 1}, False, _search("assignee=none")),
    Scenario("status=open", AUTH | {"Query": 1}, False, _search("status=open")),
    Scenario("overdue=true", None, False, _search("overdue=true")),
    Scenario("overdue=true&sort=due", AUTH | {"Query": 1}, False, _search("overdue=true&sort=due")),
    # Keys and tickets are read in one BatchGetItem each; then one transaction per ticket.
    Scenario(f"bulk change of {BULK_TICKETS} tickets", _calls_of(AUTH, {"BatchGetItem": 2,
                                                                       "TransactWriteItems": BULK_TICKETS}),
             True, _bulk()),
    # ...plus the Idempotency-Key's lookup and stored answer, and a read of the comment marks.
    Scenario(f"bulk change of {BULK_TICKETS} tickets, comment and Idempotency-Key",
             _calls_of(AUTH, {"BatchGetItem": 3, "GetItem": 1, "TransactWriteItems": BULK_TICKETS, "PutItem": 1}),
             True, _bulk(comment=True)),
]


# ---- measuring -------------------------------------------------------------------------------

@dataclass
class Result:
    scenario: str
    claim: dict[str, int] | None
    latencies_ms: list[float]
    recordings: list[Recording]
    shown: list[int]               # tickets in each response body

    def operations(self) -> dict[str, tuple[int, int]]:
        """Operation -> (fewest, most) calls per request."""
        names = sorted({name for rec in self.recordings for name in rec.operations()})
        return {name: (min(rec.operations()[name] for rec in self.recordings),
                       max(rec.operations()[name] for rec in self.recordings)) for name in names}

    def claim_holds(self) -> bool | None:
        if self.claim is None:
            return None
        return all(rec.operations() == Counter(self.claim) for rec in self.recordings)

    def summary(self) -> dict:
        recs = self.recordings
        return {
            "scenario": self.scenario,
            "claim": self.claim,
            "claim_holds": self.claim_holds(),
            "operations": {name: list(span) for name, span in self.operations().items()},
            "continued_query_pages": [min(_continued(r) for r in recs), max(_continued(r) for r in recs)],
            "query_indexes": sorted({call.index for r in recs for call in r.calls
                                     if call.operation == "Query" and call.index}),
            "query_items_scanned": _span([r.scanned for r in recs]),
            "query_items_matched": _span([r.matched for r in recs]),
            "items_fetched_by_key": _span([r.fetched for r in recs]),
            "tickets_in_response": _span(self.shown),
            # Read amplification: index entries a search examined for each ticket it returned.
            "entries_per_ticket": round(max(r.scanned / shown for r, shown in zip(recs, self.shown) if shown), 2)
            if any(self.shown) else None,
            "items_written": _span([r.written for r in recs]),
            "read_units_median": statistics.median(r.read_units for r in recs),
            "write_units_median": statistics.median(r.write_units for r in recs),
            "http_attempts": _span([r.attempts for r in recs]),
            "latency_ms_p50": _percentile(self.latencies_ms, 50),
            "latency_ms_p95": _percentile(self.latencies_ms, 95),
            "dynamodb_ms_p50": _percentile([r.seconds * 1000 for r in recs], 50),
            "repetitions": len(recs),
        }


def measure(fx: BenchProject, meter: Meter, repetitions: int, warmup: int,
            scenarios: list[Scenario] = SCENARIOS) -> list[Result]:
    """Runs the scenarios round-robin, so a burst of load on the machine hits them all alike.

    Reads go first, so they see only the loaded tickets; the writes then add to them.
    """
    collected = {s.name: Result(s.name, s.claim, [], [], []) for s in scenarios}
    for group in ([s for s in scenarios if not s.writes], [s for s in scenarios if s.writes]):
        states: dict[str, dict] = {s.name: {} for s in group}
        for n in range(warmup + repetitions):
            for scenario in group:
                _one(fx, meter, scenario, states[scenario.name], n, collected[scenario.name] if n >= warmup else None)
    return [collected[s.name] for s in scenarios]


def _one(fx: BenchProject, meter: Meter, scenario: Scenario, state: dict, n: int, result: Result | None) -> None:
    request = scenario.build(fx, state, n)
    body = json.dumps(request.body).encode() if request.body is not None else b""
    with meter.recording() as recording:
        started = time.perf_counter()
        response = fx.client.http.request(request.method, request.path, headers=request.headers, body=body)
        elapsed = time.perf_counter() - started
    if response.status_code != request.status:
        raise RuntimeError(f"{scenario.name}: {request.method} {request.path} answered "
                           f"{response.status_code}: {response.body[:500]!r}")
    if result is not None:
        result.latencies_ms.append(elapsed * 1000)
        result.recordings.append(recording)
        answer = json.loads(response.body)
        result.shown.append(len(answer["data"]) if "data" in answer
                            else len(answer["results"]) if "results" in answer else 1)


def run_size(ticket_count: int, repetitions: int, warmup: int, log=print,
             scenarios: list[Scenario] = SCENARIOS) -> dict:
    """One fresh DynamoDB Local, one project of `ticket_count` tickets, every scenario (or those given)."""
    with dynamodb_local.running() as endpoint, restored_environment(environment(endpoint)):
        os.environ.update(environment(endpoint))
        fx = prepare(dynamodb_client(endpoint), ticket_count)
        log(f"loaded {ticket_count} tickets ({fx.items_loaded} items) in {fx.load_seconds:.1f}s; "
            f"stream consumer handled {fx.counting.records} records in {fx.counting.batches} batches "
            f"in {fx.counting.seconds:.1f}s")
        meter = Meter()
        load_before = os.getloadavg()[0]
        started = time.perf_counter()
        with meter.installed():
            results = measure(fx, meter, repetitions, warmup, scenarios)
        measure_seconds = time.perf_counter() - started
        load_after = os.getloadavg()[0]
    return {"tickets": ticket_count, "items_loaded": fx.items_loaded, "load_seconds": fx.load_seconds,
            "counting": fx.counting.summary(),
            "partition_sizes": {f"{index}={value}": size for (index, value), size in sorted(fx.partition_sizes.items())
                                if index in ("status", "severity", "tags")},
            "measure_seconds": measure_seconds, "load_average": [load_before, load_after],
            "results": [r.summary() for r in results]}


# ---- reporting -------------------------------------------------------------------------------

def _continued(recording: Recording) -> int:
    return sum(1 for call in recording.calls if call.continued)


def _span(values: list[int]) -> list[int]:
    return [min(values), max(values)]


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def _range(span) -> str:
    low, high = span
    return str(low) if low == high else f"{low}–{high}"


def _units(value: float) -> str:
    return f"{value:g}"


def _calls(summary: dict) -> str:
    parts = []
    for name, span in summary["operations"].items():
        part = f"{name} {_range(span)}"
        if name == "Query" and summary["query_indexes"]:
            part += f" on {', '.join(summary['query_indexes'])}"
        parts.append(part)
    text = ", ".join(parts)
    if summary["continued_query_pages"][1]:
        pages = summary["continued_query_pages"]
        text += f" (of which {_range(pages)} follow-on page{'' if pages == [1, 1] else 's'})"
    return text


def _operations(operations: dict[str, int]) -> str:
    return ", ".join(f"{name} {count:,}" for name, count in sorted(operations.items())) or "no DynamoDB calls"


def _verdict(summary: dict) -> str:
    if summary["claim_holds"] is None:
        return "not claimed"
    return "holds" if summary["claim_holds"] else "**does not hold**"


def table(run: dict) -> str:
    count = run["counting"]
    lines = [
        f"#### {run['tickets']:,} tickets in the project",
        "",
        f"{run['items_loaded']:,} items loaded in {run['load_seconds']:.0f} s; partitions counted by the stream "
        f"consumer in {count['seconds']:.1f} s ({count['records']:,} records in {count['batches']:,} batches of at "
        f"most {count['largest_batch']}; {_operations(count['operations'])}, {count['write_units']:,g} WCU, "
        f"{count['dynamodb_seconds']:.1f} s of it in those calls); scenarios measured in "
        f"{run['measure_seconds']:.0f} s; 1-minute load average {run['load_average'][0]:.2f} before, "
        f"{run['load_average'][1]:.2f} after.",
        "",
        "Partition sizes as counted: " + ", ".join(f"{name} {size:,}" for name, size in run["partition_sizes"].items())
        + ".",
        "",
        "| Scenario | DynamoDB calls per request | Query items scanned / returned | Items read by key "
        "| Tickets in response | Index entries per ticket | Items written | RCU | WCU | p50 ms | p95 ms "
        "| DynamoDB p50 ms | Claim |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for s in run["results"]:
        lines.append(
            f"| {s['scenario']} | {_calls(s)} | {_range(s['query_items_scanned'])} / "
            f"{_range(s['query_items_matched'])} | {_range(s['items_fetched_by_key'])} "
            f"| {_range(s['tickets_in_response'])} "
            f"| {s['entries_per_ticket'] if s['entries_per_ticket'] is not None else '–'} "
            f"| {_range(s['items_written'])} "
            f"| {_units(s['read_units_median'])} | {_units(s['write_units_median'])} "
            f"| {s['latency_ms_p50']:.1f} | {s['latency_ms_p95']:.1f} | {s['dynamodb_ms_p50']:.1f} | {_verdict(s)} |")
    return "\n".join(lines)


def comparison(runs: list[dict]) -> str:
    sizes = [f"{run['tickets']:,}" for run in runs]
    head = ["Scenario"] + [f"calls @ {s}" for s in sizes] + [f"items read @ {s}" for s in sizes] \
        + [f"p50 ms @ {s}" for s in sizes]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for index, first in enumerate(runs[0]["results"]):
        row = [first["scenario"]]
        per_run = [run["results"][index] for run in runs]
        row += [str(sum(span[1] for span in s["operations"].values())) for s in per_run]
        row += [_range([s["query_items_scanned"][i] + s["items_fetched_by_key"][i] for i in (0, 1)])
                for s in per_run]
        row += [f"{s['latency_ms_p50']:.1f}" for s in per_run]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{os.cpu_count()} cores ({model}), Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cost", description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", default="1000", help="comma-separated project sizes, e.g. 1000,10000")
    parser.add_argument("--repetitions", type=int, default=20, help="measured requests per scenario")
    parser.add_argument("--warmup", type=int, default=10, help="unmeasured requests before each scenario")
    parser.add_argument("--json", type=Path, help="also write the raw figures to this file")
    parser.add_argument("--only", help="measure only the scenarios whose names hold this text, e.g. comment")
    args = parser.parse_args(argv)
    scenarios = [s for s in SCENARIOS if args.only is None or args.only in s.name]
    sizes = [int(part.replace("_", "")) for part in args.tickets.split(",") if part.strip()]

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    started = time.perf_counter()
    runs = []
    for size in sizes:
        log(f"== {size} tickets")
        runs.append(run_size(size, args.repetitions, args.warmup, log, scenarios))
    log(f"done in {time.perf_counter() - started:.0f}s")

    print(f"Machine: {machine()}. Repetitions: {args.repetitions} measured after {args.warmup} warm-up "
          f"requests per scenario.\n")
    for run in runs:
        print(table(run) + "\n")
    if len(runs) > 1:
        print("#### Side by side\n")
        print(comparison(runs) + "\n")
    if args.json:
        args.json.write_text(json.dumps({"machine": machine(), "repetitions": args.repetitions,
                                         "warmup": args.warmup, "runs": runs}, indent=2))
    failed = [(run["tickets"], s["scenario"]) for run in runs for s in run["results"] if s["claim_holds"] is False]
    for tickets, scenario in failed:
        log(f"claim does not hold: {scenario} at {tickets} tickets")
    return 0


if __name__ == "__main__":
    sys.exit(main())
