"""Ticket use cases: create (with idempotency and dedup), read, change, comment, delete, search."""
import hashlib
import json
import time
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Callable

from pydantic import BaseModel

from chalicelib import config
from chalicelib.domain import cursor as cursors
from chalicelib.domain import search, text
from chalicelib.domain.clock import iso, new_id, now_iso
from chalicelib.domain.idempotency import IDEMPOTENCY_WINDOW_SECONDS, CommentMark, StoredResponse, comment_mark_pk
from chalicelib.domain.people import Principal
from chalicelib.domain.tickets import (
    MAX_TAGS,
    STATUSES,
    SEVERITIES,
    Events,
    HistoryEntry,
    StaleTicket,
    Ticket,
    Workflow,
    apply_changes,
    history_entry,
    normalise_dedup_key,
    normalise_tags,
    parse_key,
    public_view,
)
from chalicelib.errors import (
    Conflict,
    DomainError,
    NotFound,
    PreconditionFailed,
    TransitionNotAllowed,
    UnknownReference,
    ValidationFailed,
    error_body,
)
from chalicelib.schemas import tickets as schemas
from chalicelib.services.attachments import AttachmentService
from chalicelib.services.people import PeopleService
from chalicelib.services.ports import PartitionCounts, Projects, TicketStore
from chalicelib.services.sla import SlaService

WRITE_ATTEMPTS = 3


@dataclass(frozen=True)
class CreateOutcome:
    status_code: int          # 201 created, 200 absorbed by an open duplicate
    body: dict


@dataclass(frozen=True)
class ChangeComment:
    """A comment made together with a change, in its transaction."""
    text: str
    mark: CommentMark | None = None  # written with it, so that the same request never makes it twice


class TicketService:
    def __init__(self, tickets: TicketStore, people: PeopleService, attachments: AttachmentService,
                 sla: SlaService, projects: Projects, partition_counts: PartitionCounts):
        self.tickets = tickets
        self.people = people
        self.attachments = attachments
        self.sla = sla
        self.projects = projects
        self.partition_counts = partition_counts

    # ---- create ------------------------------------------------------------------------------

    def create(self, principal: Principal, body: schemas.TicketCreate, idempotency_key: str | None) -> CreateOutcome:
        project_id = principal.project.id
        scope = request_hash = None
        if idempotency_key is not None:
            scope = _idempotency_scope(principal, idempotency_key)
            request_hash = _hash_body(body)
        tags = normalise_tags(body.tags)
        dedup_key = normalise_dedup_key(body.dedup_key)
        if body.assignee is not None:
            self._check_assignee(project_id, body.assignee)
        for _ in range(WRITE_ATTEMPTS):
            if scope is not None:
                replay = self._replay(scope, request_hash)
                if replay is not None:
                    return replay
            try:
                return self._create_once(principal, body, tags, dedup_key, scope, request_hash)
            except StaleTicket:
                continue  # a concurrent request claimed the dedup or idempotency key: look again
        raise Conflict("too many concurrent requests for this ticket; try again")

    def _create_once(self, principal, body, tags, dedup_key, scope, request_hash) -> CreateOutcome:
        project = principal.project
        previous_owner = None
        if dedup_key is not None:
            previous_owner = self.tickets.dedup_owner(project.id, dedup_key)
            if previous_owner is not None:
                existing = self.tickets.get(previous_owner)
                if existing is not None and existing.is_open:
                    return self._absorb_duplicate(principal, existing, body, scope, request_hash)
        number = self.projects.next_ticket_number(project.id)
        now = now_iso()
        ticket = Ticket(
            id=new_id(), project_id=project.id, number=number, key=f"{project.key}-{number}",
            title=body.title, description=body.description, status="new", severity=body.severity,
            created_at=now, updated_at=now, reporter=principal.actor, source=body.source,
            due_date=iso(body.due_date) if body.due_date else None,
            assignee=body.assignee if body.assignee is not None else self._default_assignee(project),
            tags=tags, dedup_key=dedup_key, version=1,
        )
        ticket = self.sla.start(principal, ticket)
        entry = self._entry(ticket, Events.TICKET_CREATED, principal.actor, now,
                            changes={name: {"old": None, "new": value} for name, value in public_view(ticket).items()
                                     if name in ("title", "status", "severity", "assignee", "tags", "due_date")})
        outcome = CreateOutcome(201, self.sla.answer(ticket, now))
        self.tickets.create(ticket, entry, dedup_previous=previous_owner,
                            idempotency=_idempotency_item(scope, request_hash, outcome))
        return outcome

    def _absorb_duplicate(self, principal, existing: Ticket, body, scope, request_hash) -> CreateOutcome:
        now = now_iso()
        received = {"title": body.title, "severity": body.severity, "source": body.source}
        entry = self._entry(existing, Events.DUPLICATE_RECEIVED, principal.actor, now,
                            changes={"received": {"old": None, "new": received}})
        outcome = CreateOutcome(200, self.sla.answer(existing, now))
        self.tickets.append_history(existing, entry, require_open=True,
                                    idempotency=_idempotency_item(scope, request_hash, outcome))
        return outcome

    def _replay(self, scope: str, request_hash: str) -> CreateOutcome | None:
        stored = self.tickets.stored_response(scope)
        if stored is None or stored.expires_at < time.time():
            return None
        if stored.request_hash != request_hash:
            raise Conflict("this Idempotency-Key was used with a different request body")
        return CreateOutcome(stored.status_code, stored.body)

    # ---- read --------------------------------------------------------------------------------

    def resolve(self, principal: Principal, ref: str) -> str:
        """The id of the ticket `ref` names: an id as it is, a key (OPS-42, any case) through its
        number's guard. Another project's key is unknown here, and costs no read."""
        key = parse_key(ref)
        if key is None:
            return ref
        project_key, number = key
        ticket_id = None
        if project_key == principal.project.key:
            ticket_id = self.tickets.ticket_id_for_number(principal.project.id, number)
        if ticket_id is None:
            raise NotFound("ticket not found")
        return ticket_id

    def detail(self, principal: Principal, ticket_id: str) -> tuple[dict, int]:
        found = self.tickets.detail(ticket_id)
        if found is None or found.deleted or found.project_id != principal.project.id:
            raise NotFound("ticket not found")
        ticket = found.ticket
        workflow = Workflow(principal.project.workflow)
        more = found.more_history_after
        body = self.sla.answer(ticket) | {
            "history": [_public_entry(e) for e in found.history],
            "history_cursor": cursors.encode(more, _history_scope(ticket_id, None), config.cursor_signing_key()) if more else None,
            "attachments": [self.attachments.public(a) for a in found.attachments],
            "allowed_transitions": workflow.allowed_from(ticket.status),
        }
        return body, ticket.version

    def history(self, principal: Principal, ticket_id: str, query: schemas.HistoryQuery) -> dict:
        owner = self.tickets.owner_project(ticket_id)
        if owner is None or owner[0] != principal.project.id or (owner[1] and not principal.is_admin):
            raise NotFound("ticket not found")
        scope = _history_scope(ticket_id, query.event)
        after = cursors.decode(query.cursor, scope, config.cursor_signing_key()) if query.cursor else None
        entries, more = self.tickets.history(ticket_id, query.event, query.limit, after)
        return {
            "data": [_public_entry(e) for e in entries],
            "cursor": cursors.encode(more, scope, config.cursor_signing_key()) if more else None,
        }

    def search_query(self, principal: Principal, params: schemas.TicketSearch) -> search.TicketQuery:
        """The query that `params` asks for, as `principal` would run it; a ValidationFailed names
        the parameter that no search accepts."""
        statuses = _csv("status", params.status, STATUSES + ("open",))
        if "open" in statuses:
            statuses = tuple(dict.fromkeys(s for status in statuses
                                           for s in (search.OPEN_STATUSES if status == "open" else (status,))))
        return search.TicketQuery(
            status=statuses,
            severity=_csv("severity", params.severity, SEVERITIES),
            reporter=self._person("reporter", params.reporter, principal),
            assignee=self._person("assignee", params.assignee, principal),
            tags=normalise_tags(_csv("tags", params.tags, None)),
            created_after=_iso_or_none(params.created_after),
            created_before=_iso_or_none(params.created_before),
            due_after=_iso_or_none(params.due_after),
            due_before=_iso_or_none(params.due_before),
            overdue=bool(params.overdue),
            words=_query_words(params.q),
            sort=params.sort,
            sla=_sla_filter(params),
        )

    @staticmethod
    def _person(field: str, value: str | None, principal: Principal) -> str | None:
        if value != "me":
            return value
        if principal.user_id is None:
            raise ValidationFailed.on(field, f"'me' is a member; this key belongs to {principal.actor}")
        return principal.user_id

    def counts(self, principal: Principal, queries: list[search.TicketQuery]) -> list[int | None]:
        """How many tickets each query finds, where the kept counts say it exactly; else None."""
        pairs = [search.counted_partitions(query) for query in queries]
        known = [p for p in pairs if p is not None]
        totals = iter(self.partition_counts.tickets_counted(principal.project.id, known) if known else [])
        return [next(totals) if p is not None else None for p in pairs]

    def search(self, principal: Principal, params: schemas.TicketSearch) -> dict:
        query = self.search_query(principal, params)
        scope = "search:" + principal.project.id + ":" + query.fingerprint()
        key = config.cursor_signing_key()
        now = now_iso()
        options = search.candidates(query) if query.sort in ("created", "-created") and query.sla is None else {}
        # Only a choice between indexes needs their sizes (one more read).
        sizes = self.partition_counts.index_sizes(principal.project.id, options) if len(options) > 1 else None
        plan = search.plan(query, sizes, now=now)
        if params.cursor:
            plan = plan.after(cursors.decode(params.cursor, scope, key))
        found = self.tickets.search(principal.project.id, plan, query, now, params.limit)
        return {
            "data": [self.sla.answer(t, now) for t in found.tickets],
            "cursor": cursors.encode(found.resume_after, scope, key) if found.resume_after else None,
        }

    # ---- change ------------------------------------------------------------------------------

    def update(self, principal: Principal, ticket_id: str, body: schemas.TicketPatch,
               if_match: str | None) -> tuple[dict, int]:
        requested = body.model_dump(exclude_unset=True)
        if requested.get("due_date") is not None:
            requested["due_date"] = iso(requested["due_date"])
        if "tags" in requested:
            requested["tags"] = normalise_tags(requested["tags"])
        saved = self._change(principal, ticket_id, lambda ticket: requested, if_match)
        return self.sla.answer(saved), saved.version

    def bulk_change(self, principal: Principal, body: schemas.TicketBulk, idempotency_key: str | None) -> dict:
        """One change (and comment) made to each listed ticket on its own, as a PATCH (and a
        comment) of that ticket would; the answer says per ticket what happened, in request order."""
        scope = request_hash = None
        if idempotency_key is not None:
            scope = _idempotency_scope(principal, idempotency_key)
            request_hash = _hash_body(body, operation="bulk")
            replay = self._replay(scope, request_hash)
            if replay is not None:
                return replay.body
        wanted = _bulk_wanted(body.change)
        if body.change.assignee is not None:
            self._check_assignee(principal.project.id, body.change.assignee, field="change.assignee")
        ids = self._resolve_many(principal, body.ticket_ids)
        tickets = {ticket_id: ticket for ticket_id, ticket in self.tickets.get_many(filter(None, ids.values())).items()
                   if ticket.project_id == principal.project.id}
        expires_at = int(time.time()) + IDEMPOTENCY_WINDOW_SECONDS
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
                comment = ChangeComment(body.comment, mark)
            results.append(self._bulk_one(principal, ref, ticket, wanted, versions.get(ref), comment))
        answer = {"results": results}
        if scope is not None:
            self.tickets.store_response(StoredResponse(scope, request_hash, 200, answer, expires_at))
        return answer

    def _bulk_one(self, principal: Principal, ref: str, ticket: Ticket | None, wanted: Callable[[Ticket], dict],
                  expected_version: int | None, comment: ChangeComment | None) -> dict:
        if ticket is None:
            return _bulk_result(ref, None, NotFound("ticket not found"))
        if_match = etag(expected_version) if expected_version is not None else None
        try:
            saved = self._change(principal, ticket.id, wanted, if_match, ticket=ticket, check_assignee=False,
                                 comment=comment)
        except DomainError as error:
            return _bulk_result(ref, ticket, error)
        return _bulk_result(ref, saved)

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

    def _change(self, principal: Principal, ticket_id: str, wanted: Callable[[Ticket], dict[str, Any]],
                if_match: str | None, *, ticket: Ticket | None = None, check_assignee: bool = True,
                comment: ChangeComment | None = None) -> Ticket:
        """Every change of a ticket (a PATCH, each ticket of a bulk change) goes through here: the
        fields `wanted` asks of the current ticket, applied with their history entry in one
        transaction, re-read and re-applied when another write came first (unless If-Match pins
        the version). A comment goes into the same transaction, also when nothing else changes.
        `ticket` is the ticket as just read, if it was. Returns the ticket as it is afterwards."""
        workflow = Workflow(principal.project.workflow)
        for _ in range(WRITE_ATTEMPTS):
            if ticket is None:
                ticket = self._live_ticket(principal, ticket_id)
            if if_match is not None and not etag_matches(if_match, ticket.version):
                raise PreconditionFailed("the ticket has changed since you read it (If-Match does not match)")
            requested = wanted(ticket)
            if check_assignee and requested.get("assignee") not in (None, ticket.assignee):
                self._check_assignee(principal.project.id, requested["assignee"])
            now = now_iso()
            after, changes = apply_changes(ticket, requested, workflow, now)
            if changes:
                after = self.sla.follow(ticket, after, now)
            saved = replace(after, version=ticket.version + 1) if changes else ticket
            note = None
            if comment is not None:
                note = self._entry(saved, Events.COMMENT_ADDED, principal.actor, now, {}, comment=comment.text)
            mark = comment.mark if comment is not None else None
            try:
                if changes:
                    entry = self._entry(saved, Events.TICKET_UPDATED, principal.actor, now, changes)
                    if note is not None and note.id < entry.id:
                        # One timestamp for both: their ids order them, and the comment is to
                        # come after the change it goes with.
                        entry, note = replace(entry, id=note.id), replace(note, id=entry.id)
                    self.tickets.update(ticket, after, entry, comment=note, mark=mark)
                elif note is not None:
                    self.tickets.append_history(ticket, note, mark=mark)
            except StaleTicket:
                if mark is not None and self.tickets.marked([mark], int(time.time())):
                    comment = None  # another run of the same request got there first
                elif if_match is not None and changes:
                    raise PreconditionFailed("the ticket has changed since you read it") from None
                ticket = None
                continue  # someone else wrote first, or the ticket went: re-read and re-apply our change
            return saved
        raise Conflict("the ticket is changing too often to update; try again")

    def comment(self, principal: Principal, ticket_id: str, body: schemas.CommentCreate) -> dict:
        ticket = self._live_ticket(principal, ticket_id)
        entry = self._entry(ticket, Events.COMMENT_ADDED, principal.actor, now_iso(), {}, comment=body.comment)
        try:
            self.tickets.append_history(ticket, entry)
        except StaleTicket:
            raise NotFound("ticket not found") from None
        return _public_entry(entry)

    def delete(self, principal: Principal, ticket_id: str, if_match: str | None) -> None:
        for _ in range(WRITE_ATTEMPTS):
            ticket = self._live_ticket(principal, ticket_id)
            if if_match is not None and not etag_matches(if_match, ticket.version):
                raise PreconditionFailed("the ticket has changed since you read it (If-Match does not match)")
            entry = self._entry(ticket, Events.TICKET_DELETED, principal.actor, now_iso(), {})
            try:
                self.tickets.delete(ticket, entry)
            except StaleTicket:
                if if_match is not None:
                    raise PreconditionFailed("the ticket has changed since you read it") from None
                continue
            # Files go after the commit: had they gone first, a failed commit would leave records
            # without files. A file arriving later, on a form issued before, finds no ticket and is
            # removed by S3's event handler or, failing that, the lifecycle rule.
            self.attachments.delete_files(ticket)
            return
        raise Conflict("the ticket is changing too often to delete; try again")

    def set_workflow(self, principal: Principal, transitions: dict[str, list[str]]) -> dict[str, list[str]]:
        workflow = Workflow.parse(transitions)
        self.projects.set_workflow(principal.project.id, workflow.transitions)
        return workflow.transitions

    # ---- helpers -----------------------------------------------------------------------------

    def _live_ticket(self, principal: Principal, ticket_id: str) -> Ticket:
        ticket = self.tickets.get(ticket_id)
        if ticket is None or ticket.project_id != principal.project.id:
            raise NotFound("ticket not found")
        return ticket

    def _default_assignee(self, project) -> str | None:
        """The project's default, while it still names a member or team; else unassigned."""
        default = project.default_assignee
        return default if default is not None and self.people.is_assignable(project.id, default) else None

    def _check_assignee(self, project_id: str, assignee: str, field: str = "assignee") -> None:
        if not self.people.is_assignable(project_id, assignee):
            raise UnknownReference.on(field, "not a member (user_id) or team (team:<id>) of this project")

    @staticmethod
    def _entry(ticket: Ticket, event: str, actor: str, now: str, changes: dict, comment: str | None = None) -> HistoryEntry:
        return history_entry(ticket, event, actor, now, changes, comment)


def etag(version: int) -> str:
    return f'"{version}"'


def etag_matches(if_match: str, version: int) -> bool:
    wanted = [tag.strip().removeprefix("W/") for tag in if_match.split(",")]
    return "*" in wanted or etag(version) in wanted


def _public_entry(entry: HistoryEntry) -> dict:
    return {
        "id": entry.id, "ticket_id": entry.ticket_id, "event": entry.event, "timestamp": entry.timestamp,
        "changed_by": entry.changed_by, "changes": entry.changes, "comment": entry.comment,
    }


def _history_scope(ticket_id: str, event: str | None) -> str:
    return f"history:{ticket_id}:{event or ''}"


def _csv(field: str, raw: str | None, allowed: tuple[str, ...] | None) -> tuple[str, ...]:
    if raw is None:
        return ()
    values = tuple(v.strip() for v in raw.split(","))
    if any(not v for v in values):
        raise ValidationFailed.on(field, "empty value in the comma-separated list")
    if allowed is not None:
        bad = [v for v in values if v not in allowed]
        if bad:
            raise ValidationFailed.on(field, f"unknown {', '.join(bad)}; use {', '.join(allowed)}")
    return values


def _sla_filter(params: schemas.TicketSearch) -> str | None:
    """The SLA filters list tickets in SLA order, whatever `sort` says: their indexes hold no other."""
    return params.sla


def _query_words(q: str | None) -> tuple[str, ...]:
    if q is None:
        return ()
    return tuple(text.words(q))


def _iso_or_none(moment: datetime | None) -> str | None:
    return iso(moment) if moment is not None else None


def _idempotency_scope(principal: Principal, idempotency_key: str) -> str:
    return f"IDEM#{principal.project.id}#{principal.actor}#{idempotency_key}"


def _hash_body(body: BaseModel, operation: str = "") -> str:
    """A request's fingerprint; `operation` keeps one key used on two routes from matching."""
    canonical = json.dumps(body.model_dump(mode="json", exclude_unset=True), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256((operation + canonical).encode()).hexdigest()


def _bulk_wanted(change: schemas.BulkChange) -> Callable[[Ticket], dict[str, Any]]:
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


def _bulk_result(ref: str, ticket: Ticket | None, error: DomainError | None = None) -> dict:
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


def _idempotency_item(scope: str | None, request_hash: str | None, outcome: CreateOutcome) -> StoredResponse | None:
    if scope is None:
        return None
    return StoredResponse(scope, request_hash, outcome.status_code, outcome.body,
                          int(time.time()) + IDEMPOTENCY_WINDOW_SECONDS)
