"""Members are accounts' memberships: adding by email invites a new account or adds an existing
one, the invitation can be resent or withdrawn until the account signs in, and every change to a
member is its account's change of membership (read back through the accounts port)."""
import boto3
import pytest

from chalicelib import config
from chalicelib.adapters.memory.outbox import MemoryOutbox
from chalicelib.domain.accounts import Membership
from chalicelib.services import registry
from tests.api.conftest import new_project
from tests.conftest import EMAIL_DOMAIN
from tests.faults import Injector, Site

SIGNED_IN = "2026-03-01T09:00:00.000Z"


@pytest.fixture
def outbox(aws):
    """The use cases' email kept in memory, over the same store as the rest of the test."""
    kept = MemoryOutbox()
    store = registry.services().directory.store
    with registry.serving(registry.on(registry.memory_storage(store), mail=lambda: kept)):
        yield kept


@pytest.fixture
def directory(outbox):
    return registry.services().directory


def add(api, email: str, role: str = "member", name: str | None = "Bob"):
    return api.post("/members", {"email": email, "role": role} | ({"name": name} if name else {}))


def test_a_new_address_gets_an_invited_account_and_an_invitation(outbox, api, directory):
    response = add(api, "Bob.Builder@Example.COM")
    assert response.status_code == 201, response.body
    bob = response.json
    assert (bob["email"], bob["state"], bob["last_sign_in_at"]) == ("bob.builder@example.com", "invited", None)
    account = directory.account_by_email("bob.builder@example.com")
    assert account.id == bob["account_id"] and account.name == "Bob" and account.invited
    assert directory.memberships(account.id) == [Membership(api.project_id, account.id, bob["user_id"], "member")]
    (invitation,) = outbox.sent
    assert invitation.to == "bob.builder@example.com"
    assert invitation.subject == "Ada Admin invited you to Operations on Ticketry"
    link = f"{config.public_url()}/sign-in?email=bob.builder@example.com"
    assert link in invitation.text and f'href="{link}"' in invitation.html


def test_an_address_with_no_name_is_named_by_its_local_part(outbox, api):
    assert add(api, "carol@example.com", name=None).json["name"] == "carol"


def test_an_account_is_one_across_projects_whatever_the_case(outbox, api, client, directory):
    dev, _ = new_project(client, "DEV")
    bob = add(api, "bob@example.com", role="member").json
    again = add(dev, "BOB@Example.com", role="viewer", name=None).json
    assert again["account_id"] == bob["account_id"] and again["name"] == "Bob" and again["user_id"] != bob["user_id"]
    assert {(m.project_id, m.role) for m in directory.memberships(bob["account_id"])} == {
        (api.project_id, "member"), (dev.project_id, "viewer")}
    # Never signed in: each project's admin sends an invitation.
    assert [e.subject for e in outbox.to("bob@example.com")] == [
        "Ada Admin invited you to Operations on Ticketry"] * 2


def test_an_account_that_has_signed_in_is_told_it_was_added(outbox, api, client, directory):
    bob = add(api, "bob@example.com").json
    directory.record_sign_in(bob["account_id"], SIGNED_IN)
    dev, _ = new_project(client, "DEV")
    joined = add(dev, "bob@example.com", name=None)
    assert joined.status_code == 201
    assert (joined.json["state"], joined.json["last_sign_in_at"]) == ("active", SIGNED_IN)
    added = outbox.sent[-1]
    assert (added.to, added.subject) == ("bob@example.com", "You were added to Operations")
    assert f"{config.public_url()}/projects/{dev.project_id}" in added.text


def test_an_account_already_a_member_is_refused_and_not_emailed(outbox, api):
    add(api, "bob@example.com")
    response = add(api, "BOB@example.com", name="Bob 2")
    assert response.status_code == 409
    assert response.json["error"]["details"] == [{"field": "email", "message": "already a member"}]
    assert len(outbox.sent) == 1 and len(api.get("/members").json["data"]) == 2


def test_the_member_list_shows_who_is_invited_and_who_is_active(outbox, api, directory):
    bob, cat = add(api, "bob@example.com").json, add(api, "cat@example.com", name="Cat").json
    directory.record_sign_in(cat["account_id"], SIGNED_IN)
    listed = {m["email"]: (m["state"], m["last_sign_in_at"], m["account_id"]) for m in api.get("/members").json["data"]}
    assert listed["bob@example.com"] == ("invited", None, bob["account_id"])
    assert listed["cat@example.com"] == ("active", SIGNED_IN, cat["account_id"])
    assert listed["admin@example.com"][0] == "invited" and listed["admin@example.com"][2]
    assert api.get("/me").json["state"] == "invited"


def test_an_invitation_is_resent_until_the_account_signs_in(outbox, api, directory):
    bob = add(api, "bob@example.com").json
    resent = api.post(f"/members/{bob['user_id']}/invitation")
    assert resent.status_code == 202 and resent.json["user_id"] == bob["user_id"]
    assert [e.subject for e in outbox.to("bob@example.com")] == ["Ada Admin invited you to Operations on Ticketry"] * 2
    directory.record_sign_in(bob["account_id"], SIGNED_IN)
    refused = api.post(f"/members/{bob['user_id']}/invitation")
    assert refused.status_code == 409 and "signed in" in refused.json["error"]["message"]
    assert len(outbox.sent) == 2
    assert api.post("/members/zzzzzzzzzzzz/invitation").status_code == 404


def test_a_withdrawn_invitation_ends_the_membership_and_keeps_the_account(outbox, api, directory):
    bob = add(api, "bob@example.com").json
    key = api.key_for(bob["user_id"])
    assert api.delete(f"/members/{bob['user_id']}/invitation").status_code == 204
    assert bob["user_id"] not in {m["user_id"] for m in api.get("/members").json["data"]}
    assert directory.memberships(bob["account_id"]) == [] and directory.account(bob["account_id"]).invited
    assert api.as_key(key).get("/tickets").status_code == 401
    assert api.delete(f"/members/{bob['user_id']}/invitation").status_code == 404
    again = add(api, "bob@example.com").json   # and may be invited again, to the same account
    assert again["account_id"] == bob["account_id"]


def test_an_invitation_is_not_withdrawn_once_the_account_signed_in(outbox, api, directory):
    bob = add(api, "bob@example.com").json
    directory.record_sign_in(bob["account_id"], SIGNED_IN)
    response = api.delete(f"/members/{bob['user_id']}/invitation")
    assert response.status_code == 409 and "remove the member" in response.json["error"]["message"]
    assert [m.user_id for m in directory.memberships(bob["account_id"])] == [bob["user_id"]]
    assert api.delete(f"/members/{bob['user_id']}").status_code == 204


def test_a_role_change_and_a_removal_change_the_membership(outbox, api, directory):
    bob = add(api, "bob@example.com").json
    assert api.patch(f"/members/{bob['user_id']}", {"role": "admin"}).json["state"] == "invited"
    assert [m.role for m in directory.memberships(bob["account_id"])] == ["admin"]
    assert [(p.id, m.role) for p, m in directory.projects_of(bob["account_id"])] == [(api.project_id, "admin")]
    api.patch(f"/members/{bob['user_id']}", {"role": "viewer"})
    assert [m.role for m in directory.memberships(bob["account_id"])] == ["viewer"]
    assert api.delete(f"/members/{bob['user_id']}").status_code == 204
    assert directory.memberships(bob["account_id"]) == [] and directory.projects_of(bob["account_id"]) == []


def test_the_last_admin_cannot_withdraw_their_own_invitation(outbox, api, admin_id):
    assert api.delete(f"/members/{admin_id}/invitation").status_code == 409
    assert admin_id in {m["user_id"] for m in api.get("/members").json["data"]}


def test_an_email_that_cannot_be_sent_leaves_the_member_and_can_be_resent(aws, api, caplog):
    """Through SES (moto), failing for a moment (a 500 on every attempt botocore makes): the member
    stands, and the resend answers 503 until SES is back."""
    failing = Injector(Site("sesv2", "SendEmail", 1), "server_error", every_attempt=True)
    with failing.active():
        response = add(api, "bob@example.com")
    assert failing.injected and response.status_code == 201
    assert response.json["user_id"] in {m["user_id"] for m in api.get("/members").json["data"]}
    assert any("can be resent" in r.getMessage() for r in caplog.records)
    with Injector(Site("sesv2", "SendEmail", 1), "server_error", every_attempt=True).active():
        resent = api.post(f"/members/{response.json['user_id']}/invitation")
    assert resent.status_code == 503 and resent.headers.get("Retry-After") == "1"
    assert api.post(f"/members/{response.json['user_id']}/invitation").status_code == 202


def test_an_address_the_mail_service_refuses_for_good_is_a_409_on_resend(aws, api):
    """The schema lets through addresses no email header can carry (and SES refuses others): the
    member is added, and resending names the email as the problem rather than asking to retry."""
    response = add(api, "bob[ops]@example.com")
    assert response.status_code == 201
    resent = api.post(f"/members/{response.json['user_id']}/invitation")
    assert resent.status_code == 409
    assert resent.json["error"]["details"] == [{"field": "email", "message": "refused by the mail service"}]
    boto3.client("sesv2").delete_email_identity(EmailIdentity=EMAIL_DOMAIN)   # SES: MessageRejected
    cat = add(api, "cat@example.com").json
    assert api.post(f"/members/{cat['user_id']}/invitation").status_code == 409
