"""`python -m chalicelib.cli migrate` on DynamoDB Local, over members as the version before accounts
stored them: each gets the account of its email (one across projects), the membership items and
its account_id; a second run changes nothing (the rules of it in memory: tests/services/test_migration.py)."""
import json

from chalicelib import cli
from chalicelib.adapters.dynamodb.keys import member_sk, project_pk
from chalicelib.adapters.dynamodb.models import MemberItem
from chalicelib.adapters.dynamodb.tables import DirectoryRepository
from chalicelib.domain.clock import new_id
from chalicelib.domain.people import ApiKey, Member, Project
from chalicelib.domain.secrets import format_token, hash_secret, new_secret
from tests.api.conftest import Api

CREATED = "2026-01-01T00:00:00.000Z"


def legacy_project(client, directory, key: str, admin_email: str) -> tuple[Api, Member]:
    """A project with its admin and an admin key, written as before accounts: no account_id."""
    project = Project(id=new_id(), name=f"Project {key}", key=key, created_at=CREATED)
    admin = Member(user_id=new_id(), email=admin_email, name="Ada", role="admin", created_at=CREATED)
    key_id, secret = new_id(12), new_secret()
    directory.create_project(project, admin, ApiKey(id=key_id, name="k", role="admin", user_id=admin.user_id,
                                                    automation=False, created_at=CREATED,
                                                    secret_hash=hash_secret(secret)))
    return Api(client, project.id, format_token(project.id, key_id, secret)), admin


def legacy_member(directory, project_id: str, email: str, role: str = "member") -> Member:
    member = Member(user_id=new_id(), email=email, name=email.split("@")[0], role=role, created_at=CREATED)
    directory.add_member(project_id, member)
    return member


def stored_attributes(project_id: str, user_id: str) -> dict:
    return MemberItem.get(project_pk(project_id), member_sk(user_id), consistent_read=True).attribute_values


def test_members_stored_before_accounts_get_one_account_per_email(client, capsys):
    directory = DirectoryRepository()
    tag = new_id(8)
    ada, bob, cat = (f"{name}-{tag}@example.com" for name in ("ada", "bob", "cat"))
    ops, ops_admin = legacy_project(client, directory, "OPS", ada)
    dev, dev_admin = legacy_project(client, directory, "DEV", ada)     # the same email in two projects
    bob_ops = legacy_member(directory, ops.project_id, bob, role="viewer")
    cat_ops = legacy_member(directory, ops.project_id, cat)
    migrated = dev.post("/members", {"email": cat, "name": "Cat", "role": "member"}).json   # already migrated
    assert migrated["account_id"]
    assert "account_id" not in stored_attributes(ops.project_id, bob_ops.user_id)
    assert {m["email"]: m["account_id"] for m in ops.get("/members").json["data"]}[bob] is None

    assert cli.main(["migrate"]) == 0
    first = json.loads(capsys.readouterr().out)
    # At least these four members (the table may hold other tests' members stored without accounts).
    assert first["members_linked"] >= 4 and first["accounts_created"] >= 2 and first["members_left"] == 0

    account = directory.account_by_email(ada)
    assert {(m.project_id, m.user_id, m.role) for m in directory.memberships(account.id)} == {
        (ops.project_id, ops_admin.user_id, "admin"), (dev.project_id, dev_admin.user_id, "admin")}
    for api, admin in ((ops, ops_admin), (dev, dev_admin)):
        assert stored_attributes(api.project_id, admin.user_id)["account_id"] == account.id
    bob_account = directory.account_by_email(bob)
    assert [(m.user_id, m.role) for m in directory.memberships(bob_account.id)] == [(bob_ops.user_id, "viewer")]
    assert directory.member(ops.project_id, cat_ops.user_id).account_id == migrated["account_id"]
    assert {m.project_id for m in directory.memberships(migrated["account_id"])} == {ops.project_id, dev.project_id}
    listed = {m["email"]: m for m in ops.get("/members").json["data"]}
    assert (listed[bob]["account_id"], listed[bob]["state"]) == (bob_account.id, "invited")
    # The role is the member's: a change is copied to the membership as for a member added today.
    assert ops.patch(f"/members/{bob_ops.user_id}", {"role": "member"}).status_code == 200
    assert [m.role for m in directory.memberships(bob_account.id)] == ["member"]

    assert cli.main(["migrate"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out) == {"members_linked": 0, "accounts_created": 0, "members_skipped": 0,
                                        "members_left": 0}
    assert "nothing to migrate" in captured.err
    assert directory.account_by_email(ada) == account
