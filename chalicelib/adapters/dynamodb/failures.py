"""What a failed single write of PynamoDB's says of its cause."""


def failed_condition(error: Exception) -> bool:
    """The write's condition did not hold (ConditionalCheckFailedException)."""
    return getattr(error, "cause_response_code", None) == "ConditionalCheckFailedException"
