"""The limits on wrong keys, counted by atomic updates on the directory table, and what a key that works
costs (the rest of who may call what runs on memory: tests/rules/test_auth.py)."""
import ipaddress
import secrets

import pytest
from chalice.local import LambdaEventConverter

from chalicelib import config
from chalicelib.domain.clock import new_id
from tests.api.conftest import new_project
from tests.aws_calls import RECORDER


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
