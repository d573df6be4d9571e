"""What a request made with an Idempotency-Key leaves behind so that its retries change nothing."""
import hashlib
from dataclasses import dataclass

from chalicelib.errors import Conflict

IDEMPOTENCY_WINDOW_SECONDS = 24 * 3600


class ClaimTaken(Conflict):
    """A dedup or idempotency guard was claimed by a concurrent request."""


@dataclass(frozen=True)
class StoredResponse:
    """The first answer to a request made with an Idempotency-Key, kept to answer its retries."""
    scope: str
    request_hash: str
    status_code: int
    body: dict
    expires_at: int


@dataclass(frozen=True)
class CommentMark:
    """Written with a comment so that the request that made it cannot make it twice."""
    pk: str
    expires_at: int


def comment_mark_pk(scope: str, ticket_id: str) -> str:
    # The scope holds the caller's Idempotency-Key (up to 255 characters): a hash keeps keys short.
    return f"BULK#{hashlib.sha256(scope.encode()).hexdigest()[:32]}#{ticket_id}"
