"""The email channel on the local stack, end to end: messages sent over SMTP to the stack's server
are stored where SES would store them, reach the inbound handler through S3's event, and become
tickets and replies; a public reply goes out through SES (the outbox keeps a copy) with the headers
that keep the thread together, and an internal note never does. The rules behind each step are
tested on memory (tests/services/test_inbound.py); this proves the parts are wired as on AWS."""
import email
import re
import smtplib
import time
import uuid
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import compat32, default
from pathlib import Path
from urllib.parse import urlparse

import pytest

from chalicelib.local.stack_process import StackProcess
from tests.local.conftest import api

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mail"
WAIT_SECONDS = 60


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    process = StackProcess(tmp_path_factory.mktemp("email-stack"), ready_timeout=120)
    info = process.start()
    yield info | {"outbox": process.state_dir / "outbox"}
    process.kill()


@pytest.fixture
def requester() -> str:
    return f"ana.{uuid.uuid4().hex[:10]}@example.com"


def project_address(stack: dict) -> str:
    project = api(stack, "GET", "").json()
    return project["email"]["address"]


def send(stack: dict, raw: bytes, sender: str, recipients: list[str]) -> None:
    url = urlparse(stack["smtp"])
    on_the_wire = raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")  # SMTP's line ends
    with smtplib.SMTP(url.hostname, url.port, timeout=30) as client:
        client.sendmail(sender, recipients, on_the_wire)


def fixture(name: str, **headers: str) -> bytes:
    """A hand-written message with some of its headers replaced (a new Message-ID unless given)."""
    message = email.message_from_bytes((FIXTURES / name).read_bytes(), policy=compat32)
    headers.setdefault("Message_ID", f"<{uuid.uuid4().hex}@mail.example.com>")
    for name_, value in headers.items():
        header = name_.replace("_", "-")
        del message[header]
        if value:
            message[header] = value
    return message.as_bytes()


def eventually(read, what: str, seconds: float = WAIT_SECONDS):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = read()
        if found:
            return found
        time.sleep(0.3)
    raise AssertionError(f"no {what} within {seconds} s")


def tickets_of(stack: dict, address: str) -> list[dict]:
    answer = api(stack, "GET", f"/tickets?requester={address}")
    assert answer.status_code == 200, answer.text
    return answer.json()["data"]


def comments_of(stack: dict, ticket_id: str) -> list[dict]:
    return api(stack, "GET", f"/tickets/{ticket_id}/comments").json()["data"]


def mailed_to(stack: dict, address: str) -> list[EmailMessage]:
    found = []
    for path in sorted(Path(stack["outbox"]).glob("*.eml")):
        message = BytesParser(policy=default).parsebytes(path.read_bytes())
        if address in str(message["To"]) or address in str(message["Cc"] or ""):
            found.append(message)
    return found


def test_a_request_by_email_opens_a_ticket_with_its_files_and_the_thread_stays_together(stack, requester):
    address = project_address(stack)
    send(stack, fixture("new_with_attachments.eml", From=f"Ana Lima <{requester}>", To=address),
         requester, [address])
    [ticket] = eventually(lambda: tickets_of(stack, requester), "ticket from the first message")
    assert (ticket["title"], ticket["source"], ticket["requester"]) == (
        "Invoice 2025-0117 shows the wrong VAT number", "email", requester)
    # The files are attached after the ticket is made, one by one.
    files = eventually(lambda: len(found := api(stack, "GET", f"/tickets/{ticket['id']}/attachments").json()["data"])
                       == 2 and found, "both attachments")
    assert sorted(f["file_name"] for f in files) == ["Invoice 2025-0117.pdf", "vat.png"]
    # The contact is recorded after the ticket, with its files and thread.
    thread = eventually(lambda: (found := api(stack, "GET", f"/tickets/{ticket['id']}/mail-thread").json())
                        ["requester"]["name"] and found, "requester's name")
    assert (thread["requester"]["email"], thread["requester"]["name"]) == (requester, "Ana Lima")

    # The requester answers the acknowledgement-less thread through the ticket's reply address.
    send(stack, fixture("gmail_reply.eml", From=f"Ana Lima <{requester}>", To=thread["reply_address"],
                        In_Reply_To="", References=""), requester, [thread["reply_address"]])
    [reply] = eventually(lambda: comments_of(stack, ticket["id"]), "comment from the reply")
    assert (reply["via"], reply["visibility"], reply["author"]) == ("email", "public", f"contact:{requester}")
    assert "wrote:" not in reply["body"]  # the quoted history is not kept

    # An internal note, then a public reply: only the reply reaches the requester.
    for text, visibility in (("Checking the VAT tables internally", "internal"),
                             ("We corrected the VAT number; a new invoice is on its way.", "public")):
        made = api(stack, "POST", f"/tickets/{ticket['id']}/comments", json={"comment": text, "visibility": visibility})
        assert made.status_code == 201, made.text
    [sent] = eventually(lambda: mailed_to(stack, requester), "reply in the outbox")
    time.sleep(2)  # the note's event is handled before the reply's: nothing more arrives
    assert len(mailed_to(stack, requester)) == 1
    assert "new invoice is on its way" in sent.get_body(("plain",)).get_content()
    assert "internally" not in sent.as_string()
    assert sent["From"].addresses[0].addr_spec == address
    assert sent["Reply-To"].addresses[0].addr_spec == thread["reply_address"]
    assert sent["Subject"] == f"[{ticket['key']}] {ticket['title']}"
    assert sent["Auto-Submitted"] == "auto-generated" and sent["In-Reply-To"] and sent["Message-ID"]
    assert sent["Message-ID"] in sent["References"]

    # An answer to that email from a client that keeps only In-Reply-To, sent to the plain address.
    send(stack, fixture("outlook_reply.eml", From=f"Ana Lima <{requester}>", To=address,
                        In_Reply_To=sent["Message-ID"], References=sent["Message-ID"]), requester, [address])
    eventually(lambda: len(comments_of(stack, ticket["id"])) == 4, "comment from the second reply")

    # Apple Mail's and a phone's replies to the reply address: only what is new is kept.
    for name, kept in (("apple_mail_reply.eml", "It happened again at 11:00"),
                       ("iphone_reply.eml", "offline again this morning")):
        send(stack, fixture(name, From=f"Ana Lima <{requester}>", To=thread["reply_address"], In_Reply_To="",
                            References=""), requester, [thread["reply_address"]])
        latest = eventually(lambda: next((c["body"] for c in comments_of(stack, ticket["id"]) if kept in c["body"]),
                                         None), f"comment from {name}")
        assert "wrote:" not in latest and "Sent from my iPhone" not in latest
    assert len(tickets_of(stack, requester)) == 1


def test_machines_loops_repeats_and_strangers_are_told_apart(stack, requester):
    address = project_address(stack)
    acknowledging = api(stack, "PATCH", "", json={"email": {"acknowledge": True}})
    assert acknowledging.status_code == 200, acknowledging.text
    first = fixture("iso_8859_1_qp.eml", From=requester, To=address)
    send(stack, first, requester, [address])
    send(stack, first, requester, [address])  # delivered twice: one ticket
    [ticket] = eventually(lambda: tickets_of(stack, requester), "ticket")
    assert ticket["title"] == "Réseau en panne à l'étage 2"
    reply_address = api(stack, "GET", f"/tickets/{ticket['id']}/mail-thread").json()["reply_address"]

    send(stack, fixture("out_of_office.eml", From=requester, To=reply_address), requester, [reply_address])
    eventually(lambda: api(stack, "GET", f"/tickets/{ticket['id']}/mail-thread").json()["auto_replies"],
               "auto reply noted on the thread")
    stranger = f"mallory.{uuid.uuid4().hex[:8]}@example.org"
    send(stack, fixture("bulk_list.eml", From=stranger, To=address), stranger, [address])
    send(stack, fixture("gmail_reply.eml", From=stranger, To=address, In_Reply_To="", References="",
                        Subject=f"Re: [{ticket['key']}] {ticket['title']}"), stranger, [address])
    # The stranger's forged key opens a ticket of its own; the bulk mail opens none.
    [forged] = eventually(lambda: tickets_of(stack, stranger), "ticket from the stranger")
    assert forged["id"] != ticket["id"]
    logged = eventually(lambda: [e for e in api(stack, "GET", "/mail-log?status=ignored").json()["data"]
                                 if e["sender"] == stranger], "bulk mail in the mail log")
    assert len(logged) == 1
    assert comments_of(stack, ticket["id"]) == [] and len(tickets_of(stack, requester)) == 1
    # One acknowledgement, however often the request came and whatever answered it automatically.
    [acknowledged] = mailed_to(stack, requester)
    assert acknowledged["Auto-Submitted"] == "auto-replied" and ticket["key"] in acknowledged["Subject"]
    assert acknowledged["Reply-To"].addresses[0].addr_spec == reply_address


def test_failed_verdicts_quarantine_a_message_until_an_admin_releases_it(stack, requester):
    address = project_address(stack)
    held = EmailMessage()
    held["X-SES-Spam-Verdict"] = "FAIL"
    held["X-SES-Virus-Verdict"] = "PASS"
    held["From"] = requester
    held["To"] = address
    held["Subject"] = "Cheap printers"
    held["Message-ID"] = f"<{uuid.uuid4().hex}@example.com>"
    held.set_content("Not really spam: our printer order.")
    send(stack, held.as_bytes(), requester, [address])
    [entry] = eventually(lambda: [e for e in api(stack, "GET", "/mail-log?status=quarantined").json()["data"]
                                  if e["sender"] == requester], "quarantined message")
    assert tickets_of(stack, requester) == []
    released = api(stack, "POST", f"/mail-log/{entry['id']}/release")
    assert released.status_code == 200, released.text
    [ticket] = eventually(lambda: tickets_of(stack, requester), "released ticket")
    assert ticket["title"] == "Cheap printers"


def test_a_30_mb_message_is_received_and_its_file_over_the_limit_is_named_on_the_ticket(stack, requester):
    address = project_address(stack)
    big = EmailMessage()
    big["From"] = requester
    big["To"] = address
    big["Subject"] = "Disk image of the broken laptop"
    big["Message-ID"] = f"<{uuid.uuid4().hex}@example.com>"
    big.set_content("The image is attached.")
    big.add_attachment(b"\0" * (28 * 1024 * 1024), maintype="application", subtype="octet-stream",
                       filename="laptop.img")
    raw = big.as_bytes()
    assert len(raw) > 30 * 1024 * 1024
    send(stack, raw, requester, [address])
    [ticket] = eventually(lambda: tickets_of(stack, requester), "ticket from the large message", seconds=120)
    detail = api(stack, "GET", f"/tickets/{ticket['id']}").json()
    assert "Not attached: laptop.img" in detail["description"]


def test_other_charsets_html_only_mail_and_a_bounce(stack):
    address = project_address(stack)
    send(stack, fixture("shift_jis_base64.eml", To=address), "yamada@example.jp", [address])
    [japanese] = eventually(lambda: tickets_of(stack, "yamada@example.jp"), "ticket from Shift_JIS mail")
    assert japanese["title"] == "プリンター故障" and "会議室のプリンターが動きません" in japanese["description"]
    send(stack, fixture("html_only.eml", To=address), "noreply@webform.example.net", [address])
    [form] = eventually(lambda: tickets_of(stack, "noreply@webform.example.net"), "ticket from HTML-only mail")
    assert "I cannot log in since yesterday" in form["description"]
    assert not re.search(r"<(p|div|table|td|a|br|style)\b", form["description"])  # text, not markup

    # A delivery failure for an address that wrote in earlier is noted on that contact, no ticket.
    colleague = "old.colleague@example.net"
    send(stack, fixture("iso_8859_1_qp.eml", From=colleague, To=address), colleague, [address])
    eventually(lambda: tickets_of(stack, colleague), "ticket from the colleague")
    send(stack, fixture("dsn_bounce.eml", To=address), "MAILER-DAEMON@amazonses.com", [address])
    contact = eventually(lambda: (found := api(stack, "GET", f"/contacts/{colleague}").json()).get("bounced_at")
                         and found, "bounce noted on the contact")
    assert contact["bounce_reason"]
    assert len(tickets_of(stack, colleague)) == 1
    # Only the acknowledgement of the request (on since the test above); nothing answers the bounce.
    [acknowledged] = mailed_to(stack, colleague)
    assert acknowledged["Auto-Submitted"] == "auto-replied"
