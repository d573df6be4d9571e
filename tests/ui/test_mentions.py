"""Mentions and watchers in the web UI, in Chromium against the local stack: `@` offers the
project's people, the one picked by keyboard is mentioned (shown by name, made a watcher by the
tickets stream), and the Watch button toggles."""
import os
import time

from playwright.sync_api import Page, expect

SHOTS = os.environ.get("UI_SCREENSHOTS")  # a folder to keep screenshots in, when set


def shot(page: Page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def member_id(api, name: str) -> str:
    """The member of that name, added (with an address of their own) when the project has none."""
    people = api.call("GET", "/people").json()
    found = next((m["user_id"] for m in people["members"] if m["name"] == name), None)
    if found is None:
        email = name.lower().replace(" ", ".") + "@example.com"
        found = api.call("POST", "/members", expect=201, json={"email": email, "name": name,
                                                               "role": "member"}).json()["user_id"]
    return found


def team_named(api, name: str, members: list[str]) -> None:
    if not any(t["name"] == name for t in api.call("GET", "/people").json()["teams"]):
        api.call("POST", "/teams", expect=201, json={"name": name, "members": members})


def watchers_of(api, ticket_id: str) -> set[str]:
    return {w["watcher"] for w in api.call("GET", f"/tickets/{ticket_id}/watchers").json()["data"]}


def eventually(check, timeout: float = 15.0):
    """The tickets stream makes watchers a moment after the event: waits for `check` to hold."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "not within the time the stream takes"
        time.sleep(0.2)


def open_ticket(page: Page, stack: dict, key: str) -> None:
    page.goto(f"{stack['api_url']}/projects/{stack['project_id']}/tickets/{key}")
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_typing_at_offers_people_and_the_one_picked_by_keyboard_is_mentioned_and_watches(
        signed_in: Page, stack, api, word):
    ana = member_id(api, "Ana Lima")
    ticket = api.create(title=f"Mentions {word}")
    page = signed_in
    page.reload()  # with Ana among the project's people
    open_ticket(page, stack, ticket["key"])
    box = page.get_by_role("combobox", name="Internal note")
    box.click()
    box.press_sequentially("@an")
    listbox = page.get_by_role("listbox", name="Mention someone")
    expect(listbox).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(listbox.get_by_role("option").first).to_have_accessible_name("Ana Lima")
    expect(listbox.get_by_role("option", name="Ana Lima")).to_have_attribute("aria-selected", "true")
    shot(page, "mention-listbox")
    box.press("Enter")
    expect(listbox).to_be_hidden()
    expect(box).to_have_value(f"<@{ana}> ")
    box.press_sequentially("can you look?")
    box.press("Control+Enter")
    mention = page.locator(".entry.comment .mention")
    expect(mention).to_have_text("@Ana Lima")
    expect(page.locator(".entry.comment")).to_contain_text("@Ana Lima can you look?")
    eventually(lambda: ana in watchers_of(api, ticket["id"]))
    expect(page.locator(".watcher-list")).to_contain_text("Ana Lima")
    shot(page, "mention-shown")
    comments = api.call("GET", f"/tickets/{ticket['id']}/comments").json()["data"]
    assert comments[-1]["mentions"] == [ana]


def test_the_list_takes_accents_and_teams_and_escape_only_closes_it(signed_in: Page, stack, api, word):
    page = signed_in
    ben = member_id(api, "Ben Okafor")
    team_named(api, "Infrastructure", [ben])
    ticket = api.create(title=f"Mention keys {word}")
    page.reload()
    open_ticket(page, stack, ticket["key"])
    box = page.get_by_role("combobox", name="Internal note")
    box.click()
    box.press_sequentially("see @ÍNFRA")
    listbox = page.get_by_role("listbox", name="Mention someone")
    expect(listbox.get_by_role("option")).to_have_count(1)
    expect(listbox.get_by_role("option")).to_have_accessible_name("Infrastructure team")
    box.press("Escape")
    expect(listbox).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Mention keys {word}")  # still on the ticket
    expect(box).to_be_focused()
    box.press_sequentially(" @b")
    expect(listbox.get_by_role("option").first).to_have_accessible_name("Ben Okafor")
    box.press("ArrowDown")
    box.press("ArrowUp")
    box.press("Tab")
    expect(box).to_have_value(f"see @ÍNFRA <@{ben}> ")


def test_watch_and_unwatch_toggle(signed_in: Page, stack, api, word):
    page = signed_in
    ticket = api.create(title=f"Watching {word}")
    admin = api.call("GET", "/me").json()["user_id"]
    eventually(lambda: admin in watchers_of(api, ticket["id"]))  # the reporter watches
    open_ticket(page, stack, ticket["key"])
    expect(page.get_by_role("button", name="Unwatch", exact=True)).to_be_visible()
    page.get_by_role("button", name="Unwatch", exact=True).click()
    expect(page.get_by_role("button", name="Watch", exact=True)).to_be_visible()
    assert admin not in watchers_of(api, ticket["id"])
    shot(page, "unwatched")
    page.get_by_role("button", name="Watch", exact=True).click()
    expect(page.get_by_role("button", name="Unwatch", exact=True)).to_be_visible()
    assert admin in watchers_of(api, ticket["id"])
    expect(page.locator(".watcher-list")).to_be_visible()
    shot(page, "watching")
