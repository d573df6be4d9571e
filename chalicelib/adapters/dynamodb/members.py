"""A project's members (sk `MEMBER#<user id>`), each with the guard that keeps its email unique
in the project (sk `EMAIL#<email>`) and, for an account's member, the two membership items (the
project's `ACCOUNT#<account id>` with the role, the account's `PROJECT#<project id>`), always
written together. Removing a member revokes its keys, takes it out of its teams and ends the
membership in the same transaction."""
from dataclasses import replace
from typing import Iterator

from pynamodb.exceptions import DoesNotExist

from chalicelib.adapters.dynamodb import models
from chalicelib.adapters.dynamodb.directory import (
    api_key_of,
    delete_membership,
    member_item,
    project_account_item,
    save_account,
    save_member,
    save_membership,
    to_member,
    transaction,
)
from chalicelib.adapters.dynamodb.keys import (
    ACCOUNT_SK,
    MEMBER_SK_PREFIX,
    account_pk,
    email_sk,
    member_sk,
    project_of_pk,
    project_pk,
    team_sk,
)
from chalicelib.adapters.dynamodb.models import AccountItem, ApiKeyItem, EmailGuardItem, MemberItem, TeamItem
from chalicelib.domain.accounts import Account
from chalicelib.domain.people import ApiKey, Member, Team


class DynamoMembers:
    def __init__(self):
        models.bind()

    def members(self, project_id: str) -> list[Member]:
        return [to_member(item) for item in MemberItem.query(
            project_pk(project_id), MemberItem.sk.startswith(MEMBER_SK_PREFIX), consistent_read=True)]

    def member(self, project_id: str, user_id: str) -> Member | None:
        try:
            return to_member(MemberItem.get(project_pk(project_id), member_sk(user_id), consistent_read=True))
        except DoesNotExist:
            return None

    def add_member(self, project_id: str, member: Member, new_account: Account | None = None) -> None:
        """The member, its email guard and, for an account's member, its membership items (with
        the account itself when `new_account` is given), in one transaction."""
        with transaction() as tx:
            save_member(tx, project_id, member, new_account)

    def update_member(self, project_id: str, before: Member, after: Member, keys: list[ApiKey]) -> None:
        """Saves the member; a role change is copied onto the member's keys and the project's
        `ACCOUNT#` item in the same write."""
        with transaction() as tx:
            tx.save(member_item(project_id, replace(after, revision=before.revision + 1)),
                    condition=(MemberItem.role == before.role) & _same_account(before) & _same_revision(before))
            if after.role != before.role:
                if after.account_id is not None:
                    # Whole, not updated: the MEMBER# condition already fails if the member is gone.
                    tx.save(project_account_item(project_id, after))
                for key in keys:
                    tx.update(api_key_of(project_id, key.id), actions=[ApiKeyItem.role.set(after.role)],
                              condition=ApiKeyItem.pk.exists())

    def remove_member(self, project_id: str, member: Member, keys: list[ApiKey], teams: list[Team],
                      require_invited: bool = False) -> None:
        """Removes the member, revokes their keys, takes them out of their teams and ends their
        account's membership, at once; with `require_invited`, only while the account has never
        signed in (Conflict otherwise)."""
        pk = project_pk(project_id)
        with transaction() as tx:
            tx.delete(MemberItem(pk, member_sk(member.user_id)),
                      condition=MemberItem.pk.exists() & _same_account(member))
            if require_invited:
                tx.condition_check(AccountItem, account_pk(member.account_id), ACCOUNT_SK,
                                   condition=AccountItem.pk.exists() & AccountItem.last_sign_in_at.does_not_exist())
            tx.delete(EmailGuardItem(pk, email_sk(member.email)))
            if member.account_id is not None:
                delete_membership(tx, project_id, member.account_id)
            for key in keys:
                tx.delete(api_key_of(project_id, key.id))
            for team in teams:
                remaining = [m for m in team.members if m != member.user_id]
                tx.update(TeamItem(pk, team_sk(team.id)), actions=[TeamItem.members.set(remaining)])

    # ---- operator commands (never on a request path) -----------------------------------------

    def members_without_account(self) -> Iterator[tuple[str, Member]]:
        """Every member stored before accounts, with its project's id: a Scan, for the migration."""
        for item in MemberItem.scan(MemberItem.account_id.does_not_exist(), page_size=500, consistent_read=True):
            yield project_of_pk(item.pk), to_member(item)

    def link_account(self, project_id: str, member: Member, new_account: Account | None) -> None:
        """Sets the member's `account_id` and writes its membership items (and the account, when
        new) in one transaction, on condition that the member is still there without an account
        and with the role the membership copies (Conflict otherwise)."""
        with transaction() as tx:
            tx.update(MemberItem(project_pk(project_id), member_sk(member.user_id)),
                      actions=[MemberItem.account_id.set(member.account_id)],
                      condition=MemberItem.pk.exists() & MemberItem.account_id.does_not_exist()
                      & (MemberItem.role == member.role))
            if new_account is not None:
                save_account(tx, new_account)
            save_membership(tx, project_id, member)


def _same_revision(member: Member):
    """The stored member is the one read: a change read before another one was written must not
    write back what that one changed."""
    if member.revision == 0:
        return MemberItem.revision.does_not_exist()
    return MemberItem.revision == member.revision


def _same_account(member: Member):
    """The stored member still has the account it was read with: the migration may have linked one
    since, and writing the member read before would then leave its membership items behind (or
    stale)."""
    if member.account_id is None:
        return MemberItem.account_id.does_not_exist()
    return MemberItem.account_id == member.account_id
