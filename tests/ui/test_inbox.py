"""The inbox in a real browser against the local stack: another member's comment on a ticket the
signed-in admin is assigned raises the badge without a reload, the inbox shows it summarised, `g i`
opens it, `e` archives the focused entry, and opening one goes to its first unread event."""
import re
import time
import uuid

import requests
from playwright.sync_api import Page, expect

SCREENSHOTS = "/tmp/inbox-ui"


def badge(page: Page) -> int:
    found = page.get_by_test_id("inbox-unread")
    return int(found.inner_text()) if found.count() else 0


def unread(stack, api) -> tuple[int, set[str]]:
    """The API's unread count, and the tickets of the unread entries on the inbox's first page."""
    count = requests.get(f"{stack['api_url']}/v1/ce/inbox/unread", headers=api.headers, timeout=10).json()["unread"]
    entries = requests.get(f"{stack['api_url']}/v1/ce/inbox", headers=api.headers, timeout=10).json()["data"]
    return count, {e["ticket_id"] for e in entries if e["unread"]}


def badge_follows_the_api(page: Page, stack, api, seconds: float = 30) -> tuple[int, set[str]]:
    """Waits until the badge, polled by the page (no reload), shows the API's count. Other tests'
    events (mail received a moment ago, say) may still reach this inbox meanwhile: the count the
    badge must show is read again each time, not predicted."""
    deadline = time.monotonic() + seconds
    while True:
        count, tickets = unread(stack, api)
        if badge(page) == count or time.monotonic() > deadline:
            assert badge(page) == count
            return count, tickets
        time.sleep(0.5)


def test_a_comment_raises_the_badge_and_the_inbox_archives_with_e(signed_in: Page, stack, api, word):
    page = signed_in
    admin = requests.get(f"{stack['api_url']}/v1/ce/session", headers=api.headers, timeout=10).json()["principal"]
    colleague = api.call("POST", "/members", expect=201,
                         json={"email": f"{uuid.uuid4().hex[:8]}@example.com", "name": "Cleo", "role": "member"}).json()
    token = api.call("POST", "/api-keys", expect=201, json={"name": f"cleo-{word}", "user_id": colleague["user_id"]}
                     ).json()["secret"]
    as_colleague = {"Authorization": f"Bearer {token}"}
    ticket = api.create(title=f"Queue stuck {word}", assignee=admin["user_id"])
    # The count before the comment (earlier tests may have put entries there), once the page shows it.
    before, _ = badge_follows_the_api(page, stack, api)
    api.call("POST", f"/tickets/{ticket['id']}/comments", expect=201, headers=as_colleague,
             json={"comment": "Restarted the consumer, still stuck"})

    for _ in range(150):  # the stream's pump puts the entry in
        count, tickets = unread(stack, api)
        if ticket["id"] in tickets:
            break
        time.sleep(0.2)
    assert ticket["id"] in tickets and count >= before + 1
    badge_follows_the_api(page, stack, api)
    page.screenshot(path=f"{SCREENSHOTS}/badge.png")

    page.keyboard.press("g")
    page.keyboard.press("i")
    expect(page).to_have_url(re.compile(r"/inbox$"))
    row = page.get_by_role("row").filter(has_text=f"Queue stuck {word}")
    expect(row).to_contain_text("Unread")
    expect(row).to_contain_text("1 comment")
    page.screenshot(path=f"{SCREENSHOTS}/inbox.png")

    row.focus()
    page.keyboard.press("e")
    expect(row).to_have_count(0)
    _, tickets = badge_follows_the_api(page, stack, api)
    assert ticket["id"] not in tickets
    page.get_by_role("link", name="Archived", exact=True).click()
    archived = page.get_by_role("row").filter(has_text=f"Queue stuck {word}")
    expect(archived).to_be_visible()
    expect(archived).not_to_contain_text("Unread")
    page.screenshot(path=f"{SCREENSHOTS}/archived.png")

    # Back to the inbox by new activity; opening it reads it and shows its first unread event.
    api.call("POST", f"/tickets/{ticket['id']}/comments", expect=201, headers=as_colleague,
             json={"comment": "Fixed by a redeploy"})
    for _ in range(100):  # the stream's pump has put it back (the badge's poll is proved above)
        entries = requests.get(f"{stack['api_url']}/v1/ce/inbox", headers=api.headers, timeout=10).json()["data"]
        if any(e["ticket_id"] == ticket["id"] and e["unread"] for e in entries):
            break
        time.sleep(0.2)
    page.get_by_role("navigation", name="Inbox lists").get_by_role("link", name="Inbox").click()
    fresh = page.get_by_role("row").filter(has_text=f"Queue stuck {word}")
    expect(fresh).to_contain_text("1 comment")
    fresh.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"#event-"))
    target = page.url.split("#", 1)[1]
    expect(page.locator(f"#{target}")).to_contain_text("Fixed by a redeploy")
    expect(page.locator(f"#{target}")).to_be_in_viewport()
    page.screenshot(path=f"{SCREENSHOTS}/opened.png")
    # Opening marks it read; the badge follows on its next poll.
    _, tickets = badge_follows_the_api(page, stack, api)
    assert ticket["id"] not in tickets


def test_email_settings_choose_an_hourly_digest_per_kind(signed_in: Page, stack, api):
    page = signed_in
    page.get_by_role("link", name="Demo Admin").click()
    how = page.get_by_label("How: Someone comments")
    how.select_option("hourly")
    expect(page.get_by_role("status").filter(has_text="Email settings saved")).to_be_visible()
    me = requests.get(f"{api.base}/me", headers=api.headers, timeout=10).json()
    assert me["notification_delivery"]["comment_added"] == "hourly"
    page.screenshot(path=f"{SCREENSHOTS}/email-settings.png", full_page=True)
    settled = page.locator("table.email-settings[aria-busy=false]")
    how.select_option("each")  # the demo admin is every test's: as it was
    expect(how).to_have_value("each")
    settled.wait_for()
    page.get_by_label("Email when: Someone comments").uncheck()
    expect(how).to_be_disabled()
    page.get_by_label("Email when: Someone comments").check()
    expect(how).to_be_enabled()
    settled.wait_for()
    me = requests.get(f"{api.base}/me", headers=api.headers, timeout=10).json()
    assert (me["notifications"]["comment_added"], me["notification_delivery"]["comment_added"]) == (True, "each")
