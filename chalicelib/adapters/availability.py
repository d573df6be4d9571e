"""Which failures of AWS calls are passing ones (capacity, a service's 5xx, a timeout) that the
same request would get past later; the API answers those 429 or 503 with Retry-After instead of
a 500. Decided on error codes and exception types, never on message text."""
from botocore.exceptions import ClientError, ConnectionError as BotocoreConnectionError, HTTPClientError
from pynamodb.exceptions import PynamoDBException

from chalicelib.errors import Throttled, Unavailable

THROTTLING_CODES = frozenset({
    "ThrottlingException", "Throttling", "ProvisionedThroughputExceededException", "RequestLimitExceeded",
    "TooManyRequestsException", "SlowDown", "RequestThrottled", "RequestThrottledException",
    "ThrottledException", "LimitExceededException",
})
TRANSIENT_CODES = frozenset({
    "InternalServerError", "InternalError", "InternalFailure", "ServiceUnavailable", "ServiceUnavailableException",
    "InternalServiceErrorException", "RequestTimeout", "RequestTimeoutException", "TransactionInProgressException",
})
# Reasons a transaction was cancelled that a later attempt would get past.
TRANSIENT_CANCELLATIONS = frozenset({"ThrottlingError", "TransactionConflict", "ProvisionedThroughputExceeded"})


def passing_failure(error: BaseException) -> Unavailable | None:
    """The answer for `error` if it, or an error it was raised from, is a passing failure."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        answer = _classify(error)
        if answer is not None:
            return answer
        cause = error.cause if isinstance(error, PynamoDBException) else None
        error = cause or error.__cause__ or error.__context__
    return None


def _classify(error: BaseException) -> Unavailable | None:
    if isinstance(error, (BotocoreConnectionError, HTTPClientError)):
        return Unavailable("storage did not answer in time; try again")
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        reasons = {reason.get("Code") for reason in error.response.get("CancellationReasons") or []}
        if code in THROTTLING_CODES or "ThrottlingError" in reasons or "ProvisionedThroughputExceeded" in reasons:
            return Throttled("storage is at capacity; try again shortly")
        if code in TRANSIENT_CODES or status >= 500 or reasons & TRANSIENT_CANCELLATIONS:
            return Unavailable("storage is unavailable for a moment; try again")
    return None
