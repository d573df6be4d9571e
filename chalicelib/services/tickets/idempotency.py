"""Requests made with an Idempotency-Key: the key's scope, the request's fingerprint, and the first
answer kept for 24 hours to answer its retries."""
import hashlib
import json
import time

from pydantic import BaseModel

from chalicelib.domain.idempotency import IDEMPOTENCY_WINDOW_SECONDS, StoredResponse
from chalicelib.domain.people import Principal
from chalicelib.errors import Conflict
from chalicelib.services.ports import Idempotency


def scope(principal: Principal, idempotency_key: str) -> str:
    return f"IDEM#{principal.project.id}#{principal.actor}#{idempotency_key}"


def request_hash(body: BaseModel, operation: str = "") -> str:
    """A request's fingerprint; `operation` keeps one key used on two routes from matching."""
    canonical = json.dumps(body.model_dump(mode="json", exclude_unset=True), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256((operation + canonical).encode()).hexdigest()


def replay(tickets: Idempotency, scope: str, request_hash: str) -> StoredResponse | None:
    """The answer kept for this key, if it is still kept; a 409 when the key came with another body."""
    stored = tickets.stored_response(scope)
    if stored is None or stored.expires_at < time.time():
        return None
    if stored.request_hash != request_hash:
        raise Conflict("this Idempotency-Key was used with a different request body")
    return stored


def kept(scope: str | None, request_hash: str | None, status_code: int, body: dict) -> StoredResponse | None:
    """The answer to keep, written with the request's own change; None without a key."""
    if scope is None:
        return None
    return StoredResponse(scope, request_hash, status_code, body, expires_at())


def expires_at() -> int:
    return int(time.time()) + IDEMPOTENCY_WINDOW_SECONDS
