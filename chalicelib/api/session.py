"""Who the caller is: the route clients use instead of reading anything into an API key."""
from chalice import Blueprint

from chalicelib.api.routing import Call, endpoint, services
from chalicelib.schemas.session import SessionOut

bp = Blueprint(__name__)


@endpoint(bp, "GET", "/v1/ce/session", summary="Who these credentials are and the projects they reach",
          response=SessionOut, tag="session")
def get_session(call: Call):
    session = services().people.session(call.principal)
    principal = call.principal
    return {"principal": {"kind": "api_key", "key_id": principal.key_id, "actor": principal.actor,
                          "user_id": principal.user_id, "name": session.name, "email": session.email},
            "projects": [{"id": principal.project.id, "key": principal.project.key, "name": principal.project.name,
                          "role": principal.role}]}
