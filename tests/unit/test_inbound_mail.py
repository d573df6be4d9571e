"""Reading received email (domain.inbound_mail). The fixtures in tests/fixtures/mail are messages as
the clients they are named after write them, with the headers SES puts on top."""
import base64
import os
import time
from pathlib import Path

import pytest

from chalicelib.domain.inbound_mail import (
    INBOUND_PREFIX, Bounce, InboundMessage, UnreadableMessage, addresses_in, decode_text, decode_words,
    html_to_text, parse, strip_reply)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mail"
PASSED = {"spam": "PASS", "virus": "PASS", "spf": "PASS", "dkim": "PASS", "dmarc": "PASS"}
REPLY_ADDRESS = "ops+7kq2m4x9r3t6v8b1abcdefghjkmnpqrs@ticketry.local"


def fixture(name: str) -> InboundMessage:
    return parse((FIXTURES / name).read_bytes())


def message(headers: str, body: str = "Hello.", *, content_type: str = "text/plain; charset=utf-8") -> bytes:
    head = headers.strip("\n") + f"\nMIME-Version: 1.0\nContent-Type: {content_type}\n\n"
    return (head + body).replace("\n", "\r\n").encode("utf-8", "surrogateescape")


def test_objects_are_stored_under_the_inbound_prefix():
    assert INBOUND_PREFIX == "inbound/"


# --- the clients' replies ----------------------------------------------------------------------

def test_a_gmail_reply_keeps_its_thread_and_leaves_out_the_quote_and_signature():
    received = fixture("gmail_reply.eml")
    assert received.message_id == "CAJ5nR+fS0mE9k2Qx_4pYk2vH7G6wT0bq8sN3Lr1uZc@mail.gmail.com"
    assert received.in_reply_to == ("ticketry.01jnf4qz9x8w7v6t5s4r3q2p1n@ticketry.local",)
    assert received.references == (
        "ticketry.01jnf4qz9x8w7v6t5s4r3q2p1n@ticketry.local",
        "0100019562b2d6a1-7e1f3c55-8a2b-4c6d-9e0f-1a2b3c4d5e6f-000000@email.amazonses.com")
    assert (received.sender, received.sender_name) == ("ana.lima@example.com", "Ana Lima")
    assert received.recipients == (REPLY_ADDRESS, "bruno@example.com")
    assert received.cc == (REPLY_ADDRESS, "bruno@example.com")
    assert received.subject == "Re: [OPS-42] Printer on floor 3 is offline"
    assert received.text.startswith("Thanks! I restarted it and it prints again \u2014 you can close this one.\n\n-- \nAna Lima")
    assert "> Could you switch the printer off and on again" in received.text
    assert received.reply_text == "Thanks! I restarted it and it prints again \u2014 you can close this one."
    assert received.attachments == ()
    assert received.verdicts == PASSED and received.failed_verdicts() == []
    assert not (received.auto_submitted or received.auto_reply or received.bulk or received.bounce)


def test_an_outlook_reply_ends_where_outlook_appends_the_message_it_answers():
    received = fixture("outlook_reply.eml")
    assert received.message_id == "AM0PR08MB5346A1B2C3D4E5F6A7B8C9D0E1F2A@AM0PR08MB5346.eurprd08.prod.outlook.com"
    assert received.cc == ("ops@ticketry.local", "facilities@contoso.com")
    assert "From: Ops Support <ops@ticketry.local>\nSent: Tuesday, March 4, 2025 2:10 PM" in received.text
    # the signature (div#Signature) goes with the history below div#appendonsend
    assert received.reply_text == "Yes, the new toner arrived. Please install it on Thursday.\n\nKind regards,"


def test_an_outlook_reply_in_plain_text_ends_at_its_rule_and_header_block():
    received = fixture("outlook_reply.eml")
    assert strip_reply(received.text) == (
        "Yes, the new toner arrived. Please install it on Thursday.\n\nKind regards,\nDana Whitfield\n"
        "Office Manager, Contoso")


def test_an_outlook_desktop_reply_ends_at_the_bordered_header_block():
    received = fixture("outlook_desktop_reply.eml")
    expected = "Hi,\n\nThe badge reader at the east entrance works again, thanks.\n\nDana"
    assert received.reply_text == expected
    assert strip_reply(received.text) == expected  # its plain text: "From: ... Sent: ..." without a rule
    assert received.message_id == "004c01db8d12$a1b2c3d0$e4f5a6b7$@contoso.com"
    assert received.subject == "RE: [OPS-45] Badge reader at the east entrance"


def test_an_apple_mail_reply_leaves_out_the_cited_blockquote_and_its_intro():
    received = fixture("apple_mail_reply.eml")
    assert received.reply_text == (
        "It happened again at 11:00 and 12:00. The client log says \u201csession expired\u201d.\n\nBruno")
    assert strip_reply(received.text) == received.reply_text
    assert received.message_id == "7F3A9C2E-1B4D-4E5F-8A6B-0C1D2E3F4A5B@example.com"
    assert received.references[-1] == received.in_reply_to[0]
    assert received.cc == ("ops@ticketry.local", "ana.lima@example.com")


def test_a_reply_from_a_phone_leaves_out_sent_from_my_iphone():
    received = fixture("iphone_reply.eml")
    assert received.reply_text == "It\u2019s offline again this morning."
    assert "Sent from my iPhone" in received.text


# --- new messages, files, charsets ---------------------------------------------------------------

def test_a_new_message_brings_its_attachment_and_its_inline_image():
    received = fixture("new_with_attachments.eml")
    assert received.in_reply_to == () and received.references == ()
    assert received.text.startswith("Hello,\n\nThe attached invoice shows our old VAT number")
    assert received.reply_text.endswith("Could you send a corrected invoice?\n\nAna")
    image, invoice = received.attachments
    assert (image.file_name, image.content_type, image.inline, image.content_id) == (
        "vat.png", "image/png", True, "ii_m7x1a2b30")
    assert image.data.startswith(b"\x89PNG\r\n")
    assert (invoice.file_name, invoice.content_type, invoice.inline) == (
        "Invoice 2025-0117.pdf", "application/pdf", False)
    assert invoice.data.startswith(b"%PDF-1.4") and invoice.data.endswith(b"%%EOF\n")


def test_iso_8859_1_in_quoted_printable_and_encoded_words():
    received = fixture("iso_8859_1_qp.eml")
    assert received.sender_name == "Fran\u00e7ois M\u00fcller"
    assert received.subject == "R\u00e9seau en panne \u00e0 l'\u00e9tage 2"
    assert received.text == (
        "Bonjour,\n\nLe r\u00e9seau est en panne \u00e0 l'\u00e9tage 2 depuis ce matin ; les t\u00e9l\u00e9phones "
        "fonctionnent, mais pas les postes de travail.\n\nMerci d'avance,\nFran\u00e7ois")
    assert received.verdicts["dkim"] == "NONE" and received.failed_verdicts() == []


def test_shift_jis_in_base64_with_its_windows_characters():
    received = fixture("shift_jis_base64.eml")
    assert received.sender_name == "\u5c71\u7530 \u592a\u90ce"
    assert received.subject == "\u30d7\u30ea\u30f3\u30bf\u30fc\u6545\u969c"  # ISO-2022-JP
    lines = received.text.split("\n")
    assert lines[1] == "\u4f1a\u8b70\u5ba4\u306e\u30d7\u30ea\u30f3\u30bf\u30fc\u304c\u52d5\u304d\u307e\u305b\u3093\u3002"
    assert lines[2].startswith("\u2460 ")  # ① exists in Windows' Shift_JIS (cp932) only


def test_an_encoded_subject_in_several_words_and_charsets_is_one_line():
    received = fixture("rfc2047_subject.eml")
    assert received.subject == "Caf\u00e9 machine refund \u2014 \u20ac120 \U0001f9fe (receipt attached)"
    assert (received.sender, received.sender_name) == ("jose.alvarez@example.com", "Jos\u00e9 \u00c1lvarez")
    # format=flowed: the lines a space ends go on in the next one
    assert received.text == ("The caf\u00e9 machine on floor 2 took my card twice for one coffee. Could you "
                             "refund the second payment?\n\nJos\u00e9")


def test_an_unknown_charset_is_read_as_latin_1():
    received = fixture("unknown_charset.eml")
    assert received.sender_name == "Ren\u00e9e Dupr\u00e9"
    assert received.subject == "Caf\u00e9 au lait"
    assert received.text == "Le caf\u00e9 est froid. Cr\u00e8me br\u00fbl\u00e9e, s'il vous pla\u00eet."


def test_an_html_only_message_becomes_text_without_any_markup_or_hidden_content():
    received = fixture("html_only.eml")
    assert received.text == (
        "# New message from the contact form\n\n"
        "Hello, I cannot log in since yesterday. The page says <b>Access denied</b> & nothing else.\n\n"
        "Steps I tried:\n\n"
        "1. Reset my password from the [reset page](https://portal.example.com/reset)\n"
        "2. Cleared the cache\n"
        "3. Used another browser\n\n"
        "Name | Mia Schulz\nEmail | mia.schulz@example.de\nAccount | MS-20417\n\n"
        "Click me or me [Help](https://portal.example.com/help)")
    for hidden in ("Hidden preheader", "Do not show this", "frame text", "document.cookie", "evil.example",
                   "javascript", "data:", "onload", "Contact form</", "a comment"):
        assert hidden not in received.text
    assert received.reply_text == received.text


def test_a_message_of_one_attachment_has_no_text():
    received = fixture("attachment_only.eml")
    assert (received.text, received.reply_text) == ("", "")
    [scan] = received.attachments
    assert (scan.file_name, scan.content_type, scan.inline, scan.content_id) == (
        "Scan \u2013 floor 3.pdf", "application/pdf", False, None)  # RFC 2231 file name
    assert scan.data.startswith(b"%PDF")


# --- machines ---------------------------------------------------------------------------------

def test_an_out_of_office_answer_is_an_automatic_reply():
    received = fixture("out_of_office.eml")
    assert received.auto_reply and received.auto_submitted and not received.bulk
    assert received.bounce is None
    assert received.in_reply_to == ("ticketry.01jnf9d8c7b6a5z4y3x2w1v0t9@ticketry.local",)


def test_a_delivery_status_notification_is_a_bounce_with_its_recipient_status_and_diagnostic():
    received = fixture("dsn_bounce.eml")
    assert received.bounce == Bounce(
        recipients=("old.colleague@example.net",), status="5.1.1",
        diagnostic="550 5.1.1 <old.colleague@example.net>: Recipient address rejected: User unknown in "
                   "virtual mailbox table")
    assert received.sender == "mailer-daemon@amazonses.com"
    assert received.auto_submitted
    assert received.attachments == ()  # the report's parts are read, not attached


def test_a_list_mail_is_bulk():
    received = fixture("bulk_list.eml")
    assert received.bulk and not received.auto_reply and not received.auto_submitted


# --- what the sender cannot forge ---------------------------------------------------------------

def test_only_the_topmost_verdict_headers_count():
    received = fixture("forged_verdict.eml")
    assert received.verdicts == {"spam": "FAIL", "virus": "PASS", "spf": "FAIL", "dkim": "TEMPERROR", "dmarc": "FAIL"}
    assert received.failed_verdicts() == ["spam", "spf", "dmarc"]


def test_encoded_line_breaks_in_the_sender_name_and_subject_stay_on_one_line():
    received = fixture("header_injection.eml")
    assert received.sender == "mallory@attacker.example"  # the first address of the From
    assert received.sender_name == "Mallory Bcc: victim@example.com <ceo@example.com>"
    assert received.subject == "Hello Bcc: victim@example.com body exe.txt"  # and no bidi override
    assert received.recipients == ("ops@ticketry.local",)
    assert received.in_reply_to == ("a@b.example",)
    for text in (received.sender_name, received.subject):
        assert not any(ch in text for ch in "\r\n\x00\u202e\u200d")


def test_a_message_without_verdict_headers_has_no_failed_verdicts():
    received = parse(message("From: ana@example.com\nTo: ops@ticketry.local\nSubject: hi"))
    assert received.verdicts == {} and received.failed_verdicts() == []


# --- what cannot be read ------------------------------------------------------------------------

@pytest.mark.parametrize("raw, reason", [
    (b"", "empty"),
    (b"   \r\n", "empty"),
    (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj", "not a message: no headers"),
    (b"To: ops@ticketry.local\r\nSubject: no sender\r\n\r\nHello", "no sender address"),
    (b"From: undisclosed-recipients:;\r\nTo: ops@ticketry.local\r\n\r\nHello", "no sender address"),
    (b"From: Ana Lima\r\nTo: ops@ticketry.local\r\n\r\nHello", "no sender address"),
])
def test_unreadable_messages_say_why(raw, reason):
    with pytest.raises(UnreadableMessage) as raised:
        parse(raw)
    assert raised.value.reason == reason


# --- a big message ------------------------------------------------------------------------------

def test_a_30_mb_message_is_read_in_a_few_seconds():
    data = os.urandom(22 * 1024 * 1024)
    text = "A line about the printer that is long enough to be a real paragraph of a real email.\n" * 5000
    raw = message(
        "From: ana@example.com\nTo: ops@ticketry.local\nSubject: logs",
        content_type='multipart/mixed; boundary="b"',
        body=f"--b\nContent-Type: text/plain; charset=utf-8\n\n{text}\n--b\nContent-Type: application/gzip\n"
             "Content-Disposition: attachment; filename=logs.tar.gz\nContent-Transfer-Encoding: base64\n\n")
    raw += base64.encodebytes(data).replace(b"\n", b"\r\n") + b"--b--\r\n"
    assert len(raw) > 30_000_000
    started = time.perf_counter()
    received = parse(raw)
    elapsed = time.perf_counter() - started
    [logs] = received.attachments
    assert logs.data == data and logs.file_name == "logs.tar.gz"
    assert received.text == text.strip()
    assert elapsed < 15, f"{elapsed:.1f} s"  # about 1 s on a laptop; the margin is for busy machines
