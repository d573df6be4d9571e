"""The answer of a handler whose event source reports batch item failures (a stream, a queue)."""
from typing import Iterable


def partial_batch_response(failed: Iterable[str]) -> dict:
    """Names the records (stream sequence numbers, queue message ids) the event source must hand
    over again, each once. A stream retries from the earliest one named; a queue retries exactly
    these; an empty list acknowledges the whole batch."""
    return {"batchItemFailures": [{"itemIdentifier": identifier} for identifier in dict.fromkeys(failed)]}
