"""Projects (sk `PROJECT` of `P#<project id>`): settings, the ticket number counter, the workflow,
and the versions of their SLA policy (sk `SLA#<version>`). A project is created with its first
admin and key, at once."""
from pynamodb.exceptions import DoesNotExist, UpdateError

from chalicelib.adapters.dynamodb import models
from chalicelib.adapters.dynamodb.directory import api_key_item, save_member, to_project, transaction
from chalicelib.adapters.dynamodb.keys import MAIL_ADDRESS_SK, PROJECT_SK, mail_address_pk, project_pk, sla_policy_sk
from chalicelib.adapters.dynamodb.models import ApiKeyItem, MailAddressItem, ProjectItem, SlaPolicyItem
from chalicelib.domain.accounts import Account
from chalicelib.domain.mailbox import EmailSettings
from chalicelib.domain.people import ApiKey, Member, Project
from chalicelib.domain.sla import StoredPolicy
from chalicelib.errors import Conflict, NotFound


class DynamoProjects:
    def __init__(self):
        models.bind()

    def project(self, project_id: str) -> Project | None:
        try:
            return to_project(ProjectItem.get(project_pk(project_id), PROJECT_SK, consistent_read=True))
        except DoesNotExist:
            return None

    def create_project(self, project: Project, admin: Member, key: ApiKey,
                       new_account: Account | None = None) -> None:
        """The project with its first admin (and the admin's membership and new account, as
        `add_member`) and key, in one transaction."""
        pk = project_pk(project.id)
        with transaction() as tx:
            tx.save(ProjectItem(pk, PROJECT_SK, project_id=project.id, name=project.name, key=project.key,
                                created_at=project.created_at, ticket_counter=0),
                    condition=ProjectItem.pk.does_not_exist())
            save_member(tx, project.id, admin, new_account)
            tx.save(api_key_item(project.id, key), condition=ApiKeyItem.pk.does_not_exist())

    def next_ticket_number(self, project_id: str) -> int:
        item = ProjectItem(project_pk(project_id), PROJECT_SK)
        try:
            item.update(actions=[ProjectItem.ticket_counter.add(1)], condition=ProjectItem.pk.exists())
        except UpdateError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                raise NotFound("project not found") from error
            raise
        return int(item.ticket_counter)

    def set_workflow(self, project_id: str, transitions: dict[str, list[str]]) -> None:
        item = ProjectItem(project_pk(project_id), PROJECT_SK)
        item.update(actions=[ProjectItem.workflow.set(transitions)], condition=ProjectItem.pk.exists())

    def update_project(self, project_id: str, changes: dict, claim: tuple[str, ...] = (),
                       release: tuple[str, ...] = ()) -> Project:
        """Sets `name`, `require_sso`, `default_assignee` (None removes it) and/or `email` (the
        email settings) and returns the project. The addresses in `claim` become the project's
        and those in `release` stop being so, in the same transaction: Conflict if another
        project holds one it claims."""
        pk = project_pk(project_id)
        actions = []
        if "name" in changes:
            actions.append(ProjectItem.name.set(changes["name"]))
        if "default_assignee" in changes:
            value = changes["default_assignee"]
            actions.append(ProjectItem.default_assignee.set(value) if value else ProjectItem.default_assignee.remove())
        if "require_sso" in changes:
            actions.append(ProjectItem.require_sso.set(bool(changes["require_sso"])))
        if "email" in changes:
            settings: EmailSettings = changes["email"]
            actions += [ProjectItem.email_aliases.set(list(settings.aliases)),
                        ProjectItem.reply_to_closed.set(settings.reply_to_closed),
                        ProjectItem.acknowledge.set(settings.acknowledge),
                        ProjectItem.acknowledgement.set(settings.acknowledgement),
                        ProjectItem.email_address.set(settings.address) if settings.address
                        else ProjectItem.email_address.remove()]
        if not claim and not release:
            item = ProjectItem(pk, PROJECT_SK)
            item.update(actions=actions, condition=ProjectItem.pk.exists())
            return to_project(item)
        with models.Transaction(Conflict("an address is another project's, or changed meanwhile")) as tx:
            tx.update(ProjectItem(pk, PROJECT_SK), actions=actions, condition=ProjectItem.pk.exists())
            for address in claim:
                tx.save(MailAddressItem(mail_address_pk(address), MAIL_ADDRESS_SK, project_id=project_id),
                        condition=MailAddressItem.pk.does_not_exist() | (MailAddressItem.project_id == project_id))
            for address in release:
                tx.delete(MailAddressItem(mail_address_pk(address), MAIL_ADDRESS_SK),
                          condition=MailAddressItem.pk.does_not_exist() | (MailAddressItem.project_id == project_id))
        project = self.project(project_id)
        if project is None:
            raise NotFound("project not found")
        return project

    # ---- SLA policies ------------------------------------------------------------------------

    def sla_policy(self, project_id: str, version: int) -> StoredPolicy | None:
        try:
            item = SlaPolicyItem.get(project_pk(project_id), sla_policy_sk(version))
        except DoesNotExist:
            return None
        return StoredPolicy(version=int(item.version), policy=item.policy, created_at=item.created_at,
                            created_by=item.created_by)

    def add_sla_policy(self, project_id: str, version: int, policy: dict, created_at: str, created_by: str) -> None:
        """Writes a new version and makes it the project's current one, unless another version
        was added since `version - 1` was read (Conflict)."""
        pk = project_pk(project_id)
        previous = ProjectItem.sla_policy_version.does_not_exist() if version == 1 else (
            ProjectItem.sla_policy_version == version - 1)
        with models.Transaction(Conflict("the SLA policy was changed by another request; read it and try again")) as tx:
            tx.save(SlaPolicyItem(pk, sla_policy_sk(version), version=version, policy=policy, created_at=created_at,
                                  created_by=created_by), condition=SlaPolicyItem.pk.does_not_exist())
            tx.update(ProjectItem(pk, PROJECT_SK), actions=[ProjectItem.sla_policy_version.set(version)],
                      condition=ProjectItem.pk.exists() & previous)


