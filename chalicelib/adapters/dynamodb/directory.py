"""The directory table's items and the domain objects they hold, shared by its repositories (a
project is created with its first member and key; a member's removal revokes its keys; a member
with an account is written with its two membership items), and the transaction whose failed
condition is a Conflict."""
from chalicelib.adapters.dynamodb import models
from chalicelib.adapters.dynamodb.keys import (
    ACCOUNT_SK,
    account_email_pk,
    account_pk,
    account_project_sk,
    api_key_sk,
    email_sk,
    member_sk,
    project_account_sk,
    project_pk,
)
from chalicelib.adapters.dynamodb.models import (
    AccountEmailItem,
    AccountItem,
    AccountProjectItem,
    ApiKeyItem,
    EmailGuardItem,
    MemberItem,
    ProjectAccountItem,
    ProjectItem,
    TeamItem,
)
from chalicelib.domain.accounts import Account
from chalicelib.domain.mailbox import EmailSettings
from chalicelib.domain.people import ApiKey, Member, NotificationDelivery, NotificationSettings, Project, Team
from chalicelib.errors import Conflict


def transaction() -> models.Transaction:
    return models.Transaction(Conflict("already exists, or changed by another request"))


def save_member(tx: models.Transaction, project_id: str, member: Member, new_account: Account | None = None) -> None:
    """A new member, with the guard that keeps its email unique in the project, and, when it is an
    account's, its membership items (and the account, when `new_account` is the member's)."""
    pk = project_pk(project_id)
    tx.save(member_item(project_id, member), condition=MemberItem.pk.does_not_exist())
    tx.save(EmailGuardItem(pk, email_sk(member.email), user_id=member.user_id),
            condition=EmailGuardItem.pk.does_not_exist())
    if new_account is not None:
        save_account(tx, new_account)
    if member.account_id is not None:
        save_membership(tx, project_id, member)


def save_account(tx: models.Transaction, account: Account) -> None:
    """A new account and the guard that gives its email to it alone."""
    tx.save(account_item(account), condition=AccountItem.pk.does_not_exist())
    tx.save(AccountEmailItem(account_email_pk(account.email), ACCOUNT_SK, account_id=account.id),
            condition=AccountEmailItem.pk.does_not_exist())


def save_membership(tx: models.Transaction, project_id: str, member: Member) -> None:
    """The account's item naming the project, and the project's naming the account with the
    member's role; both new (an account is a member of a project once)."""
    tx.save(project_account_item(project_id, member), condition=ProjectAccountItem.pk.does_not_exist())
    tx.save(AccountProjectItem(account_pk(member.account_id), account_project_sk(project_id), project_id=project_id,
                               user_id=member.user_id), condition=AccountProjectItem.pk.does_not_exist())


def project_account_item(project_id: str, member: Member) -> ProjectAccountItem:
    return ProjectAccountItem(project_pk(project_id), project_account_sk(member.account_id),
                              account_id=member.account_id, user_id=member.user_id, role=member.role)


def delete_membership(tx: models.Transaction, project_id: str, account_id: str) -> None:
    tx.delete(ProjectAccountItem(project_pk(project_id), project_account_sk(account_id)))
    tx.delete(AccountProjectItem(account_pk(account_id), account_project_sk(project_id)))


def account_item(account: Account) -> AccountItem:
    return AccountItem(account_pk(account.id), ACCOUNT_SK, account_id=account.id, email=account.email,
                       name=account.name, created_at=account.created_at, last_sign_in_at=account.last_sign_in_at)


def to_account(item: AccountItem) -> Account:
    return Account(id=item.account_id, email=item.email, name=item.name, created_at=item.created_at,
                   last_sign_in_at=item.last_sign_in_at)


def member_item(project_id: str, member: Member) -> MemberItem:
    return MemberItem(project_pk(project_id), member_sk(member.user_id), user_id=member.user_id,
                      email=member.email, name=member.name, role=member.role, created_at=member.created_at,
                      notifications=member.notifications.as_dict(), account_id=member.account_id,
                      notification_delivery=dict(member.notification_delivery.modes) or None,
                      revision=member.revision or None)


def to_member(item: MemberItem) -> Member:
    return Member(user_id=item.user_id, email=item.email, name=item.name, role=item.role,
                  created_at=item.created_at, notifications=NotificationSettings.from_stored(item.notifications),
                  notification_delivery=NotificationDelivery.from_stored(item.notification_delivery),
                  revision=int(item.revision or 0),
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
                   require_sso=bool(item.require_sso), email=to_email_settings(item))


def to_email_settings(item: ProjectItem) -> EmailSettings:
    """The settings a project item holds; each one never set has its default."""
    default = EmailSettings()
    return EmailSettings(
        aliases=tuple(item.email_aliases or ()),
        reply_to_closed=item.reply_to_closed or default.reply_to_closed,
        acknowledge=bool(item.acknowledge) if item.acknowledge is not None else default.acknowledge,
        acknowledgement=item.acknowledgement or default.acknowledgement,
        address=item.email_address)
