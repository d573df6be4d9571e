"""Identifiers and timestamps. Timestamps are ISO-8601 UTC with milliseconds, so that their
string order is their time order (DynamoDB sort keys compare strings)."""
import secrets
from datetime import datetime, timezone

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"


def new_id(length: int = 16) -> str:
    """Random lowercase base32 id; 16 characters carry 80 bits."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    try:
        moment = moment.astimezone(timezone.utc)
    except OverflowError:
        # Within a day of year 1 or year 9999 with an offset: UTC is outside what datetime holds.
        # Such a moment is before (or after) every other one; the first (last) UTC moment stands for it.
        moment = (datetime.min if moment.year == 1 else datetime.max).replace(tzinfo=timezone.utc)
    # strftime pads years below 1000 only on some platforms: padded by hand.
    return f"{moment.year:04d}" + moment.strftime("-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def now_iso() -> str:
    return iso(utc_now())
