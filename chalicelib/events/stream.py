"""Consumers of the tickets table's stream."""
from chalice import Blueprint

from chalicelib import config
from chalicelib.adapters.directory_repo import DirectoryRepository
from chalicelib.events import partition_counts

bp = Blueprint(__name__)


@bp.on_dynamodb_record(stream_arn=config.tickets_stream_arn(), batch_size=100, starting_position="TRIM_HORIZON")
def tickets_stream(event):
    partition_counts.apply(event.to_dict()["Records"], DirectoryRepository())
    return {"batchItemFailures": []}
