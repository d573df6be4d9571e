"""Fills a new demo project with chalicelib/local/demo_backlog.py through the running API, as its
people would: every history entry, search index entry, event and email is a real one."""
import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable

from chalicelib.local import demo_backlog as demo


class SeedFailed(RuntimeError):
    """The API refused a step of the backlog; the message names the request and the answer."""


@dataclass(frozen=True)
class Api:
    """The project's API as one person: `token` is their API key."""
    api_url: str
    project_id: str
    token: str

    def __call__(self, method: str, path: str, body: Any = None) -> Any:
        request = urllib.request.Request(
            f"{self.api_url}/v1/ce/projects/{self.project_id}{path}", method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                answer = response.read()
        except urllib.error.HTTPError as error:
            answer = error.read().decode(errors="replace")
            raise SeedFailed(f"{method} {path} answered {error.code}: {answer}") from None
        return json.loads(answer) if answer else None


def seed_backlog(api_url: str, project_id: str, admin_key: str, check: Callable[[], None] = lambda: None) -> dict[str, int]:
    """The teammates, their team, the SLA policy and the backlog; returns what was made, counted.
    The teammates act with keys made for the seeding and revoked at its end. `check` raises to stop."""
    admin = Api(api_url, project_id, admin_key)
    people = {demo.ADMIN: admin("GET", "/me")["user_id"]}
    actors = {demo.ADMIN: admin}
    temporary_keys = []
    try:
        for mate in demo.TEAMMATES:
            people[mate.handle] = admin("POST", "/members", {"email": mate.email, "name": mate.name,
                                                             "role": mate.role})["user_id"]
            key = admin("POST", "/api-keys", {"name": "demo backlog", "user_id": people[mate.handle]})
            temporary_keys.append(key["id"])
            actors[mate.handle] = Api(api_url, project_id, key["secret"])
        team = admin("POST", "/teams", {"name": demo.TEAM_NAME, "email": demo.TEAM_EMAIL,
                                        "members": [people[handle] for handle in demo.TEAM_MEMBERS]})
        people[demo.TEAM] = f"team:{team['id']}"
        admin("PUT", "/sla-policy", demo.SLA_POLICY)
        comments = 0
        for ticket in demo.BACKLOG:
            check()
            ticket_id = actors[ticket.reporter]("POST", "/tickets", _created(ticket, people))["id"]
            for step in ticket.then:
                if isinstance(step, demo.Comment):
                    actors[step.by]("POST", f"/tickets/{ticket_id}/comments", {"comment": step.text})
                    comments += 1
                else:
                    actors[step.by]("PATCH", f"/tickets/{ticket_id}", _changed(step, people))
    finally:
        for key_id in temporary_keys:
            admin("DELETE", f"/api-keys/{key_id}")
    return {"teammates": len(demo.TEAMMATES), "teams": 1, "tickets": len(demo.BACKLOG), "comments": comments}


def _created(ticket: demo.Ticket, people: dict[str, str]) -> dict:
    body = {"title": ticket.title, "description": ticket.description, "severity": ticket.severity,
            "tags": list(ticket.tags), "source": ticket.source}
    if ticket.assignee:
        body["assignee"] = people[ticket.assignee]
    if ticket.due is not None:
        # On the hour, as people set due dates.
        due = (datetime.now(timezone.utc) + ticket.due).replace(minute=0, second=0, microsecond=0)
        body["due_date"] = due.isoformat().replace("+00:00", "Z")
    return body


def _changed(change: demo.Change, people: dict[str, str]) -> dict:
    body = {name: value for name, value in (("status", change.status), ("severity", change.severity))
            if value is not None}
    if change.assignee is not None:
        body["assignee"] = people[change.assignee]
    return body
