import json

import pytest
from chalice.test import Client

from chalicelib.services.registry import services
from tests.conftest import STAGE


class Api:
    """A thin HTTP client over chalice.test.Client for one project and one key."""

    def __init__(self, client: Client, project_id: str, token: str):
        self.client = client
        self.project_id = project_id
        self.token = token

    def as_key(self, token: str) -> "Api":
        return Api(self.client, self.project_id, token)

    def url(self, path: str) -> str:
        return f"/v1/ce/projects/{self.project_id}{path}"

    def call(self, method: str, path: str, body=None, headers=None, raw: bytes | str | None = None):
        all_headers = {"Content-Type": "application/json"}
        if self.token is not None:
            all_headers["Authorization"] = f"Bearer {self.token}"
        all_headers.update(headers or {})
        payload = raw if raw is not None else (json.dumps(body) if body is not None else None)
        response = getattr(self.client.http, method.lower())(self.url(path), headers=all_headers, body=payload)
        response.json = json.loads(response.body) if response.body else None
        return response

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.call("POST", path, body, **kw)

    def patch(self, path, body=None, **kw):
        return self.call("PATCH", path, body, **kw)

    def put(self, path, body=None, **kw):
        return self.call("PUT", path, body, **kw)

    def delete(self, path, **kw):
        return self.call("DELETE", path, **kw)

    def create_ticket(self, **fields):
        body = {"title": "Disk full on db-1", "description": "", "severity": "high"} | fields
        response = self.post("/tickets", body)
        assert response.status_code == 201, response.body
        return response.json

    def add_member(self, role: str, email: str | None = None) -> dict:
        email = email or f"{role}-{len(self.get('/members').json['data'])}@example.com"
        response = self.post("/members", {"email": email, "name": role.title(), "role": role})
        assert response.status_code == 201, response.body
        return response.json

    def key_for(self, user_id: str) -> str:
        response = self.post("/api-keys", {"name": f"key-{user_id}", "user_id": user_id})
        assert response.status_code == 201, response.body
        return response.json["secret"]

    def automation_key(self, name: str, role: str = "member") -> str:
        response = self.post("/api-keys", {"name": name, "automation": True, "role": role})
        assert response.status_code == 201, response.body
        return response.json["secret"]


def new_project(client: Client, key: str = "OPS") -> tuple[Api, dict]:
    project, admin, issued = services().people.create_project("Operations", key, "admin@example.com", "Ada Admin")
    return Api(client, project.id, issued.token), {"user_id": admin.user_id}


@pytest.fixture
def client(aws):
    from app import app

    with Client(app, stage_name=STAGE) as test_client:
        yield test_client


@pytest.fixture
def api(client) -> Api:
    return new_project(client)[0]


@pytest.fixture
def admin_id(api) -> str:
    members = api.get("/members").json["data"]
    return next(m["user_id"] for m in members if m["role"] == "admin")
