"""The local SMTP server: what a client sends arrives in the store, byte for byte, after the headers
SES's receipt rule puts in front of a message; verdicts a message brings are left as they are."""
import smtplib
import socket
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import SMTP, default

import pytest

from chalicelib.local import smtp_server


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server():
    stored: dict[str, bytes] = {}
    port = free_port()
    controller = smtp_server.start(stored.__setitem__, "127.0.0.1", port)
    yield port, stored
    controller.stop()


def message(**headers) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = "Ana Lima <ana@example.com>"
    mail["To"] = "ops@ticketry.local"
    mail["Subject"] = "Printer on fire"
    for name, value in headers.items():
        mail[name.replace("_", "-")] = value
    mail.set_content("It is on fire.\n")
    return mail


def test_a_message_is_stored_under_inbound_with_the_headers_ses_adds(server):
    port, stored = server
    sent = message()
    with smtplib.SMTP("127.0.0.1", port) as client:
        client.send_message(sent, to_addrs=["ops@ticketry.local", "ops+x@ticketry.local"])
    [(key, raw)] = stored.items()
    assert key.startswith("inbound/") and len(key) == len("inbound/") + 40
    parsed = BytesParser(policy=default).parsebytes(raw)
    assert parsed["X-SES-Spam-Verdict"] == "PASS" and parsed["X-SES-Virus-Verdict"] == "PASS"
    assert "spf=pass" in parsed["Authentication-Results"] and "dmarc=pass" in parsed["Authentication-Results"]
    assert "for ops@ticketry.local;" in parsed["Received"]
    assert parsed["Return-Path"] == "<ana@example.com>"
    assert raw.endswith(sent.as_bytes(policy=SMTP))  # the message itself, untouched
    assert parsed["Subject"] == "Printer on fire"


def test_verdicts_the_message_brings_are_kept_and_none_are_added(server):
    port, stored = server
    sent = message(X_SES_Spam_Verdict="FAIL", X_SES_Virus_Verdict="PASS")
    with smtplib.SMTP("127.0.0.1", port) as client:
        client.send_message(sent)
    [raw] = stored.values()
    parsed = BytesParser(policy=default).parsebytes(raw)
    assert parsed.get_all("X-SES-Spam-Verdict") == ["FAIL"]
    assert parsed["Authentication-Results"] is None


def test_a_store_that_fails_answers_a_temporary_error_so_the_sender_retries():
    def broken(key, raw):
        raise OSError("disk full")

    port = free_port()
    controller = smtp_server.start(broken, "127.0.0.1", port)
    try:
        with smtplib.SMTP("127.0.0.1", port) as client, pytest.raises(smtplib.SMTPDataError) as refused:
            client.send_message(message())
        assert refused.value.smtp_code == 451
    finally:
        controller.stop()
