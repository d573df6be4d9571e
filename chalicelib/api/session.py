"""The caller's own routes: who the credentials are (instead of reading anything into an API key),
and, for a signed-in browser, its sessions and its account."""
from chalice import Blueprint

from chalicelib.api import cookies
from chalicelib.api.routing import Call, Reply, endpoint, services
from chalicelib.domain.accounts import StoredSession
from chalicelib.domain.devices import device_name
from chalicelib.domain.people import AccountPrincipal, Principal
from chalicelib.schemas.session import AccountOut, AccountPatch, SessionList, SessionOut

bp = Blueprint(__name__)
SESSION_ID = "session_id"


@endpoint(bp, "GET", "/v1/ce/session", summary="Who these credentials are and the projects they reach",
          response=SessionOut, tag="session")
def get_session(call: Call):
    principal = call.principal
    if isinstance(principal, AccountPrincipal):
        return signed_in(principal)
    return _api_key(principal)


@endpoint(bp, "DELETE", "/v1/ce/session", summary="Sign out: end this session and clear its cookie", status=204,
          tag="session", session_only=True)
def sign_out(call: Call):
    services().sessions.end(call.principal.account_id, call.principal.session_id)
    return Reply(None, headers={"Set-Cookie": cookies.clear_session(bp.current_request)})


@endpoint(bp, "GET", "/v1/ce/sessions", summary="The signed-in account's sessions, the most recently used first",
          response=SessionList, tag="session", session_only=True)
def list_sessions(call: Call):
    current = call.principal.session_id
    return {"sessions": [_session_out(session, current) for session in
                         services().sessions.list_sessions(call.principal.account_id)]}


@endpoint(bp, "DELETE", "/v1/ce/sessions", summary="Sign out everywhere else: end every other session of the account",
          status=204, tag="session", session_only=True)
def end_other_sessions(call: Call):
    services().sessions.end_others(call.principal.account_id, call.principal.session_id)


@endpoint(bp, "DELETE", "/v1/ce/sessions/{session_id}", summary="End one of the account's sessions", status=204,
          tag="session", session_only=True)
def end_session(call: Call, session_id: str):
    services().sessions.end(call.principal.account_id, session_id)
    if session_id == call.principal.session_id:
        return Reply(None, headers={"Set-Cookie": cookies.clear_session(bp.current_request)})
    return None


@endpoint(bp, "GET", "/v1/ce/account", summary="The signed-in account", response=AccountOut, tag="session",
          session_only=True)
def get_account(call: Call):
    return _account_out(services().sessions.account(call.principal.account_id))


@endpoint(bp, "PATCH", "/v1/ce/account", summary="Rename the signed-in account", body=AccountPatch,
          response=AccountOut, tag="session", session_only=True)
def patch_account(call: Call):
    return _account_out(services().sessions.rename_account(call.principal.account_id, call.body.name))


def _api_key(principal: Principal) -> dict:
    session = services().people.session(principal)
    return {"principal": {"kind": "api_key", "key_id": principal.key_id, "session_id": None, "account_id": None,
                          "actor": principal.actor, "user_id": principal.user_id, "name": session.name,
                          "email": session.email},
            "projects": [{"id": principal.project.id, "key": principal.project.key, "name": principal.project.name,
                          "role": principal.role}]}


def signed_in(principal: AccountPrincipal) -> dict:
    sessions = services().sessions
    account = sessions.account(principal.account_id)
    return {"principal": {"kind": "session", "key_id": None, "session_id": principal.session_id,
                          "account_id": account.id, "actor": None, "user_id": None, "name": account.name,
                          "email": account.email},
            "projects": [{"id": project.id, "key": project.key, "name": project.name, "role": membership.role}
                         for project, membership in sessions.projects(account.id)]}


def _session_out(session: StoredSession, current: str) -> dict:
    return {"id": session.id, "current": session.id == current, "created_at": session.created_at,
            "last_used_at": session.last_used_at, "ip": session.ip, "user_agent": session.user_agent,
            "device": device_name(session.user_agent), "method": session.method}


def _account_out(account) -> dict:
    return {"id": account.id, "email": account.email, "name": account.name, "created_at": account.created_at,
            "last_sign_in_at": account.last_sign_in_at}
