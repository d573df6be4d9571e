"""Who may call what: missing and invalid keys, other projects, roles, automation keys, revocation
(the limits on wrong keys: tests/api/test_auth.py)."""
import pytest

from tests.api.conftest import new_project

ADMIN_ONLY = [
    ("GET", "/members"), ("POST", "/members"), ("GET", "/teams"), ("POST", "/teams"),
    ("GET", "/api-keys"), ("POST", "/api-keys"), ("PUT", "/workflow"),
]


def test_missing_key_is_401(api):
    response = api.as_key(None).get("/tickets")
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"


@pytest.mark.parametrize("token", [
    "nonsense", "tkt_", "tkt_a_b_c", "Basic abc",
])
def test_invalid_key_is_401(api, token):
    assert api.as_key(token).get("/tickets").status_code == 401


def test_wrong_secret_is_401(api):
    forged = api.token[:-4] + ("aaaa" if not api.token.endswith("aaaa") else "bbbb")
    assert api.as_key(forged).get("/tickets").status_code == 401


def test_non_bearer_scheme_is_401(api):
    response = api.call("GET", "/tickets", headers={"Authorization": f"Token {api.token}"})
    assert response.status_code == 401


def test_key_of_another_project_gets_404_not_a_leak(client, api):
    other, _ = new_project(client, "SEC")
    response = other.as_key(api.token).get("/tickets")
    assert response.status_code == 404
    assert other.as_key(api.token).get("").status_code == 404


def test_ticket_of_another_project_is_404(client, api):
    ticket = api.create_ticket()
    other, _ = new_project(client, "SEC")
    assert other.get(f"/tickets/{ticket['id']}").status_code == 404
    assert other.patch(f"/tickets/{ticket['id']}", {"title": "x"}).status_code == 404
    assert other.get(f"/tickets/{ticket['id']}/history").status_code == 404


def test_any_role_can_read_the_project(api):
    viewer = api.as_key(api.key_for(api.add_member("viewer")["user_id"]))
    response = viewer.get("")
    assert response.status_code == 200
    assert response.json["key"] == "OPS" and response.json["id"] == api.project_id


def test_viewer_can_read_but_not_write(api):
    ticket = api.create_ticket()
    viewer = api.as_key(api.key_for(api.add_member("viewer")["user_id"]))
    assert viewer.get("/tickets").status_code == 200
    assert viewer.get(f"/tickets/{ticket['id']}").status_code == 200
    assert viewer.get("/workflow").status_code == 200
    for response in (
        viewer.post("/tickets", {"title": "t", "description": "", "severity": "low"}),
        viewer.patch(f"/tickets/{ticket['id']}", {"title": "changed"}),
        viewer.post(f"/tickets/{ticket['id']}/comments", {"comment": "hi"}),
        viewer.delete(f"/tickets/{ticket['id']}"),
    ):
        assert response.status_code == 403
        assert response.json["error"]["code"] == "forbidden"
    assert api.get(f"/tickets/{ticket['id']}").json["title"] == ticket["title"]


@pytest.mark.parametrize("method,path", ADMIN_ONLY)
def test_member_cannot_use_admin_endpoints(api, method, path):
    member = api.as_key(api.key_for(api.add_member("member")["user_id"]))
    body = {} if method in ("POST", "PUT") else None
    assert member.call(method, path, body).status_code == 403


def test_member_can_write_tickets(api):
    member_id = api.add_member("member")["user_id"]
    member = api.as_key(api.key_for(member_id))
    ticket = member.create_ticket()
    assert ticket["reporter"] == member_id
    assert ticket["assignee"] is None  # no default assignee: unassigned


def test_automation_key_is_named_in_history(api):
    flow = api.as_key(api.automation_key("pagerduty-sync"))
    ticket = flow.create_ticket()
    assert ticket["reporter"] == "automation:pagerduty-sync"
    flow.patch(f"/tickets/{ticket['id']}", {"status": "acknowledged"})
    history = api.get(f"/tickets/{ticket['id']}/history").json["data"]
    assert {entry["changed_by"] for entry in history} == {"automation:pagerduty-sync"}


def test_viewer_automation_key_cannot_write(api):
    flow = api.as_key(api.automation_key("dashboard", role="viewer"))
    assert flow.get("/tickets").status_code == 200
    assert flow.post("/tickets", {"title": "t", "description": "", "severity": "low"}).status_code == 403


def test_revoked_key_stops_working_at_once(api):
    member_id = api.add_member("member")["user_id"]
    token = api.key_for(member_id)
    assert api.as_key(token).get("/tickets").status_code == 200
    key_id = next(k["id"] for k in api.get("/api-keys").json["data"] if k["user_id"] == member_id)
    assert api.delete(f"/api-keys/{key_id}").status_code == 204
    assert api.as_key(token).get("/tickets").status_code == 401


def test_role_change_applies_to_existing_keys(api):
    member_id = api.add_member("member")["user_id"]
    member = api.as_key(api.key_for(member_id))
    assert member.get("/members").status_code == 403
    assert api.patch(f"/members/{member_id}", {"role": "admin"}).status_code == 200
    assert member.get("/members").status_code == 200
    assert api.patch(f"/members/{member_id}", {"role": "viewer"}).status_code == 200
    assert member.post("/tickets", {"title": "t", "description": "", "severity": "low"}).status_code == 403


def test_removed_member_loses_their_keys(api):
    member_id = api.add_member("member")["user_id"]
    token = api.key_for(member_id)
    assert api.delete(f"/members/{member_id}").status_code == 204
    assert api.as_key(token).get("/tickets").status_code == 401
