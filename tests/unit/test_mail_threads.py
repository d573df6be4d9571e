"""Email threads without storage: reply tokens and addresses, how a thread grows, and who a
comment is for as entries, stream images and events carry it."""
from chalicelib.adapters.dynamodb.history import history_from_stream_image, to_history_item
from chalicelib.domain import mail_threads
from chalicelib.domain.events import TicketEvent
from chalicelib.domain.mail_threads import MailThread
from chalicelib.domain.tickets import Events, HistoryEntry

SECRET = b"reply-secret"
TICKET_ID = "abcdefghijklmnop"


class TestTokens:
    def test_a_token_names_its_ticket_in_its_project_only(self):
        token = mail_threads.reply_token(SECRET, "p1", TICKET_ID)
        assert token.startswith(TICKET_ID) and len(token) == len(TICKET_ID) + 16 and token == token.lower()
        assert mail_threads.ticket_of_token(SECRET, "p1", token) == TICKET_ID
        assert mail_threads.ticket_of_token(SECRET, "p1", token.upper()) == TICKET_ID
        assert mail_threads.ticket_of_token(SECRET, "p2", token) is None
        assert mail_threads.ticket_of_token(b"another secret", "p1", token) is None

    def test_a_token_not_made_by_ticketry_names_nothing(self):
        token = mail_threads.reply_token(SECRET, "p1", TICKET_ID)
        other = "qrstuvwxyz234567"
        assert mail_threads.ticket_of_token(SECRET, "p1", other + token[len(TICKET_ID):]) is None
        assert mail_threads.ticket_of_token(SECRET, "p1", token[:-1] + ("a" if token[-1] != "a" else "b")) is None
        for wrong in ("", token[:-1], token + "a", "support", TICKET_ID):
            assert mail_threads.ticket_of_token(SECRET, "p1", wrong) is None

    def test_the_reply_address_tags_the_project_address(self):
        address = mail_threads.project_address("OPS", "Mail.Example.com")
        assert address == "ops@mail.example.com"
        assert mail_threads.reply_address(address, "tok") == "ops+tok@mail.example.com"
        assert mail_threads.reply_address("ops+old@mail.example.com", "tok") == "ops+tok@mail.example.com"
        assert mail_threads.token_of_address("OPS+Tok@mail.example.com") == ("ops@mail.example.com", "tok")
        assert mail_threads.token_of_address("ops@mail.example.com") is None


class TestThreads:
    def test_ids_are_added_once_whatever_their_brackets_and_case(self):
        thread = mail_threads.grown(None, "t1", ["<A@x>", "a@X", " <b@x> "], ["Ben@Example.com", " "])
        assert thread == MailThread("t1", cc=("ben@example.com",), message_ids=("A@x", "b@x"))
        assert mail_threads.grown(thread, "t1", ["a@x"], ["BEN@example.com"]) == thread

    def test_references_end_with_the_own_id_and_keep_the_first(self):
        ids = [f"m{n}@x" for n in range(30)]
        thread = mail_threads.grown(None, "t1", ids)
        refs = mail_threads.references(thread, "ticketry.e1@ticketry.local")
        assert len(refs) == mail_threads.MAX_THREAD_MESSAGE_IDS
        assert refs[0] == "m0@x" and refs[-1] == "ticketry.e1@ticketry.local" and refs[-2] == "m29@x"
        assert mail_threads.references(None, "own@x") == ("own@x",)

    def test_message_ids_of_ses(self):
        assert mail_threads.ses_message_id("0100abc", "eu-west-1") == "0100abc@eu-west-1.amazonses.com"
        assert mail_threads.own_message_id("e1", "ticketry.local") == "ticketry.e1@ticketry.local"


def _entry(**fields) -> HistoryEntry:
    base = dict(id="e1", ticket_id="t1", project_id="p1", event=Events.COMMENT_ADDED,
                timestamp="2026-01-01T00:00:00.000Z", changed_by="contact:ana@example.com", comment="thanks",
                ticket={"id": "t1", "key": "OPS-1", "requester": "ana@example.com"})
    return HistoryEntry(**(base | fields))


class TestEvents:
    def test_the_stream_image_carries_who_a_comment_is_for_and_how_it_came(self):
        entry = _entry(visibility="public", via="email")
        image = {name: value for name, value in to_history_item(entry).serialize().items()}
        assert history_from_stream_image(image) == entry

    def test_comment_events_tell_visibility_and_via(self):
        added = TicketEvent.from_entry(_entry(visibility="public", via="email"))
        assert (added.comment["visibility"], added.comment["via"]) == ("public", "email") and added.public_comment
        note = TicketEvent.from_entry(_entry(changed_by="u1"))
        assert (note.comment["visibility"], note.comment["via"]) == ("internal", None) and not note.public_comment
        about = {"author": "u1", "created_at": "2026-01-01T00:00:00.000Z", "mentions": [], "visibility": "public",
                 "via": None}
        edited = TicketEvent.from_entry(_entry(id="e2", event=Events.COMMENT_UPDATED, comment_id="e1",
                                               about_comment=about))
        assert edited.comment["visibility"] == "public"
        older = dict(about)
        del older["visibility"], older["via"]  # an edit recorded before replies
        deleted = TicketEvent.from_entry(_entry(id="e3", event=Events.COMMENT_DELETED, comment=None, comment_id="e1",
                                                about_comment=older))
        assert (deleted.comment["visibility"], deleted.comment["via"]) == ("internal", None)

    def test_an_event_of_an_entry_older_than_requesters_shows_none(self):
        event = TicketEvent.from_entry(_entry(ticket={"id": "t1", "key": "OPS-1"}))
        assert event.ticket == {"requester": None, "id": "t1", "key": "OPS-1"}


class TestRequesterSearch:
    def test_a_requester_drives_a_created_order_search_and_is_counted_alone(self):
        from chalicelib.domain import search

        alone = search.TicketQuery(requester="ana@example.com")
        plan = search.plan(alone)
        assert (plan.index, plan.partitions, plan.needs_filter) == ("requester", ("ana@example.com",), False)
        assert search.counted_partitions(alone) == (("requester_idx", "ana@example.com"),)
        with_status = search.TicketQuery(requester="ana@example.com", status=("new",))
        assert search.plan(with_status).needs_filter and search.counted_partitions(with_status) is None
        bigger = search.plan(with_status, sizes={"requester": 500, "status": 3})
        assert bigger.index == "status" and bigger.needs_filter
        assert search.plan(search.TicketQuery(requester="ana@example.com", sort="updated")).needs_filter
        # A query without it keeps the fingerprint of cursors handed out before requesters.
        assert "requester" not in search.TicketQuery(status=("new",)).fingerprint()
        assert alone.fingerprint() != search.TicketQuery(requester="ben@example.com").fingerprint()


class TestThreadedMime:
    """What mailer.mime writes of a reply's own headers, whatever the text from people holds."""
    from chalicelib.domain.notifications import Email

    MAIL = Email(to="ana@example.com", to_name="Ana Lima", subject="[OPS-1] Printer", text="t\n", html="<p>h</p>\n",
                 cc=("carl@example.com", "Dora@Example.com"), from_address="ops@ticketry.local",
                 from_name="Operations", reply_to="ops+tok@ticketry.local", message_id="ticketry.e1@ticketry.local",
                 in_reply_to="first@mail.example.com", references=("first@mail.example.com", "ticketry.e1@ticketry.local"))
    HEADERS = ["From", "To", "Cc", "Reply-To", "Subject", "Date", "Message-ID", "In-Reply-To", "References",
               "Auto-Submitted", "MIME-Version", "Content-Type"]

    @staticmethod
    def read(mail):
        import email
        from email.policy import default

        from chalicelib.adapters.mailer import mime

        return email.message_from_bytes(mime(mail, "notifications@ticketry.local"), policy=default)

    def test_every_threading_header_is_written_as_given(self):
        message = self.read(self.MAIL)
        assert message.keys() == self.HEADERS
        assert message["From"] == "Operations <ops@ticketry.local>"
        assert [a.addr_spec for a in message["Cc"].addresses] == ["carl@example.com", "Dora@Example.com"]
        assert message["Reply-To"] == "ops+tok@ticketry.local"
        assert message["Message-ID"] == "<ticketry.e1@ticketry.local>"
        assert message["In-Reply-To"] == "<first@mail.example.com>"
        assert message["References"] == "<first@mail.example.com> <ticketry.e1@ticketry.local>"
        assert message["Auto-Submitted"] == "auto-generated"

    def test_an_acknowledgement_says_it_is_an_automatic_answer(self):
        from dataclasses import replace

        assert self.read(replace(self.MAIL, auto_submitted="auto-replied"))["Auto-Submitted"] == "auto-replied"

    def test_ids_that_are_no_message_ids_are_left_out(self):
        from dataclasses import replace

        hostile = replace(self.MAIL, message_id="x@y\r\nBcc: attacker@evil.example",
                          in_reply_to="=?utf-8?q?a=0D=0ABcc:_e@evil.example?=@x",
                          references=("a b@x", "<c@x>", "ok@x", "d@x\nCc: e@evil.example"))
        message = self.read(hostile)
        assert message.keys() == ["From", "To", "Cc", "Reply-To", "Subject", "Date", "Message-ID", "References",
                                  "Auto-Submitted", "MIME-Version", "Content-Type"]
        assert message["References"] == "<ok@x>" and message["Message-ID"].endswith("@ticketry.local>")

    def test_a_cc_no_header_can_carry_is_left_out_of_the_message_and_of_the_sending(self):
        from dataclasses import replace

        from chalicelib.adapters.mailer import SesMailer
        from tests.unit.test_notifications import FakeSes

        mail = replace(self.MAIL, cc=("carl@example.com", "x@y.example\r\nBcc: attacker@evil.example",
                                      "a@b.example, Bcc: attacker@evil.example", "not an address", "CARL@example.com"))
        message = self.read(mail)
        assert [a.addr_spec for a in message["Cc"].addresses] == ["carl@example.com"]
        ses = FakeSes()
        SesMailer(ses, "notifications@ticketry.local").send(mail, "e1-reply")
        assert ses.requests[0]["Destination"] == {"ToAddresses": ["ana@example.com"],
                                                  "CcAddresses": ["carl@example.com"]}
        assert ses.requests[0]["FromEmailAddress"] == "ops@ticketry.local"

    def test_names_and_subjects_never_write_a_header(self):
        from dataclasses import replace

        from tests.unit.test_notifications import HOSTILE

        for text in HOSTILE:
            message = self.read(replace(self.MAIL, from_name=text, to_name=text, subject=text))
            assert message.keys() == self.HEADERS
            assert [a.addr_spec for a in message["From"].addresses] == ["ops@ticketry.local"]
            assert [a.addr_spec for a in message["To"].addresses] == ["ana@example.com"]
            for name in ("From", "To", "Subject"):
                assert "=?" not in str(message[name]) and "\n" not in str(message[name])
