"""What the use cases need of storage, one Protocol per concern, naming only the methods they
call. DynamoDB implements them in adapters/dynamodb/ (and the three repositories beside it), and
adapters/memory/ implements every one in memory, holding the same contract tests.

Where one service works across several concerns through one collaborator, a Protocol below joins
them (`TicketStore`, `PeopleDirectory`, ...): the service still names exactly what it uses."""
from typing import Iterable, Iterator, Protocol

from chalicelib.domain.accounts import Account, Challenge, Membership, OidcState, OneTimeLink, StoredSession
from chalicelib.domain.attachments import Additions, Attachment, StoredObject
from chalicelib.domain.attempts import Window
from chalicelib.domain.comments import Comment
from chalicelib.domain.contacts import Contact
from chalicelib.domain.digest import Line
from chalicelib.domain.idempotency import CommentMark, StoredResponse
from chalicelib.domain.inbox import InboxEntry
from chalicelib.domain.mail_threads import AutoReply, MailThread
from chalicelib.domain.mailbox import MailLogEntry, ReceivedMark
from chalicelib.domain.people import ApiKey, Member, Project, Team
from chalicelib.domain.search import SearchPlan, SearchResult, TicketQuery
from chalicelib.domain.sign_in import WrongCodeCap
from chalicelib.domain.sla import SlaMarker, StoredPolicy
from chalicelib.domain.tickets import HistoryEntry, Ticket, TicketDetail
from chalicelib.domain.views import View
from chalicelib.domain.watching import Watcher
from chalicelib.domain.webhooks import Delivery, Subscription

# ---- the tickets table -------------------------------------------------------------------------


class Tickets(Protocol):
    """Tickets, and the writer of every change to one: each write commits with its history entry
    and whatever it claims, or not at all (StaleTicket)."""

    def get(self, ticket_id: str) -> Ticket | None: ...

    def get_many(self, ticket_ids: Iterable[str]) -> dict[str, Ticket]: ...

    def detail(self, ticket_id: str) -> TicketDetail | None: ...

    def owner_project(self, ticket_id: str) -> tuple[str, bool] | None: ...

    def create(self, ticket: Ticket, entry: HistoryEntry, *, dedup_previous: str | None = None,
               idempotency: StoredResponse | None = None, received: ReceivedMark | None = None) -> None: ...

    def update(self, before: Ticket, after: Ticket, entry: HistoryEntry, *, comment: HistoryEntry | None = None,
               mark: CommentMark | None = None, received: ReceivedMark | None = None) -> None: ...

    def append_history(self, ticket: Ticket, entry: HistoryEntry, *, require_open: bool = False,
                       idempotency: StoredResponse | None = None, mark: CommentMark | None = None) -> None: ...

    def add_comment(self, ticket: Ticket, entry: HistoryEntry, *, mark: CommentMark | None = None,
                    received: ReceivedMark | None = None) -> None: ...

    def edit_comment(self, ticket: Ticket, before: Comment, after: Comment, entry: HistoryEntry) -> None: ...

    def delete_comment(self, ticket: Ticket, before: Comment, after: Comment, entry: HistoryEntry) -> None: ...

    def delete(self, ticket: Ticket, entry: HistoryEntry) -> None: ...


class ReceivedMarks(Protocol):
    """Which received messages were ticketed: `Tickets` writes a message's mark (`received`) with
    the ticket or comment it made, on condition that it is new (StaleTicket otherwise)."""

    def received_mark(self, key: str) -> ReceivedMark | None: ...


class TicketBackfill(Protocol):
    """Operator commands over every stored ticket (never on a request path)."""

    def every_live_ticket(self, project_id: str | None = None) -> Iterator[Ticket]: ...

    def refresh_index_keys(self, ticket: Ticket) -> bool: ...


class History(Protocol):
    def history(self, ticket_id: str, event: str | None, limit: int,
                after_sk: str | None) -> tuple[list[HistoryEntry], str | None]: ...


class Comments(Protocol):
    """A ticket's comments, oldest first, those only their COMMENT_ADDED entry records included.
    `Tickets` writes each with its entry (`add_comment`, or `update` with a comment), and its edits
    and deletion with theirs."""

    def comment_page(self, ticket_id: str, after: str | None, limit: int) -> tuple[list[Comment], str | None]: ...

    def comment(self, ticket_id: str, comment_id: str) -> Comment | None: ...

    def every_comment(self, ticket_id: str) -> Iterator[Comment]: ...


class Search(Protocol):
    def search(self, project_id: str, plan: SearchPlan, query: TicketQuery, now: str,
               limit: int) -> SearchResult: ...


class TermIndex(Protocol):
    """The term index and the words of each ticket's comments, kept by the tickets stream."""

    def comment_words(self, ticket_ids: list[str]) -> dict[str, set[str]]: ...

    def add_comment_words(self, ticket_id: str, words: set[str]) -> set[str]: ...

    def replace_comment_words(self, ticket_id: str, words: set[str]) -> set[str]: ...

    def indexed_prefixes(self, ticket_id: str) -> set[str]: ...

    def change_terms(self, project_id: str, ticket_id: str, created_key: str, add: set[str],
                     remove: set[str]) -> None: ...

    def drop_terms(self, ticket_id: str) -> None: ...


class Markers(Protocol):
    """The overdue and SLA markers the sweeps read and fire, each once."""

    def overdue(self, now: str) -> list[tuple[str, str]]: ...

    def fire_overdue(self, ticket: Ticket, entry: HistoryEntry) -> None: ...

    def sla_markers_due(self, now: str) -> list[SlaMarker]: ...

    def move_sla_marker(self, ticket: Ticket, marker: SlaMarker, next_moment: str | None) -> None: ...

    def fire_sla(self, ticket: Ticket, marker: SlaMarker, fired: str, next_moment: str | None,
                 entry: HistoryEntry) -> None: ...


class Idempotency(Protocol):
    def stored_response(self, scope: str) -> StoredResponse | None: ...

    def store_response(self, stored: StoredResponse) -> None: ...

    def marked(self, marks: Iterable[CommentMark], now: int) -> set[str]: ...


class Numbers(Protocol):
    """Ticket numbers and dedup keys, each pointing at its ticket."""

    def dedup_owner(self, project_id: str, dedup_key: str) -> str | None: ...

    def ticket_id_for_number(self, project_id: str, number: int) -> str | None: ...

    def ticket_ids_for_numbers(self, project_id: str, numbers: Iterable[int]) -> dict[int, str]: ...


class Notified(Protocol):
    def notified(self, event_id: str) -> frozenset[str]: ...

    def record_notified(self, event_id: str, addresses: list[str], expires_at: int) -> None: ...


class MailThreads(Protocol):
    """Tickets' email threads, and the Message-ID index that finds the ticket an answer is about.
    Adding to a thread is idempotent (an id or address it has is not added again); ids are
    compared lowercased and without <>, and the index's latest record of an id wins."""

    def thread(self, ticket_id: str) -> MailThread | None: ...

    def add_to_thread(self, ticket_id: str, message_ids: list[str], cc: list[str],
                      auto_reply: AutoReply | None = None) -> MailThread: ...

    def ticket_by_message_id(self, project_id: str, message_ids: list[str]) -> str | None:
        """The ticket of the first of `message_ids` the index knows, in the order given."""

    def record_message_ids(self, project_id: str, ticket_id: str, message_ids: list[str]) -> None: ...


class Watchers(Protocol):
    """A ticket's watchers, in every state (an unsubscribed one is remembered). Events add the
    missing ones and never change an existing one; people save theirs over it."""

    def watchers(self, ticket_id: str) -> list[Watcher]: ...

    def add_watchers(self, watchers: list[Watcher]) -> list[Watcher]: ...

    def save_watcher(self, watcher: Watcher) -> None: ...


class Digests(Protocol):
    """Lines waiting for their hour's digest (`DIGEST#<hour>`, one per recipient and event, so a
    line queued twice is one line), and whom each hour's digest went to: a recipient is claimed
    before their digest is sent, so two sweeps never both send it, and released if sending failed."""

    def queue_digest_line(self, hour: str, address: str, line: Line, expires_at: int) -> None: ...

    def digest_lines(self, hour: str) -> list[tuple[str, Line]]: ...

    def digest_hours_done(self, hours: list[str]) -> set[str]: ...

    def claim_digest(self, hour: str, address: str, expires_at: int) -> bool: ...

    def release_digest(self, hour: str, address: str) -> None: ...

    def finish_digest_hour(self, hour: str, expires_at: int) -> None: ...


class Attachments(Protocol):
    def get(self, ticket_id: str, attachment_id: str) -> Attachment | None: ...

    def for_ticket(self, ticket_id: str) -> list[Attachment]: ...

    def ticket_for_upload(self, ticket_id: str) -> tuple[Ticket, Additions] | None: ...

    def add_pending(self, attachment: Attachment, seen: Additions) -> None: ...

    def mark_available(self, attachment: Attachment, uploaded_at: str, stored: StoredObject,
                       entry: HistoryEntry) -> None: ...

    def remove(self, attachment: Attachment, entry: HistoryEntry | None) -> None: ...


# ---- the directory table -----------------------------------------------------------------------


class Projects(Protocol):
    def project(self, project_id: str) -> Project | None: ...

    def create_project(self, project: Project, admin: Member, key: ApiKey,
                       new_account: Account | None = None) -> None: ...

    def next_ticket_number(self, project_id: str) -> int: ...

    def set_workflow(self, project_id: str, transitions: dict[str, list[str]]) -> None: ...

    def update_project(self, project_id: str, changes: dict, claim: tuple[str, ...] = (),
                       release: tuple[str, ...] = ()) -> Project: ...


class MailAddresses(Protocol):
    """Which project receives each address's mail: one project per address. `update_project`
    claims and releases a project's aliases with its settings."""

    def address_owners(self, addresses: Iterable[str]) -> dict[str, str]: ...

    def claim_address(self, address: str, project_id: str) -> str:
        """Makes the address the project's unless another has it; returns the address's owner."""
        ...


class Contacts(Protocol):
    """The people who write in by email, per project, by their address (lowercased). A message
    upserts its sender; a bounce is noted only on a contact that exists; an acknowledgement is
    claimed at most once a window."""

    def contact(self, project_id: str, email: str) -> Contact | None: ...

    def contact_page(self, project_id: str, limit: int, after: str | None) -> tuple[list[Contact], str | None]: ...

    def save_contact_message(self, project_id: str, email: str, name: str, at: str) -> None: ...

    def record_bounce(self, project_id: str, email: str, at: str, reason: str) -> bool: ...

    def claim_acknowledgement(self, project_id: str, email: str, at: str, not_since: str) -> bool: ...


class MailLog(Protocol):
    """Received messages that were not ticketed, by project (None: no project received them),
    newest first."""

    def log_mail(self, entry: MailLogEntry) -> None: ...

    def mail_log_entry(self, project_id: str | None, entry_id: str) -> MailLogEntry | None: ...

    def mail_log_page(self, project_id: str | None, status: str | None, limit: int,
                      after: str | None) -> tuple[list[MailLogEntry], str | None]: ...

    def release_mail_log_entry(self, entry: MailLogEntry, ticket_id: str) -> None: ...

    def delete_mail_log_entry(self, entry: MailLogEntry) -> None: ...


class SlaPolicies(Protocol):
    def sla_policy(self, project_id: str, version: int) -> StoredPolicy | None: ...

    def add_sla_policy(self, project_id: str, version: int, policy: dict, created_at: str,
                       created_by: str) -> None: ...


class Members(Protocol):
    def members(self, project_id: str) -> list[Member]: ...

    def member(self, project_id: str, user_id: str) -> Member | None: ...

    def add_member(self, project_id: str, member: Member, new_account: Account | None = None) -> None: ...

    def update_member(self, project_id: str, before: Member, after: Member, keys: list[ApiKey]) -> None: ...

    def remove_member(self, project_id: str, member: Member, keys: list[ApiKey], teams: list[Team],
                      require_invited: bool = False) -> None: ...


class Accounts(Protocol):
    """People across projects. A member with an `account_id` is that account's membership: the
    member writes (`add_member`, `update_member`, `remove_member`, `create_project`) keep the
    account's `PROJECT#` item and the project's `ACCOUNT#` item (its role) in their transaction, and
    write a `new_account` with them when the member is the account's first."""

    def account(self, account_id: str) -> Account | None: ...

    def accounts(self, account_ids: Iterable[str]) -> dict[str, Account]: ...

    def account_by_email(self, email: str) -> Account | None: ...

    def create_account(self, account: Account) -> None: ...

    def memberships(self, account_id: str) -> list[Membership]: ...

    def projects_of(self, account_id: str) -> list[tuple[Project, Membership]]: ...

    def record_sign_in(self, account_id: str, at: str) -> None: ...

    def rename_account(self, account_id: str, name: str) -> Account: ...


class OidcStates(Protocol):
    """OIDC sign-ins under way, by the keyed hash of their state: each is taken once, and never
    once expired."""

    def save_oidc_state(self, state: OidcState) -> None: ...

    def take_oidc_state(self, state_hash: str, now: int) -> OidcState | None: ...


class AccountMigration(Protocol):
    """An operator command over every stored member (never on a request path): members stored
    before accounts get one."""

    def members_without_account(self) -> Iterator[tuple[str, Member]]: ...

    def link_account(self, project_id: str, member: Member, new_account: Account | None) -> None: ...


class Teams(Protocol):
    def teams(self, project_id: str) -> list[Team]: ...

    def team(self, project_id: str, team_id: str) -> Team | None: ...

    def save_team(self, project_id: str, team: Team, *, new: bool) -> None: ...

    def delete_team(self, project_id: str, team_id: str) -> None: ...


class ApiKeys(Protocol):
    def key_and_project(self, project_id: str, key_id: str) -> tuple[ApiKey | None, Project | None]: ...

    def api_key(self, project_id: str, key_id: str) -> ApiKey | None: ...

    def api_keys(self, project_id: str) -> list[ApiKey]: ...

    def add_api_key(self, project_id: str, key: ApiKey, member: Member | None) -> None: ...

    def delete_api_key(self, project_id: str, key_id: str) -> None: ...


class WrongKeyCounts(Protocol):
    def count_wrong_key(self, subject: str, window: Window) -> int | None: ...


class SignInChallenges(Protocol):
    """Emailed codes and one-time links, stored under the keyed hashes of their secrets. Each is
    used once, by a conditional delete that also checks expiry (TTL deletes late). Using a code and
    counting a wrong one each check the address's daily cap of wrong codes in the same write, and
    raise TooManyWrongCodes when it is reached, leaving the code as it was."""

    def account_id_by_email(self, email: str) -> str | None: ...

    def start_sign_in(self, challenge: Challenge, link: OneTimeLink) -> None: ...

    def challenge(self, pending_hash: str) -> Challenge | None: ...

    def use_challenge(self, pending_hash: str, code_hash: str, now: int, cap: WrongCodeCap) -> bool: ...

    def count_wrong_code(self, pending_hash: str, cap: WrongCodeCap) -> bool: ...

    def add_link(self, link: OneTimeLink) -> None: ...

    def use_link(self, token_hash: str, pending_hash: str | None, now: int) -> OneTimeLink | None: ...


class SignInRates(Protocol):
    def count_sign_in_request(self, subject: str, window: Window) -> int: ...


class Sessions(Protocol):
    """An account's signed-in browsers (each kept under its account, so listing them is one Query),
    and what authenticating a session's request reads: the session, the project and the account's
    membership of it, in one read."""

    def add_session(self, session: StoredSession) -> None: ...

    def session(self, account_id: str, session_id: str) -> StoredSession | None: ...

    def sessions_of(self, account_id: str) -> list[StoredSession]: ...

    def session_project_role(self, account_id: str, session_id: str,
                             project_id: str) -> tuple[StoredSession | None, Project | None, Membership | None]: ...

    def touch_session(self, session: StoredSession) -> bool: ...

    def delete_session(self, account_id: str, session_id: str) -> bool: ...

    def delete_sessions(self, account_id: str, session_ids: Iterable[str]) -> None: ...


class PartitionCounts(Protocol):
    """The sizes of search-index partitions, kept by the stream, read to plan and count searches."""

    def index_sizes(self, project_id: str, candidates: dict[str, tuple[str, ...]]) -> dict[str, int]: ...

    def tickets_counted(self, project_id: str, queries: list[tuple[tuple[str, str], ...]]) -> list[int]: ...

    def add_to_partition_counts_once(self, deltas: dict[tuple[str, str, str], int], record_ids: list[str],
                                     reports: dict[tuple[str, str, str], dict[str, int]] | None = None) -> None: ...


class ReportDays(Protocol):
    def report_days(self, project_id: str, first_day: str,
                    last_day: str) -> dict[tuple[str, str], dict[str, int]]: ...


class Inbox(Protocol):
    """Accounts' inbox entries (one per ticket) and their unread counts per project. Each write of
    an entry is conditioned on the entry as read (`before`, None: none yet) and raises Conflict when
    it changed meanwhile; the project's count moves in the same transaction as the entry's unread
    flag, so counts are exact. `add_to_inbox` also records the event for the account, and raises
    Conflict when it already was: an event is in an account's inbox once."""

    def inbox_entry(self, account_id: str, ticket_id: str) -> InboxEntry | None: ...

    def inboxed(self, event_id: str) -> frozenset[str]: ...

    def add_to_inbox(self, before: InboxEntry | None, after: InboxEntry, event_id: str, expires_at: int) -> None: ...

    def save_inbox_entry(self, before: InboxEntry, after: InboxEntry) -> None: ...

    def inbox_page(self, account_id: str, archived: bool, projects: set[str], limit: int,
                   after: str | None) -> tuple[list[InboxEntry], str | None]: ...

    def inbox_counts(self, account_id: str) -> tuple[dict[str, int], set[str]]:
        """The unread counts by project and the projects the account is a member of (one read:
        counts of projects it left are not to be shown)."""


class Views(Protocol):
    def views(self, project_id: str, user_id: str | None) -> list[View]: ...

    def find(self, project_id: str, view_id: str, user_id: str | None) -> View | None: ...

    def add(self, project_id: str, view: View, limit: int) -> None: ...

    def rename(self, project_id: str, view: View) -> None: ...

    def remove(self, project_id: str, view: View) -> None: ...


class Webhooks(Protocol):
    def subscriptions(self, project_id: str) -> list[Subscription]: ...

    def subscription(self, project_id: str, subscription_id: str) -> Subscription | None: ...

    def save_subscription(self, subscription: Subscription, *, new: bool) -> None: ...

    def delete_subscription(self, project_id: str, subscription_id: str) -> None: ...

    def record_health(self, subscription: Subscription, failing_since: float | None,
                      disabled_at: str | None) -> None: ...

    def claim(self, delivery: Delivery) -> bool: ...

    def delivery(self, subscription_id: str, delivery_id: str) -> Delivery | None: ...

    def save_delivery(self, delivery: Delivery, *, wait_in_index: bool) -> None: ...

    def lease(self, delivery: Delivery, now: float, seconds: float, holder: str | None = None) -> bool: ...

    def deliveries(self, subscription_id: str, limit: int,
                   after: str | None) -> tuple[list[Delivery], str | None]: ...

    def due_retries(self, now_iso: str, limit: int = 100) -> list[Delivery]: ...

    def release_retry(self, delivery: Delivery) -> bool: ...


# ---- what one collaborator of a service joins ---------------------------------------------------


class TicketStore(Tickets, History, Idempotency, Numbers, Protocol):
    """What the ticket use cases that read, create and change tickets read and write of them."""


class CommentedTickets(Tickets, Comments, Protocol):
    """The tickets comments are written with, and the comments read."""


class SlaTickets(Tickets, Markers, Protocol):
    """The tickets the SLA sweep reads and the markers it fires."""


class OverdueTickets(Tickets, Markers, Protocol):
    """The tickets the overdue sweep reads and the markers it fires."""


class IndexedTickets(TicketBackfill, History, Comments, TermIndex, Protocol):
    """What keeping the term index (and backfilling it) reads and writes."""


class PeopleDirectory(Projects, Members, Teams, ApiKeys, Accounts, MailAddresses, Protocol):
    """A project's people: its members (and their accounts), teams and keys, and the project they
    belong to (with the addresses it receives mail at)."""


class Mailbox(Projects, Members, MailAddresses, Contacts, MailLog, Protocol):
    """What receiving a project's mail reads and writes of the directory: the project, its members,
    its addresses, its contacts and its mail log."""


class ReceivedMail(Contacts, MailLog, Protocol):
    """What admins read of a project's received mail: who wrote in, and what was not ticketed."""


class InboundTickets(TicketStore, ReceivedMarks, MailThreads, Protocol):
    """The tickets received mail makes or adds to, the marks of the messages that did, and the
    tickets' email threads."""


class MigratedDirectory(AccountMigration, Accounts, Members, Protocol):
    """What giving members stored before accounts theirs reads and writes."""


class KeyDirectory(ApiKeys, WrongKeyCounts, Protocol):
    """What authenticating a request reads (and counts, when the key is wrong)."""


class Recipients(Members, Teams, Protocol):
    """Who is told about a ticket's events."""


class WatchedTickets(Tickets, Watchers, Protocol):
    """The tickets people watch, and their watchers."""


class WatcherPeople(Members, Teams, Protocol):
    """Who may be made a watcher."""


class NotifiedWatchers(Notified, Watchers, Digests, Protocol):
    """What telling people about an event keeps in the tickets table: its watchers, whom it was
    mailed to, and the lines it left for hourly digests."""


class ThreadedTickets(Tickets, MailThreads, Protocol):
    """The tickets whose email threads are read and kept."""


class MailedThreads(Notified, MailThreads, Protocol):
    """What mailing a reply on a ticket's thread keeps: whom the event was mailed to, and the
    thread's ids."""


class ProjectContacts(Projects, Contacts, Protocol):
    """A project (its name and key make its address) and its contacts (their names)."""


class EventAudience(Recipients, ProjectContacts, Protocol):
    """Who is told about a ticket's events: members and teams, and by email its requester."""


class ToldTickets(NotifiedWatchers, MailThreads, Protocol):
    """What telling people about an event keeps in the tickets table, its email thread included."""


class Reports(ReportDays, PartitionCounts, Protocol):
    """The aggregates reports read."""
