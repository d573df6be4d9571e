"""Every partition and sort key of the two tables (and the deliveries table), built in one place.

tickets   `T#<ticket id>` holds a ticket's collection: `TICKET`, `TAG#<tag>`, `FILE#<attachment id>`,
          `EVT#<timestamp>#<entry id>` (history), `CMT#<timestamp>#<entry id>` (comments, sharing
          their COMMENT_ADDED entry's moment and id), `DUE` and `SLA#<target>` (markers). Apart from it:
          `TX#<ticket id>` (term index: `TERM#<prefix>`, `WORDS`), `NUM#<project id>#<number>`,
          `DEDUP#<project id>#<key>`, idempotency scopes, `BULK#<hash>#<ticket id>` (comment marks),
          `NOTIFIED#<event id>` and `WATCHERS#<ticket id>` (a ticket's watchers, sk the watcher). A
          ticket's email thread is `MAIL` in its collection; `MSGID#<project id>#<message id>` points
          a Message-ID of the thread at its ticket; `INMAIL#<project id>#<hash>` (sk `INMAIL`) marks a
          received message that was ticketed.
directory `P#<project id>` holds a project's collection: `PROJECT`, `MEMBER#`, `EMAIL#`, `TEAM#`,
          `APIKEY#`, `SLA#<version>`, `WEBHOOK#`, `VIEW#…`, `COUNT#…`, `REPORT#…`, `CONTACT#<email>`;
          wrong-key counts live under `WRONGKEYS#<subject>`. A project's `ACCOUNT#<account id>` item is its view of a
          member's account (user id and role, read with the session on every request).
          `A#<account id>` holds an account: `ACCOUNT`, `PROJECT#<project id>` (its memberships) and
          `SESSION#<session id>`, its inbox (`INBOX#<ticket id>`, one entry per ticket, in the
          `by_inbox` index) and unread counts (`INBOXCOUNT#<project id>`); `AEMAIL#<email>` keeps
          emails unique. Sign-in's short-lived items,
          each under the keyed hash of its secret: `SIGNIN#` (an emailed code), `SIGNINLINK#` (a
          one-time link), `OIDC#` (an OIDC sign-in under way); and `SIGNINRATE#<subject>` counts (sign-in
          emails an hour, an address's wrong codes a day). Email: a project's `CONTACT#<email>` items
          and mail log (`MAILLOG#<received at>#<id>`; `MAILLOG#unrouted` holds the log of mail no
          project received), and `MAILADDR#<address>` (which project receives an address's mail).
"""
import hashlib

# ---- tickets table ---------------------------------------------------------------------------

TICKET_SK = "TICKET"
TAG_SK_PREFIX = "TAG#"
HISTORY_SK_PREFIX = "EVT#"
# Below the history (and `DUE`) in sk order: the detail's descending Query ends before them.
COMMENT_SK_PREFIX = "CMT#"
ATTACHMENT_SK_PREFIX = "FILE#"
TERM_SK_PREFIX = "TERM#"
COMMENT_WORDS_SK = "WORDS"
SLA_MARKER_SK_PREFIX = "SLA#"
DUE_SK = "DUE"
# The overdue and SLA sweeps read every project's markers; a few partitions spread their writes.
DUE_SHARDS = 4
NUMBER_SK = "NUM"
DEDUP_SK = "DEDUP"
IDEMPOTENCY_SK = "IDEM"
COMMENT_MARK_SK = "MARK"
NOTIFIED_SK = "NOTIFIED"
RECEIVED_MARK_SK = "INMAIL"
MAIL_THREAD_SK = "MAIL"
MESSAGE_ID_SK = "MSGID"
# A key holds at most 2048 bytes; a Message-ID longer than this is kept by its hash.
MAX_MESSAGE_ID_KEY = 1024


def ticket_pk(ticket_id: str) -> str:
    return f"T#{ticket_id}"


def scoped(project_id: str, value: str) -> str:
    """Index partition key for one value within one project."""
    return f"{project_id}#{value}"


def terms_pk(ticket_id: str) -> str:
    return f"TX#{ticket_id}"


def tag_sk(tag: str) -> str:
    return TAG_SK_PREFIX + tag


def term_sk(prefix: str) -> str:
    return TERM_SK_PREFIX + prefix


def history_sk(timestamp: str, entry_id: str) -> str:
    return f"{HISTORY_SK_PREFIX}{timestamp}#{entry_id}"


def comment_sk(created_at: str, comment_id: str) -> str:
    return f"{COMMENT_SK_PREFIX}{created_at}#{comment_id}"


def attachment_sk(attachment_id: str) -> str:
    return f"{ATTACHMENT_SK_PREFIX}{attachment_id}"


def sla_marker_sk(target: str) -> str:
    return SLA_MARKER_SK_PREFIX + target


def _shard(ticket_id: str) -> int:
    return int(hashlib.sha256(ticket_id.encode()).hexdigest(), 16) % DUE_SHARDS


def due_shard(ticket_id: str) -> str:
    return f"DUE#{_shard(ticket_id)}"


def due_shards() -> list[str]:
    return [f"DUE#{shard}" for shard in range(DUE_SHARDS)]


def due_key(due_date: str, ticket_id: str) -> str:
    return f"{due_date}#{ticket_id}"


def sla_shard(ticket_id: str) -> str:
    return f"SLA#{_shard(ticket_id)}"


def sla_shards() -> list[str]:
    return [f"SLA#{shard}" for shard in range(DUE_SHARDS)]


def sla_marker_key(ticket_id: str, target: str, moment: str) -> str:
    return f"{moment}#{ticket_id}#{target}"


def number_pk(project_id: str, number: int) -> str:
    return f"NUM#{project_id}#{number}"


def number_of(number_pk_value: str) -> int:
    return int(number_pk_value.rsplit("#", 1)[1])


def dedup_pk(project_id: str, dedup_key: str) -> str:
    return f"DEDUP#{project_id}#{dedup_key}"


def notified_pk(event_id: str) -> str:
    return f"NOTIFIED#{event_id}"


def message_id_pk(project_id: str, message_id_key: str) -> str:
    """The index entry of a Message-ID (domain.mail_threads.message_id_key) within a project."""
    if len(message_id_key.encode()) > MAX_MESSAGE_ID_KEY:
        message_id_key = "sha256:" + hashlib.sha256(message_id_key.encode()).hexdigest()
    return f"MSGID#{project_id}#{message_id_key}"


DIGEST_SENT_SK = "SENT"


def digest_pk(hour: str) -> str:
    return f"DIGEST#{hour}"


def digest_line_sk(address: str, event_id: str) -> str:
    return f"{address.lower()}#{event_id}"


def digest_sent_pk(hour: str) -> str:
    return f"DIGESTSENT#{hour}"


def watchers_pk(ticket_id: str) -> str:
    """A ticket's watchers, apart from its own collection: reading its details never reads them."""
    return f"WATCHERS#{ticket_id}"


# ---- directory table -------------------------------------------------------------------------

PROJECT_SK = "PROJECT"
MEMBER_SK_PREFIX = "MEMBER#"
EMAIL_SK_PREFIX = "EMAIL#"
TEAM_SK_PREFIX = "TEAM#"
API_KEY_SK_PREFIX = "APIKEY#"
SLA_POLICY_SK_PREFIX = "SLA#"
WEBHOOK_SK_PREFIX = "WEBHOOK#"
SHARED_VIEW_SK_PREFIX = "VIEW#S#"
PERSONAL_VIEW_SK_PREFIX = "VIEW#U#"
VIEW_COUNT_SK_PREFIX = "VIEWCOUNT#"
PARTITION_COUNT_SK_PREFIX = "COUNT#"
REPORT_SK_PREFIX = "REPORT#"
WRONG_KEYS_PK_PREFIX = "WRONGKEYS#"
PROJECT_ACCOUNT_SK_PREFIX = "ACCOUNT#"
ACCOUNT_SK = "ACCOUNT"
ACCOUNT_PROJECT_SK_PREFIX = "PROJECT#"
SESSION_SK_PREFIX = "SESSION#"
INBOX_SK_PREFIX = "INBOX#"
# Sorts between `INBOX#` and `PROJECT#`: one Query from here to the memberships' end reads an
# account's unread counts and its memberships together (nothing else of an account sorts between).
INBOX_COUNT_SK_PREFIX = "INBOXCOUNT#"
INBOX_ARCHIVED_SUFFIX = "#archived"
CHALLENGE_SK = "CHALLENGE"
LINK_SK = "LINK"
OIDC_STATE_SK = "STATE"
CONTACT_SK_PREFIX = "CONTACT#"
MAIL_LOG_SK_PREFIX = "MAILLOG#"
UNROUTED_MAIL_LOG_PK = "MAILLOG#unrouted"
MAIL_ADDRESS_SK = "MAILADDR"


def project_pk(project_id: str) -> str:
    return f"P#{project_id}"


def project_of_pk(pk: str) -> str:
    """The project id a `P#<project id>` key names."""
    return pk.removeprefix("P#")


def member_sk(user_id: str) -> str:
    return MEMBER_SK_PREFIX + user_id


def email_sk(email: str) -> str:
    return EMAIL_SK_PREFIX + email


def contact_sk(email: str) -> str:
    return CONTACT_SK_PREFIX + email.lower()


def team_sk(team_id: str) -> str:
    return TEAM_SK_PREFIX + team_id


def api_key_sk(key_id: str) -> str:
    return API_KEY_SK_PREFIX + key_id


def sla_policy_sk(version: int) -> str:
    return f"{SLA_POLICY_SK_PREFIX}{version:08d}"


def partition_count_sk(attribute: str, value: str) -> str:
    return f"{PARTITION_COUNT_SK_PREFIX}{attribute}#{value}"


def report_sk(day: str, severity: str) -> str:
    return f"{REPORT_SK_PREFIX}{day}#{severity}"


def wrong_keys_pk(subject: str) -> str:
    return WRONG_KEYS_PK_PREFIX + subject


def wrong_keys_sk(window_start: int) -> str:
    return f"W#{window_start}"


def project_account_sk(account_id: str) -> str:
    return PROJECT_ACCOUNT_SK_PREFIX + account_id


def account_pk(account_id: str) -> str:
    return f"A#{account_id}"


def account_email_pk(email: str) -> str:
    return f"AEMAIL#{email}"


def account_project_sk(project_id: str) -> str:
    return ACCOUNT_PROJECT_SK_PREFIX + project_id


def inbox_sk(ticket_id: str) -> str:
    return INBOX_SK_PREFIX + ticket_id


def inbox_count_sk(project_id: str) -> str:
    return INBOX_COUNT_SK_PREFIX + project_id


def inbox_idx(account_id: str, archived: bool) -> str:
    """The `by_inbox` partition of an account's entries: its inbox, or its archive."""
    return account_id + INBOX_ARCHIVED_SUFFIX if archived else account_id


def session_sk(session_id: str) -> str:
    return SESSION_SK_PREFIX + session_id


def challenge_pk(pending_hash: str) -> str:
    return f"SIGNIN#{pending_hash}"


def link_pk(token_hash: str) -> str:
    return f"SIGNINLINK#{token_hash}"


def oidc_state_pk(state_hash: str) -> str:
    return f"OIDC#{state_hash}"


def mail_address_pk(address: str) -> str:
    return f"MAILADDR#{address}"


def mail_log_pk(project_id: str | None) -> str:
    """A project's partition, or the one of mail no project received."""
    return project_pk(project_id) if project_id is not None else UNROUTED_MAIL_LOG_PK


def mail_log_sk(received_at: str, entry_id: str) -> str:
    return f"{MAIL_LOG_SK_PREFIX}{received_at}#{entry_id}"


def sign_in_rate_pk(subject: str) -> str:
    return f"SIGNINRATE#{subject}"


def sign_in_rate_sk(window_start: int) -> str:
    return f"W#{window_start}"


# ---- deliveries table ------------------------------------------------------------------------

def delivery_pk(subscription_id: str) -> str:
    return f"WH#{subscription_id}"
