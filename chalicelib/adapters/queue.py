"""The webhook delivery queue (SQS)."""
import json
import threading
from functools import lru_cache

import boto3

from chalicelib import config

MAX_DELAY_SECONDS = 900  # SQS's limit; longer waits go through the retry sweep
# Messages are sent from several threads at once, and boto3's default session, which makes the
# client, is not safe to use from two threads at the same time.
_making_client = threading.Lock()


@lru_cache(maxsize=1)
def _client():
    with _making_client:
        return boto3.client("sqs", region_name=config.region())


@lru_cache(maxsize=4)
def _queue_url(name: str) -> str:
    return config.webhook_queue_url() or _client().get_queue_url(QueueName=name)["QueueUrl"]


def send_delivery(subscription_id: str, delivery_id: str, delay_seconds: int = 0) -> None:
    body = json.dumps({"subscription_id": subscription_id, "delivery_id": delivery_id})
    _client().send_message(QueueUrl=_queue_url(config.webhook_queue_name()), MessageBody=body,
                           DelaySeconds=max(0, min(MAX_DELAY_SECONDS, int(delay_seconds))))


def reset() -> None:
    """Forgets cached clients (after the endpoint settings change)."""
    _client.cache_clear()
    _queue_url.cache_clear()
