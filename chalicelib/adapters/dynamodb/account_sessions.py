"""Accounts' sessions on the directory table (pk `A#<account id>`, sk `SESSION#<session id>`), and
the read that authenticates a session's request: the session, the project and the project's
`ACCOUNT#<account id>` item (the member's id and role) in one BatchGetItem."""
from typing import Iterable

from pynamodb.exceptions import DeleteError, PutError, UpdateError

from chalicelib.adapters.dynamodb import models
from chalicelib.adapters.dynamodb.directory import to_project
from chalicelib.adapters.dynamodb.keys import (
    PROJECT_SK,
    SESSION_SK_PREFIX,
    account_pk,
    project_account_sk,
    project_pk,
    session_sk,
)
from chalicelib.adapters.dynamodb.models import ProjectAccountItem, ProjectItem, SessionItem, _DirectoryTable
from chalicelib.domain.accounts import Membership, StoredSession
from chalicelib.domain.people import Project
from chalicelib.errors import Conflict

CONDITION_FAILED = "ConditionalCheckFailedException"


class DynamoAccountSessions:
    def __init__(self):
        models.bind()

    def add_session(self, session: StoredSession) -> None:
        # Ids are random (80 bits); the condition only makes sure no session is ever overwritten.
        try:
            session_item(session).save(condition=SessionItem.pk.does_not_exist())
        except PutError as error:
            if error.cause_response_code == CONDITION_FAILED:
                raise Conflict("already exists, or changed by another request") from error
            raise

    def session(self, account_id: str, session_id: str) -> StoredSession | None:
        try:
            return to_session(SessionItem.get(account_pk(account_id), session_sk(session_id), consistent_read=True))
        except SessionItem.DoesNotExist:
            return None

    def sessions_of(self, account_id: str) -> list[StoredSession]:
        """Every stored session of the account, expired ones included until TTL removes them."""
        return [to_session(item) for item in SessionItem.query(
            account_pk(account_id), SessionItem.sk.startswith(SESSION_SK_PREFIX), consistent_read=True)]

    def session_project_role(self, account_id: str, session_id: str,
                             project_id: str) -> tuple[StoredSession | None, Project | None, Membership | None]:
        """The session, the project and the account's membership of it, in one BatchGetItem:
        the role is read on every request, so a role change or a removal takes effect at once."""
        pk = project_pk(project_id)
        keys = [(account_pk(account_id), session_sk(session_id)), (pk, PROJECT_SK), (pk, project_account_sk(account_id))]
        session = project = membership = None
        for item in _DirectoryTable.batch_get(keys, consistent_read=True):
            if isinstance(item, SessionItem):
                session = to_session(item)
            elif isinstance(item, ProjectItem):
                project = to_project(item)
            elif isinstance(item, ProjectAccountItem):
                membership = Membership(project_id=project_id, account_id=item.account_id, user_id=item.user_id,
                                        role=item.role)
        return session, project, membership

    def touch_session(self, session: StoredSession) -> bool:
        """Records the session's last use and its new expiry; False (and nothing written) when the
        session has ended meanwhile: an UpdateItem alone would bring it back."""
        item = SessionItem(account_pk(session.account_id), session_sk(session.id))
        try:
            item.update(actions=[SessionItem.last_used_at.set(session.last_used_at),
                                 SessionItem.last_used_epoch.set(session.last_used_epoch),
                                 SessionItem.expires_at.set(session.expires_at)],
                        condition=SessionItem.pk.exists())
        except UpdateError as error:
            if error.cause_response_code == CONDITION_FAILED:
                return False
            raise
        return True

    def delete_session(self, account_id: str, session_id: str) -> bool:
        """Ends one session; False when there was none."""
        try:
            SessionItem(account_pk(account_id), session_sk(session_id)).delete(condition=SessionItem.pk.exists())
        except DeleteError as error:
            if error.cause_response_code == CONDITION_FAILED:
                return False
            raise
        return True

    def delete_sessions(self, account_id: str, session_ids: Iterable[str]) -> None:
        """Ends these sessions in BatchWriteItem calls (25 a call; PynamoDB retries the unprocessed)."""
        pk = account_pk(account_id)
        with SessionItem.batch_write() as batch:
            for session_id in dict.fromkeys(session_ids):
                batch.delete(SessionItem(pk, session_sk(session_id)))


def session_item(session: StoredSession) -> SessionItem:
    return SessionItem(account_pk(session.account_id), session_sk(session.id), session_id=session.id,
                       secret_hash=session.secret_hash, method=session.method, created_at=session.created_at,
                       last_used_at=session.last_used_at, last_used_epoch=session.last_used_epoch,
                       absolute_expires_at=session.absolute_expires_at, expires_at=session.expires_at,
                       ip=session.ip, user_agent=session.user_agent)


def to_session(item: SessionItem) -> StoredSession:
    return StoredSession(account_id=item.pk[len(account_pk("")):], id=item.session_id, secret_hash=item.secret_hash,
                         method=item.method, created_at=item.created_at, last_used_at=item.last_used_at,
                         last_used_epoch=int(item.last_used_epoch), absolute_expires_at=int(item.absolute_expires_at),
                         expires_at=int(item.expires_at), ip=item.ip, user_agent=item.user_agent)
