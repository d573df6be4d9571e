"""People across the deployment: accounts, their sessions, and the secrets that sign them in.

An account is one person (one email) in every project they are a member of; a project's member is
an account's membership, with the role the project gives it. A session is a random id and secret
kept in a cookie; what is stored of every secret is a hash, so a copy of the table signs nobody in.
"""
import hashlib
import hmac
import secrets
from dataclasses import dataclass

CODE_DIGITS = 6
MAX_WRONG_CODES = 5
SESSION_COOKIE = "ticketry_session"
PENDING_COOKIE = "ticketry_pending"
OIDC_METHOD_PREFIX = "oidc:"
# Sign-in methods a session records; an OIDC session is `oidc:<provider id>`.
EMAIL_CODE = "email_code"
EMAIL_LINK = "email_link"
ONE_TIME_LINK = "link"


@dataclass(frozen=True)
class Account:
    id: str
    email: str
    name: str
    created_at: str
    last_sign_in_at: str | None = None

    @property
    def invited(self) -> bool:
        """Made for an invitation and never signed in."""
        return self.last_sign_in_at is None


@dataclass(frozen=True)
class Membership:
    """An account's place in one project: the member it is there, with the role it has."""
    project_id: str
    account_id: str
    user_id: str
    role: str


@dataclass(frozen=True)
class StoredSession:
    account_id: str
    id: str
    secret_hash: str
    method: str
    created_at: str
    last_used_at: str
    last_used_epoch: int
    absolute_expires_at: int   # epoch seconds
    expires_at: int            # epoch seconds: the sooner of idle and absolute expiry (the table's TTL)
    ip: str | None = None
    user_agent: str | None = None

    def alive(self, now: float) -> bool:
        return now < self.expires_at and now < self.absolute_expires_at

    @property
    def single_sign_on(self) -> bool:
        return self.method.startswith(OIDC_METHOD_PREFIX)


@dataclass(frozen=True)
class SessionCookie:
    """What the cookie carries: where the session is kept, and the secret only its hash matches."""
    account_id: str
    session_id: str
    secret: str

    def value(self) -> str:
        return f"{self.account_id}.{self.session_id}.{self.secret}"

    @classmethod
    def parse(cls, value: str | None) -> "SessionCookie | None":
        parts = (value or "").strip().split(".", 2)
        if len(parts) != 3 or not all(parts):
            return None
        return cls(*parts)


@dataclass(frozen=True)
class Challenge:
    """An emailed code, waiting in the browser that asked for it (the pending cookie's hash keys it).
    `account_id` is None for an address no account has: the same item is written either way."""
    pending_hash: str
    email: str
    account_id: str | None
    code_hash: str
    wrong_tries: int
    created_at: str
    expires_at: int


@dataclass(frozen=True)
class OneTimeLink:
    """A link that signs an account in once. An emailed link is bound to the browser that asked
    (`pending_hash`); an operator's link is not."""
    token_hash: str
    email: str
    account_id: str | None
    expires_at: int
    pending_hash: str | None = None


@dataclass(frozen=True)
class OidcState:
    state_hash: str
    provider_id: str
    nonce: str
    code_verifier: str
    return_to: str
    expires_at: int


def keyed_hash(key: bytes, value: str) -> str:
    """How codes, link tokens, pending secrets and OIDC states are stored: a code has only a million
    values, so a plain hash of it would be no secret; keyed by the deployment's secret, it is."""
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def hashes_match(a: str, b: str) -> bool:
    return hmac.compare_digest(a, b)


def new_code() -> str:
    return f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"


def new_token() -> str:
    """256 random bits, URL-safe: session secrets, link tokens, pending secrets, OIDC states."""
    return secrets.token_urlsafe(32)


def hash_session_secret(secret: str) -> str:
    """256 random bits need no key nor slow hash (as API keys)."""
    return hashlib.sha256(secret.encode()).hexdigest()
