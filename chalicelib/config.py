"""Every setting the app reads from its environment, named once, with local defaults."""
import os

TICKETS_TABLE = "TICKETS_TABLE"
DIRECTORY_TABLE = "DIRECTORY_TABLE"
ATTACHMENTS_BUCKET = "ATTACHMENTS_BUCKET"
AWS_ENDPOINT_URL = "AWS_ENDPOINT_URL"
DYNAMODB_ENDPOINT_URL = "AWS_ENDPOINT_URL_DYNAMODB"
AWS_REGION = "AWS_DEFAULT_REGION"
CURSOR_SIGNING_KEY = "CURSOR_SIGNING_KEY"
PUBLIC_URL = "PUBLIC_URL"
MAX_ATTACHMENT_BYTES = "MAX_ATTACHMENT_BYTES"
MAX_ATTACHMENTS_PER_TICKET = "MAX_ATTACHMENTS_PER_TICKET"

DEFAULT_REGION = "us-east-1"
DEFAULT_MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024
# The ticket detail Query budgets room for this many attachments (tickets_repo.DETAIL_QUERY_LIMIT);
# more still works, at the cost of fewer history entries on that first page.
DEFAULT_MAX_ATTACHMENTS_PER_TICKET = 50


def tickets_table() -> str:
    return os.environ.get(TICKETS_TABLE, "ticketry-local-tickets")


def directory_table() -> str:
    return os.environ.get(DIRECTORY_TABLE, "ticketry-local-directory")


def attachments_bucket() -> str:
    return os.environ.get(ATTACHMENTS_BUCKET, "ticketry-local-attachments-000000000000")


def max_attachment_bytes() -> int:
    return _positive_int(MAX_ATTACHMENT_BYTES, DEFAULT_MAX_ATTACHMENT_BYTES)


def max_attachments_per_ticket() -> int:
    return _positive_int(MAX_ATTACHMENTS_PER_TICKET, DEFAULT_MAX_ATTACHMENTS_PER_TICKET)


def region() -> str:
    return os.environ.get(AWS_REGION) or os.environ.get("AWS_REGION") or DEFAULT_REGION


def dynamodb_endpoint() -> str | None:
    """None on AWS; the embedded DynamoDB's URL on the local stack."""
    return os.environ.get(DYNAMODB_ENDPOINT_URL) or os.environ.get(AWS_ENDPOINT_URL) or None


def cursor_signing_key() -> bytes:
    value = os.environ.get(CURSOR_SIGNING_KEY)
    if not value:
        raise RuntimeError(f"{CURSOR_SIGNING_KEY} is not set")
    return value.encode()


def public_url() -> str:
    return os.environ.get(PUBLIC_URL, "http://127.0.0.1:8000").rstrip("/")


def _positive_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise RuntimeError(f"{name} must be a positive integer, not {raw!r}")
    return int(raw)
