"""S3 "Object Created" events for the inbound bucket, through EventBridge (as for attachments):
each message SES stores there is received (services.inbound). A failure of storage raises, so
that the event is delivered again; the message's mark keeps it from being ticketed twice."""
from datetime import datetime

from chalice import Blueprint
from chalice.app import CloudWatchEvent

from chalicelib import config
from chalicelib.domain.clock import iso
from chalicelib.services.registry import services

bp = Blueprint(__name__)

# Read when the app is imported; at package time that is the stage's environment.
MAIL_RECEIVED = {
    "source": ["aws.s3"],
    "detail-type": ["Object Created"],
    "detail": {"bucket": {"name": [config.inbound_bucket()]}},
}


@bp.on_cw_event(MAIL_RECEIVED)
def mail_received(event: CloudWatchEvent) -> None:
    services().inbound.receive(event.detail["object"]["key"], _moment(event.time))


def _moment(event_time: str) -> str | None:
    """The event's time, not the handler's: a delivery made again logs its message at the same
    moment, as one entry."""
    try:
        return iso(datetime.fromisoformat(event_time))
    except (TypeError, ValueError):
        return None
