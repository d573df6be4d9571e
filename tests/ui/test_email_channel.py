"""The email channel in Chromium against the local stack: a request mailed to the project (over the
stack's SMTP server, as a mail server would deliver it) becomes a ticket that shows its requester and
thread; an internal note and a reply look apart, and only the reply is mailed. Admins set the
project's email and work the mail log on the Email page."""
import os
import smtplib
import time
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from urllib.parse import urlparse

from playwright.sync_api import Page, expect

from tests.ui.conftest import axe_violations, outbox_now

SHOTS = os.environ.get("UI_SCREENSHOTS")  # a folder to keep screenshots in, when set


def shot(page: Page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def mail_to_project(stack: dict, to: str, sender: str, name: str, subject: str, text: str,
                    cc: tuple[str, ...] = (), headers: dict | None = None) -> None:
    message = EmailMessage()
    message["From"] = f"{name} <{sender}>"
    message["To"] = to
    if cc:
        message["Cc"] = ", ".join(cc)
    message["Subject"] = subject
    for header, value in (headers or {}).items():
        message[header] = value
    message.set_content(text)
    smtp = urlparse(stack["smtp"])
    with smtplib.SMTP(smtp.hostname, smtp.port, timeout=10) as server:
        server.send_message(message)


def eventually(find, what: str, timeout: float = 30.0):
    """What `find` answers once it answers something: mail goes through S3, EventBridge and the stream."""
    deadline = time.monotonic() + timeout
    while True:
        found = find()
        if found:
            return found
        assert time.monotonic() < deadline, f"{what}: not within {timeout:.0f} s"
        time.sleep(0.25)


def sent_since(stack: dict, before: set[str]) -> list:
    return [message_from_bytes(path.read_bytes(), policy=default_policy)
            for path in sorted(stack["outbox"].glob("*.eml")) if path.name not in before]


def body_of(message) -> str:
    return message.get_body(("plain",)).get_content()


def test_a_mailed_request_shows_its_requester_and_thread_and_only_the_reply_is_mailed(signed_in: Page, stack, api,
                                                                                         word, console):
    project_address = api.call("GET", "").json()["email"]["address"]
    ana, bob = f"ana.{word}@example.com", f"bob.{word}@example.com"
    mail_to_project(stack, project_address, ana, "Ana Lima", f"Printer on fire {word}",
                    "Hello,\n\nthe printer on the third floor is smoking.\n\nAna", cc=(bob,))
    ticket = eventually(lambda: api.call("GET", "/tickets", params={"requester": ana}).json()["data"],
                        "the mailed request's ticket")[0]
    assert (ticket["source"], ticket["requester"]) == ("email", ana)

    page = signed_in
    page.goto(f"{stack['api_url']}/projects/{stack['project_id']}/tickets/{ticket['key']}")
    thread = page.get_by_role("region", name="Email thread")
    expect(thread).to_contain_text(f"Requester: Ana Lima <{ana}>")
    expect(thread).to_contain_text(f"Cc: {bob}")
    expect(page.get_by_role("region", name="Description")).to_contain_text("Received by email")

    # An internal note is the default: tinted, saying so, and what its button says.
    note_mode = page.get_by_role("radio", name="Internal note")
    expect(note_mode).to_be_checked()
    box = page.get_by_role("combobox", name="Internal note — only your team sees this")
    expect(page.get_by_role("button", name="Add internal note")).to_be_visible()
    note = f"Asset list says HP 4200 {word}"
    box.fill(note)
    box.press("Control+Enter")
    note_entry = page.locator(".entry.comment").filter(has_text=note)
    expect(note_entry.locator(".badge")).to_have_text("Internal note")

    # Reply, chosen by keyboard: the note's box gives way to the reply's, empty, addressed to Ana.
    note_mode.focus()
    page.keyboard.press("ArrowLeft")
    expect(page.get_by_role("radio", name="Reply")).to_be_checked()
    reply_box = page.get_by_role("combobox", name=f"Reply to {ana}")
    expect(reply_box).to_have_value("")
    expect(page.locator("#comment-audience")).to_have_text(f"Cc: {bob}")
    page.keyboard.press("Tab")
    expect(reply_box).to_be_focused()
    before = outbox_now(stack)
    reply = f"Someone is on the way {word}."
    page.keyboard.type(reply)
    shot(page, "email-reply-mode")
    page.get_by_role("button", name="Send reply").click()
    reply_entry = page.locator(".entry.comment").filter(has_text=reply)
    expect(reply_entry.locator(".badge")).to_have_text("Reply")
    # Sent: back to a note.
    expect(note_mode).to_be_checked()
    shot(page, "email-ticket")

    tint = "el => getComputedStyle(el).backgroundColor"
    assert note_entry.locator(".markdown").evaluate(tint) != reply_entry.locator(".markdown").evaluate(tint)

    comments = api.call("GET", f"/tickets/{ticket['id']}/comments").json()["data"]
    assert [(c["body"], c["visibility"]) for c in comments] == [(note, "internal"), (reply, "public")]

    def to_requester_or_cc():
        return [m for m in sent_since(stack, before) if ana in str(m["To"]) or bob in str(m["To"]) + str(m["Cc"])]
    mailed = eventually(to_requester_or_cc, "the reply in the outbox")
    assert len(mailed) == 1 and reply in body_of(mailed[0]) and bob in str(mailed[0]["Cc"])
    # The note was written first: had it gone to them, it would be in the outbox before the reply.
    assert all(note not in body_of(m) for m in to_requester_or_cc())

    # The requester's name leads to every ticket they asked for.
    thread.get_by_role("link", name=f"Ana Lima <{ana}>").click()
    expect(page.get_by_role("button", name=f"Remove filter Requester: {ana}")).to_be_visible()
    expect(page.get_by_role("link", name=f"Printer on fire {word}")).to_be_visible()


def test_a_mailed_ticket_has_no_serious_accessibility_violations_in_either_mode(audited: Page, stack, api, word):
    project_address = api.call("GET", "").json()["email"]["address"]
    ana = f"ana.{word}@example.com"
    mail_to_project(stack, project_address, ana, "Ana Lima", f"Scanner jammed {word}", "It jams on every page.")
    ticket = eventually(lambda: api.call("GET", "/tickets", params={"requester": ana}).json()["data"],
                        "the mailed request's ticket")[0]
    page = audited
    page.goto(f"{stack['api_url']}/projects/{stack['project_id']}/tickets/{ticket['key']}")
    expect(page.get_by_role("region", name="Email thread")).to_contain_text(f"Requester: Ana Lima <{ana}>")
    assert axe_violations(page) == []
    page.get_by_role("radio", name="Reply").check()
    expect(page.get_by_role("button", name="Send reply")).to_be_visible()
    assert axe_violations(page) == []


def test_admins_set_the_project_email_and_release_or_delete_held_mail(audited: Page, stack, api, word):
    project_address = api.call("GET", "").json()["email"]["address"]
    spam = {"X-SES-Spam-Verdict": "FAIL", "X-SES-Virus-Verdict": "PASS"}
    for n in (1, 2):
        mail_to_project(stack, project_address, f"held{n}.{word}@example.com", "Held", f"Held {n} {word}",
                        "Cheap printers", headers=spam)
    eventually(lambda: len([e for e in api.call("GET", "/mail-log", params={"status": "quarantined"}).json()["data"]
                            if word in e["subject"]]) == 2, "both held messages in the mail log")

    page = audited
    try:
        settings_and_mail_log(page, api, project_address, word)
    finally:
        # Put back as the other UI tests expect the demo project.
        api.call("PATCH", "", json={"email": {"aliases": [], "reply_to_closed": "reopen", "acknowledge": False}})


def settings_and_mail_log(page: Page, api, project_address: str, word: str) -> None:
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Email").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Email")
    expect(page.get_by_text(project_address)).to_be_visible()

    alias = f"desk.{word}@example.com"
    page.get_by_label("Alias to add").fill(alias)
    page.get_by_label("Alias to add").press("Enter")
    page.get_by_role("radio", name="Start a follow-up ticket").check()
    page.get_by_role("checkbox", name="Answer each new request by email with an acknowledgement").check()
    page.get_by_label("Acknowledgement text").fill("Thanks! {key} is ours: {title}")
    expect(page.locator(".preview")).to_contain_text("-42 is ours: Printer on fire")
    page.get_by_role("button", name="Save email settings").click()
    expect(page.get_by_role("button", name=f"Remove alias {alias}")).to_be_visible()
    expect(page.get_by_role("button", name="Save email settings")).to_be_disabled()
    email = api.call("GET", "").json()["email"]
    assert (alias in email["aliases"], email["reply_to_closed"], email["acknowledge"], email["acknowledgement"]) == (
        True, "follow_up", True, "Thanks! {key} is ours: {title}")

    log = page.get_by_role("region", name="Mail log")
    first = log.get_by_role("row").filter(has_text=f"Held 1 {word}")
    expect(first).to_contain_text("Quarantined")
    first.get_by_role("button", name="Release").click()
    dialog = page.get_by_role("dialog", name="Release this message?")
    expect(dialog).to_contain_text(f"held1.{word}@example.com")
    assert axe_violations(page) == []
    shot(page, "email-release")
    dialog.get_by_role("button", name="Release").click()
    expect(first).to_contain_text("Released")
    expect(first.get_by_role("link", name="Open its ticket")).to_be_visible()

    second = log.get_by_role("row").filter(has_text=f"Held 2 {word}")
    second.get_by_role("button", name="Delete").click()
    page.get_by_role("dialog", name="Delete this message?").get_by_role("button", name="Cancel").click()
    expect(second).to_be_visible()
    second.get_by_role("button", name="Delete").click()
    page.get_by_role("dialog", name="Delete this message?").get_by_role("button", name="Delete").click()
    expect(second).to_have_count(0)
    subjects = [e["subject"] for e in api.call("GET", "/mail-log").json()["data"]]
    assert f"Held 2 {word}" not in subjects and f"Held 1 {word}" in subjects
    assert axe_violations(page) == []
    shot(page, "email-settings")
