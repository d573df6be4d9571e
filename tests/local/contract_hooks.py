"""Schemathesis hooks for the contract run against the local stack (loaded through
SCHEMATHESIS_HOOKS). They keep the run from locking itself out, and send only cursors the API
issued: a cursor is an opaque, signed token, and one made up is refused by design."""
import os

import schemathesis

OWN_KEY_ID = os.environ.get("CONTRACT_KEY_ID", "")
OWN_USER_ID = os.environ.get("CONTRACT_USER_ID", "")
ISSUED_CURSORS: set[str] = set()


@schemathesis.hook
def before_call(context, case, kwargs):
    params = case.path_parameters or {}
    # Revoking the run's own key, or demoting or removing its own member, would answer every later
    # request 401/403: those calls go to an id that does not exist instead.
    if params.get("key_id") == OWN_KEY_ID:
        params["key_id"] = "notakey"
    if params.get("user_id") == OWN_USER_ID and case.method in ("PATCH", "DELETE"):
        params["user_id"] = "notamember"
    query = case.query or {}
    if "cursor" in query and not (isinstance(query["cursor"], str) and query["cursor"] in ISSUED_CURSORS):
        del query["cursor"]


@schemathesis.hook
def after_call(context, case, response):
    try:
        body = response.json()
    except ValueError:
        return
    if isinstance(body, dict) and isinstance(body.get("cursor"), str):
        ISSUED_CURSORS.add(body["cursor"])
    if isinstance(body, dict) and isinstance(body.get("history_cursor"), str):
        ISSUED_CURSORS.add(body["history_cursor"])
