"""A project's members (sk `MEMBER#<user id>`), each with the guard that keeps its email unique
in the project (sk `EMAIL#<email>`) and, for an account's member, the two membership items (the
project's `ACCOUNT#<account id>` with the role, the account's `PROJECT#<project id>`), always
written together. Removing a member revokes its keys, takes it out of its teams and ends the
membership in the same transaction."""
from pynamodb.exceptions import DoesNotExist

from chalicelib.adapters.dynamodb import models
from chalicelib.adapters.dynamodb.directory import (
    api_key_of,
    delete_membership,
    member_item,
    project_account_item,
    save_member,
    to_member,
    transaction,
)
from chalicelib.adapters.dynamodb.keys import MEMBER_SK_PREFIX, email_sk, member_sk, project_pk, team_sk
from chalicelib.adapters.dynamodb.models import ApiKeyItem, EmailGuardItem, MemberItem, TeamItem
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
            tx.save(member_item(project_id, after), condition=MemberItem.role == before.role)
            if after.role != before.role:
                if after.account_id is not None:
                    # Whole, not updated: the MEMBER# condition already fails if the member is gone.
                    tx.save(project_account_item(project_id, after))
                for key in keys:
                    tx.update(api_key_of(project_id, key.id), actions=[ApiKeyItem.role.set(after.role)],
                              condition=ApiKeyItem.pk.exists())

    def remove_member(self, project_id: str, member: Member, keys: list[ApiKey], teams: list[Team]) -> None:
        """Removes the member, revokes their keys, takes them out of their teams and ends their
        account's membership, at once."""
        pk = project_pk(project_id)
        with transaction() as tx:
            tx.delete(MemberItem(pk, member_sk(member.user_id)), condition=MemberItem.pk.exists())
            tx.delete(EmailGuardItem(pk, email_sk(member.email)))
            if member.account_id is not None:
                delete_membership(tx, project_id, member.account_id)
            for key in keys:
                tx.delete(api_key_of(project_id, key.id))
            for team in teams:
                remaining = [m for m in team.members if m != member.user_id]
                tx.update(TeamItem(pk, team_sk(team.id)), actions=[TeamItem.members.set(remaining)])


