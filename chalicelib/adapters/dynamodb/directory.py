"""The directory table's items and the domain objects they hold, shared by its repositories (a
project is created with its first member and key; a member's removal revokes its keys), and the
transaction whose failed condition is a Conflict."""
from chalicelib.adapters.dynamodb import models
from chalicelib.adapters.dynamodb.keys import api_key_sk, email_sk, member_sk, project_pk
from chalicelib.adapters.dynamodb.models import ApiKeyItem, EmailGuardItem, MemberItem, ProjectItem, TeamItem
from chalicelib.domain.people import ApiKey, Member, NotificationSettings, Project, Team
from chalicelib.errors import Conflict


def transaction() -> models.Transaction:
    return models.Transaction(Conflict("already exists, or changed by another request"))


def save_member(tx: models.Transaction, project_id: str, member: Member) -> None:
    """A new member, with the guard that keeps its email unique in the project."""
    pk = project_pk(project_id)
    tx.save(member_item(project_id, member), condition=MemberItem.pk.does_not_exist())
    tx.save(EmailGuardItem(pk, email_sk(member.email), user_id=member.user_id),
            condition=EmailGuardItem.pk.does_not_exist())


def member_item(project_id: str, member: Member) -> MemberItem:
    return MemberItem(project_pk(project_id), member_sk(member.user_id), user_id=member.user_id,
                      email=member.email, name=member.name, role=member.role, created_at=member.created_at,
                      notifications=member.notifications.as_dict(), account_id=member.account_id)


def to_member(item: MemberItem) -> Member:
    return Member(user_id=item.user_id, email=item.email, name=item.name, role=item.role,
                  created_at=item.created_at, notifications=NotificationSettings.from_stored(item.notifications),
                  account_id=item.account_id)


def api_key_of(project_id: str, key_id: str) -> ApiKeyItem:
    """A key's item by its key alone, to update or delete it."""
    return ApiKeyItem(project_pk(project_id), api_key_sk(key_id))


def api_key_item(project_id: str, key: ApiKey) -> ApiKeyItem:
    return ApiKeyItem(project_pk(project_id), api_key_sk(key.id), key_id=key.id, name=key.name,
                      secret_hash=key.secret_hash, role=key.role, user_id=key.user_id,
                      automation=key.automation, created_at=key.created_at)


def to_api_key(item: ApiKeyItem) -> ApiKey:
    return ApiKey(id=item.key_id, name=item.name, role=item.role, user_id=item.user_id,
                  automation=bool(item.automation), created_at=item.created_at, secret_hash=item.secret_hash)


def to_team(item: TeamItem) -> Team:
    return Team(id=item.team_id, name=item.name, email=item.email, members=tuple(item.members or ()),
                created_at=item.created_at)


def to_project(item: ProjectItem) -> Project:
    return Project(id=item.project_id, name=item.name, key=item.key, created_at=item.created_at,
                   workflow=item.workflow, default_assignee=item.default_assignee,
                   sla_policy_version=int(item.sla_policy_version) if item.sla_policy_version is not None else None,
                   require_sso=bool(item.require_sso))
