"""Who may call what: missing and invalid keys, other projects, roles, automation keys, revocation,
and the limits on wrong keys."""
import ipaddress
import secrets

import pytest
from chalice.local import LambdaEventConverter

from chalicelib import config
from chalicelib.domain.clock import new_id
from tests.api.conftest import new_project
from tests.aws_calls import RECORDER

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


class TestWrongKeys:
    """Wrong keys are counted per minute of the clock, per source and per key id: past the default
    limits (20 a source, 10 a key) they are answered 429 with Retry-After until the minute is
    over. A key that works is answered as ever, from any source, with the same one read."""

    MINUTE = 1_900_000_020          # the first second of a minute
    SECRET_LIKE = "x" * 43

    @pytest.fixture
    def clock(self, monkeypatch):
        """The authenticator's clock, 15 seconds into MINUTE; tests move it."""
        from chalicelib.services.registry import services
        now = [self.MINUTE + 15.0]
        monkeypatch.setattr(services().auth, "clock", lambda: now[0])
        return now

    @pytest.fixture(autouse=True)
    def default_limits(self, monkeypatch):
        monkeypatch.delenv(config.WRONG_KEYS_PER_SOURCE, raising=False)
        monkeypatch.delenv(config.WRONG_KEYS_PER_KEY, raising=False)

    @pytest.fixture
    def send_from(self, monkeypatch):
        """Sends the next requests from `address`, as API Gateway would report it."""
        def move(address: str):
            monkeypatch.setattr(LambdaEventConverter, "LOCAL_SOURCE_IP", address)
        return move

    @staticmethod
    def new_source() -> str:
        return str(ipaddress.IPv6Address(0x2001_0db8 << 96 | secrets.randbits(64) << 32 | 1))

    def unknown_key(self, api) -> str:
        return f"tkt_{api.project_id}_{new_id()}_{self.SECRET_LIKE}"

    def test_a_source_gets_429_after_20_wrong_keys_in_a_minute(self, api, clock, send_from):
        send_from(self.new_source())
        answers = [api.as_key(self.unknown_key(api)).get("/tickets") for _ in range(21)]
        assert [a.status_code for a in answers] == [401] * 20 + [429]
        assert answers[-1].json["error"]["code"] == "too_many_wrong_keys"
        assert answers[-1].headers["Retry-After"] == "45"
        assert api.get("/tickets").status_code == 200                 # the right key, from that source
        clock[0] += 45                                                   # the next minute
        assert api.as_key(self.unknown_key(api)).get("/tickets").status_code == 401

    def test_addresses_of_one_ipv6_64_are_one_source(self, api, clock, send_from):
        network = self.new_source().rsplit(":", 2)[0]
        for host in range(20):
            send_from(f"{network}:{host:x}:1")
            assert api.as_key(self.unknown_key(api)).get("/tickets").status_code == 401
        send_from(f"{network}:ffff:ffff")
        assert api.as_key(self.unknown_key(api)).get("/tickets").status_code == 429

    def test_a_key_gets_429_after_10_wrong_secrets_in_a_minute_from_any_sources(self, api, clock, send_from):
        wrong_secret = api.token.rsplit("_", 1)[0] + "_" + self.SECRET_LIKE
        answers = []
        for _ in range(11):
            send_from(self.new_source())
            answers.append(api.as_key(wrong_secret).get("/tickets"))
        assert [a.status_code for a in answers] == [401] * 10 + [429]
        assert answers[-1].headers["Retry-After"] == "45"
        assert api.get("/tickets").status_code == 200                 # its owner is not locked out
        clock[0] += 60
        assert api.as_key(wrong_secret).get("/tickets").status_code == 401

    def test_another_projects_path_counts_a_wrong_secret_too(self, client, api, clock, send_from):
        other, _ = new_project(client, "SEC")
        wrong_secret = api.token.rsplit("_", 1)[0] + "_" + self.SECRET_LIKE
        send_from(self.new_source())
        assert [other.as_key(wrong_secret).get("/tickets").status_code for _ in range(11)] == [401] * 10 + [429]
        assert other.as_key(api.token).get("/tickets").status_code == 404   # the right key: as before

    def test_tokens_of_no_known_form_are_refused_without_counting(self, api, clock, send_from):
        send_from(self.new_source())
        assert {api.as_key("nonsense").get("/tickets").status_code for _ in range(25)} == {401}
        assert api.as_key(self.unknown_key(api)).get("/tickets").status_code == 401

    def test_a_key_that_works_costs_one_read_and_a_blocked_source_no_more_writes(self, api, clock, send_from):
        send_from(self.new_source())
        for _ in range(21):
            api.as_key(self.unknown_key(api)).get("")

        def calls_of(request) -> list[str]:
            before = len(RECORDER.calls)
            request()
            return [c.operation for c in RECORDER.calls[before:]]
        assert calls_of(lambda: api.get("")) == ["BatchGetItem"]       # GET the project: the auth read only
        assert calls_of(lambda: api.as_key(self.unknown_key(api)).get("")) == ["BatchGetItem"]
        send_from(self.new_source())
        assert calls_of(lambda: api.as_key(self.unknown_key(api)).get("")) == ["BatchGetItem", "UpdateItem"]
