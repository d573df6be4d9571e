"""The state every in-memory repository shares (one `MemoryStore` stands for the tables), and its
transactions: what a transaction writes is all kept or, when any condition fails (or anything
else goes wrong), all undone, as a DynamoDB TransactWrite does. TTL is not applied: an expired
record stays, and the conditions that DynamoDB's code reads as absent treat it so too."""
import copy
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator

from chalicelib.domain.accounts import Account, Challenge, Membership, OidcState, OneTimeLink, StoredSession
from chalicelib.domain.attachments import Attachment
from chalicelib.domain.comments import Comment
from chalicelib.domain.contacts import Contact
from chalicelib.domain.digest import Line
from chalicelib.domain.idempotency import StoredResponse
from chalicelib.domain.inbox import InboxEntry
from chalicelib.domain.mail_threads import MailThread
from chalicelib.domain.mailbox import MailLogEntry, ReceivedMark
from chalicelib.domain.people import ApiKey, Member, Project, Team
from chalicelib.domain.sla import StoredPolicy
from chalicelib.domain.tickets import HistoryEntry, Ticket
from chalicelib.domain.views import View
from chalicelib.domain.watching import Watcher
from chalicelib.domain.webhooks import Delivery, Subscription


class ConditionFailed(Exception):
    """A single conditional write found the item other than it required (DynamoDB's
    ConditionalCheckFailedException, which the DynamoDB repositories do not turn into a domain
    error either)."""


@dataclass
class StoredTicket:
    ticket: Ticket
    deleted_at: str | None = None
    deleted_by: str | None = None
    attachment_adds: int | None = None   # dropped whenever the ticket is written whole

    @property
    def live(self) -> bool:
        return self.deleted_at is None


@dataclass
class DueMarker:
    project_id: str
    due_date: str
    armed: bool


@dataclass
class SlaMarkerState:
    ticket_id: str
    project_id: str
    target: str
    due_key: str | None = None           # None: out of the sweep's index
    at_risk_fired: str | None = None
    breached_fired: str | None = None


@dataclass
class StoredProject:
    project: Project
    ticket_counter: int = 0


@dataclass
class StoredDelivery:
    delivery: Delivery
    created_key: str
    in_retry_index: bool = False
    leased_until: float | None = None
    leased_by: str | None = None


@dataclass
class MemoryStore:
    # ---- tickets table ----
    tickets: dict[str, StoredTicket] = field(default_factory=dict)
    history: dict[str, dict[str, HistoryEntry]] = field(default_factory=dict)       # ticket id -> sk -> entry
    comments: dict[str, dict[str, Comment]] = field(default_factory=dict)          # ticket id -> position -> comment
    attachments: dict[str, dict[str, Attachment]] = field(default_factory=dict)     # ticket id -> id -> record
    due_markers: dict[str, DueMarker] = field(default_factory=dict)
    sla_markers: dict[tuple[str, str], SlaMarkerState] = field(default_factory=dict)
    terms: dict[str, dict[str, tuple[str, str]]] = field(default_factory=dict)      # prefix -> (project, created key)
    comment_words: dict[str, set[str]] = field(default_factory=dict)
    number_guards: dict[tuple[str, int], str] = field(default_factory=dict)
    dedup_guards: dict[tuple[str, str], str] = field(default_factory=dict)
    responses: dict[str, StoredResponse] = field(default_factory=dict)
    comment_marks: dict[str, int] = field(default_factory=dict)                     # pk -> expires_at
    notified: dict[str, set[str]] = field(default_factory=dict)
    inboxed: dict[str, set[str]] = field(default_factory=dict)                     # event id -> account ids
    digest_lines: dict[str, dict[tuple[str, str], tuple[str, Line]]] = field(default_factory=dict)  # hour -> lines
    digest_sent: dict[str, set[str]] = field(default_factory=dict)                 # hour -> addresses (lower)
    digest_hours_done: set[str] = field(default_factory=set)
    watchers: dict[str, dict[str, Watcher]] = field(default_factory=dict)           # ticket id -> watcher -> it
    mail_threads: dict[str, MailThread] = field(default_factory=dict)              # ticket id -> its thread
    message_ids: dict[tuple[str, str], str] = field(default_factory=dict)          # (project, id key) -> ticket
    received_marks: dict[str, ReceivedMark] = field(default_factory=dict)           # key -> mark
    # ---- directory table ----
    projects: dict[str, StoredProject] = field(default_factory=dict)
    sla_policies: dict[tuple[str, int], StoredPolicy] = field(default_factory=dict)
    members: dict[tuple[str, str], Member] = field(default_factory=dict)
    emails: dict[tuple[str, str], str] = field(default_factory=dict)
    teams: dict[tuple[str, str], Team] = field(default_factory=dict)
    api_keys: dict[tuple[str, str], ApiKey] = field(default_factory=dict)
    account_sessions: dict[tuple[str, str], StoredSession] = field(default_factory=dict)  # (account, session)
    wrong_keys: dict[tuple[str, int], int] = field(default_factory=dict)
    partition_counts: dict[tuple[str, str, str], int] = field(default_factory=dict)
    report_days: dict[tuple[str, str, str], dict[str, int]] = field(default_factory=dict)
    count_tokens: set[str] = field(default_factory=set)
    views: dict[tuple[str, str, str | None], View] = field(default_factory=dict)    # (project, id, owner)
    view_counts: dict[tuple[str, str], int] = field(default_factory=dict)
    subscriptions: dict[tuple[str, str], Subscription] = field(default_factory=dict)
    accounts: dict[str, Account] = field(default_factory=dict)
    account_emails: dict[str, str] = field(default_factory=dict)                    # email -> account id
    account_projects: dict[tuple[str, str], str] = field(default_factory=dict)      # (account, project) -> user id
    project_accounts: dict[tuple[str, str], Membership] = field(default_factory=dict)  # (project, account)
    challenges: dict[str, Challenge] = field(default_factory=dict)                  # pending hash -> challenge
    links: dict[str, OneTimeLink] = field(default_factory=dict)                     # token hash -> link
    sign_in_rates: dict[tuple[str, int], int] = field(default_factory=dict)         # (subject, window start)
    oidc_states: dict[str, OidcState] = field(default_factory=dict)                  # state hash -> sign-in
    inbox_entries: dict[tuple[str, str], InboxEntry] = field(default_factory=dict)  # (account, ticket)
    inbox_counts: dict[tuple[str, str], int] = field(default_factory=dict)          # (account, project)
    mail_addresses: dict[str, str] = field(default_factory=dict)                    # address -> project id
    contacts: dict[tuple[str, str], Contact] = field(default_factory=dict)          # (project, email)
    mail_log: dict[tuple[str | None, str], MailLogEntry] = field(default_factory=dict)  # (project, sk)
    # ---- deliveries table ----
    deliveries: dict[tuple[str, str], StoredDelivery] = field(default_factory=dict)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing: on any exception the state is put back as it was."""
        before = copy.deepcopy(self.__dict__)
        try:
            yield
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(before)
            raise


def require(condition: bool, conflict: Exception) -> None:
    """A condition of a write: raises `conflict` (which undoes the transaction) when it fails."""
    if not condition:
        raise conflict


class MemoryRepository:
    """A repository over a shared store."""

    def __init__(self, store: MemoryStore):
        self.store = store
