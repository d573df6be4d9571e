"""Opaque, tamper-evident page cursors: a position plus the query it belongs to, HMAC-signed."""
import base64
import hashlib
import hmac
import json

from chalicelib.errors import InvalidCursor


def encode(position: str, scope: str, key: bytes) -> str:
    payload = json.dumps({"p": position, "s": scope}, separators=(",", ":")).encode()
    tag = hmac.new(key, payload, hashlib.sha256).digest()[:16]
    return _b64(payload) + "." + _b64(tag)


def decode(cursor: str, scope: str, key: bytes) -> str:
    try:
        payload_part, tag_part = cursor.split(".")
        payload = _unb64(payload_part)
        tag = _unb64(tag_part)
    except (ValueError, TypeError):
        raise InvalidCursor() from None
    expected = hmac.new(key, payload, hashlib.sha256).digest()[:16]
    if not hmac.compare_digest(tag, expected):
        raise InvalidCursor()
    data = json.loads(payload)
    if data.get("s") != scope or not isinstance(data.get("p"), str):
        raise InvalidCursor()
    return data["p"]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
