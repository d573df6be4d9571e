"""Saved views: list, read, create, change and delete named searches; a view's query is checked
exactly as the ticket search would check it."""
from dataclasses import replace

from pydantic import ValidationError

from chalicelib.domain import views as rules
from chalicelib.domain.clock import new_id, now_iso
from chalicelib.domain.people import Principal
from chalicelib.domain.views import BUILTIN, PERSONAL, SHARED, ScopeFull, View
from chalicelib.errors import DomainError, Forbidden, NotFound, ValidationFailed, ViewLimitReached
from chalicelib.schemas import tickets as ticket_schemas
from chalicelib.schemas import views as schemas
from chalicelib.services.ports import Views
from chalicelib.services.tickets.search import TicketSearchService


class ViewService:
    def __init__(self, repo: Views, search: TicketSearchService):
        self.repo = repo
        self.search = search

    def views(self, principal: Principal) -> list[View]:
        """Built-ins, then shared views, then the caller's personal ones; each group oldest first."""
        saved = sorted(self.repo.views(principal.project.id, principal.user_id), key=lambda v: (v.created_at, v.id))
        return [*rules.BUILTIN_VIEWS, *(v for v in saved if v.shared), *(v for v in saved if not v.shared)]

    def counts(self, principal: Principal, views: list[View]) -> list[int | None]:
        """How many tickets each view finds for `principal`, where the kept counts say exactly
        (one read for them all); None elsewhere, and for a view `principal` cannot run."""
        queries = []
        for view in views:
            try:
                search = ticket_schemas.TicketSearch.model_validate(rules.parse_query(view.query))
                queries.append(self.search.search_query(principal, search))
            except (ValidationError, DomainError):
                queries.append(None)  # `me` for an automation key
        known = [query for query in queries if query is not None]
        counted = iter(self.search.counts(principal, known) if known else [])
        return [next(counted) if query is not None else None for query in queries]

    def view(self, principal: Principal, view_id: str) -> View:
        if rules.is_builtin_id(view_id):
            view = rules.BUILTIN_BY_ID.get(view_id)
        else:
            view = self.repo.find(principal.project.id, view_id, principal.user_id)
        if view is None:
            raise NotFound("view not found")
        return view

    def create(self, principal: Principal, body: schemas.ViewCreate) -> View:
        if not body.shared and principal.user_id is None:
            raise ValidationFailed.on("shared", f"this key belongs to {principal.actor}, not to a member, and has "
                                                "no personal views; make the view shared")
        query = self.checked_query(principal, body.query)
        now = now_iso()
        # A member's actor is their user id; an automation's is automation:<name>.
        view = View(id=new_id(), name=body.name, query=query, kind=SHARED if body.shared else PERSONAL,
                    owner=principal.actor, created_at=now, updated_at=now)
        limit, scope = ((rules.MAX_SHARED_VIEWS, "a project has") if view.shared
                        else (rules.MAX_PERSONAL_VIEWS, "a member has"))
        try:
            self.repo.add(principal.project.id, view, limit)
        except ScopeFull:
            raise ViewLimitReached(f"{scope} at most {limit} {view.kind} views; delete one first") from None
        return view

    def update(self, principal: Principal, view_id: str, body: schemas.ViewPatch) -> View:
        view = self._changeable(principal, view_id)
        changes = body.model_dump(exclude_unset=True)
        if "query" in changes:
            changes["query"] = self.checked_query(principal, changes["query"])
        changed = replace(view, **changes)
        if changed == view:
            return view
        changed = replace(changed, updated_at=now_iso())
        self.repo.rename(principal.project.id, changed)
        return changed

    def delete(self, principal: Principal, view_id: str) -> None:
        self.repo.remove(principal.project.id, self._changeable(principal, view_id))

    def _changeable(self, principal: Principal, view_id: str) -> View:
        view = self.view(principal, view_id)
        if view.kind == BUILTIN:
            raise Forbidden("built-in views cannot be changed or deleted; save a view of your own instead")
        if view.shared and view.owner != principal.actor and not principal.is_admin:
            raise Forbidden("only whoever made a shared view, or an admin, may change or delete it")
        return view

    def checked_query(self, principal: Principal, raw: str) -> str:
        """The query in its normalised form, if the ticket search accepts it; else a 400 on `query`
        naming the parameter at fault."""
        params = rules.parse_query(raw)
        try:
            search = ticket_schemas.TicketSearch.model_validate(params)
        except ValidationError as error:
            raise rules.query_error("; ".join(_problem(e) for e in error.errors())) from None
        # `me` is whoever runs the view, so the query is checked as a member would run it, even when
        # an automation key (which has no `me` of its own) saves it.
        runner = principal if principal.user_id is not None else replace(principal, user_id=principal.actor)
        try:
            self.search.search_query(runner, search)
        except DomainError as error:
            if error.status != 400:
                raise
            problems = [f"{d.field}: {d.message}" for d in error.details] or [error.message]
            raise rules.query_error("; ".join(problems)) from None
        return rules.normalise_query(params)


def _problem(error: dict) -> str:
    parameter = ".".join(str(part) for part in error["loc"]) or "query"
    if error["type"] == "extra_forbidden":
        return f"{parameter}: unknown parameter"
    return f"{parameter}: {error['msg'].removeprefix('Value error, ')}"
