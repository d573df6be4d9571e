"""Changing up to 100 tickets at once: one change (and comment) made to each on its own, as a
PATCH (and a comment) of that ticket would, with each ticket's outcome in the answer."""
import time
from typing import Any, Callable

from chalicelib.domain.clock import iso
from chalicelib.domain.idempotency import CommentMark, StoredResponse, comment_mark_pk
from chalicelib.domain.people import Principal
from chalicelib.domain.tickets import MAX_TAGS, Ticket, normalise_tags, parse_key
from chalicelib.errors import DomainError, NotFound, TransitionNotAllowed, ValidationFailed, error_body
from chalicelib.schemas import tickets as schemas
from chalicelib.services.people import PeopleService
from chalicelib.services.ports import TicketStore
from chalicelib.services.tickets import idempotency
from chalicelib.services.tickets.change import ChangeComment, TicketChanges
from chalicelib.services.tickets.common import check_assignee, etag


class BulkChanges:
    def __init__(self, tickets: TicketStore, people: PeopleService, changes: TicketChanges):
        self.tickets = tickets
        self.people = people
        self.changes = changes

    def apply(self, principal: Principal, body: schemas.TicketBulk, idempotency_key: str | None) -> dict:
        """The answer says per ticket what happened, in request order."""
        scope = request_hash = None
        if idempotency_key is not None:
            scope = idempotency.scope(principal, idempotency_key)
            request_hash = idempotency.request_hash(body, operation="bulk")
            replay = idempotency.replay(self.tickets, scope, request_hash)
            if replay is not None:
                return replay.body
        wanted = _wanted(body.change)
        comment_text = None
        if body.comment is not None:
            comment_text = self.people.resolve_mentions(principal.project.id, body.comment, "comment").text
        if body.change.assignee is not None:
            check_assignee(self.people, principal.project.id, body.change.assignee, field="change.assignee")
        ids = self._resolve_many(principal, body.ticket_ids)
        tickets = {ticket_id: ticket for ticket_id, ticket in self.tickets.get_many(filter(None, ids.values())).items()
                   if ticket.project_id == principal.project.id}
        expires_at = idempotency.expires_at()
        marks: dict[str, CommentMark] = {}
        commented: set[str] = set()
        if scope is not None and body.comment is not None:
            # A retry after a failure mid-way finds the changes made (apply_changes then changes
            # nothing) and the comments made, by their marks: it adds neither again.
            marks = {ticket_id: CommentMark(comment_mark_pk(scope, ticket_id), expires_at) for ticket_id in tickets}
            commented = self.tickets.marked(marks.values(), int(time.time())) if marks else set()
        versions = body.expected_versions or {}
        results = []
        for ref in body.ticket_ids:
            ticket = tickets.get(ids[ref]) if ids[ref] is not None else None
            mark = marks.get(ticket.id) if ticket is not None else None
            comment = None
            if body.comment is not None and ticket is not None and (mark is None or mark.pk not in commented):
                comment = ChangeComment(comment_text, mark)
            results.append(self._one(principal, ref, ticket, wanted, versions.get(ref), comment))
        answer = {"results": results}
        if scope is not None:
            self.tickets.store_response(StoredResponse(scope, request_hash, 200, answer, expires_at))
        return answer

    def _one(self, principal: Principal, ref: str, ticket: Ticket | None, wanted: Callable[[Ticket], dict],
             expected_version: int | None, comment: ChangeComment | None) -> dict:
        if ticket is None:
            return _result(ref, None, NotFound("ticket not found"))
        if_match = etag(expected_version) if expected_version is not None else None
        try:
            saved = self.changes.change(principal, ticket.id, wanted, if_match, ticket=ticket, check_assignees=False,
                                        comment=comment)
        except DomainError as error:
            return _result(ref, ticket, error)
        return _result(ref, saved)

    def _resolve_many(self, principal: Principal, refs: list[str]) -> dict[str, str | None]:
        """Ref -> ticket id (None: no such ticket) for ids and keys; the keys in one read. Two refs
        naming one ticket (its id and its key) are refused: it would be changed twice."""
        keys = {ref: parse_key(ref) for ref in refs}
        numbers = {ref: key[1] for ref, key in keys.items() if key is not None and key[0] == principal.project.key}
        found = self.tickets.ticket_ids_for_numbers(principal.project.id, numbers.values()) if numbers else {}
        ids: dict[str, str | None] = {}
        for ref, key in keys.items():
            if key is None:
                ids[ref] = ref
            else:  # another project's key is never looked up
                ids[ref] = found.get(numbers[ref]) if ref in numbers else None
        first: dict[str, str] = {}
        for ref, ticket_id in ids.items():
            if ticket_id is not None and first.setdefault(ticket_id, ref) != ref:
                raise ValidationFailed.on("ticket_ids", f"{first[ticket_id]} and {ref} are the same ticket")
        return ids


def _wanted(change: schemas.BulkChange) -> Callable[[Ticket], dict[str, Any]]:
    """What the change asks of each ticket: its fields as given, tags added and removed on top of
    the ticket's own. Bad tags are refused here, before any ticket is touched."""
    given = change.model_dump(include={"status", "severity", "assignee", "due_date"}, exclude_unset=True)
    if given.get("due_date") is not None:
        given["due_date"] = iso(given["due_date"])
    add = normalise_tags(change.add_tags or [], field="change.add_tags")
    # A tag in both lists is added: the removals are applied first.
    remove = tuple(tag for tag in normalise_tags(change.remove_tags or [], field="change.remove_tags") if tag not in add)
    if not (add or remove):
        return lambda ticket: given

    def wanted(ticket: Ticket) -> dict[str, Any]:
        tags = tuple(t for t in ticket.tags if t not in remove) + tuple(t for t in add if t not in ticket.tags)
        if len(tags) > MAX_TAGS:
            raise ValidationFailed.on("change.add_tags", f"the ticket would have {len(tags)} tags; at most {MAX_TAGS}")
        return given | {"tags": tags}
    return wanted


def _result(ref: str, ticket: Ticket | None, error: DomainError | None = None) -> dict:
    found = ticket is not None and not isinstance(error, NotFound)
    return {
        "ticket_id": ref,
        "id": ticket.id if found else None,
        "key": ticket.key if found else None,
        "status": error.status if error is not None else 200,
        "version": ticket.version if error is None else None,
        "error": error_body(error)["error"] if error is not None else None,
        "allowed_transitions": error.allowed if isinstance(error, TransitionNotAllowed) else None,
    }
