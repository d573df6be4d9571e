"""The OpenAPI document matches the app: every route is in it, and generated requests (valid and
invalid) get documented answers, never a 5xx."""
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

import app as _app  # noqa: F401  (registers the routes)
from chalicelib.api.openapi import document
from chalicelib.api.routing import ROUTES
from tests.api.conftest import new_project
from tests.api.wsgi import as_wsgi

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def test_document_is_served_and_lists_every_route(client):
    response = client.http.get("/v1/ce/openapi.json")
    assert response.status_code == 200
    document = __import__("json").loads(response.body)
    assert document["openapi"].startswith("3.1")
    operations = {(method.upper(), path) for path, item in document["paths"].items() for method in item}
    assert operations == {(route.method, route.path) for route in ROUTES}
    assert "TicketCreate" in document["components"]["schemas"]


SCHEMA = schemathesis.openapi.from_dict(document())
OPERATIONS = {op.label: op for op in (result.ok() for result in SCHEMA.get_all_operations())}


@pytest.fixture
def contract(client):
    api, _ = new_project(client)
    ticket = api.create_ticket(tags=["db"])
    attachment = api.post(f"/tickets/{ticket['id']}/attachments",
                          {"file_name": "log.txt", "content_type": "text/plain", "size": 3}).json["attachment"]
    view = api.post("/views", {"name": "Databases", "query": "tags=db", "shared": True}).json
    comment = api.post(f"/tickets/{ticket['id']}/comments", {"comment": "on it"}).json
    return {"api": api, "ticket": ticket, "attachment": attachment, "view": view, "comment": comment,
            "app": as_wsgi(client)}


# Invalid requests need something to get wrong: the schema document and the list of sign-in
# providers take no input.
TAKE_NO_INPUT = {"GET /v1/ce/openapi.json", "GET /v1/ce/sign-in/providers"}
CASES = [(label, mode) for label in sorted(OPERATIONS) for mode in GenerationMode
         if mode is GenerationMode.POSITIVE or label not in TAKE_NO_INPUT]


@pytest.mark.parametrize("label,mode", CASES)
def test_generated_requests_get_documented_answers(contract, label, mode):
    api = contract["api"]
    operation = OPERATIONS[label]
    operation.app = contract["app"]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=12, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    def check(case):
        if "project_id" in (case.path_parameters or {}):
            case.path_parameters["project_id"] = api.project_id
        if "ticket_id" in (case.path_parameters or {}) and len(str(case.path_parameters["ticket_id"])) % 2:
            case.path_parameters["ticket_id"] = contract["ticket"]["id"]
        if "attachment_id" in (case.path_parameters or {}) and len(str(case.path_parameters["attachment_id"])) % 2:
            case.path_parameters["attachment_id"] = contract["attachment"]["id"]
        if "view_id" in (case.path_parameters or {}) and len(str(case.path_parameters["view_id"])) % 2:
            case.path_parameters["view_id"] = contract["view"]["id"]
        if "comment_id" in (case.path_parameters or {}) and len(str(case.path_parameters["comment_id"])) % 2:
            case.path_parameters["comment_id"] = contract["comment"]["id"]
        case.headers = dict(case.headers or {}) | {"Authorization": f"Bearer {api.token}"}
        case.call_and_validate(app=contract["app"], checks=CHECKS)

    check()
