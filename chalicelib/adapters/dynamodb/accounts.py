"""Accounts (pk `A#<account id>`, sk `ACCOUNT`), the guard that gives each email to one account
(pk `AEMAIL#<email>`), and an account's memberships: its `PROJECT#<project id>` items, listed by
one Query of its partition, each with the project's `ACCOUNT#<account id>` item holding the role.
The member writes (members.py, projects.py) keep the membership items; this reads them."""
from typing import Iterable

from pynamodb.exceptions import DoesNotExist, UpdateError

from chalicelib.adapters.dynamodb import models
from chalicelib.adapters.dynamodb.directory import save_account, to_account, to_project
from chalicelib.adapters.dynamodb.keys import (
    ACCOUNT_PROJECT_SK_PREFIX,
    ACCOUNT_SK,
    PROJECT_SK,
    account_email_pk,
    account_pk,
    project_account_sk,
    project_pk,
)
from chalicelib.adapters.dynamodb.models import (
    AccountEmailItem,
    AccountItem,
    AccountProjectItem,
    ProjectAccountItem,
    ProjectItem,
    _DirectoryTable,
)
from chalicelib.domain.accounts import Account, Membership
from chalicelib.domain.people import Project
from chalicelib.errors import Conflict, NotFound


class DynamoAccounts:
    def __init__(self):
        models.bind()

    def account(self, account_id: str) -> Account | None:
        try:
            return to_account(AccountItem.get(account_pk(account_id), ACCOUNT_SK, consistent_read=True))
        except DoesNotExist:
            return None

    def accounts(self, account_ids: Iterable[str]) -> dict[str, Account]:
        """The accounts among these ids, by id: one BatchGetItem per 100 ids (PynamoDB pages them)."""
        keys = [(account_pk(account_id), ACCOUNT_SK) for account_id in dict.fromkeys(account_ids)]
        if not keys:
            return {}
        return {item.account_id: to_account(item) for item in AccountItem.batch_get(keys, consistent_read=True)}

    def account_by_email(self, email: str) -> Account | None:
        """Two reads: the email's guard (`AEMAIL#<email>`), then the account it names. `email` is
        already normalised (domain.people.normalise_email)."""
        try:
            guard = AccountEmailItem.get(account_email_pk(email), ACCOUNT_SK, consistent_read=True)
        except DoesNotExist:
            return None
        return self.account(guard.account_id)

    def create_account(self, account: Account) -> None:
        """The account and its email's guard, in one transaction; Conflict when the email (or the
        id) has an account already."""
        with models.Transaction(Conflict(f"an account with email {account.email} exists")) as tx:
            save_account(tx, account)

    def memberships(self, account_id: str) -> list[Membership]:
        """One Query of the account's `PROJECT#` items, then one BatchGetItem (per 100 projects) of
        those projects' `ACCOUNT#` items for the roles. A membership removed between the two reads
        is left out."""
        return [membership for _, membership in self._memberships(account_id, with_projects=False)]

    def projects_of(self, account_id: str) -> list[tuple[Project, Membership]]:
        """As `memberships`, with each project read in the same BatchGetItem as the roles (one per 50
        projects)."""
        return [(project, membership) for project, membership in self._memberships(account_id, with_projects=True)
                if project is not None]

    def _memberships(self, account_id: str, with_projects: bool) -> list[tuple[Project | None, Membership]]:
        project_ids = [item.project_id for item in AccountProjectItem.query(
            account_pk(account_id), AccountProjectItem.sk.startswith(ACCOUNT_PROJECT_SK_PREFIX), consistent_read=True)]
        if not project_ids:
            return []
        keys = [(project_pk(project_id), project_account_sk(account_id)) for project_id in project_ids]
        if with_projects:
            keys += [(project_pk(project_id), PROJECT_SK) for project_id in project_ids]
        roles: dict[str, ProjectAccountItem] = {}
        projects: dict[str, Project] = {}
        for item in _DirectoryTable.batch_get(keys, consistent_read=True):
            if isinstance(item, ProjectAccountItem):
                roles[item.pk] = item
            elif isinstance(item, ProjectItem):
                projects[item.project_id] = to_project(item)
        found = []
        for project_id in project_ids:
            item = roles.get(project_pk(project_id))
            if item is not None:
                found.append((projects.get(project_id), Membership(project_id=project_id, account_id=account_id,
                                                                   user_id=item.user_id, role=item.role)))
        return found

    def record_sign_in(self, account_id: str, at: str) -> None:
        """Sets `last_sign_in_at` (the account is then active, no longer invited)."""
        self._update(account_id, [AccountItem.last_sign_in_at.set(at)])

    def rename_account(self, account_id: str, name: str) -> Account:
        return self._update(account_id, [AccountItem.name.set(name)])

    def _update(self, account_id: str, actions: list) -> Account:
        item = AccountItem(account_pk(account_id), ACCOUNT_SK)
        try:
            item.update(actions=actions, condition=AccountItem.pk.exists())
        except UpdateError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                raise NotFound("account not found") from error
            raise
        return to_account(item)
