"""The webhook delivery queue's consumer: each message is one attempt at one delivery."""
import json
import logging
from concurrent.futures import ThreadPoolExecutor

from chalice import Blueprint

from chalicelib import config
from chalicelib.events.batch import partial_batch_response
from chalicelib.services.registry import services

log = logging.getLogger(__name__)
bp = Blueprint(__name__)
BATCH_SIZE = 10
# At most this many consumers at once (each sending a batch in parallel): a burst of events waits
# in the queue instead of taking the account's concurrency or throttling into the dead-letter queue.
MAXIMUM_CONCURRENCY = 20


@bp.on_sqs_message(queue=config.webhook_queue_name(), batch_size=BATCH_SIZE, maximum_concurrency=MAXIMUM_CONCURRENCY)
def webhook_deliveries(event):
    messages = [record.to_dict() for record in event]
    # Receivers answer slowly (up to the 10 s timeout): send a batch in parallel.
    with ThreadPoolExecutor(max_workers=BATCH_SIZE) as pool:
        handled = list(pool.map(_deliver, messages))
    return partial_batch_response(m["messageId"] for m, ok in zip(messages, handled) if not ok)


def _deliver(message: dict) -> bool:
    """False only when we could not do our part (the message is retried); a receiver's failure is
    recorded and scheduled by the delivery itself."""
    try:
        job = json.loads(message["body"])
        services().webhooks.deliver(job["subscription_id"], job["delivery_id"], message.get("messageId"))
        return True
    except (ValueError, KeyError, TypeError):
        log.error("dropping malformed delivery message %s", message.get("messageId"))
        return True
    except Exception:  # noqa: BLE001 - e.g. DynamoDB unavailable: let the queue retry
        log.exception("delivery message %s failed", message.get("messageId"))
        return False
