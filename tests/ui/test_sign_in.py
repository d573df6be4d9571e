"""People signing in, their sessions and a project's members, in a real browser against the local stack."""
import re

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from tests.ui.conftest import (Console, axe_violations, emailed_code, outbox_now, project_list, sign_in_by_email,
                               sign_in_over_http)


@pytest.fixture
def fresh_console(browser: Browser):
    """What a browser nobody is signed in to says; a 401 from GET /v1/ce/session is how its pages learn that."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    console = Console(context.new_page())
    console.expected_statuses = {401}
    yield console
    context.close()
    assert console.unexpected() == []


@pytest.fixture
def fresh(fresh_console) -> Page:
    return fresh_console.page


@pytest.fixture
def person(api, word) -> dict:
    """A member of the demo project with an account of their own (invited until they sign in)."""
    return api.call("POST", "/members", expect=201, json={"email": f"{word}@example.com", "name": f"Cleo {word}",
                                                         "role": "member"}).json()


def test_signing_in_with_an_emailed_code_using_the_keyboard(fresh: Page, fresh_console, stack, admin_email):
    fresh_console.expected_statuses |= {400}
    page = fresh
    page.goto(f"{stack['api_url']}/sign-in")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Email")).to_be_focused()
    page.keyboard.type(admin_email)
    before = outbox_now(stack)
    page.keyboard.press("Enter")
    code = page.get_by_label("Code")
    expect(code).to_be_focused()
    expect(code).to_have_attribute("inputmode", "numeric")
    expect(code).to_have_attribute("autocomplete", "one-time-code")
    expect(page.get_by_text(f"We sent a 6-digit code to {admin_email}")).to_be_visible()

    right = emailed_code(stack, admin_email, before)
    page.keyboard.type(f"{(int(right) + 1) % 10**6:06d}")
    page.keyboard.press("Enter")
    expect(page.locator("#signin-code-error")).to_contain_text("not the one we sent")
    expect(code).to_have_attribute("aria-invalid", "true")

    code.fill(right)
    page.keyboard.press("Enter")
    expect(page).to_have_url(project_list(stack))
    expect(page.get_by_role("button", name="New ticket")).to_be_visible()


def test_a_signed_out_visit_to_a_ticket_signs_in_and_lands_on_it(fresh: Page, stack, api, person, word):
    ticket = api.create(title=f"Land here {word}")
    page = fresh
    address = f"{project_list(stack)}/tickets/{ticket['key']}"
    page.goto(address)
    expect(page.get_by_label("Email")).to_be_visible()
    assert page.url == f"{stack['api_url']}/sign-in?return_to=" + requests.utils.quote(address.removeprefix(stack["api_url"]), safe="")
    sign_in_by_email(page, stack, person["email"])
    expect(page).to_have_url(address)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Land here {word}")

    # Invitation links prefill the address; a return_to to another site is never followed.
    page.context.clear_cookies()
    page.goto(f"{stack['api_url']}/sign-in?email={person['email']}&return_to=https://example.org/")
    expect(page.get_by_label("Email")).to_have_value(person["email"])
    sign_in_by_email(page, stack, person["email"])
    expect(page).to_have_url(project_list(stack))


def test_the_profile_lists_sessions_and_signs_them_out(fresh: Page, stack, person, word):
    page = fresh
    elsewhere = sign_in_over_http(stack, person["email"])
    sign_in_by_email(page, stack, person["email"])
    page.get_by_role("link", name=f"Cleo {word}").click()
    expect(page).to_have_url(f"{stack['api_url']}/profile")
    sessions = page.get_by_role("table", name="Your sessions")
    expect(sessions.get_by_role("row")).to_have_count(3)
    this = sessions.get_by_role("row").filter(has_text="This device")
    expect(this).to_contain_text("Chrome on Linux")  # named by the API from the User-Agent
    expect(this.get_by_role("button")).to_have_count(0)
    other = sessions.get_by_role("row").filter(has_text="Firefox on Linux")
    expect(other).to_contain_text("127.0.0.1")

    # The name is the account's, in the top bar too.
    page.get_by_label("Name").fill(f"Cleo Renamed {word}")
    page.get_by_role("button", name="Save name").click()
    expect(page.get_by_role("link", name=f"Cleo Renamed {word}")).to_be_visible()

    other.get_by_role("button", name=re.compile("^Sign out Firefox on Linux")).click()
    expect(sessions.get_by_role("row")).to_have_count(2)
    assert elsewhere.get(f"{stack['api_url']}/v1/ce/session", timeout=10).status_code == 401

    again = sign_in_over_http(stack, person["email"])
    page.reload()
    expect(sessions.get_by_role("row")).to_have_count(3)
    page.get_by_role("button", name="Sign out everywhere").click()
    # Exactly: the profile's email settings are labelled "Email in <project>" and "Email when: ...".
    # Ending every session is one write per session; on a busy machine it can take more than 5 s.
    expect(page.get_by_label("Email", exact=True)).to_be_visible(timeout=20_000)
    expect(page.get_by_role("alert")).to_contain_text("signed out on every device")
    assert again.get(f"{stack['api_url']}/v1/ce/session", timeout=10).status_code == 401
    page.goto(f"{stack['api_url']}/profile")
    expect(page).to_have_url(re.compile(r"/sign-in\?return_to=%2Fprofile$"))


def test_the_shells_sign_out_ends_the_session(fresh: Page, stack, person):
    page = fresh
    sign_in_by_email(page, stack, person["email"])
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page.get_by_label("Email")).to_be_visible()
    assert not any(cookie["name"] == "ticketry_session" for cookie in page.context.cookies())
    page.goto(project_list(stack))
    expect(page.get_by_label("Email")).to_be_visible()


def test_admins_add_invite_and_withdraw_members(signed_in: Page, stack, api, word, console):
    page = signed_in
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Members").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Members")
    members = page.get_by_role("table", name="Members")
    expect(members.get_by_role("row").first).to_be_visible()

    address = f"new-{word}@example.com"
    form = page.get_by_role("form", name="Add a member")
    form.get_by_label("Email").fill(address)
    form.get_by_label("Name").fill(f"Dev {word}")
    form.get_by_label("Role").select_option("viewer")
    form.get_by_role("button", name="Add member").click()
    row = members.get_by_role("row").filter(has_text=address)
    expect(row).to_contain_text("Invited")
    expect(row.get_by_role("combobox", name=f"Role of Dev {word}")).to_have_value("viewer")
    added = next(m for m in api.call("GET", "/members").json()["data"] if m["email"] == address)
    assert (added["state"], added["role"]) == ("invited", "viewer")

    row.get_by_role("combobox", name=f"Role of Dev {word}").select_option("member")
    expect(page.get_by_role("status")).to_contain_text("is now member")
    assert next(m for m in api.call("GET", "/members").json()["data"] if m["email"] == address)["role"] == "member"

    row.get_by_role("button", name=f"Resend invitation to {address}").click()
    expect(page.get_by_role("status")).to_contain_text(f"Invitation sent again to {address}")
    row.get_by_role("button", name=f"Withdraw invitation to {address}").click()
    expect(row).to_have_count(0)
    assert all(m["email"] != address for m in api.call("GET", "/members").json()["data"])

    # A member who has signed in shows when, and is removed only once that is confirmed.
    active = api.call("POST", "/members", expect=201, json={"email": f"on-{word}@example.com", "name": f"On {word}",
                                                            "role": "member"}).json()
    sign_in_over_http(stack, active["email"])
    page.reload()
    row = members.get_by_role("row").filter(has_text=active["email"])
    expect(row).to_contain_text(re.compile(r"Signed in (just now|\d+ (sec|min))"))
    row.get_by_role("button", name=f"Remove On {word}").click()
    dialog = page.get_by_role("dialog", name=f"Remove On {word}?")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Cancel").click()
    expect(row).to_be_visible()
    row.get_by_role("button", name=f"Remove On {word}").click()
    dialog.get_by_role("button", name="Remove").click()
    expect(row).to_have_count(0)
    assert all(m["user_id"] != active["user_id"] for m in api.call("GET", "/members").json()["data"])


def test_the_app_root_leads_to_the_first_project_or_to_sign_in(signed_in: Page, fresh: Page, stack):
    for root in ("/", "/ui"):
        signed_in.goto(stack["api_url"] + root)
        expect(signed_in).to_have_url(project_list(stack))
        fresh.goto(stack["api_url"] + root)
        expect(fresh).to_have_url(f"{stack['api_url']}/sign-in")
        expect(fresh.get_by_label("Email")).to_be_visible()


def test_the_project_switcher_names_the_project_shown(signed_in: Page, stack):
    switcher = signed_in.get_by_role("combobox", name="Project")
    expect(switcher).to_be_visible()
    expect(switcher).to_have_value(stack["project_id"])
    project = requests.get(f"{stack['api_url']}/v1/ce/projects/{stack['project_id']}", timeout=10,
                           headers={"Authorization": f"Bearer {stack['api_key']}"}).json()
    expect(switcher.locator("option:checked")).to_have_text(project["name"])


def test_a_project_the_account_is_not_in_is_not_shown(signed_in: Page, stack, console):
    console.expected_statuses = {404}  # the project's own calls, sent as the page starts, are refused
    signed_in.goto(f"{stack['api_url']}/projects/someone-elses")
    expect(signed_in.get_by_role("heading", name="Not your project")).to_be_visible()
    signed_in.get_by_role("link", name="Go to your projects").click()
    expect(signed_in).to_have_url(project_list(stack))


def test_sign_in_and_profile_pages_have_no_serious_accessibility_violations(browser: Browser, audited: Page, stack):
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(f"{stack['api_url']}/sign-in")
    expect(page.get_by_label("Email")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Email me a code").click()
    expect(page.locator("#signin-email-error")).to_have_text("Enter your email address")
    assert axe_violations(page) == []
    context.close()

    audited.goto(f"{stack['api_url']}/profile")
    expect(audited.get_by_role("table", name="Your sessions")).to_be_visible()
    assert axe_violations(audited) == []
    audited.goto(f"{project_list(stack)}/members")
    expect(audited.get_by_role("table", name="Members")).to_be_visible()
    assert axe_violations(audited) == []
