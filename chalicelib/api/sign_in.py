"""Signing in by email: ask for a code, then finish with it or with the emailed link (or an
operator's one-time link). No credentials needed; only the app's own pages may call them (login
CSRF: another site must not sign a browser in to an account of its choosing)."""
from chalice import Blueprint

from chalicelib import config
from chalicelib.api import cookies
from chalicelib.api.routing import Call, Reply, endpoint, services, source_ip
from chalicelib.api.session import signed_in
from chalicelib.domain.accounts import CODE_DIGITS, PENDING_COOKIE
from chalicelib.domain.people import AccountPrincipal
from chalicelib.schemas import sign_in as s
from chalicelib.schemas.session import SessionOut

bp = Blueprint(__name__)
SIGN_IN = "/v1/ce/sign-in"
NOT_OWN_PAGE = ("`cross_origin_request`: not from this app's own pages (neither `Sec-Fetch-Site: same-origin` nor "
                "this app's `Origin`), or not JSON")
TOO_LARGE = "The body is larger than 1 MiB"
UNAVAILABLE = "The storage (or, asking a code, the email service) failed or timed out; try again"
THROTTLED = "`throttled`: the storage is at capacity; try again"
PENDING = {PENDING_COOKIE: "Set by asking for the code: the sign-in this browser waits for (without it, "
                          "a code is `code_expired` and an emailed link `link_expired`)"}
FINISHED = {"Set-Cookie": "`ticketry_session` (the new session; HttpOnly, SameSite=Lax, Secure, Max-Age the session's "
                          "absolute lifetime), and `ticketry_pending` cleared (Max-Age=0)"}


@endpoint(bp, "POST", SIGN_IN + "/email", summary="Email a sign-in code and link to an address", status=202,
          role=None, same_origin=True, body=s.SignInEmail, response=s.SignInStarted, tag="sign-in",
          response_headers={"Set-Cookie": "`ticketry_pending`: the secret that finishes this sign-in in this browser "
                                          "(HttpOnly, SameSite=Lax, Secure, Path=<stage>/v1/ce/sign-in, Max-Age=900)"},
          errors={"400": "Invalid input; `details` names each bad field",
                  "403": NOT_OWN_PAGE,
                  "409": "The mail service refuses, for good, to send email to this address (`details` names "
                         "`email`); the same whether an account has it or not",
                  "413": TOO_LARGE,
                  "429": "`too_many_sign_in_requests`: too many sign-in emails this hour for this address, from this "
                         "source, or in all (the same for an address no account has); or `throttled`: the storage or the "
                         "email service is at capacity; try again",
                  "503": UNAVAILABLE})
def request_code(call: Call):
    request = bp.current_request
    pending = services().sign_in.request_code(call.body.email, source_ip(request), call.body.return_to)
    return Reply({"expires_in": pending.expires_in, "code_length": CODE_DIGITS},
                 headers={"Set-Cookie": cookies.give_pending(request, pending.secret, pending.expires_in)})


@endpoint(bp, "POST", SIGN_IN + "/code", summary="Sign in with the emailed code", role=None, same_origin=True,
          body=s.SignInCode, response=SessionOut, tag="sign-in", response_headers=FINISHED, cookies=PENDING,
          errors={"400": "`wrong_code` (field `code`, with the tries left); `code_expired`: no sign-in waits for a "
                         "code in this browser (none asked, used, expired, or voided by five wrong codes): ask for "
                         "a new code; `too_many_wrong_codes`: the address has had its wrong codes for the UTC day "
                         "(ten by default), so no code for it is checked, right or not, until the next day: sign in "
                         "with the link in the email; or invalid input, `details` naming each bad field",
                  "403": NOT_OWN_PAGE, "413": TOO_LARGE, "429": THROTTLED, "503": UNAVAILABLE})
def finish_with_code(call: Call):
    request = bp.current_request
    session, cookie = services().sign_in.finish_with_code(cookies.pending_cookie(request), call.body.code,
                                                          source_ip(request), _user_agent(request))
    return _signed_in(request, session, cookie)


@endpoint(bp, "POST", SIGN_IN + "/link", summary="Sign in with an emailed or operator's one-time link", role=None,
          same_origin=True, body=s.SignInLink, response=SessionOut, tag="sign-in", response_headers=FINISHED,
          cookies=PENDING,
          errors={"400": "`link_expired`: the link was used, has expired, or (an emailed one) was asked for in "
                         "another browser; or invalid input, `details` naming each bad field",
                  "403": NOT_OWN_PAGE, "413": TOO_LARGE, "429": THROTTLED, "503": UNAVAILABLE})
def finish_with_link(call: Call):
    request = bp.current_request
    session, cookie = services().sign_in.finish_with_link(call.body.token, cookies.pending_cookie(request),
                                                          source_ip(request), _user_agent(request))
    return _signed_in(request, session, cookie)


def _signed_in(request, session, cookie) -> Reply:
    """The new session, as GET /v1/ce/session shows it, with its cookie; the pending one is done."""
    principal = AccountPrincipal(account_id=session.account_id, session_id=session.id, sign_in_method=session.method)
    return Reply(signed_in(principal),
                 headers={"Set-Cookie": [cookies.give_session(request, cookie, config.session_absolute_seconds()),
                                         cookies.clear_pending(request)]})


def _user_agent(request) -> str | None:
    return (request.headers or {}).get("user-agent")
