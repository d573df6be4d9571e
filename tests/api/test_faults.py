"""Every AWS call a request makes, failed once in each way AWS fails (tests/faults.py): the request
still succeeds (botocore retried it), or is refused cleanly (409/412 for a failed condition; 429 or
503 with Retry-After once retries are exhausted) having written nothing, and a retry of the same
request then completes it exactly once. The history always agrees with the ticket.

Each scenario's calls are enumerated by running it once unharmed; each call is then failed in a
fresh run of the scenario. The API runs in-process on DynamoDB Local and moto."""
import uuid
from dataclasses import dataclass
from typing import Callable

import boto3
import pytest

from chalicelib import config
from chalicelib.adapters.attachment_store import PENDING_TAG_KEY, PENDING_TAG_VALUE
from tests.faults import Injector, Plan, Site

REFUSED_CLEANLY = {409, 412}


@dataclass
class Scenario:
    act: Callable[[], object]                 # the request whose calls fail
    ok: int                                   # its status when it succeeds
    check: Callable[[object], None]           # state after the answer; retries the request if it failed


def history(api, ticket_id: str, event: str | None = None) -> list[dict]:
    path = f"/tickets/{ticket_id}/history?limit=100" + (f"&event={event}" if event else "")
    response = api.get(path)
    assert response.status_code == 200, response.body
    return response.json["data"]


def agrees_with_history(api, ticket_id: str) -> None:
    """Each version but the first has one TICKET_UPDATED entry, and the newest snapshot of each
    field the entries changed is the ticket's value."""
    ticket = api.get(f"/tickets/{ticket_id}").json
    updates = history(api, ticket_id, "TICKET_UPDATED")
    assert len(updates) == ticket["version"] - 1, (ticket, updates)
    latest = {}
    for entry in reversed(updates):  # oldest first
        latest |= {name: change["new"] for name, change in entry["changes"].items()}
    for name, value in latest.items():
        if name in ticket:
            assert ticket[name] == value, (name, ticket, updates)


def uid() -> str:
    return uuid.uuid4().hex[:10]


# ---- scenarios -------------------------------------------------------------------------------------

def create_with_key(api) -> Scenario:
    tag, key = f"t{uid()}", uid()
    body = {"title": "Disk full", "description": "on db-1", "severity": "high", "tags": [tag]}

    def act():
        return api.post("/tickets", body, headers={"Idempotency-Key": key})

    def check(answer):
        found = api.get(f"/tickets?tags={tag}").json["data"]
        assert len(found) == (1 if answer.status_code == 201 else 0), found
        again = act()
        assert again.status_code == 201, again.body
        if answer.status_code == 201:
            assert again.json["id"] == answer.json["id"]
        [ticket] = api.get(f"/tickets?tags={tag}").json["data"]
        assert [e["event"] for e in history(api, ticket["id"])] == ["TICKET_CREATED"]
        agrees_with_history(api, ticket["id"])

    return Scenario(act, 201, check)


def create_without_key(api) -> Scenario:
    tag = f"t{uid()}"

    def act():
        return api.post("/tickets", {"title": "Printer on fire", "description": "", "severity": "low", "tags": [tag]})

    def check(answer):
        found = api.get(f"/tickets?tags={tag}").json["data"]
        assert len(found) == (1 if answer.status_code == 201 else 0), found
        for ticket in found:
            assert [e["event"] for e in history(api, ticket["id"])] == ["TICKET_CREATED"]

    return Scenario(act, 201, check)


def update(api) -> Scenario:
    tag, new_tag = f"t{uid()}", f"n{uid()}"
    ticket = api.create_ticket(tags=[tag])
    change = {"title": "Disk full, again", "status": "acknowledged", "tags": [tag, new_tag]}

    def act():
        return api.patch(f"/tickets/{ticket['id']}", change, headers={"If-Match": '"1"'})

    def check(answer):
        now = api.get(f"/tickets/{ticket['id']}").json
        if answer.status_code != 200:
            assert (now["version"], now["title"], now["tags"]) == (1, ticket["title"], [tag])
            assert api.get(f"/tickets?tags={new_tag}").json["data"] == []
            answer = act()
            assert answer.status_code == 200, answer.body
        now = api.get(f"/tickets/{ticket['id']}").json
        assert (now["version"], now["title"], now["status"]) == (2, change["title"], "acknowledged")
        assert [t["id"] for t in api.get(f"/tickets?tags={new_tag}").json["data"]] == [ticket["id"]]
        agrees_with_history(api, ticket["id"])

    return Scenario(act, 200, check)


def comment(api) -> Scenario:
    ticket = api.create_ticket()
    text = f"Rotated the logs {uid()}"

    def act():
        return api.post(f"/tickets/{ticket['id']}/comments", {"comment": text})

    def comments():
        return [e["comment"] for e in history(api, ticket["id"], "COMMENT_ADDED")]

    def check(answer):
        if answer.status_code != 201:
            assert comments() == []
            answer = act()
            assert answer.status_code == 201, answer.body
        assert comments() == [text]
        assert api.get(f"/tickets/{ticket['id']}").json["version"] == 1

    return Scenario(act, 201, check)


def bulk_with_key(api) -> Scenario:
    tag, key = f"b{uid()}", uid()
    tickets = [api.create_ticket(title=f"Alert {n}") for n in range(2)]
    body = {"ticket_ids": [t["id"] for t in tickets], "change": {"add_tags": [tag]}, "comment": f"triage {key}"}

    def act():
        return api.post("/tickets/bulk", body, headers={"Idempotency-Key": key})

    def check(answer):
        if answer.status_code != 200:
            # Each ticket is changed on its own: a failure part-way may leave some changed, and the
            # retry with the same key finds them done (docs/api.md, Bulk changes).
            answer = act()
            assert answer.status_code == 200, answer.body
        again = act()
        assert again.status_code == 200 and again.json == answer.json
        for result in answer.json["results"]:
            assert result["status"] in {200} | REFUSED_CLEANLY, result
            done = result["status"] == 200
            assert len(history(api, result["id"], "COMMENT_ADDED")) == (1 if done else 0)
            assert len(history(api, result["id"], "TICKET_UPDATED")) == (1 if done else 0)
            assert (tag in api.get(f"/tickets/{result['id']}").json["tags"]) == done
            agrees_with_history(api, result["id"])

    return Scenario(act, 200, check)


def put_announced_file(started: dict, content: bytes) -> None:
    fields = started["upload"]["fields"]
    boto3.client("s3").put_object(Bucket=config.attachments_bucket(), Key=fields["key"], Body=content,
                                  ContentType=fields["Content-Type"], Tagging=f"{PENDING_TAG_KEY}={PENDING_TAG_VALUE}")


def start_upload(api) -> Scenario:
    ticket = api.create_ticket()
    content = b"Traceback (most recent call last):\n"

    def act():
        return api.post(f"/tickets/{ticket['id']}/attachments",
                        {"file_name": "crash.log", "content_type": "text/plain", "size": len(content)})

    def check(answer):
        listed = api.get(f"/tickets/{ticket['id']}/attachments").json["data"]
        assert len(listed) == (1 if answer.status_code == 201 else 0), listed
        if answer.status_code != 201:
            answer = act()
            assert answer.status_code == 201, answer.body
        put_announced_file(answer.json, content)
        done = api.post(f"/tickets/{ticket['id']}/attachments/{answer.json['attachment']['id']}/complete")
        assert done.status_code == 200, done.body
        assert len(history(api, ticket["id"], "ATTACHMENT_ADDED")) == 1
        assert api.get(f"/tickets/{ticket['id']}").json["version"] == 1

    return Scenario(act, 201, check)


def complete_upload(api) -> Scenario:
    ticket = api.create_ticket()
    content = b"screenshot"
    started = api.post(f"/tickets/{ticket['id']}/attachments",
                       {"file_name": "screen.txt", "content_type": "text/plain", "size": len(content)}).json
    put_announced_file(started, content)

    def act():
        return api.post(f"/tickets/{ticket['id']}/attachments/{started['attachment']['id']}/complete")

    def check(answer):
        if answer.status_code != 200:
            assert history(api, ticket["id"], "ATTACHMENT_ADDED") == []
            answer = act()
            assert answer.status_code == 200, answer.body
        assert answer.json["status"] == "available"
        assert len(history(api, ticket["id"], "ATTACHMENT_ADDED")) == 1

    return Scenario(act, 200, check)


def read_and_search(api) -> Scenario:
    tag = f"r{uid()}"
    ticket = api.create_ticket(title="Latency spike on checkout", tags=[tag])

    def act():
        detail = api.get(f"/tickets/{ticket['id']}")
        if detail.status_code != 200:
            return detail
        return api.get(f"/tickets?tags={tag}&status=new&severity=high&sort=-created")

    def check(answer):
        if answer.status_code == 200:
            assert [t["id"] for t in answer.json["data"]] == [ticket["id"]]

    return Scenario(act, 200, check)


SCENARIOS = {f.__name__: f for f in (create_with_key, create_without_key, update, comment, bulk_with_key,
                                     start_upload, complete_upload, read_and_search)}


# ---- the runs --------------------------------------------------------------------------------------

def sites_of(api, scenario: Callable) -> list[Site]:
    """The calls the scenario's request makes, from an unharmed run (which must pass its check)."""
    run = scenario(api)
    with Injector().active() as recording:
        answer = run.act()
    assert answer.status_code == run.ok, answer.body
    run.check(answer)
    return recording.sites


def judged(api, scenario: Callable, site: Site, fault: str, every_attempt: bool = False) -> str | None:
    """Runs the scenario with `site` failing; returns what went wrong, if anything."""
    run = scenario(api)
    injector = Injector(site, fault, every_attempt)
    with injector.active():
        answer = run.act()
    where = f"{site} {fault}{' on every attempt' if every_attempt else ''}"
    if not injector.injected:
        return f"{where}: the call was not made"
    status = answer.status_code
    if status >= 500 and status != 503:
        return f"{where}: answered {status} {answer.body[:200]!r}"
    if status in (429, 503):
        if answer.headers.get("Retry-After") is None:
            return f"{where}: {status} without Retry-After"
        if not every_attempt:
            return f"{where}: one failed attempt was not retried ({status})"
    elif status != run.ok:
        if fault != "conditional" or status not in REFUSED_CLEANLY | {404}:
            return f"{where}: answered {status} {answer.body[:200]!r}"
    try:
        run.check(answer)
    except AssertionError as error:
        return f"{where}: after {status}: {error}"
    return None


PLAN = Plan(conditional=True)


@pytest.mark.parametrize("name", SCENARIOS)
def test_each_call_failing_is_retried_or_refused_cleanly_and_then_done_once(api, name):
    scenario = SCENARIOS[name]
    sites = sites_of(api, scenario)
    assert sites, "the scenario made no AWS call"
    assert all(site.operation != "Scan" for site in sites)
    problems = [problem for site, fault, every_attempt in PLAN(sites)
                if (problem := judged(api, scenario, site, fault, every_attempt))]
    assert problems == [], "\n".join(problems)
