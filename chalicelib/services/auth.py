"""Turns an Authorization header into a Principal for the project in the path."""
from chalicelib.adapters.directory_repo import DirectoryRepository
from chalicelib.domain import secrets
from chalicelib.domain.people import Principal
from chalicelib.errors import NotFound, Unauthorized


def authenticate(directory: DirectoryRepository, authorization: str | None, project_id: str) -> Principal:
    token = _bearer(authorization)
    parsed = secrets.parse_token(token)
    if parsed is None:
        raise Unauthorized("the API key is not valid")
    if parsed.project_id != project_id:
        # A genuine key of another project gets 404, so a path never tells a stranger that a
        # project exists; anything else is simply an invalid key.
        other = directory.api_key(parsed.project_id, parsed.key_id)
        if other is not None and secrets.secret_matches(parsed.secret, other.secret_hash):
            raise NotFound("project not found")
        raise Unauthorized("the API key is not valid")
    key, project = directory.key_and_project(project_id, parsed.key_id)
    if key is None or project is None or not secrets.secret_matches(parsed.secret, key.secret_hash):
        raise Unauthorized("the API key is not valid")
    return Principal(project=project, actor=key.actor, role=key.role, key_id=key.id,
                     user_id=None if key.automation else key.user_id)


def _bearer(authorization: str | None) -> str:
    if not authorization:
        raise Unauthorized("send an API key as 'Authorization: Bearer <key>'")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("send an API key as 'Authorization: Bearer <key>'")
    return token.strip()
