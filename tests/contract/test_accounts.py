"""The accounts contract, held by moto, DynamoDB Local and memory alike: an email has one account,
and an account's memberships are written, rewritten and removed with the member they stand for."""
from dataclasses import replace

import pytest

from chalicelib.domain.accounts import Account, Membership
from chalicelib.domain.clock import new_id
from chalicelib.domain.people import ApiKey, Member, Project
from chalicelib.errors import Conflict, NotFound
from tests.aws_calls import RECORDER

CREATED = "2026-01-01T00:00:00.000Z"


def an_account(**fields) -> Account:
    return Account(**({"id": new_id(), "email": f"{new_id()}@example.com", "name": "Ada", "created_at": CREATED}
                      | fields))


def a_member(account: Account | None, role: str = "member", **fields) -> Member:
    email = account.email if account else f"{new_id()}@example.com"
    return Member(**({"user_id": new_id(), "email": email, "name": "Ada", "role": role, "created_at": CREATED,
                      "account_id": account.id if account else None} | fields))


def a_project(directory, admin_account: Account | None = None, new: bool = True) -> tuple[Project, Member]:
    project = Project(id=new_id(), name="Ops", key="OPS", created_at=CREATED)
    admin = a_member(admin_account, role="admin")
    key = ApiKey(id=new_id(12), name="k", role="admin", user_id=admin.user_id, automation=False, created_at=CREATED,
                 secret_hash="h")
    directory.create_project(project, admin, key, admin_account if new else None)
    return project, admin


def test_an_account_is_found_by_id_and_by_email(directory):
    account = an_account()
    directory.create_account(account)
    assert directory.account(account.id) == account
    assert directory.account_by_email(account.email) == account
    assert directory.account(new_id()) is None and directory.account_by_email("nobody@example.com") is None
    assert account.invited


def test_an_email_has_one_account(directory):
    first = an_account()
    directory.create_account(first)
    twin = an_account(email=first.email)
    with pytest.raises(Conflict):
        directory.create_account(twin)
    assert directory.account(twin.id) is None
    assert directory.account_by_email(first.email) == first


def test_accounts_are_read_in_batches_of_any_size(directory):
    accounts = [an_account() for _ in range(3)]
    for account in accounts:
        directory.create_account(account)
    # More ids than one BatchGetItem takes (100), most of them unknown.
    wanted = [new_id() for _ in range(120)] + [a.id for a in accounts] + [accounts[0].id]
    assert directory.accounts(wanted) == {a.id: a for a in accounts}
    assert directory.accounts([]) == {}


def test_sign_in_and_rename_change_the_account(directory):
    account = an_account()
    directory.create_account(account)
    directory.record_sign_in(account.id, "2026-02-01T00:00:00.000Z")
    renamed = directory.rename_account(account.id, "Ada L.")
    assert renamed == replace(account, name="Ada L.", last_sign_in_at="2026-02-01T00:00:00.000Z")
    assert directory.account(account.id) == renamed and not renamed.invited
    with pytest.raises(NotFound):
        directory.rename_account(new_id(), "x")
    with pytest.raises(NotFound):
        directory.record_sign_in(new_id(), CREATED)
    assert directory.account_by_email(account.email) == renamed


def test_a_project_is_created_with_its_admins_new_account(directory):
    account = an_account()
    project, admin = a_project(directory, account)
    assert directory.account_by_email(account.email) == account
    assert directory.memberships(account.id) == [Membership(project.id, account.id, admin.user_id, "admin")]
    [(found, membership)] = directory.projects_of(account.id)
    assert (found.id, found.key, membership.role) == (project.id, "OPS", "admin")


def test_an_invited_member_is_written_with_its_account_and_memberships(directory):
    project, _ = a_project(directory)
    account = an_account()
    member = a_member(account)
    directory.add_member(project.id, member, account)
    assert directory.member(project.id, member.user_id) == member
    assert directory.account_by_email(account.email) == account
    assert directory.memberships(account.id) == [Membership(project.id, account.id, member.user_id, "member")]


def test_an_existing_account_joins_a_second_project(directory):
    account = an_account()
    first, admin = a_project(directory, account)
    second, _ = a_project(directory)
    member = a_member(account, role="viewer")
    directory.add_member(second.id, member)
    assert sorted(directory.memberships(account.id), key=lambda m: m.project_id) == sorted(
        [Membership(first.id, account.id, admin.user_id, "admin"),
         Membership(second.id, account.id, member.user_id, "viewer")], key=lambda m: m.project_id)
    assert {(p.id, m.role) for p, m in directory.projects_of(account.id)} == {(first.id, "admin"),
                                                                               (second.id, "viewer")}


def test_a_new_account_whose_email_is_taken_writes_no_member(directory):
    project, _ = a_project(directory)
    taken = an_account()
    directory.create_account(taken)
    late = an_account(email=taken.email)
    member = a_member(late)
    with pytest.raises(Conflict):
        directory.add_member(project.id, member, late)
    assert directory.member(project.id, member.user_id) is None
    assert directory.account(late.id) is None and directory.memberships(late.id) == []


def test_an_account_is_a_member_of_a_project_once(directory):
    account = an_account()
    project, _ = a_project(directory, account)
    again = a_member(account, email=f"{new_id()}@example.com")
    with pytest.raises(Conflict):
        directory.add_member(project.id, again)
    assert directory.member(project.id, again.user_id) is None
    assert len(directory.memberships(account.id)) == 1


def test_a_role_change_is_copied_to_the_membership(directory):
    project, _ = a_project(directory)
    account = an_account()
    member = a_member(account)
    directory.add_member(project.id, member, account)
    directory.update_member(project.id, member, replace(member, role="admin"), [])
    assert [m.role for m in directory.memberships(account.id)] == ["admin"]
    current = directory.member(project.id, member.user_id)  # a change is written on the member as read
    directory.update_member(project.id, current, replace(current, name="B"), [])
    assert [m.role for m in directory.memberships(account.id)] == ["admin"]


def test_a_stale_role_change_leaves_the_membership(directory):
    project, _ = a_project(directory)
    account = an_account()
    member = a_member(account)
    directory.add_member(project.id, member, account)
    directory.update_member(project.id, member, replace(member, role="viewer"), [])
    with pytest.raises(Conflict):
        directory.update_member(project.id, member, replace(member, role="admin"), [])
    assert [m.role for m in directory.memberships(account.id)] == ["viewer"]


def test_removing_a_member_ends_the_membership_and_keeps_the_account(directory):
    account = an_account()
    first, _ = a_project(directory, account)
    second, _ = a_project(directory)
    member = a_member(account)
    directory.add_member(second.id, member)
    directory.remove_member(second.id, member, [], [])
    assert [m.project_id for m in directory.memberships(account.id)] == [first.id]
    assert [p.id for p, _ in directory.projects_of(account.id)] == [first.id]
    assert directory.account(account.id) == account
    directory.add_member(second.id, replace(member, user_id=new_id()))  # and may join again
    assert len(directory.memberships(account.id)) == 2


def test_a_member_without_an_account_writes_no_membership(directory):
    project, admin = a_project(directory)
    member = a_member(None)
    directory.add_member(project.id, member)
    directory.update_member(project.id, member, replace(member, role="viewer"), [])
    directory.remove_member(project.id, replace(member, role="viewer"), [], [])
    assert directory.member(project.id, member.user_id) is None and admin.account_id is None


def test_a_member_read_before_the_migration_linked_it_is_not_written_over(directory):
    """Removing or changing the member as read before would leave its membership behind, still
    granting the project to the account (or with a stale role): both are refused instead."""
    project, _ = a_project(directory)
    read_before = a_member(None)
    directory.add_member(project.id, read_before)
    account = an_account(email=read_before.email)
    directory.link_account(project.id, replace(read_before, account_id=account.id), account)
    with pytest.raises(Conflict):
        directory.remove_member(project.id, read_before, [], [])
    with pytest.raises(Conflict):
        directory.update_member(project.id, read_before, replace(read_before, role="viewer"), [])
    assert directory.memberships(account.id) == [Membership(project.id, account.id, read_before.user_id, "member")]
    linked = directory.member(project.id, read_before.user_id)
    assert linked.account_id == account.id
    directory.remove_member(project.id, linked, [], [])
    assert directory.memberships(account.id) == []


def operator_scan(directory) -> list:
    """The migration's Scan, which only the operator's command makes (never the functions)."""
    with RECORDER.operator():
        return list(directory.members_without_account())


def test_the_migration_links_a_member_once_and_only_as_it_was_read(directory):
    project, _ = a_project(directory)
    member = a_member(None)
    directory.add_member(project.id, member)
    assert (project.id, member) in operator_scan(directory)
    account = an_account(email=member.email)
    with pytest.raises(Conflict):   # its role changed since it was read
        directory.link_account(project.id, replace(member, role="admin", account_id=account.id), account)
    assert directory.account(account.id) is None and directory.memberships(account.id) == []
    directory.link_account(project.id, replace(member, account_id=account.id), account)
    with pytest.raises(Conflict):
        directory.link_account(project.id, replace(member, account_id=account.id), None)
    assert (project.id, member) not in operator_scan(directory)
    assert directory.member(project.id, member.user_id).account_id == account.id
