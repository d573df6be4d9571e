"""Pure webhook rules: which subscription wants an event."""
import pytest

from chalicelib.domain.events import TicketEvent
from chalicelib.domain.webhooks import Filters, Subscription, never_sent_to, refused_address, wants

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
