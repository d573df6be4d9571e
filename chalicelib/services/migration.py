"""Members stored before accounts existed get one: the account their email has (one account per
email across projects), made when there is none, with the membership items a member added today
is written with. An operator command (it scans); safe to repeat and to run beside live traffic."""
from dataclasses import dataclass, replace

from chalicelib.domain.accounts import Account
from chalicelib.domain.clock import new_id, now_iso
from chalicelib.domain.people import Member
from chalicelib.errors import Conflict
from chalicelib.services.ports import MigratedDirectory

# A member changed by a request between its read and its write is read again this many times.
ATTEMPTS = 3
# What became of one member.
LINKED, LINKED_TO_NEW, SKIPPED, LEFT = "linked", "linked to a new account", "skipped", "left"


@dataclass
class MigrationReport:
    members_linked: int = 0     # members that got their account
    accounts_created: int = 0   # of which the account was made for them
    members_skipped: int = 0    # given an account (or removed) by a request meanwhile
    members_left: int = 0       # changed by requests at every attempt: the next run takes them

    def as_dict(self) -> dict[str, int]:
        return {"members_linked": self.members_linked, "accounts_created": self.accounts_created,
                "members_skipped": self.members_skipped, "members_left": self.members_left}

def link_members_to_accounts(directory: MigratedDirectory) -> MigrationReport:
    report = MigrationReport()
    for project_id, member in directory.members_without_account():
        outcome = _link(directory, project_id, member)
        if outcome == LINKED_TO_NEW:
            report.accounts_created += 1
        if outcome in (LINKED_TO_NEW, LINKED):
            report.members_linked += 1
        elif outcome == SKIPPED:
            report.members_skipped += 1
        else:
            report.members_left += 1
    return report


def _link(directory: MigratedDirectory, project_id: str, member: Member) -> str:
    for _ in range(ATTEMPTS):
        account = directory.account_by_email(member.email)
        new_account = None
        if account is None:
            account = new_account = Account(id=new_id(), email=member.email, name=member.name, created_at=now_iso())
        try:
            directory.link_account(project_id, replace(member, account_id=account.id), new_account)
            return LINKED_TO_NEW if new_account is not None else LINKED
        except Conflict:
            # Another writer made the email's account, or changed the member (its role, say): read again.
            current = directory.member(project_id, member.user_id)
            if current is None or current.account_id is not None:
                return SKIPPED
            member = current
    return LEFT
