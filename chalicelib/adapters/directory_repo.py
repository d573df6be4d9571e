"""Projects, members, teams and API keys on the directory table, and the counts of wrong keys."""
import hashlib
import logging

from pynamodb.exceptions import DoesNotExist, PynamoDBException, UpdateError

from chalicelib.adapters import models
from chalicelib.adapters.models import (
    API_KEY_SK_PREFIX,
    EMAIL_SK_PREFIX,
    MEMBER_SK_PREFIX,
    PROJECT_SK,
    TEAM_SK_PREFIX,
    ApiKeyItem,
    EmailGuardItem,
    PARTITION_COUNT_SK_PREFIX,
    MemberItem,
    SEARCH_INDEX_ATTRIBUTES,
    PartitionCountItem,
    ProjectItem,
    REPORT_SK_PREFIX,
    ReportDayItem,
    SLA_POLICY_SK_PREFIX,
    SlaPolicyItem,
    TeamItem,
    WRONG_KEYS_PK_PREFIX,
    WrongKeyCountItem,
    _DirectoryTable,
    project_pk,
    scoped,
)
from chalicelib.domain.attempts import WINDOW_SECONDS, Window
from chalicelib.domain.people import ApiKey, Member, NotificationSettings, Project, Team
from chalicelib.errors import Conflict, NotFound

log = logging.getLogger(__name__)


class DirectoryRepository:
    def __init__(self):
        models.bind()

    # ---- auth --------------------------------------------------------------------------------

    def key_and_project(self, project_id: str, key_id: str) -> tuple[ApiKey | None, Project | None]:
        """The auth lookup: the key and its project in one BatchGetItem."""
        pk = project_pk(project_id)
        key = project = None
        for item in _DirectoryTable.batch_get([(pk, API_KEY_SK_PREFIX + key_id), (pk, PROJECT_SK)],
                                              consistent_read=True):
            if isinstance(item, ApiKeyItem):
                key = to_api_key(item)
            elif isinstance(item, ProjectItem):
                project = to_project(item)
        return key, project

    def api_key(self, project_id: str, key_id: str) -> ApiKey | None:
        try:
            return to_api_key(ApiKeyItem.get(project_pk(project_id), API_KEY_SK_PREFIX + key_id, consistent_read=True))
        except DoesNotExist:
            return None

    def count_wrong_key(self, subject: str, window: Window) -> int | None:
        """Adds one to `subject`'s count of wrong keys in `window`; returns the count now, in the
        same UpdateItem. None if it could not be counted: the attempt is refused all the same."""
        item = WrongKeyCountItem(WRONG_KEYS_PK_PREFIX + subject, f"W#{window.start}")
        try:
            item.update(actions=[WrongKeyCountItem.kind.set(WrongKeyCountItem), WrongKeyCountItem.count.add(1),
                                 WrongKeyCountItem.expires_at.set(window.end + WINDOW_SECONDS)])
        except PynamoDBException:
            log.warning("could not count a wrong API key for %s", subject, exc_info=True)
            return None
        return int(item.count)

    # ---- search statistics -------------------------------------------------------------------

    def index_sizes(self, project_id: str, candidates: dict[str, tuple[str, ...]]) -> dict[str, int]:
        """Tickets each candidate index would read (the sum over its partitions), in one
        BatchGetItem. A partition never counted is taken as empty."""
        pk = project_pk(project_id)
        wanted: dict[tuple[str, str], list[str]] = {}
        for index, values in candidates.items():
            attribute = SEARCH_INDEX_ATTRIBUTES[index.split(":", 1)[0]]  # terms:<word> is the terms index
            for value in values:
                wanted.setdefault((pk, partition_count_sk(attribute, scoped(project_id, value))), []).append(index)
        sizes = dict.fromkeys(candidates, 0)
        for item in PartitionCountItem.batch_get(list(wanted)):
            for index in wanted[(item.pk, item.sk)]:
                sizes[index] += max(0, int(item.count))
        return sizes

    def tickets_counted(self, project_id: str, queries: list[tuple[tuple[str, str], ...]]) -> list[int]:
        """For each query's (count, partition) pairs, the sum of those counts: one BatchGetItem
        for up to 100 distinct counts. A partition never counted holds no ticket."""
        pk = project_pk(project_id)
        keys = list(dict.fromkeys((pk, partition_count_sk(attribute, scoped(project_id, value)))
                                  for pairs in queries for attribute, value in pairs))
        found: dict[tuple[str, str], int] = {}
        for start in range(0, len(keys), 100):
            for item in PartitionCountItem.batch_get(keys[start:start + 100], consistent_read=True):
                found[(item.pk, item.sk)] = max(0, int(item.count))
        return [sum(found.get((pk, partition_count_sk(attribute, scoped(project_id, value))), 0)
                    for attribute, value in pairs) for pairs in queries]

    def add_to_partition_counts_once(self, deltas: dict[tuple[str, str, str], int], record_ids: list[str],
                                     reports: dict[tuple[str, str, str], dict[str, int]] | None = None) -> None:
        """Applies at most 100 deltas (partition counts, and report aggregates: {(project id, day,
        severity): {attribute: change}}), those of the stream records `record_ids`, in one
        transaction whose token the records decide: DynamoDB ignores a repeated token for 10
        minutes, longer than the stream takes to retry them."""
        token = hashlib.sha256("\n".join(record_ids).encode()).hexdigest()[:36]
        with models.Transaction(Conflict("partition counts"), token=token) as tx:
            for (project_id, attribute, value), delta in sorted(deltas.items()):
                tx.update(PartitionCountItem(project_pk(project_id), partition_count_sk(attribute, value)),
                          actions=[PartitionCountItem.count.add(delta)])
            for (project_id, day, severity), changes in sorted((reports or {}).items()):
                attributes = ReportDayItem.get_attributes()
                tx.update(ReportDayItem(project_pk(project_id), report_sk(day, severity)),
                          actions=[ReportDayItem.kind.set(ReportDayItem)]
                          + [attributes[name].add(n) for name, n in sorted(changes.items())])

    def report_days(self, project_id: str, first_day: str, last_day: str) -> dict[tuple[str, str], dict[str, int]]:
        """{(day, severity): counters} of the days from `first_day` to `last_day` that have any:
        one Query over the project's collection (at most 4 items a day)."""
        found = {}
        condition = ReportDayItem.sk.between(REPORT_SK_PREFIX + first_day, REPORT_SK_PREFIX + last_day + "#~")
        for item in ReportDayItem.query(project_pk(project_id), condition, page_size=500):
            day, severity = item.sk[len(REPORT_SK_PREFIX):].split("#", 1)
            found[(day, severity)] = {name: int(getattr(item, name)) for name in ReportDayItem.get_attributes()
                                      if name not in ("pk", "sk", "kind") and getattr(item, name) is not None}
        return found

    def add_to_partition_counts(self, deltas: dict[tuple[str, str, str], int]) -> None:
        """Applies {(project id, index attribute, partition key): change}; ADD keeps it commutative."""
        for (project_id, attribute, value), delta in deltas.items():
            if delta:
                item = PartitionCountItem(project_pk(project_id), partition_count_sk(attribute, value))
                item.update(actions=[PartitionCountItem.count.add(delta)])

    # ---- projects ----------------------------------------------------------------------------

    def project(self, project_id: str) -> Project | None:
        try:
            return to_project(ProjectItem.get(project_pk(project_id), PROJECT_SK, consistent_read=True))
        except DoesNotExist:
            return None

    def create_project(self, project: Project, admin: Member, key: ApiKey) -> None:
        pk = project_pk(project.id)
        with self._transaction() as tx:
            tx.save(ProjectItem(pk, PROJECT_SK, project_id=project.id, name=project.name, key=project.key,
                                created_at=project.created_at, ticket_counter=0),
                    condition=ProjectItem.pk.does_not_exist())
            self._save_member(tx, project.id, admin)
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

    # ---- SLA policies ------------------------------------------------------------------------

    def sla_policy(self, project_id: str, version: int) -> SlaPolicyItem | None:
        try:
            return SlaPolicyItem.get(project_pk(project_id), sla_policy_sk(version))
        except DoesNotExist:
            return None

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

    def update_project(self, project_id: str, changes: dict) -> Project:
        """Sets `name` and/or `default_assignee` (None removes it) and returns the project."""
        item = ProjectItem(project_pk(project_id), PROJECT_SK)
        actions = []
        if "name" in changes:
            actions.append(ProjectItem.name.set(changes["name"]))
        if "default_assignee" in changes:
            value = changes["default_assignee"]
            actions.append(ProjectItem.default_assignee.set(value) if value else ProjectItem.default_assignee.remove())
        item.update(actions=actions, condition=ProjectItem.pk.exists())
        return to_project(item)

    # ---- members -----------------------------------------------------------------------------

    def members(self, project_id: str) -> list[Member]:
        return [to_member(item) for item in MemberItem.query(
            project_pk(project_id), MemberItem.sk.startswith(MEMBER_SK_PREFIX), consistent_read=True)]

    def member(self, project_id: str, user_id: str) -> Member | None:
        try:
            return to_member(MemberItem.get(project_pk(project_id), MEMBER_SK_PREFIX + user_id, consistent_read=True))
        except DoesNotExist:
            return None

    def add_member(self, project_id: str, member: Member) -> None:
        with self._transaction() as tx:
            self._save_member(tx, project_id, member)

    def update_member(self, project_id: str, before: Member, after: Member, keys: list[ApiKey]) -> None:
        """Saves the member; a role change is copied onto the member's keys in the same write."""
        with self._transaction() as tx:
            tx.save(member_item(project_id, after), condition=MemberItem.role == before.role)
            if after.role != before.role:
                for key in keys:
                    item = ApiKeyItem(project_pk(project_id), API_KEY_SK_PREFIX + key.id)
                    tx.update(item, actions=[ApiKeyItem.role.set(after.role)], condition=ApiKeyItem.pk.exists())

    def remove_member(self, project_id: str, member: Member, keys: list[ApiKey], teams: list[Team]) -> None:
        """Removes the member, revokes their keys and takes them out of their teams, at once."""
        pk = project_pk(project_id)
        with self._transaction() as tx:
            tx.delete(MemberItem(pk, MEMBER_SK_PREFIX + member.user_id), condition=MemberItem.pk.exists())
            tx.delete(EmailGuardItem(pk, EMAIL_SK_PREFIX + member.email))
            for key in keys:
                tx.delete(ApiKeyItem(pk, API_KEY_SK_PREFIX + key.id))
            for team in teams:
                remaining = [m for m in team.members if m != member.user_id]
                tx.update(TeamItem(pk, TEAM_SK_PREFIX + team.id), actions=[TeamItem.members.set(remaining)])

    def _save_member(self, tx: models.Transaction, project_id: str, member: Member) -> None:
        pk = project_pk(project_id)
        tx.save(member_item(project_id, member), condition=MemberItem.pk.does_not_exist())
        tx.save(EmailGuardItem(pk, EMAIL_SK_PREFIX + member.email, user_id=member.user_id),
                condition=EmailGuardItem.pk.does_not_exist())

    # ---- teams -------------------------------------------------------------------------------

    def teams(self, project_id: str) -> list[Team]:
        return [to_team(item) for item in TeamItem.query(
            project_pk(project_id), TeamItem.sk.startswith(TEAM_SK_PREFIX), consistent_read=True)]

    def team(self, project_id: str, team_id: str) -> Team | None:
        try:
            return to_team(TeamItem.get(project_pk(project_id), TEAM_SK_PREFIX + team_id, consistent_read=True))
        except DoesNotExist:
            return None

    def save_team(self, project_id: str, team: Team, *, new: bool) -> None:
        item = TeamItem(project_pk(project_id), TEAM_SK_PREFIX + team.id, team_id=team.id, name=team.name,
                        email=team.email, members=list(team.members), created_at=team.created_at)
        item.save(condition=TeamItem.pk.does_not_exist() if new else TeamItem.pk.exists())

    def delete_team(self, project_id: str, team_id: str) -> None:
        TeamItem(project_pk(project_id), TEAM_SK_PREFIX + team_id).delete()

    # ---- API keys ----------------------------------------------------------------------------

    def api_keys(self, project_id: str) -> list[ApiKey]:
        return [to_api_key(item) for item in ApiKeyItem.query(
            project_pk(project_id), ApiKeyItem.sk.startswith(API_KEY_SK_PREFIX), consistent_read=True)]

    def add_api_key(self, project_id: str, key: ApiKey, member: Member | None) -> None:
        """Adds a key; a member's key is written only while the member still has that role."""
        with self._transaction() as tx:
            tx.save(api_key_item(project_id, key), condition=ApiKeyItem.pk.does_not_exist())
            if member is not None:
                tx.condition_check(MemberItem, project_pk(project_id), MEMBER_SK_PREFIX + member.user_id,
                                   condition=MemberItem.role == member.role)

    def delete_api_key(self, project_id: str, key_id: str) -> None:
        ApiKeyItem(project_pk(project_id), API_KEY_SK_PREFIX + key_id).delete()

    def _transaction(self):
        return models.Transaction(Conflict("already exists, or changed by another request"))


def report_sk(day: str, severity: str) -> str:
    return f"{REPORT_SK_PREFIX}{day}#{severity}"


def sla_policy_sk(version: int) -> str:
    return f"{SLA_POLICY_SK_PREFIX}{version:08d}"


def partition_count_sk(attribute: str, value: str) -> str:
    return f"{PARTITION_COUNT_SK_PREFIX}{attribute}#{value}"


def to_project(item: ProjectItem) -> Project:
    return Project(id=item.project_id, name=item.name, key=item.key, created_at=item.created_at,
                   workflow=item.workflow, default_assignee=item.default_assignee,
                   sla_policy_version=int(item.sla_policy_version) if item.sla_policy_version is not None else None)


def member_item(project_id: str, member: Member) -> MemberItem:
    return MemberItem(project_pk(project_id), MEMBER_SK_PREFIX + member.user_id, user_id=member.user_id,
                      email=member.email, name=member.name, role=member.role, created_at=member.created_at,
                      notifications=member.notifications.as_dict())


def to_member(item: MemberItem) -> Member:
    return Member(user_id=item.user_id, email=item.email, name=item.name, role=item.role,
                  created_at=item.created_at, notifications=NotificationSettings.from_stored(item.notifications))


def to_team(item: TeamItem) -> Team:
    return Team(id=item.team_id, name=item.name, email=item.email, members=tuple(item.members or ()),
                created_at=item.created_at)


def api_key_item(project_id: str, key: ApiKey) -> ApiKeyItem:
    return ApiKeyItem(project_pk(project_id), API_KEY_SK_PREFIX + key.id, key_id=key.id, name=key.name,
                      secret_hash=key.secret_hash, role=key.role, user_id=key.user_id,
                      automation=key.automation, created_at=key.created_at)


def to_api_key(item: ApiKeyItem) -> ApiKey:
    return ApiKey(id=item.key_id, name=item.name, role=item.role, user_id=item.user_id,
                  automation=bool(item.automation), created_at=item.created_at, secret_hash=item.secret_hash)
