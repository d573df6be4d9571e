"""A project's API keys (sk `APIKEY#<key id>`), and the auth lookup: a key and its project in one read."""
from pynamodb.exceptions import DoesNotExist

from chalicelib.adapters.dynamodb import models
from chalicelib.adapters.dynamodb.directory import api_key_item, api_key_of, to_api_key, to_project, transaction
from chalicelib.adapters.dynamodb.keys import API_KEY_SK_PREFIX, PROJECT_SK, api_key_sk, member_sk, project_pk
from chalicelib.adapters.dynamodb.models import ApiKeyItem, MemberItem, ProjectItem, _DirectoryTable
from chalicelib.domain.people import ApiKey, Member, Project


class DynamoApiKeys:
    def __init__(self):
        models.bind()

    def key_and_project(self, project_id: str, key_id: str) -> tuple[ApiKey | None, Project | None]:
        """The auth lookup: the key and its project in one BatchGetItem."""
        pk = project_pk(project_id)
        key = project = None
        for item in _DirectoryTable.batch_get([(pk, api_key_sk(key_id)), (pk, PROJECT_SK)], consistent_read=True):
            if isinstance(item, ApiKeyItem):
                key = to_api_key(item)
            elif isinstance(item, ProjectItem):
                project = to_project(item)
        return key, project

    def api_key(self, project_id: str, key_id: str) -> ApiKey | None:
        try:
            return to_api_key(ApiKeyItem.get(project_pk(project_id), api_key_sk(key_id), consistent_read=True))
        except DoesNotExist:
            return None

    def api_keys(self, project_id: str) -> list[ApiKey]:
        return [to_api_key(item) for item in ApiKeyItem.query(
            project_pk(project_id), ApiKeyItem.sk.startswith(API_KEY_SK_PREFIX), consistent_read=True)]

    def add_api_key(self, project_id: str, key: ApiKey, member: Member | None) -> None:
        """Adds a key; a member's key is written only while the member still has that role."""
        with transaction() as tx:
            tx.save(api_key_item(project_id, key), condition=ApiKeyItem.pk.does_not_exist())
            if member is not None:
                tx.condition_check(MemberItem, project_pk(project_id), member_sk(member.user_id),
                                   condition=MemberItem.role == member.role)

    def delete_api_key(self, project_id: str, key_id: str) -> None:
        api_key_of(project_id, key_id).delete()


