"""Domain errors, and the single place that turns them into HTTP error bodies."""
from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


class DomainError(Exception):
    status = 400
    code = "bad_request"
    retry_after: int | None = None   # seconds, sent as Retry-After

    def __init__(self, message: str, details: list[FieldError] | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or []


class ValidationFailed(DomainError):
    status = 400
    code = "validation_error"

    @classmethod
    def on(cls, field_name: str, message: str) -> "ValidationFailed":
        return cls(f"{field_name}: {message}", [FieldError(field_name, message)])


class InvalidJson(DomainError):
    status = 400
    code = "invalid_json"


class InvalidCursor(DomainError):
    status = 400
    code = "invalid_cursor"

    def __init__(self, message: str = "cursor is invalid or does not belong to this query"):
        super().__init__(message, [FieldError("cursor", message)])


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"


class SessionExpired(Unauthorized):
    """The session was real, but has not been used for the idle lifetime or has reached its
    absolute one: the browser signs in again."""
    code = "session_expired"


class TooManyWrongKeys(DomainError):
    """Too many wrong API keys from this source, or for this key id, this minute
    (domain.attempts); a key that works is never refused this way."""
    status = 429
    code = "too_many_wrong_keys"

    def __init__(self, retry_after: int):
        super().__init__(f"too many wrong API keys; try again in {retry_after} seconds")
        self.retry_after = retry_after


class TooManySignInRequests(DomainError):
    """Too many sign-in emails asked this hour for this address, from this source, or in all
    (domain.sign_in); the same answer whether an account has the address or not."""
    status = 429
    code = "too_many_sign_in_requests"

    def __init__(self, retry_after: int):
        super().__init__(f"too many sign-in emails asked; try again in {retry_after} seconds")
        self.retry_after = retry_after


class WrongCode(DomainError):
    """The code is not the one emailed for this browser's sign-in; it may be tried again, up to the
    limit of wrong codes (domain.accounts.MAX_WRONG_CODES)."""
    code = "wrong_code"

    def __init__(self, tries_left: int):
        message = (f"the code is wrong; {tries_left} more {'try' if tries_left == 1 else 'tries'}" if tries_left
                   else "the code is wrong, and was the last try; ask for a new code")
        super().__init__(message, [FieldError("code", message)])


class TooManyWrongCodes(DomainError):
    """The address has had its day's allowance of wrong codes (domain.sign_in): every code for it is
    refused, right or not, until the next UTC day; the emailed link still signs in."""
    code = "too_many_wrong_codes"

    def __init__(self):
        super().__init__("too many wrong codes for this address today: sign in with the link in the email, "
                         "or ask for a new code tomorrow (UTC)")


class CodeExpired(DomainError):
    """This browser has no sign-in waiting for a code: never asked, used already, expired, or voided
    by too many wrong codes."""
    code = "code_expired"

    def __init__(self):
        super().__init__("the code has expired or was used; ask for a new code")


class LinkExpired(DomainError):
    """The sign-in link was used already, has expired, or was asked for in another browser."""
    code = "link_expired"

    def __init__(self):
        super().__init__("the sign-in link has expired, was used, or was asked for in another browser; ask for a new code")


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class NotASession(Forbidden):
    """A route about the caller's sessions or account, called with an API key: the key is valid,
    but has no session nor account (403, as for a role the key lacks)."""
    code = "not_a_session"


class SsoRequired(Forbidden):
    """The project has its members sign in through its OIDC provider; this session did not."""
    code = "sso_required"


class CrossOriginRequest(Forbidden):
    """A request that would act with the browser's session cookie, but did not come from the app's
    own pages (or is no JSON request): what a forged form or script on another site sends."""
    code = "cross_origin_request"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class UnknownReference(Conflict):
    """A request names a member or team (in its body) that the project does not have: the request is
    well formed; the project's current state has no such member. `details` names the field. (Not
    404, which says the resource of the path does not exist.)"""
    code = "unknown_reference"

    @classmethod
    def on(cls, field_name: str, message: str) -> "UnknownReference":
        return cls(f"{field_name}: {message}", [FieldError(field_name, message)])


class TransitionNotAllowed(Conflict):
    code = "transition_not_allowed"

    def __init__(self, current: str, target: str, allowed: list[str]):
        super().__init__(
            f"status cannot move from {current} to {target}; allowed: {', '.join(allowed) or 'none'}",
            [FieldError("status", f"allowed targets from {current}: {allowed}")],
        )
        self.allowed = allowed


class AttachmentLimitReached(Conflict):
    code = "attachment_limit"


class ViewLimitReached(Conflict):
    code = "view_limit"


class UploadMissing(Conflict):
    """`complete` was called before the file reached storage."""
    code = "upload_missing"


class UploadRejected(Conflict):
    """The stored file is not what was announced; it has been deleted."""
    code = "upload_rejected"


class PreconditionFailed(DomainError):
    status = 412
    code = "precondition_failed"


class PreconditionRequired(DomainError):
    """A change that is only made against the version read (a comment's edit) came without If-Match."""
    status = 428
    code = "precondition_required"

    def __init__(self, message: str):
        super().__init__(message, [FieldError("If-Match", "required: the ETag of the version you read")])


class Unavailable(DomainError):
    """A service we depend on failed for a moment (a 5xx, a timeout) after its own retries; the
    request changed nothing, and the same request may be sent again after `retry_after` seconds."""
    status = 503
    code = "unavailable"
    retry_after = 1


class Throttled(Unavailable):
    """The storage refused the request for capacity after its own retries."""
    status = 429
    code = "throttled"


class PayloadTooLarge(DomainError):
    status = 413
    code = "payload_too_large"


class AttachmentTooLarge(PayloadTooLarge):
    code = "attachment_too_large"


def error_headers(error: DomainError) -> dict[str, str]:
    return {"Retry-After": str(error.retry_after)} if error.retry_after is not None else {}


def error_body(error: DomainError) -> dict:
    return {
        "error": {
            "code": error.code,
            "message": error.message,
            "details": [{"field": d.field, "message": d.message} for d in error.details],
        }
    }
