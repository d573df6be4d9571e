"""The web UI: one page for each address people open (the ticket links in emails among them) and the
content-hashed assets it loads.

web/build.mjs writes the page and its assets into chalicelib/static, which Chalice deploys with
the code. Every asset is text: API Gateway would answer binary bodies only to requests whose first
Accept value matches. The page names its assets relative to a <base> that points at the root of
the app, so the same page works under a stage prefix (/api/...) and on the local server.
"""
import hashlib
import json
import re
from functools import lru_cache
from pathlib import Path

from chalice import Blueprint, Response

from chalicelib.services.registry import services

bp = Blueprint(__name__)

STATIC = Path(__file__).resolve().parent.parent / "static"
ASSET_NAME = re.compile(r"[A-Za-z0-9_-]+\.[0-9A-Za-z]+\.(js|css)")
ASSET_TYPES = {"js": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8"}
BASE_MARKER = "{{base}}"
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    # Ticket addresses name projects and tickets: links people follow out of a description must not
    # carry them along.
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


def content_security_policy(storage_origin: str) -> str:
    """Scripts and styles from the app only; uploads go to, and thumbnails come from, the bucket."""
    return "; ".join([
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        f"img-src 'self' data: {storage_origin}",
        f"connect-src 'self' {storage_origin}",
        "form-action 'self'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
    ])


@lru_cache(maxsize=8)
def _page(base: str) -> tuple[str, str] | None:
    try:
        template = (STATIC / "index.html").read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    page = template.replace(BASE_MARKER, base)
    return page, '"' + hashlib.sha256(page.encode()).hexdigest()[:32] + '"'


@lru_cache(maxsize=32)
def _asset(name: str) -> str | None:
    try:
        return (STATIC / "assets" / name).read_text(encoding="utf-8")
    except (FileNotFoundError, IsADirectoryError):
        return None


def _not_built() -> Response:
    body = {"error": {"code": "ui_not_built", "message": "the web UI has not been built (make run builds it)",
                      "details": []}}
    return Response(body=json.dumps(body), status_code=503, headers={"Content-Type": "application/json"})


def _serve_page(base: str) -> Response:
    built = _page(base)
    if built is None:
        return _not_built()
    page, etag = built
    headers = {"Cache-Control": "no-cache", "ETag": etag, **SECURITY_HEADERS,
               "Content-Security-Policy": content_security_policy(services().attachments.storage_origin())}
    if etag in _listed_etags(bp.current_request.headers.get("if-none-match")):
        return Response(body="", status_code=304, headers=headers)
    return Response(body=page, status_code=200, headers={"Content-Type": "text/html; charset=utf-8", **headers})


def _listed_etags(header: str | None) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in (header or "").split(",") if tag.strip()}


@bp.route("/")
def root():
    # Relative Location headers resolve against "/api" and "/api/" differently, so the stage
    # prefix (what the request's path has before the route's) is spelled out.
    context = bp.current_request.context or {}
    path, resource = context.get("path") or "/", context.get("resourcePath") or "/"
    prefix = path[:len(path) - len(resource)] if path.endswith(resource) else ""
    return Response(body="", status_code=302, headers={"Location": prefix.rstrip("/") + "/ui"})


# The <base> of each page climbs from the page's address to the app's root.
@bp.route("/ui")
def former_sign_in_page():
    # Where sign-in links used to point: the page sends people on to /sign-in, or to their project.
    return _serve_page("./")


@bp.route("/sign-in")
def sign_in_page():
    return _serve_page("./")


@bp.route("/profile")
def profile_page():
    return _serve_page("./")


@bp.route("/inbox")
def inbox_page():
    return _serve_page("./")


@bp.route("/projects/{project_id}")
def ticket_list_page(project_id: str):
    return _serve_page("../")


@bp.route("/projects/{project_id}/new")
def new_ticket_page(project_id: str):
    return _serve_page("../../")


@bp.route("/projects/{project_id}/reports")
def reports_page(project_id: str):
    return _serve_page("../../")


@bp.route("/projects/{project_id}/sla")
def sla_settings_page(project_id: str):
    return _serve_page("../../")


@bp.route("/projects/{project_id}/members")
def members_page(project_id: str):
    return _serve_page("../../")


@bp.route("/projects/{project_id}/email")
def project_email_page(project_id: str):
    return _serve_page("../../")


@bp.route("/projects/{project_id}/tickets/{ticket_id}")
def ticket_page(project_id: str, ticket_id: str):
    return _serve_page("../../../")


@bp.route("/ui/assets/{name}")
def asset(name: str):
    body = _asset(name) if ASSET_NAME.fullmatch(name) else None
    if body is None:
        return Response(body=json.dumps({"error": {"code": "not_found", "message": "no such asset", "details": []}}),
                        status_code=404, headers={"Content-Type": "application/json"})
    return Response(body=body, status_code=200, headers={
        "Content-Type": ASSET_TYPES[name.rsplit(".", 1)[1]],
        "Cache-Control": "public, max-age=31536000, immutable", **SECURITY_HEADERS})
