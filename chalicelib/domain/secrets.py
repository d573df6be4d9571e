"""API key tokens: `tkt_<project id>_<key id>_<secret>`. Only a hash of the secret is kept.

The secret carries 256 random bits, so a single SHA-256 is enough (slow hashes protect guessable
passwords, not random keys) and keeps authentication cheap.
"""
import hashlib
import hmac
import secrets
from dataclasses import dataclass

PREFIX = "tkt"


@dataclass(frozen=True)
class ParsedToken:
    project_id: str
    key_id: str
    secret: str


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def format_token(project_id: str, key_id: str, secret: str) -> str:
    return f"{PREFIX}_{project_id}_{key_id}_{secret}"


def parse_token(token: str) -> ParsedToken | None:
    parts = token.split("_", 3)
    if len(parts) != 4 or parts[0] != PREFIX or not all(parts[1:]):
        return None
    return ParsedToken(parts[1], parts[2], parts[3])


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(secret: str, stored_hash: str) -> bool:
    return hmac.compare_digest(hash_secret(secret), stored_hash)
