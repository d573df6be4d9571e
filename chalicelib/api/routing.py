"""How a route is declared, authenticated, parsed and answered.

Every route goes through `endpoint`, which registers it with Chalice and in ROUTES, the table the
OpenAPI document is built from. Bodies, query strings and the headers a route reads are validated
by the route's pydantic models; domain errors become the one JSON error shape here and nowhere else.

A request is authenticated by its Authorization header (an API key) or, without one, by the
browser's session cookie. A browser sends its cookie with whatever a page of another site makes it
send, so a request that acts with the cookie must prove it comes from the app's own pages: any
method but GET, HEAD and OPTIONS needs `Sec-Fetch-Site: same-origin` (or, from a browser that does
not send it, the app's own `Origin`) and a JSON body, which no other site's form can send and no
other site's script can send without a CORS preflight this app never grants.
"""
import json
import logging
import re
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, Callable
from urllib.parse import urlsplit

from chalice import Blueprint, Response
from chalice.app import error_response as chalice_error_response
from pydantic import BaseModel, ValidationError

from chalicelib import config
from chalicelib.adapters.availability import passing_failure
from chalicelib.api.cookies import session_cookie
from chalicelib.domain.people import AccountPrincipal, Principal
from chalicelib.domain.tickets import TICKET_KEY_PATTERN
from chalicelib.errors import (
    CrossOriginRequest,
    DomainError,
    FieldError,
    InvalidJson,
    NotASession,
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
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# What a page of another site can send without a CORS preflight: a form's encodings and text. Chalice
# lets them through to `endpoint` (it answers any other type 415 itself), which answers them 415 as
# Chalice would, unless they come with a session cookie: then they are what a forged request looks
# like, and are refused as one (403).
FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data", "text/plain")
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
    role: str | None                 # None: no credentials needed
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    response: type[BaseModel] | None
    headers: type[BaseModel] | None  # the request headers the route reads, by their names (aliases)
    tag: str
    same_origin: bool = False        # a route without credentials that only the app's own pages may call
    session_only: bool = False       # a route about the caller's sessions, which an API key has none of
    # The route's own error answers, {status: description}, where the common list does not fit;
    # and the headers of its success answer, {name: description} (both for the OpenAPI document).
    errors: dict[str, str] | None = None
    response_headers: dict[str, str] | None = None
    cookies: dict[str, str] | None = None      # cookies the route reads beyond the session's, {name: description}
    more_errors: dict[str, str] | None = None  # error answers beyond the common list, {status: description}


ROUTES: list[Route] = []


@dataclass
class Reply:
    """A handler's answer when it needs a status or headers other than the route's default (a list
    of values sends the header once for each, as Set-Cookie needs)."""
    body: Any
    status: int | None = None
    headers: dict[str, str | list[str]] = field(default_factory=dict)


@dataclass
class Call:
    """What a handler gets: its caller (a Principal in the project of the path; an AccountPrincipal,
    a session's account, on a route without a project), and the parsed body, query and headers."""
    principal: Principal | AccountPrincipal | None
    body: Any
    query: Any
    headers: Any


def endpoint(bp: Blueprint, method: str, path: str, *, summary: str, status: int = 200,
             role: str | None = "viewer", body: type[BaseModel] | None = None,
             query: type[BaseModel] | None = None, response: type[BaseModel] | None = None,
             headers: type[BaseModel] | None = None, tag: str = "tickets",
             ids: dict[str, re.Pattern] | None = None, same_origin: bool = False,
             session_only: bool = False, errors: dict[str, str] | None = None,
             response_headers: dict[str, str] | None = None, cookies: dict[str, str] | None = None,
             more_errors: dict[str, str] | None = None) -> Callable:
    """`ids` gives a path parameter a pattern of its own instead of ID_PATTERN. `same_origin` holds
    a route that needs no credentials (signing in) to the rule of a session's requests: only the
    app's own pages may call it, with JSON. `session_only` answers an API key 403: the route is
    about the caller's sessions or account, and a key has none. `errors`, `response_headers` and
    `cookies` describe the route exactly in the OpenAPI document, where the common error list would
    not; `more_errors` adds to that list."""
    patterns = {TICKET_PARAM: (ID_PATTERN, TICKET_KEY_PATTERN)} | {name: (pattern,) for name, pattern in (ids or {}).items()}

    def register(handler: Callable) -> Callable:
        ROUTES.append(Route(method, path, handler.__name__, summary, status, role, body, query, response,
                            headers, tag, same_origin, session_only, errors, response_headers, cookies,
                            more_errors))

        @wraps(handler)
        def view(**path_params):
            request = bp.current_request
            request_headers = request.headers or {}
            # The cookie is read only without an Authorization header: a key's request is a key's alone.
            cookie = None if "authorization" in request_headers else session_cookie(request)
            browser_rule = same_origin or (role is not None and cookie is not None and method not in SAFE_METHODS)
            content_type = request_headers.get("content-type", JSON)
            if not browser_rule and not _is_json(content_type):
                return _unsupported_media_type(content_type)
            try:
                if browser_rule:
                    _require_own_page(request_headers, content_type)
                for name, value in path_params.items():
                    if not any(pattern.fullmatch(value) for pattern in patterns.get(name, (ID_PATTERN,))):
                        raise NotFound(f"no such {name.removesuffix('_id').replace('_', ' ')}")
                call = Call(principal=None, body=None, query=None, headers=None)
                if role is not None:
                    call.principal = services().auth.caller(request_headers.get("authorization"), cookie,
                                                            path_params.get("project_id"), source_ip(request))
                    if session_only and call.principal.session_id is None:
                        raise NotASession("an API key is not a session; this route is for a signed-in browser")
                    if isinstance(call.principal, Principal):
                        call.principal.require(role)
                if body is not None:
                    call.body = _parse_body(body, request.raw_body)
                if query is not None:
                    call.query = _parse(query, dict(request.query_params or {}))
                if headers is not None:
                    call.headers = _parse(headers, _headers_read(headers, request.headers or {}))
                if TICKET_PARAM in path_params and isinstance(call.principal, Principal):
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

        bp.route(path, methods=[method], content_types=[JSON, *FORM_CONTENT_TYPES])(view)
        return handler

    return register


def _is_json(content_type: str) -> bool:
    """As Chalice matches a route's content types: any of the header's parts, `*/*` matching all."""
    parts = {part.strip().lower() for part in re.split("[,;]", content_type)}
    return JSON in parts or "*/*" in parts


def _unsupported_media_type(content_type: str) -> Response:
    """Chalice's own 415, word for word, as every route answered before it let forms through."""
    return chalice_error_response(message=f"Unsupported media type: {content_type}", error_code="UnsupportedMediaType",
                                  http_status_code=415)


def _require_own_page(headers, content_type: str) -> None:
    """403 unless the request comes from the app's own pages, with a JSON body (module docstring)."""
    site = headers.get("sec-fetch-site")
    if site is not None:
        if site != "same-origin":
            raise CrossOriginRequest(f"a signed-in request must come from this app's pages; Sec-Fetch-Site is {site}")
    else:
        origin = headers.get("origin")
        if origin is None:
            raise CrossOriginRequest("a signed-in request must come from this app's pages; it names no origin "
                                     "(neither Sec-Fetch-Site nor Origin)")
        if origin.rstrip("/").lower() not in _own_origins(headers):
            raise CrossOriginRequest(f"a signed-in request must come from this app's pages; Origin {origin} is "
                                     "another site")
    if not _is_json(content_type):
        raise CrossOriginRequest(f"a signed-in request must send JSON (Content-Type {JSON}), not {content_type}")


def _own_origins(headers) -> set[str]:
    """PUBLIC_URL's origin, and the origin of the host the request was sent to (over HTTPS; over
    plain HTTP too where cookies are sent without Secure, on the local stack)."""
    public = urlsplit(config.public_url())
    origins = {f"{public.scheme}://{public.netloc}".lower()}
    host = (headers.get("host") or "").strip().lower()
    if host:
        origins.add(f"https://{host}")
        if config.insecure_cookies():
            origins.add(f"http://{host}")
    return origins


def source_ip(request) -> str | None:
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
