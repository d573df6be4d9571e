"""Saved view routes: named searches, built-in, shared and personal."""
import re
from urllib.parse import unquote

from chalice import Blueprint

from chalicelib.api.routing import Call, Reply, endpoint, services
from chalicelib.domain.views import View
from chalicelib.schemas import views as s

bp = Blueprint(__name__)
VIEWS = "/v1/ce/projects/{project_id}/views"
VIEW = VIEWS + "/{view_id}"
# Saved views have ids like every other; built-ins are builtin:<name>, the colon sent as is or
# percent-encoded (as encodeURIComponent sends it), which may reach the function undecoded.
VIEW_ID = {"view_id": re.compile(r"(builtin(:|%3[aA]))?[0-9a-z_]{1,64}")}


def _view(view: View, count: int | None = None) -> dict:
    shown = {"id": view.id, "name": view.name, "query": view.query, "kind": view.kind, "owner": view.owner,
             "created_at": view.created_at, "updated_at": view.updated_at}
    return shown | ({"count": count} if count is not None else {})


def _counted(call: Call, views: list[View]) -> list[dict]:
    return [_view(view, count) for view, count in zip(views, services().views.counts(call.principal, views))]


@endpoint(bp, "GET", VIEWS, summary="List views: built-in, then shared, then your own", response=s.ViewList,
          tag="views")
def list_views(call: Call, project_id: str):
    return {"data": _counted(call, services().views.views(call.principal))}


@endpoint(bp, "POST", VIEWS, summary="Save a search as a view, shared or your own", status=201, role="member",
          body=s.ViewCreate, response=s.ViewOut, tag="views")
def create_view(call: Call, project_id: str):
    return _counted(call, [services().views.create(call.principal, call.body)])[0]


@endpoint(bp, "GET", VIEW, summary="A view", response=s.ViewOut, tag="views", ids=VIEW_ID)
def get_view(call: Call, project_id: str, view_id: str):
    return _counted(call, [services().views.view(call.principal, unquote(view_id))])[0]


@endpoint(bp, "PATCH", VIEW, summary="Rename a view or change its query (its maker, or an admin for a shared view)",
          role="member", body=s.ViewPatch, response=s.ViewOut, tag="views", ids=VIEW_ID)
def update_view(call: Call, project_id: str, view_id: str):
    return _counted(call, [services().views.update(call.principal, unquote(view_id), call.body)])[0]


@endpoint(bp, "DELETE", VIEW, summary="Delete a view (its maker, or an admin for a shared view)", status=204,
          role="member", tag="views", ids=VIEW_ID)
def delete_view(call: Call, project_id: str, view_id: str):
    services().views.delete(call.principal, unquote(view_id))
    return Reply(None)
