"""People as accounts at the services, in memory: a project's admin is an account's membership,
and an account made by another request between the read and the write is the one joined."""
from chalicelib.adapters.memory import MemoryDirectory, MemoryStore
from chalicelib.domain.accounts import Account
from chalicelib.domain.clock import new_id
from chalicelib.domain.people import Principal
from chalicelib.schemas.people import MemberCreate
from chalicelib.services.people import PeopleService

CREATED = "2026-01-01T00:00:00.000Z"


def admin_of(people: PeopleService, key: str = "OPS") -> Principal:
    project, admin, issued = people.create_project("Operations", key, "Ada@Example.com", "Ada Admin")
    return Principal(project=project, actor=admin.user_id, role="admin", key_id=issued.key.id, user_id=admin.user_id)


def test_a_projects_admin_is_the_account_of_their_email_in_every_project(outbox):
    directory = MemoryDirectory(MemoryStore())
    people = PeopleService(directory, mail=lambda: outbox)
    ops, dev = admin_of(people, "OPS"), admin_of(people, "DEV")
    account = directory.account_by_email("ada@example.com")
    assert account.name == "Ada Admin" and account.invited
    assert {(m.project_id, m.user_id, m.role) for m in directory.memberships(account.id)} == {
        (ops.project.id, ops.user_id, "admin"), (dev.project.id, dev.user_id, "admin")}
    assert outbox.sent == []   # the bootstrap tells nobody: its operator has the key


class AccountMadeMeanwhile(MemoryDirectory):
    """Another request invites the address to another project between this one's read and write."""

    def __init__(self, store):
        super().__init__(store)
        self.other: Account | None = None

    def account_by_email(self, email):
        found = super().account_by_email(email)
        if found is None and self.other is None and email == "bob@example.com":
            self.other = Account(id=new_id(), email=email, name="Robert", created_at=CREATED)
            self.create_account(self.other)
        return found


def test_an_account_made_by_another_request_meanwhile_is_the_one_joined(outbox):
    directory = AccountMadeMeanwhile(MemoryStore())
    people = PeopleService(directory, mail=lambda: outbox)
    admin = admin_of(people)
    added = people.add_member(admin, MemberCreate(email="bob@example.com", role="member"))
    assert directory.other is not None and added.account == directory.other
    assert added.member.account_id == directory.other.id and added.member.name == "Robert"
    assert [m.user_id for m in directory.memberships(directory.other.id)] == [added.member.user_id]
    assert [e.to for e in outbox.sent] == ["bob@example.com"]
