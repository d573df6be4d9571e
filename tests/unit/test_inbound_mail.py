"""Reading received email (domain.inbound_mail). The fixtures in tests/fixtures/mail are messages as
the clients they are named after write them, with the headers SES puts on top."""
import base64
import os
import re
import time
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

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
    assert received.text.startswith(
        "Thanks! I restarted it and it prints again \u2014 you can close this one.\n\n-- \nAna Lima")
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


# --- HTML as text -------------------------------------------------------------------------------

@pytest.mark.parametrize("html, text", [
    ('<a href="https://example.com/a">the docs</a>', "[the docs](https://example.com/a)"),
    ('<a href="http://example.com/">http://example.com/</a>', "http://example.com/"),
    ('<a href="mailto:ana@example.com">ana@example.com</a>', "ana@example.com"),
    ('<a href="mailto:ana@example.com">Ana</a>', "[Ana](mailto:ana@example.com)"),
    ('<a href="https://example.com/a_(b)">x [y]</a>', "[x \\[y\\]](https://example.com/a_%28b%29)"),
    ('<a href="https://example.com/">ends in \\</a>', "[ends in \\\\](https://example.com/)"),
    ('<a href="https://example.com/"><img src="cid:logo" alt="Download"></a>', "[Download](https://example.com/)"),
    ('<a href="https://example.com/"></a>', "https://example.com/"),
    ('<a href="javascript:alert(1)">Click</a>', "Click"),
    ('<a href="java\tscript:alert(1)">Click</a>', "Click"),
    ('<a href="JAVASCRIPT:alert(1)">Click</a>', "Click"),
    ('<a href="vbscript:msgbox">Click</a>', "Click"),
    ('<a href="data:text/html;base64,PHNjcmlwdD4=">Click</a>', "Click"),
    ('<a href="file:///etc/passwd">Click</a>', "Click"),
    ('<a href="/relative/path">Click</a>', "Click"),
    ('<a href="http://[broken">Click</a>', "Click"),
    ('<a name="top">Anchor</a>', "Anchor"),
])
def test_links_are_kept_for_web_and_mail_addresses_only(html, text):
    assert html_to_text(html) == text


@pytest.mark.parametrize("html", [
    '<div style="display:none">secret</div>shown',
    '<div style="DISPLAY: none !important">secret</div>shown',
    '<span style="visibility:hidden">secret</span>shown',
    '<div hidden>secret</div>shown',
    '<p style="mso-hide:all">secret</p>shown',
    '<script>secret()</script>shown',
    '<style>.secret{}</style>shown',
    '<head><title>secret</title><style>p{}</style></head><body>shown',
    '<head><meta charset="utf-8"><style>p{}</style><body>shown',  # head never closed
    '<template><p>secret</p></template>shown',
    '<iframe src="https://example.com">secret</iframe>shown',
    '<svg><text>secret</text></svg>shown',
    '<noscript>secret</noscript>shown',
    '<!-- secret -->shown',
    '<![if !supportLists]><![endif]>shown',
    '<xml><o:OfficeDocumentSettings>secret</o:OfficeDocumentSettings></xml>shown',
    '<div style="display:none"><p>secret<p>more secret<div>still secret</div></div>shown',
    '<p style="display:none">secret<div>shown</div>',  # a block ends the paragraph, as in a browser
])
def test_hidden_and_inactive_content_is_dropped(html):
    assert html_to_text(html) == "shown"


def test_an_unclosed_hidden_element_hides_the_rest_as_a_browser_does():
    assert html_to_text('<p>before</p><div style="display:none">secret<p>after') == "before"


@pytest.mark.parametrize("html, text", [
    ("<p>one</p><p>two</p>", "one\n\ntwo"),
    ("<div>one</div><div>two</div>", "one\ntwo"),
    ("<div>one</div><div><br></div><div>two</div>", "one\n\ntwo"),  # Gmail's empty line
    ("one<br>two<br><br><br><br>three", "one\ntwo\n\nthree"),
    ("<p>  many   spaces\n\tand\nlines </p>", "many spaces and lines"),
    ("a&nbsp;&nbsp;b", "a b"),
    ("<ul><li>one</li><li>two<ul><li>two.one</li></ul></li></ul>", "- one\n- two\n  - two.one"),
    ("<ol><li>one<li>two</ol>", "1. one\n2. two"),
    ('<ol start="7"><li>seven</li><li>eight</li></ol>', "7. seven\n8. eight"),
    ("<p>Before</p><blockquote><p>quoted</p><p>more</p></blockquote><p>after</p>",
     "Before\n\n> quoted\n>\n> more\n\nafter"),
    ("<blockquote>outer<blockquote>inner</blockquote></blockquote>", "> outer\n>\n> > inner"),
    ("<h1>Title</h1><h3>Sub</h3>text", "# Title\n\n### Sub\n\ntext"),
    ("<pre>  indented\n    more\n</pre>", "  indented\n    more"),
    ("<table><tr><th>Name</th><td>Ana</td></tr><tr><td>Role</td><td>admin</td></tr></table>",
     "Name | Ana\nRole | admin"),
    ("<p>one</p><hr><p>two</p>", "one\n\n---\n\ntwo"),
    ('<img src="cid:x" alt="chart">', "chart"),
    ("<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#169; &#x1F600;</p>", "<script>alert(1)</script> & \u00a9 \U0001f600"),
    ("<p>a&#27;b&#0;c</p>", "ab\ufffdc"),  # no control characters from character references
])
def test_html_becomes_markdown_ish_text(html, text):
    assert html_to_text(html) == text


@pytest.mark.parametrize("html, text", [
    ('<p>text</p><a href="https://example.com/', "text"),      # cut off inside a tag
    ("<p>text</p><a href='>never closed</a> more", "text"),    # a quote that never closes
    ("<p>text</p><![ bogus section >after", "text\n\nafter"),  # html.parser raises on these
    ("<p>text</p><a\x00 b>", "text"),
    ("a < b and c > d", "a < b and c > d"),                   # not markup: text
])
def test_broken_markup_never_shows_as_text(html, text):
    assert html_to_text(html) == text


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([
    "<", ">", "/", "!", "-", "?", "=", '"', "'", " ", "\n", "\x00", "a", "b", "p", "div", "x", "[", "]",
    "<!--", "-->", "<![", "]]>", "<![CDATA[", "<!DOCTYPE", "<?", "<b>", "</b>", "<a href='", "<script>",
    "</script>", "<style>", "<title>", "<head>", "<li>", "<pre>", "<blockquote type=cite>",
    "<div id=appendonsend>", "<img src=x onerror=alert(1)>", "<![if !x]>", "<![endif]>",
]), max_size=40).map("".join), st.booleans())
def test_no_markup_survives_any_html(html, reply_only):
    text = strip_reply("", html) if reply_only else html_to_text(html)
    if not re.search(r"<(?![a-zA-Z/!?])", html):  # every "<" starts markup: none may be left
        assert not re.search(r"<[a-zA-Z/!?]", text)


# --- replies ------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Done.\n\nOn Tue, 4 Mar 2025 at 10:15, Ops Support <ops@ticketry.local> wrote:\n> Is it done?",
    "Done.\n\nAm 04.03.2025 um 10:15 schrieb Ops Support <ops@ticketry.local>:\n> Ist es erledigt?",
    "Done.\n\nLe mar. 4 mars 2025 \u00e0 10:15, Ops Support <ops@ticketry.local> a \u00e9crit :\n> Fini ?",
    "Done.\n\n-----Original Message-----\nFrom: Ops Support <ops@ticketry.local>\nSent: Tuesday\nSubject: x\n\nIs it done?",
    "Done.\n\n________________________________\nFrom: Ops Support <ops@ticketry.local>\nSent: Tuesday\n\nIs it done?",
    "Done.\n\nFrom: Ops Support <ops@ticketry.local>\nSent: Tuesday, March 4, 2025 10:15 AM\nTo: Ana\n"
    "Subject: x\n\nIs it done?",
    "Done.\n\nDe : Ops Support <ops@ticketry.local>\nEnvoy\u00e9 : mardi\n\u00c0 : Ana\nObjet : x\n\nFini ?",
    "Done.\n\n> Is it done?\n> Tell us\n> when it is",
    "Done.\n\n-- \nAna Lima\nFacilities",
    "Done.\n\nSent from my iPhone",
    "Done.\n\nSent from my Galaxy",
    "Done.\n\nGet Outlook for Android<https://aka.ms/AAb9ysg>",
    "Done.\n\nSent from Outlook for iOS",
    "Done.\n\nEnvoy\u00e9 de mon iPhone",
    "Done.\n\nVon meinem iPhone gesendet",
    "\n\n   Done.\n\nOn Tue, Ops <ops@ticketry.local> wrote:\n> x",
    "Done.\n\nSent from my iPhone\n\n> On 4 Mar 2025, at 10:15, Ops <ops@ticketry.local> wrote:\n>\n> x",
])
def test_the_reply_is_the_text_above_the_history_without_its_signature(text):
    assert strip_reply(text) == "Done."


@pytest.mark.parametrize("text", [
    "Please check.\nDate: tomorrow\nSubject: the printer on floor 3",  # header-like lines, but no From
    "The parts will be sent via DHL.\nSent from my desk, as every day.\nThanks",
    "Before.\n> a single quoted line\nAfter.",
    "We agreed:\n--\n" + "\n".join(f"point {n}" for n in range(12)),  # too long to be a signature
    "Sent from my iPhone is what my phone writes below every message.",
])
def test_text_that_only_looks_like_history_or_signature_is_kept(text):
    assert strip_reply(text) == text


def test_a_reply_that_is_all_quote_in_html_falls_back_to_its_text():
    html = '<blockquote type="cite">Only the quote</blockquote>'
    assert strip_reply("My answer", html) == "My answer"


def test_a_long_html_reply_is_read_from_its_text():
    html = "<div>" + "<p>filler</p>" * 20000 + '</div><div class="gmail_quote">old</div>'
    assert strip_reply("New part\n\nOn Mon, Ops <ops@ticketry.local> wrote:\n> old", html) == "New part"


@pytest.mark.parametrize("text", ["x" * 3_000_000, "-" * 2_000_000, ("a" * 5000 + "\n") * 2000])
def test_long_lines_and_texts_are_read_quickly(text):
    started = time.perf_counter()
    assert strip_reply(text) == text.strip()
    assert time.perf_counter() - started < 5


# --- charsets and encoded words -------------------------------------------------------------------

@pytest.mark.parametrize("data, charset, text", [
    (b"caf\xe9", "x-unknown-charset", "caf\u00e9"),
    (b"caf\xc3\xa9", "x-unknown-charset", "caf\u00e9"),     # unknown, but UTF-8
    (b"caf\xe9", None, "caf\u00e9"),
    (b"caf\xc3\xa9", "us-ascii", "caf\u00e9"),              # mislabelled UTF-8
    (b"\x93quoted\x94 \x80", "us-ascii", "\u201cquoted\u201d \u20ac"),
    (b"it\x92s", "iso-8859-1", "it\u2019s"),                # Windows' Latin-1
    (b"caf\xe9 \x81", "iso-8859-1", "caf\u00e9 \ufffd"),     # a byte cp1252 leaves undefined
    (b"\x82\xa0\x82\xa2", "Shift_JIS", "\u3042\u3044"),
    (b"\x87\x40", "shift_jis", "\u2460"),                    # Windows' Shift_JIS
    (b"\x82\xa0\x81", "shift_jis", "\u3042\ufffd"),    # a character cut short
    ("\u4e2d\u6587".encode("gb18030"), "gb2312", "\u4e2d\u6587"),
    (b"+AGEAYgBj-", "utf-7", "abc"),
    (b"caf\xe9", ' "ISO-8859-1" ', "caf\u00e9"),
    (b"\\u0041 caf\xe9", "unicode_escape", "\\u0041 caf\u00e9"),  # no codec that reads escapes
    (b"caf\xe9", "base64", "caf\u00e9"),                    # nor one that is no charset
    (b"caf\xe9", "rot13", "caf\u00e9"),
    (b"caf\xe9", "undefined", "caf\u00e9"),
])
def test_text_decodes_in_any_charset_and_never_fails(data, charset, text):
    assert decode_text(data, charset) == text


@pytest.mark.parametrize("value, text", [
    ("=?utf-8?q?caf=C3=A9?= au lait", "caf\u00e9 au lait"),
    ("=?UTF-8?B?Y2Fm?= =?UTF-8?B?w6k=?=", "caf\u00e9"),          # space between words goes
    ("=?utf-8?b?Y2Fmww==?= =?utf-8?b?qQ==?=", "caf\u00e9"),        # a character split between words
    ("=?utf-8?q?a?= b =?utf-8?q?c?=", "a b c"),
    ("=?iso-8859-1?q?caf=E9?= =?utf-8?q?=E2=82=AC?=", "caf\u00e9\u20ac"),
    ("=?x-unknown?q?caf=E9?=", "caf\u00e9"),
    ("=?utf-8*en?q?hello?=", "hello"),                             # RFC 2231 language
    ("=?utf-8?b?not base64?=", "=?utf-8?b?not base64?="),          # not an encoded word
    ("=?utf-8?b?%%%?=", ""),
    ("plain", "plain"),
])
def test_encoded_words_decode(value, text):
    assert decode_words(value) == text


# --- addresses --------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, addresses", [
    ("Ana <Ana@Example.com>", ["ana@example.com"]),
    ('"Lima, Ana" <ana@example.com>, bo@example.com (Bo), ANA@example.com', ["ana@example.com", "bo@example.com"]),
    ("Team: ana@example.com, bo@example.com;, cy@example.com", ["ana@example.com", "bo@example.com", "cy@example.com"]),
    ("undisclosed-recipients:;", []),
    ("Ana Lima", []),
    ("<>", []),
    ("ana@", []),
    ("=?utf-8?q?Ana_L=C3=ADma?= <ana@example.com>", ["ana@example.com"]),
    ("", []),
])
def test_addresses_in_a_header(value, addresses):
    assert addresses_in(value) == addresses


def test_recipients_are_the_envelope_then_the_headers_each_once():
    received = parse(message(
        "Received: from mx by inbound-smtp with SMTP id 1 for <Alias@Ticketry.local>; Tue, 4 Mar 2025\n"
        "Received: from elsewhere by mx for <forged@ticketry.local>; Tue, 4 Mar 2025\n"
        "From: Ana <ana@example.com>\nTo: ops@ticketry.local, Ana <ana@example.com>\n"
        "Cc: bo@example.com, ops@ticketry.local\n"
        "Delivered-To: alias@ticketry.local\nX-Original-To: desk@ticketry.local"))
    assert received.recipients == ("alias@ticketry.local", "ops@ticketry.local", "ana@example.com",
                                   "bo@example.com", "desk@ticketry.local")
    assert received.cc == ("ops@ticketry.local", "bo@example.com")  # never the sender


def test_a_sender_name_is_one_safe_line_of_at_most_100_characters():
    received = parse(message(f'From: "{"N" * 300}" <ana@example.com>'))
    assert len(received.sender_name) == 100 and received.sender_name.endswith("\u2026")


# --- thread ids -------------------------------------------------------------------------------------

def test_message_ids_without_brackets_too_long_or_too_many():
    references = " ".join(f"<ref{n}@example.com>" for n in range(80))
    received = parse(message(
        f"From: ana@example.com\nMessage-ID: bare-id@example.com\nIn-Reply-To: <{'x' * 600}@example.com> "
        f"<ok@example.com>\nReferences: {references}"))
    assert received.message_id == "bare-id@example.com"
    assert received.in_reply_to == ("ok@example.com",)
    assert len(received.references) == 50
    assert received.references[:2] == ("ref0@example.com", "ref31@example.com")
    assert received.references[-1] == "ref79@example.com"


def test_a_message_without_message_id_has_none():
    assert parse(message("From: ana@example.com")).message_id is None


# --- machines ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("headers, auto_submitted, auto_reply, bulk", [
    ("Auto-Submitted: no", False, False, False),
    ("Auto-Submitted: auto-generated", True, False, False),
    ("Auto-Submitted: auto-replied (vacation)", True, True, False),
    ("Auto-Submitted: Auto-Replied; owner-email=ana@example.com", True, True, False),
    ("X-Auto-Response-Suppress: All", True, False, False),
    ("X-Autoreply: yes", False, True, False),
    ("X-Autorespond: yes", False, True, False),
    ("Subject: Automatic reply: [OPS-42] Printer", False, True, False),
    ("Subject: Out of Office: [OPS-42] Printer", False, True, False),
    ("Subject: Out of Office", False, True, False),
    ("Subject: Autosvar: [OPS-42] Printer", False, True, False),
    ("Subject: Out of office request for next week", False, False, False),
    ("Precedence: bulk", False, False, True),
    ("Precedence: list", False, False, True),
    ("Precedence: junk", False, False, True),
    ("Precedence: first-class", False, False, False),
    ("List-Id: <news.example.org>", False, False, True),
    ("List-Unsubscribe: <mailto:unsubscribe@example.org>", False, False, True),
])
def test_what_a_machine_sent(headers, auto_submitted, auto_reply, bulk):
    received = parse(message(f"From: ana@example.com\n{headers}"))
    assert (received.auto_submitted, received.auto_reply, received.bulk) == (auto_submitted, auto_reply, bulk)


def delivery_report(*recipient_groups: str) -> bytes:
    groups = "\n\n".join(("Reporting-MTA: dns; mx.example.net",) + recipient_groups)
    return message(
        "From: MAILER-DAEMON@example.net\nTo: ops@ticketry.local",
        content_type='multipart/report; report-type=delivery-status; boundary="r"',
        body=f"--r\nContent-Type: text/plain\n\nReport.\n--r\nContent-Type: message/delivery-status\n\n{groups}\n\n--r--\n")


def test_a_report_of_delays_only_is_no_bounce_but_an_automatic_reply():
    received = parse(delivery_report("Final-Recipient: rfc822; bo@example.com\nAction: delayed\nStatus: 4.4.7"))
    assert received.bounce is None
    assert received.auto_reply and received.auto_submitted


def test_a_bounce_names_every_failed_recipient_and_the_first_ones_status():
    received = parse(delivery_report(
        "Final-Recipient: rfc822; bo@example.com\nAction: delivered\nStatus: 2.0.0",
        "Original-Recipient: rfc822; Cy@Example.com\nStatus: 5.2.2 (mailbox full)\nDiagnostic-Code: smtp; 552 full",
        "Final-Recipient: rfc822; dee@example.com\nAction: failed\nStatus: 5.1.1"))
    assert received.bounce == Bounce(recipients=("cy@example.com", "dee@example.com"), status="5.2.2",
                                     diagnostic="552 full")
    assert not received.auto_reply


def test_a_report_of_another_kind_is_no_bounce():
    raw = delivery_report("Final-Recipient: rfc822; bo@example.com\nAction: failed\nStatus: 5.1.1")
    received = parse(raw.replace(b"report-type=delivery-status", b"report-type=disposition-notification"))
    assert received.bounce is None


# --- verdicts ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("headers, verdicts", [
    ("Received-SPF: softfail (domain does not designate) client-ip=192.0.2.1",
     {"spf": "SOFTFAIL"}),
    ("Authentication-Results: amazonses.com; spf=pass (says dkim=fail dmarc=fail) smtp.mailfrom=a@example.com",
     {"spf": "PASS"}),
    ("Authentication-Results: amazonses.com; dkim=fail header.i=@a.example; dkim=pass header.i=@b.example",
     {"dkim": "PASS"}),
    ("Authentication-Results: amazonses.com; spf=neutral\nReceived-SPF: fail", {"spf": "NEUTRAL"}),
    ("X-SES-Spam-Verdict: GRAY\nX-SES-Virus-Verdict: PROCESSING_FAILED",
     {"spam": "GRAY", "virus": "PROCESSING_FAILED"}),
    ("X-SES-Virus-Verdict: FAIL\nX-SES-Virus-Verdict: PASS", {"virus": "FAIL"}),
])
def test_verdicts(headers, verdicts):
    received = parse(message(f"{headers}\nFrom: ana@example.com"))
    assert received.verdicts == verdicts
    assert received.failed_verdicts() == [name for name, verdict in verdicts.items() if verdict == "FAIL"]


# --- files and odd structures ---------------------------------------------------------------------

def mixed(*parts: str) -> bytes:
    body = "".join(f"--m\n{part}\n" for part in ("Content-Type: text/plain\n\nSee attached.",) + parts) + "--m--\n"
    return message("From: ana@example.com", content_type='multipart/mixed; boundary="m"', body=body)


def test_an_attached_message_is_a_file_of_its_bytes():
    received = parse(mixed("Content-Type: message/rfc822\n\nFrom: bo@example.com\nSubject: old\n\nOld text."))
    [attached] = received.attachments
    assert (attached.file_name, attached.content_type, attached.inline) == ("message.eml", "message/rfc822", False)
    assert attached.data.replace(b"\r\n", b"\n") == b"From: bo@example.com\nSubject: old\n\nOld text."
    assert received.text == "See attached."


@pytest.mark.parametrize("part, file_name, content_type, inline, content_id", [
    ("Content-Type: image/png\nContent-ID: <logo@example.com>\nContent-Transfer-Encoding: base64\n\nQUJD",
     "image.png", "image/png", True, "logo@example.com"),
    ("Content-Type: image/jpeg\nContent-ID: bare-id\nContent-Disposition: attachment\n\nx",
     "image.jpg", "image/jpeg", False, "bare-id"),
    ('Content-Type: application/pdf\nContent-Disposition: attachment; filename="../../etc/passwd"\n\nx',
     "passwd", "application/pdf", False, None),
    ('Content-Type: application/pdf; name="=?UTF-8?B?w6lsw6g=?=.pdf"\n\nx',
     "\u00e9l\u00e8.pdf", "application/pdf", False, None),
    ('Content-Type: text/plain\nContent-Disposition: inline; filename="notes.txt"\n\nx',
     "notes.txt", "text/plain", True, None),
    ("Content-Type: text/calendar; method=REQUEST\n\nBEGIN:VCALENDAR",
     "attachment.ics", "text/calendar", False, None),
    ('Content-Type: application/x-thing\nContent-Disposition: attachment; filename="a\u202etxt.exe"\n\nx',
     "atxt.exe", "application/x-thing", False, None),
])
def test_files_are_named_typed_and_placed(part, file_name, content_type, inline, content_id):
    [received] = parse(mixed(part)).attachments
    assert (received.file_name, received.content_type, received.inline, received.content_id) == (
        file_name, content_type, inline, content_id)


def test_of_alternatives_the_first_plain_text_and_the_last_html_are_read_and_every_file_kept():
    received = parse(message(
        "From: ana@example.com", content_type='multipart/alternative; boundary="a"',
        body="--a\nContent-Type: text/plain\n\nPlain version\n"
             "--a\nContent-Type: text/html\n\n<p>Old HTML</p>\n"
             '--a\nContent-Type: multipart/related; boundary="r"\n\n'
             "--r\nContent-Type: text/html\n\n<p>Rich HTML</p>\n"
             "--r\nContent-Type: image/png\nContent-ID: <img1>\n\nx\n--r--\n"
             "--a\nContent-Type: text/calendar\n\nBEGIN:VCALENDAR\n--a--\n"))
    assert received.text == "Plain version"
    assert received.reply_text == "Rich HTML"  # the reply is read from the HTML, whose markup says more
    assert [f.content_type for f in received.attachments] == ["image/png", "text/calendar"]


def test_text_split_around_an_attachment_is_read_whole():
    received = parse(mixed("Content-Type: image/png\nContent-Disposition: inline\n\nx",
                           "Content-Type: text/plain\n\nAnd after the picture."))
    assert received.text == "See attached.\n\nAnd after the picture."


def test_html_without_a_charset_parameter_uses_its_meta_charset():
    received = parse(message("From: ana@example.com", content_type="text/html",
                             body='<meta charset="iso-8859-1"><p>caf\udce9</p>'))
    assert received.text == "caf\u00e9"


@pytest.mark.parametrize("headers, name, subject", [
    ("From: Zo\u00eb <zoe@example.com>\nSubject: Gr\u00fc\u00dfe", "Zo\u00eb", "Gr\u00fc\u00dfe"),  # raw UTF-8
    ("From: Zo\udceb <zoe@example.com>\nSubject: Gr\udcfc\udcdfe", "Zo\u00eb", "Gr\u00fc\u00dfe"),  # raw Latin-1
])
def test_unencoded_8_bit_headers_are_read(headers, name, subject):
    received = parse(message(headers))
    assert (received.sender_name, received.subject) == (name, subject)


@pytest.mark.parametrize("raw, text", [
    (b"From: ana@example.com\r\nContent-Type: multipart/mixed\r\n\r\nNo boundary.", "No boundary."),
    (b"From: ana@example.com\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\nSGVsbG8*!", "Hello"),
    (b"From: ana@example.com\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n=ZZ=4",
     "=ZZ=4"),
    (b"From: ana@example.com\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nNUL\x00 and ESC\x1b gone\r\nlines",
     "NUL and ESC gone\nlines"),
    (b"From ana@example.com Tue Mar  4 10:00:00 2025\r\nFrom: ana@example.com\r\n\r\nmbox line", "mbox line"),
])
def test_broken_bodies_are_read_as_well_as_they_can_be(raw, text):
    assert parse(raw).text == text


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(sorted(FIXTURES.glob("*.eml"))),
       st.lists(st.tuples(st.floats(0, 1), st.integers(0, 12), st.binary(max_size=8) | st.sampled_from(
           [b"=?", b"?=", b"=?utf-8?q?", b"<", b">", b"\r\n", b"\r\n ", b";", b":", b'"', b"boundary=", b"--",
            b"\x00", b"\xff", b"charset=", b"*0*=", b"''", b"=\r\n", b"<![", b"group:;"])),
                min_size=1, max_size=6))
def test_a_damaged_message_is_read_or_unreadable_never_an_error(path, edits):
    raw = path.read_bytes()
    for where, cut, inserted in edits:
        position = int(where * len(raw))
        raw = raw[:position] + inserted + raw[position + cut:]
    try:
        received = parse(raw)
    except UnreadableMessage:
        return
    assert "\n" not in received.subject + received.sender_name
    assert not re.search("[\ud800-\udfff]", received.subject + received.sender_name + received.text + received.reply_text)
