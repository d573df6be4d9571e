"""Pure webhook rules: who manages a subscription, what others see of its URL, which
subscription wants an event, which addresses are refused."""
from dataclasses import replace

import pytest

from chalicelib.domain.events import TicketEvent
from chalicelib.domain.people import Principal, Project
from chalicelib.domain.webhooks import (
    Filters,
    Subscription,
    has_credentials,
    may_manage,
    never_sent_to,
    owner_of,
    refused_address,
    target_of,
    wants,
)

NOW = "2026-01-01T00:00:00.000Z"


def subscription(event_type="*", **filters) -> Subscription:
    return Subscription(id="w1", project_id="p1", name="flow", event_type=event_type, url="https://x.example/hook",
                        filters=Filters(**filters), secret="whsec_x", created_at=NOW, created_by="u1")


def event(type_="TICKET_UPDATED", changes=None, **ticket) -> TicketEvent:
    base = {"id": "t1", "key": "OPS-1", "status": "new", "severity": "high", "tags": ["db"], "assignee": "u1"}
    return TicketEvent(id="h1", type=type_, timestamp=NOW, project_id="p1", actor="u2", ticket=base | ticket,
                       changes=changes or {})


def moved_to(status: str) -> TicketEvent:
    return event(changes={"status": {"old": "new", "new": status}}, status=status)


class TestOneTicket:
    @pytest.mark.parametrize("ticket_id", ["t1", "OPS-1"])
    def test_matches_the_ticket_by_id_or_key(self, ticket_id):
        assert wants(subscription(ticket_id=ticket_id), event())

    def test_ignores_other_tickets(self):
        assert not wants(subscription(ticket_id="t2"), event())
        assert not wants(subscription(ticket_id="OPS-2"), event())


class TestStatusChangedTo:
    def test_one_status_as_a_string(self):
        assert wants(subscription(status_changed_to="resolved"), moved_to("resolved"))
        assert not wants(subscription(status_changed_to="resolved"), moved_to("closed"))

    def test_any_of_several(self):
        final = subscription(status_changed_to=("resolved", "closed", "canceled"))
        assert wants(final, moved_to("closed")) and wants(final, moved_to("canceled"))
        assert not wants(final, moved_to("acknowledged"))

    def test_needs_a_status_change(self):
        assert not wants(subscription(status_changed_to=("resolved",)), event(changes={"title": {"old": "a", "new": "b"}},
                                                                               status="resolved"))

    def test_filters_keep_their_shape(self):
        assert Filters(status_changed_to="resolved").as_dict()["status_changed_to"] == "resolved"
        assert Filters(status_changed_to=("resolved", "closed")).as_dict()["status_changed_to"] == ["resolved", "closed"]
        assert Filters().statuses == () and Filters(status_changed_to="new").statuses == ("new",)


def test_all_filters_must_match():
    waiting = subscription("TICKET_UPDATED", ticket_id="t1", status_changed_to=("resolved",), severity=("high",))
    assert wants(waiting, moved_to("resolved"))
    assert not wants(waiting, event("COMMENT_ADDED", changes={"status": {"old": "new", "new": "resolved"}}))
    assert not wants(subscription(ticket_id="t1", severity=("low",)), moved_to("resolved"))


@pytest.mark.parametrize("address", [
    "169.254.169.254", "169.254.170.2", "169.254.0.1", "fe80::1", "fd00:ec2::254", "100.100.100.200", "192.0.0.192",
    "::ffff:169.254.169.254", "::ffff:a9fe:a9fe", "::169.254.169.254", "64:ff9b::a9fe:a9fe", "2002:a9fe:a9fe::1",
    "0.0.0.0", "::", "224.0.0.1", "ff02::1", "240.0.0.1", "255.255.255.255",
])
def test_metadata_link_local_and_reserved_addresses_are_never_sent_to(address):
    assert never_sent_to(address) and refused_address(address)


@pytest.mark.parametrize("address", ["127.0.0.1", "::1", "::ffff:127.0.0.1", "10.0.0.7", "192.168.1.1", "fd00::1",
                                     "100.64.0.1", "64:ff9b::a00:1"])
def test_loopback_and_private_addresses_are_refused_only_where_private_targets_are_not_allowed(address):
    assert refused_address(address) and not never_sent_to(address)


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c", "::ffff:8.8.8.8"])
def test_public_addresses_are_sent_to(address):
    assert not refused_address(address) and not never_sent_to(address)


PROJECT = Project(id="p1", name="Operations", key="OPS", created_at=NOW)


def member(user_id: str, role: str = "member", key_id: str = "k1") -> Principal:
    return Principal(project=PROJECT, actor=user_id, role=role, key_id=key_id, user_id=user_id)


def automation(name: str, key_id: str) -> Principal:
    return Principal(project=PROJECT, actor=f"automation:{name}", role="member", key_id=key_id)


class TestWhoManages:
    def test_a_member_owns_what_any_of_their_keys_subscribed(self):
        owned = replace(subscription(), owner=owner_of(member("u1", key_id="k1")))
        assert may_manage(owned, member("u1", key_id="k2"))
        assert not may_manage(owned, member("u2"))

    def test_an_automation_key_owns_what_it_subscribed_and_no_namesake_does(self):
        owned = replace(subscription(), created_by="automation:flow", owner=owner_of(automation("flow", "k7")))
        assert may_manage(owned, automation("flow", "k7"))
        assert not may_manage(owned, automation("flow", "k8"))
        assert not may_manage(owned, member("u1"))

    def test_admins_manage_every_subscription(self):
        owned = replace(subscription(), owner=owner_of(automation("flow", "k7")))
        assert may_manage(owned, member("u9", role="admin"))

    def test_without_a_recorded_owner_its_maker_manages_it(self):
        made_by_member = replace(subscription(), created_by="u1")
        assert may_manage(made_by_member, member("u1")) and not may_manage(made_by_member, member("u2"))
        made_by_flow = replace(subscription(), created_by="automation:flow")
        assert may_manage(made_by_flow, automation("flow", "k8"))
        assert not may_manage(made_by_flow, automation("sync", "k9")) and not may_manage(made_by_flow, member("u1"))


@pytest.mark.parametrize("url,shown", [
    ("https://flows.example.com/hooks/t0k3n?sig=abc#x", "https://flows.example.com"),
    ("http://user:pass@Flows.example.com:8443/p", "http://Flows.example.com:8443"),
    ("https://[2001:db8::1]:9000/p", "https://[2001:db8::1]:9000"),
    ("https://flows.example.com", "https://flows.example.com"),
])
def test_others_see_the_targets_scheme_and_host_only(url, shown):
    assert target_of(url) == shown


@pytest.mark.parametrize("url,credentials", [
    ("https://user:pass@example.com/", True), ("https://user@example.com/", True), ("https://@example.com/", True),
    ("https://example.com/a@b?c=d@e", False), ("https://example.com/", False),
])
def test_credentials_are_those_written_before_the_host(url, credentials):
    assert has_credentials(url) is credentials
