"""The inbox in a real browser against the local stack: another member's comment on a ticket the
signed-in admin is assigned raises the badge without a reload, the inbox shows it summarised, `g i`
opens it, `e` archives the focused entry, and opening one goes to its first unread event."""
import re
import uuid

import requests
from playwright.sync_api import Page, expect

SCREENSHOTS = "/tmp/inbox-ui"


def badge(page: Page) -> int:
    found = page.get_by_test_id("inbox-unread")
    return int(found.inner_text()) if found.count() else 0


def test_a_comment_raises_the_badge_and_the_inbox_archives_with_e(signed_in: Page, stack, api, word):
    page = signed_in
    admin = requests.get(f"{stack['api_url']}/v1/ce/session", headers=api.headers, timeout=10).json()["principal"]
    colleague = api.call("POST", "/members", expect=201,
                         json={"email": f"{uuid.uuid4().hex[:8]}@example.com", "name": "Cleo", "role": "member"}).json()
    token = api.call("POST", "/api-keys", expect=201, json={"name": f"cleo-{word}", "user_id": colleague["user_id"]}
                     ).json()["secret"]
    as_colleague = {"Authorization": f"Bearer {token}"}
    ticket = api.create(title=f"Queue stuck {word}", assignee=admin["user_id"])
    # The page's count before the comment (the stack's own activity may have put entries there already).
    page.wait_for_timeout(300)
    before = badge(page)
    api.call("POST", f"/tickets/{ticket['id']}/comments", expect=201, headers=as_colleague,
             json={"comment": "Restarted the consumer, still stuck"})

    expect(page.get_by_test_id("inbox-unread")).to_have_text(str(before + 1), timeout=30_000)  # polled, no reload
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
    expect(page.get_by_test_id("inbox-unread")).to_have_text(str(before)) if before else \
        expect(page.get_by_test_id("inbox-unread")).to_have_count(0)
    page.get_by_role("link", name="Archived", exact=True).click()
    archived = page.get_by_role("row").filter(has_text=f"Queue stuck {word}")
    expect(archived).to_be_visible()
    expect(archived).not_to_contain_text("Unread")
    page.screenshot(path=f"{SCREENSHOTS}/archived.png")

    # Back to the inbox by new activity; opening it reads it and shows its first unread event.
    api.call("POST", f"/tickets/{ticket['id']}/comments", expect=201, headers=as_colleague,
             json={"comment": "Fixed by a redeploy"})
    expect(page.get_by_test_id("inbox-unread")).to_have_text(str(before + 1), timeout=30_000)
    page.get_by_role("navigation", name="Inbox lists").get_by_role("link", name="Inbox").click()
    fresh = page.get_by_role("row").filter(has_text=f"Queue stuck {word}")
    expect(fresh).to_contain_text("1 comment")
    fresh.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"#event-"))
    target = page.url.split("#", 1)[1]
    expect(page.locator(f"#{target}")).to_contain_text("Fixed by a redeploy")
    expect(page.locator(f"#{target}")).to_be_in_viewport()
    page.screenshot(path=f"{SCREENSHOTS}/opened.png")
    assert badge(page) == before
