"""Turns a request's credentials into its caller: an Authorization header into a Principal for the
project in the path, counting the wrong keys (domain.attempts: past the limits they are answered
429 instead of 401); without one, the session cookie (services.sessions)."""
import time
from typing import Callable

from chalicelib import config
from chalicelib.domain import attempts, secrets
from chalicelib.domain.people import AccountPrincipal, Principal
from chalicelib.errors import NotFound, TooManyWrongKeys, Unauthorized
from chalicelib.services.ports import KeyDirectory
from chalicelib.services.sessions import SessionService

# Subjects this process saw over their limit, per window: their next wrong keys are refused
# without another write (the counts only matter up to the limit). Bounded, as a flood from many
# sources must not grow it without end.
MAX_REMEMBERED_BLOCKS = 10_000


class Authenticator:
    def __init__(self, directory: KeyDirectory, sessions: SessionService, clock: Callable[[], float] = time.time):
        self.directory = directory
        self.sessions = sessions
        self.clock = clock
        self._blocked: tuple[attempts.Window, set[str]] = (attempts.window_at(0), set())

    def caller(self, authorization: str | None, session_cookie: str | None, project_id: str | None,
               source: str | None) -> Principal | AccountPrincipal:
        """An Authorization header, whenever one is sent, is the only credential read (the key
        path, unchanged); otherwise the session cookie. A session on a route without a project
        is the account alone."""
        if authorization is not None or session_cookie is None:
            return self.authenticate(authorization, project_id, source)
        return self.sessions.authenticate(session_cookie, project_id, source)

    def authenticate(self, authorization: str | None, project_id: str | None, source: str | None) -> Principal:
        """The success path reads the key and the project (one BatchGetItem) and nothing else;
        only a wrong key pays for being counted. `project_id` is the project in the route's path;
        None (a route with no project in its path) takes the project the key belongs to."""
        token = _bearer(authorization)
        parsed = secrets.parse_token(token)
        if parsed is None:
            # Nothing was looked up: a token of no known form costs nothing to refuse.
            raise Unauthorized("the API key is not valid")
        if project_id is None:
            project_id = parsed.project_id
        if parsed.project_id != project_id:
            # A genuine key of another project gets 404, so a path never tells a stranger that a
            # project exists; anything else is simply an invalid key.
            other = self.directory.api_key(parsed.project_id, parsed.key_id)
            if other is not None and secrets.secret_matches(parsed.secret, other.secret_hash):
                raise NotFound("project not found")
            raise self._wrong_key(source, parsed.project_id, parsed.key_id if other is not None else None)
        key, project = self.directory.key_and_project(project_id, parsed.key_id)
        if key is None or project is None or not secrets.secret_matches(parsed.secret, key.secret_hash):
            raise self._wrong_key(source, project_id, parsed.key_id if key is not None else None)
        return Principal(project=project, actor=key.actor, role=key.role, key_id=key.id,
                         user_id=None if key.automation else key.user_id)

    def _wrong_key(self, source: str | None, project_id: str, key_id: str | None) -> Unauthorized | TooManyWrongKeys:
        """Counts a wrong key against its source and, when it names a key that exists, that key;
        the answer is 429 once either is past its limit this minute."""
        now = self.clock()
        window = attempts.window_at(now)
        limits = {attempts.source_subject(source): config.wrong_keys_per_source()}
        if key_id is not None:
            limits[attempts.key_subject(project_id, key_id)] = config.wrong_keys_per_key()
        blocked = self._blocked_in(window)
        over = bool(blocked & limits.keys())
        for subject, limit in limits.items():
            if subject in blocked:
                continue
            count = self.directory.count_wrong_key(subject, window)
            if count is not None and count > limit:
                over = True
                if len(blocked) < MAX_REMEMBERED_BLOCKS:
                    blocked.add(subject)
        if over:
            return TooManyWrongKeys(window.seconds_left(now))
        return Unauthorized("the API key is not valid")

    def _blocked_in(self, window: attempts.Window) -> set[str]:
        if self._blocked[0] != window:
            self._blocked = (window, set())
        return self._blocked[1]


def _bearer(authorization: str | None) -> str:
    if authorization is None:
        raise Unauthorized("sign in, or send an API key as 'Authorization: Bearer <key>'")
    if not authorization:
        raise Unauthorized("send an API key as 'Authorization: Bearer <key>'")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("send an API key as 'Authorization: Bearer <key>'")
    return token.strip()
