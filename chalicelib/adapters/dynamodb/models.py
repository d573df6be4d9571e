"""PynamoDB models. Two tables:

tickets   one item collection per ticket (pk `T#<ticket id>`): the ticket (sk `TICKET`), one small
          item per tag (sk `TAG#<tag>`, feeding the tag index), its attachments (sk
          `FILE#<attachment id>`), its history (sk `EVT#<timestamp>#<id>`) and its comments (sk
          `CMT#<timestamp>#<id>`). Read in descending sk order, a collection yields the ticket, its
          tags, its attachments, then its history newest first: the detail view is one Query, which
          stops at the history, before the comments. Guards for
          dedup keys, idempotency keys and ticket numbers live here too, under their own
          partition keys, and so do the term index's items (pk `TX#<ticket id>`).
directory projects with their members, teams, API keys and saved views, one collection per
          project (pk `P#<project id>`), so the auth lookup (key + project) is one BatchGetItem;
          and the per-minute counts of wrong API keys, each under its own key, expired by TTL.

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
    UnicodeSetAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, IncludeProjection, LocalSecondaryIndex
from pynamodb.models import Model

from chalicelib import config
from chalicelib.adapters.dynamodb import sessions
# The key builders live in one module; they are named here too for the code that reads models.
from chalicelib.adapters.dynamodb.keys import (  # noqa: F401
    API_KEY_SK_PREFIX,
    ATTACHMENT_SK_PREFIX,
    COMMENT_MARK_SK,
    COMMENT_SK_PREFIX,
    COMMENT_WORDS_SK,
    DUE_SHARDS,
    DUE_SK,
    EMAIL_SK_PREFIX,
    HISTORY_SK_PREFIX,
    MEMBER_SK_PREFIX,
    NUMBER_SK,
    PARTITION_COUNT_SK_PREFIX,
    PERSONAL_VIEW_SK_PREFIX,
    PROJECT_SK,
    REPORT_SK_PREFIX,
    SHARED_VIEW_SK_PREFIX,
    SLA_MARKER_SK_PREFIX,
    SLA_POLICY_SK_PREFIX,
    TAG_SK_PREFIX,
    TEAM_SK_PREFIX,
    TERM_SK_PREFIX,
    TICKET_SK,
    VIEW_COUNT_SK_PREFIX,
    WEBHOOK_SK_PREFIX,
    WRONG_KEYS_PK_PREFIX,
    delivery_pk,
    project_pk,
    scoped,
    terms_pk,
    ticket_pk,
)
from chalicelib.domain import reports

class _TicketsTable(Model):
    class Meta:
        table_name = "unbound"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    kind = DiscriminatorAttribute()


def _search_index(index_name: str, attribute: str, projection=None, sort_attribute: str = "created_key"):
    meta = type("Meta", (), {"index_name": index_name, "projection": projection or AllProjection()})
    body = {
        "Meta": meta,
        attribute: UnicodeAttribute(hash_key=True),
        sort_attribute: UnicodeAttribute(range_key=True),
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
    requester = UnicodeAttribute(null=True)       # the address the ticket is for; absent unless it came by email
    version = VersionAttribute()
    deleted_at = UnicodeAttribute(null=True)
    deleted_by = UnicodeAttribute(null=True)
    # Pending attachment records added since the item was last written whole (absent: none).
    # Bookkeeping, not ticket content: no version, history or response carries it, and a ticket
    # update drops it, so it only means something next to `version` (see AttachmentRepository).
    attachment_adds = NumberAttribute(null=True)

    # Index keys: present on live tickets, removed from a deleted one (sparse indexes).
    created_key = UnicodeAttribute(null=True)
    project_idx = UnicodeAttribute(null=True)
    status_idx = UnicodeAttribute(null=True)
    severity_idx = UnicodeAttribute(null=True)
    reporter_idx = UnicodeAttribute(null=True)
    assignee_idx = UnicodeAttribute(null=True)
    requester_idx = UnicodeAttribute(null=True)   # <project id>#<requester>, only with a requester
    # The sort-order indexes: partitions `<project id>#open` and `#done`, one sort key per order.
    state_idx = UnicodeAttribute(null=True)
    updated_order = UnicodeAttribute(null=True)   # <updated_at>#<id>
    due_order = UnicodeAttribute(null=True)       # <due_date>#<id>, only with a due date
    severity_order = UnicodeAttribute(null=True)  # <rank, critical highest>#<created_at>#<id>
    # The SLA clock (domain.sla.Clock as JSON), absent when the ticket started under no policy.
    sla_clock = JSONAttribute(null=True)
    # The SLA indexes: partition `<project id>#sla` holds the tickets with a running (or breached,
    # unmet) target, by the soonest due time and by the soonest at-risk time of their targets.
    sla_idx = UnicodeAttribute(null=True)
    sla_order = UnicodeAttribute(null=True)       # <soonest due>#<id>
    sla_risk_order = UnicodeAttribute(null=True)  # <soonest at-risk moment>#<id>

    by_project = _search_index("by_project", "project_idx")
    by_status = _search_index("by_status", "status_idx")
    by_severity = _search_index("by_severity", "severity_idx")
    by_reporter = _search_index("by_reporter", "reporter_idx")
    by_assignee = _search_index("by_assignee", "assignee_idx")
    by_requester = _search_index("by_requester", "requester_idx")
    by_state = _search_index("by_state", "state_idx")
    by_updated = _search_index("by_updated", "state_idx", sort_attribute="updated_order")
    by_due_order = _search_index("by_due_order", "state_idx", sort_attribute="due_order")
    by_severity_order = _search_index("by_severity_order", "state_idx", sort_attribute="severity_order")
    by_sla = _search_index("by_sla", "sla_idx", sort_attribute="sla_order")
    by_sla_risk = _search_index("by_sla_risk", "sla_idx", sort_attribute="sla_risk_order")


class TagItem(_TicketsTable, discriminator="tag"):
    ticket_id = UnicodeAttribute()
    tag_idx = UnicodeAttribute()
    created_key = UnicodeAttribute()

    by_tag = _search_index("by_tag", "tag_idx", IncludeProjection(["kind", "ticket_id"]))


class TermItem(_TicketsTable, discriminator="term"):
    """Puts a ticket in one term-index partition (pk `TX#<ticket id>`, sk `TERM#<prefix>`): the
    ticket has a word starting with the prefix. Kept by the tickets stream, apart from the ticket's
    own collection so that reading a ticket's details never wades through them."""
    ticket_id = UnicodeAttribute()
    term_idx = UnicodeAttribute()       # <project id>#<prefix>
    created_key = UnicodeAttribute()

    by_term = _search_index("by_term", "term_idx", IncludeProjection(["kind", "ticket_id"]))


class CommentWordsItem(_TicketsTable, discriminator="comment_words"):
    """The words of a ticket's comments (pk `TX#<ticket id>`, sk `WORDS`): a search checks its
    words against them and the ticket's own text."""
    words = UnicodeSetAttribute(null=True)


class WatcherItem(_TicketsTable, discriminator="watcher"):
    """A ticket's watcher (domain.watching.Watcher; pk `WATCHERS#<ticket id>`, sk the watcher). A
    person watching carries `watcher_idx` (`<project id>#<user id>`), which puts the ticket in their
    partition of the watched-tickets index, newest first; a team or one who stopped does not."""
    ticket_id = UnicodeAttribute()
    project_id = UnicodeAttribute()
    watcher = UnicodeAttribute()
    state = UnicodeAttribute()
    reason = UnicodeAttribute()
    added_by = UnicodeAttribute()
    since = UnicodeAttribute()
    created_key = UnicodeAttribute()
    watcher_idx = UnicodeAttribute(null=True)

    by_watcher = _search_index("by_watcher", "watcher_idx", IncludeProjection(["kind", "ticket_id"]))


class HistoryItem(_TicketsTable, discriminator="history"):
    entry_id = UnicodeAttribute()
    ticket_id = UnicodeAttribute()
    project_id = UnicodeAttribute()
    event = UnicodeAttribute()
    timestamp = UnicodeAttribute()
    changed_by = UnicodeAttribute()
    changes = JSONAttribute(default=dict)
    comment = UnicodeAttribute(null=True)
    ticket = JSONAttribute(null=True)
    comment_id = UnicodeAttribute(null=True)      # COMMENT_UPDATED / COMMENT_DELETED: the comment
    about_comment = JSONAttribute(null=True)
    visibility = UnicodeAttribute(null=True)      # COMMENT_ADDED: "public" for a reply; absent: internal
    via = UnicodeAttribute(null=True)             # "email" for what came by email


class CommentItem(_TicketsTable, discriminator="comment"):
    """A comment (domain.comments.Comment), written with its COMMENT_ADDED history entry, whose id
    and timestamp it shares. No index: a ticket's comments are read from its own collection."""
    comment_id = UnicodeAttribute()
    ticket_id = UnicodeAttribute()
    project_id = UnicodeAttribute()
    author = UnicodeAttribute()
    body = UnicodeAttribute()
    created_at = UnicodeAttribute()
    edited_at = UnicodeAttribute(null=True)
    revisions = JSONAttribute(null=True)      # [{body, edited_at, edited_by}], oldest first; absent: none
    visibility = UnicodeAttribute(null=True)  # absent: internal (as every comment made before replies)
    via = UnicodeAttribute(null=True)         # "email" for a comment that came by email
    mentions = ListAttribute(of=UnicodeAttribute, null=True)
    version = NumberAttribute(null=True)      # edits made; absent: none
    deleted_at = UnicodeAttribute(null=True)
    deleted_by = UnicodeAttribute(null=True)
    edit_entries = ListAttribute(of=UnicodeAttribute, null=True)  # sks of its COMMENT_UPDATED entries


def _due_index():
    return type("by_due_index", (GlobalSecondaryIndex,), {
        "Meta": type("Meta", (), {"index_name": "by_due", "projection": AllProjection()}),
        "due_shard": UnicodeAttribute(hash_key=True),
        "due_key": UnicodeAttribute(range_key=True),
    })()


class DueItem(_TicketsTable, discriminator="due"):
    """Arms the overdue event of an open ticket with a due date (sk `DUE`). Present in the
    `by_due` index until the event fires; kept, out of the index, to remember that it did."""
    ticket_id = UnicodeAttribute()
    project_id = UnicodeAttribute()
    due_date = UnicodeAttribute()
    due_shard = UnicodeAttribute(null=True)
    due_key = UnicodeAttribute(null=True)

    by_due = _due_index()


class SlaMarkerItem(_TicketsTable, discriminator="sla_marker"):
    """Arms the SLA events of one target of a ticket (sk `SLA#<target>`). In the `by_due` index,
    under partitions `SLA#<shard>` (apart from the overdue markers' `DUE#<shard>`), at the next
    moment something may fire, while the target runs; `at_risk_fired` and `breached_fired` say
    what did, and only the sweep's conditional writes set them, so each fires once."""
    ticket_id = UnicodeAttribute()
    project_id = UnicodeAttribute()
    target = UnicodeAttribute()
    at_risk_fired = UnicodeAttribute(null=True)    # when it fired
    breached_fired = UnicodeAttribute(null=True)
    due_shard = UnicodeAttribute(null=True)
    due_key = UnicodeAttribute(null=True)          # <moment>#<ticket id>#<target>

    by_due = _due_index()


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
    # The object version (and its ETag) confirmed, set with `available`: what downloads serve.
    version_id = UnicodeAttribute(null=True)
    etag = UnicodeAttribute(null=True)


class DedupGuardItem(_TicketsTable, discriminator="dedup"):
    """Points a project's dedup key at the ticket that last claimed it."""
    ticket_id = UnicodeAttribute()


class NumberGuardItem(_TicketsTable, discriminator="number"):
    """Points a project's ticket number at its ticket (pk `NUM#<project id>#<number>`, sk `NUM`),
    so that a key such as OPS-42 finds its ticket in one read. Written with the ticket and kept
    when it is deleted, as the tombstone is."""
    ticket_id = UnicodeAttribute()


class IdempotencyItem(_TicketsTable, discriminator="idempotency"):
    request_hash = UnicodeAttribute()
    status_code = NumberAttribute()
    response = JSONAttribute()
    expires_at = NumberAttribute()  # the table's TTL attribute


class CommentMarkItem(_TicketsTable, discriminator="comment_mark"):
    """Marks that a bulk change made with an Idempotency-Key commented on one ticket (pk
    `BULK#<hash of the key's scope>#<ticket id>`, sk `MARK`), written with the comment, so that a
    retry of the request does not comment twice. Expires with the key."""
    expires_at = NumberAttribute()  # the table's TTL attribute


class NotifiedItem(_TicketsTable, discriminator="notified"):
    """The addresses already emailed about one ticket event (pk `NOTIFIED#<event id>`), and the
    accounts whose inbox has it, so that a replayed stream batch does neither again."""
    sent_to = UnicodeSetAttribute(null=True)
    inboxed = UnicodeSetAttribute(null=True)
    expires_at = NumberAttribute()  # the table's TTL attribute


class MailThreadItem(_TicketsTable, discriminator="mail_thread"):
    """A ticket's email thread (sk `MAIL` in its collection, domain.mail_threads.MailThread): read
    and rewritten whole, against the revision read."""
    ticket_id = UnicodeAttribute()
    cc = UnicodeSetAttribute(null=True)
    message_ids = ListAttribute(of=UnicodeAttribute, null=True)   # without <>, oldest first
    auto_replies = JSONAttribute(null=True)                       # [{from, subject, at}], oldest first
    revision = NumberAttribute(default=0)


class MessageIdItem(_TicketsTable, discriminator="message_id"):
    """Points a Message-ID of a ticket's thread at the ticket (pk `MSGID#<project id>#<id lowercased>`,
    sk `MSGID`): an answer quoting it finds the ticket."""
    ticket_id = UnicodeAttribute()


class DigestLineItem(_TicketsTable, discriminator="digest_line"):
    """One event waiting for a recipient's hourly digest (pk `DIGEST#<hour>`, sk `<address>#<event
    id>`): the hour's digests are one Query of its partition."""
    address = UnicodeAttribute()
    line = JSONAttribute()
    expires_at = NumberAttribute()  # the table's TTL attribute


class DigestSentItem(_TicketsTable, discriminator="digest_sent"):
    """Whom one hour's digest went to (pk `DIGESTSENT#<hour>`, sk `SENT`), and whether the hour is
    done with."""
    sent_to = UnicodeSetAttribute(null=True)
    done = BooleanAttribute(null=True)
    expires_at = NumberAttribute()


class ReceivedMarkItem(_TicketsTable, discriminator="received_mark"):
    """A received message was ticketed (pk `INMAIL#<project id>#<hash of its Message-ID>`, sk
    `INMAIL`), written in the transaction that ticketed it; names the ticket it made or added to."""
    ticket_id = UnicodeAttribute()
    new_ticket = BooleanAttribute()
    expires_at = NumberAttribute()  # the table's TTL attribute


class _DirectoryTable(Model):
    class Meta:
        table_name = "unbound"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    kind = DiscriminatorAttribute()


class ProjectItem(_DirectoryTable, discriminator="project"):
    project_id = UnicodeAttribute()
    name = UnicodeAttribute()
    key = UnicodeAttribute()
    created_at = UnicodeAttribute()
    ticket_counter = NumberAttribute(default=0)
    workflow = JSONAttribute(null=True)
    default_assignee = UnicodeAttribute(null=True)
    sla_policy_version = NumberAttribute(null=True)   # the policy new tickets start under
    require_sso = BooleanAttribute(null=True)         # absent on projects made before it existed
    # Email settings (domain.mailbox.EmailSettings); each absent until first set: its default.
    email_aliases = ListAttribute(of=UnicodeAttribute, null=True)
    reply_to_closed = UnicodeAttribute(null=True)
    acknowledge = BooleanAttribute(null=True)
    acknowledgement = UnicodeAttribute(null=True)
    email_address = UnicodeAttribute(null=True)       # its own address, once claimed for it


class ContactItem(_DirectoryTable, discriminator="contact"):
    """Someone who writes in by email (sk `CONTACT#<email lowercased>`, domain.contacts.Contact)."""
    email = UnicodeAttribute()
    name = UnicodeAttribute(default="")
    created_at = UnicodeAttribute()
    last_message_at = UnicodeAttribute(null=True)
    bounced_at = UnicodeAttribute(null=True)
    bounce_reason = UnicodeAttribute(null=True)
    acknowledged_at = UnicodeAttribute(null=True)


class SlaPolicyItem(_DirectoryTable, discriminator="sla_policy"):
    """One version of a project's SLA policy (sk `SLA#<version, 8 digits>`). Never changed once
    written: tickets keep the version they started under."""
    version = NumberAttribute()
    policy = JSONAttribute()
    created_at = UnicodeAttribute()
    created_by = UnicodeAttribute()


class MemberItem(_DirectoryTable, discriminator="member"):
    user_id = UnicodeAttribute()
    email = UnicodeAttribute()
    name = UnicodeAttribute()
    role = UnicodeAttribute()
    created_at = UnicodeAttribute()
    notifications = JSONAttribute(null=True)  # {kind: bool}; absent on members made before it existed
    account_id = UnicodeAttribute(null=True)  # absent on members stored before accounts (the migration sets it)
    notification_delivery = JSONAttribute(null=True)  # {kind: "hourly"}; absent: every kind each
    revision = NumberAttribute(null=True)  # changes written (domain.people.Member.revision); absent: none


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


class WebhookItem(_DirectoryTable, discriminator="webhook"):
    webhook_id = UnicodeAttribute()
    name = UnicodeAttribute()
    event_type = UnicodeAttribute()
    url = UnicodeAttribute()
    filters = JSONAttribute(default=dict)
    # Kept as written: signing needs the secret itself (the table is encrypted at rest).
    secret = UnicodeAttribute()
    previous_secret = UnicodeAttribute(null=True)
    previous_secret_until = NumberAttribute(null=True)
    created_at = UnicodeAttribute()
    created_by = UnicodeAttribute()
    disabled_at = UnicodeAttribute(null=True)
    failing_since = NumberAttribute(null=True)
    once = BooleanAttribute(null=True)   # absent on subscriptions made before it existed
    owner = UnicodeAttribute(null=True)  # absent on subscriptions made before owners were recorded


class ViewItem(_DirectoryTable, discriminator="view"):
    """A saved view. Shared views sort under `VIEW#S#<view id>`, each member's personal views under
    `VIEW#U#<user id>#<view id>`, so a listing reads the shared views and the caller's own, never
    the personal views of everyone else."""
    view_id = UnicodeAttribute()
    name = UnicodeAttribute()
    query_string = UnicodeAttribute()  # not `query`, which would hide Model.query
    shared = BooleanAttribute()
    owner = UnicodeAttribute()     # the maker's user id, or automation:<name> (whose views are all shared)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


class ViewCountItem(_DirectoryTable, discriminator="view_count"):
    """How many views one scope holds: the project's shared views (sk `VIEWCOUNT#S`) or one
    member's personal views (sk `VIEWCOUNT#U#<user id>`). Changed in the same transaction as the
    view it counts, which is what holds the limits against concurrent requests."""
    count = NumberAttribute(default=0)


class PartitionCountItem(_DirectoryTable, discriminator="partition_count"):
    """How many items one search-index partition of the project holds (sk
    `COUNT#<index attribute>#<partition key>`), kept by the tickets stream consumer. Approximate
    (a replayed stream batch counts twice); used only to choose which index drives a search."""
    count = NumberAttribute(default=0)


class ReportDayItem(_DirectoryTable, discriminator="report_day"):
    """One project's aggregates of one UTC day and severity (sk `REPORT#<day>#<severity>`), kept
    by the tickets stream in the same idempotent transactions as the partition counts: counters
    that only add (domain.reports.ATTRIBUTES), so that weeks and severities are sums of days."""
    for _name in reports.ATTRIBUTES:
        locals()[_name] = NumberAttribute(null=True)
    del _name


class WrongKeyCountItem(_DirectoryTable, discriminator="wrong_keys"):
    """Wrong API keys sent in one minute by one source or for one key id (pk
    `WRONGKEYS#<subject>`, sk `W#<the minute's first epoch second>`). Kept apart from the project's
    items, which every request reads: a flood of wrong keys writes nowhere near them."""
    count = NumberAttribute(default=0)
    expires_at = NumberAttribute()  # the table's TTL attribute


class ProjectAccountItem(_DirectoryTable, discriminator="project_account"):
    """A project's view of a member's account (sk `ACCOUNT#<account id>`): the member it is and the
    member's role, copied from the MEMBER# item in the same transaction (as keys copy it), so that
    a session's request reads session, project and role in one BatchGetItem."""
    account_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    role = UnicodeAttribute()


class AccountItem(_DirectoryTable, discriminator="account"):
    """A person across the deployment (pk `A#<account id>`, sk `ACCOUNT`)."""
    account_id = UnicodeAttribute()
    email = UnicodeAttribute()
    name = UnicodeAttribute()
    created_at = UnicodeAttribute()
    last_sign_in_at = UnicodeAttribute(null=True)  # absent while only invited


class AccountEmailItem(_DirectoryTable, discriminator="account_email"):
    """Keeps an account's email unique in the deployment (pk `AEMAIL#<email>`, sk `ACCOUNT`)."""
    account_id = UnicodeAttribute()


class AccountProjectItem(_DirectoryTable, discriminator="account_project"):
    """One of an account's memberships (pk `A#<account id>`, sk `PROJECT#<project id>`): listing an
    account's projects is one Query of its own partition."""
    project_id = UnicodeAttribute()
    user_id = UnicodeAttribute()


class SessionItem(_DirectoryTable, discriminator="session"):
    """A signed-in browser (pk `A#<account id>`, sk `SESSION#<session id>`); only the secret's hash."""
    session_id = UnicodeAttribute()
    secret_hash = UnicodeAttribute()
    method = UnicodeAttribute()
    created_at = UnicodeAttribute()
    last_used_at = UnicodeAttribute()
    last_used_epoch = NumberAttribute()
    absolute_expires_at = NumberAttribute()
    ip = UnicodeAttribute(null=True)
    user_agent = UnicodeAttribute(null=True)
    expires_at = NumberAttribute()  # the table's TTL attribute: the sooner of idle and absolute expiry


class InboxEntryItem(_DirectoryTable, discriminator="inbox_entry"):
    """One ticket in an account's inbox (pk `A#<account id>`, sk `INBOX#<ticket id>`,
    domain.inbox.InboxEntry). In `by_inbox` under `<account id>` (or `<account id>#archived`), newest
    event first, so that a page of an inbox is one Query."""
    account_id = UnicodeAttribute()
    project_id = UnicodeAttribute()
    ticket_id = UnicodeAttribute()
    key = UnicodeAttribute()
    title = UnicodeAttribute()
    status = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    unread = BooleanAttribute()
    summary = JSONAttribute(default=dict)
    first_unread = UnicodeAttribute(null=True)
    last_read_at = UnicodeAttribute(null=True)
    archived = BooleanAttribute(default=False)
    revision = NumberAttribute()
    inbox_idx = UnicodeAttribute()
    inbox_order = UnicodeAttribute()      # <updated_at>#<ticket id>

    by_inbox = type("by_inbox_index", (GlobalSecondaryIndex,), {
        "Meta": type("Meta", (), {"index_name": "by_inbox", "projection": AllProjection()}),
        "inbox_idx": UnicodeAttribute(hash_key=True),
        "inbox_order": UnicodeAttribute(range_key=True),
    })()


class InboxCountItem(_DirectoryTable, discriminator="inbox_count"):
    """How many of an account's entries of one project are unread (pk `A#<account id>`, sk
    `INBOXCOUNT#<project id>`), changed only in the transaction that flips an entry's flag."""
    project_id = UnicodeAttribute()
    unread = NumberAttribute(default=0)


class ChallengeItem(_DirectoryTable, discriminator="sign_in_challenge"):
    """An emailed code waiting in one browser (pk `SIGNIN#<keyed hash of its pending cookie>`)."""
    email = UnicodeAttribute()
    account_id = UnicodeAttribute(null=True)  # absent for an address no account has
    code_hash = UnicodeAttribute()
    wrong_tries = NumberAttribute(default=0)
    created_at = UnicodeAttribute()
    expires_at = NumberAttribute()  # the table's TTL attribute; checked on use too (TTL deletes late)


class LinkItem(_DirectoryTable, discriminator="sign_in_link"):
    """A one-time sign-in link (pk `SIGNINLINK#<keyed hash of its token>`)."""
    email = UnicodeAttribute()
    account_id = UnicodeAttribute(null=True)
    pending_hash = UnicodeAttribute(null=True)  # set when bound to the browser that asked
    expires_at = NumberAttribute()


class OidcStateItem(_DirectoryTable, discriminator="oidc_state"):
    """An OIDC sign-in under way (pk `OIDC#<keyed hash of its state>`)."""
    provider_id = UnicodeAttribute()
    nonce = UnicodeAttribute()
    code_verifier = UnicodeAttribute()
    return_to = UnicodeAttribute()
    expires_at = NumberAttribute()


class SignInRateItem(_DirectoryTable, discriminator="sign_in_rate"):
    """Sign-in emails asked in one window for one subject (pk `SIGNINRATE#<subject>`)."""
    count = NumberAttribute(default=0)
    expires_at = NumberAttribute()


class MailAddressItem(_DirectoryTable, discriminator="mail_address"):
    """Which project receives an address's mail (pk `MAILADDR#<address>`, sk `MAILADDR`): an
    address belongs to one project at a time."""
    project_id = UnicodeAttribute()


class MailLogItem(_DirectoryTable, discriminator="mail_log"):
    """A received message that was not ticketed (sk `MAILLOG#<received at>#<id>` of its project, or
    of `MAILLOG#unrouted`; domain.mailbox.MailLogEntry)."""
    entry_id = UnicodeAttribute()
    project_id = UnicodeAttribute(null=True)
    object_key = UnicodeAttribute()
    sender = UnicodeAttribute(default="")
    subject = UnicodeAttribute(default="")
    status = UnicodeAttribute()
    reasons = ListAttribute(of=UnicodeAttribute, default=list)
    received_at = UnicodeAttribute()
    ticket_id = UnicodeAttribute(null=True)


# Search index name -> the attribute holding its partition key.
SEARCH_INDEX_ATTRIBUTES = {
    "status": "status_idx",
    "severity": "severity_idx",
    "reporter": "reporter_idx",
    "assignee": "assignee_idx",
    "requester": "requester_idx",
    "tags": "tag_idx",
    "terms": "term_idx",
    "state": "state_idx",
}


class DeliveryItem(Model):
    """One event's delivery to one subscription, with every attempt (the deliveries table)."""

    class Meta:
        table_name = "unbound"

    pk = UnicodeAttribute(hash_key=True)     # WH#<subscription id>
    sk = UnicodeAttribute(range_key=True)    # <delivery id>
    subscription_id = UnicodeAttribute()
    project_id = UnicodeAttribute()
    event_id = UnicodeAttribute()
    event_type = UnicodeAttribute()
    body = UnicodeAttribute()
    created_at = UnicodeAttribute()
    created_key = UnicodeAttribute()          # <created_at>#<delivery id>, newest-first listing
    state = UnicodeAttribute()
    attempts = JSONAttribute(default=list)
    next_attempt_at = UnicodeAttribute(null=True)
    first_attempt_epoch = NumberAttribute(null=True)
    leased_until = NumberAttribute(null=True)  # epoch seconds; one sender at a time
    leased_by = UnicodeAttribute(null=True)    # the queue message whose attempt holds the lease
    # Set only while a retry waits longer than a queue delay allows; the minute sweep finds it.
    retry_shard = UnicodeAttribute(null=True)
    expires_at = NumberAttribute()            # TTL: the log is kept for 30 days

    by_created = type("by_created_index", (LocalSecondaryIndex,), {
        "Meta": type("Meta", (), {"index_name": "by_created", "projection": AllProjection()}),
        "pk": UnicodeAttribute(hash_key=True),
        "created_key": UnicodeAttribute(range_key=True),
    })()
    by_retry = type("by_retry_index", (GlobalSecondaryIndex,), {
        "Meta": type("Meta", (), {"index_name": "by_retry", "projection": AllProjection()}),
        "retry_shard": UnicodeAttribute(hash_key=True),
        "next_attempt_at": UnicodeAttribute(range_key=True),
    })()


_bound: config.Tables | None = None
_connection: Connection | None = None


def connection() -> Connection:
    """A shared low-level connection for transactions across models."""
    global _connection
    bind()
    if _connection is None:
        _connection = Connection(region=_TicketsTable.Meta.region, host=_TicketsTable.Meta.host)
    return _connection


def bind(tables: config.Tables | None = None) -> None:
    """Points the models at `tables` (by default the environment's), once per process: while they
    are the tables already bound this does nothing, and the connections are kept."""
    tables = tables or config.tables()
    if tables != _bound:
        rebind(tables)


def rebind(tables: config.Tables | None = None) -> None:
    """Points the models at `tables` (by default the environment's) with new connections, as a
    fresh process would, even when they are the tables already bound."""
    global _bound, _connection
    tables = tables or config.tables()
    sessions.install()
    for base, name in ((_TicketsTable, tables.tickets), (_DirectoryTable, tables.directory),
                       (DeliveryItem, tables.deliveries)):
        for model in (base, *_subclasses(base)):
            model.Meta.table_name = name
            model.Meta.host = tables.endpoint
            model.Meta.region = tables.region
            model._connection = None
    _connection = None
    _bound = tables


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


MAX_TRANSACTION_ACTIONS = 100
# DynamoDB refuses a larger item (names and values, in UTF-8) with a ValidationException; the margin
# leaves room for what estimating numbers and nesting may miss.
MAX_ITEM_BYTES = 400 * 1024 - 1024


def item_bytes(item: Model) -> int:
    """The item's size as DynamoDB counts it, as it would be written (JSON attributes as stored:
    ASCII-escaped, so a character outside ASCII counts 6 or 12 bytes there)."""
    return sum(len(name.encode()) + _value_bytes(value) for name, value in item.serialize().items())


def _value_bytes(value: dict) -> int:
    (kind, held), = value.items()
    if kind == "S":
        return len(held.encode())
    if kind == "N":
        return len(held) // 2 + 2
    if kind == "B":
        return len(held)
    if kind in ("SS", "NS", "BS"):
        return sum(_value_bytes({kind[0]: one}) for one in held)
    if kind == "L":
        return 3 + sum(1 + _value_bytes(one) for one in held)
    if kind == "M":
        return 3 + sum(1 + len(name.encode()) + _value_bytes(one) for name, one in held.items())
    return 1  # BOOL, NULL


class Transaction(TransactWrite):
    """TransactWrite on the shared connection; a failed condition raises `conflict` instead."""

    def __init__(self, conflict: Exception, token: str | None = None):
        super().__init__(connection=connection(), client_request_token=token)
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

    def update_unversioned(self, model_cls: type[Model], hash_key: str, range_key: str, actions: list,
                           condition) -> None:
        """An Update that leaves the item's VersionAttribute alone: PynamoDB's `update` always
        increments it, which is right for a change of what the version stands for and wrong for
        bookkeeping beside it. Keys are the stored strings."""
        self._update_items.append(model_cls._get_connection().get_operation_kwargs(
            hash_key, range_key, actions=actions, condition=condition))
