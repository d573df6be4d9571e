"""The cookies a browser signs in with: reading them from a request, and the Set-Cookie headers that
give and clear them. Every cookie is HttpOnly (no script reads it), SameSite=Lax (another site's
forms and scripts do not carry it, its links do) and Secure (HTTPS only) unless the local stack
serves plain HTTP (config.insecure_cookies); each is scoped to the stage's path, so two stages on
one host keep theirs apart."""
import re

from chalicelib import config
from chalicelib.domain.accounts import PENDING_COOKIE, SESSION_COOKIE, SessionCookie

SIGN_IN_PATH = "/v1/ce/sign-in"


def read_cookie(request, name: str) -> str | None:
    """The value of cookie `name`, or None. Parsed by hand: the standard library's parser gives up
    on the whole header at the first value it dislikes, and another site's cookie on a shared
    parent domain is not ours to be stopped by. With two of the same name (two paths), the
    browser sends the more specific one first."""
    for pair in ((request.headers or {}).get("cookie") or "").split(";"):
        key, sep, value = pair.strip().partition("=")
        if sep and key == name:
            return value.strip().strip('"') or None
    return None


def session_cookie(request) -> str | None:
    return read_cookie(request, SESSION_COOKIE)


def pending_cookie(request) -> str | None:
    return read_cookie(request, PENDING_COOKIE)


def stage_path(request) -> str:
    """The path the app is served under: API Gateway's stage (`/api`), or `/` when served at the
    root (locally). It is what the request's path has before the route's own, segment by segment:
    a route's `{parameter}` stands for one segment of the path."""
    context = request.context or {}
    path = [part for part in (context.get("path") or "/").split("/") if part]
    resource = [part for part in (context.get("resourcePath") or "/").split("/") if part]
    prefix = path[:len(path) - len(resource)]
    matches = len(path) >= len(resource) and all(
        want.startswith("{") or want == have for want, have in zip(resource, path[len(prefix):]))
    return "/" + "/".join(prefix) if matches and prefix else "/"


def give_session(request, cookie: SessionCookie, max_age: int) -> str:
    """The Set-Cookie header of a new session; the browser keeps it for `max_age` seconds (the
    session's absolute lifetime: the server ends it sooner when it goes unused)."""
    return set_cookie(SESSION_COOKIE, cookie.value(), stage_path(request), max_age)


def clear_session(request) -> str:
    return set_cookie(SESSION_COOKIE, "", stage_path(request), 0)


def give_pending(request, secret: str, max_age: int) -> str:
    """The cookie that binds an emailed code (or link) to the browser that asked for it; sent only
    to the sign-in routes."""
    return set_cookie(PENDING_COOKIE, secret, _sign_in_path(request), max_age)


def clear_pending(request) -> str:
    return set_cookie(PENDING_COOKIE, "", _sign_in_path(request), 0)


def set_cookie(name: str, value: str, path: str, max_age: int) -> str:
    attributes = [f"{name}={value}", f"Max-Age={max(0, int(max_age))}", f"Path={path}", "HttpOnly", "SameSite=Lax"]
    if not config.insecure_cookies():
        attributes.append("Secure")
    return "; ".join(attributes)


def _sign_in_path(request) -> str:
    return stage_path(request).rstrip("/") + SIGN_IN_PATH
