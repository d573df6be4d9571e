"""People's everyday work in the web UI, in a real browser against the local stack."""
import re
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from playwright.sync_api import Page, expect

from tests.ui.conftest import axe_violations

XSS = "<img src=x onerror=alert(1)>"


def open_list(page: Page, stack: dict, query: str = "") -> None:
    page.goto(f"{stack['api_url']}/projects/{stack['project_id']}{query}")
    settled(page)


def settled(page: Page) -> None:
    """Waits for the list's rows to be the ones its filters ask for."""
    page.locator("table[aria-busy=false]").or_(page.get_by_role("status").filter(has_text="No tickets")).first.wait_for()


def row(page: Page, key: str):
    return page.get_by_role("row").filter(has=page.get_by_role("cell", name=key, exact=True))


def test_the_session_lives_in_a_cookie_the_page_cannot_read(signed_in: Page, stack):
    page = signed_in
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()
    cookie = next(c for c in page.context.cookies() if c["name"] == "ticketry_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    assert "ticketry_session" not in page.evaluate("document.cookie")
    assert page.evaluate("sessionStorage.length + localStorage.length") == 0
    assert stack["api_key"] not in page.content()


def test_create_find_open_move_and_comment(signed_in: Page, stack, api, word):
    page = signed_in
    page.get_by_role("button", name="New ticket").click()
    page.get_by_label("Title").fill(f"Checkout latency {word}")
    page.get_by_label("Description").fill("p99 is **2 s** since the deploy")
    page.get_by_label("Severity").select_option("high")
    page.get_by_label("Tags").fill("payments, Latency")
    page.get_by_role("button", name="Create").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Checkout latency {word}")
    key = page.locator(".crumbs .key").inner_text()
    ticket = api.ticket(key)
    assert (ticket["severity"], ticket["tags"], ticket["source"]) == ("high", ["payments", "latency"], "web")
    expect(page.locator(".description strong")).to_have_text("2 s")

    # Found by words as they are typed, and by a filter; both live in the address.
    open_list(page, stack)
    page.get_by_label("Search").fill(word[:6])
    expect(row(page, key)).to_be_visible()
    expect(page).to_have_url(re.compile(rf"q={word[:6]}"))
    page.get_by_label("Search").fill("")
    expect(page).not_to_have_url(re.compile(r"q="))
    page.locator("summary", has_text="Severity").click()
    page.get_by_role("checkbox", name="High").check()
    expect(page).to_have_url(re.compile(r"severity=high"))
    expect(row(page, key)).to_be_visible()
    page.get_by_role("checkbox", name="High").uncheck()
    page.get_by_role("checkbox", name="Low").check()
    expect(row(page, key)).to_have_count(0)
    page.keyboard.press("Escape")
    expect(page.get_by_role("checkbox", name="Low")).to_be_hidden()
    expect(page.get_by_role("button", name="Remove filter Severity: Low")).to_be_visible()
    page.go_back()
    expect(page).not_to_have_url(re.compile(r"severity="))
    page.go_back()
    expect(page).to_have_url(re.compile(r"severity=high$"))
    expect(row(page, key)).to_be_visible()

    row(page, key).get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Checkout latency {word}")

    # Only the moves the workflow allows; the one-click ones first.
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.locator(".meta .pill")).to_have_text("Acknowledged")
    options = page.get_by_label("Status").locator("option").all_inner_texts()
    assert options[0] == "Acknowledged" and set(options[1:]) == {
        {"new": "New", "in_progress": "In progress", "resolved": "Resolved", "closed": "Closed",
         "deferred": "Deferred", "canceled": "Canceled"}[s] for s in api.ticket(key)["allowed_transitions"]}
    page.get_by_label("Status").select_option("in_progress")
    expect(page.locator(".meta .pill")).to_have_text("In progress")

    page.get_by_role("combobox", name="Internal note").fill("Rolled back; watching the *graphs*")
    page.get_by_role("combobox", name="Internal note").press("Control+Enter")
    expect(page.locator(".entry.comment em")).to_have_text("graphs")
    expect(page.get_by_role("combobox", name="Internal note")).to_have_value("")
    timeline = page.locator(".timeline ol")
    expect(timeline).to_contain_text("created the ticket")
    expect(timeline).to_contain_text("status New → Acknowledged")
    expect(timeline).to_contain_text("status Acknowledged → In progress")
    entries = timeline.locator("li").all_inner_texts()
    assert "created the ticket" in entries[0] and "commented" in entries[-1]
    history = api.call("GET", f"/tickets/{key}/history").json()["data"]
    assert [entry["event"] for entry in history][:2] == ["COMMENT_ADDED", "TICKET_UPDATED"]


def test_the_link_in_an_email_opens_the_ticket(signed_in: Page, stack, api, word):
    bea = api.call("POST", "/members", expect=201, json={"email": f"{word}@example.com", "name": "Bea",
                                                         "role": "member"}).json()
    ticket = api.create(title=f"Mailed {word}", assignee=bea["user_id"])
    deadline = time.monotonic() + 30
    ticket_link = re.compile(r"(http://\S+/projects/\S+/tickets/[0-9a-z]+)")
    link = None
    # Bea's invitation went to the same address: the ticket's email is the one with its link.
    while link is None and time.monotonic() < deadline:
        mails = [p.read_text(errors="replace").replace("=\n", "") for p in stack["outbox"].glob("*.eml")]
        link = next((found.group(1) for m in mails if f"{word}@example.com" in m
                     for found in [ticket_link.search(m)] if found), None)
        time.sleep(0.2)
    assert link is not None
    signed_in.goto(link)
    expect(signed_in.get_by_role("heading", level=1)).to_have_text(f"Mailed {word}")
    expect(signed_in.get_by_label("Assignee")).to_have_value(bea["user_id"])


def test_attachments_upload_with_progress_and_download(signed_in: Page, stack, api, word, tmp_path):
    ticket = api.create(title=f"Crash dump {word}")
    page = signed_in
    page.goto(f"{stack['api_url']}/projects/{stack['project_id']}/tickets/{ticket['key']}")
    expect(page.get_by_text("Up to 25 MB each, 50 per ticket")).to_be_visible()
    log = tmp_path / "crash log.txt"
    log.write_text("segfault at 0x0\n" * 200)
    page.get_by_label("Attach files").set_input_files(str(log))
    link = page.locator(".files a", has_text="crash log.txt")
    expect(link).to_be_visible()
    expect(page.locator(".files")).to_contain_text("3.1 KB · text/plain")
    assert [a["status"] for a in api.ticket(ticket["key"])["attachments"]] == ["available"]
    expect(page.locator(".timeline")).to_contain_text("attached crash log.txt")

    with page.expect_download() as download:
        link.click()
    assert Path(download.value.path()).read_text() == log.read_text()
    assert download.value.suggested_filename == "crash log.txt"


def test_an_edit_on_a_stale_ticket_is_refused_and_offers_a_reload(signed_in: Page, stack, api, word, console):
    console.expected_statuses = {412}
    ticket = api.create(title=f"Stale {word}")
    page = signed_in
    page.goto(f"{stack['api_url']}/projects/{stack['project_id']}/tickets/{ticket['key']}")
    expect(page.get_by_label("Severity")).to_have_value("medium")
    api.call("PATCH", f"/tickets/{ticket['id']}", json={"severity": "low"})

    page.get_by_label("Severity").select_option("critical")
    expect(page.get_by_role("alert")).to_contain_text("Someone else changed this ticket")
    assert api.ticket(ticket["id"])["severity"] == "low"
    page.get_by_role("button", name="Reload the ticket").click()
    expect(page.get_by_label("Severity")).to_have_value("low")
    expect(page.get_by_role("alert")).to_have_count(0)
    page.get_by_label("Severity").select_option("critical")
    expect(page.locator(".meta .severity")).to_contain_text("Critical")
    assert api.ticket(ticket["id"])["severity"] == "critical"


def test_bulk_change_of_two_tickets_shows_each_outcome(signed_in: Page, stack, api, word):
    first, second = api.create(title="Bulk one", tags=[word]), api.create(title="Bulk two", tags=[word])
    page = signed_in
    open_list(page, stack, f"?tags={word}")
    expect(page.get_by_role("row")).to_have_count(3)
    page.get_by_role("checkbox", name=f"Select {first['key']}").check()
    page.get_by_role("checkbox", name=f"Select {second['key']}").check()
    page.get_by_label("Set severity").select_option("critical")
    page.get_by_label("Set status").select_option("resolved")
    page.get_by_role("button", name="Apply to 2").click()
    results = page.get_by_role("list", name="Bulk change results")
    expect(results).to_contain_text(f"{first['key']} changed")
    expect(results).to_contain_text(f"{second['key']} changed")
    for ticket in (first, second):
        changed = api.ticket(ticket["id"])
        assert (changed["severity"], changed["status"]) == ("critical", "resolved")
    expect(row(page, first["key"]).locator(".pill")).to_have_text("Resolved")


def test_keyboard_shortcuts(signed_in: Page, stack, api, word):
    tickets = [api.create(title=f"Keys {n} {word}", tags=[word]) for n in range(3)]
    page = signed_in
    open_list(page, stack, f"?tags={word}&sort=-created")
    page.keyboard.press("/")
    expect(page.get_by_label("Search")).to_be_focused()
    page.keyboard.type("c")                      # typed into the field, not a shortcut
    expect(page.get_by_label("Search")).to_have_value("c")
    page.keyboard.press("Escape")
    page.get_by_label("Search").fill("")
    page.keyboard.press("Escape")
    expect(page.get_by_label("Search")).not_to_be_focused()
    expect(page).not_to_have_url(re.compile("q="))
    expect(row(page, tickets[2]["key"])).to_be_visible()
    settled(page)

    page.keyboard.press("j")
    expect(row(page, tickets[1]["key"])).to_be_focused()
    page.keyboard.press("k")
    expect(row(page, tickets[0]["key"])).to_be_focused()
    page.keyboard.press("x")
    expect(page.get_by_role("checkbox", name=f"Select {tickets[0]['key']}")).to_be_checked()
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Keys 1 {word}")
    page.keyboard.press("s")
    expect(page.get_by_label("Status")).to_be_focused()
    page.keyboard.press("Escape")
    page.keyboard.press("a")
    expect(page.get_by_label("Assignee")).to_be_focused()
    page.keyboard.press("Escape")
    page.keyboard.press("p")
    expect(page.get_by_label("Severity")).to_be_focused()
    page.keyboard.press("Escape")
    page.get_by_role("link", name=re.compile("Next ticket")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Keys 2 {word}")
    page.get_by_role("link", name=re.compile("Previous ticket")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Keys 1 {word}")
    page.keyboard.press("Escape")
    expect(row(page, tickets[2]["key"])).to_be_visible()
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)
    page.keyboard.press("c")
    expect(page.get_by_role("heading", level=1)).to_have_text("New ticket")
    expect(page.get_by_label("Title")).to_be_focused()


def test_text_from_users_and_automations_is_never_markup(signed_in: Page, stack, api, word):
    ticket = api.create(title=f"{XSS} {word}", description=f'{XSS}\n\n<script>window.pwned = 1</script>\n\n'
                                                          '[link](javascript:window.pwned=1)',
                        tags=["<b>bold</b>", word])
    api.call("POST", f"/tickets/{ticket['id']}/comments", expect=201, json={"comment": f"<svg onload=alert(1)> {XSS}"})
    page = signed_in
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    open_list(page, stack, f"?tags={word}")
    expect(row(page, ticket["key"]).get_by_role("link")).to_have_text(f"{XSS} {word}")
    expect(row(page, ticket["key"])).to_contain_text("<b>bold</b>")
    row(page, ticket["key"]).get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{XSS} {word}")
    expect(page.locator(".entry.comment")).to_be_visible()
    expect(page.locator(".description")).to_contain_text(XSS)
    expect(page.locator(".description")).to_contain_text("<script>window.pwned = 1</script>")
    assert page.locator("img[src=x], script:not([src]), svg[onload], a[href^='javascript']").count() == 0
    assert page.evaluate("window.pwned") is None and dialogs == []


def test_load_more_follows_the_cursor_and_changes_are_announced_not_applied(signed_in: Page, stack, api, word):
    with ThreadPoolExecutor(8) as pool:
        created = list(pool.map(lambda n: api.create(title=f"Many {n}", tags=[word]), range(53)))
    page = signed_in
    page.clock.install()
    open_list(page, stack, f"?tags={word}")
    expect(page.get_by_role("row")).to_have_count(51)
    page.get_by_role("button", name="Load more").click()
    expect(page.get_by_role("row")).to_have_count(54)
    expect(page.get_by_role("button", name="Load more")).to_have_count(0)
    expect(page.get_by_text("53 tickets")).to_be_visible()

    first_row = page.get_by_role("row").nth(1).inner_text()
    api.call("PATCH", f"/tickets/{created[0]['id']}", json={"severity": "low"})
    api.call("PATCH", f"/tickets/{created[1]['id']}", json={"severity": "low"})
    page.clock.fast_forward(16_000)
    expect(page.get_by_role("status").filter(has_text="2 tickets changed")).to_be_visible()
    assert page.get_by_role("row").nth(1).inner_text() == first_row
    page.get_by_role("button", name="refresh").click()
    expect(page.get_by_role("status").filter(has_text="changed")).to_have_count(0)


def test_views_show_counts_and_the_current_filters_can_be_saved(signed_in: Page, stack, api, word):
    api.create(title=f"View {word}", tags=[word], severity="critical")
    page = signed_in
    open_list(page, stack)
    unassigned = page.get_by_role("navigation", name="Views").get_by_role("link", name=re.compile("^Unassigned"))
    expect(unassigned.locator(".count")).to_have_text(re.compile(r"\d+"))
    unassigned.click()
    expect(page).to_have_url(re.compile(r"assignee=none.*view=builtin%3Aunassigned|view=builtin:unassigned"))
    expect(page.get_by_role("button", name="Remove filter Assignee: Unassigned")).to_be_visible()

    open_list(page, stack, f"?tags={word}&severity=critical")
    page.get_by_role("button", name="Save current filters as a view").click()
    page.get_by_label("View name").fill(f"Critical {word}")
    page.get_by_role("button", name="Save view").click()
    saved = page.get_by_role("navigation", name="Views").get_by_role("link", name=re.compile(f"Critical {word}"))
    expect(saved).to_have_attribute("aria-current", "page")
    views = api.call("GET", "/views").json()["data"]
    mine = next(view for view in views if view["name"] == f"Critical {word}")
    assert mine["kind"] == "personal" and f"tags={word}" in mine["query"]


def test_the_page_is_served_with_strict_headers_and_caching(stack):
    base = stack["api_url"]
    root = requests.get(base + "/", allow_redirects=False, timeout=5)
    assert (root.status_code, root.headers["Location"]) == (302, "/ui")
    page = requests.get(f"{base}/projects/{stack['project_id']}/tickets/DEMO-1", timeout=5)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    policy = page.headers["Content-Security-Policy"]
    for directive in ("script-src 'self'", "style-src 'self'", "connect-src 'self' " + stack["aws_endpoint_url"],
                      "frame-ancestors 'none'", f"img-src 'self' data: {stack['aws_endpoint_url']}"):
        assert directive in policy
    assert "unsafe-inline" not in policy
    assert page.headers["X-Content-Type-Options"] == "nosniff" and page.headers["Referrer-Policy"] == "no-referrer"
    assert page.headers["Cache-Control"] == "no-cache"
    again = requests.get(f"{base}/ui", headers={"If-None-Match": page.headers["ETag"]}, timeout=5)
    assert again.status_code in (200, 304)
    same = requests.get(f"{base}/projects/{stack['project_id']}/tickets/DEMO-1",
                        headers={"If-None-Match": page.headers["ETag"]}, timeout=5)
    assert same.status_code == 304 and same.text == ""
    assets = re.findall(r'(?:src|href)="(ui/assets/[^"]+)"', page.text)
    assert len(assets) >= 2
    for path in assets:
        asset = requests.get(f"{base}/{path}", timeout=5)
        assert asset.status_code == 200
        assert asset.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert asset.headers["Content-Type"].startswith(("text/javascript", "text/css"))
    assert requests.get(f"{base}/ui/assets/main.nothing.js", timeout=5).status_code == 404
    # Every page of the app is the one page, its <base> climbing back to the app's root.
    for path, climb in [("/sign-in", "./"), ("/profile", "./"), ("/inbox", "./"), ("/ui", "./"),
                        (f"/projects/{stack['project_id']}/members", "../../"),
                        (f"/projects/{stack['project_id']}/email", "../../")]:
        served = requests.get(base + path, timeout=5)
        assert served.status_code == 200 and served.headers["Content-Type"].startswith("text/html"), path
        assert f'<base href="{climb}">' in served.text and "Content-Security-Policy" in served.headers, path


def test_inline_scripts_are_refused_by_the_policy(page: Page, stack):
    refused = []
    page.on("console", lambda message: "Content Security Policy" in message.text and refused.append(message.text))
    page.goto(f"{stack['api_url']}/projects/{stack['project_id']}")
    page.get_by_role("table").wait_for()
    page.evaluate("""() => {
        const script = document.createElement('script');
        script.textContent = 'window.injected = 1';
        document.head.appendChild(script);
    }""")
    assert page.evaluate("window.injected") is None
    assert refused


def test_list_ticket_and_form_have_no_serious_accessibility_violations(audited: Page, stack, api, word):
    ticket = api.create(title=f"Accessible {word}", description="Some *text*", tags=["a11y"], due_date="2030-01-01T00:00:00Z")
    api.call("POST", f"/tickets/{ticket['id']}/comments", expect=201, json={"comment": "A comment"})
    page = audited
    open_list(page, stack)
    assert axe_violations(page) == []
    page.goto(f"{stack['api_url']}/projects/{stack['project_id']}/tickets/{ticket['key']}")
    expect(page.locator(".entry.comment")).to_be_visible()
    assert axe_violations(page) == []
    page.goto(f"{stack['api_url']}/projects/{stack['project_id']}/new")
    expect(page.get_by_label("Title")).to_be_visible()
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_text("A ticket needs a title")).to_be_visible()
    assert axe_violations(page) == []


def test_the_form_shows_the_apis_own_messages_next_to_their_fields(signed_in: Page, stack, api, word, console):
    console.expected_statuses = {409}
    page = signed_in
    page.goto(f"{stack['api_url']}/projects/{stack['project_id']}/new")
    page.get_by_label("Title").fill("x" * 257)
    page.get_by_role("button", name="Create").click()
    expect(page.locator("#error-title")).to_contain_text("At most 256 characters")
    page.get_by_label("Title").fill(f"Tagged {word}")
    page.get_by_label("Tags").fill("ok, " + "t" * 65)
    page.get_by_role("button", name="Create").click()
    expect(page.locator("#error-tags")).to_contain_text("64 characters")
    # What only the server knows: the team chosen was deleted after the form was opened.
    team = api.call("POST", "/teams", expect=201, json={"name": f"Gone {word}", "members": []}).json()
    page.reload()
    page.get_by_label("Title").fill(f"Tagged {word}")
    page.get_by_label("Assignee").select_option(f"team:{team['id']}")
    api.call("DELETE", f"/teams/{team['id']}", expect=204)
    page.get_by_role("button", name="Create").click()
    expect(page.locator("#error-assignee")).to_contain_text("not a member")
    expect(page.get_by_label("Assignee")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("heading", level=1)).to_have_text("New ticket")
