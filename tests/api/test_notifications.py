"""Email notifications end to end: API calls write history, the tickets stream handler turns it into
email through SES (moto), and members choose which kinds they get (their settings:
tests/rules/test_notifications.py)."""
import email
import re
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import getaddresses

import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from chalicelib import config
from tests.streams import handle_records, new_records


class Mailbox:
    """What SES (moto) was asked to send, parsed, from its making on. The API sends email of its
    own (invitations to the members it adds), which no ticket event sends: a delivery leaves that
    out."""

    def __init__(self):
        self.seen = len(self.all())

    def all(self) -> list[EmailMessage]:
        backend = ses_backends[DEFAULT_ACCOUNT_ID][config.region()]
        return [email.message_from_string(m.raw_data, policy=default_policy) for m in backend.sent_messages]

    def deliver(self) -> list[EmailMessage]:
        """Runs the stream handler over what the API wrote; returns the email that sent."""
        self.new()
        assert handle_records(new_records()) == {"batchItemFailures": []}
        return self.new()

    def new(self) -> list[EmailMessage]:
        messages = self.all()
        fresh, self.seen = messages[self.seen:], len(messages)
        return fresh


def to(messages: list[EmailMessage]) -> list[str]:
    return sorted(m["To"].addresses[0].addr_spec for m in messages)


def text(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


def html(message: EmailMessage) -> str:
    return message.get_body(("html",)).get_content()


@pytest.fixture
def mailbox(api) -> Mailbox:
    new_records()  # other tests' history: not this test's email
    return Mailbox()


@pytest.fixture
def people(api):
    """Bob and Cat, members with keys of their own, next to the admin (Ada)."""
    found = {}
    for name in ("bob", "cat", "dan"):
        member = api.post("/members", {"email": f"{name}@example.com", "name": name.title(), "role": "member"}).json
        found[name] = member["user_id"]
        found[f"{name}_api"] = api.as_key(api.key_for(member["user_id"]))
    return found


def test_the_assignee_hears_of_a_ticket_someone_else_created(api, people, mailbox):
    ticket = api.create_ticket(title="Disk full on db-1", assignee=people["bob"])
    (message,) = mailbox.deliver()
    assert message["To"].addresses[0].addr_spec == "bob@example.com"
    assert message["From"].addresses[0].addr_spec == config.email_sender()
    assert message["Subject"] == f"[{ticket['key']}] Disk full on db-1"
    link = f"{config.public_url()}/projects/{api.project_id}/tickets/{ticket['id']}"
    assert text(message).startswith(f"Ada Admin created {ticket['key']}: Disk full on db-1\n")
    assert link in text(message) and f'href="{link}"' in html(message)


def test_a_hostile_title_reaches_only_the_recipients_it_should(api, people, mailbox):
    """Every email about the ticket, comments by other people included, goes to its recipient alone."""
    hostile = "=?utf-8?q?hi=0D=0ABcc:_attacker@evil.example?="
    ticket = api.create_ticket(title=hostile, assignee=people["bob"])
    people["cat_api"].post(f"/tickets/{ticket['id']}/comments", {"body": "on it"})
    messages = mailbox.deliver()
    assert messages
    backend = ses_backends[DEFAULT_ACCOUNT_ID][config.region()]
    for sent, message in zip(backend.sent_messages[-len(messages):], messages):
        # moto adds the header's recipients to the request's; SES takes only the request's.
        assert {address for _, address in getaddresses(sent.destinations)} == {message["To"].addresses[0].addr_spec}
        assert "evil.example" not in " ".join(sent.destinations)
        assert not {"Bcc", "Cc"} & set(message.keys()) and "\n" not in message["Subject"]
        assert message["Subject"].startswith(f"[{ticket['key']}] = ?utf-8?q?hi")


def test_a_ticket_you_create_for_yourself_sends_nothing(api, people, mailbox):
    people["bob_api"].create_ticket()
    api.create_ticket(assignee=None)
    assert mailbox.deliver() == []


def test_status_and_assignee_changes_reach_the_watchers_but_not_the_actor(api, people, mailbox):
    ticket = people["bob_api"].create_ticket(assignee=people["cat"])
    assert to(mailbox.deliver()) == ["cat@example.com"]
    path = f"/tickets/{ticket['id']}"
    api.patch(path, {"status": "acknowledged"})
    assert to(mailbox.deliver()) == ["bob@example.com", "cat@example.com"]
    people["cat_api"].patch(path, {"status": "in_progress"})
    assert to(mailbox.deliver()) == ["bob@example.com"]
    api.patch(path, {"assignee": people["dan"]})
    messages = mailbox.deliver()
    # Cat, assigned before, still watches; Dan watches from now on.
    assert to(messages) == ["bob@example.com", "cat@example.com", "dan@example.com"]
    assert "Assignee: Cat \u2192 Dan" in text(messages[0])
    api.patch(path, {"title": "Renamed", "tags": ["db"], "severity": "low"})
    assert mailbox.deliver() == []


def test_comments_reach_the_watchers_never_the_commenter(api, people, mailbox):
    ticket = api.create_ticket(assignee=people["bob"])
    mailbox.deliver()
    people["cat_api"].post(f"/tickets/{ticket['id']}/comments", {"comment": "Seen it\ntoo"})
    messages = mailbox.deliver()
    assert to(messages) == ["admin@example.com", "bob@example.com"]
    assert "Cat commented on" in text(messages[0]) and "Seen it\ntoo" in text(messages[0])
    people["bob_api"].post(f"/tickets/{ticket['id']}/comments", {"comment": "On it"})
    assert to(mailbox.deliver()) == ["admin@example.com", "cat@example.com"]  # Cat watches since commenting


def test_a_team_assignee_means_its_members_or_its_own_address(api, people, mailbox):
    dbas = api.post("/teams", {"name": "DBAs", "members": [people["bob"], people["cat"]]}).json
    sre = api.post("/teams", {"name": "SRE", "email": "sre@example.com", "members": [people["dan"]]}).json
    ticket = api.create_ticket(assignee=f"team:{dbas['id']}")
    assert to(mailbox.deliver()) == ["bob@example.com", "cat@example.com"]
    people["bob_api"].post(f"/tickets/{ticket['id']}/comments", {"comment": "mine"})
    assert to(mailbox.deliver()) == ["admin@example.com", "cat@example.com"]
    people["dan_api"].create_ticket(assignee=f"team:{sre['id']}")
    assert to(mailbox.deliver()) == ["sre@example.com"]


def test_automations_get_no_email(api, people, mailbox):
    robot = api.as_key(api.automation_key("pager"))
    ticket = robot.create_ticket(assignee=people["bob"])
    assert to(mailbox.deliver()) == ["bob@example.com"]
    people["bob_api"].patch(f"/tickets/{ticket['id']}", {"status": "resolved"})
    assert mailbox.deliver() == []


def test_members_can_turn_a_kind_of_email_off(api, people, mailbox):
    response = api.patch(f"/members/{people['bob']}", {"notifications": {"comment_added": False}})
    assert response.status_code == 200
    assert response.json["notifications"] == {"ticket_created": True, "ticket_updated": True,
                                              "comment_added": False, "ticket_overdue": True,
                                              "sla": True, "mentioned": True}
    ticket = api.create_ticket(assignee=people["bob"])
    assert to(mailbox.deliver()) == ["bob@example.com"]
    people["cat_api"].post(f"/tickets/{ticket['id']}/comments", {"comment": "hello"})
    assert to(mailbox.deliver()) == ["admin@example.com"]
    people["cat_api"].patch(f"/tickets/{ticket['id']}", {"status": "acknowledged"})
    assert to(mailbox.deliver()) == ["admin@example.com", "bob@example.com"]


def test_members_can_turn_their_own_email_off(api, people, mailbox):
    response = people["bob_api"].patch("/me", {"notifications": {"ticket_created": False}})
    assert response.status_code == 200 and response.json["notifications"]["ticket_created"] is False
    api.create_ticket(assignee=people["bob"])
    assert mailbox.deliver() == []
    people["bob_api"].patch("/me", {"notifications": {"ticket_created": True}})
    api.create_ticket(assignee=people["bob"])
    assert to(mailbox.deliver()) == ["bob@example.com"]


def test_user_text_cannot_inject_headers_or_markup(api, people, mailbox):
    title = 'Disk <script>alert("x")</script>\r\nBcc: victim@example.com'
    ticket = api.create_ticket(title=title, assignee=people["bob"])
    people["cat_api"].post(f"/tickets/{ticket['id']}/comments", {"comment": "<img src=x onerror=alert(1)>"})
    messages = mailbox.deliver()
    assert len(messages) == 3
    for message in messages:
        assert message["Bcc"] is None
        assert message["Subject"] == f'[{ticket["key"]}] Disk <script>alert("x")</script> Bcc: victim@example.com'
        assert "<script>" not in html(message) and "<img" not in html(message)
    assert "&lt;img src=x onerror=alert(1)&gt;" in html(messages[-1])


def test_a_replayed_batch_sends_nothing_twice(api, people, mailbox):
    ticket = api.create_ticket(assignee=people["bob"])
    people["cat_api"].post(f"/tickets/{ticket['id']}/comments", {"comment": "hello"})
    records = new_records()
    assert handle_records(records) == {"batchItemFailures": []}
    assert len(mailbox.new()) == 3
    assert handle_records(records) == {"batchItemFailures": []}
    assert mailbox.new() == []


def test_each_sent_email_is_kept_in_the_outbox_and_logged(api, people, mailbox, tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("EMAIL_OUTBOX_DIR", str(tmp_path / "outbox"))
    caplog.set_level("INFO", logger="chalicelib.adapters.mailer")
    ticket = api.create_ticket(title="Disk full", assignee=people["bob"])
    mailbox.deliver()
    (saved,) = (tmp_path / "outbox").iterdir()
    created = api.get(f"/tickets/{ticket['id']}").json["history"][-1]
    assert re.fullmatch(rf"\d{{8}}T\d{{12}}Z-{created['id']}-1\.eml", saved.name)
    sent = ses_backends[DEFAULT_ACCOUNT_ID][config.region()].sent_messages[-1]
    assert saved.read_bytes().decode() == sent.raw_data
    assert [r.getMessage() for r in caplog.records] == [
        f"email to=bob@example.com subject=[{ticket['key']}] Disk full file={saved.name}"]
