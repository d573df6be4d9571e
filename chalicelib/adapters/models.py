"""PynamoDB models. Two tables:

tickets   one item collection per ticket (pk `T#<ticket id>`): the ticket (sk `TICKET`), one small
          item per tag (sk `TAG#<tag>`, feeding the tag index), its attachments (sk
          `FILE#<attachment id>`) and its history (sk `EVT#<timestamp>#<id>`). Read in descending
          sk order, a collection yields the ticket, its tags, its attachments, then its history
          newest first: the detail view is one Query. Guards for
          dedup keys and idempotency keys live here too, under their own partition keys.
directory projects with their members, teams and API keys, one collection per project
          (pk `P#<project id>`), so the auth lookup (key + project) is one BatchGetItem.

Table names and endpoint are bound at first use (`bind`), not at import, so the stage's
environment decides them.
"""
from pynamodb.connection import Connection
from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite
from pynamodb.attributes import (
    BooleanAttribute,
    DiscriminatorAttribute,
    JSONAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, IncludeProjection
from pynamodb.models import Model

from chalicelib import config

TICKET_SK = "TICKET"
TAG_SK_PREFIX = "TAG#"
HISTORY_SK_PREFIX = "EVT#"
ATTACHMENT_SK_PREFIX = "FILE#"


def ticket_pk(ticket_id: str) -> str:
    return f"T#{ticket_id}"


def project_pk(project_id: str) -> str:
    return f"P#{project_id}"


def scoped(project_id: str, value: str) -> str:
    """Index partition key for one value within one project."""
    return f"{project_id}#{value}"


class _TicketsTable(Model):
    class Meta:
        table_name = "unbound"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    kind = DiscriminatorAttribute()


def _search_index(index_name: str, attribute: str, projection=None):
    meta = type("Meta", (), {"index_name": index_name, "projection": projection or AllProjection()})
    body = {
        "Meta": meta,
        attribute: UnicodeAttribute(hash_key=True),
        "created_key": UnicodeAttribute(range_key=True),
    }
    return type(f"{index_name}_index", (GlobalSecondaryIndex,), body)()


class TicketItem(_TicketsTable, discriminator="ticket"):
    ticket_id = UnicodeAttribute()
    project_id = UnicodeAttribute()
    number = NumberAttribute()
    key = UnicodeAttribute()
    title = UnicodeAttribute()
    description = UnicodeAttribute(default="")
    status = UnicodeAttribute()
    severity = UnicodeAttribute()
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    resolved_at = UnicodeAttribute(null=True)
    due_date = UnicodeAttribute(null=True)
    reporter = UnicodeAttribute()
    assignee = UnicodeAttribute(null=True)
    source = UnicodeAttribute()
    tags = ListAttribute(of=UnicodeAttribute, default=list)
    dedup_key = UnicodeAttribute(null=True)
    version = VersionAttribute()
    deleted_at = UnicodeAttribute(null=True)
    deleted_by = UnicodeAttribute(null=True)

    # Index keys: present on live tickets, removed from a deleted one (sparse indexes).
    created_key = UnicodeAttribute(null=True)
    project_idx = UnicodeAttribute(null=True)
    status_idx = UnicodeAttribute(null=True)
    severity_idx = UnicodeAttribute(null=True)
    reporter_idx = UnicodeAttribute(null=True)
    assignee_idx = UnicodeAttribute(null=True)

    by_project = _search_index("by_project", "project_idx")
    by_status = _search_index("by_status", "status_idx")
    by_severity = _search_index("by_severity", "severity_idx")
    by_reporter = _search_index("by_reporter", "reporter_idx")
    by_assignee = _search_index("by_assignee", "assignee_idx")


class TagItem(_TicketsTable, discriminator="tag"):
    ticket_id = UnicodeAttribute()
    tag_idx = UnicodeAttribute()
    created_key = UnicodeAttribute()

    by_tag = _search_index("by_tag", "tag_idx", IncludeProjection(["kind", "ticket_id"]))


class HistoryItem(_TicketsTable, discriminator="history"):
    entry_id = UnicodeAttribute()
    ticket_id = UnicodeAttribute()
    project_id = UnicodeAttribute()
    event = UnicodeAttribute()
    timestamp = UnicodeAttribute()
    changed_by = UnicodeAttribute()
    changes = JSONAttribute(default=dict)
    comment = UnicodeAttribute(null=True)


class AttachmentItem(_TicketsTable, discriminator="attachment"):
    attachment_id = UnicodeAttribute()
    ticket_id = UnicodeAttribute()
    project_id = UnicodeAttribute()
    file_name = UnicodeAttribute()
    content_type = UnicodeAttribute()
    size = NumberAttribute()
    status = UnicodeAttribute()
    uploaded_by = UnicodeAttribute()
    created_at = UnicodeAttribute()
    uploaded_at = UnicodeAttribute(null=True)
    # The table's TTL attribute, set while the upload is pending: a record whose file never came
    # disappears on its own. Removed when the upload is confirmed.
    expires_at = NumberAttribute(null=True)


class DedupGuardItem(_TicketsTable, discriminator="dedup"):
    """Points a project's dedup key at the ticket that last claimed it."""
    ticket_id = UnicodeAttribute()


class IdempotencyItem(_TicketsTable, discriminator="idempotency"):
    request_hash = UnicodeAttribute()
    status_code = NumberAttribute()
    response = JSONAttribute()
    expires_at = NumberAttribute()  # the table's TTL attribute


class _DirectoryTable(Model):
    class Meta:
        table_name = "unbound"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    kind = DiscriminatorAttribute()


PROJECT_SK = "PROJECT"
MEMBER_SK_PREFIX = "MEMBER#"
EMAIL_SK_PREFIX = "EMAIL#"
TEAM_SK_PREFIX = "TEAM#"
API_KEY_SK_PREFIX = "APIKEY#"


class ProjectItem(_DirectoryTable, discriminator="project"):
    project_id = UnicodeAttribute()
    name = UnicodeAttribute()
    key = UnicodeAttribute()
    created_at = UnicodeAttribute()
    ticket_counter = NumberAttribute(default=0)
    workflow = JSONAttribute(null=True)


class MemberItem(_DirectoryTable, discriminator="member"):
    user_id = UnicodeAttribute()
    email = UnicodeAttribute()
    name = UnicodeAttribute()
    role = UnicodeAttribute()
    created_at = UnicodeAttribute()


class EmailGuardItem(_DirectoryTable, discriminator="email"):
    """Keeps a member's email unique within a project."""
    user_id = UnicodeAttribute()


class TeamItem(_DirectoryTable, discriminator="team"):
    team_id = UnicodeAttribute()
    name = UnicodeAttribute()
    email = UnicodeAttribute(null=True)
    members = ListAttribute(of=UnicodeAttribute, default=list)
    created_at = UnicodeAttribute()


class ApiKeyItem(_DirectoryTable, discriminator="api_key"):
    key_id = UnicodeAttribute()
    name = UnicodeAttribute()
    secret_hash = UnicodeAttribute()
    # A member's key carries the member's role, rewritten when the role changes, so that
    # authenticating stays one read.
    role = UnicodeAttribute()
    user_id = UnicodeAttribute(null=True)
    automation = BooleanAttribute(default=False)
    created_at = UnicodeAttribute()


_bound: tuple | None = None
_connection: Connection | None = None


def connection() -> Connection:
    """A shared low-level connection for transactions across models."""
    global _connection
    bind()
    if _connection is None:
        _connection = Connection(region=_TicketsTable.Meta.region, host=_TicketsTable.Meta.host)
    return _connection


def bind() -> None:
    """Points the models at this stage's tables (once per process, or again if settings moved)."""
    global _bound, _connection
    settings = (config.tickets_table(), config.directory_table(), config.dynamodb_endpoint(), config.region())
    if _bound == settings:
        return
    tickets, directory, host, region = settings
    for base, name in ((_TicketsTable, tickets), (_DirectoryTable, directory)):
        base.Meta.table_name = name
        base.Meta.host = host
        base.Meta.region = region
        base._connection = None
        for model in _subclasses(base):
            model.Meta.table_name = name
            model.Meta.host = host
            model.Meta.region = region
            model._connection = None
    _connection = None
    _bound = settings


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


class Transaction(TransactWrite):
    """TransactWrite on the shared connection; a failed condition raises `conflict` instead."""

    def __init__(self, conflict: Exception):
        super().__init__(connection=connection())
        self._conflict = conflict

    def __exit__(self, exc_type, exc_val, exc_tb):
        if exc_type is not None:
            return False
        try:
            return super().__exit__(exc_type, exc_val, exc_tb)
        except TransactWriteError as error:
            reasons = [reason.code for reason in error.cancellation_reasons if reason is not None]
            if "ConditionalCheckFailed" in reasons:
                raise self._conflict from error
            raise
