"""Every setting the app reads from its environment, named once, with local defaults."""
import os
from dataclasses import dataclass

TICKETS_TABLE = "TICKETS_TABLE"
DIRECTORY_TABLE = "DIRECTORY_TABLE"
DELIVERIES_TABLE = "DELIVERIES_TABLE"
WEBHOOK_QUEUE_NAME = "WEBHOOK_QUEUE_NAME"
WEBHOOK_ALLOW_PRIVATE_TARGETS = "WEBHOOK_ALLOW_PRIVATE_TARGETS"
ATTACHMENTS_BUCKET = "ATTACHMENTS_BUCKET"
AWS_ENDPOINT_URL = "AWS_ENDPOINT_URL"
DYNAMODB_ENDPOINT_URL = "AWS_ENDPOINT_URL_DYNAMODB"
AWS_REGION = "AWS_DEFAULT_REGION"
CURSOR_SIGNING_KEY = "CURSOR_SIGNING_KEY"
TICKETS_STREAM_ARN = "TICKETS_STREAM_ARN"
PUBLIC_URL = "PUBLIC_URL"
EMAIL_SENDER = "EMAIL_SENDER"
SES_CONFIGURATION_SET = "SES_CONFIGURATION_SET"
EMAIL_OUTBOX_DIR = "EMAIL_OUTBOX_DIR"
MAX_ATTACHMENT_BYTES = "MAX_ATTACHMENT_BYTES"
MAX_ATTACHMENTS_PER_TICKET = "MAX_ATTACHMENTS_PER_TICKET"
WRONG_KEYS_PER_SOURCE = "WRONG_KEYS_PER_SOURCE"
WRONG_KEYS_PER_KEY = "WRONG_KEYS_PER_KEY"
SIGN_IN_SECRET = "SIGN_IN_SECRET"
INSECURE_COOKIES = "INSECURE_COOKIES"
SESSION_IDLE_SECONDS = "SESSION_IDLE_SECONDS"
SESSION_ABSOLUTE_SECONDS = "SESSION_ABSOLUTE_SECONDS"
SESSION_TOUCH_SECONDS = "SESSION_TOUCH_SECONDS"
SIGN_IN_CODE_TTL_SECONDS = "SIGN_IN_CODE_TTL_SECONDS"
SIGN_IN_EMAILS_PER_ADDRESS = "SIGN_IN_EMAILS_PER_ADDRESS"
SIGN_IN_EMAILS_PER_SOURCE = "SIGN_IN_EMAILS_PER_SOURCE"
SIGN_IN_EMAILS_OVERALL = "SIGN_IN_EMAILS_OVERALL"
SIGN_IN_WRONG_CODES_PER_ADDRESS_PER_DAY = "SIGN_IN_WRONG_CODES_PER_ADDRESS_PER_DAY"
ALLOW_SELF_SIGN_UP = "ALLOW_SELF_SIGN_UP"
OIDC_PROVIDERS = "OIDC_PROVIDERS"
INBOUND_DOMAIN = "INBOUND_DOMAIN"
INBOUND_BUCKET = "INBOUND_BUCKET"
REPLY_TOKEN_SECRET = "REPLY_TOKEN_SECRET"
# Deployed functions get the queue's URL (saving a lookup); the local stack knows only its name.
WEBHOOK_QUEUE_URL = "WEBHOOK_QUEUE_URL"

DEFAULT_REGION = "us-east-1"
DAY = 24 * 3600
DEFAULT_SESSION_IDLE_SECONDS = 14 * DAY
DEFAULT_SESSION_ABSOLUTE_SECONDS = 30 * DAY
# A session's last use is written at most this often: a request otherwise only reads.
DEFAULT_SESSION_TOUCH_SECONDS = 3600
DEFAULT_SIGN_IN_CODE_TTL_SECONDS = 15 * 60
# Sign-in emails asked per hour: for one address, from one source, and in all.
DEFAULT_SIGN_IN_EMAILS_PER_ADDRESS = 5
DEFAULT_SIGN_IN_EMAILS_PER_SOURCE = 30
DEFAULT_SIGN_IN_EMAILS_OVERALL = 1000
# Wrong codes one address may be sent in a UTC day before every code for it is refused (its emailed
# link still works): at most this many guesses a day at an address's code (docs/api.md).
DEFAULT_SIGN_IN_WRONG_CODES_PER_ADDRESS_PER_DAY = 10
DEFAULT_MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024
# The ticket detail Query budgets room for this many attachments (adapters/dynamodb/tickets.py, DETAIL_QUERY_LIMIT);
# more still works, at the cost of fewer history entries on that first page.
DEFAULT_MAX_ATTACHMENTS_PER_TICKET = 50
# Wrong API keys answered 401 in one minute, from one source (an IPv4 address or an IPv6 /64) and
# for one key id; more get 429 until the minute is over (domain.attempts).
DEFAULT_WRONG_KEYS_PER_SOURCE = 20
DEFAULT_WRONG_KEYS_PER_KEY = 10


def tickets_table() -> str:
    return os.environ.get(TICKETS_TABLE, "ticketry-local-tickets")


def directory_table() -> str:
    return os.environ.get(DIRECTORY_TABLE, "ticketry-local-directory")


def deliveries_table() -> str:
    return os.environ.get(DELIVERIES_TABLE, "ticketry-local-deliveries")


@dataclass(frozen=True)
class Tables:
    """Where the DynamoDB tables are: what the models are bound to (adapters.models.bind)."""
    tickets: str
    directory: str
    deliveries: str
    endpoint: str | None
    region: str


def tables() -> Tables:
    return Tables(tickets_table(), directory_table(), deliveries_table(), dynamodb_endpoint(), region())


def webhook_queue_name() -> str:
    return os.environ.get(WEBHOOK_QUEUE_NAME, "ticketry-local-webhook-deliveries")


def webhook_queue_url() -> str | None:
    return os.environ.get(WEBHOOK_QUEUE_URL) or None


def webhook_allow_private_targets() -> bool:
    """Only for a deployment whose receivers live on its own network (the local stack)."""
    return os.environ.get(WEBHOOK_ALLOW_PRIVATE_TARGETS, "").lower() in ("1", "true", "yes")


def attachments_bucket() -> str:
    return os.environ.get(ATTACHMENTS_BUCKET, "ticketry-local-attachments-000000000000")


def max_attachment_bytes() -> int:
    return _positive_int(MAX_ATTACHMENT_BYTES, DEFAULT_MAX_ATTACHMENT_BYTES)


def max_attachments_per_ticket() -> int:
    return _positive_int(MAX_ATTACHMENTS_PER_TICKET, DEFAULT_MAX_ATTACHMENTS_PER_TICKET)


def wrong_keys_per_source() -> int:
    return _positive_int(WRONG_KEYS_PER_SOURCE, DEFAULT_WRONG_KEYS_PER_SOURCE)


def wrong_keys_per_key() -> int:
    return _positive_int(WRONG_KEYS_PER_KEY, DEFAULT_WRONG_KEYS_PER_KEY)


def region() -> str:
    return os.environ.get(AWS_REGION) or os.environ.get("AWS_REGION") or DEFAULT_REGION


def dynamodb_endpoint() -> str | None:
    """None on AWS; the embedded DynamoDB's URL on the local stack."""
    return os.environ.get(DYNAMODB_ENDPOINT_URL) or os.environ.get(AWS_ENDPOINT_URL) or None


def aws_endpoint() -> str | None:
    """None on AWS; moto's URL on the local stack."""
    return os.environ.get(AWS_ENDPOINT_URL) or None


def cursor_signing_key() -> bytes:
    value = os.environ.get(CURSOR_SIGNING_KEY)
    if not value:
        raise RuntimeError(f"{CURSOR_SIGNING_KEY} is not set")
    return value.encode()


def public_url() -> str:
    return os.environ.get(PUBLIC_URL, "http://127.0.0.1:8000").rstrip("/")


def email_sender() -> str:
    """The From address of notification email; SES must have its address or domain verified."""
    return os.environ.get(EMAIL_SENDER) or "notifications@ticketry.local"


def ses_configuration_set() -> str | None:
    return os.environ.get(SES_CONFIGURATION_SET) or None


def email_outbox_dir() -> str | None:
    """Where a copy of every sent email goes as an .eml file (the local stack sets it)."""
    return os.environ.get(EMAIL_OUTBOX_DIR) or None


def inbound_domain() -> str:
    """The domain whose mail SES receives for the app: project addresses and reply addresses."""
    return (os.environ.get(INBOUND_DOMAIN) or "ticketry.local").strip().lower()


def inbound_bucket() -> str:
    """Where SES stores each received message (under domain.inbound_mail.INBOUND_PREFIX)."""
    return os.environ.get(INBOUND_BUCKET, "ticketry-local-inbound-mail-000000000000")


# Tests and tools on a developer's machine sign reply addresses with this when nothing is set.
DEV_REPLY_TOKEN_SECRET = "ticketry-local-reply-token-secret"


def reply_token_secret() -> bytes:
    """The key of the HMAC in reply addresses: whoever has it can write into any ticket by email,
    so a deployed function (on Lambda) never falls back to the development value."""
    value = os.environ.get(REPLY_TOKEN_SECRET)
    if value:
        return value.encode()
    if os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):
        raise RuntimeError(f"{REPLY_TOKEN_SECRET} is not set")
    return DEV_REPLY_TOKEN_SECRET.encode()


def tickets_stream_arn() -> str:
    """Read when app.py is imported, to subscribe the stream handlers. Code that only serves HTTP
    (tests, tools) imports the app without a stream, hence the stand-in."""
    return os.environ.get(TICKETS_STREAM_ARN) or (
        f"arn:aws:dynamodb:{region()}:000000000000:table/{tickets_table()}/stream/unset")


def sign_in_secret() -> bytes:
    """The key of the keyed hashes sign-in stores (codes, links, pending cookies, OIDC states)."""
    value = os.environ.get(SIGN_IN_SECRET)
    if not value:
        raise RuntimeError(f"{SIGN_IN_SECRET} is not set")
    return value.encode()


def insecure_cookies() -> bool:
    """Cookies without `Secure`: only for the local stack, served over plain HTTP."""
    return os.environ.get(INSECURE_COOKIES, "").lower() in ("1", "true", "yes")


def session_idle_seconds() -> int:
    return _positive_int(SESSION_IDLE_SECONDS, DEFAULT_SESSION_IDLE_SECONDS)


def session_absolute_seconds() -> int:
    return _positive_int(SESSION_ABSOLUTE_SECONDS, DEFAULT_SESSION_ABSOLUTE_SECONDS)


def session_touch_seconds() -> int:
    return _positive_int(SESSION_TOUCH_SECONDS, DEFAULT_SESSION_TOUCH_SECONDS)


def sign_in_code_ttl_seconds() -> int:
    return _positive_int(SIGN_IN_CODE_TTL_SECONDS, DEFAULT_SIGN_IN_CODE_TTL_SECONDS)


def sign_in_emails_per_address() -> int:
    return _positive_int(SIGN_IN_EMAILS_PER_ADDRESS, DEFAULT_SIGN_IN_EMAILS_PER_ADDRESS)


def sign_in_emails_per_source() -> int:
    return _positive_int(SIGN_IN_EMAILS_PER_SOURCE, DEFAULT_SIGN_IN_EMAILS_PER_SOURCE)


def sign_in_emails_overall() -> int:
    return _positive_int(SIGN_IN_EMAILS_OVERALL, DEFAULT_SIGN_IN_EMAILS_OVERALL)


def sign_in_wrong_codes_per_address_per_day() -> int:
    return _positive_int(SIGN_IN_WRONG_CODES_PER_ADDRESS_PER_DAY, DEFAULT_SIGN_IN_WRONG_CODES_PER_ADDRESS_PER_DAY)


def allow_self_sign_up() -> bool:
    """Whether an address no project invited may make itself an account (off unless set)."""
    return os.environ.get(ALLOW_SELF_SIGN_UP, "").lower() in ("1", "true", "yes")


def oidc_providers_json() -> str:
    """The deployment's OIDC providers as JSON (domain.oidc reads it); none when unset."""
    return os.environ.get(OIDC_PROVIDERS) or "[]"


def _positive_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise RuntimeError(f"{name} must be a positive integer, not {raw!r}")
    return int(raw)
