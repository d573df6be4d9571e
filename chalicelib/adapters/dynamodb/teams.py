"""A project's teams (sk `TEAM#<team id>`)."""
from pynamodb.exceptions import DoesNotExist

from chalicelib.adapters.dynamodb import models
from chalicelib.adapters.dynamodb.directory import to_team
from chalicelib.adapters.dynamodb.keys import TEAM_SK_PREFIX, project_pk, team_sk
from chalicelib.adapters.dynamodb.models import TeamItem
from chalicelib.domain.people import Team


class DynamoTeams:
    def __init__(self):
        models.bind()

    def teams(self, project_id: str) -> list[Team]:
        return [to_team(item) for item in TeamItem.query(
            project_pk(project_id), TeamItem.sk.startswith(TEAM_SK_PREFIX), consistent_read=True)]

    def team(self, project_id: str, team_id: str) -> Team | None:
        try:
            return to_team(TeamItem.get(project_pk(project_id), team_sk(team_id), consistent_read=True))
        except DoesNotExist:
            return None

    def save_team(self, project_id: str, team: Team, *, new: bool) -> None:
        item = TeamItem(project_pk(project_id), team_sk(team.id), team_id=team.id, name=team.name,
                        email=team.email, members=list(team.members), created_at=team.created_at)
        item.save(condition=TeamItem.pk.does_not_exist() if new else TeamItem.pk.exists())

    def delete_team(self, project_id: str, team_id: str) -> None:
        TeamItem(project_pk(project_id), team_sk(team_id)).delete()


