"""S3 "Object Created" events for the attachments bucket, through EventBridge: they confirm an
upload whose client never called `complete`. (`chalice package` cannot attach S3 notifications to
a bucket it does not create, hence EventBridge.)"""
from chalice import Blueprint
from chalice.app import CloudWatchEvent

from chalicelib import config
from chalicelib.services.registry import services

bp = Blueprint(__name__)

# Read when the app is imported; at package time that is the stage's environment.
OBJECT_CREATED = {
    "source": ["aws.s3"],
    "detail-type": ["Object Created"],
    "detail": {"bucket": {"name": [config.attachments_bucket()]}},
}


@bp.on_cw_event(OBJECT_CREATED)
def attachment_uploaded(event: CloudWatchEvent) -> None:
    services().attachments.confirm_stored_object(event.detail["object"]["key"])
