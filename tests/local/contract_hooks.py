"""Schemathesis hooks for the contract run against the local stack (loaded through
SCHEMATHESIS_HOOKS). They keep the run from locking itself out, and send a cursor only with the
query that it was issued for: a cursor is an opaque, signed token bound to its query, and one made
up, or taken from another listing, is refused by design."""
import os

import schemathesis

SIGN_IN = "/v1/ce/sign-in/"
OWN_KEY_ID = os.environ.get("CONTRACT_KEY_ID", "")
OWN_USER_ID = os.environ.get("CONTRACT_USER_ID", "")
# cursor -> the query it continues: (operation path, path parameters, the other query parameters)
ISSUED_CURSORS: dict[str, tuple] = {}


def _query_of(path: str, path_parameters: dict | None, query: dict | None) -> tuple:
    others = tuple(sorted((name, str(value)) for name, value in (query or {}).items() if name != "cursor"))
    return path, tuple(sorted((path_parameters or {}).items())), others


@schemathesis.hook
def before_call(context, case, kwargs):
    params = case.path_parameters or {}
    # Revoking the run's own key, or removing its own member, would answer every later request
    # 401/403: those calls go to an id that does not exist instead; its own member keeps its role.
    if params.get("key_id") == OWN_KEY_ID:
        params["key_id"] = "notakey"
    if params.get("user_id") == OWN_USER_ID and case.method == "DELETE":
        params["user_id"] = "notamember"
    if params.get("user_id") == OWN_USER_ID and case.method == "PATCH" and isinstance(case.body, dict) \
            and "role" in case.body:
        case.body["role"] = "admin"      # the run's own role: changed, it would lock the run out
    # The sign-in routes answer only the app's own pages (login CSRF); the run is such a page.
    if case.operation.path.startswith(SIGN_IN):
        case.headers = {**(case.headers or {}), "Sec-Fetch-Site": "same-origin"}
    query = case.query or {}
    if "cursor" in query and (not isinstance(query["cursor"], str)
                              or ISSUED_CURSORS.get(query["cursor"]) != _query_of(case.operation.path, params, query)):
        del query["cursor"]


@schemathesis.hook
def after_call(context, case, response):
    try:
        body = response.json()
    except ValueError:
        return
    if not isinstance(body, dict):
        return
    if isinstance(body.get("cursor"), str):
        ISSUED_CURSORS[body["cursor"]] = _query_of(case.operation.path, case.path_parameters, case.query)
    if isinstance(body.get("history_cursor"), str):
        # A ticket's answer carries the cursor of its history listing, with no other parameters.
        ISSUED_CURSORS[body["history_cursor"]] = _query_of(case.operation.path + "/history", case.path_parameters, {})
