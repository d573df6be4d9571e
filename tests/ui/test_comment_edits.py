"""Editing and deleting a comment in the ticket's timeline, in a real browser against the local stack."""
import os

from playwright.sync_api import Page, expect

from tests.ui.conftest import axe_violations


def test_edit_a_comment_see_its_revisions_a_change_meanwhile_and_delete_it(signed_in: Page, stack, api, word, console):
    console.expected_statuses = {412}
    ticket = api.create(title=f"Logs {word}")
    made = api.call("POST", f"/tickets/{ticket['id']}/comments", expect=201,
                    json={"comment": "Rotated the logs on db-1"}).json()
    page = signed_in
    page.goto(f"{stack['api_url']}/projects/{stack['project_id']}/tickets/{ticket['key']}")
    comment = page.locator(f"#event-{made['id']}")
    expect(comment).to_contain_text("Rotated the logs on db-1")

    comment.get_by_role("button", name="Edit", exact=True).click()
    editor = comment.get_by_label("Edit comment", exact=True)
    expect(editor).to_have_value("Rotated the logs on db-1")
    expect(editor).to_be_focused()
    editor.fill("Rotated the logs on db-2")
    comment.get_by_role("button", name="Save", exact=True).click()
    expect(comment.locator(".markdown")).to_have_text("Rotated the logs on db-2")
    expect(comment.get_by_role("button", name="Edit", exact=True)).to_be_focused()
    edited = comment.get_by_role("button", name="edited")
    expect(edited).to_be_visible()
    # The edit's own entry shows what it changed, word by word.
    update = page.locator(".entry.change").filter(has_text="edited a comment")
    expect(update.get_by_role("deletion")).to_have_text("removed: db-1")
    expect(update.get_by_role("insertion")).to_have_text("added: db-2")

    edited.click()
    expect(edited).to_have_attribute("aria-expanded", "true")
    revisions = comment.get_by_role("region", name="Earlier versions")
    expect(revisions).to_contain_text("Rotated the logs on db-1")
    page.screenshot(path=os.environ.get("COMMENT_SCREENSHOT", "/tmp/comment-edited.png"), full_page=True)

    # Changed elsewhere while being edited: the latest text is shown, nothing is overwritten.
    comment.get_by_role("button", name="Edit", exact=True).click()
    # The editor opens once it has read the comment and its ETag; the change elsewhere comes after.
    expect(comment.get_by_label("Edit comment", exact=True)).to_have_value("Rotated the logs on db-2")
    api.call("PATCH", f"/tickets/{ticket['id']}/comments/{made['id']}", headers={"If-Match": '"1"'},
             json={"comment": "Rotated the logs on db-3"})
    comment.get_by_label("Edit comment", exact=True).fill("Rotated the logs on db-4")
    comment.get_by_role("button", name="Save", exact=True).click()
    expect(comment.get_by_role("alert")).to_contain_text("changed meanwhile")
    expect(comment.get_by_role("alert")).to_contain_text("Rotated the logs on db-3")
    assert api.call("GET", f"/tickets/{ticket['id']}/comments/{made['id']}").json()["body"] == "Rotated the logs on db-3"
    comment.get_by_label("Edit comment", exact=True).press("Escape")

    comment.get_by_role("button", name="Delete", exact=True).click()
    confirm = comment.get_by_role("alertdialog")
    expect(confirm.get_by_role("button", name="Delete comment")).to_be_focused()
    page.keyboard.press("Enter")
    expect(comment).to_contain_text("comment deleted by")
    expect(comment).not_to_contain_text("db-3")
    expect(page.locator(".timeline")).not_to_contain_text("db-1")
    assert api.call("GET", f"/tickets/{ticket['id']}/comments/{made['id']}").json()["deleted_at"] is not None


def test_a_comment_being_edited_with_its_revisions_open_has_no_serious_accessibility_violations(audited: Page, stack,
                                                                                                 api, word):
    ticket = api.create(title=f"Accessible edits {word}")
    made = api.call("POST", f"/tickets/{ticket['id']}/comments", expect=201, json={"comment": "first *words*"}).json()
    api.call("PATCH", f"/tickets/{ticket['id']}/comments/{made['id']}", headers={"If-Match": '"0"'},
             json={"comment": "second *words*"})
    page = audited
    page.goto(f"{stack['api_url']}/projects/{stack['project_id']}/tickets/{ticket['key']}")
    comment = page.locator(f"#event-{made['id']}")
    comment.get_by_role("button", name="edited").click()
    expect(comment.get_by_role("region", name="Earlier versions")).to_contain_text("first words")
    comment.get_by_role("button", name="Delete", exact=True).click()
    expect(comment.get_by_role("alertdialog")).to_be_visible()
    comment.get_by_role("button", name="Keep it").click()
    comment.get_by_role("button", name="Edit", exact=True).click()
    expect(comment.get_by_label("Edit comment", exact=True)).to_be_focused()
    assert axe_violations(page) == []
