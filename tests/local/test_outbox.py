"""The stack's log names each sign-in code the outbox receives, read from the email itself."""
import logging

from chalicelib.adapters.mailer import mime
from chalicelib.domain.notifications import Email
from chalicelib.local.outbox import CodeWatcher

SENDER = "ticketry@ticketry.local"


def email(to: str, subject: str) -> bytes:
    return mime(Email(to=to, to_name="", subject=subject, text="hello", html="<p>hello</p>"), SENDER)


def test_each_new_sign_in_code_is_logged_once_with_its_recipient(tmp_path, caplog):
    (tmp_path / "1-sign-in.eml").write_bytes(email("old@example.com", "Your Ticketry sign-in code: 111111"))
    watcher = CodeWatcher(tmp_path)  # what was there before it started is not news
    (tmp_path / "2-sign-in.eml").write_bytes(email("Ana@Example.com", "Your Ticketry sign-in code: 012345"))
    (tmp_path / "3-ticket.eml").write_bytes(email("ben@example.com", "[DEMO-4] Printer on fire"))
    with caplog.at_level(logging.INFO, logger="chalicelib.local.stack"):
        watcher.look()
        watcher.look()
    assert [r.getMessage() for r in caplog.records] == ["sign-in code for Ana@Example.com: 012345"]


def test_an_email_still_being_written_is_read_once_complete(tmp_path, caplog):
    watcher = CodeWatcher(tmp_path)
    whole = email("ana@example.com", "Your Ticketry sign-in code: 654321")
    path = tmp_path / "1-sign-in.eml"
    path.write_bytes(whole[:40])
    with caplog.at_level(logging.INFO, logger="chalicelib.local.stack"):
        watcher.look()
        assert caplog.records == []
        path.write_bytes(whole)
        watcher.look()
    assert [r.getMessage() for r in caplog.records] == ["sign-in code for ana@example.com: 654321"]
