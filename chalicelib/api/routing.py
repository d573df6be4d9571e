"""How a route is declared, authenticated, parsed and answered.

Every route goes through `endpoint`, which registers it with Chalice and in ROUTES, the table the
OpenAPI document is built from. Bodies, query strings and the headers a route reads are validated
by the route's pydantic models; domain errors become the one JSON error shape here and nowhere else.
"""
import json
import logging
import re
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, Callable

from chalice import Blueprint, Response
from pydantic import BaseModel, ValidationError

from chalicelib.adapters.availability import passing_failure
from chalicelib.domain.people import Principal
from chalicelib.domain.tickets import TICKET_KEY_PATTERN
from chalicelib.errors import (
    DomainError,
    FieldError,
    InvalidJson,
    NotFound,
    PayloadTooLarge,
    ValidationFailed,
    error_body,
    error_headers,
)
from chalicelib.services.registry import services

log = logging.getLogger(__name__)
MAX_BODY_BYTES = 1024 * 1024
JSON = "application/json"
# Every id we issue matches this; anything else cannot exist, and must not reach DynamoDB
# (whose key size limits would turn an absurd path into a server error).
ID_PATTERN = re.compile(r"[0-9a-z_]{1,64}")
# A ticket is named by its id or by its key (OPS-42); the key is turned into the id here, once,
# so that every ticket route and the services behind it see ids only.
TICKET_PARAM = "ticket_id"
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    name: str
    summary: str
    status: int
    role: str | None                 # None: no API key needed
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    response: type[BaseModel] | None
    headers: type[BaseModel] | None  # the request headers the route reads, by their names (aliases)
    tag: str


ROUTES: list[Route] = []


@dataclass
class Reply:
    """A handler's answer when it needs a status or headers other than the route's default."""
    body: Any
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Call:
    principal: Principal | None
    body: Any
    query: Any
    headers: Any


def endpoint(bp: Blueprint, method: str, path: str, *, summary: str, status: int = 200,
             role: str | None = "viewer", body: type[BaseModel] | None = None,
             query: type[BaseModel] | None = None, response: type[BaseModel] | None = None,
             headers: type[BaseModel] | None = None, tag: str = "tickets",
             ids: dict[str, re.Pattern] | None = None) -> Callable:
    """`ids` gives a path parameter a pattern of its own instead of ID_PATTERN."""
    patterns = {TICKET_PARAM: (ID_PATTERN, TICKET_KEY_PATTERN)} | {name: (pattern,) for name, pattern in (ids or {}).items()}

    def register(handler: Callable) -> Callable:
        ROUTES.append(Route(method, path, handler.__name__, summary, status, role, body, query, response,
                            headers, tag))

        @wraps(handler)
        def view(**path_params):
            request = bp.current_request
            try:
                for name, value in path_params.items():
                    if not any(pattern.fullmatch(value) for pattern in patterns.get(name, (ID_PATTERN,))):
                        raise NotFound(f"no such {name.removesuffix('_id').replace('_', ' ')}")
                call = Call(principal=None, body=None, query=None, headers=None)
                if role is not None:
                    call.principal = services().auth.authenticate(
                        request.headers.get("authorization"), path_params.get("project_id"), _source_ip(request))
                    call.principal.require(role)
                if body is not None:
                    call.body = _parse_body(body, request.raw_body)
                if query is not None:
                    call.query = _parse(query, dict(request.query_params or {}))
                if headers is not None:
                    call.headers = _parse(headers, _headers_read(headers, request.headers or {}))
                if TICKET_PARAM in path_params and call.principal is not None:
                    path_params[TICKET_PARAM] = services().ticket_reads.resolve(call.principal, path_params[TICKET_PARAM])
                result = handler(call, **path_params)
            except DomainError as error:
                return error_response(error)
            except Exception as error:
                passing = passing_failure(error)
                if passing is None:
                    raise
                log.warning("%s %s: %s", method, path, passing.message, exc_info=True)
                return error_response(passing)
            return _respond(result, status)

        bp.route(path, methods=[method], content_types=[JSON])(view)
        return handler

    return register


def _source_ip(request) -> str | None:
    """The caller's address as API Gateway saw it (never a header the caller could write)."""
    return ((request.context or {}).get("identity") or {}).get("sourceIp")


def error_response(error: DomainError) -> Response:
    return Response(body=json.dumps(error_body(error)), status_code=error.status,
                    headers={"Content-Type": JSON, **error_headers(error)})


def _respond(result: Any, default_status: int) -> Response:
    reply = result if isinstance(result, Reply) else Reply(result)
    status = reply.status or default_status
    headers = {"Content-Type": JSON, **reply.headers}
    if status in (204, 302):
        return Response(body="", status_code=status, headers=reply.headers)
    payload = reply.body.model_dump(mode="json") if isinstance(reply.body, BaseModel) else reply.body
    return Response(body=json.dumps(payload), status_code=status, headers=headers)


def _json_body(raw: bytes | None) -> Any:
    raw = raw or b""
    if len(raw) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"the body is larger than {MAX_BODY_BYTES} bytes")
    if not raw.strip():
        raise InvalidJson("the request needs a JSON body", [FieldError("body", "missing")])
    try:
        data = json.loads(raw, parse_float=_json_number)
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise InvalidJson(f"the body is not valid JSON: {error}", [FieldError("body", "not valid JSON")]) from None
    try:
        where = _lone_surrogate(data)
    except RecursionError:
        raise InvalidJson("the body is nested too deeply", [FieldError("body", "nested too deeply")]) from None
    if where is not None:
        raise ValidationFailed.on(where, "holds a lone surrogate escape (\\ud800-\\udfff), which is no character")
    return data


def _json_number(text: str) -> int | float:
    """A number written with a fraction or an exponent: JSON Schema counts 3.0 and 3e2 as integers,
    so they are read as such (a boolean or a string never is)."""
    number = float(text)
    return int(number) if number.is_integer() else number


def _lone_surrogate(value: Any, path: str = "") -> str | None:
    """Where a string (or an object key) holds a lone surrogate: JSON lets `\\ud800` be written, but
    it is no Unicode character and no store takes it (UTF-8 cannot encode it)."""
    if isinstance(value, str):
        return (path or "body") if _SURROGATE.search(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{path}.{key}" if path else str(key)
            if _SURROGATE.search(key):
                return path or "body"
            found = _lone_surrogate(item, here)
            if found is not None:
                return found
    elif isinstance(value, list):
        for item in value:
            found = _lone_surrogate(item, path)
            if found is not None:
                return found
    return None


def _parse_body(model: type[BaseModel], raw: bytes | None) -> BaseModel:
    """JSON's types are taken as they are, as the document states them: 0 is no boolean, false no
    integer, "3" no number (pydantic's lax mode, meant for text such as query strings, would take
    each). Validated from JSON text, where strict mode still reads date-times from strings; the
    text is the body as read by json.loads, so both readers see the same values."""
    data = _json_body(raw)
    if not isinstance(data, dict):
        raise ValidationFailed.on("body", "must be a JSON object")
    return _validated(lambda: model.model_validate_json(json.dumps(data, ensure_ascii=False), strict=True))


def _headers_read(model: type[BaseModel], headers) -> dict[str, str]:
    names = (field.alias or name for name, field in model.model_fields.items())
    return {name: headers[name] for name in names if name in headers}


def _parse(model: type[BaseModel], data: dict) -> BaseModel:
    """Query strings and headers are text: their values are read as the fields' types (lax mode)."""
    return _validated(lambda: model.model_validate(data))


def _validated(validate: Callable[[], BaseModel]) -> BaseModel:
    try:
        return validate()
    except ValidationError as error:
        # A bad key of an object is named by the key itself (pydantic adds "[key]" after it).
        details = [FieldError(".".join(str(part) for part in e["loc"] if part != "[key]") or "body", _message(e))
                   for e in error.errors()]
        raise ValidationFailed("; ".join(f"{d.field}: {d.message}" for d in details), details) from None


def _message(error: dict) -> str:
    if error["type"] == "extra_forbidden":
        return "unknown field"
    return error["msg"].removeprefix("Value error, ")
