"""Accounts' sessions in memory, with the same conditions as adapters/dynamodb/account_sessions.py."""
from dataclasses import replace
from typing import Iterable

from chalicelib.adapters.memory.store import MemoryRepository
from chalicelib.domain.accounts import Membership, StoredSession
from chalicelib.domain.people import Project
from chalicelib.errors import Conflict


class MemoryAccountSessions(MemoryRepository):
    def add_session(self, session: StoredSession) -> None:
        key = (session.account_id, session.id)
        if key in self.store.account_sessions:
            raise Conflict("already exists, or changed by another request")
        self.store.account_sessions[key] = session

    def session(self, account_id: str, session_id: str) -> StoredSession | None:
        return self.store.account_sessions.get((account_id, session_id))

    def sessions_of(self, account_id: str) -> list[StoredSession]:
        return [session for (aid, _), session in sorted(self.store.account_sessions.items()) if aid == account_id]

    def session_project_role(self, account_id: str, session_id: str,
                             project_id: str) -> tuple[StoredSession | None, Project | None, Membership | None]:
        stored = self.store.projects.get(project_id)
        return (self.session(account_id, session_id), stored.project if stored else None,
                self.store.project_accounts.get((project_id, account_id)))

    def touch_session(self, session: StoredSession) -> bool:
        kept = self.store.account_sessions.get((session.account_id, session.id))
        if kept is None:
            return False
        self.store.account_sessions[(session.account_id, session.id)] = replace(
            kept, last_used_at=session.last_used_at, last_used_epoch=session.last_used_epoch,
            expires_at=session.expires_at)
        return True

    def delete_session(self, account_id: str, session_id: str) -> bool:
        return self.store.account_sessions.pop((account_id, session_id), None) is not None

    def delete_sessions(self, account_id: str, session_ids: Iterable[str]) -> None:
        for session_id in session_ids:
            self.store.account_sessions.pop((account_id, session_id), None)
