"""Cookies are scoped to the path the app is served under: API Gateway's stage (`/api`) when the
request came through it, `/` when served at the root; found the same from routes with parameters."""
from types import SimpleNamespace

import pytest

from chalicelib.api import cookies


def request(path: str, resource: str):
    return SimpleNamespace(context={"path": path, "resourcePath": resource})


@pytest.mark.parametrize("path, resource, stage", [
    ("/api/v1/ce/session", "/v1/ce/session", "/api"),
    ("/v1/ce/session", "/v1/ce/session", "/"),
    ("/api/v1/ce/sign-in/oidc/okta/callback", "/v1/ce/sign-in/oidc/{provider_id}/callback", "/api"),
    ("/v1/ce/sign-in/oidc/okta/callback", "/v1/ce/sign-in/oidc/{provider_id}/callback", "/"),
    ("/prod/v1/ce/projects/p1/tickets/OPS-1", "/v1/ce/projects/{project_id}/tickets/{ticket_id}", "/prod"),
    ("/elsewhere", "/v1/ce/session", "/"),
])
def test_the_stage_path_is_what_the_path_has_before_the_route(path, resource, stage):
    assert cookies.stage_path(request(path, resource)) == stage
