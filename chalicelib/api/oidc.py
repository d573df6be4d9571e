"""Single sign-on through OIDC providers: the providers offered, the start of a sign-in (a redirect
to the provider) and the provider's callback (a redirect into the app with a session, or to the
sign-in page with an error code). These routes answer redirects only: never an error page of
their own, never a 500."""
import logging
import re
from urllib.parse import quote

from chalice import Blueprint

from chalicelib import config
from chalicelib.api import cookies
from chalicelib.api.routing import Call, Reply, endpoint, services, source_ip
from chalicelib.domain import oidc
from chalicelib.domain.oidc import SignInFailed
from chalicelib.schemas import oidc as s

bp = Blueprint(__name__)
log = logging.getLogger(__name__)
PROVIDER = "/v1/ce/sign-in/oidc/{provider_id}"
# The state given to this browser, so that a callback carrying another browser's state is refused.
STATE_COOKIE = "ticketry_oidc"
SIGN_IN_PAGE = "/sign-in"
# Every id is judged by the service (an unknown one is a redirect with unknown_provider, not a 404).
ANY_PROVIDER_ID = {"provider_id": re.compile(r"[^/]+")}


@endpoint(bp, "GET", "/v1/ce/sign-in/providers", summary="The single sign-on providers offered", role=None,
          response=s.ProviderList, tag="sign-in")
def list_providers(call: Call):
    sign_in = services().oidc
    return {"providers": [{"id": p.id, "name": p.name, "start_url": sign_in.start_url(p)}
                          for p in sign_in.providers()]}


@endpoint(bp, "GET", PROVIDER + "/start", summary="Start signing in with a provider: 302 to it, or to "
          "/sign-in?error=unknown_provider|oidc_failed", status=302, role=None, query=s.StartQuery, tag="sign-in",
          ids=ANY_PROVIDER_ID)
def start_sign_in(call: Call, provider_id: str):
    try:
        started = services().oidc.start(provider_id, call.query.return_to)
    except Exception as error:
        return _failed(provider_id, error)
    return Reply(None, 302, {"Location": started.authorization_url, "Cache-Control": "no-store",
                             "Set-Cookie": _state_cookie(provider_id, started.state, oidc.STATE_TTL_SECONDS)})


@endpoint(bp, "GET", PROVIDER + "/callback", summary="Where the provider sends the browser back: 302 into the "
          "app, signed in, or to /sign-in?error=oidc_failed|email_not_verified|no_account|unknown_provider",
          status=302, role=None, query=s.CallbackQuery, tag="sign-in", ids=ANY_PROVIDER_ID)
def finish_sign_in(call: Call, provider_id: str):
    request = bp.current_request
    # Only a provider id that can be one is written into a cookie's Path.
    clear = [_state_cookie(provider_id, "", 0)] if oidc.PROVIDER_ID_PATTERN.fullmatch(provider_id) else []
    try:
        signed_in = services().oidc.finish(
            provider_id, code=call.query.code, state=call.query.state, error=call.query.error, issuer=call.query.iss,
            browser_state=cookies.read_cookie(request, STATE_COOKIE), ip=source_ip(request),
            user_agent=request.headers.get("user-agent"))
    except Exception as error:
        return _failed(provider_id, error, *clear)
    return Reply(None, 302, {"Location": config.public_url() + signed_in.return_to, "Cache-Control": "no-store",
                             "Set-Cookie": [*clear, cookies.give_session(request, signed_in.cookie,
                                                                        config.session_absolute_seconds())]})


def _failed(provider_id: str, error: Exception, *set_cookies: str) -> Reply:
    if isinstance(error, SignInFailed):
        code = error.code
        log.info("OIDC sign-in with %r refused: %s", provider_id, error.reason)
    else:
        code = oidc.OIDC_FAILED
        log.exception("OIDC sign-in with %r failed", provider_id)
    headers = {"Location": f"{config.public_url()}{SIGN_IN_PAGE}?error={quote(code)}", "Cache-Control": "no-store"}
    if set_cookies:
        headers["Set-Cookie"] = list(set_cookies)
    return Reply(None, 302, headers)


def _state_cookie(provider_id: str, value: str, max_age: int) -> str:
    """The state cookie goes back only to this provider's routes, under the stage's path."""
    path = cookies.stage_path(bp.current_request).rstrip("/") + PROVIDER.format(provider_id=provider_id)
    return cookies.set_cookie(STATE_COOKIE, value, path, max_age)
