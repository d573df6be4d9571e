"""The session cookie's attributes, and the stage path it is scoped to whatever the route."""
from types import SimpleNamespace

import pytest

from chalicelib.api import cookies
from chalicelib.domain.accounts import SessionCookie


def request(path: str, resource: str, cookie: str | None = None):
    return SimpleNamespace(context={"path": path, "resourcePath": resource},
                           headers={"cookie": cookie} if cookie is not None else {})


@pytest.mark.parametrize("path, resource, stage", [
    ("/api/v1/ce/session", "/v1/ce/session", "/api"),
    ("/api/v1/ce/sessions/abc123", "/v1/ce/sessions/{session_id}", "/api"),
    ("/api/v1/ce/sign-in/oidc/corp/callback", "/v1/ce/sign-in/oidc/{provider_id}/callback", "/api"),
    ("/api/", "/", "/api"),
    ("/v1/ce/sessions/abc123", "/v1/ce/sessions/{session_id}", "/"),   # served at the root (locally)
    ("/", "/", "/"),
    ("/elsewhere/x", "/v1/ce/session", "/"),                             # not the route's path: no guess
])
def test_the_stage_path_is_what_comes_before_the_route(path, resource, stage):
    assert cookies.stage_path(request(path, resource)) == stage


def test_a_session_cookie_is_http_only_lax_secure_and_scoped_to_the_stage(monkeypatch):
    monkeypatch.delenv("INSECURE_COOKIES", raising=False)
    given = cookies.give_session(request("/api/v1/ce/sign-in/code", "/v1/ce/sign-in/code"),
                                 SessionCookie("a1", "s1", "secret"), 2592000)
    assert given == "ticketry_session=a1.s1.secret; Max-Age=2592000; Path=/api; HttpOnly; SameSite=Lax; Secure"
    cleared = cookies.clear_session(request("/api/v1/ce/sessions/s1", "/v1/ce/sessions/{session_id}"))
    assert cleared == "ticketry_session=; Max-Age=0; Path=/api; HttpOnly; SameSite=Lax; Secure"
    pending = cookies.give_pending(request("/api/v1/ce/sign-in/email", "/v1/ce/sign-in/email"), "p", 900)
    assert pending == "ticketry_pending=p; Max-Age=900; Path=/api/v1/ce/sign-in; HttpOnly; SameSite=Lax; Secure"


def test_only_the_local_stack_drops_secure(monkeypatch):
    monkeypatch.setenv("INSECURE_COOKIES", "1")
    given = cookies.give_session(request("/v1/ce/session", "/v1/ce/session"), SessionCookie("a", "s", "x"), 60)
    assert given == "ticketry_session=a.s.x; Max-Age=60; Path=/; HttpOnly; SameSite=Lax"


def test_the_cookie_is_read_among_others():
    header = 'theme=dark; ticketry_session=a.s.x; other="quoted"; broken; =; ticketry_pending=p'
    assert cookies.session_cookie(request("/", "/", header)) == "a.s.x"
    assert cookies.pending_cookie(request("/", "/", header)) == "p"
    assert cookies.session_cookie(request("/", "/", "theme=dark")) is None
    assert cookies.session_cookie(request("/", "/")) is None
    assert cookies.session_cookie(request("/", "/", "ticketry_session=")) is None
