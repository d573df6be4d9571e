"""The OpenAPI 3.1 document, built from ROUTES and the pydantic models they name."""
import re
from functools import lru_cache

from chalice import Blueprint
from pydantic.json_schema import models_json_schema

from chalicelib.api.routing import ROUTES, TICKET_PARAM, endpoint
from chalicelib.domain.accounts import SESSION_COOKIE
from chalicelib.schemas.common import ErrorBody
from chalicelib.schemas.webhook_payloads import PAYLOADS

bp = Blueprint(__name__)
REF = "#/components/schemas/{model}"
ERRORS = {
    "400": "Invalid input; `details` names each bad field",
    "401": "Missing or invalid API key or session cookie; `session_expired` once a session has gone unused for "
           "its idle lifetime or reached its absolute one (sign in again)",
    "403": "The key's or membership's role does not allow this; (on /me) the key belongs to an automation; (on "
           "views) the view is built-in, or shared and made by someone else; (on webhooks) the webhook was "
           "subscribed by another member or key, and only they or an admin may manage it; "
           "`cross_origin_request`: a request with the session cookie, other than GET, that did not come from "
           "the app's own pages with a JSON body; `sso_required`: the project has its members (but admins) sign "
           "in with its single sign-on provider; `not_a_session`: (on the session and account routes) an API "
           "key has no session nor account",
    "404": "No such project or resource for this key",
    "409": "Conflicts with the current state, or names a member or team the project does not have",
    "412": "If-Match does not match the current version",
    "413": "Body larger than 1 MiB, or a file over the attachment size limit",
}

# A storage call that still fails after the SDK's own retries: nothing was changed, try again.
RETRYABLE = {
    "429": "Throttled by the storage (`throttled`), or too many wrong API keys from this source or for this key "
           "this minute (`too_many_wrong_keys`); nothing was changed",
    "503": "The storage (or, resending an invitation, the mail service) failed or timed out; nothing was changed",
}

TICKET_PARAM_DESCRIPTION = "The ticket's id, or its key (OPS-42, in any case)"


# Chalice answers a request whose Content-Type is not JSON itself, before any route runs, in its
# own error shape.
UNSUPPORTED_MEDIA_TYPE = {
    "description": "The request's Content-Type is not application/json",
    "content": {"application/json": {"schema": {
        "type": "object", "required": ["Code", "Message"],
        "properties": {"Code": {"const": "UnsupportedMediaType"}, "Message": {"type": "string"}}}}},
}


# The sign-in routes a browser is sent through: their answer is where to go next, never a body.
REDIRECT = {
    "description": "Where the browser goes next (`Location`); failures go to the sign-in page with "
                   "`?error=<code>`",
    "headers": {
        "Location": {"description": "The next page", "schema": {"type": "string"}},
        "Set-Cookie": {"description": "The cookies given or cleared on the way", "schema": {"type": "string"}},
    },
}


@lru_cache(maxsize=1)
def document() -> dict:
    keyed = {(ErrorBody, "serialization")}
    for route in ROUTES:
        if route.body is not None:
            keyed.add((route.body, "validation"))
        if route.response is not None:
            keyed.add((route.response, "serialization"))
    keyed.update((payload, "serialization") for payload in PAYLOADS.values())
    refs, definitions = models_json_schema(sorted(keyed, key=lambda pair: (pair[0].__name__, pair[1])),
                                           ref_template=REF)
    schemas = definitions.get("$defs", {})

    paths: dict = {}
    for route in ROUTES:
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route, refs, schemas)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Ticketry API", "version": "1.0.0",
                 "description": "Tickets, incidents and their history, for people and automation flows."},
        "paths": paths,
        "webhooks": {event_type: _webhook(event_type, payload, refs) for event_type, payload in PAYLOADS.items()},
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "apiKey": {"type": "http", "scheme": "bearer"},
                "sessionCookie": {"type": "apiKey", "in": "cookie", "name": SESSION_COOKIE,
                                  "description": "A browser's session, set when it signs in (HttpOnly). Any "
                                                 "method but GET, HEAD and OPTIONS also needs `Sec-Fetch-Site: "
                                                 "same-origin` (or the app's own `Origin`) and a JSON body"},
            },
        },
    }


def _operation(route, refs, schemas) -> dict:
    parameters = [{"name": name, "in": "path", "required": True, "schema": {"type": "string", "minLength": 1}}
                  | ({"description": TICKET_PARAM_DESCRIPTION} if name == TICKET_PARAM else {})
                  for name in re.findall(r"{(\w+)}", route.path)]
    for where, model in (("query", route.query), ("header", route.headers)):
        if model is not None:
            parameters += _parameters(where, model)
    parameters += [{"name": name, "in": "cookie", "required": False, "description": description,
                    "schema": {"type": "string"}} for name, description in (route.cookies or {}).items()]
    operation = {"operationId": route.name, "summary": route.summary, "tags": [route.tag], "parameters": parameters}
    if route.session_only:
        operation["security"] = [{"sessionCookie": []}]
        operation["description"] = "Needs a signed-in session (the session cookie); an API key is answered 403."
    elif route.role is not None:
        operation["security"] = [{"apiKey": []}, {"sessionCookie": []}]
        operation["description"] = f"Needs the {route.role} role."
    elif route.same_origin:
        operation["description"] = ("Only from the app's own pages: `Sec-Fetch-Site: same-origin` (or the app's own "
                                    "`Origin`) and a JSON body, else 403 `cross_origin_request`.")
    if route.body is not None:
        operation["requestBody"] = {"required": True, "content": {"application/json": {
            "schema": refs[(route.body, "validation")]}}}
    responses = {}
    if route.status == 204:
        responses["204"] = {"description": "Done"}
    elif route.status == 302:
        responses["302"] = REDIRECT
    else:
        schema = refs[(route.response, "serialization")] if route.response else {"type": "object"}
        responses[str(route.status)] = {"description": "OK", "content": {"application/json": {"schema": schema}}}
        if route.response_headers:
            responses[str(route.status)]["headers"] = {name: {"description": description, "schema": {"type": "string"}}
                                                       for name, description in route.response_headers.items()}
        if route.name == "create_ticket":
            responses["200"] = {"description": "An open ticket with the same dedup_key absorbed this one",
                                "content": {"application/json": {"schema": schema}}}
    error = {"content": {"application/json": {"schema": refs[(ErrorBody, "serialization")]}}}
    retry_after = {"headers": {"Retry-After": {"description": "Seconds to wait before trying again",
                                               "schema": {"type": "integer", "minimum": 0}}}}
    if route.errors is not None:
        for status, description in route.errors.items():
            responses[status] = {"description": description, **error, **(retry_after if status in RETRYABLE else {})}
        operation["responses"] = responses
        return operation
    for status, description in (ERRORS | (route.more_errors or {})).items():
        responses[status] = {"description": description, **error}
    responses["415"] = UNSUPPORTED_MEDIA_TYPE
    for status, description in RETRYABLE.items():
        responses[status] = {"description": description, **error, **retry_after}
    operation["responses"] = responses
    return operation


# Standard Webhooks 1.0: what a receiver checks before it trusts a body (docs/webhooks.md).
WEBHOOK_HEADERS = [
    {"name": "webhook-id", "in": "header", "required": True,
     "description": "The same on every attempt and redelivery of one event to one subscription: deduplicate on it",
     "schema": {"type": "string", "pattern": "^msg_[A-Za-z0-9_]+$"}},
    {"name": "webhook-timestamp", "in": "header", "required": True,
     "description": "When this attempt was made, in Unix seconds; refuse one far from your clock",
     "schema": {"type": "string", "pattern": "^[0-9]+$"}},
    {"name": "webhook-signature", "in": "header", "required": True,
     "description": "v1,<base64 HMAC-SHA256 of {webhook-id}.{webhook-timestamp}.{body}, keyed with the secret after "
                    "whsec_>; two, separated by a space, for 24 hours after a rotation",
     "schema": {"type": "string", "pattern": "^v1,[A-Za-z0-9+/=]+( v1,[A-Za-z0-9+/=]+)*$"}},
]


def _webhook(event_type: str, payload, refs) -> dict:
    return {"post": {
        "operationId": f"webhook_{event_type.lower()}",
        "summary": (payload.__doc__ or event_type).strip(),
        "tags": ["webhooks"],
        "parameters": WEBHOOK_HEADERS,
        "requestBody": {"required": True, "content": {"application/json": {"schema": refs[(payload, "serialization")]}}},
        "responses": {"2XX": {"description": "Received. Any other answer, a redirect or a timeout is a failed attempt, "
                                             "tried again later"}},
    }}


def _parameters(where: str, model) -> list[dict]:
    schema = model.model_json_schema(ref_template=REF)
    required = set(schema.get("required", []))
    parameters = []
    for name, prop in schema["properties"].items():
        prop = dict(prop)
        description = prop.pop("description", None)
        parameter = {"name": name, "in": where, "required": name in required, "schema": prop}
        if description:
            parameter["description"] = description
        parameters.append(parameter)
    return parameters


@endpoint(bp, "GET", "/v1/ce/openapi.json", summary="This document", role=None, tag="meta")
def openapi(call, **_):
    return document()
