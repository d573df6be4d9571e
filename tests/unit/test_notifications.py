"""Email rules (who gets what, what it says), the MIME message and the notification use case, on
fakes."""
import email
from email.policy import default as default_policy

import pytest
from botocore.exceptions import ClientError

from chalicelib.adapters.mailer import MailRejected, SesMailer, mime
from chalicelib.adapters.memory import MemoryStore, MemoryTicketsTable
from chalicelib.domain import notifications as rules
from chalicelib.domain import watching
from chalicelib.domain.events import TicketEvent
from chalicelib.domain.people import NOTIFICATION_KINDS, Member, NotificationSettings, Team
from chalicelib.domain.watching import Watcher
from chalicelib.schemas.people import Notifications, NotificationsPatch
from chalicelib.services.notifications import MARKER_LIFETIME_SECONDS, NotificationService

NOW = "2026-01-01T00:00:00.000Z"
URL = "https://ticketry.example.com"


def member(user_id: str, **fields) -> Member:
    base = dict(user_id=user_id, email=f"{user_id}@example.com", name=user_id.title(), role="member", created_at=NOW)
    return Member(**(base | fields))


ADA, BOB, CAT, DAN = member("ada"), member("bob"), member("cat"), member("dan")
DBAS = Team(id="dbas", name="DBAs", email=None, members=("bob", "cat"), created_at=NOW)
SRE = Team(id="sre", name="SRE", email="sre@example.com", members=("dan",), created_at=NOW)
PEOPLE = rules.People(members={m.user_id: m for m in (ADA, BOB, CAT, DAN)}, teams={"dbas": DBAS, "sre": SRE})


def event(type_: str, actor: str = "ada", changes=None, comment=None, id_: str = "e1", **ticket) -> TicketEvent:
    snapshot = {"id": "t1", "key": "OPS-42", "project_id": "p1", "title": "Disk full", "status": "new",
                "severity": "high", "reporter": "ada", "assignee": "bob", "description": "", "due_date": None,
                "tags": []} | ticket
    if comment is not None:
        comment = {"id": id_, "body": comment, "author": actor, "created_at": NOW}
    return TicketEvent(id=id_, type=type_, timestamp=NOW, project_id="p1", actor=actor, ticket=snapshot,
                       changes=changes or {}, comment=comment)


def addresses(evt: TicketEvent, people: rules.People = PEOPLE, watchers=None) -> list[str]:
    return [r.address for r in recipients(evt, people, watchers)]


def recipients(evt: TicketEvent, people: rules.People = PEOPLE, watchers=None) -> list[rules.Recipient]:
    """Whom the event is mailed to on a ticket whose watchers are those its events made (unless
    given)."""
    if watchers is None:
        watchers = watching.missing(evt, watching.subscriptions(evt, people.teams), [])
    return rules.recipients(evt, watching.audience(evt, watchers, people), people)


def watcher(ref: str, state: str = watching.WATCHING, reason: str = watching.SUBSCRIBED) -> Watcher:
    return Watcher("t1", "p1", ref, state, reason, "ada", NOW, f"{NOW}#t1")


class TestWhoIsMailed:
    def test_created_goes_to_the_assignee_unless_they_reported_it(self):
        assert addresses(event("TICKET_CREATED")) == ["bob@example.com"]
        assert addresses(event("TICKET_CREATED", actor="bob", reporter="bob")) == []
        assert addresses(event("TICKET_CREATED", assignee=None)) == []

    def test_status_or_assignee_change_goes_to_the_watchers(self):
        status = {"status": {"old": "new", "new": "acknowledged"}}
        assert addresses(event("TICKET_UPDATED", actor="cat", changes=status)) == ["ada@example.com", "bob@example.com"]
        reassigned = {"assignee": {"old": "cat", "new": "bob"}}
        assert addresses(event("TICKET_UPDATED", actor="dan", changes=reassigned),
                         watchers=[watcher("ada"), watcher("cat"), watcher("bob")]) == [
            "ada@example.com", "cat@example.com", "bob@example.com"]

    def test_sla_events_go_to_the_watchers_and_a_breach_to_the_admins_too(self):
        admin = member("eve", role="admin")
        people = rules.People(members=PEOPLE.members | {"eve": admin}, teams=PEOPLE.teams)
        sla = {"sla": {"old": None, "new": {"target": "resolve", "state": "at_risk", "due_at": NOW}}}
        assert addresses(event("SLA_AT_RISK", actor="system", changes=sla), people) == [
            "ada@example.com", "bob@example.com"]
        assert addresses(event("SLA_AT_RISK", actor="system", changes=sla, assignee="team:dbas"), people) == [
            "ada@example.com", "bob@example.com", "cat@example.com"]
        assert addresses(event("SLA_BREACHED", actor="system", changes=sla), people) == [
            "ada@example.com", "bob@example.com", "eve@example.com"]
        assert addresses(event("SLA_BREACHED", actor="system", changes=sla, assignee=None, reporter="automation:x"),
                         people) == ["eve@example.com"]
        quiet = rules.People(members=people.members | {"eve": member("eve", role="admin",
                             notifications=NotificationSettings(sla=False))}, teams=PEOPLE.teams)
        assert addresses(event("SLA_BREACHED", actor="system", changes=sla), quiet) == [
            "ada@example.com", "bob@example.com"]

    def test_an_sla_email_names_the_target_and_its_due_time(self):
        sla = {"sla": {"old": None, "new": {"target": "acknowledge", "state": "breached",
                                            "due_at": "2026-01-01T00:15:00.000Z"}}}
        evt = event("SLA_BREACHED", actor="system", changes=sla, severity="critical")
        recipient = recipients(evt)[0]
        mail = rules.compose(evt, recipient, PEOPLE, URL)
        assert mail.text.startswith("The acknowledgement target of OPS-42 was breached: Disk full\n")
        assert "Due: 2026-01-01T00:15:00.000Z" in mail.text and "Severity: critical" in mail.text

    def test_other_changes_send_nothing(self):
        changes = {"title": {"old": "a", "new": "b"}, "tags": {"old": [], "new": ["db"]}}
        assert addresses(event("TICKET_UPDATED", actor="cat", changes=changes)) == []

    def test_comment_goes_to_the_watchers_but_never_the_commenter(self):
        assert addresses(event("COMMENT_ADDED", actor="cat", comment="hi")) == ["ada@example.com", "bob@example.com"]
        assert addresses(event("COMMENT_ADDED", actor="bob", comment="hi")) == ["ada@example.com"]

    def test_overdue_goes_to_the_watchers(self):
        assert addresses(event("TICKET_OVERDUE", actor="system", due_date=NOW)) == [
            "ada@example.com", "bob@example.com"]

    @pytest.mark.parametrize("type_", ["TICKET_DELETED", "DUPLICATE_RECEIVED", "ATTACHMENT_ADDED",
                                       "COMMENT_UPDATED", "COMMENT_DELETED"])
    def test_other_events_send_nothing(self, type_):
        assert addresses(event(type_, actor="cat"), watchers=[watcher("ada"), watcher("bob")]) == []


class TestMentions:
    def test_a_mention_mails_the_person_mentioned_even_after_they_stopped_watching(self):
        evt = event("COMMENT_ADDED", actor="cat", comment="<@dan> can you look?")
        [dan] = recipients(evt, watchers=[watcher("dan", watching.UNSUBSCRIBED)])
        mail = rules.compose(evt, dan, PEOPLE, URL)
        assert mail.subject == "Cat mentioned you on OPS-42: Disk full"
        assert mail.text.startswith("Cat mentioned you on OPS-42: Disk full\n\n@Dan can you look?\n")
        assert "You get this email because you were mentioned on OPS-42." in mail.text

    def test_the_mentioned_kind_governs_mentions(self):
        quiet = rules.People(members=PEOPLE.members | {"dan": member("dan", notifications=NotificationSettings(
            comment_added=False))}, teams=PEOPLE.teams)
        evt = event("COMMENT_ADDED", actor="cat", comment="<@dan>")
        assert addresses(evt, quiet, watchers=[watcher("dan")]) == ["dan@example.com"]
        unmentionable = rules.People(members=PEOPLE.members | {"dan": member("dan", notifications=NotificationSettings(
            mentioned=False))}, teams=PEOPLE.teams)
        assert addresses(evt, unmentionable, watchers=[watcher("dan")]) == []

    def test_an_edit_mails_only_the_newly_mentioned(self):
        changes = {"description": {"old": "<@ada>", "new": "<@ada> and <@dan>, see"}}
        evt = event("TICKET_UPDATED", actor="cat", changes=changes)
        [dan] = recipients(evt, watchers=[watcher("ada"), watcher("bob"), watcher("dan")])
        assert dan.address == "dan@example.com"
        mail = rules.compose(evt, dan, PEOPLE, URL)
        assert mail.subject == "Cat mentioned you on OPS-42: Disk full" and "@Ada and @Dan, see" in mail.text
        comment = event("COMMENT_UPDATED", actor="cat", changes={"comment": {"old": "hi", "new": "hi <@bob>"}},
                        comment="hi <@bob>")
        assert addresses(comment, watchers=[watcher("ada"), watcher("bob")]) == ["bob@example.com"]

    def test_a_team_mentioned_is_told_at_its_address_or_through_its_members(self):
        evt = event("COMMENT_ADDED", actor="ada", comment="<@team:sre> <@team:dbas>", assignee=None)
        mailed = {r.address: r for r in recipients(evt, watchers=[])}
        assert list(mailed) == ["sre@example.com", "bob@example.com", "cat@example.com"]
        assert rules.compose(evt, mailed["sre@example.com"], PEOPLE, URL).subject.startswith(
            "Ada mentioned team SRE on OPS-42")
        assert mailed["bob@example.com"].reason == "you are in team DBAs, which was mentioned on OPS-42"


class TestRecipients:
    def test_the_actor_never_gets_mail_about_their_own_change(self):
        status = {"status": {"old": "new", "new": "resolved"}}
        assert addresses(event("TICKET_UPDATED", actor="bob", changes=status)) == ["ada@example.com"]
        assert addresses(event("TICKET_UPDATED", actor="ada", changes=status)) == ["bob@example.com"]

    def test_automations_have_no_mailbox(self):
        created = event("TICKET_CREATED", actor="automation:pager", reporter="automation:pager")
        assert addresses(created) == ["bob@example.com"]
        comment = event("COMMENT_ADDED", actor="automation:sync", comment="x", reporter="automation:pager",
                        assignee="automation:sync")
        assert addresses(comment) == []

    def test_a_team_without_an_address_means_each_member_but_the_actor(self):
        assert addresses(event("COMMENT_ADDED", actor="dan", comment="x", assignee="team:dbas")) == [
            "ada@example.com", "bob@example.com", "cat@example.com"]
        assert addresses(event("COMMENT_ADDED", actor="bob", comment="x", assignee="team:dbas")) == [
            "ada@example.com", "cat@example.com"]

    def test_a_team_with_an_address_gets_one_email_there(self):
        # dan (in SRE) acting does not stop the team's own address: it is not dan's mailbox.
        assert addresses(event("COMMENT_ADDED", actor="dan", comment="x", assignee="team:sre")) == [
            "ada@example.com", "sre@example.com"]

    def test_each_mailbox_gets_one_email(self):
        same = event("COMMENT_ADDED", actor="cat", comment="x", reporter="bob", assignee="bob")
        assert addresses(same) == ["bob@example.com"]
        reporter_in_team = event("COMMENT_ADDED", actor="dan", comment="x", reporter="bob", assignee="team:dbas")
        assert addresses(reporter_in_team) == ["bob@example.com", "cat@example.com"]
        shared = rules.People(members=PEOPLE.members | {"dan": member("dan", email="SRE@example.com")},
                              teams=PEOPLE.teams)
        assert addresses(event("COMMENT_ADDED", actor="ada", comment="x"), shared,
                         watchers=[watcher("team:sre"), watcher("dan")]) == ["sre@example.com"]

    def test_opted_out_members_are_skipped_for_that_kind_only(self):
        quiet_bob = member("bob", notifications=NotificationSettings(comment_added=False))
        people = rules.People(members=PEOPLE.members | {"bob": quiet_bob}, teams=PEOPLE.teams)
        assert addresses(event("COMMENT_ADDED", actor="cat", comment="x"), people) == ["ada@example.com"]
        assert addresses(event("COMMENT_ADDED", actor="dan", comment="x", assignee="team:dbas"), people) == [
            "ada@example.com", "cat@example.com"]
        status = {"status": {"old": "new", "new": "resolved"}}
        assert addresses(event("TICKET_UPDATED", actor="cat", changes=status), people) == [
            "ada@example.com", "bob@example.com"]

    def test_opting_out_does_not_silence_a_team_address(self):
        quiet_dan = member("dan", notifications=NotificationSettings(comment_added=False))
        people = rules.People(members=PEOPLE.members | {"dan": quiet_dan}, teams=PEOPLE.teams)
        assert "sre@example.com" in addresses(event("COMMENT_ADDED", actor="cat", comment="x", assignee="team:sre"),
                                              people)

    def test_people_who_left_and_teams_that_went_are_skipped(self):
        assert addresses(event("COMMENT_ADDED", actor="cat", comment="x", reporter="gone", assignee="team:gone")) == []

    def test_reason_says_why(self):
        evt = event("COMMENT_ADDED", actor="dan", comment="x", assignee="team:dbas")
        reasons = {r.address: r.reason for r in recipients(evt)}
        assert reasons["ada@example.com"] == "you watch OPS-42"
        assert reasons["bob@example.com"] == "you watch OPS-42"
        assert {r.address: r.reason for r in recipients(evt, watchers=[watcher("team:dbas")])}[
            "bob@example.com"] == "you are in team DBAs, which watches OPS-42"


def compose(evt: TicketEvent) -> rules.Email:
    recipient = recipients(evt)[-1]
    return rules.compose(evt, recipient, PEOPLE, URL)


class TestContent:
    def test_subject_is_key_and_title(self):
        assert compose(event("TICKET_CREATED")).subject == "[OPS-42] Disk full"

    def test_subject_has_no_line_breaks_or_control_characters(self):
        mail = compose(event("TICKET_CREATED", title="Disk\r\nBcc: victim@example.com\x00\u202eevil\u2028x"))
        assert mail.subject == "[OPS-42] Disk Bcc: victim@example.com evil x"
        assert not any(ch in mail.subject for ch in "\r\n\x00\u202e\u2028")

    def test_long_subject_is_cut(self):
        subject = compose(event("TICKET_CREATED", title="x" * 500)).subject
        assert len(subject) == rules.MAX_SUBJECT_LENGTH and subject.endswith("\u2026")

    def test_user_text_is_escaped_in_html_and_kept_in_text(self):
        hostile = '<script>alert("x")</script>'
        mail = compose(event("COMMENT_ADDED", actor="cat", comment=f"{hostile}\nsecond line",
                             title="<img src=x onerror=alert(1)>"))
        assert "<script>" not in mail.html and "<img" not in mail.html
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in mail.html
        assert "&lt;img src=x onerror=alert(1)&gt;" in mail.html
        assert f"{hostile}\nsecond line" in mail.text

    def test_hostile_names_are_escaped_too(self):
        evil = member("cat", name='<b onmouseover="x">Cat</b>')
        people = rules.People(members=PEOPLE.members | {"cat": evil}, teams={})
        evt = event("COMMENT_ADDED", actor="cat", comment="x")
        mail = rules.compose(evt, recipients(evt, people)[0], people, URL)
        assert "<b " not in mail.html and "&lt;b onmouseover=&quot;x&quot;&gt;Cat&lt;/b&gt;" in mail.html

    def test_created_says_who_and_links_to_the_ticket(self):
        mail = compose(event("TICKET_CREATED", description="95% on /var"))
        assert mail.text.startswith("Ada created OPS-42: Disk full\n")
        assert "Assignee: Bob" in mail.text and "95% on /var" in mail.text
        assert f"{URL}/projects/p1/tickets/t1" in mail.text
        assert f'<a href="{URL}/projects/p1/tickets/t1">' in mail.html
        assert "You get this email because you watch OPS-42." in mail.text

    def test_update_lists_each_change_old_to_new(self):
        changes = {"assignee": {"old": "cat", "new": "team:dbas"}, "status": {"old": "new", "new": "resolved"},
                   "resolved_at": {"old": None, "new": NOW}}
        mail = compose(event("TICKET_UPDATED", actor="dan", changes=changes, assignee="team:dbas"))
        assert mail.text.startswith("Dan changed OPS-42: Disk full\n\nStatus: new \u2192 resolved\n"
                                    "Assignee: Cat \u2192 team DBAs\nResolved at: none \u2192 " + NOW)

    def test_comment_quotes_the_comment(self):
        mail = compose(event("COMMENT_ADDED", actor="cat", comment="Rebooting now."))
        assert mail.text.startswith("Cat commented on OPS-42: Disk full\n\nRebooting now.\n")

    def test_overdue_says_since_when(self):
        mail = compose(event("TICKET_OVERDUE", actor="system", due_date=NOW))
        assert mail.text.startswith(f"OPS-42 is overdue: Disk full\n\nDue: {NOW}\n")


def test_settings_schema_names_every_kind():
    assert tuple(Notifications.model_fields) == NOTIFICATION_KINDS
    assert tuple(NotificationsPatch.model_fields) == NOTIFICATION_KINDS


class TestMime:
    MAIL = rules.Email(to="bob@example.com", to_name='Bøb "B", Jr', subject="[OPS-1] Dîsk full",
                       text="plain ü\n", html="<p>html ü</p>\n")

    def test_message_has_text_and_html_alternatives(self):
        message = email.message_from_bytes(mime(self.MAIL, "notifications@ticketry.local"), policy=default_policy)
        assert message["Subject"] == "[OPS-1] Dîsk full"
        assert message["To"].addresses[0].display_name == 'Bøb "B", Jr'
        assert message["To"].addresses[0].addr_spec == "bob@example.com"
        assert message["From"] == "Ticketry <notifications@ticketry.local>"
        assert message.get_content_type() == "multipart/alternative"
        # SMTP line endings: CRLF on the wire.
        assert message.get_body(("plain",)).get_content() == "plain ü\r\n"
        assert message.get_body(("html",)).get_content() == "<p>html ü</p>\r\n"

    def test_message_is_seven_bit(self):
        mime(self.MAIL, "notifications@ticketry.local").decode("ascii")


# Titles and names that try to write headers of their own: encoded words of CR LF (quoted-printable
# and base64, short and past the folding width), a blank line before a body, and raw controls.
HOSTILE = [
    "=?utf-8?q?hi=0D=0ABcc:_attacker@evil.example?=",
    "=?utf-8?b?aGkNCkJjYzogYXR0YWNrZXJAZXZpbC5leGFtcGxl?=",
    "x " * 60 + "=?utf-8?q?hi=0D=0A=0D=0Areplaced_body?=",
    "=?UTF-8?Q?hi=0ABcc=3A_attacker=40evil=2Eexample?= =?utf-8?q?=0D=0ACc:_c@evil.example?=",
    "hi\r\nBcc: attacker@evil.example\x00\u2028Cc: c@evil.example",
    "y" * 30 + " " + "x" * 40 + " Cc: c@evil.example",
]
WRITTEN_HEADERS = ["From", "To", "Subject", "Date", "Message-ID", "Auto-Submitted", "MIME-Version", "Content-Type"]


def read_back(raw: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(raw, policy=default_policy)


class TestHostileHeaders:
    @pytest.mark.parametrize("text", HOSTILE)
    def test_a_title_or_name_never_writes_a_header_or_a_body(self, text):
        evt = event("COMMENT_ADDED", actor="cat", comment="Rebooting now.", title=text)
        recipient = rules.Recipient(address="bob@example.com", name=text, reason="you are the assignee of OPS-42")
        message = read_back(mime(rules.compose(evt, recipient, PEOPLE, URL), "notifications@ticketry.local"))
        assert message.keys() == WRITTEN_HEADERS
        assert [a.addr_spec for a in message["To"].addresses] == ["bob@example.com"]
        assert [a.addr_spec for a in message["From"].addresses] == ["notifications@ticketry.local"]
        assert "\n" not in message["Subject"] and "Bcc" not in message.keys()
        assert message.get_body(("plain",)).get_content().startswith("Cat commented on OPS-42: ")

    @pytest.mark.parametrize("text", HOSTILE)
    def test_a_webhook_name_never_writes_a_header(self, text):
        mail = rules.compose_webhook_disabled(text, "https://hooks.example.com/x", NOW, "ada@example.com", text)
        message = read_back(mime(mail, "notifications@ticketry.local"))
        assert message.keys() == WRITTEN_HEADERS
        assert [a.addr_spec for a in message["To"].addresses] == ["ada@example.com"]

    @pytest.mark.parametrize("text", [t for t in HOSTILE if "=?" in t])
    def test_no_encoded_word_survives_into_header_text(self, text):
        assert "=?" not in rules.header_safe(text, 1000)
        assert "=?" not in rules.subject("OPS-1", text)

    @pytest.mark.parametrize("text", HOSTILE[:4])
    def test_a_message_that_reads_back_otherwise_is_never_sent(self, text):
        """Header text that skipped the cleaning: this interpreter either encodes it safely or the
        message is refused before it reaches SES."""
        ses = FakeSes()
        mail = rules.Email(to="bob@example.com", to_name=text, subject=text, text="t", html="h")
        try:
            SesMailer(ses, "n@ticketry.local").send(mail, "e1-1")
        except MailRejected:
            assert ses.requests == []
            return
        assert read_back(ses.requests[0]["Content"]["Raw"]["Data"]).keys() == WRITTEN_HEADERS


class FakeSes:
    def __init__(self, error_code: str | None = None):
        self.requests: list[dict] = []
        self.error_code = error_code

    def send_email(self, **request):
        if self.error_code:
            raise ClientError({"Error": {"Code": self.error_code, "Message": "no"}}, "SendEmail")
        self.requests.append(request)
        return {"MessageId": f"m{len(self.requests)}"}


class TestSesMailer:
    MAIL = rules.Email(to="bob@example.com", to_name="Bob", subject="[OPS-1] x", text="t", html="h")

    def test_sends_raw_mime_from_the_sender_with_the_configuration_set(self):
        ses = FakeSes()
        assert SesMailer(ses, "n@ticketry.local", "tracking").send(self.MAIL, "e1-1") == "m1"
        request = ses.requests[0]
        assert request["FromEmailAddress"] == "n@ticketry.local" and request["ConfigurationSetName"] == "tracking"
        assert request["Destination"] == {"ToAddresses": ["bob@example.com"]}
        assert b"Subject: [OPS-1] x" in request["Content"]["Raw"]["Data"]
        SesMailer(ses, "n@ticketry.local").send(self.MAIL, "e1-2")
        assert "ConfigurationSetName" not in ses.requests[1]

    def test_a_refused_message_is_rejected_for_good(self):
        with pytest.raises(MailRejected):
            SesMailer(FakeSes("MessageRejected"), "n@ticketry.local").send(self.MAIL, "e1-1")
        with pytest.raises(MailRejected):
            SesMailer(FakeSes(), "n@ticketry.local").send(
                rules.Email(to="jösé@example.com", to_name="J", subject="s", text="t", html="h"), "e1-1")

    def test_throttling_is_left_to_retry(self):
        with pytest.raises(ClientError):
            SesMailer(FakeSes("TooManyRequestsException"), "n@ticketry.local").send(self.MAIL, "e1-1")

    def test_outbox_keeps_what_was_sent(self, tmp_path, caplog):
        ses = FakeSes()
        caplog.set_level("INFO", logger="chalicelib.adapters.mailer")
        SesMailer(ses, "n@ticketry.local", outbox=str(tmp_path)).send(self.MAIL, "e1-1")
        (saved,) = tmp_path.iterdir()
        assert saved.name.endswith("-e1-1.eml")
        assert saved.read_bytes() == ses.requests[0]["Content"]["Raw"]["Data"]
        assert [r.getMessage() for r in caplog.records] == [
            f"email to=bob@example.com subject=[OPS-1] x file={saved.name}"]


class FakeDirectory:
    def __init__(self, members, teams):
        self._members, self._teams = members, teams
        self.reads: list[str] = []

    def members(self, project_id):
        self.reads.append(f"members {project_id}")
        return list(self._members)

    def team(self, project_id, team_id):
        self.reads.append(f"team {team_id}")
        return next((t for t in self._teams if t.id == team_id), None)


class Stored(MemoryTicketsTable):
    """The tickets table in memory (its watchers and sent markers), with the marker expiry kept."""

    def __init__(self):
        super().__init__(MemoryStore())
        self.expiry: dict[str, int] = {}

    @property
    def sent(self) -> dict[str, set[str]]:
        return self.store.notified

    def record_notified(self, event_id, addresses, expires_at):
        super().record_notified(event_id, addresses, expires_at)
        self.expiry[event_id] = expires_at


class FakeMailer:
    def __init__(self, fail_for=(), reject_for=()):
        self.sent: list[tuple[rules.Email, str]] = []
        self.fail_for, self.reject_for = set(fail_for), set(reject_for)

    def send(self, mail, reference):
        if mail.to in self.fail_for:
            raise ConnectionError("SES unreachable")
        if mail.to in self.reject_for:
            raise MailRejected("MessageRejected")
        self.sent.append((mail, reference))
        return "id"


class TestNotificationService:
    @pytest.fixture
    def parts(self):
        return FakeDirectory([ADA, BOB, CAT, DAN], [DBAS, SRE]), Stored(), FakeMailer()

    def service(self, directory, markers, mailer):
        return NotificationService(directory, markers, mailer, URL, clock=lambda: 1000)

    def test_makes_the_watchers_mails_each_recipient_once_and_returns_the_audience(self, parts):
        directory, markers, mailer = parts
        audience = self.service(*parts).notify(event("COMMENT_ADDED", actor="dan", comment="x", assignee="team:dbas"))
        assert [listener.user_id for listener in audience] == ["ada", "bob", "cat"]
        assert [(w.watcher, w.reason) for w in markers.watchers("t1")] == [
            ("ada", "reporter"), ("bob", "assignee"), ("cat", "assignee"), ("dan", "commenter")]
        assert [(m.to, ref) for m, ref in mailer.sent] == [
            ("ada@example.com", "e1-1"), ("bob@example.com", "e1-2"), ("cat@example.com", "e1-3")]
        assert markers.sent["e1"] == {m.to for m, _ in mailer.sent}
        assert markers.expiry["e1"] == 1000 + MARKER_LIFETIME_SECONDS

    def test_a_replayed_event_sends_nothing_twice(self, parts):
        _, _, mailer = parts
        first = self.service(*parts).notify(event("COMMENT_ADDED", actor="cat", comment="x"))
        again = self.service(*parts).notify(event("COMMENT_ADDED", actor="cat", comment="x"))
        assert again == first and len(mailer.sent) == 2

    def test_an_unsubscribed_watcher_stays_so(self, parts):
        directory, markers, mailer = parts
        markers.save_watcher(watcher("bob", watching.UNSUBSCRIBED))
        self.service(*parts).notify(event("COMMENT_ADDED", actor="cat", comment="x"))
        assert [m.to for m, _ in mailer.sent] == ["ada@example.com"]
        assert {w.watcher: w.state for w in markers.watchers("t1")}["bob"] == "unsubscribed"

    def test_a_failed_send_keeps_those_before_it_and_retries_the_rest(self, parts):
        directory, markers, _ = parts
        failing = FakeMailer(fail_for={"bob@example.com"})
        with pytest.raises(ConnectionError):
            self.service(directory, markers, failing).notify(event("COMMENT_ADDED", actor="cat", comment="x"))
        assert markers.sent["e1"] == {"ada@example.com"}
        retry = FakeMailer()
        self.service(directory, markers, retry).notify(event("COMMENT_ADDED", actor="cat", comment="x"))
        assert [m.to for m, _ in retry.sent] == ["bob@example.com"]

    def test_a_rejected_recipient_does_not_hold_up_the_others(self, parts):
        directory, markers, _ = parts
        mailer = FakeMailer(reject_for={"ada@example.com"})
        self.service(directory, markers, mailer).notify(event("COMMENT_ADDED", actor="cat", comment="x"))
        assert markers.sent["e1"] == {"ada@example.com", "bob@example.com"}
        assert [m.to for m, _ in mailer.sent] == ["bob@example.com"]

    def test_events_that_mail_nobody_mail_nothing(self, parts):
        directory, markers, mailer = parts
        self.service(*parts).notify(event("TICKET_DELETED", actor="cat"))
        self.service(*parts).notify(event("TICKET_CREATED", actor="bob", reporter="bob"))
        assert markers.sent == {} and mailer.sent == []

    def test_people_are_read_once_per_project_per_batch(self, parts):
        directory, _, _ = parts
        service = self.service(*parts)
        for n in range(3):
            service.notify(event("COMMENT_ADDED", actor="dan", comment="x", assignee="team:dbas", id_=f"e{n}"))
        assert directory.reads == ["team dbas", "members p1"]
