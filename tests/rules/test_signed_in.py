"""Signed in with a session cookie, over HTTP on memory: the member's role is read at every request
(a change or a removal takes effect at once), a session expires unused or at its absolute lifetime
(on an injected clock), and an account lists, ends and names what is its own."""
from dataclasses import replace

import pytest

from chalicelib import config
from chalicelib.domain.accounts import SESSION_COOKIE
from chalicelib.services.registry import services
from tests.api.conftest import new_project
from tests.signed_in import join, sign_in, start

CHROME_MAC = ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/120.0.0.0 Safari/537.36")
FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"


@pytest.fixture
def clock(monkeypatch):
    sessions = services().sessions
    now = [sessions.clock()]
    monkeypatch.setattr(sessions, "clock", lambda: now[0])
    return now


def error_code(response) -> str:
    return response.json["error"]["code"]


def test_a_session_acts_as_its_member(api):
    browser = sign_in(api, "member")
    ticket = browser.create_ticket(title="From the browser")
    history = api.get(f"/tickets/{ticket['id']}/history").json["data"]
    assert history[0]["changed_by"] == browser.user_id
    me = browser.get("/me")
    assert (me.status_code, me.json["user_id"]) == (200, browser.user_id)


def test_a_role_change_takes_effect_at_the_next_request(api):
    browser = sign_in(api, "viewer")
    assert browser.post("/tickets", {"title": "t", "description": "", "severity": "low"}).status_code == 403
    assert api.patch(f"/members/{browser.user_id}", {"role": "member"}).status_code == 200
    assert browser.post("/tickets", {"title": "t", "description": "", "severity": "low"}).status_code == 201
    assert browser.get("/members").status_code == 403
    assert api.patch(f"/members/{browser.user_id}", {"role": "admin"}).status_code == 200
    assert browser.get("/members").status_code == 200


def test_a_removed_member_reaches_the_project_no_more(api):
    browser = sign_in(api, "admin")
    assert browser.get("").status_code == 200
    assert api.delete(f"/members/{browser.user_id}").status_code == 204
    gone = browser.get("")
    assert (gone.status_code, gone.json["error"]["message"]) == (404, "project not found")
    assert browser.unscoped("GET", "/v1/ce/session").json["projects"] == []


def test_an_unused_session_expires(api, clock):
    browser = sign_in(api)
    clock[0] += config.session_idle_seconds() - 60
    assert browser.get("").status_code == 200          # used: another idle lifetime from here
    clock[0] += config.session_idle_seconds() - 60
    assert browser.get("").status_code == 200
    clock[0] += config.session_idle_seconds()
    expired = browser.get("")
    assert (expired.status_code, error_code(expired)) == (401, "session_expired")
    assert error_code(browser.unscoped("GET", "/v1/ce/session")) == "session_expired"


def test_a_session_in_use_ends_at_its_absolute_lifetime(api, clock):
    browser = sign_in(api)
    end = clock[0] + config.session_absolute_seconds()
    while clock[0] + 86400 < end:
        clock[0] += 86400
        assert browser.get("").status_code == 200
    clock[0] = end
    expired = browser.get("")
    assert (expired.status_code, error_code(expired)) == (401, "session_expired")


def test_a_forged_or_unknown_cookie_is_401(api):
    browser = sign_in(api)
    account_id, session_id, secret = browser.cookie.split(".")
    for cookie in (f"{account_id}.{session_id}.{secret[::-1]}", f"{account_id}.{'z' * 16}.{secret}",
                   f"{'z' * 16}.{session_id}.{secret}", "nonsense", f"{account_id}.{session_id}.{'%' * 43}"):
        response = browser.with_cookie(cookie).get("")
        assert (response.status_code, error_code(response)) == (401, "unauthorized"), cookie
    assert "sign in" in browser.with_cookie(None).get("").json["error"]["message"]


def test_a_single_sign_on_project_takes_only_its_providers_sessions_but_from_admins(api):
    by_email = sign_in(api, "member")
    by_provider = start(api, by_email.account, by_email.user_id, method="oidc:corp")
    admin = sign_in(api, "admin")
    stored = services().directory.store.projects[api.project_id]
    stored.project = replace(stored.project, require_sso=True)
    refused = by_email.get("/tickets")
    assert (refused.status_code, error_code(refused)) == (403, "sso_required")
    assert by_provider.get("/tickets").status_code == 200
    assert admin.get("/tickets").status_code == 200
    assert api.get("/tickets").status_code == 200   # keys are no sign-in


def test_the_session_names_the_account_and_every_project_it_reaches(client, api):
    other, _ = new_project(client, "SEC")
    browser = sign_in(api, "viewer", name="Vera")
    join(other, browser.account, "admin")
    answer = browser.unscoped("GET", "/v1/ce/session")
    assert answer.status_code == 200, answer.body
    assert answer.json["principal"] == {"kind": "session", "key_id": None, "session_id": browser.cookie.split(".")[1],
                                        "account_id": browser.account.id, "actor": None, "user_id": None,
                                        "name": "Vera", "email": browser.account.email}
    assert sorted((p["id"], p["key"], p["role"]) for p in answer.json["projects"]) == sorted(
        [(api.project_id, "OPS", "viewer"), (other.project_id, "SEC", "admin")])


def test_sessions_are_listed_with_their_device_and_the_current_one_marked(api, clock):
    first = sign_in(api, user_agent=CHROME_MAC)
    clock[0] += 10
    second = start(api, first.account, first.user_id, user_agent=FIREFOX_LINUX, method="email_link")
    listed = second.unscoped("GET", "/v1/ce/sessions")
    assert listed.status_code == 200, listed.body
    sessions = listed.json["sessions"]
    assert [(s["device"], s["current"], s["method"], s["ip"]) for s in sessions] == [
        ("Firefox on Linux", True, "email_link", "203.0.113.9"), ("Chrome on macOS", False, "email_code", "203.0.113.9")]
    assert sessions[1]["user_agent"] == CHROME_MAC
    assert set(sessions[0]) == {"id", "current", "created_at", "last_used_at", "ip", "user_agent", "device", "method"}


def test_an_account_ends_its_own_sessions_one_or_all_but_this_one(client, api):
    here = sign_in(api)
    there = start(api, here.account, here.user_id)
    elsewhere = start(api, here.account, here.user_id)
    stranger = sign_in(api)
    stranger_id = stranger.unscoped("GET", "/v1/ce/sessions").json["sessions"][0]["id"]
    assert here.unscoped("DELETE", f"/v1/ce/sessions/{stranger_id}").status_code == 404
    assert stranger.get("").status_code == 200
    there_id = there.cookie.split(".")[1]
    assert here.unscoped("DELETE", f"/v1/ce/sessions/{there_id}").status_code == 204
    assert there.get("").status_code == 401 and elsewhere.get("").status_code == 200
    assert here.unscoped("DELETE", f"/v1/ce/sessions/{there_id}").status_code == 404
    assert here.unscoped("DELETE", "/v1/ce/sessions").status_code == 204
    assert elsewhere.get("").status_code == 401 and here.get("").status_code == 200
    assert [s["current"] for s in here.unscoped("GET", "/v1/ce/sessions").json["sessions"]] == [True]


def test_ending_the_current_session_by_id_clears_its_cookie(api):
    browser = sign_in(api)
    response = browser.unscoped("DELETE", f"/v1/ce/sessions/{browser.cookie.split('.')[1]}")
    assert response.status_code == 204
    assert response.headers["Set-Cookie"].startswith(f"{SESSION_COOKIE}=;")
    assert browser.get("").status_code == 401


def test_sign_out_ends_only_this_session(api):
    here = sign_in(api)
    there = start(api, here.account, here.user_id)
    assert here.unscoped("DELETE", "/v1/ce/session").status_code == 204
    assert here.get("").status_code == 401 and there.get("").status_code == 200


def test_an_account_reads_and_renames_itself(api):
    browser = sign_in(api, name="Ada")
    account = browser.unscoped("GET", "/v1/ce/account")
    assert account.status_code == 200, account.body
    assert account.json == {"id": browser.account.id, "email": browser.account.email, "name": "Ada",
                            "created_at": browser.account.created_at,
                            "last_sign_in_at": account.json["last_sign_in_at"]}
    assert account.json["last_sign_in_at"] is not None
    renamed = browser.unscoped("PATCH", "/v1/ce/account", {"name": "  Ada Lovelace "})
    assert (renamed.status_code, renamed.json["name"]) == (200, "Ada Lovelace")
    assert browser.unscoped("GET", "/v1/ce/session").json["principal"]["name"] == "Ada Lovelace"
    for bad in ({"name": "   "}, {"name": ""}, {}, {"name": "x", "email": "e@example.com"}):
        refused = browser.unscoped("PATCH", "/v1/ce/account", bad)
        assert refused.status_code == 400, (bad, refused.body)


def test_session_routes_refuse_an_api_key(client, api):
    for method, path in (("DELETE", "/v1/ce/session"), ("GET", "/v1/ce/sessions"), ("DELETE", "/v1/ce/sessions"),
                         ("DELETE", "/v1/ce/sessions/zzzzzzzzzzzzzzzz"), ("GET", "/v1/ce/account")):
        response = getattr(client.http, method.lower())(path, headers={"Authorization": f"Bearer {api.token}"})
        assert response.status_code == 403, (method, path, response.body)
        assert b"not_a_session" in response.body
