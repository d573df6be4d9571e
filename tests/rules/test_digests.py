"""Hourly digests: a member's delivery mode per kind (PATCH like notifications), events of an hourly
kind queued instead of mailed, and one email per recipient per finished hour, grouped by ticket,
sent once however many sweeps run (on the in-memory ports, with the clock in the test's hands)."""
import calendar

import pytest

from chalicelib.adapters.memory.outbox import MemoryOutbox
from chalicelib.events.outbox import event_of
from chalicelib.services.digests import GRACE_SECONDS, DigestService
from chalicelib.services.notifications import NotificationService
from chalicelib.services.registry import services
from tests.streams import MemoryStream

# 13:20 UTC: the digest of 13:00-13:59 is due from 14:02.
QUEUED_AT = calendar.timegm((2026, 6, 1, 13, 20, 0))
AFTER_THE_HOUR = calendar.timegm((2026, 6, 1, 14, 0, 0)) + GRACE_SECONDS
PUBLIC_URL = "https://tickets.example.com"


@pytest.fixture
def bob(api):
    return api.add_member("member", "bob@example.com")


@pytest.fixture
def mail() -> MemoryOutbox:
    return MemoryOutbox()


@pytest.fixture
def tell(api, mail):
    """Hands the new history to a notification service whose clock says 13:20."""
    stream = MemoryStream(services().ticket_repo.store)

    def run():
        notifications = NotificationService(services().directory, services().ticket_repo, mail, PUBLIC_URL,
                                            clock=lambda: QUEUED_AT)
        for record in stream.new_records():
            event = event_of(record)
            if event is not None:
                notifications.notify(event)
    return run


def digests(mail: MemoryOutbox, at: float) -> DigestService:
    return DigestService(services().ticket_repo, lambda: mail, lambda: PUBLIC_URL, clock=lambda: at)


def test_delivery_modes_merge_and_show_on_members(api, bob):
    path = f"/members/{bob['user_id']}"
    assert bob["notification_delivery"] == dict.fromkeys(
        ("ticket_created", "ticket_updated", "comment_added", "ticket_overdue", "sla", "mentioned"), "each")
    api.patch(path, {"notification_delivery": {"comment_added": "hourly"}})
    changed = api.patch(path, {"notification_delivery": {"ticket_updated": "hourly", "comment_added": "each"}}).json
    assert {k for k, v in changed["notification_delivery"].items() if v == "hourly"} == {"ticket_updated"}
    listed = {m["user_id"]: m for m in api.get("/members").json["data"]}
    assert listed[bob["user_id"]]["notification_delivery"] == changed["notification_delivery"]
    bob_key = api.as_key(api.key_for(bob["user_id"]))
    assert bob_key.patch("/me", {"notification_delivery": {"sla": "hourly"}}).json["notification_delivery"]["sla"] \
        == "hourly"


@pytest.mark.parametrize("body,field", [
    ({"notification_delivery": {"comment_added": "daily"}}, "notification_delivery.comment_added"),
    ({"notification_delivery": {"bogus": "each"}}, "notification_delivery.bogus"),
    ({"notification_delivery": {"comment_added": None}}, "notification_delivery.comment_added"),
    ({"notification_delivery": None}, "notification_delivery"),
])
def test_bad_delivery_modes_are_400_naming_the_field(api, bob, body, field):
    response = api.patch(f"/members/{bob['user_id']}", body)
    assert response.status_code == 400
    assert [d["field"] for d in response.json["error"]["details"]] == [field]


def test_hourly_kinds_wait_for_one_digest_an_hour_grouped_by_ticket_sent_once(api, bob, mail, tell):
    api.patch(f"/members/{bob['user_id']}", {"notification_delivery": {"comment_added": "hourly"}})
    first = api.create_ticket(title="Disk full", assignee=bob["user_id"])
    second = api.create_ticket(title="CPU hot\r\nBcc: evil@example.com", assignee=bob["user_id"])
    api.post(f"/tickets/{first['id']}/comments", {"comment": "looking"})
    api.post(f"/tickets/{second['id']}/comments", {"comment": "cooling down"})
    api.post(f"/tickets/{first['id']}/comments", {"comment": "fixed"})
    tell()
    # Ticket creation is still mailed at once; comments wait for the digest.
    assert sorted(email.subject for email in mail.to("bob@example.com")) == sorted(
        [f"[{first['key']}] Disk full", f"[{second['key']}] CPU hot Bcc: evil@example.com"])
    mail.sent.clear()

    assert digests(mail, AFTER_THE_HOUR - 1).send_due() == 0  # the hour's grace is not over
    assert digests(mail, AFTER_THE_HOUR).send_due() == 1
    (sent,) = mail.sent
    assert (sent.to, sent.subject) == ("bob@example.com", "[Ticketry] 3 updates on 2 tickets (13:00 UTC)")
    assert "\n" not in sent.subject and "\r" not in sent.subject
    body = sent.text
    assert body.index(f"{first['key']}: Disk full") < body.index("commented: looking") < body.index(
        "commented: fixed") < body.index(f"{second['key']}: CPU hot")
    assert f"{PUBLIC_URL}/projects/{api.project_id}/tickets/{first['id']}" in body
    assert "&lt;" not in sent.html and "Disk full" in sent.html
    assert digests(mail, AFTER_THE_HOUR + 60).send_due() == 0 and len(mail.sent) == 1

    tell()  # a replayed batch queues nothing again
    assert digests(mail, AFTER_THE_HOUR + 120).send_due() == 0


def test_a_failed_send_is_retried_by_the_next_sweep_and_others_are_not_sent_twice(api, bob, mail, tell):
    cat = api.add_member("member", "cat@example.com")
    for member in (bob, cat):
        api.patch(f"/members/{member['user_id']}", {"notification_delivery": {"ticket_created": "hourly"}})
        api.create_ticket(title=f"For {member['name']}", assignee=member["user_id"])
    tell()
    assert mail.sent == []

    class Flaky(MemoryOutbox):
        def send(self, email, reference):
            if email.to == "cat@example.com":
                raise ConnectionError("SES unreachable")
            return super().send(email, reference)

    flaky = Flaky()
    assert digests(flaky, AFTER_THE_HOUR).send_due() == 1
    assert [email.to for email in flaky.sent] == ["bob@example.com"]
    assert digests(mail, AFTER_THE_HOUR + 60).send_due() == 1
    assert [email.to for email in mail.sent] == ["cat@example.com"]
    assert digests(mail, AFTER_THE_HOUR + 120).send_due() == 0
