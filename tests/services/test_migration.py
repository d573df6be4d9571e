"""The migration that gives members stored before accounts their account, in memory: one account
per email across projects, membership items as a member added today has, and requests that change
a member meanwhile neither overtaken nor overtaking."""
from dataclasses import replace

from chalicelib.adapters.memory import MemoryDirectory, MemoryStore
from chalicelib.domain.accounts import Account, Membership
from chalicelib.domain.clock import new_id
from chalicelib.domain.people import ApiKey, Member, Project
from chalicelib.services.migration import link_members_to_accounts

CREATED = "2026-01-01T00:00:00.000Z"


def legacy_project(directory, admin_email: str) -> tuple[Project, Member]:
    """A project as the version before accounts wrote it: its admin has no account."""
    project = Project(id=new_id(), name="Ops", key="OPS", created_at=CREATED)
    admin = Member(user_id=new_id(), email=admin_email, name="Ada", role="admin", created_at=CREATED)
    directory.create_project(project, admin, ApiKey(id=new_id(12), name="k", role="admin", user_id=admin.user_id,
                                                    automation=False, created_at=CREATED))
    return project, admin


def legacy_member(directory, project: Project, email: str, role: str = "member") -> Member:
    member = Member(user_id=new_id(), email=email, name=email.split("@")[0].title(), role=role, created_at=CREATED)
    directory.add_member(project.id, member)
    return member


def test_one_account_per_email_across_projects_and_a_second_run_changes_nothing():
    directory = MemoryDirectory(MemoryStore())
    ops, ada = legacy_project(directory, "ada@example.com")
    dev, ada_dev = legacy_project(directory, "ada@example.com")
    bob = legacy_member(directory, ops, "bob@example.com", role="viewer")
    cat_account = Account(id=new_id(), email="cat@example.com", name="Cat", created_at=CREATED)
    cat = Member(user_id=new_id(), email=cat_account.email, name="Cat", role="member", created_at=CREATED,
                 account_id=cat_account.id)
    directory.add_member(dev.id, cat, cat_account)          # already as this version writes it
    cat_ops = legacy_member(directory, ops, "cat@example.com")   # the same person, not yet migrated

    report = link_members_to_accounts(directory)
    assert report.as_dict() == {"members_linked": 4, "accounts_created": 2, "members_skipped": 0, "members_left": 0}
    account = directory.account_by_email("ada@example.com")
    assert account.name == "Ada" and account.invited
    assert {(m.project_id, m.user_id, m.role) for m in directory.memberships(account.id)} == {
        (ops.id, ada.user_id, "admin"), (dev.id, ada_dev.user_id, "admin")}
    assert directory.member(ops.id, ada.user_id).account_id == account.id
    bob_account = directory.account_by_email("bob@example.com")
    assert directory.memberships(bob_account.id) == [Membership(ops.id, bob_account.id, bob.user_id, "viewer")]
    assert directory.member(ops.id, cat_ops.user_id).account_id == cat_account.id
    assert {m.user_id for m in directory.memberships(cat_account.id)} == {cat.user_id, cat_ops.user_id}
    assert directory.account(cat_account.id) == cat_account

    assert link_members_to_accounts(directory).as_dict() == {"members_linked": 0, "accounts_created": 0,
                                                             "members_skipped": 0, "members_left": 0}


class ChangedMeanwhile(MemoryDirectory):
    """Requests change the members after the migration read them and before it writes."""

    def __init__(self, store, meanwhile):
        super().__init__(store)
        self.meanwhile = meanwhile

    def members_without_account(self):
        found = list(super().members_without_account())
        self.meanwhile()
        yield from found


def test_a_member_changed_meanwhile_is_migrated_as_it_is_now_or_left_to_the_request():
    store = MemoryStore()
    plain = MemoryDirectory(store)
    ops, _ = legacy_project(plain, "ada@example.com")
    promoted = legacy_member(plain, ops, "bob@example.com")
    removed = legacy_member(plain, ops, "cat@example.com")
    invited_meanwhile = Account(id=new_id(), email="dan@example.com", name="Dan", created_at=CREATED)

    def meanwhile():
        plain.update_member(ops.id, promoted, replace(promoted, role="admin"), [])
        plain.remove_member(ops.id, removed, [], [])
        plain.create_account(invited_meanwhile)   # made for an invitation to another project
    dan = legacy_member(plain, ops, "dan@example.com")

    report = link_members_to_accounts(ChangedMeanwhile(store, meanwhile))
    assert report.as_dict() == {"members_linked": 3, "accounts_created": 2, "members_skipped": 1, "members_left": 0}
    bob = plain.account_by_email("bob@example.com")
    assert [m.role for m in plain.memberships(bob.id)] == ["admin"]
    assert plain.account_by_email("cat@example.com") is None
    assert plain.member(ops.id, dan.user_id).account_id == invited_meanwhile.id
