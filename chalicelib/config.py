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

# Events and delivery: the tickets table's stream, the webhook delivery queue (its dead-letter
# queue is wired to it by infra/resources.json, the app never addresses it) and outgoing email.
TICKETS_STREAM_ARN = "TICKETS_STREAM_ARN"
WEBHOOK_QUEUE_NAME = "WEBHOOK_QUEUE_NAME"
WEBHOOK_QUEUE_URL = "WEBHOOK_QUEUE_URL"
EMAIL_SENDER = "EMAIL_SENDER"
SES_CONFIGURATION_SET = "SES_CONFIGURATION_SET"

# Limits a stage may tune.
ATTACHMENT_MAX_BYTES = "ATTACHMENT_MAX_BYTES"
PRESIGNED_URL_TTL_SECONDS = "PRESIGNED_URL_TTL_SECONDS"

# Objects uploaded with a presigned POST carry this tag until the app accepts them; the attachments
# bucket's lifecycle (infra/resources.json) expires objects still carrying it.
PENDING_UPLOAD_TAG = ("ticketry-upload", "pending")

DEFAULT_REGION = "us-east-1"


def tickets_table() -> str:
    return os.environ.get(TICKETS_TABLE, "ticketry-local-tickets")


def directory_table() -> str:
    return os.environ.get(DIRECTORY_TABLE, "ticketry-local-directory")


def attachments_bucket() -> str:
    return os.environ.get(ATTACHMENTS_BUCKET, "ticketry-local-attachments-000000000000")


def tickets_stream_arn() -> str:
    value = os.environ.get(TICKETS_STREAM_ARN)
    if not value:
        raise RuntimeError(f"{TICKETS_STREAM_ARN} is not set")
    return value


def webhook_queue_name() -> str:
    return os.environ.get(WEBHOOK_QUEUE_NAME, "ticketry-local-webhook-deliveries")


def webhook_queue_url() -> str | None:
    """None where only the name is known (the local stack looks the URL up)."""
    return os.environ.get(WEBHOOK_QUEUE_URL) or None


def email_sender() -> str:
    return os.environ.get(EMAIL_SENDER, "Ticketry <notifications@ticketry.local>")


def ses_configuration_set() -> str | None:
    return os.environ.get(SES_CONFIGURATION_SET) or None


def attachment_max_bytes() -> int:
    return int(os.environ.get(ATTACHMENT_MAX_BYTES, 10 * 1024 * 1024))


def presigned_url_ttl_seconds() -> int:
    return int(os.environ.get(PRESIGNED_URL_TTL_SECONDS, 900))


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
