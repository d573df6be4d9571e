"""Sessions: starting one when an account signs in, turning a session cookie into the caller of a
request, listing and ending them; and what a signed-in account reads and changes of itself. Only a
session's hash is stored; its cookie carries the secret."""
import re
import time
from dataclasses import replace
from datetime import datetime, timezone
from typing import Callable

from chalicelib import config
from chalicelib.domain.accounts import (
    Account,
    Membership,
    SessionCookie,
    StoredSession,
    hash_session_secret,
    hashes_match,
    new_token,
)
from chalicelib.domain.clock import iso, new_id
from chalicelib.domain.people import AccountPrincipal, Principal, Project
from chalicelib.errors import NotFound, SessionExpired, SsoRequired, Unauthorized
from chalicelib.services import ports

# What a cookie's parts can be: ids are new_id() values and secrets token_urlsafe(32) text. Anything
# else was never issued, and is refused before it reaches DynamoDB (whose key limits would turn an
# absurd value into a server error).
_ID = re.compile(r"[0-9a-z]{1,64}")
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,128}")
# What is kept of a client's description of itself, to show it back in the list of sessions.
MAX_USER_AGENT = 512
MAX_IP = 64


class SessionService:
    def __init__(self, sessions: ports.Sessions, accounts: ports.Accounts, clock: Callable[[], float] = time.time):
        self.sessions = sessions
        self.accounts = accounts
        self.clock = clock

    def start(self, account: Account, method: str, ip: str | None,
              user_agent: str | None) -> tuple[StoredSession, SessionCookie]:
        """A new session (new id, new secret) for an account that has just proved who it is, and
        the cookie that carries it; the account's sign-in is recorded (it is no longer invited)."""
        now = self.clock()
        secret = new_token()
        at, epoch = _iso(now), int(now)
        absolute = epoch + config.session_absolute_seconds()
        session = StoredSession(account_id=account.id, id=new_id(), secret_hash=hash_session_secret(secret),
                                method=method, created_at=at, last_used_at=at, last_used_epoch=epoch,
                                absolute_expires_at=absolute,
                                expires_at=min(epoch + config.session_idle_seconds(), absolute),
                                ip=(ip or None) and ip[:MAX_IP], user_agent=(user_agent or None) and user_agent[:MAX_USER_AGENT])
        self.sessions.add_session(session)
        self.accounts.record_sign_in(account.id, at)
        return session, SessionCookie(account.id, session.id, secret)

    def authenticate(self, cookie_value: str | None, project_id: str | None,
                     ip: str | None = None) -> Principal | AccountPrincipal:
        """The caller a session cookie names: in the project of the route's path, with the role its
        membership has there now (one BatchGetItem), or, on a route without a project, the account
        alone (one GetItem). The session's last use is written at most once per touch interval."""
        cookie = SessionCookie.parse(cookie_value)
        if cookie is None or not (_ID.fullmatch(cookie.account_id) and _ID.fullmatch(cookie.session_id)
                                  and _SECRET.fullmatch(cookie.secret)):
            raise _not_signed_in()
        if project_id is None:
            session, project, membership = self.sessions.session(cookie.account_id, cookie.session_id), None, None
        else:
            session, project, membership = self.sessions.session_project_role(cookie.account_id, cookie.session_id,
                                                                              project_id)
        if session is None or not hashes_match(hash_session_secret(cookie.secret), session.secret_hash):
            raise _not_signed_in()
        now = self.clock()
        if self._expired(session, now):
            raise SessionExpired("the session has expired; sign in again")
        if project_id is not None:
            # Not a member (any more): the project is not there for this account, as for a key of
            # another project.
            if project is None or membership is None:
                raise NotFound("project not found")
            if project.require_sso and not session.single_sign_on and membership.role != "admin":
                raise SsoRequired("this project's members sign in with its single sign-on provider")
        self._touch(session, now)
        if project is None:
            return AccountPrincipal(account_id=session.account_id, session_id=session.id,
                                    sign_in_method=session.method)
        return Principal(project=project, actor=membership.user_id, role=membership.role, key_id=None,
                         user_id=membership.user_id, account_id=session.account_id, session_id=session.id,
                         sign_in_method=session.method)

    def list_sessions(self, account_id: str) -> list[StoredSession]:
        """The account's live sessions, the most recently used first."""
        now = self.clock()
        live = [s for s in self.sessions.sessions_of(account_id) if not self._expired(s, now)]
        return sorted(live, key=lambda s: (s.last_used_epoch, s.created_at), reverse=True)

    def end(self, account_id: str, session_id: str) -> None:
        """Ends one of the account's own sessions; NotFound when it has none by that id."""
        if not self.sessions.delete_session(account_id, session_id):
            raise NotFound("no such session")

    def end_others(self, account_id: str, current_session_id: str) -> None:
        """Signs the account out everywhere but here."""
        self.sessions.delete_sessions(account_id, [s.id for s in self.sessions.sessions_of(account_id)
                                                   if s.id != current_session_id])

    def account(self, account_id: str) -> Account:
        """The signed-in account; a session whose account is gone signs nobody in."""
        account = self.accounts.account(account_id)
        if account is None:
            raise _not_signed_in()
        return account

    def projects(self, account_id: str) -> list[tuple[Project, Membership]]:
        """Every project the account is a member of, with its role there now, by project name."""
        return sorted(self.accounts.projects_of(account_id), key=lambda pair: (pair[0].name.lower(), pair[0].id))

    def rename_account(self, account_id: str, name: str) -> Account:
        return self.accounts.rename_account(account_id, name)

    @staticmethod
    def _expired(session: StoredSession, now: float) -> bool:
        # The idle limit is also read from the settings, so that shortening it takes effect at once.
        return not session.alive(now) or now >= session.last_used_epoch + config.session_idle_seconds()

    def _touch(self, session: StoredSession, now: float) -> None:
        if now - session.last_used_epoch < config.session_touch_seconds():
            return
        epoch = int(now)
        self.sessions.touch_session(replace(
            session, last_used_at=_iso(now), last_used_epoch=epoch,
            expires_at=min(epoch + config.session_idle_seconds(), session.absolute_expires_at)))


def _not_signed_in() -> Unauthorized:
    return Unauthorized("the session is not valid; sign in again")


def _iso(epoch: float) -> str:
    return iso(datetime.fromtimestamp(epoch, timezone.utc))
