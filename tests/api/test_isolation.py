"""Every route of the route table, enumerated so that a new route is covered without being named:
no key, a bad key, another project's key and a viewer's key get the documented 401/404/403, and
naming another project's resources answers exactly as naming none; and the same with session
cookies: an account signed in to project A reads nothing of project B."""
import json
import re

import pytest

import app as _app  # noqa: F401  (registers the routes)
from chalicelib.api.routing import ROUTES
from tests.api.conftest import new_project
from tests.signed_in import join, sign_in
from tests.streams import new_records, pump_tickets_stream

RANK = {"viewer": 0, "member": 1, "admin": 2}
PROTECTED = [route for route in ROUTES if route.role is not None and "{project_id}" in route.path]
INBOX = "/v1/ce/inbox"
# Routes with no project in their path answer for the project(s) the credentials themselves reach
# (the inbox's, for the account's entries: test_an_inbox_shows_only_its_accounts_entries_of_its_projects).
UNSCOPED = [route for route in ROUTES if route.role is not None and "{project_id}" not in route.path
            and not route.path.startswith(INBOX)]
INBOX_ROUTES = [route for route in ROUTES if route.path.startswith(INBOX)]
# A body each route takes, so that a route reached with a valid key gets as far as its lookups.
BODIES = {
    "create_ticket": {"title": "t", "description": "", "severity": "low"},
    "bulk_change": {"ticket_ids": ["{ticket_id}"], "change": {"severity": "low"}},
    "update_ticket": {"severity": "low"},
    "add_comment": {"comment": "hello"},
    "edit_comment": {"comment": "rewritten"},
    "put_workflow": {"transitions": {"new": ["closed"]}},
    "start_upload": {"file_name": "a.txt", "content_type": "text/plain", "size": 1},
    "update_project": {"name": "Renamed"},
    "add_member": {"email": "new@example.com", "name": "New", "role": "viewer"},
    "update_member": {"name": "Renamed"},
    "update_own_member": {"name": "Renamed"},
    "create_team": {"name": "Team"},
    "update_team": {"name": "Renamed"},
    "create_api_key": {"name": "k", "automation": True, "role": "viewer"},
    "create_webhook": {"name": "w", "event_type": "*", "url": "https://example.com/hook"},
    "create_view": {"name": "v", "query": "sort=updated"},
    "update_view": {"name": "Renamed"},
    "put_sla_policy": {"targets": {"critical": {"acknowledge": {"minutes": 15}}}},
    "put_business_hours": {"time_zone": "UTC", "working_days": ["mon"], "start": "09:00", "end": "17:00"},
    "patch_account": {"name": "Renamed"},
}
# Routes any role may call about the caller (`me`) and only a higher role about someone else: the
# viewer's call names the viewer (the roles about others: tests/rules/test_watchers.py).
ABOUT_THE_CALLER = {"watch_ticket", "unwatch_ticket"}
UNSCOPED_PATHS = {"/v1/ce/session", "/v1/ce/sessions", "/v1/ce/sessions/{session_id}", "/v1/ce/account"}
NOWHERE = "zzzzzzzzzzzzzzzz"   # an id of the right form that names nothing


def test_every_route_with_a_body_has_one_here():
    assert {route.name for route in PROTECTED if route.body is not None} <= set(BODIES)


@pytest.fixture
def world(client):
    """Project A with one of everything, project B with its own admin."""
    a, _ = new_project(client, "OPS")
    b, _ = new_project(client, "DEV")
    ticket = a.create_ticket(title="Secret outage at ACME", tags=["acme"])
    member = a.add_member("member", "m@example.com")
    viewer = a.add_member("viewer", "v@example.com")
    upload = a.post(f"/tickets/{ticket['id']}/attachments",
                    {"file_name": "acme.txt", "content_type": "text/plain", "size": 3}).json
    ids = {
        "ticket_id": ticket["id"],
        "comment_id": a.post(f"/tickets/{ticket['id']}/comments", {"comment": "ACME's root cause"}).json["id"],
        "attachment_id": upload["attachment"]["id"],
        "view_id": a.post("/views", {"name": "ACME", "query": "tags=acme", "shared": True}).json["id"],
        "webhook_id": a.post("/webhooks", {"name": "acme", "event_type": "*",
                                           "url": "https://example.com/acme"}).json["id"],
        "team_id": a.post("/teams", {"name": "ACME responders"}).json["id"],
        "user_id": member["user_id"],
        "key_id": a.post("/api-keys", {"name": "acme-flow", "automation": True, "role": "member"}).json["id"],
        "delivery_id": NOWHERE,
        "email": "requester@example.com",   # a contact's address (none writes in here: 404 once allowed)
        "version": str(a.put("/sla-policy", BODIES["put_sla_policy"]).json["version"]),
    }
    return {"a": a, "b": b, "ids": ids, "ticket": ticket, "viewer": a.as_key(a.key_for(viewer["user_id"]))}


def _text(response) -> str:
    body = response.body or b""
    return body.decode() if isinstance(body, bytes) else body


def _path(route, project_id: str, ids: dict[str, str]) -> str:
    def fill(match):
        name = match[1]
        return project_id if name == "project_id" else ids.get(name, NOWHERE)
    return re.sub(r"{(\w+)}", fill, route.path).removeprefix(f"/v1/ce/projects/{project_id}")


def _as_caller(route, path: str, ids: dict[str, str]) -> str:
    return path.replace(ids["user_id"], "me") if route.name in ABOUT_THE_CALLER else path


def _body(route, ids):
    body = BODIES.get(route.name)
    if body is None:
        return None
    if route.name == "bulk_change":
        return body | {"ticket_ids": [ids["ticket_id"]]}
    return body


def test_keys_get_the_documented_answers_on_every_route(world):
    a, b, ids = world["a"], world["b"], world["ids"]
    malformed = a.as_key("not-a-key")
    wrong_secret = a.as_key(a.token[:-4] + ("AAAA" if not a.token.endswith("AAAA") else "BBBB"))
    other_project = a.as_key(b.token)   # B's admin key on A's paths
    wrong = []
    for route in PROTECTED:
        path, body = _path(route, a.project_id, ids), _body(route, ids)
        for caller, status in ((a.as_key(None), 401), (malformed, 401), (wrong_secret, 401), (other_project, 404)):
            response = caller.call(route.method, path, body)
            if response.status_code != status or set(response.json or {}) != {"error"} \
                    or "ACME" in _text(response) or ids["ticket_id"] in _text(response):
                wrong.append((route.name, status, response.status_code, _text(response)[:200]))
        viewer = world["viewer"].call(route.method, _as_caller(route, path, ids), body)
        needs_more = RANK[route.role] > RANK["viewer"]
        if (viewer.status_code == 403) != needs_more or viewer.status_code == 401:
            wrong.append((route.name, "viewer", viewer.status_code, _text(viewer)[:200]))
    assert not wrong, "\n".join(map(str, wrong))
    assert len(PROTECTED) >= 40   # the table was read, not an empty list


def test_routes_with_no_project_in_the_path_answer_only_for_the_callers_own(client, world):
    """A key reaches its own project there; the routes about sessions it has none of answer it 403."""
    a, b = world["a"], world["b"]
    malformed = "not-a-key"
    wrong_secret = a.token[:-4] + ("AAAA" if not a.token.endswith("AAAA") else "BBBB")
    wrong = []
    for route in UNSCOPED:
        def call(token):
            headers = {"Content-Type": "application/json"} | ({"Authorization": f"Bearer {token}"} if token else {})
            body = BODIES.get(route.name)
            return getattr(client.http, route.method.lower())(
                route.path.replace("{session_id}", NOWHERE), headers=headers,
                body=json.dumps(body) if body is not None else None)
        for token in (None, malformed, wrong_secret):
            response = call(token)
            if response.status_code != 401 or "ACME" in _text(response) or a.project_id in _text(response):
                wrong.append((route.name, token, response.status_code, _text(response)[:200]))
        theirs = call(b.token)
        if route.session_only:
            if theirs.status_code != 403 or json.loads(theirs.body)["error"]["code"] != "not_a_session":
                wrong.append((route.name, "B's key", theirs.status_code, _text(theirs)[:200]))
        elif theirs.status_code != 200 or a.project_id in _text(theirs) or b.project_id not in _text(theirs):
            wrong.append((route.name, "B's key", theirs.status_code, _text(theirs)[:200]))
        if call(world["viewer"].token).status_code != (403 if route.session_only else 200):
            wrong.append((route.name, "viewer", call(world["viewer"].token).status_code))
    assert not wrong, "\n".join(map(str, wrong))
    assert {route.path for route in UNSCOPED} == UNSCOPED_PATHS
    assert [route.path for route in UNSCOPED if not route.session_only] == ["/v1/ce/session"]


def test_sessions_get_the_documented_answers_on_every_route(world):
    """With session cookies: none, a forged one and one never issued are 401; an account signed in
    to B only gets 404 on every path of A; a viewer's session 403 where the route needs more."""
    a, b, ids = world["a"], world["b"], world["ids"]
    viewer = sign_in(a, "viewer")
    theirs = sign_in(b, "admin").in_project(a.project_id)
    forged = viewer.with_cookie(viewer.cookie[:-4] + ("AAAA" if not viewer.cookie.endswith("AAAA") else "BBBB"))
    never = viewer.with_cookie(f"{viewer.account.id}.{NOWHERE}.{'x' * 43}")
    wrong = []
    for route in PROTECTED:
        path, body = _path(route, a.project_id, ids), _body(route, ids)
        for caller, status in ((viewer.with_cookie(None), 401), (viewer.with_cookie("garbage"), 401),
                               (forged, 401), (never, 401), (theirs, 404)):
            response = caller.call(route.method, path, body)
            if response.status_code != status or set(response.json or {}) != {"error"} \
                    or "ACME" in _text(response) or ids["ticket_id"] in _text(response):
                wrong.append((route.name, status, response.status_code, _text(response)[:200]))
        answer = viewer.call(route.method, _as_caller(route, path, ids), body)
        needs_more = RANK[route.role] > RANK["viewer"]
        if (answer.status_code == 403) != needs_more or answer.status_code in (401, 404):
            wrong.append((route.name, "viewer", answer.status_code, _text(answer)[:200]))
    assert not wrong, "\n".join(map(str, wrong))
    assert a.get(f"/tickets/{ids['ticket_id']}").json["title"] == "Secret outage at ACME"


def test_a_session_without_a_project_in_the_path_reaches_only_its_own_account(world):
    a, b = world["a"], world["b"]
    mine = sign_in(b, "admin")
    other = sign_in(a, "admin")
    session = mine.unscoped("GET", "/v1/ce/session")
    assert session.status_code == 200, session.body
    assert [p["id"] for p in session.json["projects"]] == [b.project_id] and "ACME" not in _text(session)
    listed = mine.unscoped("GET", "/v1/ce/sessions").json["sessions"]
    assert [s["current"] for s in listed] == [True]
    theirs = other.unscoped("GET", "/v1/ce/sessions").json["sessions"][0]["id"]
    assert mine.unscoped("DELETE", f"/v1/ce/sessions/{theirs}").status_code == 404
    assert other.unscoped("GET", "/v1/ce/account").json["id"] == other.account.id
    assert mine.unscoped("GET", "/v1/ce/account").json["id"] == mine.account.id


@pytest.mark.parametrize("credentials", ["key", "session"])
def test_another_projects_ids_answer_as_ids_that_name_nothing_on_every_route(world, credentials):
    """Project B's admin, on B's own paths, naming A's resources: the same answer as for ids that
    name nothing, and A's resources are untouched."""
    a, b, ids = world["a"], world["b"], world["ids"]
    if credentials == "session":
        b = sign_in(b, "admin")
    nowhere = {name: NOWHERE for name in ids}
    with_ids = [r for r in PROTECTED if set(re.findall(r"{(\w+)}", r.path)) - {"project_id"}]
    wrong = []
    for route in with_ids:
        theirs = b.call(route.method, _path(route, b.project_id, ids), _body(route, ids))
        none = b.call(route.method, _path(route, b.project_id, nowhere), _body(route, nowhere))
        scrubbed = _text(theirs)
        for value in ids.values():
            scrubbed = scrubbed.replace(value, NOWHERE)
        if theirs.status_code != none.status_code or scrubbed != _text(none) or "ACME" in scrubbed:
            wrong.append((route.name, theirs.status_code, _text(theirs)[:200], none.status_code, _text(none)[:200]))
        if "{ticket_id}" in route.path:
            # Also by key: A's OPS-1 on B's path is no ticket of B's.
            by_key = b.call(route.method, _path(route, b.project_id, ids | {"ticket_id": "OPS-1"}), _body(route, ids))
            if by_key.status_code != 404:
                wrong.append((route.name, "OPS-1", by_key.status_code, _text(by_key)[:200]))
    assert not wrong, "\n".join(map(str, wrong))
    assert len(with_ids) >= 20
    assert a.get(f"/tickets/{ids['ticket_id']}").json["title"] == "Secret outage at ACME"
    assert a.get(f"/webhooks/{ids['webhook_id']}").status_code == 200
    assert a.get(f"/views/{ids['view_id']}").status_code == 200
    assert a.get(f"/tickets/{ids['ticket_id']}/attachments/{ids['attachment_id']}").status_code == 200
    comment = a.get(f"/tickets/{ids['ticket_id']}/comments/{ids['comment_id']}").json
    assert (comment["body"], comment["version"], comment["deleted_at"]) == ("ACME's root cause", 0, None)
    assert ids["key_id"] in {k["id"] for k in a.get("/api-keys").json["data"]}
    assert ids["team_id"] in {t["id"] for t in a.get("/teams").json["data"]}
    assert ids["user_id"] in {m["user_id"] for m in a.get("/members").json["data"]}


def test_a_bulk_change_naming_another_projects_ticket_answers_as_for_none(world):
    a, b, ids = world["a"], world["b"], world["ids"]
    change = {"change": {"severity": "critical"}}
    theirs = b.post("/tickets/bulk", change | {"ticket_ids": [ids["ticket_id"], "OPS-1"]})
    none = b.post("/tickets/bulk", change | {"ticket_ids": [NOWHERE, "OPS-1"]})
    assert theirs.status_code == none.status_code == 200
    assert _text(theirs).replace(ids["ticket_id"], NOWHERE) == _text(none)
    assert [r["status"] for r in theirs.json["results"]] == [404, 404]
    assert a.get(f"/tickets/{ids['ticket_id']}").json["severity"] == "high"


def test_listings_and_searches_show_only_the_callers_project(world):
    b = world["b"]
    for path in ("/tickets", "/tickets?q=acme", "/tickets?tags=acme", "/views", "/webhooks", "/teams",
                 "/api-keys", "/members"):
        response = b.get(path)
        assert response.status_code == 200, (path, response.body)
        assert "acme" not in _text(response).lower(), path


def test_an_inbox_shows_only_its_accounts_entries_of_its_projects(client, world):
    """An account's entries, through its session (every project it is in) or a member's key (that
    project only); another account, another project's key, no key: none of them, and none changed.
    Once the account leaves a project, that project's entries are neither shown nor counted."""
    a, b, ids = world["a"], world["b"], world["ids"]
    new_records()  # other tests' history
    mine = sign_in(a, "member")
    user_in_b = join(b, mine.account, "member")
    other = sign_in(a, "member")
    in_a = a.create_ticket(title="ACME outage", assignee=mine.user_id)["id"]
    in_b = b.create_ticket(title="Beta outage", assignee=user_in_b)["id"]
    assert pump_tickets_stream() == {"batchItemFailures": []}

    def listed(caller, path=INBOX):
        response = caller.unscoped("GET", path) if path == INBOX else caller.get(path)
        assert response.status_code == 200, response.body
        return {entry["ticket_id"] for entry in response.json["data"]}

    assert listed(mine) == {in_a, in_b}
    assert mine.unscoped("GET", INBOX + "/unread").json == {"unread": 2, "projects": {a.project_id: 1,
                                                                                      b.project_id: 1}}
    assert listed(other) == set() and other.unscoped("GET", INBOX + "/unread").json["unread"] == 0
    my_key_in_a = a.as_key(a.key_for(mine.user_id))
    assert listed(my_key_in_a, "/inbox") == {in_a}
    headers = {"Authorization": f"Bearer {my_key_in_a.token}", "Content-Type": "application/json"}
    assert json.loads(client.http.get(INBOX + "/unread", headers=headers).body)["projects"] == {a.project_id: 1}
    assert listed(mine.in_project(b.project_id), "/inbox") == {in_b}
    wrong = []
    for route in INBOX_ROUTES:
        path = route.path.replace("{ticket_id}", in_a).replace("{project_id}", a.project_id)
        for token in (None, "not-a-key"):
            auth = {"Authorization": f"Bearer {token}"} if token else {}
            response = getattr(client.http, route.method.lower())(path, headers={"Content-Type": "application/json"}
                                                                 | auth)
            if response.status_code != 401 or "ACME" in _text(response):
                wrong.append((route.name, token, response.status_code))
        if "{ticket_id}" in route.path:
            for caller in (other, b.as_key(b.key_for(user_in_b))):
                response = caller.unscoped(route.method, path) if caller is other else \
                    caller.client.http.post(path, headers={"Authorization": f"Bearer {caller.token}",
                                                           "Content-Type": "application/json"})
                if response.status_code != 404 or "ACME" in _text(response):
                    wrong.append((route.name, "another's", response.status_code))
    assert not wrong, "\n".join(map(str, wrong))
    assert mine.unscoped("GET", INBOX + "/unread").json["unread"] == 2  # nothing of it changed
    assert b.delete(f"/members/{user_in_b}").status_code == 204
    assert listed(mine) == {in_a}
    assert mine.unscoped("GET", INBOX + "/unread").json == {"unread": 1, "projects": {a.project_id: 1}}
    assert mine.unscoped("POST", f"{INBOX}/{in_b}/read").status_code == 404
    assert mine.in_project(b.project_id).get("/inbox").status_code == 404
