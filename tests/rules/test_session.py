"""GET /v1/ce/session: who a key is and the project it reaches, for clients that must not read
anything into the key itself."""
import json

import pytest

from tests.api.conftest import new_project

SESSION = "/v1/ce/session"


def session(client, token):
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    response = client.http.get(SESSION, headers=headers)
    response.json = json.loads(response.body) if response.body else None
    return response


def test_a_members_key_names_the_member_and_its_project(client, api, admin_id):
    response = session(client, api.token)
    assert response.status_code == 200, response.body
    key_id = api.get("/api-keys").json["data"][0]["id"]
    assert response.json == {
        "principal": {"kind": "api_key", "key_id": key_id, "session_id": None, "account_id": None, "actor": admin_id,
                      "user_id": admin_id, "name": "Ada Admin", "email": "admin@example.com"},
        "projects": [{"id": api.project_id, "key": "OPS", "name": "Operations", "role": "admin"}],
    }


def test_the_actor_is_the_one_history_records(client, api):
    robot = api.as_key(api.automation_key("pager"))
    ticket = robot.create_ticket()
    recorded = robot.get(f"/tickets/{ticket['id']}/history").json["data"][0]["changed_by"]
    assert session(client, robot.token).json["principal"]["actor"] == recorded == "automation:pager"


def test_an_automation_key_is_named_by_the_key_and_has_no_member(client, api):
    token = api.automation_key("pager", role="member")
    key = next(k for k in api.get("/api-keys").json["data"] if k["name"] == "pager")
    response = session(client, token)
    assert response.status_code == 200, response.body
    assert response.json == {
        "principal": {"kind": "api_key", "key_id": key["id"], "session_id": None, "account_id": None,
                      "actor": "automation:pager", "user_id": None,
                      "name": "pager", "email": None},
        "projects": [{"id": api.project_id, "key": "OPS", "name": "Operations", "role": "member"}],
    }


def test_a_viewer_may_ask_who_they_are(client, api):
    viewer = api.add_member("viewer", email="vera@example.com")
    response = session(client, api.key_for(viewer["user_id"]))
    assert response.status_code == 200, response.body
    assert response.json["principal"]["user_id"] == viewer["user_id"]
    assert response.json["principal"]["email"] == "vera@example.com"
    assert response.json["projects"][0]["role"] == "viewer"


def test_each_key_reaches_only_its_own_project(client, api):
    other, _ = new_project(client, "SEC")
    mine, theirs = session(client, api.token).json, session(client, other.token).json
    assert [p["id"] for p in mine["projects"]] == [api.project_id]
    assert [p["id"] for p in theirs["projects"]] == [other.project_id]


@pytest.mark.parametrize("token", [None, "nonsense", "tkt_", "tkt_a_b_c"])
def test_no_key_or_an_invalid_one_is_401(client, api, token):
    response = session(client, token)
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"


def test_a_wrong_secret_or_a_revoked_key_is_401(client, api):
    forged = api.token[:-4] + ("aaaa" if not api.token.endswith("aaaa") else "bbbb")
    assert session(client, forged).status_code == 401
    token = api.automation_key("gone")
    key_id = next(k["id"] for k in api.get("/api-keys").json["data"] if k["name"] == "gone")
    assert api.delete(f"/api-keys/{key_id}").status_code == 204
    assert session(client, token).status_code == 401
