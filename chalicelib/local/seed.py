"""Fills a new demo project with chalicelib/local/demo_backlog.py through the running API, as its
people would: every history entry, search index entry, event and email is a real one.

A seeding stopped part-way (Ctrl-C, a crash) is finished by the next start, on the same project, with
nothing made twice: members are found by email and the team by name; tickets are created with an
Idempotency-Key and changed and commented on with keyed bulk changes, which the API does once (for
24 hours); the teammates' keys, made anew at each attempt, are all revoked by name at the end."""
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable

from chalicelib.local import demo_backlog as demo

TEMPORARY_KEY_NAME = "demo backlog"


class SeedFailed(RuntimeError):
    """The API refused a step of the backlog; the message names the request and the answer."""


@dataclass(frozen=True)
class Api:
    """The project's API as one person: `token` is their API key."""
    api_url: str
    project_id: str
    token: str

    def __call__(self, method: str, path: str, body: Any = None, idempotency_key: str | None = None,
                 missing_ok: bool = False) -> Any:
        """The answer's body; None for a 404 when `missing_ok`."""
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        request = urllib.request.Request(
            f"{self.api_url}/v1/ce/projects/{self.project_id}{path}", method=method,
            data=None if body is None else json.dumps(body).encode(), headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                answer = response.read()
        except urllib.error.HTTPError as error:
            answer = error.read().decode(errors="replace")
            if error.code == 404 and missing_ok:
                return None
            raise SeedFailed(f"{method} {path} answered {error.code}: {answer}") from None
        return json.loads(answer) if answer else None


def seed_backlog(api_url: str, project_id: str, admin_key: str, since: datetime,
                 check: Callable[[], None] = lambda: None) -> dict[str, int]:
    """The teammates, their team, the SLA policy and the backlog; returns what was made, counted.
    Due dates count from `since`, the moment the project's seeding first began, so that a resumed
    seeding asks for what the first attempt asked. The teammates act with keys made for the seeding
    and revoked at its end. `check` raises to stop."""
    admin = Api(api_url, project_id, admin_key)
    people = {demo.ADMIN: admin("GET", "/me")["user_id"]}
    actors = {demo.ADMIN: admin}
    try:
        members = {member["email"]: member["user_id"] for member in admin("GET", "/members")["data"]}
        for mate in demo.TEAMMATES:
            people[mate.handle] = members.get(mate.email) or admin(
                "POST", "/members", {"email": mate.email, "name": mate.name, "role": mate.role})["user_id"]
            key = admin("POST", "/api-keys", {"name": TEMPORARY_KEY_NAME, "user_id": people[mate.handle]})
            actors[mate.handle] = Api(api_url, project_id, key["secret"])
        people[demo.TEAM] = f"team:{_team(admin, people)}"
        if admin("GET", "/sla-policy", missing_ok=True) is None:  # each PUT is a new version
            admin("PUT", "/sla-policy", demo.SLA_POLICY)
        comments = 0
        for number, ticket in enumerate(demo.BACKLOG, start=1):
            check()
            ticket_id = actors[ticket.reporter]("POST", "/tickets", _created(ticket, people, since),
                                                idempotency_key=f"demo-backlog-{number}")["id"]
            status = "new"
            for step_number, step in enumerate(ticket.then, start=1):
                if isinstance(step, demo.Change):
                    change, comment = _changed(step, people), None
                    status = step.status or status
                else:
                    # Only a bulk change comments once whatever happened to an earlier attempt; a
                    # change to the status the ticket already has reaches it and changes nothing.
                    change, comment = {"status": status}, step.text
                    comments += 1
                _changed_once(actors[step.by], ticket_id, change, comment, f"demo-backlog-{number}-{step_number}")
    finally:
        _revoke_temporary_keys(admin)
    return {"teammates": len(demo.TEAMMATES), "teams": 1, "tickets": len(demo.BACKLOG), "comments": comments}


def _team(admin: Api, people: dict[str, str]) -> str:
    """The demo team's id: the one an earlier attempt made, or a new one (a team's name is not unique
    to the API, so it is looked for)."""
    for team in admin("GET", "/teams")["data"]:
        if team["name"] == demo.TEAM_NAME:
            return team["id"]
    return admin("POST", "/teams", {"name": demo.TEAM_NAME, "email": demo.TEAM_EMAIL,
                                    "members": [people[handle] for handle in demo.TEAM_MEMBERS]})["id"]


def _changed_once(actor: Api, ticket_id: str, change: dict, comment: str | None, idempotency_key: str) -> None:
    body = {"ticket_ids": [ticket_id], "change": change}
    if comment is not None:
        body["comment"] = comment
    (result,) = actor("POST", "/tickets/bulk", body, idempotency_key=idempotency_key)["results"]
    if result["status"] != 200:
        raise SeedFailed(f"POST /tickets/bulk of {ticket_id} answered {result['status']}: {result['error']}")


def _revoke_temporary_keys(admin: Api) -> None:
    """Every key made for a seeding, this attempt's and any an interrupted one left."""
    for key in admin("GET", "/api-keys")["data"]:
        if key["name"] == TEMPORARY_KEY_NAME:
            admin("DELETE", f"/api-keys/{key['id']}")


def _created(ticket: demo.Ticket, people: dict[str, str], since: datetime) -> dict:
    body = {"title": ticket.title, "description": ticket.description, "severity": ticket.severity,
            "tags": list(ticket.tags), "source": ticket.source}
    if ticket.assignee:
        body["assignee"] = people[ticket.assignee]
    if ticket.due is not None:
        # On the hour, as people set due dates.
        due = (since + ticket.due).replace(minute=0, second=0, microsecond=0)
        body["due_date"] = due.isoformat().replace("+00:00", "Z")
    return body


def _changed(change: demo.Change, people: dict[str, str]) -> dict:
    body = {name: value for name, value in (("status", change.status), ("severity", change.severity))
            if value is not None}
    if change.assignee is not None:
        body["assignee"] = people[change.assignee]
    return body
